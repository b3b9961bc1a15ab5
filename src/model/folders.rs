//! What each folder under `content/` is, learned from its `_index.md` and its parent's role:
//! the root, a collection of a kind (book, articles, lessons, course, section), a course
//! module, or a plain folder of images and downloads. Also each folder's address in the
//! language being built (a translated `_index.es.md` may give its own `slug`).

use super::pages::{self, Draft, file_name, head, parent_dir, read, url_segment};
use super::{Inputs, Meta, PageKind, Version};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::frontmatter::{self as fm, CollectionKind};
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Root,
    Collection(CollectionKind),
    Module,
    /// A folder of images or downloads, or one already reported as wrong.
    Plain,
}

pub(super) struct Folder {
    pub role: Role,
    /// The folder's address in the language being built, and in its own language.
    pub url: String,
    pub home_url: String,
}

pub(super) struct Folders {
    pub by_dir: BTreeMap<String, Folder>,
    /// Folders (and pages) left out as drafts.
    pub drafts_out: HashSet<String>,
    /// Keys of `_index.md` files that could not be read.
    pub broken: HashSet<String>,
    /// The collections' and modules' own pages.
    pub index_pages: Vec<Draft>,
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

/// A folder that holds pages or folders of pages: its `_index.md`'s key, when it has one, and
/// whether any page is inside it (at any depth).
#[derive(Default)]
struct DirPages {
    index: Option<String>,
    has_pages: bool,
}

/// Every folder that holds a page (and each folder above it), with its `_index.md`.
fn page_dirs(inputs: &Inputs) -> BTreeMap<String, DirPages> {
    let mut dirs: BTreeMap<String, DirPages> = BTreeMap::new();
    dirs.entry(String::new()).or_default();
    for key in inputs.grouped.keys.keys() {
        let dir = parent_dir(key).to_string();
        let mut d = dir.as_str();
        loop {
            dirs.entry(d.to_string()).or_default().has_pages = true;
            if d.is_empty() {
                break;
            }
            d = parent_dir(d);
        }
        if file_name(key) == "_index.md" {
            dirs.entry(dir).or_default().index = Some(key.clone());
        }
    }
    dirs
}

/// Learns the role and address of every folder. Problems of the folders' own files go to
/// `own`, problems of their translations to `diags`.
pub(super) fn roles(
    config: &Config,
    inputs: &Inputs,
    own: &mut Diagnostics,
    diags: &mut Diagnostics,
) -> Folders {
    let mut f = Folders {
        by_dir: BTreeMap::new(),
        drafts_out: HashSet::new(),
        broken: HashSet::new(),
        index_pages: Vec::new(),
    };
    f.by_dir.insert(
        String::new(),
        Folder {
            role: Role::Root,
            url: String::new(),
            home_url: String::new(),
        },
    );
    for (dir, pages) in &page_dirs(inputs) {
        if dir.is_empty() {
            continue;
        }
        let parent = parent_dir(dir);
        let (parent_role, parent_url, parent_home) = f
            .by_dir
            .get(parent)
            .map_or((Role::Plain, String::new(), String::new()), |p| {
                (p.role, p.url.clone(), p.home_url.clone())
            });
        let segment = url_segment(file_name(dir));
        let mut folder = Folder {
            role: Role::Plain,
            url: format!("{parent_url}{segment}/"),
            home_url: format!("{parent_home}{segment}/"),
        };
        folder.role = match (parent_role, &pages.index) {
            (Role::Plain, _) => Role::Plain,
            _ if !pages.has_pages => Role::Plain,
            _ if f.drafts_out.contains(parent) => {
                f.drafts_out.insert(dir.clone());
                Role::Plain
            }
            (Role::Root | Role::Collection(CollectionKind::Section), Some(key)) => index_page(
                config,
                inputs,
                dir,
                key,
                &mut folder,
                &mut f,
                own,
                diags,
                true,
            ),
            (Role::Collection(CollectionKind::Course), Some(key)) => index_page(
                config,
                inputs,
                dir,
                key,
                &mut folder,
                &mut f,
                own,
                diags,
                false,
            ),
            (_, index) => misplaced(dir, parent_role, index.is_some(), own),
        };
        f.by_dir.insert(dir.clone(), folder);
    }
    f
}

/// Reports a folder of pages where none can be (inside a collection other than a section or
/// a course, or a module) or without the `_index.md` it needs; its role is `Plain`.
fn misplaced(dir: &str, parent_role: Role, has_index: bool, own: &mut Diagnostics) -> Role {
    match parent_role {
        Role::Root | Role::Collection(CollectionKind::Section | CollectionKind::Course)
            if !has_index =>
        {
            own.push(
                Diagnostic::error(format!("the folder `content/{dir}` holds Markdown files but has no `_index.md`"))
                    .hint(format!(
                        "create `content/{dir}/_index.md` starting with `---`, `title: …` and `kind: book` (or \
                         articles, lessons, course, section), then `---`; inside a course, a module's \
                         `_index.md` needs `title` and `id`. (A `README.md` is not a page, and `ignore:` in \
                         playbook.yaml leaves out other files.)"
                    )),
            );
        }
        Role::Collection(_) | Role::Module => {
            let what = match parent_role {
                Role::Collection(kind) => format!("a `{}` collection", kind_name(kind)),
                _ => "a course module".to_string(),
            };
            own.push(
                Diagnostic::error(format!("the folder `content/{dir}` holds Markdown files, but folders of pages cannot be nested inside {what}"))
                    .hint("move its pages up into the collection, or make it a collection of its own beside this one (or inside a `section`). Folders of images may sit anywhere: a folder whose only Markdown file is a `README.md` is one."),
            );
        }
        _ => {}
    }
    Role::Plain
}

/// Reads a folder's `_index.md` (`key`), as a collection's (`collection`) or a module's, into
/// the folder's page; returns the folder's role.
#[allow(clippy::too_many_arguments)]
fn index_page(
    config: &Config,
    inputs: &Inputs,
    dir: &str,
    key: &str,
    folder: &mut Folder,
    f: &mut Folders,
    own: &mut Diagnostics,
    diags: &mut Diagnostics,
    collection: bool,
) -> Role {
    let versions = &inputs.grouped.keys[key];
    let Some(src) = versions.source else {
        return Role::Plain;
    };
    let source = &inputs.loaded.content[src].source;
    let read_index = if collection {
        collection_index(source, config)
    } else {
        module_index(source, config)
    };
    let index = match read_index {
        Ok(r) => r,
        Err(errs) => {
            f.broken.insert(key.to_string());
            for d in errs {
                own.push(d);
            }
            return Role::Plain;
        }
    };
    let role = role_of(index.kind);
    if let Some(slug) = &index.checked.slug {
        let (pu, ph) = f
            .by_dir
            .get(parent_dir(dir))
            .map_or((String::new(), String::new()), |p| {
                (p.url.clone(), p.home_url.clone())
            });
        folder.url = format!("{pu}{slug}/");
        folder.home_url = format!("{ph}{slug}/");
    }
    let draft = index_draft(config, key, src, dir, folder, index);
    if draft.draft && !inputs.include_drafts {
        f.drafts_out.insert(dir.to_string());
        f.index_pages.push(draft);
        return Role::Plain;
    }
    match pages::choose_version(config, inputs, versions, draft) {
        Ok(Some(mut d)) => {
            folder.url = d.url.clone();
            for w in d.warnings.drain(..) {
                diags.push(w);
            }
            f.index_pages.push(d);
        }
        Ok(None) => {}
        Err(errs) => {
            for d in errs {
                diags.push(d);
            }
        }
    }
    role
}

/// A collection's or module's `_index.md`, read and checked.
struct IndexFile {
    kind: PageKind,
    meta: Meta,
    checked: pages::Checked,
    split: fm::Split,
    weight: i32,
    /// Where its `id:` is written.
    id_at: std::ops::Range<usize>,
}

/// Reads and checks a collection's `_index.md`: its kind, and a course's `id` and pass mark.
fn collection_index(source: &Source, config: &Config) -> Result<IndexFile, Vec<Diagnostic>> {
    let what = "the `_index.md` of a collection";
    let (raw, split): (fm::RawCollection, _) = read(source, what).map_err(|d| vec![d])?;
    let mut errs = Vec::new();
    let Some(kind) = raw.kind.as_ref().map(|k| k.value) else {
        let mut errs = vec![pages::missing(
            source,
            &split,
            what,
            "kind",
            "add a line `kind: book` (or `articles`, `lessons`, `course`, `section`): it says what the folder's pages are.",
        )];
        let _ = pages::common(raw.common(), source, &split, what, config, &mut errs);
        return Err(errs);
    };
    let page_kind = match kind {
        CollectionKind::Book => PageKind::Book,
        CollectionKind::Articles => PageKind::Articles,
        CollectionKind::Lessons => PageKind::Lessons,
        CollectionKind::Course => PageKind::Course,
        CollectionKind::Section => PageKind::Section,
    };
    let (meta, id_at) = if kind == CollectionKind::Course {
        course_meta(&raw, source, &split, &mut errs)
    } else {
        refuse_course_keys(&raw, kind, source, &mut errs);
        (Meta::Plain, 0..0)
    };
    let checked = pages::common(raw.common(), source, &split, what, config, &mut errs);
    if errs.is_empty() {
        Ok(IndexFile {
            kind: page_kind,
            meta,
            checked,
            split,
            weight: raw.weight,
            id_at,
        })
    } else {
        Err(errs)
    }
}

/// Reads and checks a course module's `_index.md`, which needs an `id`.
fn module_index(source: &Source, config: &Config) -> Result<IndexFile, Vec<Diagnostic>> {
    let what = "the `_index.md` of a course module";
    let (raw, split): (fm::RawModule, _) = read(source, what).map_err(|d| vec![d])?;
    let mut errs = Vec::new();
    let mut id_at = 0..0;
    match &raw.id {
        Some(id) => {
            pages::check_id(id, source, &mut errs);
            id_at = pages::at(source, id, id.value.len());
        }
        None => errs.push(pages::missing(
            source,
            &split,
            what,
            "id",
            "add a line like `id: identity`: readers' progress is kept under it, so never change it once published.",
        )),
    }
    let checked = pages::common(raw.common(), source, &split, what, config, &mut errs);
    if errs.is_empty() {
        let id = raw.id.map(|i| i.value).unwrap_or_default();
        Ok(IndexFile {
            kind: PageKind::Module,
            meta: Meta::Module { id },
            checked,
            split,
            weight: 0,
            id_at,
        })
    } else {
        Err(errs)
    }
}

/// The role of a folder whose `_index.md` is a page of `kind`.
fn role_of(kind: PageKind) -> Role {
    match kind {
        PageKind::Book => Role::Collection(CollectionKind::Book),
        PageKind::Articles => Role::Collection(CollectionKind::Articles),
        PageKind::Lessons => Role::Collection(CollectionKind::Lessons),
        PageKind::Course => Role::Collection(CollectionKind::Course),
        PageKind::Section => Role::Collection(CollectionKind::Section),
        _ => Role::Module,
    }
}

/// The page of folder `dir` from its `_index.md` (`key`, file `src`), at the folder's address.
fn index_draft(
    config: &Config,
    key: &str,
    src: usize,
    dir: &str,
    folder: &Folder,
    index: IndexFile,
) -> Draft {
    let checked = index.checked;
    Draft {
        key: key.to_string(),
        file: src,
        dir: dir.to_string(),
        kind: index.kind,
        yaml: index.split.yaml,
        body: index.split.body,
        url: folder.url.clone(),
        home_url: folder.home_url.clone(),
        title: checked.title,
        description: checked.description,
        lang: checked
            .lang
            .unwrap_or_else(|| config.default_language().to_string()),
        draft: checked.draft,
        search: checked.search,
        meta: index.meta,
        weight: index.weight,
        version: Version::Original,
        glossary: false,
        id_at: index.id_at,
        translation: None,
        warnings: Vec::new(),
        omitted: false,
    }
}

/// A course's own data (`id`, required; `complete_on`; `pass_mark`, at most 100) and where
/// its `id` is.
fn course_meta(
    raw: &fm::RawCollection,
    source: &Source,
    split: &fm::Split,
    errs: &mut Vec<Diagnostic>,
) -> (Meta, std::ops::Range<usize>) {
    let mut id_at = 0..0;
    match &raw.id {
        Some(id) => {
            pages::check_id(id, source, errs);
            id_at = pages::at(source, id, id.value.len());
        }
        None => errs.push(
            Diagnostic::error("a course needs an `id`")
                .at(source, raw.kind.as_ref().map_or_else(|| head(split), |k| pages::at(source, k, 6)))
                .label("this is a course")
                .hint("add a line like `id: rccp-foundations`: readers' progress is kept under it, so never change it once published."),
        ),
    }
    if let Some(mark) = &raw.pass_mark {
        if mark.value > 100 {
            errs.push(
                Diagnostic::error(format!(
                    "a pass mark of {} is more than 100 percent",
                    mark.value
                ))
                .at(
                    source,
                    pages::at(source, mark, mark.value.to_string().len()),
                )
                .hint("give the pass mark as a percentage from 0 to 100, e.g. `pass_mark: 80`."),
            );
        }
    }
    let meta = Meta::Course {
        id: raw.id.as_ref().map(|i| i.value.clone()).unwrap_or_default(),
        complete_on: raw
            .complete_on
            .as_ref()
            .map(|c| c.value)
            .unwrap_or_default(),
        pass_mark: raw.pass_mark.as_ref().map_or(80, |m| m.value),
    };
    (meta, id_at)
}

/// Reports the keys only a course takes (`id`, `complete_on`, `pass_mark`) in a collection
/// of another `kind`.
fn refuse_course_keys(
    raw: &fm::RawCollection,
    kind: CollectionKind,
    source: &Source,
    errs: &mut Vec<Diagnostic>,
) {
    let course_only = [
        (
            "id",
            raw.id.as_ref().map(|i| pages::at(source, i, i.value.len())),
        ),
        (
            "complete_on",
            raw.complete_on.as_ref().map(|c| pages::at(source, c, 0)),
        ),
        (
            "pass_mark",
            raw.pass_mark.as_ref().map(|m| pages::at(source, m, 0)),
        ),
    ];
    for (key, range) in course_only {
        if let Some(r) = range {
            errs.push(
                Diagnostic::error(format!(
                    "`{key}` is only used by courses, and this collection is a `{}`",
                    kind_name(kind)
                ))
                .at(source, r)
                .label("only for `kind: course`")
                .hint(format!(
                    "remove `{key}`, or set `kind: course` if this folder is a course."
                )),
            );
        }
    }
}
