//! The only stage that writes. A build writes into a staging folder beside the output folder
//! and swaps it in only when the whole build succeeded, so a failed build leaves the previous
//! site untouched. `serve` writes into memory instead.

use crate::util::fs;
use anyhow::{Result, bail};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Built files kept in memory and served by `serve`, keyed by output path.
pub type SharedFiles = Arc<RwLock<HashMap<String, Arc<[u8]>>>>;

/// Where built files go.
pub enum Sink {
    Dir(Staging),
    /// Memory; in every HTML file, `inject` (the live-reload script tag) goes before `</body>`.
    Memory {
        files: SharedFiles,
        inject: Option<String>,
    },
}

impl Sink {
    /// Writes `bytes` at output path `rel` (`lessons/know-yourself/index.html`).
    pub fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Sink::Dir(s) => {
                let path = s.staging.join(rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                // A file the previous output already holds byte for byte is linked, not written
                // again: most files of an incremental build are unchanged, and making a new file
                // costs the filesystem far more than a link. The old output is never modified.
                let previous = s.out.join(rel);
                if !(fs::holds(&previous, &bytes) && fs::hard_link(&previous, &path).is_ok()) {
                    fs::write(&path, &bytes)?;
                }
                s.record(rel, blake3::hash(&bytes));
                Ok(())
            }
            Sink::Memory { files, inject } => {
                let bytes = match inject {
                    Some(tag) if rel.ends_with(".html") => inject_before_body_end(bytes, tag),
                    _ => bytes,
                };
                files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(rel.to_string(), bytes.into());
                Ok(())
            }
        }
    }

    /// Copies the file at `from` to output path `rel`.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        match self {
            Sink::Dir(s) => {
                let path = s.staging.join(rel);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::copy(from, &path)?;
                s.record(rel, fs::hash_file(&path)?);
                Ok(())
            }
            Sink::Memory { .. } => self.write(rel, fs::read(from)?),
        }
    }
}

fn inject_before_body_end(bytes: Vec<u8>, tag: &str) -> Vec<u8> {
    let mut html = match String::from_utf8(bytes) {
        Ok(h) => h,
        Err(e) => return e.into_bytes(),
    };
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, tag),
        None => html.push_str(tag),
    }
    html.into_bytes()
}

/// A folder being built beside the real output folder.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    /// Folders (relative to the output) taken over unchanged from the previous output.
    carry: Vec<String>,
    /// Files written into the carried folders once they are taken over (path, bytes).
    carried_files: Vec<(String, Vec<u8>)>,
    /// The path and content hash of every file written, for the service worker's version.
    written: Mutex<Vec<(String, blake3::Hash)>>,
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{suffix}"))
}

impl Staging {
    /// Prepares an empty staging folder for output folder `out`. Refuses an `out` that holds
    /// a site's sources, so a mistyped `--out` cannot replace them.
    pub fn begin(out: &Path, site_root: &Path) -> Result<Staging> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let (out_abs, root_abs) = (abs(out), abs(site_root));
        if root_abs.starts_with(&out_abs)
            || out_abs.join("playbook.yaml").exists()
            || out_abs.join("content").is_dir()
        {
            bail!(
                "refusing to build into `{}`: it holds a site's sources, and building replaces the whole folder\n  hint: choose an output folder of its own, e.g. `--out public`",
                out.display()
            );
        }
        let staging = sibling(&out_abs, "playbook-staging");
        fs::remove_dir_all_if_exists(&staging)?;
        fs::create_dir_all(&staging)?;
        Ok(Staging {
            out: out_abs,
            staging,
            carry: Vec::new(),
            carried_files: Vec::new(),
            written: Mutex::new(Vec::new()),
        })
    }

    /// Takes folders `rels` of the previous output over unchanged when the build commits (an
    /// older edition that did not change), instead of writing them again.
    pub fn carrying(mut self, rels: Vec<String>) -> Staging {
        self.carry = rels;
        self
    }

    /// Writes `bytes` at output path `rel`, inside a carried folder, when the build commits.
    pub fn write_into_carried(mut self, files: Vec<(String, Vec<u8>)>) -> Staging {
        self.carried_files = files;
        self
    }

    fn record(&self, rel: &str, hash: blake3::Hash) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((rel.to_string(), hash));
    }

    /// The path and content hash of every file written so far (not the carried folders).
    pub fn fingerprints(&self) -> Vec<(String, blake3::Hash)> {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swaps the staging folder in as the output folder.
    pub fn commit(self) -> Result<()> {
        for rel in &self.carry {
            let (from, to) = (self.out.join(rel), self.staging.join(rel));
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::rename(&from, &to)?;
        }
        for (rel, bytes) in &self.carried_files {
            fs::write(&self.staging.join(rel), bytes)?;
        }
        let old = sibling(&self.out, "playbook-old");
        fs::remove_dir_all_if_exists(&old)?;
        if fs::exists(&self.out) {
            fs::rename(&self.out, &old)?;
        }
        fs::rename(&self.staging, &self.out)?;
        fs::remove_dir_all_if_exists(&old)
    }

    /// Throws the staging folder away, leaving the output folder as it was.
    pub fn abort(self) -> Result<()> {
        fs::remove_dir_all_if_exists(&self.staging)
    }
}

/// The output path of a page whose URL path (under the base path) is `url`.
pub fn page_file(url: &str) -> String {
    format!("{url}index.html")
}

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
