//! The staging folder a build writes into: where it is (beside the output folder, or inside
//! one that is a mount point), what a killed build left cleared first, and the record of every
//! file written.

use super::faults::Faults;
use super::{FileEntry, sibling};
use crate::util::fs;
use anyhow::{Result, bail};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a build's staging folder is, and so how it is swapped in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// Beside the output folder (`.public.playbook-staging`), swapped with it in one step.
    Beside,
    /// Inside the output folder (`public/.playbook-staging`), because the output folder is a
    /// mount point (a Docker volume, a network share) that no rename can move or replace: its
    /// entries are swapped one at a time.
    Inside,
}

/// The suffix of the name of a previous site being removed, beside the output folder.
pub(super) const TRASH: &str = "playbook-trash";
/// The suffix of the name of the previous site kept beside the output folder once a build
/// publishes (`.NAME.playbook-spare`): the next build's staging folder starts from it, so it
/// rewrites only the files that changed instead of making every folder and link again.
pub(super) const SPARE: &str = "playbook-spare";

/// The staging folder's name inside an output folder that is a mount point. Never published.
pub const INSIDE: &str = ".playbook-staging";
/// The folder, inside an inside staging folder, that takes the entries of the previous site
/// the new one no longer has (and, where swapping is unsupported, the replaced ones).
pub(super) const RETIRED: &str = ".playbook-previous";

/// A folder being built beside the real output folder (or inside it, when the output folder
/// is a mount point). Dropped before `commit` finishes, it removes itself, so no failure,
/// early return or panic leaves a staging folder behind.
pub struct Staging {
    pub(super) out: PathBuf,
    pub(super) staging: PathBuf,
    pub(super) layout: Layout,
    /// Folders (relative to the output) taken over unchanged from the previous output.
    pub(super) carry: Vec<String>,
    /// Files written into the carried folders once they are taken over (path, bytes).
    pub(super) carried_files: Vec<(String, Vec<u8>)>,
    /// Every file written, with its content hash (for the service worker's version and the
    /// next build's cache).
    pub(super) written: Mutex<Vec<(String, FileEntry)>>,
    /// What the previous build's cache says of the files of the output folder (empty without
    /// a cache that describes this output folder).
    pub(super) previous: HashMap<String, FileEntry>,
    /// The output folder was there when the build began: a file may have a previous version
    /// to link to. (A first build skips looking for 100,000 files that are not there.)
    pub(super) had_output: bool,
    /// True while `staging` is ours to remove (the new site, or after the swap the previous one).
    pub(super) armed: bool,
    /// True if and only if the staging folder started as a previous site (see `SPARE`): a file
    /// may already be there, as a link to the output's or as anything else.
    pub(super) reused: bool,
    /// What the reused staging folder held when the build began, until `publish` removes what
    /// the new site does not have.
    pub(super) held: Option<Vec<(String, fs::Kind)>>,
    /// Folders of the staging folder known to be there (absolute): those the reused folder held
    /// and those made since, so that a file's folder is made once, not looked up per file.
    /// (Boxed: a `Sink` moves a `Staging` around.)
    pub(super) folders: Box<Mutex<HashSet<PathBuf>>>,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            self.retire();
        }
    }
}

impl Staging {
    /// Prepares an empty staging folder for output folder `out`. Refuses an `out` that holds
    /// a site's sources, so a mistyped `--out` cannot replace them. Clears what a build that was
    /// killed while publishing left: its staging folder, and (only where swapping in one step
    /// is unsupported, killed between its two renames) puts the previous site back in place.
    pub fn begin(out: &Path, site_root: &Path) -> Result<Staging> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let (out_abs, root_abs) = (abs(out), abs(site_root));
        if root_abs.starts_with(&out_abs)
            || crate::util::fs::exists(&out_abs.join("playbook.yaml"))
            || crate::util::fs::is_dir(&out_abs.join("content"))
        {
            bail!(
                "refusing to build into `{}`: it holds a site's sources, and building replaces the whole folder\n  hint: choose an output folder of its own, e.g. `--out public`",
                out.display()
            );
        }
        let aside = sibling(&out_abs, "playbook-old");
        if !fs::exists(&out_abs) && fs::is_real_dir(&aside) {
            fs::rename(&aside, &out_abs)?;
        }
        fs::remove_dir_all_if_exists(&aside)?;
        // Previous sites a killed build did not finish removing (see `remove_previous`).
        if let (Some(parent), Some(name)) = (out_abs.parent(), out_abs.file_name()) {
            let prefix = format!(".{}.{TRASH}-", name.to_string_lossy());
            for e in fs::entries(parent).unwrap_or_default() {
                if e.to_string_lossy().starts_with(&prefix) {
                    fs::remove_dir_all_detached(&parent.join(e))?;
                }
            }
        }
        let beside = sibling(&out_abs, "playbook-staging");
        let layout = if fs::is_real_dir(&out_abs) {
            fs::remove_dir_all_if_exists(&out_abs.join(INSIDE))?;
            if fs::is_mount_point(&out_abs) {
                Layout::Inside
            } else {
                Layout::Beside
            }
        } else {
            Layout::Beside
        };
        let had_output = fs::is_real_dir(&out_abs);
        let held = match layout {
            Layout::Beside if had_output => take_spare(&out_abs, &beside)?,
            _ => {
                discard(&out_abs, &sibling(&out_abs, SPARE))?;
                None
            }
        };
        let staging = match layout {
            Layout::Beside => beside,
            Layout::Inside => out_abs.join(INSIDE),
        };
        if held.is_none() {
            fs::remove_dir_all_if_exists(&staging)?;
            fs::create_dir_all(&staging)?;
        }
        let folders = held
            .iter()
            .flatten()
            .filter(|(_, kind)| *kind == fs::Kind::Dir)
            .map(|(rel, _)| staging.join(rel))
            .chain([staging.clone()])
            .collect();
        Ok(Staging {
            out: out_abs,
            staging,
            layout,
            carry: Vec::new(),
            carried_files: Vec::new(),
            written: Mutex::new(Vec::new()),
            previous: HashMap::new(),
            had_output,
            armed: true,
            reused: held.is_some(),
            folders: Box::new(Mutex::new(folders)),
            held,
        })
    }

    /// Lets go of the staging folder of a build that did not publish it: beside the output
    /// folder it becomes the spare (whatever it holds, the next build checks every file it
    /// keeps), inside one it is removed.
    pub(super) fn retire(&mut self) {
        self.armed = false;
        if self.layout == Layout::Inside {
            let _ = fs::remove_dir_all_if_exists(&self.staging);
            return;
        }
        let spare = sibling(&self.out, SPARE);
        if !fs::exists(&spare) && fs::rename(&self.staging, &spare).is_ok() {
            return;
        }
        let _ = discard(&self.out, &self.staging);
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

    pub(super) fn record(&self, rel: &str, entry: FileEntry) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((rel.to_string(), entry));
    }

    /// The path and content hash of every file written so far (not the carried folders).
    pub fn fingerprints(&self) -> Vec<(String, blake3::Hash)> {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(rel, e)| (rel.clone(), blake3::Hash::from_bytes(e.hash)))
            .collect()
    }

    /// Uses what `cache` records of the output folder's files (see `Sink::reuse`).
    pub fn with_previous(mut self, files: HashMap<String, FileEntry>) -> Staging {
        self.previous = files;
        self
    }

    /// What a build cache records of this staging folder (see `build::cache`): its device
    /// and inode, which it keeps once published, and the files written so far; `None` where no
    /// cache can describe it (staged inside a mount point, published entry by entry).
    pub fn cache_record(&self) -> Option<((u64, u64), HashMap<String, FileEntry>)> {
        let folder = fs::folder_id(&self.staging).filter(|_| self.layout == Layout::Beside)?;
        let files = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        Some((folder, files))
    }

    /// The output folder this staging folder is for.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Publishes the staging folder as the output folder.
    ///
    /// Nothing of the previous output is moved or changed before the new site takes its place:
    /// carried folders are brought into the staging folder as hard links (copies where linking
    /// fails). Then, on Linux, one `renameat2(RENAME_EXCHANGE)` swaps the two folders, so the
    /// output folder always holds the whole previous or the whole new site and is never
    /// missing; the previous site, now in the staging folder's place, is removed last. Where
    /// swapping is unsupported (other systems, filesystems that refuse it) the output folder is
    /// renamed aside and the staging folder renamed into place: if the build is killed between
    /// those two renames, the next build puts the previous site back before anything else. An
    /// output folder that is a mount point is published entry by entry (see `swap_entries`).
    ///
    /// `PLAYBOOK_FAULT_STOP_AFTER=N` kills the process right after step N of this, and
    /// `PLAYBOOK_FAULT_FAIL_AT=N` makes step N fail; `PLAYBOOK_FAULT_NO_EXCHANGE=1` takes the
    /// path for systems without a swap. They exist for the tests.
    pub fn commit(mut self) -> Result<()> {
        let mut faults = Faults::from_env();
        self.publish(&mut faults)
    }

    /// Throws the staging folder away (keeping it as the spare beside the output folder),
    /// leaving the output folder as it was.
    pub fn abort(mut self) -> Result<()> {
        self.retire();
        Ok(())
    }
}

/// Makes the staging folder `beside` output folder `out` from the previous site kept as the
/// spare, else from the staging folder a killed build left; returns what it holds (links,
/// sockets and the like removed), or `None` when there is neither.
fn take_spare(out: &Path, beside: &Path) -> Result<Option<Vec<(String, fs::Kind)>>> {
    let spare = sibling(out, SPARE);
    if fs::is_real_dir(&spare) {
        discard(out, beside)?;
        fs::rename(&spare, beside)?;
    } else {
        discard(out, &spare)?;
        if !fs::is_real_dir(beside) {
            return Ok(None);
        }
    }
    let Ok(entries) = fs::tree(beside) else {
        discard(out, beside)?;
        return Ok(None);
    };
    let mut held = Vec::with_capacity(entries.len());
    for (rel, kind) in entries {
        if kind == fs::Kind::Other {
            fs::remove_file_if_exists(&beside.join(&rel))?;
        } else {
            held.push((rel, kind));
        }
    }
    Ok(Some(held))
}

/// Removes whatever is at `path` beside output folder `out`: a folder is renamed
/// `.NAME.playbook-trash-…` and removed by a process the build does not wait for.
pub(super) fn discard(out: &Path, path: &Path) -> Result<()> {
    if !fs::is_real_dir(path) {
        return fs::remove_if_exists(path);
    }
    let trash = trash_path(out);
    fs::rename(path, &trash)?;
    fs::remove_dir_all_detached(&trash)
}

/// A new name beside output folder `out` for a previous site to be removed.
pub(super) fn trash_path(out: &Path) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    sibling(out, &format!("{TRASH}-{}-{nanos}", std::process::id()))
}
