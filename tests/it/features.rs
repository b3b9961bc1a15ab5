//! One small fixture site per feature, checked in the built output.

use crate::support;
use support::built;

const BOOK: &str = "\
//- content/playbook/_index.md
---
title: The Playbook
kind: book
---
An introduction.
//- content/playbook/01-why.md
---
title: Why partner
---
## Overview

See [the rubric](02-rubric.md#domains) and [the same page](#overview).

| School | Gain |
|:-------|-----:|
| A      | 6.1  |

Term
: Its definition.

- [x] done
- [ ] not done

> [!NOTE]
> A note.

Text with a footnote.[^1]

[^1]: The source.

```rust
fn main() {}
```
//- content/playbook/02-rubric.md
---
title: The rubric
---
## Domains
## Domains
## Overview
";

/// The first `<nav>` of `html` with class `class`, from the class attribute to its end.
fn nav_with_class<'a>(html: &'a str, class: &str) -> &'a str {
    let from = &html[html.find(&format!("class=\"{class}\"")).unwrap()..];
    &from[..from.find("</nav>").unwrap()]
}

fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!("{attr}=\"");
    html.match_indices(&pat)
        .map(|(i, _)| {
            let rest = &html[i + pat.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn every_internal_url_is_under_the_base_path() {
    let s = built(BOOK);
    for f in s.files().iter().filter(|f| f.ends_with(".html")) {
        let html = s.read(f);
        for v in attr_values(&html, "href")
            .into_iter()
            .chain(attr_values(&html, "src"))
        {
            if v.starts_with('/') {
                assert!(v.starts_with("/pd/playbook/"), "{f}: {v}");
            } else {
                assert!(
                    v.starts_with('#') || v.starts_with("https://district.example/pd/playbook/"),
                    "{f}: {v}"
                );
            }
        }
    }
}

#[test]
fn chapters_have_numbers_sidebar_outline_and_prev_next() {
    let s = built(BOOK);
    let html = s.read("playbook/why/index.html");
    assert!(html.contains("<body data-page-kind=\"chapter\""));
    assert!(html.contains("Chapter 1"));
    assert!(
        html.contains(
            "<a href=\"/pd/playbook/playbook/why/\" aria-current=\"page\">Why partner</a>"
        ),
        "sidebar marks the current chapter"
    );
    assert!(html.contains("rel=\"next\" href=\"/pd/playbook/playbook/rubric/\""));
    assert!(
        html.contains("aria-label=\"On this page\"") || !html.contains("outline-h2"),
        "outline only with two headings or more"
    );
    let rubric = s.read("playbook/rubric/index.html");
    assert!(rubric.contains("rel=\"prev\" href=\"/pd/playbook/playbook/why/\""));
    assert!(
        rubric.contains("id=\"domains\"") && rubric.contains("id=\"domains-1\""),
        "duplicate headings get unique slugs"
    );
    assert!(
        rubric.contains("href=\"#domains\""),
        "each heading links to itself"
    );
    assert!(rubric.contains("<li class=\"outline-h2\"><a href=\"#overview\">Overview</a></li>"));
}

#[test]
fn markdown_extensions_render_without_inline_styles() {
    let s = built(BOOK);
    let html = s.read("playbook/why/index.html");
    assert!(
        html.contains("href=\"/pd/playbook/playbook/rubric/#domains\""),
        "links to .md files become URLs"
    );
    assert!(html.contains("<th scope=\"col\" class=\"align-left\">School</th>"));
    assert!(html.contains("<td class=\"align-right\">6.1</td>"));
    assert!(html.contains("<dl>") && html.contains("<dt>Term</dt>"));
    assert!(html.contains("type=\"checkbox\" class=\"task\" disabled checked"));
    assert!(html.contains("class=\"callout callout-note\" role=\"note\""));
    assert!(html.contains("<li id=\"fn-1\">") && html.contains("href=\"#fnref-1\""));
    assert!(
        html.contains("class=\"hl-"),
        "code is highlighted with classes"
    );
    assert!(
        !html.contains("style="),
        "no inline styles: a strict CSP must hold"
    );
    assert!(!html.contains("<script>"), "no inline scripts");
}

#[test]
fn print_view_holds_every_chapter_with_unique_ids() {
    let s = built(BOOK);
    let html = s.read("playbook/print/index.html");
    assert!(html.contains("data-page-kind=\"book-print\""));
    assert!(html.contains("id=\"chapter-why\"") && html.contains("id=\"chapter-rubric\""));
    let ids = attr_values(&html, "id");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate ids in the print view");
    assert!(
        html.contains("<h3 id=\"chapter-rubric--domains\""),
        "chapter headings move down a level"
    );
    assert!(html.contains("noindex"));
}

#[test]
fn site_files_sitemap_robots_404_and_head_tags() {
    let s = built(BOOK);
    let files = s.files();
    for f in [
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "index.html",
        "playbook/index.html",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing: {files:?}");
    }
    assert!(files.iter().any(|f| f.starts_with("assets/style.")
        && f.ends_with(".css")
        && f.len() > "assets/style..css".len() + 5));
    let sitemap = s.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://district.example/pd/playbook/playbook/why/</loc>"));
    assert!(
        s.read("robots.txt")
            .contains("Sitemap: https://district.example/pd/playbook/sitemap.xml")
    );
    let not_found = s.read("404.html");
    assert!(not_found.contains("data-page-kind=\"not-found\""));
    assert!(
        not_found.contains("href=\"/pd/playbook/assets/style."),
        "absolute asset URLs work at any depth"
    );
    let home = s.read("index.html");
    assert!(home.contains("<html lang=\"en\" "));
    assert!(
        home.contains("<link rel=\"canonical\" href=\"https://district.example/pd/playbook/\">")
    );
    assert!(home.contains("<meta property=\"og:title\" content=\"Home\">"));
}

#[test]
fn articles_are_listed_newest_first_with_feed_and_citation() {
    let s = built(
        "//- content/m/_index.md\n---\ntitle: Monographs\nkind: articles\n---\n\
         //- content/m/2012-old.md\n---\ntitle: Old report\ndate: 2012-10-01\nauthors:\n  - name: Research Team\n    role: Evaluation\n    place: San Francisco\n---\nText.\n\
         //- content/m/2015-new.md\n---\ntitle: New report\ndate: 2015-02-15\nauthors:\n  - name: Research Team\n  - name: Program Staff\ndescription: What we found.\n---\nText.\n",
    );
    let list = s.read("m/index.html");
    assert!(list.find("New report").unwrap() < list.find("Old report").unwrap());
    assert!(list.contains("type=\"application/atom+xml\""));
    let feed = s.read("m/atom.xml");
    assert!(feed.contains("<updated>2015-02-15T00:00:00Z</updated>"));
    assert!(feed.find("New report").unwrap() < feed.find("Old report").unwrap());
    let new = s.read("m/new/index.html");
    assert!(new.contains("Research Team, &amp; Program Staff (2015). New report. Test site. https://district.example/pd/playbook/m/new/"));
    assert!(new.contains("<time datetime=\"2015-02-15\">February 15, 2015</time>"));
    let old = s.read("m/old/index.html");
    assert!(old.contains("<span class=\"author-role\">Evaluation</span>"));
}

const COURSE: &str = "\
//- content/courses/_index.md
---
title: Courses
kind: section
---
//- content/courses/c/_index.md
---
title: Foundations
kind: course
id: foundations
---
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
```reflection
prompt: What do students see first?
```
//- content/courses/c/01-identity/02-bias.md
---
title: Bias
id: identity-bias
duration_minutes: 35
objectives: [Name a bias]
---
//- content/courses/c/02-power/_index.md
---
title: Power
id: power
---
//- content/courses/c/02-power/01-see.md
---
title: Seeing power
id: power-see
duration_minutes: 30
objectives: [See power]
---
```quiz
questions:
  - prompt: Pick two
    choices:
      - text: A
        correct: true
        feedback: Yes
      - text: B
        correct: true
      - text: C
```
";

#[test]
fn course_lists_modules_with_durations_and_total_time() {
    let s = built(COURSE);
    let html = s.read("courses/c/index.html");
    assert!(html.contains("data-page-kind=\"course\""));
    assert!(html.contains("<dd>1 h 30 min</dd>"), "25 + 35 + 30 minutes");
    assert!(html.contains("Module 1: Identity</a> <span class=\"listing-meta\">1 h</span>"));
    assert!(html.contains("data-lesson-id=\"identity-bias\""));
}

#[test]
fn course_lessons_have_breadcrumbs_and_cross_module_prev_next() {
    let s = built(COURSE);
    let html = s.read("courses/c/identity/bias/index.html");
    assert!(html.contains("data-course=\"foundations\" data-lesson=\"identity-bias\""));
    let crumbs = &html[html.find("aria-label=\"Breadcrumb\"").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    let order: Vec<usize> = [
        "Home",
        "Courses",
        "Foundations",
        "Identity",
        "aria-current=\"page\">Bias",
    ]
    .iter()
    .map(|t| crumbs.find(t).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{crumbs}");
    assert!(
        html.contains("rel=\"next\" href=\"/pd/playbook/courses/c/power/see/\""),
        "next crosses into module 2"
    );
    let see = s.read("courses/c/power/see/index.html");
    assert!(see.contains("rel=\"prev\" href=\"/pd/playbook/courses/c/identity/bias/\""));
    assert!(
        see.contains(
            "<fieldset class=\"quiz-question\" data-question=\"1\" data-multiple=\"true\">"
        )
    );
    assert!(see.contains("type=\"checkbox\""));
    let who = s.read("courses/c/identity/who/index.html");
    assert!(who.contains("<label for=\"reflection-1-answer\">What do students see first?</label>"));
}

#[test]
fn lessons_render_objectives() {
    let s = built(
        "//- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n//- content/lessons/01-trust.md\n---\ntitle: Trust\nobjectives:\n  - Build trust\n  - Keep it\n---\n```reflection\nprompt: Whom do you trust?\n```\n",
    );
    let html = s.read("lessons/trust/index.html");
    assert!(html.contains("data-page-kind=\"lesson\""));
    assert!(html.contains("<li>Build trust</li>") && html.contains("<li>Keep it</li>"));
    assert!(html.contains("Whom do you trust?"));
}

#[test]
fn long_collections_show_a_window_of_the_sidebar() {
    let mut spec = String::from("//- content/big/_index.md\n---\ntitle: Big\nkind: book\n---\n");
    for i in 0..300 {
        spec.push_str(&format!(
            "//- content/big/{i:04}-c{i}.md\n---\ntitle: Chapter {i}\n---\nText.\n"
        ));
    }
    let s = built(&spec);
    let html = s.read("big/c150/index.html");
    let sidebar = nav_with_class(&html, "sidebar");
    let entries = sidebar.matches("<li").count();
    assert!(
        entries <= 2 * playbook::nav::WINDOW + 1,
        "{entries} entries"
    );
    assert!(sidebar.contains("All 300 entries"));
    assert!(
        sidebar.contains("<ol class=\"sidebar-list wide\">"),
        "three-digit numbers get room: {sidebar}"
    );
    assert!(
        s.read("big/index.html")
            .matches("class=\"listing-title\"")
            .count()
            == 300,
        "the contents page lists them all"
    );
}

#[test]
fn many_collections_leave_the_header_short_and_the_home_page_lists_them_all() {
    let n = playbook::render::HEADER_SECTIONS + 3;
    let mut spec = String::from("//- content/index.md\n---\ntitle: Home\n---\nWelcome.\n");
    for i in 0..n {
        spec.push_str(&format!(
            "//- content/c{i}/_index.md\n---\ntitle: Collection {i}\nkind: lessons\nweight: {i}\n---\nText.\n"
        ));
    }
    let s = built(&spec);
    let html = s.read("c0/index.html");
    let header = nav_with_class(&html, "site-nav");
    assert_eq!(
        header.matches("<li>").count(),
        playbook::render::HEADER_SECTIONS + 1,
        "{header}"
    );
    assert!(
        header.contains("href=\"/pd/playbook/#sections-title\">All sections</a>"),
        "{header}"
    );
    // A page of a collection the header leaves out: the header shows that one too, as current.
    let last = s.read(&format!("c{}/index.html", n - 1));
    let header = nav_with_class(&last, "site-nav");
    assert_eq!(
        header.matches("<li>").count(),
        playbook::render::HEADER_SECTIONS + 2,
        "{header}"
    );
    assert!(
        header.contains(&format!(
            "<a href=\"/pd/playbook/c{0}/\" aria-current=\"true\">Collection {0}</a>",
            n - 1
        )),
        "{header}"
    );
    let footer = &html[html.find("class=\"footer-nav\"").unwrap()..];
    assert!(!footer.contains(&format!("Collection {}", n - 1)));
    assert!(footer.contains("All sections"));
    let home = s.read("index.html");
    assert!(home.contains("id=\"sections-title\""));
    for i in 0..n {
        assert!(home.contains(&format!("href=\"/pd/playbook/c{i}/\">Collection {i}</a>")));
    }
    // A site with a few collections links every one.
    let few = built(BOOK).read("playbook/why/index.html");
    assert!(!few.contains("All sections"));
}
#[test]
fn a_site_template_overrides_the_built_in_one() {
    let s = built(
        "//- themes/default/templates/page.html\n{% extends \"base.html\" %}{% block main %}<h1>Custom: {{ title }}</h1>{% endblock main %}\n//- content/about.md\n---\ntitle: About\n---\nText.\n",
    );
    assert!(
        s.read("about/index.html")
            .contains("<h1>Custom: About</h1>")
    );
}

#[test]
fn drafts_are_left_out() {
    let s = built("//- content/about.md\n---\ntitle: About\ndraft: true\n---\nText.\n");
    assert!(!s.files().iter().any(|f| f.starts_with("about/")));
}

#[test]
fn relative_images_are_copied_and_pages_in_other_languages_say_so() {
    let s = built(
        "//- content/about.md\n---\ntitle: Acerca\nlang: es\n---\n![Un gráfico](img/chart.svg)\n//- content/img/chart.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    assert!(s.files().contains(&"img/chart.svg".to_string()));
    let html = s.read("about/index.html");
    assert!(html.contains("src=\"/pd/playbook/img/chart.svg\" alt=\"Un gráfico\""));
    // The interface is the site's (English); the text (title and body) says it is Spanish.
    assert!(html.contains("<html lang=\"en\" "));
    assert!(html.contains("<main id=\"main\" tabindex=\"-1\">"));
    assert!(html.contains("<h1 lang=\"es\">Acerca</h1>"), "{html}");
    assert!(html.contains("<div class=\"prose\" lang=\"es\">"), "{html}");
}

#[test]
fn chapter_main_element_snapshot() {
    let s = built(BOOK);
    let html = s.read("playbook/why/index.html");
    let main = &html[html.find("<main").unwrap()..html.find("</main>").unwrap() + 7];
    insta::assert_snapshot!(main);
}

#[test]
fn a_brand_sets_colours_logo_and_footer_without_touching_templates() {
    let s = built(
        "//- playbook.yaml\ntitle: Springfield Playbook\nbrand:\n  organization: Springfield Public Schools\n  logo: logo.svg\n  accent: \"#6b1f8a\"\n  accent_dark: \"#e0b0ff\"\n  contact: pd@springfield.example\n  footer_links:\n    - title: District website\n      url: https://springfield.example/\n//- static/logo.svg\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    let home = s.read("index.html");
    assert!(home.contains(
        "<img class=\"site-logo\" src=\"/pd/playbook/logo.svg\" alt=\"Springfield Public Schools\""
    ));
    assert!(home.contains("<a href=\"mailto:pd@springfield.example\">pd@springfield.example</a>"));
    assert!(home.contains("<a href=\"https://springfield.example/\">District website</a>"));
    let css = s
        .files()
        .into_iter()
        .find(|f| f.starts_with("assets/brand."))
        .expect("a brand stylesheet");
    assert!(home.contains(&format!("href=\"/pd/playbook/{css}\"")));
    assert!(
        s.read(&css).contains("--accent: #6b1f8a") && s.read(&css).contains("--accent: #e0b0ff")
    );
}
