//! `playbook export zip` and `playbook export scorm` on fixture sites: what the archives hold,
//! that every link in them is relative and lands on a file inside, the SCORM manifest, and the
//! errors an author sees.

use crate::support;
use playbook::build::Options;
use playbook::{portable, scorm};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use support::{Site, site};

const CP: &str = "http://www.imsproject.org/xsd/imscp_rootv1p1p2";

/// The children of `n` named `name` in the IMS content packaging namespace.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Vec<roxmltree::Node<'a, 'i>> {
    n.children()
        .filter(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(CP))
        .collect()
}

const SITE: &str = "\
//- content/playbook/_index.md
---
title: The Playbook
kind: book
---
//- content/playbook/01-why.md
---
title: Why
---
See [the course](../courses/c/_index.md) and the [reflection](#a-heading).

## A heading

![A chart](chart.png)
//- content/playbook/chart.png
PNG
//- static/handout.pdf
PDF
//- content/courses/_index.md
---
title: Courses
kind: section
---
//- content/courses/c/_index.md
---
title: Foundations & more
kind: course
id: foundations
---
Download the [handout](/handout.pdf).
//- content/courses/c/01-identity/_index.md
---
title: Identity
id: identity
---
//- content/courses/c/01-identity/01-who.md
---
title: Who am I
id: identity-who
duration_minutes: 25
objectives: [Describe your identity]
---
Back to [the Playbook](../../../playbook/01-why.md).
//- content/courses/c/01-identity/02-bias.md
---
title: Bias
id: identity-bias
duration_minutes: 35
objectives: [Name a bias]
---
```quiz
questions:
  - prompt: Pick one
    choices:
      - text: A
        correct: true
      - text: B
```
//- content/courses/d/_index.md
---
title: Another
kind: course
id: another-course
---
//- content/courses/d/01-m/_index.md
---
title: M
id: m
---
//- content/courses/d/01-m/01-l.md
---
title: L
id: l
duration_minutes: 5
objectives: [X]
---
";

fn opts(s: &Site) -> Options {
    let mut o = Options::new(s.root());
    o.base_url = Some("https://district.example/pd/playbook/".into());
    o
}

/// The entries of the zip archive at `path`.
fn read_zip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        out.insert(f.name().to_string(), bytes);
    }
    out
}

fn export_zip(s: &Site) -> BTreeMap<String, Vec<u8>> {
    let out = s.root().join("site.zip");
    if let Err(f) = portable::export_zip(&opts(s), &out) {
        panic!("export failed:\n{}", f.diags.to_plain_string());
    }
    read_zip(&out)
}

fn export_scorm(s: &Site, course: &str) -> BTreeMap<String, Vec<u8>> {
    let out = s.root().join("course.zip");
    if let Err(f) = scorm::export(&opts(s), course, &out, None) {
        panic!("export failed:\n{}", f.diags.to_plain_string());
    }
    read_zip(&out)
}

/// The `data-` attributes of the theme and the launch page that hold a URL.
const DATA_URLS: &[&str] = &[
    "data-base",
    "data-courses",
    "data-index",
    "data-stem",
    "data-href",
    "data-start",
];

/// Every (element, attribute, value) of a URL attribute in `html`.
fn urls(html: &str) -> Vec<(String, String, String)> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found = std::cell::RefCell::new(Vec::new());
    let settings = RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
        for a in el.attributes() {
            let name = a.name();
            if ["href", "src", "action", "poster"].contains(&name.as_str())
                || DATA_URLS.contains(&name.as_str())
            {
                found.borrow_mut().push((el.tag_name(), name, a.value()));
            }
        }
        Ok(())
    }));
    rewrite_str(html, settings).unwrap();
    found.into_inner()
}

/// The output path `url` (relative, from the file at `from`) names, without `?` or `#` parts.
fn resolve(from: &str, url: &str) -> String {
    let url = url.split(['#', '?']).next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in url.split('/') {
        match seg {
            ".." => assert!(
                parts.pop().is_some(),
                "`{url}` in {from} climbs out of the copy"
            ),
            "." | "" => {}
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if url.ends_with('/') || url == "." {
        path.push('/');
    }
    path.trim_start_matches('/').to_string()
}

/// Checks that every URL in every HTML file of `files` is relative and names a file (or, in a
/// `data-` attribute, a folder) inside `files`; returns how many links were checked.
fn check_links(files: &BTreeMap<String, Vec<u8>>) -> usize {
    let mut checked = 0;
    let folders: Vec<String> = files
        .keys()
        .filter_map(|k| k.rsplit_once('/').map(|(d, _)| format!("{d}/")))
        .collect();
    for (file, bytes) in files.iter().filter(|(k, _)| k.ends_with(".html")) {
        for (tag, attr, url) in urls(&String::from_utf8_lossy(bytes)) {
            let external = url.contains("://") || url.starts_with("mailto:");
            if external
                || url.starts_with('#')
                || (tag == "link" && attr == "href" && url.is_empty())
            {
                continue;
            }
            assert!(
                !url.starts_with('/'),
                "{file}: <{tag} {attr}=\"{url}\"> is not relative"
            );
            let target = resolve(file, &url);
            let ok = if target.is_empty() || target.ends_with('/') {
                attr.starts_with("data-") && (target.is_empty() || folders.contains(&target))
            } else {
                files.contains_key(&target)
            };
            assert!(
                ok,
                "{file}: <{tag} {attr}=\"{url}\"> names `{target}`, not in the archive"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn zip_holds_the_whole_site_with_relative_links_that_resolve_inside_it() {
    let s = site(SITE);
    let files = export_zip(&s);
    for f in [
        "index.html",
        "playbook/why/index.html",
        "playbook/chart.png",
        "handout.pdf",
        "courses/c/identity/who/index.html",
        "search/index.html",
        "courses.json",
        "courses.js",
    ] {
        assert!(files.contains_key(f), "{f} missing from {:?}", files.keys());
    }
    assert!(check_links(&files) > 100);
    let chapter = String::from_utf8_lossy(&files["playbook/why/index.html"]).into_owned();
    assert!(chapter.contains("<img src=\"../chart.png\""), "{chapter}");
    assert!(chapter.contains("href=\"../../courses/c/index.html\""));
    assert!(chapter.contains("href=\"#a-heading\""), "fragments stay");
    assert!(chapter.contains("data-base=\"../../\""));
    assert!(
        chapter.contains("data-site=\"/pd/playbook/\""),
        "the site's identity (progress key) is kept"
    );
    assert!(
        chapter.contains("data-index=\"../../search/\""),
        "a folder for scripts stays a folder"
    );
    let course = String::from_utf8_lossy(&files["courses/c/index.html"]).into_owned();
    assert!(course.contains("href=\"../../handout.pdf\""));
    // The built site has a service worker; a copy has none, and no page asks for one.
    assert!(
        !files.contains_key("sw.js"),
        "a copy carries the service worker"
    );
    for (rel, bytes) in files.iter().filter(|(k, _)| k.ends_with(".html")) {
        assert!(
            !String::from_utf8_lossy(bytes).contains("data-sw"),
            "{rel} registers a service worker"
        );
    }
}

#[test]
fn zip_scripts_are_classic_because_files_on_disk_cannot_load_modules() {
    let s = site(SITE);
    let files = export_zip(&s);
    for (name, bytes) in files.iter().filter(|(k, _)| k.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        assert!(
            !html.contains("type=\"module\""),
            "{name} still loads a module"
        );
    }
    let progress = files
        .iter()
        .find(|(k, _)| k.starts_with("assets/progress."))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .unwrap();
    assert!(progress.starts_with("(function () {\n'use strict';\n"));
    assert!(!progress.lines().any(|l| l.starts_with("export ")));
    let courses = String::from_utf8_lossy(&files["courses.js"]).into_owned();
    assert!(courses.starts_with("window.playbookCourses = {"));
}

#[test]
fn scorm_package_holds_the_course_and_the_files_it_uses_and_nothing_else() {
    let s = site(SITE);
    let files = export_scorm(&s, "foundations");
    let pages: Vec<&String> = files.keys().filter(|k| k.ends_with(".html")).collect();
    assert_eq!(
        pages,
        [
            "courses/c/identity/bias/index.html",
            "courses/c/identity/index.html",
            "courses/c/identity/who/index.html",
            "courses/c/index.html",
            "index.html",
        ]
    );
    assert!(files.contains_key("handout.pdf"), "a file a page links to");
    assert!(files.keys().any(|k| k.starts_with("assets/style.")));
    assert!(files.keys().any(|k| k.starts_with("assets/scorm.")));
    assert!(check_links(&files) > 20);
    for p in &pages {
        let html = String::from_utf8_lossy(&files[*p]);
        for (tag, _, url) in urls(&html) {
            if *p != "index.html" && tag == "a" && !url.starts_with('#') {
                assert_ne!(
                    resolve(p, &url),
                    "index.html",
                    "{p}: a link to the site's home would land on the launch page"
                );
            }
        }
        assert!(!html.contains("id=\"site-search\""), "{p} has a search box");
        assert!(
            !html.contains("certificate/"),
            "{p} links to the certificate"
        );
    }
    let lesson = String::from_utf8_lossy(&files["courses/c/identity/who/index.html"]).into_owned();
    assert!(
        lesson.contains("Back to the Playbook."),
        "a link out of the package is its text: {lesson}"
    );
}

#[test]
fn scorm_launch_page_lists_the_lessons_and_knowledge_checks() {
    let s = site(SITE);
    let files = export_scorm(&s, "foundations");
    let launch = String::from_utf8_lossy(&files["index.html"]).into_owned();
    assert!(launch.contains("<title>Foundations &amp; more</title>"));
    assert!(launch.contains("data-course=\"foundations\""));
    assert!(launch.contains("data-start=\"courses/c/index.html\""));
    assert!(launch.contains(
        "<li data-lesson-id=\"identity-who\" data-href=\"courses/c/identity/who/index.html\">Who am I</li>"
    ));
    assert!(launch.contains("<li data-lesson-id=\"identity-bias\" data-href=\"courses/c/identity/bias/index.html\" data-quiz>Bias</li>"));
    assert!(!launch.contains("<script>"), "no inline script");
}

#[test]
fn scorm_manifest_is_scorm_1_2_with_one_sco_listing_every_file() {
    let s = site(SITE);
    let files = export_scorm(&s, "foundations");
    let text = String::from_utf8(files["imsmanifest.xml"].clone()).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    const ADLCP: &str = "http://www.adlnet.org/xsd/adlcp_rootv1p2";
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(CP));
    assert_eq!(root.tag_name().name(), "manifest");
    let text_of = |n: roxmltree::Node<'_, '_>| n.text().unwrap_or("").to_string();
    let metadata = child(root, "metadata")[0];
    assert_eq!(text_of(child(metadata, "schema")[0]), "ADL SCORM");
    assert_eq!(text_of(child(metadata, "schemaversion")[0]), "1.2");
    let orgs = child(root, "organizations")[0];
    let org = child(orgs, "organization");
    assert_eq!(org.len(), 1);
    assert_eq!(orgs.attribute("default"), org[0].attribute("identifier"));
    assert_eq!(text_of(child(org[0], "title")[0]), "Foundations & more");
    let items = child(org[0], "item");
    assert_eq!(items.len(), 1);
    let resources = child(child(root, "resources")[0], "resource");
    assert_eq!(resources.len(), 1);
    let sco = resources[0];
    assert_eq!(
        items[0].attribute("identifierref"),
        sco.attribute("identifier")
    );
    assert_eq!(sco.attribute((ADLCP, "scormtype")), Some("sco"));
    assert_eq!(sco.attribute("type"), Some("webcontent"));
    assert_eq!(sco.attribute("href"), Some(scorm::LAUNCH));
    let listed: Vec<&str> = child(sco, "file")
        .iter()
        .map(|f| f.attribute("href").unwrap())
        .collect();
    let mut in_zip: Vec<&str> = files.keys().map(String::as_str).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    in_zip.sort();
    assert_eq!(sorted, in_zip, "the SCO lists exactly the package's files");
}

#[test]
fn scorm_export_of_an_unknown_course_suggests_the_nearest_id() {
    let s = site(SITE);
    let out = s.root().join("course.zip");
    let Err(failed) = scorm::export(&opts(&s), "fundations", &out, None) else {
        panic!("an unknown course was exported");
    };
    assert!(!out.exists(), "nothing is written");
    insta::assert_snapshot!(failed.diags.to_plain_string());
}

#[test]
fn export_commands_exit_non_zero_on_an_unknown_course_and_write_a_zip_otherwise() {
    let s = site(SITE);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_playbook"))
            .args(args)
            .arg("--root")
            .arg(s.root())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let o = run(&["export", "scorm", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("there is no course with the id `nope`"),
        "{err}"
    );
    assert!(err.contains("Export failed: 1 error found."), "{err}");
    let o = run(&["export", "scorm", "another-course"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(s.root().join("another-course-scorm.zip").is_file());
    let o = run(&["export", "zip"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(s.root().join("site.zip").is_file());
}
