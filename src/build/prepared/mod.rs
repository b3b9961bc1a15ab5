//! One variant (an edition in one language) rendered: the Markdown of every page checked,
//! the search index made, and the writing of its files (pages from templates, generated files,
//! the index, assets). `once.rs` is a one-shot build's Markdown pass, `keys.rs` the build
//! cache's keys it reads, `write.rs` the writing.

mod keys;
mod once;
mod texts;
mod write;

pub use once::{Searching, render_once};

use super::Options;
use super::cache;
use super::plan::{Model, Shared};
use crate::diagnostics::{Diagnostics, Source};
use crate::editions;
use crate::highlight::Highlighter;
use crate::i18n::Strings;
use crate::languages;
use crate::linkcheck;
use crate::load::Loaded;
use crate::markdown::{self, Rendered};
use crate::model::{PageId, Site};
use crate::nav::Nav;
use crate::render::Renderer;
use crate::search;
use crate::theme::Theme;
use bytes::Bytes;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Path sets the Markdown stage checks links against, and the interface text of the
/// language it writes.
#[derive(Default)]
pub struct Known {
    pub assets: HashSet<String>,
    pub static_files: HashSet<String>,
    pub urls: HashSet<String>,
    pub texts: HashMap<String, String>,
    pub strings: Strings,
}

impl Known {
    pub fn new(loaded: &Loaded, site: &Site, strings: Strings) -> Known {
        Known {
            assets: loaded.assets.iter().map(|a| a.rel.clone()).collect(),
            static_files: loaded.static_files.iter().map(|a| a.rel.clone()).collect(),
            urls: site.pages.iter().map(|p| p.url.clone()).collect(),
            texts: loaded.texts.clone(),
            strings,
        }
    }

    /// What rendering a page of `site` needs to know about the others.
    pub fn context<'a>(
        &'a self,
        site: &'a Site,
        highlighter: &'a Highlighter,
    ) -> markdown::Context<'a> {
        markdown::Context {
            site,
            assets: &self.assets,
            static_files: &self.static_files,
            urls: &self.urls,
            highlighter,
            strings: &self.strings,
            texts: &self.texts,
        }
    }
}

/// A variant checked and rendered to HTML fragments, ready for templates.
pub struct Prepared {
    pub opts: Options,
    pub config_source: Source,
    pub loaded: Arc<Loaded>,
    pub theme: Arc<Theme>,
    pub tables: Arc<crate::i18n::Tables>,
    pub site: Site,
    pub nav: Nav,
    /// The Markdown of each page, indexed by `PageId`.
    pub rendered: Vec<Rendered>,
    pub known: Known,
    pub highlighter: Arc<Highlighter>,
    /// The search index: kept by `serve` so one edit re-counts one page; a one-shot build
    /// drops it as soon as its files are made (or moves its terms into the cache).
    pub search: search::Indexer,
    /// The search index files, made by [`Prepared::index`].
    pub search_files: Vec<(String, Bytes)>,
    /// Every edition's pages in this language, when the site has older editions.
    pub editions: Option<editions::Context>,
    /// What changed since the edition before this one (see [`editions::changes`]): made from
    /// the pages' text before a one-shot build lets go of it.
    pub changes: Option<editions::Changes>,
    /// This edition's pages in every language.
    pub languages: languages::Context,
    /// What the next build may reuse of this one (a folder build of the latest edition):
    /// pages' entries without their `rendered`, filled in by [`Prepared::take_cache`].
    pub cache: Option<cache::Variant>,
    /// The search fragments of a build that caches, by page, taken as their files were
    /// written (for [`Prepared::take_cache`]).
    pub written_fragments: Vec<(usize, Bytes)>,
    /// For `serve`, which lets go of the pages' text between changes: by `PageId`, the hash
    /// of the text of each page let go of, to read it again from its file
    /// ([`Prepared::read_back`]). Empty in a one-shot build.
    pub let_go: Vec<Option<blake3::Hash>>,
}

impl Prepared {
    /// Variant `model` rendered again after a change (for `serve`), reusing `reuse` (renders by
    /// page key that still hold) and the search terms and dictionary of `old`. On error, the
    /// errors.
    pub fn rerender(
        old: &Prepared,
        model: Model,
        reuse: &HashMap<String, Rendered>,
    ) -> Result<Prepared, Diagnostics> {
        let Model {
            loaded,
            site,
            nav,
            editions,
            languages,
        } = model;
        let known = Known::new(&loaded, &site, old.known.strings.clone());
        let mut diags = Diagnostics::default();
        let rendered = render_markdown(&site, &known, &old.highlighter, reuse, &mut diags);
        linkcheck::anchors(&site, &rendered, None, &mut diags);
        linkcheck::objectives(&site, &rendered, None, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        let changes = editions
            .as_ref()
            .and_then(|cx| editions::changes(cx, &site, &old.opts.root));
        // Counted terms follow their pages to their new ids; changed pages are counted anew.
        let search = old.search.follow(&site, &rendered, |id| {
            let rel = &site.page(id).rel;
            reuse
                .contains_key(rel)
                .then(|| old.site.by_rel.get(rel).copied())
                .flatten()
        });
        Ok(Prepared {
            opts: old.opts.clone(),
            config_source: old.config_source.clone(),
            loaded,
            theme: old.theme.clone(),
            tables: old.tables.clone(),
            site,
            nav,
            rendered,
            known,
            highlighter: old.highlighter.clone(),
            search,
            search_files: old.search_files.clone(),
            editions,
            changes,
            languages,
            cache: None,
            written_fragments: Vec::new(),
            let_go: Vec::new(),
        })
    }

    /// This variant's entries for the next build's cache, with the pages' renders and counted
    /// terms moved in (they are gone afterwards): once its files are written.
    pub fn take_cache(&mut self) -> Option<cache::Variant> {
        let mut v = self.cache.take()?;
        let search::ForCache {
            words,
            mut terms,
            leads,
            unwritten,
        } = self.search.take();
        v.words = words;
        v.leads = leads;
        let mut fragments: Vec<Option<Bytes>> = vec![None; self.site.pages.len()];
        for (i, f) in std::mem::take(&mut self.written_fragments)
            .into_iter()
            .chain(unwritten)
        {
            if let Some(slot) = fragments.get_mut(i) {
                *slot = Some(f);
            }
        }
        for p in &self.site.pages {
            if let Some(e) = v.pages.get_mut(&p.rel) {
                let i = p.id.index();
                e.rendered = std::mem::take(&mut self.rendered[i]);
                if e.terms.is_some() {
                    e.terms = terms.get_mut(i).and_then(Option::take);
                }
                // An entry with a fragment without its bytes has none: the page is rendered
                // again next time rather than given an empty fragment.
                if e.fragment.is_some() {
                    e.fragment = fragments[i].take();
                }
            }
        }
        Some(v)
    }

    /// Gives pages `ids` whose text was let go of (see [`Prepared::let_go`]) their text back,
    /// read again from their files; returns the names of the files that no longer hold the
    /// text let go of (their pages' text stays empty).
    pub fn read_back(&mut self, ids: &[PageId]) -> Vec<Arc<str>> {
        let mut hashes = vec![None; self.site.pages.len()];
        for id in ids {
            if let (Some(slot), Some(h)) = (hashes.get_mut(id.index()), self.let_go.get(id.index()))
            {
                *slot = *h;
            }
        }
        let read = super::plan::read_back_texts(&self.opts.root, &mut self.site, &hashes);
        for id in ids {
            let page = &self.site.pages[id.index()];
            if !page.source.text.is_empty() {
                if let Some(h) = self.let_go.get_mut(id.index()) {
                    *h = None;
                }
            }
        }
        read
    }

    /// Counts the search terms of page `id` again (after an edit to it).
    pub fn recount(&mut self, id: PageId) {
        self.search.replace_page(&self.site, &self.rendered, id);
    }

    /// The output path of content file `rel` (a file beside the pages): in the edition's
    /// folder, shared by its languages.
    pub fn files_out(&self, rel: &str) -> String {
        format!("{}{rel}", self.site.config.edition_prefix())
    }

    /// Renders and checks the Markdown of variant `model` and makes its search index. On
    /// success the diagnostics hold only warnings.
    pub fn render(shared: &Shared, model: Model) -> Result<(Prepared, Diagnostics), super::Failed> {
        let mut phases = crate::util::Phases::start();
        let mut diags = Diagnostics::default();
        let Model {
            loaded,
            site,
            nav,
            editions,
            languages,
        } = model;
        let strings = shared.tables.of(&site.config.language).clone();
        let known = Known::new(&loaded, &site, strings);
        let indexed = !site.config.archived();
        let changes = editions
            .as_ref()
            .and_then(|cx| editions::changes(cx, &site, &shared.opts.root));
        let mut site = site;
        // The latest edition's texts only: they are its files', to read again when needed.
        // `serve` keeps them out for good (see `Prepared::let_go`).
        let (texts, taken) = match site.config.edition.is_some() {
            true => (Vec::new(), None),
            false => {
                let (texts, taken) = texts::take(&mut site);
                (texts, Some(taken))
            }
        };
        let hashes = taken
            .as_ref()
            .map_or_else(Vec::new, |t| t.hashes().to_vec());
        let (rendered, search, cache) = markdown_pass(
            shared,
            (&loaded, &site, &known),
            indexed,
            (texts, hashes),
            &mut diags,
        );
        phases.done("markdown");
        let mut checks = check(&site, &rendered);
        let mut let_go = Vec::new();
        match taken {
            Some(t) if !checks.is_empty() => {
                // A problem found shows the lines of the pages it is about: their text again.
                t.put_back(&shared.opts.root, &mut site, &mut diags);
                checks = check(&site, &rendered);
            }
            Some(t) if shared.opts.live => let_go = t.into_hashes(),
            _ => {}
        }
        diags.extend(checks);
        if diags.has_errors() {
            return Err(super::fail(diags));
        }
        phases.done("anchors");
        diags.sort();
        let mut prepared = Prepared {
            opts: shared.opts.clone(),
            config_source: shared.config_source.clone(),
            loaded,
            theme: shared.theme.clone(),
            tables: shared.tables.clone(),
            site,
            nav,
            rendered,
            known,
            highlighter: shared.highlighter.clone(),
            search: search.unwrap_or_default(),
            search_files: Vec::new(),
            editions,
            changes,
            languages,
            cache,
            written_fragments: Vec::new(),
            let_go,
        };
        if indexed {
            prepared.index();
        }
        phases.done("search index");
        Ok((prepared, diags))
    }
}

/// The checks that need every page rendered (see `linkcheck`).
fn check(site: &Site, rendered: &[Rendered]) -> Diagnostics {
    let mut diags = Diagnostics::default();
    linkcheck::anchors(site, rendered, None, &mut diags);
    linkcheck::objectives(site, rendered, None, &mut diags);
    diags
}

/// The Markdown pass of [`Prepared::render`]: [`render_once`], which also returns the search
/// parts, with the build cache for a one-shot build (and the entries for the next build's
/// cache). `serve` too keeps the pages' fragments, not their sections (see `search::Indexer`),
/// compressed fast: it starts sooner, and makes them again after edits.
fn markdown_pass(
    shared: &Shared,
    (loaded, site, known): (&Loaded, &Site, &Known),
    indexed: bool,
    texts: (Vec<Arc<str>>, Vec<Option<blake3::Hash>>),
    diags: &mut Diagnostics,
) -> (
    Vec<Rendered>,
    Option<search::Indexer>,
    Option<cache::Variant>,
) {
    let cache = (!shared.opts.live)
        .then(|| keys::cache_use(shared, loaded, site, known))
        .flatten();
    let searching = Searching {
        index: indexed,
        fast: shared.opts.live,
    };
    let (rendered, search, made) = render_once(
        site,
        known,
        &shared.highlighter,
        searching,
        diags,
        cache,
        texts,
    );
    (rendered, Some(search), made)
}

/// Renders the Markdown of every page, reusing `reuse[rel]` for pages whose render is known to
/// be current (same text, same link targets). Bodies are packed (see `markdown::Html`): `serve`
/// holds every page's render for as long as it runs, and its body HTML was the largest part of
/// what it held.
pub fn render_markdown(
    site: &Site,
    known: &Known,
    highlighter: &Highlighter,
    reuse: &HashMap<String, Rendered>,
    diags: &mut Diagnostics,
) -> Vec<Rendered> {
    let cx = known.context(site, highlighter);
    let mut rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| match reuse.get(&p.rel) {
            Some(r) => r.clone(),
            None => {
                let mut r = markdown::render(p, &cx);
                r.html.pack();
                r
            }
        })
        .collect();
    for r in &mut rendered {
        diags.extend(std::mem::take(&mut r.diags));
    }
    rendered
}

impl Prepared {
    /// The output path of `rel` for this edition (`editions/2025/` + `rel` for older ones).
    pub fn out(&self, rel: &str) -> String {
        let c = &self.site.config;
        format!(
            "{}{rel}",
            c.base_url.path.strip_prefix(&c.root.path).unwrap_or("")
        )
    }

    /// (Re)makes the search index's files; re-counts terms only of pages without counted terms.
    pub fn index(&mut self) {
        self.search_files = self
            .search
            .files(&self.site, &self.rendered, self.opts.live);
        // `serve` keeps the counted terms to count one page again; a build that caches keeps
        // them for the cache (see `take_cache`).
        if !self.opts.live && self.cache.is_none() {
            self.search = search::Indexer::default();
        }
    }

    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.site,
            &self.nav,
            &self.theme,
            &self.rendered,
            self.editions.as_ref(),
            &self.languages,
            &self.tables,
        )
    }

    pub fn markdown_context(&self) -> markdown::Context<'_> {
        self.known.context(&self.site, &self.highlighter)
    }
}
