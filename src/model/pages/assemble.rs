//! The site from its pages read: ids in the order of their keys, parents, children in reading
//! order, and numbers.

use super::{Draft, Read, parent_dir};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::folders::Folders;
use crate::model::{Inputs, Meta, Page, PageId, PageKind, Site};
use std::collections::{HashMap, HashSet};

/// The pages read, sorted out: those of the site, those left out of this language (with the
/// address of each in its own), and the keys of those that could not be read.
struct Sorted {
    drafts: Vec<Draft>,
    elsewhere: HashMap<String, String>,
    broken: HashSet<String>,
}

/// Assigns ids, parents, children and numbers, and makes the site.
pub(in crate::model) fn assemble(
    config: Config,
    inputs: &Inputs,
    folders: Folders,
    parsed: Vec<Read>,
    diags: &mut Diagnostics,
) -> Option<Site> {
    let mut drafts_out: HashSet<String> = folders.drafts_out.clone();
    let mut sorted = Sorted {
        drafts: folders.index_pages,
        elsewhere: HashMap::new(),
        broken: folders.broken.clone(),
    };
    sort_out(&config, inputs, parsed, &mut sorted, diags);
    sorted.drafts.sort_by(|a, b| a.key.cmp(&b.key));
    let arena = arena(inputs, sorted.drafts, &mut drafts_out);
    let Some(&home) = arena.by_rel.get("index.md") else {
        if inputs.report_sources {
            diags.push(Diagnostic::error("the site has no home page").hint(
                "create `content/index.md` starting with `---`, `title: …`, `---`, followed by a welcome text.",
            ));
        }
        return None;
    };
    let mut pages = arena.pages;
    link(&mut pages, home, &arena.index_of_dir);
    let suffixes = config.languages.iter().map(|l| l.code.clone()).collect();
    let glossary_terms = pages
        .iter()
        .find(|p| p.glossary)
        .map(|p| crate::model::glossary_terms(p.body_text()))
        .unwrap_or_default();
    Some(Site {
        config,
        pages,
        by_rel: arena.by_rel,
        drafts: drafts_out,
        broken: sorted.broken,
        elsewhere: sorted.elsewhere,
        suffixes,
        home,
        glossary_terms,
    })
}

/// Sorts the pages read into `sorted`; their warnings, and the problems of those that could
/// not be read, go to `diags` (a page's own file's only when `inputs.report_sources`: it is
/// checked in the default language's build, a translation in its language's).
fn sort_out(
    config: &Config,
    inputs: &Inputs,
    parsed: Vec<Read>,
    sorted: &mut Sorted,
    diags: &mut Diagnostics,
) {
    let files = &inputs.loaded.content;
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
                sorted.elsewhere.insert(key, url);
            }
            Ok(Some(mut d)) => {
                for w in d.warnings.drain(..) {
                    diags.push(w);
                }
                sorted.drafts.push(d);
            }
            Ok(None) => {}
            Err(errs) => {
                sorted.broken.insert(key.clone());
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
}

/// The pages in their arena, by id, with the id of each key and of each folder's index page.
struct Arena {
    pages: Vec<Page>,
    by_rel: HashMap<String, PageId>,
    index_of_dir: HashMap<String, PageId>,
}

/// Gives each draft (sorted by key) its id and makes it a page, still without relations;
/// drafts left out add their key to `drafts_out`.
fn arena(inputs: &Inputs, drafts: Vec<Draft>, drafts_out: &mut HashSet<String>) -> Arena {
    let files = &inputs.loaded.content;
    let mut pages: Vec<Page> = Vec::with_capacity(drafts.len());
    let mut by_rel = HashMap::new();
    let mut index_of_dir: HashMap<String, PageId> = HashMap::new();
    for d in drafts {
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
    Arena {
        pages,
        by_rel,
        index_of_dir,
    }
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
