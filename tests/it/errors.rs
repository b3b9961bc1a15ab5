//! One fixture per kind of author mistake; the message each gets is snapshotted verbatim,
//! because these messages are the interface non-programmers see.

use crate::support;
use support::{errors, site};

#[test]
fn unknown_front_matter_key_suggests_the_right_one() {
    insta::assert_snapshot!(errors(
        "//- content/playbook/_index.md\n---\ntitle: Book\nkind: book\n---\n//- content/playbook/01-a.md\n---\ntitel: A\n---\nText.\n"
    ));
}

#[test]
fn unknown_collection_kind_lists_the_kinds() {
    insta::assert_snapshot!(errors(
        "//- content/playbook/_index.md\n---\ntitle: Book\nkind: bok\n---\n"
    ));
}

#[test]
fn missing_title_is_named() {
    insta::assert_snapshot!(errors(
        "//- content/about.md\n---\ndescription: x\n---\nText.\n"
    ));
}

#[test]
fn file_without_front_matter() {
    insta::assert_snapshot!(errors("//- content/about.md\n# About\n"));
}

#[test]
fn broken_link_to_a_page_suggests_the_nearest_file() {
    insta::assert_snapshot!(errors(
        "//- content/playbook/_index.md\n---\ntitle: Book\nkind: book\n---\n//- content/playbook/01-intro.md\n---\ntitle: Intro\n---\nSee [the rubric](02-rubrik.md).\n//- content/playbook/02-rubric.md\n---\ntitle: Rubric\n---\n## Domains\n"
    ));
}

#[test]
fn broken_anchor_lists_the_headings() {
    insta::assert_snapshot!(errors(
        "//- content/playbook/_index.md\n---\ntitle: Book\nkind: book\n---\n//- content/playbook/01-intro.md\n---\ntitle: Intro\n---\nSee [the domains](02-rubric.md#domain).\n//- content/playbook/02-rubric.md\n---\ntitle: Rubric\n---\n## Domains\n"
    ));
}

#[test]
fn missing_image_is_an_error_and_empty_alt_a_warning() {
    insta::assert_snapshot!(errors(
        "//- content/about.md\n---\ntitle: About\n---\n![](chart.svg)\n"
    ));
}

#[test]
fn image_from_another_site_is_refused() {
    insta::assert_snapshot!(errors(
        "//- content/about.md\n---\ntitle: About\n---\n![A chart](https://cdn.example/chart.png)\n"
    ));
}

#[test]
fn quiz_without_a_correct_answer_points_at_the_question() {
    insta::assert_snapshot!(errors(
        "//- content/c/_index.md\n---\ntitle: C\nkind: course\nid: c\n---\n//- content/c/01-m/_index.md\n---\ntitle: M\nid: m\n---\n//- content/c/01-m/01-l.md\n---\ntitle: L\nid: l\nduration_minutes: 10\nobjectives: [Know]\n---\nText.\n\n```quiz\nquestions:\n  - prompt: Which one?\n    choices:\n      - text: This\n      - text: That\n```\n"
    ));
}

#[test]
fn duplicate_lesson_ids_are_refused() {
    insta::assert_snapshot!(errors(
        "//- content/c/_index.md\n---\ntitle: C\nkind: course\nid: c\n---\n//- content/c/01-m/_index.md\n---\ntitle: M\nid: m\n---\n//- content/c/01-m/01-l.md\n---\ntitle: L\nid: same\nduration_minutes: 10\nobjectives: [Know]\n---\n//- content/c/01-m/02-other.md\n---\ntitle: L2\nid: same\nduration_minutes: 10\nobjectives: [Know]\n---\n"
    ));
}

#[test]
fn invalid_date_is_explained() {
    insta::assert_snapshot!(errors(
        "//- content/m/_index.md\n---\ntitle: M\nkind: articles\n---\n//- content/m/a.md\n---\ntitle: A\ndate: 2014-02-30\nauthors:\n  - name: Research Team\n---\n"
    ));
}

#[test]
fn folder_without_index_is_explained() {
    insta::assert_snapshot!(errors("//- content/notes/a.md\n---\ntitle: A\n---\n"));
}

#[test]
fn course_only_keys_on_a_book() {
    insta::assert_snapshot!(errors(
        "//- content/b/_index.md\n---\ntitle: B\nkind: book\npass_mark: 80\n---\n"
    ));
}

#[test]
fn config_unknown_key() {
    insta::assert_snapshot!(errors("//- playbook.yaml\ntitle: T\nlanguge: en\n"));
}

#[test]
fn every_error_of_a_build_is_reported_together() {
    let text = errors(
        "//- content/a.md\n---\ntitel: A\n---\n//- content/b.md\n---\ntitle: B\n---\n[x](nowhere.md)\n//- content/c.md\n---\ntitle: C\n---\n![x](missing.png)\n",
    );
    assert_eq!(text.matches("error:").count(), 3, "{text}");
    for file in ["content/a.md:2:1", "content/b.md:4:1", "content/c.md:4:1"] {
        assert!(text.contains(file), "{file} missing from:\n{text}");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let s = site("//- content/about.md\n---\ntitle: About\n---\nFirst version.\n");
    s.build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    let before = s.read("about/index.html");
    s.write(
        "content/about.md",
        "---\ntitle: About\n---\nSecond version with [a broken link](gone.md).\n",
    );
    assert!(s.build().is_err());
    assert_eq!(s.read("about/index.html"), before);
    assert!(
        !s.root().join(".public.playbook-staging").exists(),
        "staging folder left behind"
    );
}

#[test]
fn a_brand_colour_that_fails_contrast_names_the_pair() {
    insta::assert_snapshot!(errors(
        "//- playbook.yaml\ntitle: T\nbrand:\n  organization: Springfield Public Schools\n  accent: \"#77aaff\"\n"
    ));
}

#[test]
fn a_missing_brand_logo_is_explained() {
    insta::assert_snapshot!(errors(
        "//- playbook.yaml\ntitle: T\nbrand:\n  organization: Springfield\n  logo: logo.svg\n"
    ));
}

/// A site where three pages link (with anchors) to a chapter, and that chapter's front matter
/// has one typo.
const ONE_TYPO: &str = "//- content/book/_index.md\n---\ntitle: Book\nkind: book\n---\n\
//- content/book/01-one.md\n---\ntitel: One\n---\n## Start\n\nText.\n\
//- content/book/02-two.md\n---\ntitle: Two\n---\nSee [one](01-one.md#start).\n\
//- content/book/03-three.md\n---\ntitle: Three\n---\nSee [one](01-one.md#start) and [again](01-one.md).\n\
//- content/about.md\n---\ntitle: About\n---\n[The first chapter](book/01-one.md#start).\n";

#[test]
fn one_front_matter_typo_is_one_error_in_check_and_build() {
    let s = site(ONE_TYPO);
    let build = s
        .build()
        .err()
        .expect("the build fails")
        .diags
        .to_plain_string();
    let check = playbook::build::build(
        &playbook::build::Options::new(s.root()),
        playbook::build::Target::Check,
    )
    .err()
    .expect("the check fails")
    .diags
    .to_plain_string();
    for text in [build, check] {
        assert_eq!(
            text.matches("error:").count(),
            1,
            "one root error and nothing that follows from it:\n{text}"
        );
        assert!(text.contains("unknown key `titel`"), "{text}");
    }
}

#[test]
fn a_monograph_with_three_mistakes_gets_three_errors() {
    let text = errors(
        "//- content/m/_index.md\n---\ntitle: M\nkind: articles\n---\n\
         //- content/m/a.md\n---\ntitle: \"\"\ndate: 2014-13-40\n---\nText.\n",
    );
    assert_eq!(text.matches("error:").count(), 3, "{text}");
    for expected in [
        "the title is empty",
        "`2014-13-40` is not a date",
        "lists no author",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[test]
fn numbers_are_explained_in_plain_words() {
    let text = errors(
        "//- content/c/_index.md\n---\ntitle: C\nkind: course\nid: c\n---\n\
         //- content/c/m/_index.md\n---\ntitle: M\nid: m\n---\n\
         //- content/c/m/01-l.md\n---\ntitle: L\nid: l\nduration_minutes: thirty\nobjectives: [x]\n---\nText.\n",
    );
    assert!(
        text.contains("`thirty` is not a whole number of minutes"),
        "{text}"
    );
    assert!(!text.contains("u32"), "{text}");
}

#[test]
fn hostile_html_ids_and_urls_are_errors_and_text_in_angle_brackets_a_warning() {
    let text = errors(
        "//- playbook.yaml\ntitle: T\nbrand:\n  organization: O\n  contact: \"javascript:alert(1)\"\n  footer_links:\n    - title: X\n      url: \"data:text/html,hi\"\n\
         //- content/a.md\n---\ntitle: A\n---\n## Evil {#x\"onmouseover=\"alert(10)}\n\n<script>alert(1)</script>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n<p style=\"color:red\">x</p>\n\n<iframe src=\"https://example.org\"></iframe>\n\n[a](javascript:alert(1)) and <javascript:alert(2)>\n\nType git commit <commit message here>.\n\nNUL\u{0}here\n",
    );
    for expected in [
        "cannot be used as a heading id",
        "`<script>` is not allowed in a page",
        "the event handler `onerror` is not allowed",
        "inline styles (`style=`) are not allowed",
        "`<iframe>` is not allowed in a page",
        "a link to a `javascript:` address is not allowed",
        "a link to a `data:` address is not allowed",
        "`<commit…>` is not an HTML element, so it is shown as text",
        "holds a NUL character",
    ] {
        assert!(text.contains(expected), "missing «{expected}» in:\n{text}");
    }
    assert!(
        text.contains("content/a.md:4:1"),
        "the heading's line: {text}"
    );
    assert!(
        text.contains("content/a.md:8:18"),
        "the handler's column: {text}"
    );
}

#[test]
fn a_bom_is_accepted_and_bytes_that_are_not_utf8_are_placed() {
    let s = site("//- content/a.md\n---\ntitle: A\n---\nText.\n");
    std::fs::write(
        s.root().join("content/b.md"),
        b"\xEF\xBB\xBF---\ntitle: B\n---\nText.\n",
    )
    .unwrap();
    s.build()
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    std::fs::write(
        s.root().join("content/c.md"),
        b"---\ntitle: C\n---\nCaf\xE9 au lait.\n",
    )
    .unwrap();
    let text = s.build().err().expect("fails").diags.to_plain_string();
    assert!(text.contains("line 4, column 4"), "{text}");
    assert!(text.contains("content/c.md:4:4"), "{text}");
}

#[test]
fn config_paths_outside_the_site_are_refused_at_their_value() {
    let text = errors(
        "//- playbook.yaml\ntitle: T\n# theme: commented out\ntheme: /some/other/folder\nbrand:\n  organization: O\n  logo: ../../etc/logo.svg\n",
    );
    assert!(
        text.contains("`/some/other/folder` is not a theme name"),
        "{text}"
    );
    assert!(
        text.contains("playbook.yaml:3:8"),
        "marked on the value, not the comment: {text}"
    );
    assert!(
        text.contains("the logo `../../etc/logo.svg` is not a file in `static/`"),
        "{text}"
    );
}

#[test]
fn did_you_mean_is_the_same_on_every_run_and_never_unrelated() {
    let spec = "//- content/book/_index.md\n---\ntitle: Book\nkind: book\n---\n\
                //- content/book/01-alpha.md\n---\ntitle: Alpha\n---\n## Aaa\n\n## Aab\n\nText.\n\
                //- content/book/02-beta.md\n---\ntitle: Beta\n---\n[x](01-alpha.md#aac) [y](03-zzz.md)\n";
    let first = errors(spec);
    for _ in 0..5 {
        assert_eq!(errors(spec), first, "the same suggestions every run");
    }
    assert!(first.contains("did you mean `#aaa`"), "{first}");
    assert!(
        !first.contains("did you mean `01-alpha.md`"),
        "an unrelated file is not suggested: {first}"
    );
}
