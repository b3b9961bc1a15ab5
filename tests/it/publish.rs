//! Publishing a build: the output folder holds the whole previous or the whole new site at
//! every moment, even when the build is killed while it swaps them, and no failure leaves a
//! staging folder behind; an output folder that is a mount point (a Docker volume, a share)
//! is published too. The binary is killed or made to fail at each step of publishing through
//! its fault switches (`PLAYBOOK_FAULT_STOP_AFTER`, `PLAYBOOK_FAULT_FAIL_AT`).

use crate::support::{self, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Every file under `dir` (relative path → bytes); `None` when `dir` is missing.
type Tree = BTreeMap<String, Vec<u8>>;

fn snapshot(dir: &Path) -> Option<Tree> {
    if !dir.is_dir() {
        return None;
    }
    let mut tree = Tree::new();
    for e in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            tree.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    Some(tree)
}

/// What differs between two trees, for a failure message.
fn diff(a: &Tree, b: &Tree) -> String {
    let mut out = Vec::new();
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        out.push(format!("only in the first: {k}"));
    }
    for k in b.keys().filter(|k| !a.contains_key(*k)) {
        out.push(format!("only in the second: {k}"));
    }
    for (k, v) in a {
        if b.get(k).is_some_and(|w| w != v) {
            out.push(format!("differs: {k}"));
        }
    }
    out.truncate(12);
    out.join("\n")
}

/// Panics, saying what differs, unless folder `dir` holds exactly `expected`.
#[track_caller]
fn assert_tree(dir: &Path, expected: &Tree, what: &str) {
    match snapshot(dir) {
        Some(t) if t == *expected => {}
        Some(t) => panic!(
            "{what}: `{}` is not as expected:\n{}",
            dir.display(),
            diff(&t, expected)
        ),
        None => panic!("{what}: `{}` is missing", dir.display()),
    }
}

/// Copies folder `from` to `to` (replacing it), keeping file times, so a restored site builds
/// exactly as the original would (an older edition's record holds its files' times).
fn restore(from: &Path, to: &Path) {
    restore_keeping(from, to, None);
}

/// `restore`, but folder `keep` (a mount point) is emptied instead of removed.
fn restore_keeping(from: &Path, to: &Path, keep: Option<&Path>) {
    if to.exists() {
        clear(to, keep);
    }
    // A previous site being removed in the background (`.public.playbook-trash-…`) is not
    // part of the site.
    for e in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().contains(".playbook-trash-"))
        .filter_map(Result::ok)
    {
        let dst = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
            let modified = e.metadata().unwrap().modified().unwrap();
            std::fs::File::options()
                .write(true)
                .open(&dst)
                .unwrap()
                .set_modified(modified)
                .unwrap();
        }
    }
}

/// Empties folder `dir`, and removes it unless it is a mount point (which cannot be removed);
/// folder `keep` inside it is only emptied.
fn clear(dir: &Path, keep: Option<&Path>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        // A previous site being removed in the background may vanish meanwhile.
        let gone = |r: std::io::Result<()>| match r {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            r => r.unwrap(),
        };
        if Some(p.as_path()) == keep {
            clear(&p, None);
        } else if p.is_dir() && !p.is_symlink() {
            gone(std::fs::remove_dir_all(&p));
        } else {
            gone(std::fs::remove_file(&p));
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// `playbook build` in `root` with environment `env`.
fn run(root: &Path, env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_playbook"));
    cmd.args(["build", "--quiet"])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("PLAYBOOK_FAULT_STOP_AFTER")
        .env_remove("PLAYBOOK_FAULT_FAIL_AT")
        .env_remove("PLAYBOOK_FAULT_NO_EXCHANGE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn killed(o: &Output) -> bool {
    use std::os::unix::process::ExitStatusExt as _;
    o.status.signal() == Some(9)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Staging folders and set-aside copies a build may leave beside or inside `out`.
fn leftovers(out: &Path) -> Vec<PathBuf> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    [
        out.with_file_name(format!(".{name}.playbook-staging")),
        out.with_file_name(format!(".{name}.playbook-old")),
        out.join(".playbook-staging"),
    ]
    .into_iter()
    .filter(|p| p.exists())
    .collect()
}

/// A site with an older edition (2025). Its first build is the previous output; then the
/// latest edition changes and an older edition's file is saved again unchanged, so the next
/// build carries `editions/2025/` over from the previous output and rewrites its record.
struct Fixture {
    site: Site,
    /// The site folder (sources and the previous output) as it was before the second build.
    template: tempfile::TempDir,
    old: Tree,
    new: Tree,
}

fn fixture() -> Fixture {
    let site = support::site(concat!(
        "//- playbook.yaml\ntitle: Ed\nbase_url: https://district.example/pd/\nedition_label: 2026 edition\neditions:\n  - name: \"2025\"\n",
        "//- content/index.md\n---\ntitle: Home\n---\nThe newest welcome.\n",
        "//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n",
        "//- content/lessons/01-trust.md\n---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nText.\n",
        "//- static/handout.txt\nA handout.\n",
        "//- versions/2025/index.md\n---\ntitle: Home\n---\nWelcome.\n",
        "//- versions/2025/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n",
        "//- versions/2025/lessons/01-trust.md\n---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nOld text.\n",
    ));
    let first = run(site.root(), &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let old = snapshot(&site.out()).unwrap();
    assert!(old.contains_key("editions/2025/lessons/trust/index.html"));
    site.write(
        "content/lessons/01-trust.md",
        "---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nRevised text.\n",
    );
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.write(
        "versions/2025/lessons/01-trust.md",
        "---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nOld text.\n",
    );
    let template = tempfile::tempdir().unwrap();
    restore(site.root(), template.path());
    let second = run(site.root(), &[]);
    assert!(second.status.success(), "{}", stderr(&second));
    let new = snapshot(&site.out()).unwrap();
    assert_ne!(old, new);
    assert!(String::from_utf8_lossy(&new["lessons/trust/index.html"]).contains("Revised text."));
    // The carried edition is the same, but for its record of its files' times.
    let edition = |t: &Tree| -> Tree {
        t.iter()
            .filter(|(k, _)| k.starts_with("editions/2025/") && !k.ends_with(".playbook-edition"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert!(!edition(&old).is_empty());
    assert_eq!(edition(&old), edition(&new));
    assert_ne!(
        old.get("editions/2025/.playbook-edition"),
        new.get("editions/2025/.playbook-edition")
    );
    // The same build from the same start gives the same site, or the comparisons below mean
    // nothing.
    restore(template.path(), site.root());
    assert!(run(site.root(), &[]).status.success());
    assert_eq!(
        snapshot(&site.out()).unwrap(),
        new,
        "two builds from one start differ"
    );
    Fixture {
        site,
        template,
        old,
        new,
    }
}

/// Kills the build after step 1, 2, … of publishing until a build gets through; after each
/// kill, the output folder must be the whole previous or the whole new site. Returns how many
/// kills left the previous and the new site.
fn kill_at_every_step(f: &Fixture, env: &[(&str, String)]) -> (usize, usize) {
    let (root, out) = (f.site.root(), f.site.out());
    let (mut old, mut new) = (0, 0);
    for n in 1.. {
        assert!(n < 100, "publishing never finished");
        restore(f.template.path(), root);
        let mut env = env.to_vec();
        env.push(("PLAYBOOK_FAULT_STOP_AFTER", n.to_string()));
        let o = run(root, &env);
        let now = snapshot(&out);
        if !killed(&o) {
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(!stderr(&o).contains("stopping abruptly"));
            assert_tree(&out, &f.new, "a build that was not stopped");
            assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
            break;
        }
        match now {
            Some(t) if t == f.old => old += 1,
            Some(t) if t == f.new => new += 1,
            Some(t) => panic!(
                "killed after publishing step {n}, the output is neither the previous site nor the new one:\nagainst the previous:\n{}\nagainst the new:\n{}\n{}",
                diff(&f.old, &t),
                diff(&f.new, &t),
                stderr(&o)
            ),
            None => panic!(
                "killed after publishing step {n}, the output folder is missing\n{}",
                stderr(&o)
            ),
        }
        // The next build cleans up after the killed one and publishes as usual.
        let again = run(root, &[]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_tree(&out, &f.new, "");
        assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    }
    (old, new)
}

#[test]
fn a_build_killed_at_any_step_of_publishing_leaves_the_whole_old_or_the_whole_new_site() {
    let f = fixture();
    let (old, new) = kill_at_every_step(&f, &[]);
    assert!(old >= 3, "the steps before the swap: {old}");
    assert!(new >= 2, "the steps after the swap: {new}");
}

#[test]
fn a_build_that_fails_at_any_step_of_publishing_leaves_the_old_site_and_no_staging_folder() {
    let f = fixture();
    let (root, out) = (f.site.root(), f.site.out());
    let mut failed = 0;
    for n in 1.. {
        restore(f.template.path(), root);
        let o = run(root, &[("PLAYBOOK_FAULT_FAIL_AT", n.to_string())]);
        assert!(
            leftovers(&out).is_empty(),
            "step {n}: {:?}",
            leftovers(&out)
        );
        if o.status.success() {
            // Failing to remove the previous site, once the new one is in place, is a warning.
            assert_tree(&out, &f.new, &format!("step {n}"));
            if !stderr(&o).contains("PLAYBOOK_FAULT_FAIL_AT") {
                break;
            }
        } else {
            assert!(stderr(&o).contains("failed on purpose"), "{}", stderr(&o));
            assert_tree(&out, &f.old, &format!("step {n}"));
            failed += 1;
        }
    }
    assert!(failed >= 3, "{failed}");
}

#[test]
fn without_an_atomic_swap_a_kill_between_the_two_renames_is_undone_by_the_next_build() {
    let f = fixture();
    let (root, out) = (f.site.root(), f.site.out());
    let aside = out.with_file_name(".public.playbook-old");
    let no_exchange = [("PLAYBOOK_FAULT_NO_EXCHANGE", "1".to_string())];
    let mut gap = 0;
    for n in 1..100 {
        restore(f.template.path(), root);
        let mut env = no_exchange.to_vec();
        env.push(("PLAYBOOK_FAULT_STOP_AFTER", n.to_string()));
        let o = run(root, &env);
        if !killed(&o) {
            assert_tree(&out, &f.new, "");
            break;
        }
        match snapshot(&out) {
            Some(t) => assert!(t == f.old || t == f.new, "step {n}:\n{}", diff(&f.new, &t)),
            None => {
                // The documented window: the previous site waits beside, whole.
                assert_tree(&aside, &f.old, &format!("step {n}"));
                gap += 1;
            }
        }
        let again = run(root, &[]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_tree(&out, &f.new, "");
        assert!(leftovers(&out).is_empty());
    }
    assert_eq!(gap, 1, "exactly one step leaves no output folder");
}

/// A bind mount of a new folder on `at`, undone when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// Bind-mounts `volume` on `at`, or says why it cannot (prints the reason: the test is then
/// skipped, which happens only where mounting is not permitted).
fn bind(volume: &Path, at: &Path) -> Option<Mount> {
    std::fs::create_dir_all(volume).unwrap();
    std::fs::create_dir_all(at).unwrap();
    match Command::new("mount")
        .arg("--bind")
        .arg(volume)
        .arg(at)
        .output()
    {
        Ok(o) if o.status.success() => Some(Mount(at.to_path_buf())),
        Ok(o) => {
            println!(
                "SKIPPED: `mount --bind` is not permitted here ({}), so publishing into a mount point is not tested",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            None
        }
        Err(e) => {
            println!(
                "SKIPPED: cannot run `mount` ({e}), so publishing into a mount point is not tested"
            );
            None
        }
    }
}

/// The fixture with its output folder on a bind mount: the previous output is copied into the
/// volume, and the template no longer holds an output (the volume stays mounted).
fn mounted(f: &Fixture) -> Option<(Mount, tempfile::TempDir)> {
    let volume = tempfile::tempdir().unwrap();
    restore(f.template.path(), f.site.root());
    let previous = tempfile::tempdir().unwrap();
    restore(&f.site.out(), previous.path());
    clear(&f.site.out(), None);
    let m = bind(volume.path(), &f.site.out())?;
    restore(previous.path(), &f.site.out());
    assert_tree(
        &f.site.out(),
        &f.old,
        "the previous output, copied into the volume",
    );
    Some((m, volume))
}

#[test]
fn an_output_folder_that_is_a_mount_point_is_published_and_no_staging_is_left() {
    let f = fixture();
    let Some((_mount, volume)) = mounted(&f) else {
        return;
    };
    let (root, out) = (f.site.root(), f.site.out());
    let template_out = f.template.path().join("public");
    let sources = tempfile::tempdir().unwrap();
    restore(f.template.path(), sources.path());
    clear(&sources.path().join("public"), None);
    let restore_mounted = || {
        restore_keeping(sources.path(), root, Some(&out));
        restore(&template_out, &out);
    };
    restore_mounted();
    let o = run(root, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_tree(&out, &f.new, "published into a mount point");
    assert_tree(volume.path(), &f.new, "written into the volume");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    let note = stderr(&o);
    assert_eq!(note.matches("is a mount point").count(), 1, "{note}");
    assert!(note.contains("a reader could have seen"), "{note}");
    // Any failure while publishing puts the previous site back and removes the staging folder.
    for n in 1.. {
        restore_mounted();
        let o = run(root, &[("PLAYBOOK_FAULT_FAIL_AT", n.to_string())]);
        assert!(
            leftovers(&out).is_empty(),
            "step {n}: {:?}",
            leftovers(&out)
        );
        if o.status.success() {
            assert_tree(&out, &f.new, &format!("step {n}"));
            if !stderr(&o).contains("PLAYBOOK_FAULT_FAIL_AT") {
                break;
            }
        } else {
            let now = snapshot(&out).unwrap();
            assert_eq!(now, f.old, "step {n}:\n{}", diff(&f.old, &now));
        }
    }
    // Killed, each top-level entry is its previous or its new self, and none is missing.
    let top = |t: &Tree| -> BTreeMap<String, Tree> {
        let mut m: BTreeMap<String, Tree> = BTreeMap::new();
        for (k, v) in t {
            let (first, rest) = k.split_once('/').unwrap_or((k, ""));
            m.entry(first.to_string())
                .or_default()
                .insert(rest.to_string(), v.clone());
        }
        m
    };
    let (old, new) = (top(&f.old), top(&f.new));
    for n in 1.. {
        restore_mounted();
        let o = run(root, &[("PLAYBOOK_FAULT_STOP_AFTER", n.to_string())]);
        if !killed(&o) {
            assert_tree(&out, &f.new, "");
            break;
        }
        let now = top(&snapshot(&out).unwrap());
        for name in old.keys().chain(new.keys()) {
            let entry = now.get(name);
            assert!(
                entry == old.get(name) || entry == new.get(name),
                "killed after step {n}, `{name}` is neither its previous nor its new self"
            );
        }
        let again = run(root, &[]);
        assert!(again.status.success(), "{}", stderr(&again));
        assert_tree(&out, &f.new, "");
        assert!(leftovers(&out).is_empty());
    }
}

/// The spare (the site before the previous one, where the next build stages) is the build's
/// own: a link in it that leads into the output folder is removed before anything is written,
/// never written through, so a build that then fails leaves the output as it was.
#[test]
fn a_link_in_the_spare_into_the_output_folder_is_never_written_through() {
    let site = support::built(concat!(
        "//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n",
        "//- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Listen]\n---\nThe first text.\n",
    ));
    // A second build keeps the first one's site as the spare.
    site.build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    let out = site.out();
    let spare = out.with_file_name(".public.playbook-spare");
    assert!(
        spare.join("lessons").is_dir(),
        "no spare at {}",
        spare.display()
    );
    std::fs::remove_dir_all(spare.join("lessons")).unwrap();
    std::os::unix::fs::symlink(out.join("lessons"), spare.join("lessons")).unwrap();
    let before = snapshot(&out).unwrap();
    site.write(
        "content/lessons/01-a.md",
        "---\ntitle: A\nobjectives: [Listen]\n---\nThe changed text.\n",
    );
    let o = run(site.root(), &[("PLAYBOOK_FAULT_FAIL_AT", "1".to_string())]);
    assert!(stderr(&o).contains("failed on purpose"), "{}", stderr(&o));
    assert_tree(&out, &before, "after a failed build");
    // The next build publishes the change, and nothing of the link is left.
    let o = run(site.root(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        site.read("lessons/a/index.html")
            .contains("The changed text.")
    );
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
}
