//! Front matter: the YAML between the `---` lines at the top of every Markdown file, read
//! into one typed, `deny_unknown_fields` struct per kind of file. These are the raw forms;
//! `model` validates them (ids, dates, course-only keys) into page metadata.

use crate::diagnostics::{Diagnostic, Source};
use serde::Deserialize;
use std::ops::Range;

/// A Markdown file cut into its front matter and its body.
#[derive(Debug, Clone)]
pub struct Split {
    /// Byte range of the YAML text in the file.
    pub yaml: Range<usize>,
    /// Byte range of the Markdown body in the file.
    pub body: Range<usize>,
}

/// Finds the front matter of `source`, which must open on the first line with `---` and close
/// with a later line of `---`.
pub fn split(source: &Source) -> Result<Split, Diagnostic> {
    let text: &str = &source.text;
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_end].trim_end() != "---" {
        return Err(Diagnostic::error("this file does not start with front matter")
            .at(source, 0..first_end.saturating_sub(1))
            .label("expected a line of three dashes `---` here")
            .hint("start the file with `---`, then `title: Your title` and the other keys, then `---` again."));
    }
    let mut offset = first_end;
    for line in text[first_end..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml: first_end..offset,
                body: offset + line.len()..text.len(),
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error("the front matter is never closed")
        .at(source, 0..3)
        .label("opened here")
        .hint("add a line of three dashes `---` after the last front-matter key, before the text of the page."))
}

/// The kinds of collection a folder's `_index.md` can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectionKind {
    Book,
    Articles,
    Lessons,
    Course,
    Section,
}

/// How a course lesson counts as complete (used by the browser's progress script).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CompleteOn {
    Visit,
    Scroll,
    Quiz,
    #[default]
    Manual,
}

impl CompleteOn {
    pub fn as_str(self) -> &'static str {
        match self {
            CompleteOn::Visit => "visit",
            CompleteOn::Scroll => "scroll",
            CompleteOn::Quiz => "quiz",
            CompleteOn::Manual => "manual",
        }
    }
}

/// The home page, a chapter, or a loose page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    pub title: String,
    pub description: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
}

/// A folder's `_index.md` that declares a collection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCollection {
    pub title: String,
    pub kind: CollectionKind,
    pub description: Option<String>,
    /// Orders collections among their siblings (header, section listings); lower first,
    /// then by folder name. Default 0.
    #[serde(default)]
    pub weight: i32,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
    /// Courses only.
    pub id: Option<String>,
    /// Courses only.
    pub complete_on: Option<CompleteOn>,
    /// Courses only: percent of knowledge-check answers needed to pass.
    pub pass_mark: Option<u32>,
}

/// A module: a folder with `_index.md` directly inside a course.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModule {
    pub title: String,
    pub id: String,
    pub description: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: String,
    pub role: Option<String>,
    pub place: Option<String>,
}

/// A monograph in an `articles` collection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArticle {
    pub title: String,
    pub date: String,
    pub authors: Vec<Author>,
    pub description: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
}

/// A lesson in a `lessons` collection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLesson {
    pub title: String,
    pub objectives: Vec<String>,
    pub id: Option<String>,
    pub duration_minutes: Option<u32>,
    pub description: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
}

/// A lesson inside a course module.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCourseLesson {
    pub title: String,
    pub id: String,
    pub duration_minutes: u32,
    pub objectives: Vec<String>,
    pub description: Option<String>,
    pub lang: Option<String>,
    #[serde(default)]
    pub draft: bool,
    pub search: Option<bool>,
}

/// Returns the byte range (in the file) of the value of top-level `key` in the front matter,
/// or of the key itself when the value is on later lines; `None` when the key is absent.
pub fn key_value_range(source: &Source, yaml: &Range<usize>, key: &str) -> Option<Range<usize>> {
    let mut offset = yaml.start;
    for line in source.text[yaml.clone()].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let value = rest.trim();
            if value.is_empty() {
                return Some(offset..offset + key.len());
            }
            let start = offset + key.len() + 1 + (rest.len() - rest.trim_start().len());
            return Some(start..start + value.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_finds_yaml_and_body() {
        let s = Source::new("a.md", "---\ntitle: A\n---\n# Body\n");
        let sp = split(&s).unwrap();
        assert_eq!(&s.text[sp.yaml.clone()], "title: A\n");
        assert_eq!(&s.text[sp.body.clone()], "# Body\n");
        assert_eq!(
            key_value_range(&s, &sp.yaml, "title").map(|r| &s.text[r]),
            Some("A")
        );
    }

    #[test]
    fn missing_and_unclosed_front_matter_are_errors() {
        assert!(split(&Source::new("a.md", "# no front matter\n")).is_err());
        let d = split(&Source::new("a.md", "---\ntitle: A\n\nbody")).unwrap_err();
        assert!(d.message.contains("never closed"));
    }
}
