//! The site as data: a flat arena of pages keyed by [`PageId`], with relations (parent,
//! children) stored as ids. One [`Site`] holds the pages of one language of one edition.
//!
//! Built in steps, each a module: [`files`] groups the Markdown files by the page they are
//! (a page and its translations, `NAME.md` and `NAME.es.md`) and sets aside files that are no
//! pages; [`folders`] learns each folder's role from its `_index.md`; [`pages`] reads every
//! page's front matter by the schema of its kind, in parallel, and merges a translation with
//! the page it translates; [`checks`] does what needs more than one file (unique ids, URL
//! clashes). Nothing here reads the disk or renders Markdown.

pub mod checks;
pub mod files;
mod folders;
mod pages;

pub use crate::util::{MAX_ID_LEN, is_valid_id};
pub use checks::nearest_page;
pub use files::Grouped;

use crate::config::Config;
use crate::diagnostics::{Diagnostics, Source};
use crate::frontmatter::{Author, CompleteOn};
use crate::load::Loaded;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PageId(pub u32);

impl PageId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Page,
    Section,
    Book,
    Chapter,
    Articles,
    Article,
    Lessons,
    Lesson,
    Course,
    Module,
    CourseLesson,
}

impl PageKind {
    /// The name used in `data-page-kind`, template names and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Page => "page",
            PageKind::Section => "section",
            PageKind::Book => "book",
            PageKind::Chapter => "chapter",
            PageKind::Articles => "articles",
            PageKind::Article => "article",
            PageKind::Lessons => "lessons",
            PageKind::Lesson => "lesson",
            PageKind::Course => "course",
            PageKind::Module => "module",
            PageKind::CourseLesson => "course-lesson",
        }
    }

    /// How messages name a page of this kind ("a chapter").
    pub fn describe(self) -> &'static str {
        match self {
            PageKind::Home => "the home page",
            PageKind::Page => "a page",
            PageKind::Section => "a section",
            PageKind::Book => "a book",
            PageKind::Chapter => "a chapter",
            PageKind::Articles => "a collection of monographs",
            PageKind::Article => "a monograph",
            PageKind::Lessons => "a collection of lessons",
            PageKind::Lesson => "a lesson",
            PageKind::Course => "a course",
            PageKind::Module => "a course module",
            PageKind::CourseLesson => "a course lesson",
        }
    }

    pub fn is_collection(self) -> bool {
        matches!(
            self,
            PageKind::Book
                | PageKind::Articles
                | PageKind::Lessons
                | PageKind::Course
                | PageKind::Section
        )
    }

    /// Returns true if and only if a page of this kind is an `_index.md` (a collection or a
    /// module).
    pub fn is_index(self) -> bool {
        self.is_collection() || self == PageKind::Module
    }
}

/// A date as precisely as it is known: a year, a month of a year, or a day; checked to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; `None` for anything else or a day that does
    /// not exist.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().split('-');
        let year = parts.next().filter(|y| y.len() == 4)?.parse::<u16>().ok()?;
        let month = match parts.next() {
            Some(m) if m.len() == 2 => Some(m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?),
            Some(_) => return None,
            None => None,
        };
        let day = match (parts.next(), month) {
            (Some(d), Some(m)) if d.len() == 2 => {
                let d = d.parse::<u8>().ok()?;
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let days = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ];
                (1..=days[usize::from(m) - 1]).contains(&d).then_some(d)?;
                Some(d)
            }
            (Some(_), _) => return None,
            (None, _) => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// As written in ISO 8601, as precise as it is known (`2014`, `2014-11`, `2014-11-20`).
    pub fn iso(self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// The first day the date could be, in full (`2014-01-01` for `2014`), for feeds.
    pub fn first_day(self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.year,
            self.month.unwrap_or(1),
            self.day.unwrap_or(1)
        )
    }

    /// As the language of `strings` writes it.
    pub fn long(self, strings: &crate::i18n::Strings) -> String {
        strings.date(self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone)]
pub enum Meta {
    Plain,
    Course {
        id: String,
        complete_on: CompleteOn,
        pass_mark: u32,
    },
    Module {
        id: String,
    },
    Article {
        /// `None` when the report's date is not known.
        date: Option<Date>,
        authors: Vec<Author>,
    },
    /// Lessons of a `lessons` collection and of a course.
    Lesson {
        id: Option<String>,
        objectives: Vec<String>,
        questions: Vec<String>,
        duration_minutes: Option<u32>,
    },
}

/// Where a page's text comes from, in the language being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Written in this language.
    Original,
    /// A translation into this language.
    Translation,
    /// Not translated into this language: shown in its own language, with a notice.
    Fallback,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub id: PageId,
    pub kind: PageKind,
    /// The page's key: the path of its file relative to `content/`, `/`-separated (for a
    /// translation, the path of the page it translates).
    pub rel: String,
    /// The file this language's page comes from.
    pub source: Source,
    /// Byte range of the front matter's YAML and of the Markdown body in `source`.
    pub yaml: Range<usize>,
    pub body: Range<usize>,
    /// Output path relative to the base path: `""` for home, else ending in `/`.
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    /// The language the page's text is written in.
    pub lang: String,
    pub search: bool,
    pub meta: Meta,
    pub parent: Option<PageId>,
    pub children: Vec<PageId>,
    /// Position among its siblings of the same kind, from 1 (chapter 3, module 2, lesson 1).
    pub number: Option<usize>,
    /// Collections only: orders siblings before their folder names do.
    pub weight: i32,
    pub version: Version,
    /// The site's glossary page (`glossary: true`).
    pub glossary: bool,
    /// Where the page's `id:` is written, in `source` (for messages about ids).
    pub id_at: Range<usize>,
    /// A translation's standing against the page it translates.
    pub translation: Option<crate::translations::Status>,
}

impl Page {
    pub fn body_text(&self) -> &str {
        &self.source.text[self.body.clone()]
    }

    /// The stable id readers' progress is keyed by (courses, modules, lessons with one).
    pub fn stable_id(&self) -> Option<&str> {
        match &self.meta {
            Meta::Course { id, .. } | Meta::Module { id } => Some(id),
            Meta::Lesson { id, .. } => id.as_deref(),
            _ => None,
        }
    }

    /// Returns true if and only if the page goes into its language's search index: not with
    /// `search: false`, and not a page shown in another language (a fallback), which is found
    /// in that language's index.
    pub fn searchable(&self) -> bool {
        self.search && self.version != Version::Fallback
    }

    pub fn duration_minutes(&self) -> Option<u32> {
        match &self.meta {
            Meta::Lesson {
                duration_minutes, ..
            } => *duration_minutes,
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub pages: Vec<Page>,
    /// Page by its key (path relative to `content/` of the page's source file).
    pub by_rel: HashMap<String, PageId>,
    /// Content paths of pages left out as drafts (so links to them get a precise message).
    pub drafts: HashSet<String>,
    /// Keys of pages that exist but could not be read (their errors are reported; links to
    /// them are not reported again).
    pub broken: HashSet<String>,
    /// Keys of pages left out of this language (`fallback: omit`): links to them lead to the
    /// page in its own language, at these URLs under the site's root.
    pub elsewhere: HashMap<String, String>,
    /// The translation suffixes of the site's other languages (`.es.md`).
    pub suffixes: Vec<String>,
    pub home: PageId,
    /// The terms the glossary page defines (the titles of its definition lists, in order);
    /// empty without a glossary page.
    pub glossary_terms: Vec<String>,
}

impl Site {
    /// The key of the page a link to content path `rel` names: the page itself, or for a
    /// translation's file (`01-why.es.md`), the page it translates.
    pub fn source_key(&self, rel: &str) -> String {
        files::key_of(rel, &self.suffixes).0
    }

    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }

    /// The ancestors of `id`, nearest first (not including `id`).
    pub fn ancestors(&self, id: PageId) -> impl Iterator<Item = &Page> {
        std::iter::successors(self.page(id).parent, |p| self.page(*p).parent).map(|p| self.page(p))
    }

    /// The course a page belongs to (itself if it is a course).
    pub fn course_of(&self, id: PageId) -> Option<&Page> {
        std::iter::once(self.page(id))
            .chain(self.ancestors(id))
            .find(|p| p.kind == PageKind::Course)
    }

    /// The lessons of a course in reading order, across module boundaries.
    pub fn course_lessons(&self, course: PageId) -> Vec<PageId> {
        self.page(course)
            .children
            .iter()
            .flat_map(|m| self.page(*m).children.iter().copied())
            .collect()
    }

    /// The site's glossary page, if one is marked `glossary: true`.
    pub fn glossary(&self) -> Option<&Page> {
        self.pages.iter().find(|p| p.glossary)
    }
}

/// What building one language's model needs besides the config.
pub struct Inputs<'a> {
    pub loaded: &'a Loaded,
    pub grouped: &'a Grouped,
    pub include_drafts: bool,
    /// Report problems of the pages' own files (true for the default language's build only,
    /// so each is reported once); a translation's problems are reported in its language.
    pub report_sources: bool,
}

/// Builds the model of the language `config.language`. Returns `None` only when the site cannot
/// be modelled at all (no home page); every problem is in the diagnostics.
pub fn build(config: Config, inputs: &Inputs, diags: &mut Diagnostics) -> Option<Site> {
    let mut own = Diagnostics::default();
    let folders = folders::roles(&config, inputs, &mut own, diags);
    if inputs.report_sources {
        diags.extend(own);
    }
    let drafts = pages::parse_all(&config, inputs, &folders);
    let site = pages::assemble(config, inputs, folders, drafts, diags)?;
    if inputs.report_sources {
        checks::urls(&site, diags);
        checks::stable_ids(&site, diags);
    }
    Some(site)
}

/// The terms a glossary page's Markdown `body` defines: the titles of its definition lists
/// (`Term` on a line, `: definition` below it), in order, as plain text.
pub fn glossary_terms(body: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut terms = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(body, Options::ENABLE_DEFINITION_LIST) {
        match event {
            Event::Start(Tag::DefinitionListTitle) => current = Some(String::new()),
            Event::End(TagEnd::DefinitionListTitle) => terms.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = &mut current {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    terms
}

/// The model of a site written as a string (`//- content/a.md` starts a file; a
/// `//- playbook.yaml` is optional), for tests of the stages after the model. Panics on errors.
#[cfg(test)]
pub fn fixture(spec: &str) -> Site {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let config_text = files
        .iter()
        .find(|(p, _)| p == "playbook.yaml")
        .map_or_else(|| "title: Test\n".to_string(), |(_, t)| t.clone());
    let config = Config::parse(&Source::new("playbook.yaml", config_text), None)
        .unwrap_or_else(|d| panic!("{}", d.to_plain_string()));
    let content = files
        .iter()
        .filter_map(|(p, t)| {
            let rel = p.strip_prefix("content/")?;
            Some(crate::load::ContentFile {
                rel: rel.to_string(),
                source: Source::new(p.clone(), t.clone()),
            })
        })
        .collect();
    let loaded = Loaded {
        root: std::path::PathBuf::from("."),
        content,
        assets: Vec::new(),
        static_files: Vec::new(),
        theme_files: Default::default(),
        texts: Default::default(),
        i18n: Default::default(),
    };
    let mut diags = Diagnostics::default();
    let grouped = files::group(&config, &loaded, &mut diags);
    let inputs = Inputs {
        loaded: &loaded,
        grouped: &grouped,
        include_drafts: false,
        report_sources: true,
    };
    let site = build(config, &inputs, &mut diags);
    assert!(!diags.has_errors(), "{}", diags.to_plain_string());
    site.expect("the fixture has a home page")
}
