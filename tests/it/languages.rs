//! Sites in two languages: translations beside their pages, the Spanish site under `/es/`,
//! the switcher and `hreflang` pairs, fallback pages, shared course ids, translation status,
//! and the errors an author can make.

use crate::support::{Site, built, errors, site};

const CONFIG: &str = "//- playbook.yaml\nbase_url: https://district.example/pd/playbook/\nlanguages:\n  - code: en\n    title: Playbook\n  - code: es\n    title: Guía\n";

fn bilingual(extra: &str) -> String {
    format!(
        "{CONFIG}\
         //- content/index.md\n---\ntitle: Home\n---\nWelcome.\n\
         //- content/index.es.md\n---\ntitle: Inicio\n---\nBienvenida.\n\
         //- content/book/_index.md\n---\ntitle: The book\nkind: book\n---\n\
         //- content/book/_index.es.md\n---\ntitle: El libro\nslug: libro\n---\n\
         //- content/book/01-why.md\n---\ntitle: Why\n---\n## First\n\nSee [the next](02-how.md).\n\n## Second\n\nTwo.\n\
         //- content/book/01-why.es.md\n---\ntitle: Por qué\nslug: por-que\n---\n## Primero\n\nVer [el siguiente](02-how.md).\n\
         //- content/book/02-how.md\n---\ntitle: How\n---\nOnly in English.\n\
         //- content/c/_index.md\n---\ntitle: Course\nkind: course\nid: c\n---\n\
         //- content/c/m/_index.md\n---\ntitle: Module\nid: m\n---\n\
         //- content/c/m/_index.es.md\n---\ntitle: Módulo\n---\n\
         //- content/c/m/01-l.md\n---\ntitle: Lesson\nid: l\nduration_minutes: 5\nobjectives: [Learn]\n---\nText.\n\
         //- content/c/m/01-l.es.md\n---\ntitle: Lección\nobjectives: [Aprender]\n---\nTexto.\n\
         {extra}"
    )
}

fn read(s: &Site, rel: &str) -> String {
    s.read(rel)
}

#[test]
fn each_language_has_its_tree_interface_and_switcher() {
    let s = built(&bilingual(""));
    let es = read(&s, "es/libro/por-que/index.html");
    assert!(
        es.contains("<html lang=\"es\" "),
        "the Spanish page's interface is Spanish"
    );
    assert!(es.contains("Ir al contenido"), "skip link in Spanish");
    // The switcher leads to the same page in English.
    assert!(
        es.contains("<a href=\"/pd/playbook/book/why/\" hreflang=\"en\" lang=\"en\">English</a>"),
        "{es}"
    );
    // A link to a page of the book leads to that page in this language: its fallback here.
    assert!(es.contains("href=\"/pd/playbook/es/libro/how/\""), "{es}");
    let fallback = read(&s, "es/libro/how/index.html");
    assert!(fallback.contains("class=\"fallback-notice\""));
    // The English text is marked English; the interface around it stays Spanish.
    assert!(
        fallback.contains("<main id=\"main\" tabindex=\"-1\">"),
        "the interface inside main is Spanish"
    );
    assert!(
        fallback.contains("<h1 lang=\"en\">")
            && fallback.contains("<div class=\"prose\" lang=\"en\">"),
        "the English text is marked English: {fallback}"
    );
    assert!(
        fallback.contains(
            "<link rel=\"canonical\" href=\"https://district.example/pd/playbook/book/how/\">"
        ),
        "a fallback's canonical is its original"
    );
    // From the English page with no translation, the switcher leads to the nearest translated page.
    let en = read(&s, "book/how/index.html");
    // …and says so, in the interface's language.
    assert!(en.contains("href=\"/pd/playbook/es/libro/\" hreflang=\"es\" title=\"Español (this page is not translated; it leads to “El libro”)\""), "{en}");
}

#[test]
fn hreflang_pairs_are_reciprocal_and_in_the_sitemap() {
    let s = built(&bilingual(""));
    let alternates = |html: &str| -> Vec<String> {
        html.lines()
            .filter(|l| l.starts_with("<link rel=\"alternate\" hreflang="))
            .map(str::to_string)
            .collect()
    };
    let en = alternates(&read(&s, "book/why/index.html"));
    let es = alternates(&read(&s, "es/libro/por-que/index.html"));
    assert_eq!(en, es, "both pages list the same pairs");
    assert!(en.contains(&"<link rel=\"alternate\" hreflang=\"es\" href=\"https://district.example/pd/playbook/es/libro/por-que/\">".to_string()));
    assert!(en.contains(&"<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://district.example/pd/playbook/book/why/\">".to_string()));
    assert!(
        alternates(&read(&s, "book/how/index.html")).is_empty(),
        "no pair for a page in one language"
    );
    let sitemap = read(&s, "sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("the sitemap is XML");
    let urls: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .collect();
    let loc = |n: &roxmltree::Node| {
        n.descendants()
            .find(|c| c.has_tag_name("loc"))
            .and_then(|l| l.text())
            .unwrap_or("")
            .to_string()
    };
    let why = urls
        .iter()
        .find(|u| loc(u).ends_with("/pd/playbook/book/why/"))
        .expect("the English page is listed");
    let links: Vec<(String, String)> = why
        .children()
        .filter(|c| c.has_tag_name(("http://www.w3.org/1999/xhtml", "link")))
        .map(|c| {
            (
                c.attribute("hreflang").unwrap_or("").to_string(),
                c.attribute("href").unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        links.contains(&(
            "es".into(),
            "https://district.example/pd/playbook/es/libro/por-que/".into()
        )),
        "{links:?}"
    );
    assert!(
        !urls.iter().any(|u| loc(u).ends_with("/es/libro/how/")),
        "a fallback page is not listed: its original is"
    );
}

#[test]
fn a_course_and_its_translation_share_ids() {
    let s = built(&bilingual(""));
    let en = read(&s, "c/m/l/index.html");
    let es = read(&s, "es/c/m/l/index.html");
    assert!(en.contains("data-course=\"c\" data-lesson=\"l\""));
    assert!(
        es.contains("data-course=\"c\" data-lesson=\"l\""),
        "the Spanish lesson keeps the lesson id"
    );
    let json: serde_json::Value = serde_json::from_str(&read(&s, "es/courses.json")).unwrap();
    assert_eq!(
        json["courses"][0]["modules"][0]["lessons"][0]["title"],
        "Lección"
    );
    assert_eq!(json["courses"][0]["modules"][0]["lessons"][0]["id"], "l");
}

#[test]
fn an_outdated_translation_is_a_warning_until_it_is_marked() {
    let s = site(&bilingual(""));
    let warnings = |s: &Site| {
        s.build()
            .map(|b| b.diags.to_plain_string())
            .unwrap_or_else(|f| f.diags.to_plain_string())
    };
    let root = s.root().to_path_buf();
    let translation = root.join("content/book/01-why.es.md");
    let marked =
        playbook::scaffold::mark_translations(&root, std::slice::from_ref(&translation)).unwrap();
    assert_eq!(marked.len(), 1);
    assert!(!warnings(&s).contains("outdated"), "just marked");
    s.write("content/book/01-why.md", "---\ntitle: Why\n---\n## First\n\nSee [the next](02-how.md).\n\n## Second\n\nTwo, revised.\n");
    let text = warnings(&s);
    assert!(text.contains("this translation (es) is outdated"), "{text}");
    assert!(
        text.contains("in “Second”"),
        "names the section that changed: {text}"
    );
    assert!(!text.contains("“First”"), "{text}");
    playbook::scaffold::mark_translations(&root, &[translation]).unwrap();
    assert!(!warnings(&s).contains("outdated"), "marked again");
}

#[test]
fn omitted_pages_are_left_out_and_links_lead_to_them_in_their_language() {
    let s = built(&bilingual("").replace("    title: Guía\n", "    title: Guía\nfallback: omit\n"));
    assert!(!s.files().contains(&"es/libro/how/index.html".to_string()));
    let es = read(&s, "es/libro/por-que/index.html");
    assert!(
        es.contains("href=\"/pd/playbook/book/how/\""),
        "a link to an omitted page leads to it in English: {es}"
    );
}

#[test]
fn translation_mistakes_are_reported_together() {
    let text = errors(&bilingual(
        "//- content/book/03-gone.es.md\n---\ntitle: Nada\n---\n\
         //- content/book/02-how.fr.md\n---\ntitle: Comment\n---\n\
         //- content/c/m/02-k.md\n---\ntitle: K\nid: k\nduration_minutes: 5\nobjectives: [x]\nlang: es\n---\nK.\n\
         //- content/c/m/02-k.es.md\n---\ntitle: K es\nobjectives: [y]\n---\nK.\n\
         //- content/c/m/03-j.md\n---\ntitle: J\nid: j\nduration_minutes: 5\nobjectives: [x]\n---\nJ.\n\
         //- content/c/m/03-j.es.md\n---\ntitle: J es\nid: other\nobjectives: [y]\n---\nJ.\n\
         //- content/about.md\n---\ntitle: About\nlang: de\n---\nA.\n",
    ));
    for expected in [
        "`content/book/03-gone.es.md` translates `content/book/03-gone.md`, which does not exist",
        "`fr` is not one of the site's languages",
        "two files are the es version of `content/c/m/02-k.md`",
        "this translation's id `other` is not the id of the page it translates",
        "`de` is not one of the site's languages",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    assert!(
        text.contains("content/c/m/03-j.es.md:3:5"),
        "the id is marked where it is written:\n{text}"
    );
}

#[test]
fn interface_labels_inside_an_untranslated_page_are_marked_with_their_language() {
    let page = "//- content/book/03-try.md\n---\ntitle: Try\n---\nA note.[^1]\n\n\
                ::: exercise Sort the cards\nSort them.\n:::\n\n> [!NOTE]\n> Careful.\n\n\
                ::: keypoints\n- One.\n:::\n\n[^1]: A source.\n";
    let s = built(&bilingual(page));
    let es = read(&s, "es/libro/try/index.html");
    for marked in [
        "<span class=\"block-label\" lang=\"es\">Ejercicio:</span> Sort the cards",
        "<p class=\"callout-title\" lang=\"es\">Nota</p>",
        "lang=\"es\">Ideas clave</h2>",
        "<h2 class=\"visually-hidden\" id=\"footnotes-label\" lang=\"es\">",
    ] {
        assert!(es.contains(marked), "{marked} in {es}");
    }
    // In its own language, the same labels need no mark.
    let en = read(&s, "book/try/index.html");
    assert!(
        en.contains("<span class=\"block-label\">Exercise:</span> Sort the cards"),
        "{en}"
    );
    assert!(en.contains("<p class=\"callout-title\">Note</p>"), "{en}");
}
