//! Reading pages: each page's front matter by the schema of its kind (every problem of a file
//! reported, not only the first), merged with its translation into the language being built,
//! then assembled into the arena with ids, parents, children and numbers.

use super::folders::{Folders, Role};
use super::{Date, Inputs, Meta, PageKind, Version};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Source};
use crate::frontmatter::{self as fm, At, CollectionKind, Common};
use crate::util::{slugify, strip_order_prefix};
use crate::yaml::{self, YamlSpot};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::ops::Range;

mod assemble;
mod translate;
pub(super) use assemble::assemble;
pub(super) use translate::choose_version;

/// A page read from its files, before ids and relations are assigned.
pub(super) struct Draft {
    pub key: String,
    /// The file whose text is shown (`Loaded::content` index).
    pub file: usize,
    pub dir: String,
    pub kind: PageKind,
    pub yaml: Range<usize>,
    pub body: Range<usize>,
    pub url: String,
    /// The page's URL in its own language, for links from a language that leaves it out.
    pub home_url: String,
    pub title: String,
    pub description: Option<String>,
    pub lang: String,
    pub draft: bool,
    pub search: Option<bool>,
    pub meta: Meta,
    pub weight: i32,
    pub version: Version,
    pub glossary: bool,
    pub id_at: Range<usize>,
    pub translation: Option<crate::translations::Status>,
    /// Warnings about the page (an outdated translation), reported with the page.
    pub warnings: Vec<Diagnostic>,
    /// Left out of the language being built (`fallback: omit`).
    pub omitted: bool,
}

pub(super) fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

pub(super) fn file_name(rel: &str) -> &str {
    rel.rfind('/').map_or(rel, |i| &rel[i + 1..])
}

/// The segment of a page's address its file or folder name gives (`01-why-partner.md` gives
/// `why-partner`).
pub(super) fn url_segment(name: &str) -> String {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let stripped = strip_order_prefix(stem);
    let slug = slugify(stripped);
    if slug.is_empty() {
        stem.to_string()
    } else {
        slug
    }
}

/// Reads the front matter of `source` into `T`.
pub(super) fn read<T: DeserializeOwned>(
    source: &Source,
    what: &str,
) -> Result<(T, fm::Split), Diagnostic> {
    let split = fm::split(source)?;
    let spot = YamlSpot {
        source,
        yaml: &source.text[split.yaml.clone()],
        first_line: 2,
        what,
    };
    Ok((yaml::parse::<T>(&spot)?, split))
}

/// The range in `source` of a front-matter value placed by the YAML parser.
pub(super) fn at<T>(source: &Source, v: &At<T>, len: usize) -> Range<usize> {
    let spot = YamlSpot {
        source,
        yaml: "",
        first_line: 2,
        what: "",
    };
    yaml::value_range(&spot, &v.referenced, len)
}

/// The range of the front matter's first line, where problems with no value of their own are
/// marked (a missing key).
pub(super) fn head(split: &fm::Split) -> Range<usize> {
    split.yaml.start..split.yaml.start
}

/// The checked values of the keys every page has.
pub(super) struct Checked {
    pub title: String,
    pub description: Option<String>,
    pub lang: Option<String>,
    pub draft: bool,
    pub search: Option<bool>,
    pub slug: Option<String>,
}

/// Checks the keys every page has; problems are added to `errs`.
pub(super) fn common(
    c: Common,
    source: &Source,
    split: &fm::Split,
    what: &str,
    config: &Config,
    errs: &mut Vec<Diagnostic>,
) -> Checked {
    let title = match &c.title {
        None => {
            errs.push(
                Diagnostic::error(format!("{what} has no `title`"))
                    .at(source, head(split))
                    .label("`title` is required here")
                    .hint(format!("add a line `title: …` to {what}.")),
            );
            String::new()
        }
        Some(t) if t.value.trim().is_empty() => {
            errs.push(
                Diagnostic::error("the title is empty")
                    .at(source, at(source, t, 0))
                    .hint("give the page a title: `title: Why multi-year partnerships`."),
            );
            String::new()
        }
        Some(t) => t.value.clone(),
    };
    if let Some(l) = &c.lang {
        let declared = config.languages.iter().any(|d| d.code == l.value);
        if config.multilingual() && !declared {
            let codes: Vec<&str> = config.languages.iter().map(|d| d.code.as_str()).collect();
            errs.push(
                Diagnostic::error(format!("`{}` is not one of the site's languages", l.value))
                    .at(source, at(source, l, l.value.len()))
                    .label("not in `languages:`")
                    .hint(format!("the site's languages are {}; add this one to `languages:` in playbook.yaml, or correct it.", codes.join(", "))),
            );
        } else if !l
            .value
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
            || l.value.is_empty()
        {
            errs.push(
                Diagnostic::error(format!("`{}` is not a language tag", l.value))
                    .at(source, at(source, l, l.value.len()))
                    .hint("use a language tag such as `en` or `es`."),
            );
        }
    }
    if let Some(s) = &c.slug {
        if slugify(&s.value) != s.value {
            let better = slugify(&s.value);
            errs.push(
                Diagnostic::error(format!("`{}` cannot be part of an address", s.value))
                    .at(source, at(source, s, s.value.len()))
                    .label("not a usable slug")
                    .hint(format!(
                        "use lowercase letters, digits and hyphens, e.g. `slug: {}`.",
                        if better.is_empty() {
                            "mi-pagina".into()
                        } else {
                            better
                        }
                    )),
            );
        }
    }
    Checked {
        title,
        description: c.description,
        lang: c.lang.map(|l| l.value),
        draft: c.draft,
        search: c.search,
        slug: c.slug.map(|s| s.value).filter(|s| !s.is_empty()),
    }
}

/// Checks a course, module or lesson id.
pub(super) fn check_id(id: &At<String>, source: &Source, errs: &mut Vec<Diagnostic>) {
    if !crate::util::is_valid_id(&id.value) {
        let better = slugify(&id.value);
        errs.push(
            Diagnostic::error(format!("`{}` cannot be used as an id", id.value))
                .at(source, at(source, id, id.value.len()))
                .label("not a valid id")
                .hint(format!(
                    "use lowercase letters, digits and single hyphens, e.g. `{}`. Ids are how readers' progress is kept, so choose one and keep it.",
                    if better.is_empty() { "identity-who-am-i".to_string() } else { better }
                )),
        );
    }
}

/// A required key that is missing.
pub(super) fn missing(
    source: &Source,
    split: &fm::Split,
    what: &str,
    key: &str,
    hint: &str,
) -> Diagnostic {
    Diagnostic::error(format!("{what} has no `{key}`"))
        .at(source, head(split))
        .label(format!("`{key}` is required here"))
        .hint(hint.to_string())
}

/// Reads the page with key `key` for `config.language` (folders already known). `Ok(None)`
/// for a file that is no page here, or a page left out of this language.
fn parse_page(
    config: &Config,
    inputs: &Inputs,
    folders: &Folders,
    key: &str,
) -> Result<Option<Draft>, Vec<Diagnostic>> {
    let versions = &inputs.grouped.keys[key];
    let Some(src) = versions.source else {
        return Ok(None);
    };
    let file = &inputs.loaded.content[src];
    let dir = parent_dir(key);
    let name = file_name(key);
    let Some(folder) = folders.by_dir.get(dir) else {
        return Ok(None);
    };
    let Some(kind) = page_kind(folder.role, key, &file.source)? else {
        return Ok(None);
    };
    let source = &file.source;
    let what = format!("the front matter of {}", kind.describe());
    let mut errs = Vec::new();
    let front = front_matter(kind, source, &what, &mut errs)?;
    let checked = common(front.common, source, &front.split, &what, config, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    let segment = checked.slug.clone().unwrap_or_else(|| url_segment(name));
    let (url, home_url) = if kind == PageKind::Home {
        (String::new(), String::new())
    } else {
        (
            format!("{}{segment}/", folder.url),
            format!("{}{segment}/", folder.home_url),
        )
    };
    let lang = checked
        .lang
        .clone()
        .unwrap_or_else(|| config.default_language().to_string());
    let draft = Draft {
        key: key.to_string(),
        file: src,
        dir: dir.to_string(),
        kind,
        yaml: front.split.yaml,
        body: front.split.body,
        url,
        home_url,
        title: checked.title,
        description: checked.description,
        lang,
        draft: checked.draft,
        search: checked.search,
        meta: front.meta,
        weight: 0,
        version: Version::Original,
        glossary: front.glossary,
        id_at: front.id_at,
        translation: None,
        warnings: Vec::new(),
        omitted: false,
    };
    if draft.draft && !inputs.include_drafts {
        return Ok(Some(draft));
    }
    choose_version(config, inputs, versions, draft)
}

/// The kind of the page with key `key` in a folder of `role`: `Ok(None)` for a file that is
/// no page (a folder's `_index.md`, read by `folders`; a file of a plain folder), an error for
/// a page where none can be.
fn page_kind(role: Role, key: &str, source: &Source) -> Result<Option<PageKind>, Vec<Diagnostic>> {
    let dir = parent_dir(key);
    let name = file_name(key);
    let kind = match role {
        Role::Root if key == "index.md" => PageKind::Home,
        Role::Root if name == "_index.md" => {
            return Err(vec![
                Diagnostic::error("the home page is `content/index.md`, not `content/_index.md`")
                    .at(source, 0..0)
                    .hint("rename this file to `content/index.md`."),
            ]);
        }
        _ if name == "_index.md" => return Ok(None),
        Role::Root | Role::Collection(CollectionKind::Section) => PageKind::Page,
        Role::Collection(CollectionKind::Book) => PageKind::Chapter,
        Role::Collection(CollectionKind::Articles) => PageKind::Article,
        Role::Collection(CollectionKind::Lessons) => PageKind::Lesson,
        Role::Module => PageKind::CourseLesson,
        Role::Collection(CollectionKind::Course) => {
            return Err(vec![Diagnostic::error("course lessons go inside a module folder, not directly in the course")
                .at(source, 0..0)
                .hint(format!("move this file into a module folder such as `content/{dir}/01-first-module/` (with its own `_index.md`)."))]);
        }
        Role::Plain => return Ok(None),
    };
    if name == "index.md" && kind != PageKind::Home {
        return Err(vec![Diagnostic::error("a page cannot be named `index.md` here")
            .at(source, 0..0)
            .hint("a collection's own page is `_index.md`; give other pages a name of their own, e.g. `01-introduction.md`.")]);
    }
    Ok(Some(kind))
}

/// A page's front matter read by the schema of its kind, before the keys every page has are
/// checked.
struct FrontMatter {
    meta: Meta,
    common: Common,
    split: fm::Split,
    glossary: bool,
    /// Where a lesson's `id:` is written.
    id_at: Range<usize>,
}

/// Reads the front matter of a page of `kind` (described as `what`); problems of its own
/// keys go to `errs`, a file that cannot be read at all is `Err`.
fn front_matter(
    kind: PageKind,
    source: &Source,
    what: &str,
    errs: &mut Vec<Diagnostic>,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    Ok(match kind {
        PageKind::Home | PageKind::Page | PageKind::Chapter => {
            let (raw, split): (fm::RawPage, _) = read(source, what).map_err(|d| vec![d])?;
            FrontMatter {
                meta: Meta::Plain,
                common: raw.common(),
                split,
                glossary: raw.glossary,
                id_at: 0..0,
            }
        }
        PageKind::Article => {
            let (raw, split): (fm::RawArticle, _) = read(source, what).map_err(|d| vec![d])?;
            FrontMatter {
                meta: article(&raw, source, &split, what, errs),
                common: raw.common(),
                split,
                glossary: false,
                id_at: 0..0,
            }
        }
        _ => {
            let (raw, split): (fm::RawLesson, _) = read(source, what).map_err(|d| vec![d])?;
            FrontMatter {
                id_at: raw
                    .id
                    .as_ref()
                    .map_or(0..0, |i| at(source, i, i.value.len())),
                meta: lesson(&raw, kind, source, &split, what, errs),
                common: raw.common(),
                split,
                glossary: false,
            }
        }
    })
}

/// A monograph's date and authors.
fn article(
    raw: &fm::RawArticle,
    source: &Source,
    split: &fm::Split,
    what: &str,
    errs: &mut Vec<Diagnostic>,
) -> Meta {
    let date = raw.date.as_ref().and_then(|d| {
        let parsed = Date::parse(&d.value);
        if parsed.is_none() {
            errs.push(
                Diagnostic::error(format!("`{}` is not a date", d.value))
                    .at(source, at(source, d, d.value.len()))
                    .label("expected YYYY-MM-DD, YYYY-MM or YYYY")
                    .hint("write the date as year-month-day (`date: 2014-09-04`), or only as precisely as it is known (`date: 2014-09`, `date: 2014`)."),
            );
        }
        parsed
    });
    let authors = match &raw.authors {
        Some(a) if !a.value.is_empty() => a.value.clone(),
        other => {
            let range = other
                .as_ref()
                .map_or_else(|| head(split), |a| at(source, a, 0));
            errs.push(Diagnostic::error(format!("{what} lists no author"))
                .at(source, range)
                .hint("list the authors, each as `- name: …` with optional `role: …` and `place: …` lines below it; an organisation can be the author."));
            Vec::new()
        }
    };
    Meta::Article { date, authors }
}

/// A lesson's id, duration, objectives and questions.
fn lesson(
    raw: &fm::RawLesson,
    kind: PageKind,
    source: &Source,
    split: &fm::Split,
    what: &str,
    errs: &mut Vec<Diagnostic>,
) -> Meta {
    let in_course = kind == PageKind::CourseLesson;
    match &raw.id {
        Some(id) => check_id(id, source, errs),
        None if in_course => errs.push(missing(
            source,
            split,
            what,
            "id",
            "add a line like `id: identity-who-am-i`: readers' progress is kept under it, so never change it once published.",
        )),
        None => {}
    }
    if in_course && raw.duration_minutes.is_none() {
        errs.push(missing(
            source,
            split,
            what,
            "duration_minutes",
            "add a line `duration_minutes: 30` with the time the lesson takes, in minutes.",
        ));
    }
    Meta::Lesson {
        id: raw.id.as_ref().map(|i| i.value.clone()),
        objectives: raw
            .objectives
            .as_ref()
            .map(|o| o.value.clone())
            .unwrap_or_default(),
        questions: raw.questions.clone(),
        duration_minutes: raw.duration_minutes.as_ref().map(|d| d.value),
    }
}

/// A page read (or left out, `None`) or the problems that stopped it, by its key.
pub(super) type Read = (String, Result<Option<Draft>, Vec<Diagnostic>>);

/// Reads every page of the site (not the folders' `_index.md`, read by `folders`) in
/// parallel. Problems of a page's own file are reported only when `inputs.report_sources`.
pub(super) fn parse_all(config: &Config, inputs: &Inputs, folders: &Folders) -> Vec<Read> {
    let keys: Vec<&String> = inputs
        .grouped
        .keys
        .keys()
        .filter(|k| !folders.drafts_out.contains(parent_dir(k)))
        .collect();
    keys.par_iter()
        .map(|k| ((*k).clone(), parse_page(config, inputs, folders, k)))
        .collect()
}
