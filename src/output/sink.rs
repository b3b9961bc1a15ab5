//! Where built files go: a staging folder (a file the previous output holds byte for byte is
//! linked, not written) or memory for `serve`.

use super::{FileEntry, Held, Key, SharedFiles, Staging};
use crate::util::fs;
use anyhow::Result;
use bytes::Bytes;
use std::path::Path;

/// Where built files go.
pub enum Sink {
    Dir(Staging),
    /// Memory; in every HTML file, `inject` (the live-reload script tag) goes before `</body>`.
    /// With `pack`, files are held compressed (see `Held`): `serve` holds a site for hours, an
    /// export only until it has written it.
    Memory {
        files: SharedFiles,
        inject: Option<String>,
        pack: bool,
    },
}

impl Sink {
    /// Writes `bytes` at output path `rel` (`lessons/know-yourself/index.html`).
    pub fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        self.write_keyed(rel, bytes, None)
    }

    /// Returns true if and only if the previous output's file at `rel` was made from a view
    /// of key `view` (see `build::cache`) and is now linked into the staging folder: the
    /// caller need not render it. Always false in memory and without a usable cache.
    pub fn reuse(&self, rel: &str, view: &Key) -> bool {
        let Sink::Dir(s) = self else { return false };
        let Some(e) = s
            .previous
            .get(rel)
            .filter(|e| e.view.as_ref() == Some(view))
        else {
            return false;
        };
        let (previous, path) = (s.out.join(rel), s.staging.join(rel));
        let Some((_, id)) = fs::file_stat(&previous).filter(|(size, _)| *size == e.size) else {
            return false;
        };
        if s.make_parent(&path).is_err() || !s.link_previous(&previous, id, &path) {
            return false;
        }
        s.record(rel, *e);
        true
    }

    /// Writes `bytes` at output path `rel`, recording that it was made from a view of key
    /// `view` (a page), for the next build.
    pub fn write_keyed(&self, rel: &str, bytes: Vec<u8>, view: Option<Key>) -> Result<()> {
        match self {
            Sink::Dir(s) => write_into(s, rel, &bytes, view),
            Sink::Memory {
                files,
                inject,
                pack,
            } => {
                let bytes = match inject {
                    Some(tag) if rel.ends_with(".html") => inject_before_body_end(bytes, tag),
                    _ => bytes,
                };
                // Compressed before the lock is taken: pages are written in parallel.
                let held = if *pack {
                    Held::packed(bytes)
                } else {
                    Held::plain(bytes)
                };
                files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(rel.to_string(), held);
                Ok(())
            }
        }
    }

    /// Writes `bytes`, shared with whoever else holds them, at output path `rel`: memory holds
    /// them as they are (no HTML, nothing to pack: the search index's files, compressed).
    pub fn write_shared(&self, rel: &str, bytes: Bytes) -> Result<()> {
        match self {
            Sink::Dir(s) => write_into(s, rel, &bytes, None),
            Sink::Memory { files, .. } => {
                files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(rel.to_string(), Held::shared(bytes));
                Ok(())
            }
        }
    }

    /// Copies the file at `from` to output path `rel`.
    pub fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        match self {
            Sink::Dir(s) => {
                let path = s.staging.join(rel);
                s.make_parent(&path)?;
                s.clear_place(&path)?;
                fs::copy_new(from, &path)?;
                let hash = *fs::hash_file(&path)?.as_bytes();
                let size = fs::file_size(&path).unwrap_or_default();
                s.record(
                    rel,
                    FileEntry {
                        hash,
                        size,
                        view: None,
                    },
                );
                Ok(())
            }
            Sink::Memory { .. } => self.write(rel, fs::read(from)?),
        }
    }
}

impl Staging {
    /// Makes the folder that holds staging path `path`. In a reused staging folder, a file
    /// where a folder on the way should be is removed first.
    fn make_parent(&self, path: &Path) -> Result<()> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        // Most files share their folder with others, or had it in the previous output.
        if self
            .folders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(parent)
        {
            return Ok(());
        }
        let made = self.make_folder(parent);
        if made.is_ok() {
            self.folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(parent.to_path_buf());
        }
        made
    }

    fn make_folder(&self, parent: &Path) -> Result<()> {
        let made = fs::create_dir_all(parent);
        if made.is_ok() || !self.reused {
            return made;
        }
        let Ok(rel) = parent.strip_prefix(&self.staging) else {
            return made;
        };
        let mut at = self.staging.clone();
        for part in rel.components() {
            at.push(part);
            if !fs::is_real_dir(&at) {
                fs::remove_if_exists(&at)?;
            }
        }
        fs::create_dir_all(parent)
    }

    /// In a reused staging folder, removes a folder (or anything else) at `path`, so a file
    /// can be written there.
    fn clear_place(&self, path: &Path) -> Result<()> {
        if self.reused && fs::is_real_dir(path) {
            self.remove(path)?;
        }
        Ok(())
    }

    /// Removes whatever is at staging path `path`, and forgets the folders it held.
    fn remove(&self, path: &Path) -> Result<()> {
        if fs::is_real_dir(path) {
            self.folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|f| !f.starts_with(path));
        }
        fs::remove_if_exists(path)
    }

    /// Makes staging path `path` the previous output's file `previous` (device and inode
    /// `id`); returns true if and only if it is. In a reused staging folder, the link may be
    /// there already (the file did not change in the last two builds), and whatever else is
    /// there is removed first.
    fn link_previous(&self, previous: &Path, id: (u64, u64), path: &Path) -> bool {
        if self.reused {
            if fs::file_id(path) == Some(id) {
                return true;
            }
            if self.remove(path).is_err() {
                return false;
            }
        }
        fs::hard_link(previous, path).is_ok()
    }
}

/// `bytes` (an HTML file) with `tag` put before its last `</body>` (at the end without one).
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

/// Writes `bytes` at `rel` in staging folder `s`, recording that it was made from a view of key
/// `view`. A file the previous output already holds byte for byte is linked, not written again:
/// most files of an incremental build are unchanged, and making a new file costs the filesystem
/// far more than a link. The old output is never modified. The cache's record of the previous
/// output saves reading the file to know.
fn write_into(s: &Staging, rel: &str, bytes: &[u8], view: Option<Key>) -> Result<()> {
    let path = s.staging.join(rel);
    s.make_parent(&path)?;
    let hash = *blake3::hash(bytes).as_bytes();
    let size = bytes.len() as u64;
    let previous = s.out.join(rel);
    // The previous output's file (its device and inode) when it holds these bytes.
    let same = s
        .had_output
        .then(|| fs::file_stat(&previous))
        .flatten()
        .filter(|(size_then, _)| *size_then == size)
        .filter(|_| match s.previous.get(rel) {
            Some(e) if e.hash == hash && e.size == size => true,
            _ => fs::holds(&previous, bytes),
        });
    if !same.is_some_and(|(_, id)| s.link_previous(&previous, id, &path)) {
        s.clear_place(&path)?;
        fs::write_new(&path, bytes)?;
    }
    s.record(rel, FileEntry { hash, size, view });
    Ok(())
}
