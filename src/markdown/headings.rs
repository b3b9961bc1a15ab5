//! Headings and element ids of a page: a heading's element, outline entry and search section;
//! the one character set an author's id may use, and unique ids made
//! in time linear in their number (the `-1`, `-2` suffix of a repeated heading is counted, not
//! searched for).

use super::{Heading, Renderer, TextSection};
use crate::diagnostics::Diagnostic;
use crate::util::{escape_html, slugify};
use pulldown_cmark::{CowStr, Event, HeadingLevel};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The longest id an author may give.
const MAX_ID: usize = 200;

/// Returns true if and only if `id` is 1 to 200 letters (any script), digits, `-`, `_`, `.` or
/// `:`, and so needs no escaping in an attribute, a URL fragment or a CSS selector by class.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The ids used in one page.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    /// The next suffix to try for each id asked for more than once.
    next: HashMap<String, usize>,
}

impl Ids {
    pub fn with_reserved(reserved: &[&str]) -> Ids {
        Ids {
            used: reserved.iter().map(|s| s.to_string()).collect(),
            next: HashMap::new(),
        }
    }

    /// `wanted` if it is free, else `wanted-N` with the first free N; marks it used.
    pub fn unique(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section" } else { wanted };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next.entry(base.to_string()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }

    /// Marks `id` used (an id the page gets from elsewhere, e.g. a footnote).
    pub fn insert(&mut self, id: String) {
        self.used.insert(id);
    }

    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// The ids used, without the reserved ones.
    pub fn into_set(mut self, reserved: &[&str]) -> HashSet<String> {
        for r in reserved {
            self.used.remove(*r);
        }
        self.used
    }
}

/// A heading being read: its level, the id and classes its author gave, its events and text so
/// far, and where it starts in the file.
pub(super) struct PendingHeading<'a> {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    pub(super) events: Vec<Event<'a>>,
    pub(super) text: String,
    start: usize,
}

impl<'a> Renderer<'a, '_> {
    /// A heading opens (at `range` of the text being rendered).
    pub(super) fn start_heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        range: &Range<usize>,
    ) {
        let start = self.src(range).start;
        self.heading = Some(PendingHeading {
            level: level as u8,
            explicit_id: id.map(|s| s.to_string()),
            classes: classes.iter().map(|c| c.to_string()).collect(),
            events: Vec::new(),
            text: String::new(),
            start,
        });
    }

    /// The heading just closed: its id (the author's, checked, or its text's slug, made unique),
    /// its place in the outline and the search sections, and its anchor link.
    pub(super) fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let mut level = h.level;
        if level == 1 {
            let end = self.source.text[h.start..]
                .find('\n')
                .map_or(self.source.text.len(), |i| h.start + i);
            self.error(
                Diagnostic::warning("a `#` heading in the text of a page is shown as a `##` heading")
                    .at(self.source, h.start..end)
                    .label("the page title already is the page's only top-level heading")
                    .hint("start sections with `##` (and sub-sections with `###`); the title comes from `title:` in the front matter."),
            );
            level = 2;
        }
        let text = h.text.trim().to_string();
        let wanted = match h.explicit_id {
            Some(id) if valid_id(&id) => id,
            Some(id) => {
                let end = self.source.text[h.start..]
                    .find('\n')
                    .map_or(self.source.text.len(), |i| h.start + i);
                self.error(
                    Diagnostic::error(format!("`{id}` cannot be used as a heading id"))
                        .at(self.source, h.start..end)
                        .label("not a usable id")
                        .hint(format!(
                            "use letters, digits, `-` and `_` in ids, e.g. `{{#{}}}`.",
                            {
                                let s = slugify(&id);
                                if s.is_empty() { "my-section".into() } else { s }
                            }
                        )),
                );
                slugify(&text)
            }
            None => slugify(&text),
        };
        let id = self.ids.unique(&wanted);
        let in_block = self.frames.len() > 1 || self.in_note;
        if level <= 3 && !in_block {
            self.out.outline.push(Heading {
                level,
                id: id.clone(),
                text: text.clone(),
                offset: h.start,
            });
            self.out.sections.push(TextSection {
                anchor: id.clone(),
                heading: text.clone(),
                text: String::new(),
            });
        } else if let Some(s) = self.out.sections.last_mut() {
            s.text.push_str(&text);
            s.text.push('\n');
        }
        self.last_level = level;
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_html(&h.classes.join(" ")))
        };
        self.html(format!("<h{level} id=\"{}\"{class}>", escape_html(&id)));
        for e in h.events {
            self.emit(e);
        }
        // Announced once (the link is hidden from screen readers) and not a Tab stop: the
        // outline and the address bar give keyboard readers the same link.
        self.html(format!(
            "<a class=\"heading-anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n",
            escape_html(&id)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_made_unique() {
        assert!(valid_id("step-2"));
        assert!(valid_id("enseñanza"));
        assert!(!valid_id("x\"onmouseover=\"alert(10)"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(""));
        let mut ids = Ids::with_reserved(&["main"]);
        assert_eq!(ids.unique("main"), "main-1");
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a-1");
        ids.insert("a-2".into());
        assert_eq!(ids.unique("a"), "a-3");
    }

    #[test]
    fn a_hundred_thousand_equal_headings_take_linear_time() {
        let mut ids = Ids::default();
        for _ in 0..100_000 {
            ids.unique("same");
        }
        assert!(ids.contains("same-99999"));
    }
}
