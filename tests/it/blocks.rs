//! Teaching blocks as authors write them in other tools' dialects: the same lesson written in
//! each renders to the same structure (compared as parsed HTML: elements, classes and text,
//! never as strings); facilitator notes reach only the facilitator guide; and every author
//! mistake is an error at its line.

use crate::support::{Site, built, errors, gunzip, site};
use std::io::Read;

/// The structure of the lesson's text in `html`: every element's name and classes and every
/// text, in document order, read with an HTML tokenizer. Ids (made unique per page) are left
/// out.
fn structure(html: &str) -> Vec<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str, text};
    let start = html
        .find("<div class=\"prose\">")
        .expect("the page has a text");
    let end = html[start..]
        .find("</article>")
        .map_or(html.len(), |i| start + i);
    let body = &html[start..end];
    let out = std::cell::RefCell::new(Vec::new());
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", |el| {
            let class = el.get_attribute("class").unwrap_or_default();
            out.borrow_mut()
                .push(format!("<{} {class}>", el.tag_name()));
            Ok(())
        }))
        .append_element_content_handler(text!("*", |t| {
            let s = t.as_str().trim();
            if !s.is_empty() {
                out.borrow_mut().push(s.to_string());
            }
            Ok(())
        }));
    rewrite_str(body, settings).unwrap();
    out.into_inner()
}

const LESSON_HEAD: &str = "---\ntitle: L\nid: l\nduration_minutes: 5\nobjectives: [Count]\n---\n";

fn course(body: &str) -> String {
    format!(
        "//- content/c/_index.md\n---\ntitle: C\nkind: course\nid: c\n---\n\
         //- content/c/m/_index.md\n---\ntitle: M\nid: m\n---\n\
         //- content/c/m/01-l.md\n{LESSON_HEAD}{body}"
    )
}

#[test]
fn one_lesson_in_every_dialect_renders_to_one_structure() {
    let dialects = [
        // Pandoc, with the Carpentries' long fences and the title as the first heading.
        (
            "pandoc",
            "Intro.\n\n:::::::::::::: challenge\n## Count the files\n\nHow many?\n\n::::: hint\nUse `ls`.\n:::::\n\n::::: solution\nThree.\n:::::\n::::::::::::::\n\n::: callout\nRemember this.\n:::\n",
        ),
        // Pandoc attributes, the solution right after the exercise.
        (
            "attributes",
            "Intro.\n\n::: {.exercise title=\"Count the files\"}\nHow many?\n\n::: {.hint}\nUse `ls`.\n:::\n:::\n\n::: {.solution}\nThree.\n:::\n\n::: {.callout-note}\nRemember this.\n:::\n",
        ),
        // MyST colon fences with a name in braces and the title after it.
        (
            "myst-colon",
            "Intro.\n\n::::{exercise} Count the files\nHow many?\n\n:::{hint}\nUse `ls`.\n:::\n\n:::{solution}\nThree.\n:::\n::::\n\n:::{note}\nRemember this.\n:::\n",
        ),
        // MyST backtick directives, the form most Jupyter Book material uses.
        (
            "myst-backticks",
            "Intro.\n\n````{exercise} Count the files\nHow many?\n\n```{hint}\nUse `ls`.\n```\n\n```{solution}\nThree.\n```\n````\n\n```{note}\nRemember this.\n```\n",
        ),
        // Docusaurus' bracketed title.
        (
            "docusaurus",
            "Intro.\n\n::::challenge[Count the files]\nHow many?\n\n:::hint\nUse `ls`.\n:::\n\n:::solution\nThree.\n:::\n::::\n\n:::info\nRemember this.\n:::\n",
        ),
        // kramdown: quotes with a block name after them (the Carpentries' older lessons).
        (
            "kramdown",
            "Intro.\n\n> ## Count the files\n>\n> How many?\n>\n> > Use `ls`.\n> {: .hint}\n>\n> > Three.\n> {: .solution}\n{: .challenge}\n\n> Remember this.\n{: .callout}\n",
        ),
    ];
    let mut first: Option<(&str, Vec<String>)> = None;
    for (name, body) in dialects {
        let s = built(&course(body));
        let got = structure(&s.read("c/m/l/index.html"));
        assert!(
            got.iter().any(|t| t == "Count the files"),
            "{name}: {got:#?}"
        );
        assert!(
            !got.iter()
                .any(|t| t.contains(":::") || t.contains("{:") || t.contains("```")),
            "{name} prints a fence: {got:#?}"
        );
        match &first {
            None => first = Some((name, got)),
            Some((n, want)) => assert_eq!(&got, want, "{name} differs from {n}"),
        }
    }
}

#[test]
fn fences_attribute_lists_and_image_attributes_are_read_never_printed() {
    let s = built(&course(
        "```{.language-bash}\nls -l\n```\n\n~~~\ncat a.txt\n~~~\n{: .language-bash}\n\n```output\nfile.txt\n```\n\n```error\nNo such file\n```\n\n![fig](f.svg){alt='A tree of folders' width=300}\n//- content/c/m/f.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    ));
    let html = s.read("c/m/l/index.html");
    assert_eq!(
        html.matches("data-lang=\"bash\"").count(),
        2,
        "both fences are bash"
    );
    assert!(html.contains("<div class=\"code-output\"><p class=\"code-label\">Output</p>"));
    assert!(html.contains(
        "<div class=\"code-output code-error\"><p class=\"code-label\">Error output</p>"
    ));
    assert!(
        html.contains("alt=\"A tree of folders\" width=\"300\""),
        "the attribute's alt text is used"
    );
    let text = structure(&html).join("\n");
    assert!(
        !text.contains("{") && !text.contains("alt="),
        "attribute text printed: {text}"
    );
}

#[test]
fn tabs_video_roles_and_a_figure_render_their_parts() {
    let s = built(&course(
        "::::: tabs\n:::: tab Windows\nPress {kbd}`Ctrl+C`.\n::::\n:::: tab macOS\nPress {kbd}`Cmd+C`.\n::::\n:::::\n\n\
         ::: video media/intro.webm\n:captions: media/intro.en.vtt\n:chapters: media/intro.chapters.vtt\n\nWhat is said, word for word: UNIQUE-TRANSCRIPT-WORD.\n:::\n\n\
         :::{figure} f.svg\n:alt: A chart\n\nThe *caption*.\n:::\n\
         //- content/c/m/media/intro.webm\nx\n\
         //- content/c/m/media/intro.en.vtt\nWEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n\
         //- content/c/m/media/intro.chapters.vtt\nWEBVTT\n\n00:00.000 --> 00:02.000\nStart\n\n00:02.000 --> 00:04.000\nMiddle\n\
         //- content/c/m/f.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    ));
    let html = s.read("c/m/l/index.html");
    assert!(html.contains("<div class=\"tabs\" data-tabs>"));
    assert_eq!(html.matches("class=\"tab-panel\"").count(), 2);
    assert!(html.contains("<kbd>Cmd</kbd>+<kbd>C</kbd>"));
    assert!(html.contains("<track kind=\"captions\" src=\"/pd/playbook/c/m/media/intro.en.vtt\" srclang=\"en\" label=\"English\" default>"), "{html}");
    assert!(
        html.contains("data-seek=\"2\""),
        "a chapter button plays from its start"
    );
    assert!(html.contains("<details class=\"transcript\"><summary>Transcript</summary>"));
    assert!(html.contains(
        "<figure class=\"figure\">\n<img src=\"/pd/playbook/c/m/f.svg\" alt=\"A chart\""
    ));
    assert!(html.contains("<figcaption>\n<p>The <em>caption</em>.</p>"));
    for file in [
        "c/m/media/intro.webm",
        "c/m/media/intro.en.vtt",
        "c/m/f.svg",
    ] {
        assert!(s.files().contains(&file.to_string()), "{file} is published");
    }
    assert!(
        search_text(&s).contains("UNIQUE-TRANSCRIPT-WORD"),
        "the transcript is searchable"
    );
}

/// Every text the search index holds (shards and fragments, decompressed).
fn search_text(s: &Site) -> String {
    let mut all = String::new();
    let files = s.files();
    let dict = files
        .iter()
        .find(|f| f.ends_with(".dict.gz"))
        .map(|f| gunzip(&std::fs::read(s.out().join(f)).unwrap()))
        .unwrap_or_default();
    for f in files
        .iter()
        .filter(|f| f.starts_with("search/") || f.starts_with("es/search/"))
    {
        let bytes = std::fs::read(s.out().join(f)).unwrap();
        let plain = if f.ends_with(".gz") {
            gunzip(&bytes)
        } else if f.contains("/f/") {
            let mut d = flate2::Decompress::new(false);
            d.set_dictionary(&dict).unwrap();
            let mut out = Vec::with_capacity(bytes.len() * 8 + 1024);
            d.decompress_vec(&bytes, &mut out, flate2::FlushDecompress::Finish)
                .unwrap();
            out
        } else {
            bytes
        };
        all.push_str(&String::from_utf8_lossy(&plain));
    }
    all
}

#[test]
fn facilitator_notes_reach_only_the_facilitator_guide() {
    const MARK: &str = "FACILITATOR-ONLY-MARKER";
    let s = built(&format!(
        "{}//- content/book/_index.md\n---\ntitle: Book\nkind: book\n---\n//- content/book/01-a.md\n---\ntitle: A\n---\n## Part\n\n::: instructor\nAlso {MARK} in a chapter.\n:::\n",
        course(&format!(
            "## Warm-up\n\nText.\n\n::: facilitator\nGive four minutes. {MARK}.\n\n![A chart](notes.svg)\n:::\n\nMore text.\n//- content/c/m/notes.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
        ))
    ));
    // The learner site: pages, print view, search index, every file.
    for f in s.files() {
        let bytes = std::fs::read(s.out().join(&f)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(MARK),
            "{f} holds a facilitator note"
        );
    }
    assert!(
        !search_text(&s).contains(MARK),
        "the search index holds a facilitator note"
    );
    assert!(
        !s.files().contains(&"c/m/notes.svg".to_string()),
        "a file only a note shows is not published"
    );
    let opts = playbook::build::Options::new(s.root());
    // The zip and the SCORM package.
    for (what, path) in [
        ("zip", s.root().join("site.zip")),
        ("scorm", s.root().join("c.zip")),
    ] {
        let r = if what == "zip" {
            playbook::portable::export_zip(&opts, &path)
        } else {
            playbook::scorm::export(&opts, "c", &path, None)
        };
        r.unwrap_or_else(|f| panic!("{what}: {}", f.diags.to_plain_string()));
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let mut text = Vec::new();
            file.read_to_end(&mut text).unwrap();
            assert!(
                !String::from_utf8_lossy(&text).contains(MARK),
                "{what}: {} holds a facilitator note",
                file.name()
            );
        }
    }
    // The guide holds every note, under its lesson and heading, with the file it shows.
    let guide = s.root().join("guide");
    playbook::guide::export(&opts, &guide, None)
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    let course = std::fs::read_to_string(guide.join("c.html")).unwrap();
    assert!(course.contains(MARK));
    assert!(
        course.contains("href=\"/c/m/l/#warm-up\">Warm-up</a>"),
        "{course}"
    );
    assert!(course.contains("src=\"files/c/m/notes.svg\""), "{course}");
    assert!(guide.join("files/c/m/notes.svg").exists());
    assert!(
        std::fs::read_to_string(guide.join("book.html"))
            .unwrap()
            .contains(MARK)
    );
}

#[test]
fn a_site_without_notes_has_no_guide() {
    let s = built("//- content/a.md\n---\ntitle: A\n---\nText.\n");
    let f = playbook::guide::export(
        &playbook::build::Options::new(s.root()),
        &s.root().join("g"),
        None,
    )
    .err()
    .expect("no guide");
    assert!(
        f.diags
            .to_plain_string()
            .contains("the site has no facilitator notes")
    );
}

#[test]
fn block_mistakes_are_errors_at_their_lines() {
    insta::assert_snapshot!(errors(&course(
        "::: exrcise\nDo it.\n:::\n\n::: note\nnever closed\n\n\
         ::: video clip.webm\nNo captions here.\n:::\n\n:::{figure} f.svg\n:wdth: 3\n:::\n\n\
         Use {kbdd}`Ctrl`.\n\n![x](f.svg){alt=\"x\" style=\"color:red\"}\n\
         //- content/c/m/clip.webm\nx\n//- content/c/m/f.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
    )));
}

#[test]
fn a_video_without_captions_is_refused() {
    let text = errors(&course(
        "::: video clip.webm\n:poster: p.png\n:::\n//- content/c/m/clip.webm\nx\n//- content/c/m/p.png\nx\n",
    ));
    assert!(text.contains("this video has no captions"), "{text}");
    assert!(text.contains("WCAG 1.2.2"), "{text}");
    assert!(text.contains("content/c/m/01-l.md:7:1"), "{text}");
}

#[test]
fn files_that_are_not_pages_are_left_alone() {
    let s = site(&format!(
        "//- playbook.yaml\ntitle: T\nignore:\n  - \"**/*.odg\"\n  - drafts/\n{}//- content/c/m/fig/README.md\n# Figures\n\nSources of the figures.\n//- content/c/m/fig/tree.odg\nx\n//- content/c/m/fig/unused.png\nx\n//- content/drafts/x.md\nnot even front matter\n",
        course(
            "![A tree](fig/tree.svg)\n//- content/c/m/fig/tree.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
        )
    ));
    let built = s
        .build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    let files = s.files();
    assert!(files.contains(&"c/m/fig/tree.svg".to_string()));
    for gone in [
        "c/m/fig/tree.odg",
        "c/m/fig/unused.png",
        "c/m/fig/README.md",
    ] {
        assert!(!files.iter().any(|f| f == gone), "{gone} is published");
    }
    assert!(
        built.diags.is_empty() || !built.diags.has_errors(),
        "{}",
        built.diags.to_plain_string()
    );
}

#[test]
fn term_roles_link_to_the_glossary_and_an_undefined_term_is_a_warning() {
    let glossary = "//- content/glossary.md\n---\ntitle: Glossary\nglossary: true\n---\n\
                    Asset-based pedagogy\n: Teaching that starts from what students bring.\n\n\
                    `ls`\n: Lists a folder.\n";
    let s = built(&format!(
        "{glossary}//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
         //- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Read]\n---\n\
         We practise {{term}}`asset-based pedagogy` and {{term}}`listing <ls>`.\n"
    ));
    let g = s.read("glossary/index.html");
    assert!(g.contains("<dt id=\"term-asset-based-pedagogy\">"), "{g}");
    assert!(g.contains("<dt id=\"term-ls\">"), "{g}");
    let a = s.read("lessons/a/index.html");
    assert!(
        a.contains("/glossary/#term-asset-based-pedagogy\">asset-based pedagogy</a>"),
        "{a}"
    );
    assert!(a.contains("/glossary/#term-ls\">listing</a>"), "{a}");
    assert_eq!(a.matches("<a class=\"term\" href=").count(), 2, "{a}");

    let warned = errors(&format!(
        "{glossary}//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
         //- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Read]\n---\n\
         We practise {{term}}`asset-based pedagogi`.\n"
    ));
    assert!(
        warned.contains("the glossary does not define “asset-based pedagogi”"),
        "{warned}"
    );
    assert!(
        warned.contains("did you mean `Asset-based pedagogy`?"),
        "{warned}"
    );

    // Without a glossary page the term is marked, and nothing is reported.
    let plain = built(
        "//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
         //- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Read]\n---\nA {term}`word`.\n",
    );
    assert!(
        plain
            .read("lessons/a/index.html")
            .contains("<dfn>word</dfn>")
    );
}

/// The Carpentries write a challenge's title as its first `## heading`, which becomes the
/// block's title: it was in no search index ("¿Qué tubería?" found nothing).
#[test]
fn a_block_title_is_searchable() {
    let s = built(&course(
        "## Warm-up\n\nText.\n\n::: challenge\n## Which BLOCKTITLEWORD pipe?\n\nA question.\n:::\n\n::: facilitator\n## FACILITATORTITLEWORD\n\nNotes.\n:::\n",
    ));
    let text = search_text(&s);
    assert!(
        text.contains("BLOCKTITLEWORD"),
        "the challenge's title is searchable"
    );
    assert!(
        !text.contains("FACILITATORTITLEWORD"),
        "never a facilitator note's"
    );
}
