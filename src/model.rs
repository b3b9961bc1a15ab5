//! The site as data: a flat arena of pages keyed by [`PageId`], with relations (parent,
//! children) stored as ids. Built from the loaded files by reading each folder's `_index.md`
//! to learn its role (collection, module), then each page's front matter by the schema of its
//! kind, in parallel. Validation that needs more than one file (unique ids, URL clashes) is
//! done here too. Nothing here reads the disk or renders Markdown.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::frontmatter::{self as fm, Author, CollectionKind, CompleteOn};
use crate::load::Loaded;
use crate::util::{slugify, strip_order_prefix};
use crate::yaml::{self, YamlSpot};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap, HashSet};
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
}

/// A calendar date, checked to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parses `YYYY-MM-DD`; returns `None` for anything else or a day that does not exist.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year: u16 = text[0..4].parse().ok()?;
        let month: u8 = text[5..7].parse().ok()?;
        let day: u8 = text[8..10].parse().ok()?;
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
        (1..=12).contains(&month).then_some(())?;
        (1..=days[month as usize - 1])
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// "May 1, 2014".
    pub fn long(self) -> String {
        format!(
            "{} {}, {}",
            MONTHS[self.month as usize - 1],
            self.day,
            self.year
        )
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
        date: Date,
        authors: Vec<Author>,
    },
    /// Lessons of a `lessons` collection and of a course.
    Lesson {
        id: Option<String>,
        objectives: Vec<String>,
        duration_minutes: Option<u32>,
    },
}

#[derive(Debug, Clone)]
pub struct Page {
    pub id: PageId,
    pub kind: PageKind,
    /// Path relative to `content/`, `/`-separated.
    pub rel: String,
    pub source: Source,
    /// Byte range of the front matter's YAML and of the Markdown body in `source`.
    pub yaml: Range<usize>,
    pub body: Range<usize>,
    /// Output path relative to the base path: `""` for home, else ending in `/`.
    pub url: String,
    pub title: String,
    pub description: Option<String>,
    pub lang: String,
    pub search: bool,
    pub meta: Meta,
    pub parent: Option<PageId>,
    pub children: Vec<PageId>,
    /// Position among its siblings of the same kind, from 1 (chapter 3, module 2, lesson 1).
    pub number: Option<usize>,
    /// Collections only: orders siblings before their folder names do.
    pub weight: i32,
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
    /// Page by its path relative to `content/`.
    pub by_rel: HashMap<String, PageId>,
    /// Content paths of pages left out as drafts (so links to them get a precise message).
    pub drafts: HashSet<String>,
    /// Content paths of pages that exist but could not be read (their errors are reported;
    /// links to them are not reported again).
    pub broken: HashSet<String>,
    pub home: PageId,
}

impl Site {
    /// The content path a link to `rel` names: the page it translates, for a translation's file.
    pub fn source_key(&self, rel: &str) -> String {
        rel.to_string()
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
}

/// What a folder under `content/` is, learned from its `_index.md` and its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Collection(CollectionKind),
    Module,
    /// A folder of images or downloads, or one already reported as wrong.
    Plain,
}

#[derive(Default)]
struct Dir {
    index: Option<usize>,
    files: Vec<usize>,
    has_md_below: bool,
}

/// A page parsed from its file, before ids and relations are assigned.
struct Draft {
    file: usize,
    dir: String,
    kind: PageKind,
    yaml: Range<usize>,
    body: Range<usize>,
    url: String,
    title: String,
    description: Option<String>,
    lang: Option<String>,
    draft: bool,
    search: Option<bool>,
    meta: Meta,
    weight: i32,
}

fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

fn url_segment(name: &str) -> String {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let stripped = strip_order_prefix(stem);
    let slug = slugify(stripped);
    if slug.is_empty() {
        stem.to_string()
    } else {
        slug
    }
}

/// Builds the site model. Returns `None` only when the site cannot be modelled at all (no
/// home page); every problem is in the diagnostics.
pub fn build(
    config: Config,
    loaded: &Loaded,
    include_drafts: bool,
    diags: &mut Diagnostics,
) -> Option<Site> {
    let files = &loaded.content;
    let mut dirs: BTreeMap<String, Dir> = BTreeMap::new();
    dirs.entry(String::new()).or_default();
    for (i, f) in files.iter().enumerate() {
        let dir = parent_dir(&f.rel).to_string();
        let mut d = dir.as_str();
        loop {
            dirs.entry(d.to_string()).or_default().has_md_below = true;
            if d.is_empty() {
                break;
            }
            d = parent_dir(d);
        }
        let entry = dirs.entry(dir).or_default();
        if file_name(&f.rel) == "_index.md" {
            entry.index = Some(i);
        } else {
            entry.files.push(i);
        }
    }

    // Phase A: the role and URL of every folder, from its parent's role and its `_index.md`.
    let mut roles: HashMap<String, Role> = HashMap::new();
    let mut dir_urls: HashMap<String, String> = HashMap::new();
    let mut drafts_out: HashSet<String> = HashSet::new();
    let mut index_drafts: Vec<Draft> = Vec::new();
    roles.insert(String::new(), Role::Root);
    dir_urls.insert(String::new(), String::new());
    for (dir, info) in &dirs {
        if dir.is_empty() {
            continue;
        }
        let parent = parent_dir(dir);
        let parent_role = roles.get(parent).copied().unwrap_or(Role::Plain);
        let url = format!(
            "{}{}/",
            dir_urls.get(parent).map_or("", String::as_str),
            url_segment(file_name(dir))
        );
        let role = match (parent_role, info.index) {
            (Role::Plain, _) => Role::Plain,
            (_, _) if !info.has_md_below => Role::Plain,
            (_, _) if drafts_out.contains(parent) => {
                drafts_out.insert(dir.clone());
                Role::Plain
            }
            (Role::Root | Role::Collection(CollectionKind::Section), Some(i)) => {
                match parse_index::<fm::RawCollection>(
                    files[i].source.clone(),
                    "the `_index.md` of a collection",
                    diags,
                ) {
                    Some((raw, split)) => {
                        let kind = raw.kind;
                        let draft = check_collection(&raw, &files[i].source, &split.yaml, diags);
                        let page_kind = match kind {
                            CollectionKind::Book => PageKind::Book,
                            CollectionKind::Articles => PageKind::Articles,
                            CollectionKind::Lessons => PageKind::Lessons,
                            CollectionKind::Course => PageKind::Course,
                            CollectionKind::Section => PageKind::Section,
                        };
                        let meta = if kind == CollectionKind::Course {
                            Meta::Course {
                                id: raw.id.clone().unwrap_or_default(),
                                complete_on: raw.complete_on.unwrap_or_default(),
                                pass_mark: raw.pass_mark.unwrap_or(80),
                            }
                        } else {
                            Meta::Plain
                        };
                        index_drafts.push(Draft {
                            file: i,
                            dir: dir.clone(),
                            kind: page_kind,
                            yaml: split.yaml,
                            body: split.body,
                            url: url.clone(),
                            title: raw.title,
                            description: raw.description,
                            lang: raw.lang,
                            draft,
                            search: raw.search,
                            meta,
                            weight: raw.weight,
                        });
                        if draft && !include_drafts {
                            drafts_out.insert(dir.clone());
                            Role::Plain
                        } else {
                            Role::Collection(kind)
                        }
                    }
                    None => Role::Plain,
                }
            }
            (Role::Collection(CollectionKind::Course), Some(i)) => {
                match parse_index::<fm::RawModule>(
                    files[i].source.clone(),
                    "the `_index.md` of a course module",
                    diags,
                ) {
                    Some((raw, split)) => {
                        check_id(&raw.id, &files[i].source, &split.yaml, diags);
                        index_drafts.push(Draft {
                            file: i,
                            dir: dir.clone(),
                            kind: PageKind::Module,
                            yaml: split.yaml,
                            body: split.body,
                            url: url.clone(),
                            title: raw.title,
                            description: raw.description,
                            lang: raw.lang,
                            draft: raw.draft,
                            search: raw.search,
                            meta: Meta::Module { id: raw.id },
                            weight: 0,
                        });
                        if raw.draft && !include_drafts {
                            drafts_out.insert(dir.clone());
                            Role::Plain
                        } else {
                            Role::Module
                        }
                    }
                    None => Role::Plain,
                }
            }
            (
                Role::Root | Role::Collection(CollectionKind::Section | CollectionKind::Course),
                None,
            ) => {
                diags.push(
                    Diagnostic::error(format!("the folder `content/{dir}` holds Markdown files but has no `_index.md`"))
                        .hint(format!(
                            "create `content/{dir}/_index.md` starting with `---`, `title: …` and `kind: book` (or \
                             articles, lessons, course, section), then `---`; inside a course, a module's \
                             `_index.md` needs `title` and `id`."
                        )),
                );
                Role::Plain
            }
            (Role::Collection(_) | Role::Module, _) => {
                let what = match parent_role {
                    Role::Collection(kind) => format!("a `{}` collection", kind_name(kind)),
                    _ => "a course module".to_string(),
                };
                diags.push(
                    Diagnostic::error(format!("the folder `content/{dir}` holds Markdown files, but folders of pages cannot be nested inside {what}"))
                        .hint("move its pages up into the collection, or make it a collection of its own beside this one (or inside a `section`)."),
                );
                Role::Plain
            }
        };
        roles.insert(dir.clone(), role);
        dir_urls.insert(dir.clone(), url);
    }

    // Phase B: every page file, parsed by the schema of its folder's role, in parallel.
    let page_files: Vec<(usize, &str, Role)> = dirs
        .iter()
        .filter(|(dir, _)| !drafts_out.contains(*dir))
        .flat_map(|(dir, info)| {
            let role = roles.get(dir).copied().unwrap_or(Role::Plain);
            let mut v: Vec<(usize, &str, Role)> = info
                .files
                .iter()
                .map(|&i| (i, dir.as_str(), role))
                .collect();
            if dir.is_empty() {
                if let Some(i) = info.index {
                    v.push((i, dir.as_str(), Role::Plain));
                }
            }
            v
        })
        .collect();
    let parsed: Vec<(usize, Result<Option<Draft>, Diagnostic>)> = page_files
        .par_iter()
        .map(|&(i, dir, role)| {
            (
                i,
                parse_page(
                    &files[i],
                    i,
                    dir,
                    role,
                    dir_urls.get(dir).map_or("", String::as_str),
                ),
            )
        })
        .collect();
    let mut page_drafts = index_drafts;
    let mut broken = HashSet::new();
    for (i, p) in parsed {
        match p {
            Ok(Some(d)) => page_drafts.push(d),
            Ok(None) => {}
            Err(d) => {
                broken.insert(files[i].rel.clone());
                diags.push(d);
            }
        }
    }

    // Phase C: ids, relations, numbers, cross-file checks.
    page_drafts.sort_by(|a, b| files[a.file].rel.cmp(&files[b.file].rel));
    let mut pages: Vec<Page> = Vec::with_capacity(page_drafts.len());
    let mut by_rel = HashMap::new();
    let mut index_of_dir: HashMap<String, PageId> = HashMap::new();
    for d in page_drafts {
        let file = &files[d.file];
        if d.draft && !include_drafts {
            drafts_out.insert(file.rel.clone());
            continue;
        }
        let id = PageId(pages.len() as u32);
        by_rel.insert(file.rel.clone(), id);
        if d.kind.is_collection() || d.kind == PageKind::Module {
            index_of_dir.insert(d.dir.clone(), id);
        }
        let lang = d.lang.unwrap_or_else(|| config.language.clone());
        pages.push(Page {
            id,
            kind: d.kind,
            rel: file.rel.clone(),
            source: file.source.clone(),
            yaml: d.yaml,
            body: d.body,
            url: d.url,
            title: d.title,
            description: d.description,
            lang,
            search: d.search.unwrap_or(true),
            meta: d.meta,
            parent: None,
            children: Vec::new(),
            number: None,
            weight: d.weight,
        });
    }
    let home = match by_rel.get("index.md") {
        Some(h) => *h,
        None => {
            diags.push(Diagnostic::error("the site has no home page").hint(
                "create `content/index.md` starting with `---`, `title: …`, `---`, followed by a welcome text.",
            ));
            return None;
        }
    };
    for i in 0..pages.len() {
        let p = &pages[i];
        if p.id == home {
            continue;
        }
        let own_dir = if p.kind.is_collection() || p.kind == PageKind::Module {
            parent_dir(parent_dir(&p.rel))
        } else {
            parent_dir(&p.rel)
        };
        let parent = index_of_dir.get(own_dir).copied().unwrap_or(home);
        pages[i].parent = Some(parent);
        pages[parent.index()].children.push(PageId(i as u32));
    }
    for i in 0..pages.len() {
        let mut children = std::mem::take(&mut pages[i].children);
        if pages[i].kind == PageKind::Articles {
            let date = |id: &PageId| match &pages[id.index()].meta {
                Meta::Article { date, .. } => Some(*date),
                _ => None,
            };
            children.sort_by(|a, b| {
                date(b)
                    .cmp(&date(a))
                    .then_with(|| pages[a.index()].rel.cmp(&pages[b.index()].rel))
            });
        } else {
            children.sort_by_key(|c| (pages[c.index()].weight, pages[c.index()].rel.clone()));
        }
        let numbered = matches!(
            pages[i].kind,
            PageKind::Book | PageKind::Lessons | PageKind::Course | PageKind::Module
        );
        if numbered {
            for (n, c) in children.iter().enumerate() {
                pages[c.index()].number = Some(n + 1);
            }
        }
        pages[i].children = children;
    }

    let site = Site {
        config,
        pages,
        by_rel,
        drafts: drafts_out,
        broken,
        home,
    };
    check_urls(&site, diags);
    check_stable_ids(&site, diags);
    Some(site)
}

fn kind_name(kind: CollectionKind) -> &'static str {
    match kind {
        CollectionKind::Book => "book",
        CollectionKind::Articles => "articles",
        CollectionKind::Lessons => "lessons",
        CollectionKind::Course => "course",
        CollectionKind::Section => "section",
    }
}

fn parse_index<T: DeserializeOwned>(
    source: Source,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<(T, fm::Split)> {
    let split = match fm::split(&source) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let spot = YamlSpot {
        source: &source,
        yaml: &source.text[split.yaml.clone()],
        first_line: 2,
        what,
    };
    match yaml::parse::<T>(&spot) {
        Ok(raw) => Some((raw, split)),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Checks the keys a collection may only have as a course; returns its `draft` flag.
fn check_collection(
    raw: &fm::RawCollection,
    source: &Source,
    yaml: &Range<usize>,
    diags: &mut Diagnostics,
) -> bool {
    if raw.kind == CollectionKind::Course {
        match &raw.id {
            Some(id) => check_id(id, source, yaml, diags),
            None => diags.push(
                Diagnostic::error("a course needs an `id`")
                    .at(source, fm::key_value_range(source, yaml, "kind").unwrap_or(0..0))
                    .label("this is a course")
                    .hint("add a line like `id: rccp-foundations`: readers' progress is kept under it, so never change it once published."),
            ),
        }
        if let Some(mark) = raw.pass_mark {
            if mark > 100 {
                diags.push(
                    Diagnostic::error(format!("a pass mark of {mark} is more than 100 percent"))
                        .at(source, fm::key_value_range(source, yaml, "pass_mark").unwrap_or(0..0))
                        .hint("give the pass mark as a percentage from 0 to 100, e.g. `pass_mark: 80`."),
                );
            }
        }
    } else {
        for (key, present) in [
            ("id", raw.id.is_some()),
            ("complete_on", raw.complete_on.is_some()),
            ("pass_mark", raw.pass_mark.is_some()),
        ] {
            if present {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` is only used by courses, and this collection is a `{}`",
                        kind_name(raw.kind)
                    ))
                    .at(
                        source,
                        fm::key_value_range(source, yaml, key)
                            .map_or(0..0, |r| r.start.saturating_sub(key.len() + 2)..r.start),
                    )
                    .label("only for `kind: course`")
                    .hint(format!(
                        "remove `{key}`, or set `kind: course` if this folder is a course."
                    )),
                );
            }
        }
    }
    raw.draft
}

pub use crate::util::{MAX_ID_LEN, is_valid_id};

fn check_id(id: &str, source: &Source, yaml: &Range<usize>, diags: &mut Diagnostics) {
    if !is_valid_id(id) {
        diags.push(
            Diagnostic::error(format!("`{id}` cannot be used as an id"))
                .at(source, fm::key_value_range(source, yaml, "id").unwrap_or(0..0))
                .label("not a valid id")
                .hint(format!(
                    "use lowercase letters, digits and single hyphens, e.g. `{}`. Ids are how readers' progress is kept, so choose one and keep it.",
                    { let s = slugify(id); if s.is_empty() { "identity-who-am-i".to_string() } else { s } }
                )),
        );
    }
}

fn parse_page(
    file: &crate::load::ContentFile,
    i: usize,
    dir: &str,
    role: Role,
    dir_url: &str,
) -> Result<Option<Draft>, Diagnostic> {
    let name = file_name(&file.rel);
    let kind = match role {
        Role::Root if file.rel == "index.md" => PageKind::Home,
        Role::Root if name == "_index.md" => {
            return Err(Diagnostic::error(
                "the home page is `content/index.md`, not `content/_index.md`",
            )
            .at(&file.source, 0..0)
            .hint("rename this file to `content/index.md`."));
        }
        Role::Root | Role::Collection(CollectionKind::Section) => PageKind::Page,
        Role::Collection(CollectionKind::Book) => PageKind::Chapter,
        Role::Collection(CollectionKind::Articles) => PageKind::Article,
        Role::Collection(CollectionKind::Lessons) => PageKind::Lesson,
        Role::Module => PageKind::CourseLesson,
        Role::Collection(CollectionKind::Course) => {
            return Err(Diagnostic::error("course lessons go inside a module folder, not directly in the course")
                .at(&file.source, 0..0)
                .hint(format!("move this file into a module folder such as `content/{dir}/01-first-module/` (with its own `_index.md`).")));
        }
        Role::Plain => return Ok(None),
    };
    if name == "index.md" && kind != PageKind::Home {
        return Err(Diagnostic::error("a page cannot be named `index.md` here")
            .at(&file.source, 0..0)
            .hint("a collection's own page is `_index.md`; give other pages a name of their own, e.g. `01-introduction.md`."));
    }
    let source = &file.source;
    let split = fm::split(source)?;
    let what = format!("the front matter of {}", kind.describe());
    let spot = YamlSpot {
        source,
        yaml: &source.text[split.yaml.clone()],
        first_line: 2,
        what: &what,
    };
    let url = if kind == PageKind::Home {
        String::new()
    } else {
        format!("{dir_url}{}/", url_segment(name))
    };
    let mut draft = Draft {
        file: i,
        dir: dir.to_string(),
        kind,
        yaml: split.yaml.clone(),
        body: split.body,
        url,
        title: String::new(),
        description: None,
        lang: None,
        draft: false,
        search: None,
        meta: Meta::Plain,
        weight: 0,
    };
    match kind {
        PageKind::Home | PageKind::Page | PageKind::Chapter => {
            let raw: fm::RawPage = yaml::parse(&spot)?;
            (
                draft.title,
                draft.description,
                draft.lang,
                draft.draft,
                draft.search,
            ) = (raw.title, raw.description, raw.lang, raw.draft, raw.search);
        }
        PageKind::Article => {
            let raw: fm::RawArticle = yaml::parse(&spot)?;
            let date = Date::parse(&raw.date).ok_or_else(|| {
                Diagnostic::error(format!("`{}` is not a date", raw.date))
                    .at(
                        source,
                        fm::key_value_range(source, &split.yaml, "date").unwrap_or(0..0),
                    )
                    .label("expected YYYY-MM-DD")
                    .hint("write the date as year-month-day, e.g. `date: 2014-09-04`.")
            })?;
            if raw.authors.is_empty() {
                return Err(Diagnostic::error("a monograph needs at least one author")
                    .at(source, fm::key_value_range(source, &split.yaml, "authors").unwrap_or(0..0))
                    .hint("list the authors, each as `- name: …` with optional `role: …` and `place: …` lines below it."));
            }
            draft.meta = Meta::Article {
                date,
                authors: raw.authors,
            };
            (
                draft.title,
                draft.description,
                draft.lang,
                draft.draft,
                draft.search,
            ) = (raw.title, raw.description, raw.lang, raw.draft, raw.search);
        }
        PageKind::Lesson => {
            let raw: fm::RawLesson = yaml::parse(&spot)?;
            if let Some(id) = &raw.id {
                let mut d = Diagnostics::default();
                check_id(id, source, &split.yaml, &mut d);
                if let Some(e) = d.iter().next() {
                    return Err(e.clone());
                }
            }
            check_objectives(&raw.objectives, source, &split.yaml)?;
            draft.meta = Meta::Lesson {
                id: raw.id,
                objectives: raw.objectives,
                duration_minutes: raw.duration_minutes,
            };
            (
                draft.title,
                draft.description,
                draft.lang,
                draft.draft,
                draft.search,
            ) = (raw.title, raw.description, raw.lang, raw.draft, raw.search);
        }
        PageKind::CourseLesson => {
            let raw: fm::RawCourseLesson = yaml::parse(&spot)?;
            let mut d = Diagnostics::default();
            check_id(&raw.id, source, &split.yaml, &mut d);
            if let Some(e) = d.iter().next() {
                return Err(e.clone());
            }
            check_objectives(&raw.objectives, source, &split.yaml)?;
            draft.meta = Meta::Lesson {
                id: Some(raw.id),
                objectives: raw.objectives,
                duration_minutes: Some(raw.duration_minutes),
            };
            (
                draft.title,
                draft.description,
                draft.lang,
                draft.draft,
                draft.search,
            ) = (raw.title, raw.description, raw.lang, raw.draft, raw.search);
        }
        _ => unreachable!("collections and modules are read from their _index.md"),
    }
    if draft.title.trim().is_empty() {
        return Err(Diagnostic::error("the title is empty")
            .at(
                source,
                fm::key_value_range(source, &split.yaml, "title").unwrap_or(0..0),
            )
            .hint("give the page a title: `title: Why multi-year partnerships`."));
    }
    Ok(Some(draft))
}

fn check_objectives(
    objectives: &[String],
    source: &Source,
    yaml: &Range<usize>,
) -> Result<(), Diagnostic> {
    if objectives.is_empty() {
        return Err(Diagnostic::error("a lesson needs at least one learning objective")
            .at(source, fm::key_value_range(source, yaml, "objectives").unwrap_or(0..0))
            .hint("list what the reader will be able to do, one `- …` line each under `objectives:`."));
    }
    Ok(())
}

fn check_urls(site: &Site, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Page> = HashMap::new();
    for p in &site.pages {
        if let Some(other) = seen.insert(&p.url, p) {
            diags.push(
                Diagnostic::error(format!("`{}` and `{}` would both be published at `/{}`", other.source.name, p.source.name, p.url))
                    .at(&p.source, 0..0)
                    .hint("the number before the first dash is dropped from addresses, so `01-intro.md` and `02-intro.md` clash; rename one of the files."),
            );
        }
    }
}

/// Course, module and lesson ids must be unique: readers' progress is stored under them.
fn check_stable_ids(site: &Site, diags: &mut Diagnostics) {
    let mut courses: HashMap<&str, &Page> = HashMap::new();
    let mut lesson_ids: HashMap<(Option<PageId>, &str), &Page> = HashMap::new();
    for p in &site.pages {
        let Some(id) = p.stable_id() else { continue };
        let clash = match p.kind {
            PageKind::Course => courses.insert(id, p),
            PageKind::Module | PageKind::CourseLesson | PageKind::Lesson => {
                let scope = if p.kind == PageKind::Lesson {
                    p.parent
                } else {
                    site.course_of(p.id).map(|c| c.id)
                };
                lesson_ids.insert((scope, id), p)
            }
            _ => None,
        };
        if let Some(first) = clash {
            diags.push(
                Diagnostic::error(format!("the id `{id}` is already used by `{}`", first.source.name))
                    .at(&p.source, fm::key_value_range(&p.source, &p.yaml, "id").unwrap_or(0..0))
                    .label("used twice")
                    .hint("give each course, module and lesson an id of its own; readers' progress is kept by id."),
            );
        }
    }
}

/// Suggests the content file nearest to a mistyped link target: one whose path is a few
/// edits away (a typo), not merely one that starts alike.
pub fn nearest_page<'a>(site: &'a Site, rel: &str) -> Option<&'a str> {
    site.by_rel
        .keys()
        .map(|k| (strsim::normalized_levenshtein(rel, k), k.as_str()))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            Date::parse("2014-09-04").map(Date::long).as_deref(),
            Some("September 4, 2014")
        );
        assert!(Date::parse("2014-02-30").is_none());
        assert!(Date::parse("2016-02-29").is_some());
        assert!(Date::parse("14-9-4").is_none());
    }

    #[test]
    fn ids_are_lowercase_words() {
        assert!(is_valid_id("identity-who-am-i"));
        assert!(!is_valid_id("Identity"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id(""));
    }
}
