//! A build into the folder of a previous build reuses what that build left (`build::cache`):
//! after random edits of every kind, its output must be byte for byte the output of a full
//! build of the same sources into an empty folder, every file.

use crate::support::{self, Site};
use std::collections::BTreeMap;
use std::path::Path;

/// More pages than one chunk of the Markdown pass (256), so that pages are taken from the
/// cache and not only rendered again with the fragments' dictionary.
const PAGES: usize = 300;

/// Every file (its bytes) and folder (`None`) under `dir`: a build that reuses the folders of
/// an earlier one must not keep a folder a full build would not make.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            let bytes = (!e.file_type().is_dir()).then(|| std::fs::read(e.path()).unwrap());
            (rel.into_owned(), bytes)
        })
        .collect()
}

/// The sources of `site` (not its output or cache) copied into a new folder.
fn fresh_copy(site: &Site) -> Site {
    let copy = Site {
        dir: tempfile::tempdir().unwrap(),
    };
    for e in walkdir::WalkDir::new(site.root())
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            name != "public" && !name.starts_with(".public.")
        })
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(site.root()).unwrap();
        let to = copy.root().join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    copy
}

fn words(rng: &mut fastrand::Rng, n: usize) -> String {
    const W: &[&str] = &[
        "teacher",
        "family",
        "school",
        "trust",
        "practice",
        "community",
        "lesson",
        "voice",
        "story",
        "routine",
        "feedback",
        "evidence",
        "careful",
        "shared",
        "builds",
        "reveals",
    ];
    (0..n)
        .map(|_| W[rng.usize(..W.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Chapter `i` of the book: headings, a table, code, a footnote, and links to even chapters
/// (odd ones may be deleted), some to an anchor.
fn chapter(rng: &mut fastrand::Rng, i: usize, title: &str) -> String {
    let mut s = format!(
        "---\ntitle: {title}\ndescription: {}\n---\n{}.\n\n## Part {i}\n\n{}.[^n]\n\n",
        words(rng, 5),
        words(rng, 30),
        words(rng, 20)
    );
    let target = rng.usize(..PAGES / 2) * 2;
    s.push_str(&format!(
        "See [the other chapter](c{target:03}.md) and [its part](c{target:03}.md#part-{target}).\n\n"
    ));
    if rng.bool() {
        s.push_str("| a | b |\n|---|---|\n| 1 | 2 |\n\n");
    }
    if i % 5 == 0 {
        s.push_str("```python\ndef f(x):\n    return x + 1\n```\n\n");
    }
    s.push_str(&format!(
        "### More\n\n{}.\n\n[^n]: A note.\n",
        words(rng, 15)
    ));
    s
}

fn edit_body(site: &Site, rel: &str, add: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let i = text.find("\n\n## ").unwrap();
    let text = format!("{} {add}{}", &text[..i], &text[i..]);
    std::fs::write(path, text).unwrap();
}

fn set_title(site: &Site, rel: &str, title: &str) {
    let path = site.root().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("title: ").unwrap() + "title: ".len();
    let end = start + text[start..].find('\n').unwrap();
    std::fs::write(path, format!("{}{title}{}", &text[..start], &text[end..])).unwrap();
}

/// The output of `site` is a full build's of the same sources, every file.
fn assert_full(site: &Site, what: &str) {
    let full = fresh_copy(site);
    full.build()
        .unwrap_or_else(|f| panic!("{what}: {}", f.diags.to_plain_string()));
    let (got, want) = (tree(&site.out()), tree(&full.out()));
    let differ: Vec<&String> = want
        .keys()
        .chain(got.keys())
        .filter(|k| got.get(*k) != want.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "after {what}, {} files differ, e.g. {:?}",
        differ.len(),
        &differ[..differ.len().min(5)]
    );
}

/// The size of the build cache file beside the output, and of the base it lies on (0: none).
fn cache_sizes(site: &Site) -> (u64, u64) {
    let size = |name: &str| std::fs::metadata(site.root().join(name)).map_or(0, |m| m.len());
    (
        size(".public.playbook-cache"),
        size(".public.playbook-cache-base"),
    )
}

/// A rebuild writes a layer on the previous whole cache (only the pages it changed), the next
/// one a layer on the same base holding the pages both changed, with words the base never had;
/// a layer whose base is gone is read alone; a variant whose key changed is written whole.
#[test]
fn rebuilds_write_layers_on_the_cache_and_build_as_a_full_build_does() {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut spec = String::from(
        "//- playbook.yaml\ntitle: Layers\nbase_url: /\n\
         //- content/book/_index.md\n---\ntitle: The book\nkind: book\n---\nChapters.\n",
    );
    for i in 0..PAGES {
        let title = format!("Chapter {i}");
        spec.push_str(&format!(
            "//- content/book/c{i:03}.md\n{}",
            chapter(&mut rng, i, &title)
        ));
    }
    let site = support::site(&spec);
    let build = |what: &str| {
        site.build()
            .unwrap_or_else(|f| panic!("{what}: {}", f.diags.to_plain_string()));
    };
    build("the first build");
    let (whole, none) = cache_sizes(&site);
    assert!(whole > 0 && none == 0, "a first build writes a whole cache");
    edit_body(&site, "content/book/c271.md", "Zebras quietly graze.");
    build("an edit");
    let (layer, base) = cache_sizes(&site);
    assert!(
        base == whole && layer * 4 < base,
        "a layer ({layer} bytes) on the base ({base})"
    );
    assert_full(&site, "a layer");
    edit_body(&site, "content/book/c283.md", "Okapis wander.");
    build("a second edit");
    assert_eq!(cache_sizes(&site).1, whole, "the same base");
    assert_full(&site, "a second layer");
    edit_body(&site, "content/book/c271.md", "Again.");
    std::fs::remove_file(site.root().join(".public.playbook-cache-base")).unwrap();
    build("a layer without its base");
    assert_full(&site, "a layer read without its base");
    site.write("playbook.yaml", "title: Layers renamed\nbase_url: /\n");
    build("a new configuration");
    assert_full(&site, "a new configuration");
    // Written whole into its layer, the variant is the next base: no whole cache is written.
    let (renamed, _) = cache_sizes(&site);
    edit_body(&site, "content/book/c290.md", "Last words.");
    build("an edit after the configuration");
    let (layer, base) = cache_sizes(&site);
    assert!(
        base == renamed && layer * 4 < base,
        "a layer ({layer}) on the layer before ({base})"
    );
    assert_full(&site, "an edit after the configuration");
}

#[test]
fn a_build_after_random_edits_is_byte_for_byte_a_full_build() {
    let seed = std::env::var("PLAYBOOK_INCREMENTAL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(18);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut spec = String::from(
        "//- playbook.yaml\ntitle: Cache\nbase_url: https://district.example/pd/\n\
         //- content/book/_index.md\n---\ntitle: The book\nkind: book\n---\nChapters.\n\
         //- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
         //- content/lessons/01-trust.md\n---\ntitle: Trust\nobjectives: [Listen]\n---\nLink to [a chapter](../book/c000.md).\n",
    );
    for i in 0..PAGES {
        let title = format!("Chapter {i} {}", words(&mut rng, 2));
        spec.push_str(&format!(
            "//- content/book/c{i:03}.md\n{}",
            chapter(&mut rng, i, &title)
        ));
    }
    let site = support::site(&spec);
    site.build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    assert!(
        site.root().join(".public.playbook-cache").is_file(),
        "a folder build leaves a cache"
    );
    let mut deleted = Vec::new();
    for round in 0..8 {
        let odd = |rng: &mut fastrand::Rng, deleted: &[usize]| loop {
            let i = rng.usize(..PAGES / 2) * 2 + 1;
            if !deleted.contains(&i) {
                break i;
            }
        };
        let even = rng.usize(..PAGES / 2) * 2;
        let what = match round {
            0 => "nothing".to_string(),
            // A page's text, late in the book (cached pages around it).
            1 => {
                let i = odd(&mut rng, &deleted);
                edit_body(
                    &site,
                    &format!("content/book/c{i:03}.md"),
                    "An added sentence.",
                );
                format!("the body of c{i:03}")
            }
            // A page's title: its neighbours' sidebars, prev/next and the print view change.
            2 => {
                let i = odd(&mut rng, &deleted);
                set_title(&site, &format!("content/book/c{i:03}.md"), "A new title");
                format!("the title of c{i:03}")
            }
            // The title of a page others link to.
            3 => {
                set_title(
                    &site,
                    &format!("content/book/c{even:03}.md"),
                    "Linked to, renamed",
                );
                format!("the title of c{even:03}")
            }
            // Front matter other than the title.
            4 => {
                let rel = "content/lessons/01-trust.md";
                let text = std::fs::read_to_string(site.root().join(rel)).unwrap();
                site.write(rel, &text.replace("[Listen]", "[Listen, Ask]"));
                "the objectives of a lesson".to_string()
            }
            // A page deleted (nothing links to odd chapters).
            5 => {
                let i = odd(&mut rng, &deleted);
                deleted.push(i);
                std::fs::remove_file(site.root().join(format!("content/book/c{i:03}.md"))).unwrap();
                format!("c{i:03} deleted")
            }
            // The site's configuration.
            6 => {
                site.write(
                    "playbook.yaml",
                    "title: Cache renamed\nbase_url: https://district.example/pd/\n",
                );
                "playbook.yaml".to_string()
            }
            // An early page (in the chunk the dictionary is made from).
            _ => {
                edit_body(&site, "content/book/c000.md", "Early words change.");
                "the body of c000".to_string()
            }
        };
        site.build()
            .unwrap_or_else(|f| panic!("{what}: {}", f.diags.to_plain_string()));
        assert_full(&site, &format!("seed {seed}, editing {what}"));
    }
}

/// A file and a folder that trade places from build to build: the staging folder a build
/// starts from is the output of two builds back, which holds the other form in some rounds (a
/// folder where a file goes, a file where a folder goes, a folder of other files).
#[test]
fn a_file_and_a_folder_trading_places_build_as_a_full_build_does() {
    let site = support::site(
        "//- playbook.yaml\ntitle: Swap\nbase_url: /\n\
         //- content/index.md\n---\ntitle: Home\n---\nWelcome.\n\
         //- static/notes\nA file.\n",
    );
    site.build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    let mut folder = false;
    for (round, now_folder) in [true, true, false, true, false, false, true]
        .into_iter()
        .enumerate()
    {
        let notes = site.root().join("static/notes");
        if folder {
            std::fs::remove_dir_all(&notes).unwrap();
        } else {
            std::fs::remove_file(&notes).unwrap();
        }
        folder = now_folder;
        if now_folder {
            site.write(&format!("static/notes/deep/n{round}.txt"), "In a folder.\n");
            site.write("static/notes/top.txt", "At the top.\n");
        } else {
            site.write("static/notes", &format!("A file again, round {round}.\n"));
        }
        site.build()
            .unwrap_or_else(|f| panic!("round {round}: {}", f.diags.to_plain_string()));
        let full = fresh_copy(&site);
        full.build()
            .unwrap_or_else(|f| panic!("round {round}: {}", f.diags.to_plain_string()));
        assert_eq!(tree(&site.out()), tree(&full.out()), "round {round}");
    }
}
