//! Editions: a fixture site with the latest edition and two older ones.

use crate::support;
use support::{Site, site};

/// 2024 has lessons `trust` and `old-only`; 2025 moves `trust` to another file (same id) and
/// drops `old-only`; the latest adds `new-only` and revises the home page.
fn three_editions() -> Site {
    let lessons = |extra: &str| {
        format!("//- {extra}lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n")
    };
    let mut spec = String::from(
        "//- playbook.yaml\ntitle: Ed\nbase_url: https://district.example/pd/\nedition_label: 2026 edition\neditions:\n  - name: \"2025\"\n  - name: \"2024\"\n    archived: true\n",
    );
    spec += "//- content/index.md\n---\ntitle: Home\n---\nThe newest welcome.\n";
    spec += &lessons("content/");
    spec += "//- content/lessons/01-building-trust.md\n---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nText.\n";
    spec += "//- content/lessons/02-new.md\n---\ntitle: New lesson\nid: new-only\nobjectives: [New]\n---\nText.\n";
    spec += "//- versions/2025/index.md\n---\ntitle: Home\n---\nWelcome.\n";
    spec += &lessons("versions/2025/");
    spec += "//- versions/2025/lessons/01-building-trust.md\n---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nText.\n";
    spec += "//- versions/2024/index.md\n---\ntitle: Home\n---\nWelcome.\n";
    spec += &lessons("versions/2024/");
    spec += "//- versions/2024/lessons/01-trust.md\n---\ntitle: Trust\nid: trust\nobjectives: [Trust]\n---\nText.\n";
    spec += "//- versions/2024/lessons/02-old.md\n---\ntitle: Old lesson\nid: old-only\nobjectives: [Old]\n---\nText.\n";
    site(&spec)
}

fn build(s: &Site) {
    if let Err(f) = s.build_with(None) {
        panic!("{}", f.diags.to_plain_string());
    }
}

fn switcher(html: &str) -> Vec<(String, String)> {
    let nav = &html[html.find("class=\"edition-switcher\"").expect("switcher")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<a href=\"")
        .skip(1)
        .map(|a| {
            let (url, rest) = a.split_once('"').unwrap();
            let label = rest.split_once('>').unwrap().1.split_once('<').unwrap().0;
            (label.to_string(), url.to_string())
        })
        .collect()
}

#[test]
fn older_editions_are_published_under_their_own_path() {
    let s = three_editions();
    build(&s);
    for f in [
        "index.html",
        "editions/2025/index.html",
        "editions/2024/index.html",
        "editions/2024/lessons/old/index.html",
        "editions/2025/lessons/building-trust/index.html",
    ] {
        assert!(s.files().contains(&f.to_string()), "{f} missing");
    }
    assert!(
        !s.files()
            .iter()
            .any(|f| f.starts_with("editions/2024/search/")),
        "an archived edition has no search index"
    );
    assert!(
        s.files()
            .iter()
            .any(|f| f.starts_with("editions/2025/search/t/")),
        "other editions have their own search index"
    );
}

#[test]
fn the_switcher_lands_on_the_same_page_by_id_else_the_nearest_ancestor() {
    let s = three_editions();
    build(&s);
    let old = s.read("editions/2024/lessons/trust/index.html");
    assert_eq!(
        switcher(&old),
        vec![
            ("2026 edition".into(), "/pd/lessons/building-trust/".into()),
            (
                "2025 edition".into(),
                "/pd/editions/2025/lessons/building-trust/".into()
            ),
            (
                "2024 edition".into(),
                "/pd/editions/2024/lessons/trust/".into()
            ),
        ],
        "a lesson moved to another file is found by its id"
    );
    let gone = s.read("editions/2024/lessons/old/index.html");
    assert_eq!(
        switcher(&gone)[0].1,
        "/pd/lessons/",
        "a page missing in the latest edition leads to its nearest ancestor"
    );
    let new = s.read("lessons/new/index.html");
    assert_eq!(
        switcher(&new)[2].1,
        "/pd/editions/2024/lessons/",
        "and the other way round"
    );
}

#[test]
fn older_editions_have_a_banner_canonical_links_to_the_latest_and_no_sitemap_entries() {
    let s = three_editions();
    build(&s);
    let old = s.read("editions/2025/lessons/building-trust/index.html");
    assert!(old.contains("class=\"edition-banner\""));
    assert!(old.contains(
        "<a href=\"/pd/lessons/building-trust/\">Read this page in the 2026 edition</a>"
    ));
    assert!(old.contains(
        "<link rel=\"canonical\" href=\"https://district.example/pd/lessons/building-trust/\">"
    ));
    assert!(old.contains("<meta name=\"robots\" content=\"noindex\">"));
    let archived = s.read("editions/2024/index.html");
    assert!(archived.contains("which is archived"));
    assert!(
        !archived.contains("id=\"site-search\""),
        "no search box in an archived edition"
    );
    let latest = s.read("lessons/building-trust/index.html");
    assert!(!latest.contains("edition-banner"));
    let sitemap = s.read("sitemap.xml");
    assert!(sitemap.contains("/pd/lessons/building-trust/") && !sitemap.contains("editions/"));
    assert!(
        old.contains("data-base=\"/pd/\""),
        "progress is kept under the site's root in every edition"
    );
}

#[test]
fn what_changed_lists_added_removed_and_revised_pages() {
    let s = three_editions();
    build(&s);
    let latest = s.read("changes/index.html");
    let section = |h: &str| {
        let start = latest.find(&format!("id=\"{h}\"")).unwrap();
        let rest = &latest[start..];
        rest[..rest[4..].find("<h2").map_or(rest.len(), |i| i + 4)].to_string()
    };
    assert!(
        section("added").contains("/pd/lessons/new/"),
        "{}",
        section("added")
    );
    assert!(
        section("changed").contains(">Home<"),
        "the home page text changed"
    );
    assert!(
        !section("changed").contains("Building trust"),
        "an unchanged page is not listed"
    );
    let middle = s.read("editions/2025/changes/index.html");
    assert!(
        middle.contains("/pd/editions/2024/lessons/old/"),
        "removed pages link to the earlier edition"
    );
    assert!(
        !s.files()
            .contains(&"editions/2024/changes/index.html".to_string()),
        "the oldest edition has nothing to compare with"
    );
}

#[test]
fn an_unchanged_older_edition_is_not_rendered_again() {
    let s = three_editions();
    build(&s);
    let page = s
        .out()
        .join("editions/2025/lessons/building-trust/index.html");
    std::fs::write(&page, "marker: not rendered again").unwrap();
    s.write(
        "content/lessons/01-building-trust.md",
        "---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nRevised text.\n",
    );
    build(&s);
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        "marker: not rendered again",
        "a body edit in the latest edition leaves older ones alone"
    );
    s.write(
        "content/lessons/03-another.md",
        "---\ntitle: Another\nid: another\nobjectives: [More]\n---\nText.\n",
    );
    build(&s);
    assert!(
        std::fs::read_to_string(&page).unwrap().contains("<html"),
        "a new page in the latest edition changes older editions' links, so they are rendered again"
    );
    std::fs::write(&page, "marker").unwrap();
    s.write(
        "versions/2025/lessons/01-building-trust.md",
        "---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nFixed a typo.\n",
    );
    build(&s);
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .contains("Fixed a typo.")
    );
    // Saved again with the same text: its time changed, its content did not. The edition is
    // carried over, and its record learns the new time so the next build reads nothing again.
    std::fs::write(&page, "marker: touched only").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    s.write(
        "versions/2025/lessons/01-building-trust.md",
        "---\ntitle: Building trust\nid: trust\nobjectives: [Trust]\n---\nFixed a typo.\n",
    );
    let record = s.out().join("editions/2025/.playbook-edition");
    let before = std::fs::read_to_string(&record).unwrap();
    build(&s);
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        "marker: touched only"
    );
    let after = std::fs::read_to_string(&record).unwrap();
    assert_ne!(before, after, "the record keeps the old file times");
    build(&s);
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        "marker: touched only"
    );
    assert_eq!(std::fs::read_to_string(&record).unwrap(), after);
}

#[test]
fn version_cut_freezes_content_and_records_the_edition() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_playbook"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    assert!(run(&["init", "."]).status.success());
    std::fs::write(
        tmp.path().join("playbook.yaml"),
        "# My site\ntitle: T\nbase_url: /\n",
    )
    .unwrap();
    let o = run(&["version", "cut", "2025", "--label", "The 2025 edition"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        tmp.path()
            .join("versions/2025/guide/01-getting-started.md")
            .is_file()
    );
    let yaml = std::fs::read_to_string(tmp.path().join("playbook.yaml")).unwrap();
    assert!(yaml.starts_with("# My site\n"), "comments are kept");
    assert!(
        yaml.contains("editions:\n  - name: \"2025\"\n    label: \"The 2025 edition\""),
        "{yaml}"
    );
    assert!(
        !run(&["version", "cut", "2025"]).status.success(),
        "the same edition cannot be cut twice"
    );
    assert!(run(&["version", "cut", "2026"]).status.success());
    let yaml = std::fs::read_to_string(tmp.path().join("playbook.yaml")).unwrap();
    assert!(
        yaml.find("\"2026\"").unwrap() < yaml.find("\"2025\"").unwrap(),
        "newest first"
    );
    let o = run(&["build"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        tmp.path()
            .join("public/editions/2025/guide/getting-started/index.html")
            .is_file()
    );
    assert!(!run(&["version", "cut", "Bad Name"]).status.success());
}
