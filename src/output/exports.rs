//! Exports written whole: a zip archive, or a folder published like a build's.

use super::{Sink, Staging, sibling};
use crate::util::fs;
use anyhow::Result;
use std::path::Path;

/// Writes `files` (output path → bytes) as a zip archive at `out`, deflated, with fixed
/// timestamps so the same site gives the same archive. The archive is made in memory and
/// written beside `out` first, so a failure leaves a previous `out` untouched.
pub fn write_zip(out: &Path, files: &std::collections::BTreeMap<String, Vec<u8>>) -> Result<()> {
    use std::io::Write as _;
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (rel, bytes) in files {
        writer
            .start_file(rel.as_str(), options)
            .and_then(|()| writer.write_all(bytes).map_err(Into::into))
            .map_err(|e| anyhow::anyhow!("failed to add `{rel}` to the archive: {e}"))?;
    }
    let bytes = writer
        .finish()
        .map_err(|e| anyhow::anyhow!("failed to finish the archive: {e}"))?
        .into_inner();
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let partial = sibling(out, "partial");
    fs::write(&partial, &bytes)?;
    fs::rename(&partial, out)
}

/// Writes `files` (output path → bytes) as the folder `out`, through a staging folder swapped
/// in at the end like a build's (so a failure leaves a previous `out` as it was). Refuses an
/// `out` that holds a site's sources, as a build does.
pub fn write_folder(
    out: &Path,
    site_root: &Path,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> Result<()> {
    let staging = Staging::begin(out, site_root)?;
    let sink = Sink::Dir(staging);
    for (rel, bytes) in files {
        sink.write(rel, bytes.clone())?;
    }
    let Sink::Dir(staging) = sink else {
        unreachable!("made as a folder")
    };
    staging.commit()
}
