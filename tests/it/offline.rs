//! Offline reading: the service worker the build writes at the site's root, its settings
//! (version, files kept from the first visit), and `offline: false`.

use crate::support;
use support::{Site, built, errors, site};

const BOOK: &str = "//- content/book/_index.md\n---\ntitle: Book\nkind: book\n---\nThe book.\n//- content/book/01-one.md\n---\ntitle: One\n---\nFirst text.\n";

/// The JSON of the worker's settings line.
fn settings(s: &Site) -> serde_json::Value {
    let sw = s.read("sw.js");
    let line = sw
        .lines()
        .find_map(|l| l.strip_prefix("const SETTINGS = "))
        .expect("a settings line");
    serde_json::from_str(line.trim_end_matches(';')).expect("settings are JSON")
}

fn version(s: &Site) -> String {
    settings(s)["version"].as_str().unwrap().to_string()
}

fn rebuild(s: &Site) {
    if let Err(f) = s.build() {
        panic!("{}", f.diags.to_plain_string());
    }
}

#[test]
fn the_worker_is_at_the_root_with_its_version_and_the_files_kept_from_the_first_visit() {
    // A chapter long enough to have a search fragment file of its own (a short page's lead
    // holds all its text).
    let long = format!(
        "{BOOK}//- content/book/02-two.md\n---\ntitle: Two\n---\n{}\n",
        "A long paragraph on the cycle of inquiry. ".repeat(40)
    );
    let s = built(&long);
    let set = settings(&s);
    assert_eq!(set["enabled"], true);
    assert_eq!(set["offline"], "/pd/playbook/offline.html");
    assert_eq!(version(&s).len(), 16);
    let precache: Vec<&str> = set["precache"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let home = s.read("index.html");
    let css = home
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    for want in [
        css,
        "/pd/playbook/offline.html",
        "/pd/playbook/my-learning/",
        "/pd/playbook/courses.json",
        "/pd/playbook/search/",
        "/pd/playbook/search/index.json.gz",
    ] {
        assert!(
            precache.contains(&want),
            "{want} is not precached: {precache:?}"
        );
    }
    assert!(
        precache
            .iter()
            .any(|p| p.starts_with("/pd/playbook/search/t/"))
    );
    // Every fragment file, with the build id search.js asks for it with.
    let fragments: Vec<String> = std::fs::read_dir(s.out().join("search/f"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(fragments.len(), 1, "{fragments:?}");
    for f in &fragments {
        let want = format!("/pd/playbook/search/f/{f}?b=");
        assert!(
            precache.iter().any(|p| p.starts_with(&want)),
            "{want} is not precached: {precache:?}"
        );
    }
    assert!(
        precache
            .iter()
            .any(|p| p.starts_with("/pd/playbook/search/t/") && p.ends_with(".dict.gz")),
        "the fragments' dictionary is kept offline too"
    );
    // Every precached file exists, or the worker would never install.
    for p in &precache {
        let rel = p.strip_prefix("/pd/playbook/").unwrap();
        let rel = rel.split('?').next().unwrap();
        let rel = if rel.is_empty() || rel.ends_with('/') {
            format!("{rel}index.html")
        } else {
            rel.to_string()
        };
        assert!(
            s.out().join(&rel).is_file(),
            "precached {p} is not in the output"
        );
    }
    // The worker is not an asset, and pages point at it under the base path.
    assert!(!s.files().iter().any(|f| f.starts_with("assets/sw.")));
    assert!(home.contains("data-sw=\"/pd/playbook/sw.js\""));
    assert!(
        home.contains("<div id=\"offline-note\" class=\"offline-note\" role=\"status\"></div>")
    );
    let offline = s.read("offline.html");
    assert!(offline.contains("data-page-kind=\"offline\"") && offline.contains(css));
}

#[test]
fn the_worker_version_changes_when_a_page_changes_and_only_then() {
    let s = built(BOOK);
    let first = version(&s);
    rebuild(&s);
    assert_eq!(version(&s), first, "nothing changed, yet the version did");
    s.write(
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text, revised.\n",
    );
    rebuild(&s);
    let second = version(&s);
    assert_ne!(second, first, "a page changed, the version did not");
    s.write("static/handout.txt", "A handout.\n");
    rebuild(&s);
    assert_ne!(
        version(&s),
        second,
        "a static file was added, the version did not change"
    );
}

#[test]
fn older_editions_are_covered_by_the_root_worker_and_its_version() {
    let s = site(&format!(
        "//- playbook.yaml\ntitle: Ed\neditions:\n  - name: \"2025\"\n{BOOK}{}",
        BOOK.replace("//- content/", "//- versions/2025/")
            + "//- versions/2025/index.md\n---\ntitle: Home\n---\nOld welcome.\n"
    ));
    rebuild(&s);
    let first = version(&s);
    let old = s.read("editions/2025/book/one/index.html");
    assert!(
        old.contains("data-sw=\"/pd/playbook/sw.js\"")
            && old.contains("data-base=\"/pd/playbook/\""),
        "an older edition's page registers the root worker with the root scope"
    );
    assert!(!s.out().join("editions/2025/sw.js").exists());
    rebuild(&s);
    assert_eq!(
        version(&s),
        first,
        "an older edition carried over unchanged changed the version"
    );
    s.write(
        "versions/2025/book/01-one.md",
        "---\ntitle: One\n---\nA fixed typo.\n",
    );
    rebuild(&s);
    assert_ne!(
        version(&s),
        first,
        "an older edition changed, the version did not"
    );
}

#[test]
fn offline_false_ships_a_worker_that_removes_itself_and_pages_that_do_not_register_it() {
    let s = built(&format!(
        "//- playbook.yaml\ntitle: T\noffline: false\n{BOOK}"
    ));
    let set = settings(&s);
    assert_eq!(set["enabled"], false);
    assert_eq!(set["precache"], serde_json::json!([]));
    assert!(s.read("sw.js").contains("registration.unregister()"));
    assert!(!s.out().join("offline.html").exists());
    let page = s.read("book/one/index.html");
    assert!(!page.contains("data-sw=") && !page.contains("offline-note"));
}

#[test]
fn a_site_worker_without_the_settings_line_is_an_error() {
    let out = errors(&format!(
        "//- themes/default/static/sw.js\nself.addEventListener('fetch', () => {{}});\n{BOOK}"
    ));
    assert!(
        out.contains("`themes/default/static/sw.js` has no line starting with `const SETTINGS = `"),
        "{out}"
    );
}
