//! The `playbook` binary as an author runs it: exit codes, summary lines, plain output.

use std::path::Path;
use std::process::{Command, Output};

fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run playbook")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_makes_a_site_that_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let o = playbook(tmp.path(), &["init", "district-site"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let site = tmp.path().join("district-site");
    let o = playbook(&site, &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("Built 3 pages in ") && err.contains("→ public"),
        "{err}"
    );
    assert!(
        site.join("public/guide/getting-started/index.html")
            .is_file()
    );
    let again = playbook(tmp.path(), &["init", "district-site"]);
    assert!(!again.status.success(), "init must not overwrite a site");
}

#[test]
fn new_scaffolds_pages_of_every_kind_that_build() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    assert!(playbook(site, &["init", "."]).status.success());
    std::fs::create_dir_all(site.join("content/monographs")).unwrap();
    std::fs::write(
        site.join("content/monographs/_index.md"),
        "---\ntitle: Monographs\nkind: articles\n---\n",
    )
    .unwrap();
    std::fs::create_dir_all(site.join("content/lessons")).unwrap();
    std::fs::write(
        site.join("content/lessons/_index.md"),
        "---\ntitle: Lessons\nkind: lessons\n---\n",
    )
    .unwrap();
    for args in [
        ["new", "chapter", "content/guide/02-next-steps.md"],
        ["new", "monograph", "content/monographs/2026-results.md"],
        ["new", "lesson", "content/lessons/01-listening.md"],
        ["new", "course", "content/equity"],
        ["new", "module", "content/equity/01-identity"],
        [
            "new",
            "course-lesson",
            "content/equity/01-identity/01-who-am-i.md",
        ],
    ] {
        let o = playbook(site, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let o = playbook(site, &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("no errors"));
    assert!(
        !playbook(site, &["new", "chapter", "content/guide/02-next-steps.md"])
            .status
            .success(),
        "new must not overwrite"
    );
}

#[test]
fn check_reports_errors_plainly_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path();
    assert!(playbook(site, &["init", "."]).status.success());
    std::fs::write(
        site.join("content/guide/01-getting-started.md"),
        "---\ntitel: Oops\n---\n",
    )
    .unwrap();
    let o = playbook(site, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("content/guide/01-getting-started.md:2:1"),
        "{err}"
    );
    assert!(err.contains("hint: did you mean `title`?"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "NO_COLOR output has no escape codes"
    );
    assert!(err.contains("Build failed: 1 error found."), "{err}");
    assert!(!site.join("public").exists(), "check writes nothing");
}

#[test]
fn help_shows_examples_and_a_missing_site_is_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let o = playbook(tmp.path(), &["--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Examples:"));
    let o = playbook(tmp.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("there is no `playbook.yaml`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("playbook init"),
        "the hint says how to start"
    );
}

#[test]
fn building_into_the_sources_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(playbook(tmp.path(), &["init", "."]).status.success());
    let o = playbook(tmp.path(), &["build", "--out", "."]);
    assert!(!o.status.success());
    assert!(
        tmp.path().join("content/index.md").is_file(),
        "sources intact"
    );
}

#[test]
fn init_from_copies_a_site_to_brand_and_it_builds() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(playbook(tmp.path(), &["init", "original"]).status.success());
    std::fs::write(
        tmp.path().join("original/content/guide/02-more.md"),
        "---\ntitle: More\n---\nText.\n",
    )
    .unwrap();
    let o = playbook(tmp.path(), &["init", "--from", "original", "district"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = std::fs::read_to_string(tmp.path().join("district/playbook.yaml")).unwrap();
    assert!(
        yaml.contains("brand:\n  organization: Your district"),
        "{yaml}"
    );
    assert!(
        tmp.path()
            .join("district/content/guide/02-more.md")
            .is_file()
    );
    let o = playbook(&tmp.path().join("district"), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(
            &std::fs::read(tmp.path().join("district/public/index.html")).unwrap()
        )
        .contains("published by Your district")
    );
    assert!(
        !playbook(tmp.path(), &["init", "--from", "original", "district"])
            .status
            .success(),
        "never over an existing site"
    );
}
