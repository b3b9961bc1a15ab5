//! "What changed" inside a page between two editions: the sections added, removed and revised,
//! and each revised paragraph as a word-level diff a reader can follow.
//!
//! A page's Markdown body is cut into sections at its headings of level 1 to 3 (the ones "On
//! this page" lists; the text before the first is the introduction), and each section into
//! blocks of plain text: a paragraph, a list item, a table row, a code block. Sections are
//! matched by their heading's words (case and spacing aside), in order when two have the same
//! words; the blocks of a matched pair are aligned with the patience algorithm, and a block
//! replaced by a similar one is shown word by word (`similar`, the crate `insta` uses too).
//! A block replaced by one that shares little with it is shown as removed and added whole: a
//! word diff of two different paragraphs is noise.
//!
//! Pure: this module never reads a file. `editions` hands it the two bodies.

use crate::markdown::RESERVED_IDS;
use crate::markdown::headings::{Ids, valid_id};
use crate::util::slugify;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};
use std::collections::{HashMap, VecDeque};

/// The most revised blocks shown for one section; the rest are counted.
pub const MAX_BLOCKS: usize = 12;

/// Below this share of words in common, a replaced block is shown as removed and added whole.
const MIN_RATIO: f32 = 0.4;

/// One section of a page: its heading (empty for the introduction), the id its heading gets
/// on the page, and its blocks of plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    /// The heading's id on the rendered page (`""` for the introduction).
    pub anchor: String,
    pub blocks: Vec<String>,
}

/// A section named in a page's changes, with where it is (its anchor on the page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRef {
    /// The heading's words; empty for the introduction.
    pub title: String,
    pub anchor: String,
}

/// Whether a run of words is in both editions, only the earlier or only this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Same,
    Removed,
    Added,
}

/// A run of words of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub kind: Kind,
    pub text: String,
}

/// A section whose text was revised: its revised blocks, each a list of pieces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionDiff {
    pub title: String,
    /// The heading's anchor in the earlier edition and in this one.
    pub old_anchor: String,
    pub new_anchor: String,
    pub blocks: Vec<Vec<Piece>>,
    /// Revised blocks not shown (past [`MAX_BLOCKS`]).
    pub more: usize,
}

/// What changed in one page's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageDiff {
    pub added: Vec<SectionRef>,
    pub removed: Vec<SectionRef>,
    pub changed: Vec<SectionDiff>,
}

impl PageDiff {
    /// Returns true if and only if the two bodies had the same sections and text (the page
    /// changed elsewhere: its front matter, or only its Markdown's formatting).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two Markdown bodies of one page: `old` (the earlier edition) and `new`.
pub fn diff(old: &str, new: &str) -> PageDiff {
    let (old, new) = (sections(old), sections(new));
    let mut by_heading: HashMap<String, VecDeque<usize>> = HashMap::new();
    for (i, s) in old.iter().enumerate() {
        by_heading.entry(fold(&s.heading)).or_default().push_back(i);
    }
    let mut matched = vec![false; old.len()];
    let mut out = PageDiff::default();
    for s in &new {
        let Some(i) = by_heading
            .get_mut(&fold(&s.heading))
            .and_then(|q| q.pop_front())
        else {
            out.added.push(SectionRef {
                title: s.heading.clone(),
                anchor: s.anchor.clone(),
            });
            continue;
        };
        matched[i] = true;
        let o = &old[i];
        if o.blocks == s.blocks {
            continue;
        }
        let mut blocks = block_diff(&o.blocks, &s.blocks);
        if blocks.is_empty() {
            continue;
        }
        let more = blocks.len().saturating_sub(MAX_BLOCKS);
        blocks.truncate(MAX_BLOCKS);
        out.changed.push(SectionDiff {
            title: s.heading.clone(),
            old_anchor: o.anchor.clone(),
            new_anchor: s.anchor.clone(),
            blocks,
            more,
        });
    }
    for (s, _) in old.iter().zip(&matched).filter(|(_, m)| !**m) {
        out.removed.push(SectionRef {
            title: s.heading.clone(),
            anchor: s.anchor.clone(),
        });
    }
    out
}

/// A heading's words as sections are matched: lowercase, spacing folded.
fn fold(heading: &str) -> String {
    heading
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The revised blocks of a section, in order: a block only in `new` is one added piece, only
/// in `old` one removed piece, and a similar block replaced is a word diff.
fn block_diff(old: &[String], new: &[String]) -> Vec<Vec<Piece>> {
    let whole = |kind, text: &String| {
        vec![Piece {
            kind,
            text: text.clone(),
        }]
    };
    let mut out = Vec::new();
    for op in similar::capture_diff_slices(Algorithm::Patience, old, new) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => out.extend(
                old[old_index..old_index + old_len]
                    .iter()
                    .map(|b| whole(Kind::Removed, b)),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => out.extend(
                new[new_index..new_index + new_len]
                    .iter()
                    .map(|b| whole(Kind::Added, b)),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let (o, n) = (
                    &old[old_index..old_index + old_len],
                    &new[new_index..new_index + new_len],
                );
                for k in 0..o.len().max(n.len()) {
                    match (o.get(k), n.get(k)) {
                        (Some(a), Some(b)) => {
                            let d = words(a, b);
                            if ratio(&d) >= MIN_RATIO {
                                out.push(d);
                            } else {
                                out.push(whole(Kind::Removed, a));
                                out.push(whole(Kind::Added, b));
                            }
                        }
                        (Some(a), None) => out.push(whole(Kind::Removed, a)),
                        (None, Some(b)) => out.push(whole(Kind::Added, b)),
                        (None, None) => {}
                    }
                }
            }
        }
    }
    out
}

/// The share of the words of a word diff that are in both texts.
fn ratio(pieces: &[Piece]) -> f32 {
    let count = |k: Kind| -> usize {
        pieces
            .iter()
            .filter(|p| p.kind == k)
            .map(|p| p.text.split_whitespace().count())
            .sum()
    };
    let same = count(Kind::Same);
    let all = 2 * same + count(Kind::Removed) + count(Kind::Added);
    if all == 0 {
        1.0
    } else {
        2.0 * same as f32 / all as f32
    }
}

/// A word-level diff of `old` and `new` as runs of one kind. Within a revised stretch every
/// removed word comes before every added one ("~~two days~~ three weeks", not alternating word
/// by word), the spaces between revised words belonging to the stretch.
pub fn words(old: &str, new: &str) -> Vec<Piece> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_unicode_words(old, new);
    let tokens: Vec<(Kind, &str)> = diff
        .iter_all_changes()
        .map(|c| {
            let kind = match c.tag() {
                ChangeTag::Equal => Kind::Same,
                ChangeTag::Delete => Kind::Removed,
                ChangeTag::Insert => Kind::Added,
            };
            (kind, c.value())
        })
        .collect();
    let mut out: Vec<Piece> = Vec::new();
    let mut removed = String::new();
    let mut added = String::new();
    let flush = |out: &mut Vec<Piece>, removed: &mut String, added: &mut String| {
        for (kind, text) in [(Kind::Removed, removed), (Kind::Added, added)] {
            if !text.trim().is_empty() {
                out.push(Piece {
                    kind,
                    text: std::mem::take(text),
                });
            } else {
                text.clear();
            }
        }
    };
    for (i, &(kind, text)) in tokens.iter().enumerate() {
        match kind {
            Kind::Removed => removed.push_str(text),
            Kind::Added => added.push_str(text),
            Kind::Same => {
                // Spaces between two revised words stay inside the revised stretch.
                let inside = text.trim().is_empty()
                    && (!removed.is_empty() || !added.is_empty())
                    && tokens.get(i + 1).is_some_and(|(k, _)| *k != Kind::Same);
                if inside {
                    removed.push_str(text);
                    added.push_str(text);
                    continue;
                }
                flush(&mut out, &mut removed, &mut added);
                match out.last_mut() {
                    Some(p) if p.kind == Kind::Same => p.text.push_str(text),
                    _ => out.push(Piece {
                        kind,
                        text: text.to_string(),
                    }),
                }
            }
        }
    }
    flush(&mut out, &mut removed, &mut added);
    // A revised stretch keeps no trailing space of its own: it goes to the text after it.
    let mut tidy: Vec<Piece> = Vec::with_capacity(out.len());
    for p in out {
        match tidy.last_mut() {
            Some(last) if last.kind == p.kind => last.text.push_str(&p.text),
            _ => tidy.push(p),
        }
    }
    tidy
}

/// Cuts a Markdown body into sections at its headings of level 1 to 3, with the anchors the
/// page's renderer gives them (the heading's own `{#id}`, else its slug, made unique in order
/// of appearance among the theme's reserved ids).
pub fn sections(body: &str) -> Vec<Section> {
    let mut cut = Cutter {
        ids: Ids::with_reserved(RESERVED_IDS),
        out: vec![Section {
            heading: String::new(),
            anchor: String::new(),
            blocks: Vec::new(),
        }],
        text: String::new(),
        heading: None,
    };
    for event in Parser::new_ext(body, crate::markdown::options()) {
        cut.event(event);
    }
    cut.push_block();
    let mut out = cut.out;
    for s in &mut out {
        for b in &mut s.blocks {
            if let Some(t) = b.strip_suffix(" |") {
                *b = t.to_string();
            }
        }
    }
    if out[0].blocks.is_empty() {
        out.remove(0);
    }
    out
}

/// The state of [`sections`] as it reads a body's events.
struct Cutter {
    ids: Ids,
    out: Vec<Section>,
    /// The text of the block or heading being read.
    text: String,
    /// Inside a heading: its level and explicit id.
    heading: Option<(HeadingLevel, Option<String>)>,
}

impl Cutter {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.push_block();
                self.heading = Some((level, id.map(|i| i.to_string())));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(
                Tag::Paragraph
                | Tag::CodeBlock(_)
                | Tag::Item
                | Tag::TableHead
                | Tag::TableRow
                | Tag::FootnoteDefinition(_)
                | Tag::DefinitionListTitle
                | Tag::DefinitionListDefinition,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::CodeBlock
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            ) => self.push_block(),
            Event::End(TagEnd::TableCell) => self.text.push_str(" | "),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => self.text.push(' '),
            _ => {}
        }
    }

    /// The text read so far, spacing folded, as a block of the current section.
    fn push_block(&mut self) {
        let block = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.text.clear();
        if !block.is_empty()
            && let Some(s) = self.out.last_mut()
        {
            s.blocks.push(block);
        }
    }

    /// A heading of level 1 to 3 opens a section; a deeper one is a block of the current one.
    fn end_heading(&mut self) {
        let words = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.text.clear();
        let Some((level, explicit)) = self.heading.take() else {
            return;
        };
        let wanted = match explicit {
            Some(id) if valid_id(&id) => id,
            _ => slugify(&words),
        };
        let anchor = self.ids.unique(&wanted);
        if level <= HeadingLevel::H3 {
            self.out.push(Section {
                heading: words,
                anchor,
                blocks: Vec::new(),
            });
        } else if let Some(s) = self.out.last_mut() {
            s.blocks.push(words);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p.kind {
                Kind::Same => p.text.clone(),
                Kind::Removed => format!("[-{}-]", p.text),
                Kind::Added => format!("{{+{}+}}", p.text),
            })
            .collect()
    }

    #[test]
    fn sections_are_cut_at_headings_of_level_three_or_less_with_the_pages_anchors() {
        let s = sections(
            "Intro *text*\nwraps.\n\n## Why it matters\n\n- one\n- two `code`\n\n#### Deeper\n\nx\n\n## Why it matters\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n### Own id {#own}\n\n```\nlet a;\n```\n\n## Main\n",
        );
        let got: Vec<(&str, &str, Vec<&str>)> = s
            .iter()
            .map(|s| {
                (
                    s.heading.as_str(),
                    s.anchor.as_str(),
                    s.blocks.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("", "", vec!["Intro text wraps."]),
                (
                    "Why it matters",
                    "why-it-matters",
                    vec!["one", "two code", "Deeper", "x"]
                ),
                ("Why it matters", "why-it-matters-1", vec!["a | b", "1 | 2"]),
                ("Own id", "own", vec!["let a;"]),
                // `main` is the theme's: the heading gets the next free id.
                ("Main", "main-1", vec![]),
            ]
        );
    }

    #[test]
    fn a_revised_sentence_shows_removed_words_before_added_ones() {
        let d = words(
            "Teams meet every two weeks to review data.",
            "Teams meet every three weeks to review their data.",
        );
        assert_eq!(
            show(&d),
            "Teams meet every [-two-]{+three+} weeks to review {+their +}data."
        );
        let d = words(
            "Start with the students you serve.",
            "Begin from the families you serve.",
        );
        assert_eq!(
            show(&d),
            "[-Start with-]{+Begin from+} the [-students-]{+families+} you serve."
        );
    }

    #[test]
    fn punctuation_is_a_word_of_its_own_so_a_revised_last_word_keeps_its_full_stop() {
        let d = words(
            "Plan the year around a few goals.",
            "Plan the year around three goals chosen with your team.",
        );
        assert_eq!(
            show(&d),
            "Plan the year around [-a few-]{+three+} goals{+ chosen with your team+}."
        );
    }

    #[test]
    fn identical_text_is_one_unchanged_piece() {
        assert_eq!(
            words("a b c", "a b c"),
            vec![Piece {
                kind: Kind::Same,
                text: "a b c".into()
            }]
        );
    }

    #[test]
    fn sections_added_removed_and_revised_are_told_apart() {
        let old = "Intro.\n\n## Goals\n\nTeams meet every two weeks.\n\nKeep notes.\n\n## Old part\n\nGone.\n";
        let new = "Intro.\n\n## Goals\n\nTeams meet every three weeks.\n\nKeep notes.\n\nShare them.\n\n## New part\n\nHere.\n";
        let d = diff(old, new);
        assert_eq!(
            d.added,
            vec![SectionRef {
                title: "New part".into(),
                anchor: "new-part".into()
            }]
        );
        assert_eq!(
            d.removed,
            vec![SectionRef {
                title: "Old part".into(),
                anchor: "old-part".into()
            }]
        );
        assert_eq!(d.changed.len(), 1);
        let c = &d.changed[0];
        assert_eq!(
            (c.title.as_str(), c.new_anchor.as_str()),
            ("Goals", "goals")
        );
        let shown: Vec<String> = c.blocks.iter().map(|b| show(b)).collect();
        assert_eq!(
            shown,
            vec![
                "Teams meet every [-two-]{+three+} weeks.",
                "{+Share them.+}"
            ]
        );
    }

    #[test]
    fn a_paragraph_replaced_by_a_different_one_is_removed_and_added_whole() {
        let d = diff(
            "## A\n\nThe cycle has five steps.\n",
            "## A\n\nFamilies are partners from the first day.\n",
        );
        let shown: Vec<String> = d.changed[0].blocks.iter().map(|b| show(b)).collect();
        assert_eq!(
            shown,
            vec![
                "[-The cycle has five steps.-]",
                "{+Families are partners from the first day.+}"
            ]
        );
    }

    #[test]
    fn headings_match_whatever_their_case_and_a_moved_heading_is_not_a_new_section() {
        let d = diff("## Key Ideas\n\nx\n", "## Key ideas\n\nx\n");
        assert!(d.is_empty(), "{d:?}");
        // Only the front matter or the Markdown's formatting changed: nothing to show.
        assert!(diff("Some *words*.\n", "Some **words**.\n").is_empty());
    }

    #[test]
    fn a_long_revision_shows_the_first_blocks_and_counts_the_rest() {
        let old: String = (0..20)
            .map(|i| format!("## S\n\nline {i} a b c\n\n"))
            .take(1)
            .collect::<String>()
            + &(0..20)
                .map(|i| format!("line {i} a b c\n\n"))
                .collect::<String>();
        let new = old.replace(" a b c", " a b d");
        let d = diff(&old, &new);
        assert_eq!(d.changed[0].blocks.len(), MAX_BLOCKS);
        assert_eq!(d.changed[0].more, 21 - MAX_BLOCKS);
    }
}
