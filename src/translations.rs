//! Translation status, with no version control needed: a translation records which version of
//! its page it translates (`translation:` in its front matter, written by
//! `playbook translations mark`): a hash of the page's text and one short hash per section.
//! When the page changes afterwards, `check` and `build` warn that the translation is outdated
//! and name the sections that changed; `playbook translations` lists, per language, the pages
//! translated, outdated, not marked and missing.

use crate::diagnostics::{Diagnostic, Source};
pub use crate::frontmatter::Recorded;
use crate::frontmatter::{self as fm, At};
use serde::Deserialize;
use std::ops::Range;

/// A page's text cut into what a translator translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub source: String,
    /// Each section's name (its heading, or a name for the front matter and the opening) and
    /// hash.
    pub sections: Vec<(String, String)>,
}

impl Fingerprint {
    pub fn recorded(&self) -> Recorded {
        Recorded {
            source: self.source.clone(),
            sections: self.sections.iter().map(|(_, h)| h.clone()).collect(),
        }
    }
}

fn hash(text: &str, len: usize) -> String {
    blake3::hash(text.as_bytes()).to_hex()[..len].to_string()
}

/// The translated text of a page's front matter (the keys a translation gives again).
#[derive(Deserialize, Default)]
struct Text {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    objectives: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
}

/// The fingerprint of the page in `source`.
pub fn fingerprint(source: &Source) -> Option<Fingerprint> {
    let (front, body) = parts(source)?;
    Some(Fingerprint {
        source: whole_hash(&front, body),
        sections: sections(&front, body),
    })
}

/// What a translator translates of the page in `source`: the translated keys of its front
/// matter, one per line, and its body.
fn parts(source: &Source) -> Option<(String, &str)> {
    let split = fm::split(source).ok()?;
    let yaml = &source.text[split.yaml.clone()];
    // Only the keys a translator translates: a page's `weight` or `id` changing is no reason.
    let text: Text = serde_saphyr::from_str(if yaml.trim().is_empty() { "{}" } else { yaml })
        .unwrap_or_default();
    let front = format!(
        "{}\n{}\n{}\n{}",
        text.title.unwrap_or_default(),
        text.description.unwrap_or_default(),
        text.objectives.join("\n"),
        text.questions.join("\n")
    );
    Some((front, &source.text[split.body.clone()]))
}

/// The hash of a page's whole text: `Fingerprint::source`.
fn whole_hash(front: &str, body: &str) -> String {
    hash(format!("{front}\n{body}").trim(), 10)
}

/// Each section's name and hash: `Fingerprint::sections`.
fn sections(front: &str, body: &str) -> Vec<(String, String)> {
    let mut sections = vec![(
        "title, description and objectives".to_string(),
        hash(front, 4),
    )];
    let mut name = "the opening, before the first heading".to_string();
    let mut current = String::new();
    let mut in_code: Option<String> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if let Some(fence) = &in_code {
            if t.starts_with(fence.as_str()) {
                in_code = None;
            }
        } else if t.starts_with("```") || t.starts_with("~~~") {
            in_code = Some(t[..3].to_string());
        } else if let Some(h) = t
            .strip_prefix('#')
            .filter(|_| t.starts_with("# ") || t.starts_with("##"))
        {
            sections.push((std::mem::take(&mut name), hash(current.trim(), 4)));
            current.clear();
            name = format!(
                "“{}”",
                h.trim_start_matches('#')
                    .trim()
                    .trim_end_matches(['}', '#'])
                    .split(" {")
                    .next()
                    .unwrap_or("")
                    .trim()
            );
        }
        current.push_str(line);
        current.push('\n');
    }
    sections.push((name, hash(current.trim(), 4)));
    sections
}

/// How a translation stands against the page it translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    UpToDate,
    /// Never marked with `playbook translations mark`.
    Unmarked,
    /// The page changed since; the sections that changed (by name).
    Outdated(Vec<String>),
}

/// The status of a translation that recorded `recorded` of the page in `page`; `None` when the
/// page cannot be read. The page is cut into sections only when it changed since: a build asks
/// this of every translation.
pub fn status_of(recorded: Option<&Recorded>, page: &Source) -> Option<Status> {
    let Some(r) = recorded else {
        return Some(Status::Unmarked);
    };
    let (front, body) = parts(page)?;
    if r.source == whole_hash(&front, body) {
        return Some(Status::UpToDate);
    }
    let now = Fingerprint {
        source: String::new(),
        sections: sections(&front, body),
    };
    Some(status(Some(r), &now))
}

/// The status of a translation that recorded `recorded` of a page now fingerprinted `now`.
pub fn status(recorded: Option<&Recorded>, now: &Fingerprint) -> Status {
    let Some(r) = recorded else {
        return Status::Unmarked;
    };
    if r.source == now.source {
        return Status::UpToDate;
    }
    let changed = now
        .sections
        .iter()
        .enumerate()
        .filter(|(i, (_, h))| r.sections.get(*i) != Some(h) && !r.sections.contains(h))
        .map(|(_, (name, _))| name.clone())
        .collect();
    Status::Outdated(changed)
}

/// The warning for a translation in `translation` (whose `translation:` value is at `at`)
/// of the page in `page`, when it is outdated.
pub fn warning(
    translation: &Source,
    at: Range<usize>,
    page: &Source,
    lang: &str,
    changed: &[String],
) -> Diagnostic {
    let what = if changed.is_empty() {
        "its text".to_string()
    } else {
        changed.join(", ")
    };
    Diagnostic::warning(format!(
        "this translation ({lang}) is outdated: `{}` changed since it was translated, in {what}",
        page.name
    ))
    .at(translation, at)
    .label("the version it translates")
    .hint(format!(
        "bring the translation up to date with `{}`, then run `playbook translations mark {}` to record that it is.",
        page.name, translation.name
    ))
}

/// Where `translation:` is written in a translation's front matter, as the parser placed it.
pub fn recorded_at(source: &Source, value: &At<Recorded>) -> Range<usize> {
    let spot = crate::yaml::YamlSpot {
        source,
        yaml: "",
        first_line: 2,
        what: "",
    };
    let r = crate::yaml::value_range(&spot, &value.referenced, 0);
    let line_end = source.text[r.start..]
        .find('\n')
        .map_or(source.text.len(), |i| r.start + i);
    r.start..line_end.max(r.start)
}

/// `text` (a translation's file) with its `translation:` block recording `fp`: replaced where
/// it is, else added at the end of the front matter. Every other line stays as it was.
pub fn marked(text: &str, fp: &Fingerprint) -> Option<String> {
    let source = Source::new("", text.to_string());
    let split = fm::split(&source).ok()?;
    let yaml = &text[split.yaml.clone()];
    let block = format!(
        "translation:\n  source: {}\n  sections: [{}]\n",
        fp.source,
        fp.sections
            .iter()
            .map(|(_, h)| h.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut out = String::with_capacity(text.len() + block.len());
    out.push_str(&text[..split.yaml.start]);
    let mut skipping = false;
    let mut placed = false;
    for line in yaml.split_inclusive('\n') {
        if line.starts_with("translation:") {
            skipping = true;
            out.push_str(&block);
            placed = true;
            continue;
        }
        if skipping && (line.starts_with(' ') || line.starts_with('\t') || line.trim().is_empty()) {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    if !placed {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&block);
    }
    out.push_str(&text[split.yaml.end..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        "---\ntitle: Why\nweight: 1\n---\nOpening.\n\n## First\n\nOne.\n\n## Second\n\nTwo.\n";

    #[test]
    fn a_changed_section_is_named_and_a_structural_key_is_no_change() {
        let fp = fingerprint(&Source::new("a.md", PAGE)).unwrap();
        assert_eq!(fp.sections.len(), 4);
        let recorded = fp.recorded();
        let same =
            fingerprint(&Source::new("a.md", PAGE.replace("weight: 1", "weight: 2"))).unwrap();
        assert_eq!(status(Some(&recorded), &same), Status::UpToDate);
        let edited =
            fingerprint(&Source::new("a.md", PAGE.replace("Two.", "Two, revised."))).unwrap();
        assert_eq!(
            status(Some(&recorded), &edited),
            Status::Outdated(vec!["“Second”".into()])
        );
        assert_eq!(status(None, &edited), Status::Unmarked);
    }

    #[test]
    fn a_builds_status_agrees_with_the_whole_fingerprint() {
        let recorded = fingerprint(&Source::new("a.md", PAGE)).unwrap().recorded();
        for page in [
            PAGE.to_string(),
            PAGE.replace("weight: 1", "weight: 2"),
            PAGE.replace("Two.", "Two, revised."),
            PAGE.replace("title: Why", "title: Why not"),
            PAGE.replace("## First\n\nOne.\n\n", ""),
        ] {
            let source = Source::new("a.md", page);
            let now = fingerprint(&source).unwrap();
            for r in [Some(&recorded), None] {
                assert_eq!(status_of(r, &source), Some(status(r, &now)));
            }
        }
        let moved = Source::new("a.md", PAGE.replace("Two.", "Two, revised."));
        assert_eq!(
            status_of(Some(&recorded), &moved),
            Some(Status::Outdated(vec!["“Second”".into()]))
        );
    }

    #[test]
    fn marking_writes_one_block_and_keeps_every_other_line() {
        let fp = fingerprint(&Source::new("a.md", PAGE)).unwrap();
        let translation = "---\ntitle: Por qué\nslug: por-que\n---\nApertura.\n";
        let once = marked(translation, &fp).unwrap();
        assert!(
            once.starts_with("---\ntitle: Por qué\nslug: por-que\ntranslation:\n  source: "),
            "{once}"
        );
        assert!(once.ends_with("---\nApertura.\n"));
        let twice = marked(&once, &fp).unwrap();
        assert_eq!(once, twice, "marking again changes nothing");
        assert_eq!(twice.matches("translation:").count(), 1);
    }
}
