//! The only stage that writes. A build writes into a staging folder beside the output folder
//! and swaps it in only when the whole build succeeded, in one atomic step where the system
//! allows (see `Staging::commit`), so a failed or killed build leaves the previous site
//! untouched. `serve` writes into memory instead.

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
                    fs::write_new(&path, &bytes)?;
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
                fs::copy_new(from, &path)?;
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

/// Where a build's staging folder is, and so how it is swapped in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Beside the output folder (`.public.playbook-staging`), swapped with it in one step.
    Beside,
    /// Inside the output folder (`public/.playbook-staging`), because the output folder is a
    /// mount point (a Docker volume, a network share) that no rename can move or replace: its
    /// entries are swapped one at a time.
    Inside,
}

/// The staging folder's name inside an output folder that is a mount point. Never published.
pub const INSIDE: &str = ".playbook-staging";
/// The folder, inside an inside staging folder, that takes the entries of the previous site
/// the new one no longer has (and, where swapping is unsupported, the replaced ones).
const RETIRED: &str = ".playbook-previous";

/// A folder being built beside the real output folder (or inside it, when the output folder
/// is a mount point). Dropped before `commit` finishes, it removes itself, so no failure,
/// early return or panic leaves a staging folder behind.
pub struct Staging {
    out: PathBuf,
    staging: PathBuf,
    layout: Layout,
    /// Folders (relative to the output) taken over unchanged from the previous output.
    carry: Vec<String>,
    /// Files written into the carried folders once they are taken over (path, bytes).
    carried_files: Vec<(String, Vec<u8>)>,
    /// The path and content hash of every file written, for the service worker's version.
    written: Mutex<Vec<(String, blake3::Hash)>>,
    /// True while `staging` is ours to remove (the new site, or after the swap the previous one).
    armed: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_dir_all_if_exists(&self.staging);
        }
    }
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{suffix}"))
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
        let beside = sibling(&out_abs, "playbook-staging");
        fs::remove_dir_all_if_exists(&beside)?;
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
        let staging = match layout {
            Layout::Beside => beside,
            Layout::Inside => out_abs.join(INSIDE),
        };
        fs::create_dir_all(&staging)?;
        Ok(Staging {
            out: out_abs,
            staging,
            layout,
            carry: Vec::new(),
            carried_files: Vec::new(),
            written: Mutex::new(Vec::new()),
            armed: true,
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

    /// Throws the staging folder away, leaving the output folder as it was.
    pub fn abort(mut self) -> Result<()> {
        self.armed = false;
        fs::remove_dir_all_if_exists(&self.staging)
    }

    fn publish(&mut self, faults: &mut Faults) -> Result<()> {
        faults.step("the build's files are in the staging folder", || Ok(()))?;
        for rel in &self.carry {
            let (from, to) = (self.out.join(rel), self.staging.join(rel));
            faults.step(&format!("linked `{rel}` into the staging folder"), || {
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::link_tree(&from, &to)
            })?;
        }
        for (rel, bytes) in &self.carried_files {
            faults.step(&format!("wrote `{rel}`"), || {
                fs::write_new(&self.staging.join(rel), bytes)
            })?;
        }
        match self.layout {
            Layout::Beside => self.swap_whole(faults),
            Layout::Inside => self.swap_entries(faults),
        }
    }

    fn swap_whole(&mut self, faults: &mut Faults) -> Result<()> {
        if !fs::exists(&self.out) {
            faults.step("moved the staging folder into place", || {
                fs::rename(&self.staging, &self.out)
            })?;
            self.armed = false;
            return Ok(());
        }
        let how = if Faults::no_exchange() {
            fs::Exchange::Unsupported
        } else {
            faults.step("swapped the staging folder with the output folder", || {
                fs::exchange(&self.staging, &self.out)
            })?
        };
        match how {
            fs::Exchange::Done => {}
            fs::Exchange::Unsupported => {
                let aside = sibling(&self.out, "playbook-old");
                fs::remove_dir_all_if_exists(&aside)?;
                faults.step("moved the output folder aside", || {
                    fs::rename(&self.out, &aside)
                })?;
                // No output folder until the next step: a build started after a kill here puts
                // `aside` back first (`begin`).
                let placed = faults.step("moved the staging folder into place", || {
                    fs::rename(&self.staging, &self.out)
                });
                if let Err(e) = placed {
                    return Err(match fs::rename(&aside, &self.out) {
                        Ok(()) => e,
                        Err(back) => e.context(format!("{back:#}; the next build puts it back")),
                    });
                }
                self.staging = aside;
            }
            fs::Exchange::AcrossMounts => {
                // A mount point `begin` did not recognise: stage again inside it.
                let inside = self.out.join(INSIDE);
                fs::remove_dir_all_if_exists(&inside)?;
                let copied = faults
                    .step("copied the staging folder into the output folder", || {
                        fs::link_tree(&self.staging, &inside)
                    });
                let beside = std::mem::replace(&mut self.staging, inside);
                fs::remove_dir_all_if_exists(&beside)?;
                copied?;
                self.layout = Layout::Inside;
                return self.swap_entries(faults);
            }
        }
        self.remove_previous(faults);
        Ok(())
    }

    /// Publishes into an output folder that is a mount point, which cannot be swapped whole:
    /// the staging folder is inside it, and each top-level entry is swapped with the one of the
    /// same name in one step (folders first, then files, the home page and the service worker
    /// last); entries the new site no longer has are moved into the staging folder. If any step
    /// fails, the steps done are undone in reverse order, so the previous site is back whole.
    fn swap_entries(&mut self, faults: &mut Faults) -> Result<()> {
        let mut names = fs::entries(&self.staging)?;
        names.sort_by_key(|n| {
            let last = ["404.html", "index.html", "sw.js"]
                .iter()
                .position(|l| n == l);
            (!fs::is_real_dir(&self.staging.join(n)), last, n.clone())
        });
        let mut done = Vec::new();
        let swapped = self.swap_each(faults, &names, &mut done);
        if let Err(e) = swapped {
            return Err(match self.undo(&done) {
                Ok(()) => e,
                Err(u) => e.context(format!(
                    "putting the previous site back failed too ({u:#}): `{}` mixes the previous and the new site until the next build",
                    self.out.display()
                )),
            });
        }
        eprintln!(
            "note: `{}` is a mount point, which no rename can replace, so its {} entries were swapped in one at a time (each in one step): for a moment a reader could have seen a page of the new site with a style sheet, script or link of the previous one",
            self.out.display(),
            names.len()
        );
        self.remove_previous(faults);
        Ok(())
    }

    fn swap_each(
        &self,
        faults: &mut Faults,
        names: &[std::ffi::OsString],
        done: &mut Vec<Undo>,
    ) -> Result<()> {
        let retired = self.staging.join(RETIRED);
        let shown = |n: &std::ffi::OsString| n.to_string_lossy().into_owned();
        for name in names {
            let (new, cur) = (self.staging.join(name), self.out.join(name));
            if !fs::exists(&cur) {
                faults.step(&format!("moved `{}` into place", shown(name)), || {
                    fs::rename(&new, &cur)
                })?;
                done.push(Undo::Placed(name.clone()));
                continue;
            }
            let how = if Faults::no_exchange() {
                fs::Exchange::Unsupported
            } else {
                faults.step(&format!("swapped `{}`", shown(name)), || {
                    fs::exchange(&new, &cur)
                })?
            };
            match how {
                fs::Exchange::Done => done.push(Undo::Swapped(name.clone())),
                fs::Exchange::Unsupported => {
                    fs::create_dir_all(&retired)?;
                    faults.step(&format!("moved `{}` aside", shown(name)), || {
                        fs::rename(&cur, &retired.join(name))
                    })?;
                    done.push(Undo::Aside(name.clone()));
                    faults.step(&format!("moved `{}` into place", shown(name)), || {
                        fs::rename(&new, &cur)
                    })?;
                    done.push(Undo::Placed(name.clone()));
                }
                fs::Exchange::AcrossMounts => bail!(
                    "cannot replace `{}`: it is a mount point of its own\n  hint: publish into the folder that holds it, or into a folder inside it",
                    cur.display()
                ),
            }
        }
        for name in fs::entries(&self.out)? {
            if name == INSIDE || names.contains(&name) {
                continue;
            }
            fs::create_dir_all(&retired)?;
            faults.step(&format!("moved `{}` aside", shown(&name)), || {
                fs::rename(&self.out.join(&name), &retired.join(&name))
            })?;
            done.push(Undo::Aside(name));
        }
        Ok(())
    }

    /// Undoes the steps `done` of `swap_each`, last first.
    fn undo(&self, done: &[Undo]) -> Result<()> {
        let retired = self.staging.join(RETIRED);
        for step in done.iter().rev() {
            match step {
                Undo::Swapped(n) => {
                    if !matches!(
                        fs::exchange(&self.staging.join(n), &self.out.join(n))?,
                        fs::Exchange::Done
                    ) {
                        bail!("could not swap `{}` back", self.out.join(n).display());
                    }
                }
                Undo::Placed(n) => fs::rename(&self.out.join(n), &self.staging.join(n))?,
                Undo::Aside(n) => fs::rename(&retired.join(n), &self.out.join(n))?,
            }
        }
        Ok(())
    }

    /// Removes the previous site, which the swap left where the staging folder was. The new
    /// site is published by then, so a failure here is a warning, not a failed build.
    fn remove_previous(&mut self, faults: &mut Faults) {
        let removed = (|| {
            for name in fs::entries(&self.staging)? {
                let path = self.staging.join(&name);
                faults.step(
                    &format!("removed `{}` of the previous site", name.to_string_lossy()),
                    || fs::remove_if_exists(&path),
                )?;
            }
            faults.step("removed the previous site's folder", || {
                fs::remove_dir_all_if_exists(&self.staging)
            })
        })();
        match removed {
            Ok(()) => self.armed = false,
            Err(e) => eprintln!(
                "warning: the new site is published, but the previous one could not be removed: {e:#}"
            ),
        }
    }
}

/// A step of `swap_each`, as `undo` reverses it.
enum Undo {
    /// The entry and the staging folder's entry of the same name were swapped.
    Swapped(std::ffi::OsString),
    /// The staging folder's entry was moved into the output folder.
    Placed(std::ffi::OsString),
    /// The output folder's entry was moved into the staging folder's `RETIRED` folder.
    Aside(std::ffi::OsString),
}

/// Fault injection for the publishing tests, from the environment: `PLAYBOOK_FAULT_STOP_AFTER=N`
/// kills the process (SIGKILL, as a power cut or the OOM killer would) right after step N of
/// publishing; `PLAYBOOK_FAULT_FAIL_AT=N` makes step N fail with an error instead of running.
struct Faults {
    stop_after: Option<usize>,
    fail_at: Option<usize>,
    done: usize,
}

impl Faults {
    fn from_env() -> Faults {
        let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            stop_after: number("PLAYBOOK_FAULT_STOP_AFTER"),
            fail_at: number("PLAYBOOK_FAULT_FAIL_AT"),
            done: 0,
        }
    }

    /// Returns true if and only if `PLAYBOOK_FAULT_NO_EXCHANGE=1`: publish as on a system
    /// that cannot swap two folders in one step.
    fn no_exchange() -> bool {
        std::env::var_os("PLAYBOOK_FAULT_NO_EXCHANGE").is_some_and(|v| v == "1")
    }

    /// Runs step `what` of publishing.
    fn step<T>(&mut self, what: &str, run: impl FnOnce() -> Result<T>) -> Result<T> {
        self.done += 1;
        let n = self.done;
        if self.fail_at == Some(n) {
            bail!("publishing step {n} ({what}) failed on purpose: PLAYBOOK_FAULT_FAIL_AT={n}");
        }
        let value = run()?;
        if self.stop_after == Some(n) {
            eprintln!(
                "stopping abruptly after publishing step {n} ({what}): PLAYBOOK_FAULT_STOP_AFTER={n}"
            );
            #[cfg(unix)]
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::KILL,
            );
            std::process::abort();
        }
        Ok(value)
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
