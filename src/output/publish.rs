//! Publishing a staging folder (`Staging::commit`): carried folders linked in, then the
//! staging folder swapped with the output folder in one step (or renamed in where no swap
//! exists, or swapped entry by entry into a mount point), then the previous site removed.

use super::faults::Faults;
use super::sibling;
use super::staging::{INSIDE, Layout, RETIRED, SPARE, Staging, discard};
use crate::util::fs;
use anyhow::{Result, bail};
use std::collections::HashSet;

impl Staging {
    pub(super) fn publish(&mut self, faults: &mut Faults) -> Result<()> {
        faults.step("the build's files are in the staging folder", || Ok(()))?;
        if let Some(held) = self.held.take() {
            faults.step("removed what the new site no longer has", || {
                self.remove_stale(&held)
            })?;
        }
        for rel in &self.carry {
            let (from, to) = (self.out.join(rel), self.staging.join(rel));
            faults.step(&format!("linked `{rel}` into the staging folder"), || {
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent)?;
                }
                fs::remove_if_exists(&to)?;
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

    /// Removes from a reused staging folder every entry of `held` (what it held when the build
    /// began) that is neither a file the build wrote nor a folder holding one.
    fn remove_stale(&self, held: &[(String, fs::Kind)]) -> Result<()> {
        let written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let mut keep: HashSet<&str> = HashSet::with_capacity(written.len() * 2);
        for (rel, _) in written.iter() {
            let mut at = rel.as_str();
            while keep.insert(at) {
                match at.rfind('/') {
                    Some(i) => at = &at[..i],
                    None => break,
                }
            }
        }
        for (rel, _) in held {
            if !keep.contains(rel.as_str()) {
                fs::remove_if_exists(&self.staging.join(rel))?;
            }
        }
        Ok(())
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
    /// site is published by then, so a failure here is a warning, not a failed build. Beside
    /// the output folder, the previous site is kept as the spare (`.NAME.playbook-spare`), the
    /// next build's staging folder: removing tens of thousands of files, and making them again
    /// in the next build, took longer than a one-page rebuild.
    fn remove_previous(&mut self, faults: &mut Faults) {
        if self.layout == Layout::Beside {
            let spare = sibling(&self.out, SPARE);
            let kept = (|| {
                faults.step("cleared the place of the spare", || {
                    discard(&self.out, &spare)
                })?;
                faults.step("kept the previous site as the spare", || {
                    fs::rename(&self.staging, &spare)
                })?;
                self.armed = false;
                Ok::<(), anyhow::Error>(())
            })();
            if let Err(e) = kept {
                eprintln!(
                    "warning: the new site is published, but the previous one could not be kept aside: {e:#}"
                );
            }
            return;
        }
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
