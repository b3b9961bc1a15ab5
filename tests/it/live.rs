//! `serve`'s incremental rebuilds driven directly (`live::Live`), without the watcher: each
//! test names the changed files itself, so it can also change a file without saying so, as a
//! watcher that missed an event would.

use crate::support;
use playbook::build;
use playbook::live::{Event, Live};
use playbook::output::SharedFiles;
use std::path::PathBuf;

struct Session {
    site: support::Site,
    live: Live,
    files: SharedFiles,
}

/// A session on the fixture site `spec` (see `support::site`).
fn session(spec: &str) -> Session {
    let site = support::site(spec);
    let opts = build::Options {
        base_url: Some("http://127.0.0.1:8000/".into()),
        live: true,
        ..build::Options::new(site.root())
    };
    let files = SharedFiles::default();
    let live = match Live::start(&opts, files.clone(), String::new()) {
        Ok((live, _)) => live,
        Err(f) => panic!("start failed:\n{}", f.diags.to_plain_string()),
    };
    Session { site, live, files }
}

impl Session {
    /// The served page at `url` (`book/one/`), as text.
    fn page(&self, url: &str) -> String {
        let files = self.files.read().unwrap();
        let held = files
            .get(&format!("{url}index.html"))
            .unwrap_or_else(|| panic!("{url} is not served"));
        String::from_utf8(held.to_vec()).unwrap()
    }

    /// Applies a change of the files `rels` (under the site folder) and then the deferred
    /// work; returns the events.
    fn changed(&mut self, rels: &[&str]) -> Vec<Event> {
        let paths: Vec<PathBuf> = rels.iter().map(|r| self.site.root().join(r)).collect();
        let (mut events, _) = self.live.apply(&paths);
        events.extend(self.live.secondary());
        events
    }

    /// Writes `text` at `rel` and applies that change.
    fn edit(&mut self, rel: &str, text: &str) -> Vec<Event> {
        self.site.write(rel, text);
        self.changed(&[rel])
    }
}

/// The error text among `events` (panics when there is none).
fn errors(events: &[Event]) -> &str {
    events
        .iter()
        .find_map(|e| match e {
            Event::Errors(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no errors in {events:?}"))
}

const BOOK: &str = "//- content/book/_index.md\n---\ntitle: Book\nkind: book\n---\nThe book.\n\
    //- content/book/01-one.md\n---\ntitle: One\n---\n## Part\n\nFirst text.\n\
    //- content/book/02-two.md\n---\ntitle: Two\n---\nSecond text, see [the part](01-one.md#part).\n\
    //- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
    //- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Read]\n---\nLesson text.\n";

#[test]
fn the_session_holds_no_markdown_between_changes() {
    let mut s = session(BOOK);
    assert_eq!(s.live.markdown_held(), 0, "after starting");
    s.edit(
        "content/book/01-one.md",
        "---\ntitle: One\n---\n## Part\n\nFirst text, edited.\n",
    );
    assert_eq!(s.live.markdown_held(), 0, "after a body edit");
    s.edit(
        "content/book/03-three.md",
        "---\ntitle: Three\n---\nThird text.\n",
    );
    assert_eq!(s.live.markdown_held(), 0, "after a new page");
    let events = s.edit(
        "content/book/03-three.md",
        "---\ntitle: [\n---\nThird text.\n",
    );
    assert!(!errors(&events).is_empty());
    assert_eq!(s.live.markdown_held(), 0, "after a failed change");
    assert!(s.page("book/two/").contains("Second text, see"));
}

#[test]
fn a_structure_change_renders_unchanged_pages_again_from_their_files() {
    let mut s = session(BOOK);
    // A new title for one: two mentions its file, so two is rendered again from its text.
    s.edit(
        "content/book/01-one.md",
        "---\ntitle: Uno\n---\n## Part\n\nFirst text.\n",
    );
    let two = s.page("book/two/");
    assert!(two.contains("Second text, see"), "{two}");
    assert!(two.contains("href=\"/book/one/#part\""), "{two}");
    assert!(s.page("book/one/").contains("Uno"));
    assert!(s.page("lessons/a/").contains("Lesson text."));
}

#[test]
fn a_file_changed_without_an_event_is_rendered_again_by_the_next_structure_change() {
    let mut s = session(BOOK);
    // No event for the lesson (a watcher can miss one): the next change that reads the
    // unchanged pages' text finds it changed and renders it again.
    s.site.write(
        "content/lessons/01-a.md",
        "---\ntitle: A\nobjectives: [Read]\n---\nLesson text, changed unseen.\n",
    );
    s.edit(
        "content/book/01-one.md",
        "---\ntitle: Uno\n---\n## Part\n\nFirst text.\n",
    );
    let a = s.page("lessons/a/");
    assert!(a.contains("Lesson text, changed unseen."), "{a}");
}

#[test]
fn a_link_check_error_shows_the_line_of_the_unchanged_page_that_links() {
    let mut s = session(BOOK);
    // A body edit removes the heading two links to: the error is in two, which did not change.
    let events = s.edit(
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text.\n",
    );
    let text = errors(&events);
    assert!(text.contains("content/book/02-two.md:4:"), "{text}");
    assert!(
        text.contains("Second text, see [the part](01-one.md#part)."),
        "the line of two is shown:\n{text}"
    );
}

#[test]
fn a_linking_page_changed_without_an_event_is_read_as_changed() {
    let mut s = session(BOOK);
    s.site.write(
        "content/book/02-two.md",
        "---\ntitle: Two\n---\nNew words.\n\nSecond text, see [the part](01-one.md#part).\n",
    );
    // Two's text, read back for the error's lines, is not the one let go of: two counts as
    // changed too, and the error shows its new lines.
    let events = s.edit(
        "content/book/01-one.md",
        "---\ntitle: One\n---\nFirst text.\n",
    );
    let text = errors(&events);
    assert!(text.contains("content/book/02-two.md:6:"), "{text}");
    let events = s.edit(
        "content/book/01-one.md",
        "---\ntitle: One\n---\n## Part\n\nFirst text.\n",
    );
    assert_eq!(errors(&events), "");
    assert!(s.page("book/two/").contains("New words."));
}

#[test]
fn a_glossary_edit_links_the_terms_it_adds() {
    let mut s = session(
        "//- content/glossary.md\n---\ntitle: Glossary\nglossary: true\n---\n\
         Asset-based pedagogy\n: Teaching that starts from what students bring.\n\
         //- content/lessons/_index.md\n---\ntitle: Lessons\nkind: lessons\n---\n\
         //- content/lessons/01-a.md\n---\ntitle: A\nobjectives: [Read]\n---\n\
         We use {term}`ls`.\n",
    );
    assert!(!s.page("lessons/a/").contains("/glossary/#term-ls"));
    s.edit(
        "content/glossary.md",
        "---\ntitle: Glossary\nglossary: true\n---\n\
         Asset-based pedagogy\n: Teaching that starts from what students bring.\n\n\
         `ls`\n: Lists a folder.\n",
    );
    let a = s.page("lessons/a/");
    assert!(a.contains("/glossary/#term-ls"), "{a}");
}
