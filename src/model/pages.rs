//! Reading pages: each page's front matter by the schema of its kind (every problem of a file
//! reported, not only the first), merged with its translation into the language being built,
//! then assembled into the arena with ids, parents, children and numbers.

use super::folders::{Folders, Role};
use super::{Date, Inputs, Meta, Page, PageId, PageKind, Site, Version};
use crate::config::{Config, Fallback};
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::frontmatter::{self as fm, At, CollectionKind, Common};
use crate::util::{slugify, strip_order_prefix};
use crate::yaml::{self, YamlSpot};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

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
    let kind = match folder.role {
        Role::Root if key == "index.md" => PageKind::Home,
        Role::Root if name == "_index.md" => {
            return Err(vec![
                Diagnostic::error("the home page is `content/index.md`, not `content/_index.md`")
                    .at(&file.source, 0..0)
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
                .at(&file.source, 0..0)
                .hint(format!("move this file into a module folder such as `content/{dir}/01-first-module/` (with its own `_index.md`)."))]);
        }
        Role::Plain => return Ok(None),
    };
    if name == "index.md" && kind != PageKind::Home {
        return Err(vec![Diagnostic::error("a page cannot be named `index.md` here")
            .at(&file.source, 0..0)
            .hint("a collection's own page is `_index.md`; give other pages a name of their own, e.g. `01-introduction.md`.")]);
    }
    let source = &file.source;
    let what = format!("the front matter of {}", kind.describe());
    let mut errs = Vec::new();
    let (meta, c, split, glossary, id_at) = match kind {
        PageKind::Home | PageKind::Page | PageKind::Chapter => {
            let (raw, split): (fm::RawPage, _) = read(source, &what).map_err(|d| vec![d])?;
            (Meta::Plain, raw.common(), split, raw.glossary, 0..0)
        }
        PageKind::Article => {
            let (raw, split): (fm::RawArticle, _) = read(source, &what).map_err(|d| vec![d])?;
            let meta = article(&raw, source, &split, &what, &mut errs);
            (meta, raw.common(), split, false, 0..0)
        }
        _ => {
            let (raw, split): (fm::RawLesson, _) = read(source, &what).map_err(|d| vec![d])?;
            let id_at = raw
                .id
                .as_ref()
                .map_or(0..0, |i| at(source, i, i.value.len()));
            let meta = lesson(&raw, kind, source, &split, &what, &mut errs);
            (meta, raw.common(), split, false, id_at)
        }
    };
    let checked = common(c, source, &split, &what, config, &mut errs);
    if !errs.is_empty() {
        return Err(errs);
    }
    let segment = checked.slug.clone().unwrap_or_else(|| url_segment(name));
    let url = if kind == PageKind::Home {
        String::new()
    } else {
        format!("{}{segment}/", folder.url)
    };
    let home_url = if kind == PageKind::Home {
        String::new()
    } else {
        format!("{}{segment}/", folder.home_url)
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
        yaml: split.yaml,
        body: split.body,
        url,
        home_url,
        title: checked.title,
        description: checked.description,
        lang,
        draft: checked.draft,
        search: checked.search,
        meta,
        weight: 0,
        version: Version::Original,
        glossary,
        id_at,
        translation: None,
        warnings: Vec::new(),
        omitted: false,
    };
    if draft.draft && !inputs.include_drafts {
        return Ok(Some(draft));
    }
    choose_version(config, inputs, versions, draft)
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

/// Decides which file of the page is shown in `config.language` and reads a translation into
/// `draft`; `Ok(None)` when the page is left out of this language.
pub(super) fn choose_version(
    config: &Config,
    inputs: &Inputs,
    versions: &super::files::Versions,
    mut draft: Draft,
) -> Result<Option<Draft>, Vec<Diagnostic>> {
    let lang = config.language.clone();
    if let Some(&t) = versions.by_lang.get(&lang) {
        if draft.lang == lang {
            let f = &inputs.loaded.content[t];
            return Err(vec![
                Diagnostic::error(format!(
                    "two files are the {lang} version of `content/{}`",
                    draft.key
                ))
                .at(&f.source, 0..0)
                .label("a second version in the same language")
                .hint(format!(
                    "`content/{}` already says `lang: {lang}`; keep one of the two files.",
                    draft.key
                )),
            ]);
        }
        translate(config, inputs, t, &mut draft)?;
        return Ok(Some(draft));
    }
    // A page in its own language, or on a site of one language a page that says it is in
    // another (its text is marked so; there is nothing to fall back from).
    if draft.lang == lang || !config.multilingual() {
        return Ok(Some(draft));
    }
    // Not in this language. Indexes and the home page stay (the site's structure holds);
    // other pages follow the site's `fallback`.
    if config.fallback == Fallback::Omit && !draft.kind.is_index() && draft.kind != PageKind::Home {
        draft.omitted = true;
        return Ok(Some(draft));
    }
    draft.version = Version::Fallback;
    Ok(Some(draft))
}

/// Reads translation file `t` into `draft`: its title, description, address, objectives and
/// questions replace the page's own; everything else stays the page's.
fn translate(
    config: &Config,
    inputs: &Inputs,
    t: usize,
    draft: &mut Draft,
) -> Result<(), Vec<Diagnostic>> {
    let f = &inputs.loaded.content[t];
    let source = &f.source;
    let what = format!(
        "the front matter of a translation of {}",
        draft.kind.describe()
    );
    let (raw, split): (fm::RawTranslation, _) = read(source, &what).map_err(|d| vec![d])?;
    let mut errs = Vec::new();
    let c = raw.common();
    if let Some(l) = &c.lang {
        if l.value != config.language {
            errs.push(
                Diagnostic::error(format!(
                    "this file is the {} translation, but it says `lang: {}`",
                    config.language, l.value
                ))
                .at(source, at(source, l, l.value.len()))
                .hint("remove `lang:`: the language of a translation comes from its file name."),
            );
        }
    }
    let checked = common(c, source, &split, &what, config, &mut errs);
    if let Some(id) = &raw.id {
        if draft.meta_id() != Some(id.value.as_str()) {
            errs.push(
                Diagnostic::error(format!("this translation's id `{}` is not the id of the page it translates", id.value))
                    .at(source, at(source, id, id.value.len()))
                    .label("a different id")
                    .hint(format!(
                        "remove the `id:` line (a translation has its page's id{}), so that readers' progress is the same in every language.",
                        draft.meta_id().map_or_else(String::new, |i| format!(", `{i}`"))
                    )),
            );
        }
    }
    if let Meta::Lesson {
        objectives,
        questions,
        ..
    } = &mut draft.meta
    {
        match &raw.objectives {
            Some(o) => *objectives = o.value.clone(),
            None if !objectives.is_empty() => errs.push(missing(
                source,
                &split,
                &what,
                "objectives",
                "translate the lesson's objectives too: list them under `objectives:`, one `- …` line each, as in the page it translates.",
            )),
            None => {}
        }
        if !raw.questions.is_empty() {
            *questions = raw.questions.clone();
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    if checked.draft && !inputs.include_drafts {
        // A translation not yet published: the page falls back.
        draft.version = Version::Fallback;
        return Ok(());
    }
    let page = &inputs.loaded.content[draft.file].source;
    if let Some(now) = crate::translations::fingerprint(page) {
        let status = crate::translations::status(raw.translation.as_ref().map(|r| &r.value), &now);
        if let (crate::translations::Status::Outdated(changed), Some(r)) =
            (&status, &raw.translation)
        {
            let at = crate::translations::recorded_at(source, r);
            draft.warnings.push(crate::translations::warning(
                source,
                at,
                page,
                &config.language,
                changed,
            ));
        }
        draft.translation = Some(status);
    }
    draft.file = t;
    draft.yaml = split.yaml;
    draft.body = split.body;
    draft.title = checked.title;
    draft.description = checked.description.or(draft.description.take());
    draft.lang = config.language.clone();
    draft.version = Version::Translation;
    if let Some(slug) = checked.slug {
        if draft.kind != PageKind::Home {
            let base = draft.url.trim_end_matches('/');
            let parent = base.rfind('/').map_or("", |i| &base[..=i]);
            draft.url = format!("{parent}{slug}/");
        }
    }
    if let Some(s) = checked.search {
        draft.search = Some(s);
    }
    Ok(())
}

impl Draft {
    fn meta_id(&self) -> Option<&str> {
        match &self.meta {
            Meta::Course { id, .. } | Meta::Module { id } => Some(id),
            Meta::Lesson { id, .. } => id.as_deref(),
            _ => None,
        }
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

/// Assigns ids, parents, children and numbers, and makes the site.
pub(super) fn assemble(
    config: Config,
    inputs: &Inputs,
    folders: Folders,
    parsed: Vec<Read>,
    diags: &mut Diagnostics,
) -> Option<Site> {
    let files = &inputs.loaded.content;
    let mut drafts_out: HashSet<String> = folders.drafts_out.clone();
    let mut broken = folders.broken.clone();
    let mut page_drafts: Vec<Draft> = folders.index_pages;
    let mut elsewhere = HashMap::new();
    for (key, p) in parsed {
        match p {
            Ok(Some(d)) if d.omitted => {
                // Left out of this language: links lead to the page in its own.
                let url = format!(
                    "{}{}{}{}",
                    config.root.path,
                    config.edition_prefix(),
                    config.language_prefix(&d.lang),
                    d.home_url
                );
                elsewhere.insert(key, url);
            }
            Ok(Some(mut d)) => {
                for w in d.warnings.drain(..) {
                    diags.push(w);
                }
                page_drafts.push(d);
            }
            Ok(None) => {}
            Err(errs) => {
                broken.insert(key.clone());
                // The page's own file is checked in the default language's build; a
                // translation's, in its language's.
                let own = inputs
                    .grouped
                    .keys
                    .get(&key)
                    .and_then(|v| v.source)
                    .map(|i| files[i].source.name.clone());
                for d in errs {
                    let is_own =
                        d.at.as_ref()
                            .is_some_and(|a| Some(&a.0.name) == own.as_ref());
                    if !is_own || inputs.report_sources {
                        diags.push(d);
                    }
                }
            }
        }
    }
    page_drafts.sort_by(|a, b| a.key.cmp(&b.key));
    let mut pages: Vec<Page> = Vec::with_capacity(page_drafts.len());
    let mut by_rel = HashMap::new();
    let mut index_of_dir: HashMap<String, PageId> = HashMap::new();
    for d in page_drafts {
        if d.draft && !inputs.include_drafts {
            drafts_out.insert(d.key.clone());
            continue;
        }
        let id = PageId(pages.len() as u32);
        by_rel.insert(d.key.clone(), id);
        if d.kind.is_index() {
            index_of_dir.insert(d.dir.clone(), id);
        }
        pages.push(Page {
            id,
            kind: d.kind,
            rel: d.key,
            source: files[d.file].source.clone(),
            yaml: d.yaml,
            body: d.body,
            url: d.url,
            title: d.title,
            description: d.description,
            lang: d.lang,
            search: d.search.unwrap_or(true),
            meta: d.meta,
            parent: None,
            children: Vec::new(),
            number: None,
            weight: d.weight,
            version: d.version,
            glossary: d.glossary,
            id_at: d.id_at,
            translation: d.translation,
        });
    }
    let home = match by_rel.get("index.md") {
        Some(h) => *h,
        None => {
            if inputs.report_sources {
                diags.push(Diagnostic::error("the site has no home page").hint(
                    "create `content/index.md` starting with `---`, `title: …`, `---`, followed by a welcome text.",
                ));
            }
            return None;
        }
    };
    link(&mut pages, home, &index_of_dir);
    let suffixes = config.languages.iter().map(|l| l.code.clone()).collect();
    let glossary_terms = pages
        .iter()
        .find(|p| p.glossary)
        .map(|p| super::glossary_terms(p.body_text()))
        .unwrap_or_default();
    Some(Site {
        config,
        pages,
        by_rel,
        drafts: drafts_out,
        broken,
        elsewhere,
        suffixes,
        home,
        glossary_terms,
    })
}

/// Parents, children in reading order, and numbers.
fn link(pages: &mut [Page], home: PageId, index_of_dir: &HashMap<String, PageId>) {
    for i in 0..pages.len() {
        let p = &pages[i];
        if p.id == home {
            continue;
        }
        let own_dir = if p.kind.is_index() {
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
                Meta::Article { date, .. } => *date,
                _ => None,
            };
            // Newest first; reports whose date is not known after the dated ones.
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
}
