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
