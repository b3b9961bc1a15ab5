//! Front matter: the YAML between the `---` lines at the top of every Markdown file, read
//! into one typed, `deny_unknown_fields` struct per kind of file. These are the raw forms;
//! `model` validates them (ids, dates, course-only keys) into page metadata.

use crate::diagnostics::{Diagnostic, Source};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
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

/// A value as the author wrote it, with where the YAML parser found it.
pub type At<T> = Spanned<T>;

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
    /// 90% of the lesson's video watched.
    Watch,
    #[default]
    Manual,
}

impl CompleteOn {
    pub fn as_str(self) -> &'static str {
        match self {
            CompleteOn::Visit => "visit",
            CompleteOn::Scroll => "scroll",
            CompleteOn::Quiz => "quiz",
            CompleteOn::Watch => "watch",
            CompleteOn::Manual => "manual",
        }
    }
}

/// The keys every page accepts, taken from any kind's front matter.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub title: Option<At<String>>,
    pub description: Option<String>,
    pub lang: Option<At<String>>,
    pub draft: bool,
    pub search: Option<bool>,
    /// The page's own segment of its address (default: from its file name).
    pub slug: Option<At<String>>,
}

/// One struct per kind of file, each refusing keys it does not know, all sharing the keys of
/// [`Common`] (written out once here rather than in every struct).
macro_rules! schema {
    ($(#[$doc:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub title: Option<At<String>>,
            pub description: Option<String>,
            pub lang: Option<At<String>>,
            #[serde(default)]
            pub draft: bool,
            pub search: Option<bool>,
            pub slug: Option<At<String>>,
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl $name {
            /// The keys every page has.
            pub fn common(&self) -> Common {
                Common {
                    title: self.title.clone(),
                    description: self.description.clone(),
                    lang: self.lang.clone(),
                    draft: self.draft,
                    search: self.search,
                    slug: self.slug.clone(),
                }
            }
        }
    };
}

schema!(
    /// The home page, a chapter, or a loose page.
    RawPage {
        /// Makes this page the site's glossary: `{term}` roles link to its terms.
        #[serde(default)]
        glossary: bool,
    }
);

schema!(
    /// A folder's `_index.md` that declares a collection.
    RawCollection {
        kind: Option<At<CollectionKind>>,
        /// Orders collections among their siblings (header, section listings); lower first,
        /// then by folder name. Default 0.
        #[serde(default)]
        weight: i32,
        /// Courses only.
        id: Option<At<String>>,
        /// Courses only.
        complete_on: Option<At<CompleteOn>>,
        /// Courses only: percent of knowledge-check answers needed to pass.
        pass_mark: Option<At<u32>>,
    }
);

schema!(
    /// A module: a folder with `_index.md` directly inside a course.
    RawModule {
        id: Option<At<String>>,
    }
);

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: String,
    pub role: Option<String>,
    pub place: Option<String>,
}

schema!(
    /// A monograph in an `articles` collection.
    RawArticle {
        /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: only as precise as the report's date is known.
        date: Option<At<String>>,
        authors: Option<At<Vec<Author>>>,
    }
);

schema!(
    /// A lesson in a `lessons` collection, or in a course module.
    RawLesson {
        objectives: Option<At<Vec<String>>>,
        /// The questions the lesson answers.
        #[serde(default)]
        questions: Vec<String>,
        id: Option<At<String>>,
        duration_minutes: Option<At<u32>>,
    }
);

schema!(
    /// A translation (`NAME.es.md` beside `NAME.md`): the text of the page in another
    /// language. Everything else (kind, id, date, authors, duration) comes from the page it
    /// translates.
    RawTranslation {
        /// Lessons: the objectives and questions, translated.
        objectives: Option<At<Vec<String>>>,
        #[serde(default)]
        questions: Vec<String>,
        /// May repeat the translated page's id, which is what readers' progress is kept under.
        id: Option<At<String>>,
        /// Written by `playbook translations mark`: which version of its page this translates.
        translation: Option<At<Recorded>>,
    }
);

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

/// What a translation records of the page it translates (see `translations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// A hash of the page's text (title, description, objectives, questions and body).
    pub source: String,
    /// One hash per section of the page: its front matter's text, then the text before its
    /// first heading, then each section under a heading.
    #[serde(default)]
    pub sections: Vec<String>,
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
