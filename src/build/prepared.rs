//! One variant (an edition in one language) rendered: the Markdown of every page checked,
//! the search index made, and the writing of its files (pages from templates, generated files,
//! the index, assets).

use super::Options;
use super::cache::{self, KeyHasher};
use super::in_draft_dir;
use super::plan::{Model, Shared};
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::editions;
use crate::highlight::Highlighter;
use crate::i18n::Strings;
use crate::languages;
use crate::linkcheck;
use crate::load::Loaded;
use crate::markdown::{self, Rendered};
use crate::model::{Page, PageId, PageKind, Site};
use crate::nav::Nav;
use crate::offline;
use crate::output::{self, Sink};
use crate::render::Renderer;
use crate::search;
use crate::theme::Theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
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
    /// Counted terms of each page, kept by `serve` so one edit re-counts one page; a one-shot
    /// build drops them as soon as the index is made.
    pub search_terms: Vec<Option<search::PageTerms>>,
    /// The terms `search_terms` refer to by number.
    pub search_vocab: search::Vocabulary,
    /// The search index files, made by [`Prepared::index`].
    pub search_files: Vec<(String, Vec<u8>)>,
    /// Compressed search fragments made during a one-shot build's Markdown pass, until `index`
    /// moves them into `search_files` (`serve` makes them from the pages' sections instead).
    pub search_fragments: Vec<Option<Vec<u8>>>,
    /// The fragments' preset dictionary: made once, kept by `serve` so that a fragment made
    /// after an edit is read with the dictionary readers already have.
    pub search_dict: Vec<u8>,
    /// Every edition's pages in this language, when the site has older editions.
    pub editions: Option<editions::Context>,
    /// This edition's pages in every language.
    pub languages: languages::Context,
    /// What the next build may reuse of this one (a folder build of the latest edition):
    /// pages' entries without their `rendered`, filled in by [`Prepared::take_cache`].
    pub cache: Option<cache::Variant>,
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
        // Counted terms follow their pages to their new ids; changed pages are counted anew.
        let mut vocab = old.search_vocab.clone();
        let terms = site
            .pages
            .iter()
            .map(|p| {
                let kept = reuse
                    .contains_key(&p.rel)
                    .then(|| old.site.by_rel.get(&p.rel))
                    .flatten();
                match kept.and_then(|id| old.search_terms.get(id.index())) {
                    Some(t) if p.searchable() == t.is_some() => t.clone(),
                    _ => p.searchable().then(|| {
                        search::page_terms(p, &rendered[p.id.index()].sections, &mut vocab)
                    }),
                }
            })
            .collect();
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
            search_terms: terms,
            search_vocab: vocab,
            search_files: old.search_files.clone(),
            search_fragments: Vec::new(),
            search_dict: old.search_dict.clone(),
            editions,
            languages,
            cache: None,
        })
    }

    /// This variant's entries for the next build's cache, with the pages' renders and counted
    /// terms moved in (they are gone afterwards): once its files are written.
    pub fn take_cache(&mut self) -> Option<cache::Variant> {
        let mut v = self.cache.take()?;
        let vocab = std::mem::take(&mut self.search_vocab);
        v.words = (0..vocab.len() as u32)
            .map(|i| vocab.word(i).to_string())
            .collect();
        for p in &self.site.pages {
            if let Some(e) = v.pages.get_mut(&p.rel) {
                let i = p.id.index();
                e.rendered = std::mem::take(&mut self.rendered[i]);
                if e.terms.is_some() {
                    e.terms = self.search_terms.get_mut(i).and_then(Option::take);
                }
            }
        }
        self.search_terms = Vec::new();
        Some(v)
    }

    /// The counted search terms of page `id` (`None` when it is left out of search).
    pub fn count_terms(&mut self, id: PageId) -> Option<search::PageTerms> {
        let p = self.site.page(id);
        p.searchable().then(|| {
            search::page_terms(
                p,
                &self.rendered[id.index()].sections,
                &mut self.search_vocab,
            )
        })
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
        let opts = &shared.opts;
        // Only a folder build of the latest edition reads and leaves a cache.
        let caching = shared.caching && site.config.edition.is_none();
        let key = caching.then(|| variant_key(shared, &loaded, &site, &known));
        let previous = key.and_then(|k| {
            shared
                .cache
                .as_ref()
                .and_then(|c| c.variants.get(&site.config.language))
                .filter(|v| v.key == k)
        });
        let mut cache = None;
        let (rendered, search) = if opts.live {
            let rendered = render_markdown(
                &site,
                &known,
                &shared.highlighter,
                &HashMap::new(),
                &mut diags,
            );
            (rendered, None)
        } else {
            let (rendered, search, made) = render_once(
                &site,
                &known,
                &shared.highlighter,
                indexed,
                &mut diags,
                key.map(|k| (k, previous)),
            );
            cache = made;
            (rendered, Some(search))
        };
        phases.done("markdown");
        linkcheck::anchors(&site, &rendered, None, &mut diags);
        linkcheck::objectives(&site, &rendered, None, &mut diags);
        if diags.has_errors() {
            return Err(super::fail(diags));
        }
        phases.done("anchors");
        diags.sort();
        let mut prepared = Prepared {
            opts: opts.clone(),
            config_source: shared.config_source.clone(),
            loaded,
            theme: shared.theme.clone(),
            tables: shared.tables.clone(),
            site,
            nav,
            rendered,
            known,
            highlighter: shared.highlighter.clone(),
            search_terms: Vec::new(),
            search_vocab: search::Vocabulary::default(),
            search_fragments: Vec::new(),
            search_dict: Vec::new(),
            search_files: Vec::new(),
            editions,
            languages,
            cache,
        };
        if let Some(s) = search {
            prepared.search_terms = s.terms;
            prepared.search_vocab = s.vocab;
            prepared.search_fragments = s.fragments;
            prepared.search_dict = s.dict;
        }
        if indexed {
            prepared.index();
        }
        phases.done("search index");
        Ok((prepared, diags))
    }
}

/// Renders the Markdown of every page, reusing `reuse[rel]` for pages whose render is known to
/// be current (same text, same link targets).
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
            None => markdown::render(p, &cx),
        })
        .collect();
    for r in &mut rendered {
        diags.extend(std::mem::take(&mut r.diags));
    }
    rendered
}

/// What a one-shot build's Markdown pass gathers for the search index.
pub struct SearchParts {
    pub terms: Vec<Option<search::PageTerms>>,
    pub vocab: search::Vocabulary,
    pub fragments: Vec<Option<Vec<u8>>>,
    /// The fragments' preset dictionary, made from the first chunk's fragments.
    pub dict: Vec<u8>,
}

/// The Markdown pass of a one-shot build: renders every page, counts its search terms and makes
/// its search fragment (when `index`), then keeps only what the rest of the build needs, the
/// HTML packed and the plain text dropped. Pages go a chunk at a time so that only one chunk's
/// string-keyed term counts and plain text exist at once: the peak memory of a large build
/// depends on it.
///
/// With `cache` (this variant's key, and what the previous build left for it), a page whose
/// Markdown and fragment keys are those of the previous build is not rendered again: its
/// render, terms and fragment are the cached ones. The first chunk is always rendered, since
/// the fragments' dictionary is made from it; when the dictionary is not the cached one, no
/// cached fragment is used. Returns the entries for the next build's cache.
pub fn render_once(
    site: &Site,
    known: &Known,
    highlighter: &Highlighter,
    index: bool,
    diags: &mut Diagnostics,
    cache: Option<(cache::Key, Option<&cache::Variant>)>,
) -> (Vec<Rendered>, SearchParts, Option<cache::Variant>) {
    let cx = known.context(site, highlighter);
    let n = site.pages.len();
    let mut rendered = Vec::with_capacity(n);
    let mut parts = SearchParts {
        terms: Vec::with_capacity(n),
        vocab: search::Vocabulary::default(),
        fragments: Vec::with_capacity(n),
        dict: Vec::new(),
    };
    let mut made = cache.map(|(key, _)| cache::Variant {
        key,
        ..Default::default()
    });
    let previous = cache.and_then(|(_, p)| p);
    // The previous build's word numbers, renumbered in this build's vocabulary as met.
    let mut renumber: Vec<u32> = Vec::new();
    // The dictionary is made from the first chunk's fragments: when the previous build made it
    // there too and each page of that chunk has the keys it had, it is the previous one, and
    // that chunk's pages can come from the cache as well.
    if let (Some(v), Some(prev)) = (&made, previous) {
        let first = &site.pages[..n.min(CHUNK)];
        let unchanged = prev.dict_from_first
            && first.par_iter().all(|p| {
                let (md, frag) = page_keys(site, p, &v.key);
                let searchable = index && p.searchable();
                prev.pages.get(&p.rel).is_some_and(|e| {
                    e.md_key == md
                        && e.terms.is_some() == searchable
                        && (!searchable || (e.frag_key == frag && e.fragment.is_some()))
                })
            });
        if unchanged {
            parts.dict = prev.dict.clone();
        }
    }
    for (c, chunk) in site.pages.chunks(CHUNK).enumerate() {
        // Cached fragments were compressed against the previous build's dictionary: usable once
        // this build's is made (from the first chunk with fragments) and is the same.
        let same_dict = !parts.dict.is_empty() && previous.is_some_and(|v| v.dict == parts.dict);
        let done: Vec<_> = chunk
            .par_iter()
            .map(|p| {
                let keys = made.as_ref().map(|v| page_keys(site, p, &v.key));
                let searchable = index && p.searchable();
                let hit = keys.and_then(|(md, frag)| {
                    let e = previous?.pages.get(&p.rel)?;
                    let fragment_ok =
                        !searchable || (same_dict && e.frag_key == frag && e.fragment.is_some());
                    (e.md_key == md && fragment_ok && e.terms.is_some() == searchable).then_some(e)
                });
                if let Some(e) = hit {
                    let searched = e.terms.as_ref().map(|t| {
                        Searched::Cached(t.clone(), e.fragment.clone().unwrap_or_default())
                    });
                    return (e.rendered.clone(), searched, keys);
                }
                let mut r = markdown::render(p, &cx);
                let searched = searchable.then(|| {
                    Searched::Made(
                        search::count_terms(p, &r.sections),
                        search::fragment(site, p, &r.sections),
                    )
                });
                r.sections = Vec::new();
                r.html.pack();
                (r, searched, keys)
            })
            .collect();
        let json: Vec<Option<&[u8]>> = done
            .iter()
            .map(|(_, s, _)| match s {
                Some(Searched::Made(_, json)) => Some(json.as_slice()),
                _ => None,
            })
            .collect();
        if parts.dict.is_empty() {
            parts.dict = search::dictionary(json.iter().flatten().copied());
            if let Some(v) = &mut made {
                v.dict_from_first = c == 0 && !parts.dict.is_empty();
            }
        } else if c == 0 {
            // Taken from the previous build (see above), so made from this chunk.
            if let Some(v) = &mut made {
                v.dict_from_first = true;
            }
        }
        let compressed = search::compress_fragments(&json, &parts.dict, false);
        for ((p, (mut r, searched, keys)), fragment) in chunk.iter().zip(done).zip(compressed) {
            let clean = r.diags.is_empty();
            diags.extend(std::mem::take(&mut r.diags));
            rendered.push(r);
            let (terms, fragment) = match searched {
                Some(Searched::Made(t, _)) => (Some(parts.vocab.compact(t)), fragment),
                Some(Searched::Cached(t, f)) => {
                    // Numbered by the previous build's words: renumbered by this build's.
                    let words = previous.map_or(&[][..], |v| v.words.as_slice());
                    let mut id = |old: u32| -> u32 {
                        let i = old as usize;
                        if renumber.len() < words.len() {
                            renumber.resize(words.len(), u32::MAX);
                        }
                        match renumber.get(i) {
                            Some(&n) if n != u32::MAX => n,
                            _ => {
                                let n = parts.vocab.intern(words.get(i).map_or("", String::as_str));
                                if let Some(slot) = renumber.get_mut(i) {
                                    *slot = n;
                                }
                                n
                            }
                        }
                    };
                    let mut terms: Vec<(u32, f32)> =
                        t.terms.iter().map(|&(w, n)| (id(w), n)).collect();
                    terms.sort_unstable_by_key(|t| t.0);
                    let title = t.title.iter().map(|&w| id(w)).collect();
                    let t = search::PageTerms {
                        terms,
                        length: t.length,
                        title,
                    };
                    (Some(t), Some(f))
                }
                None => (None, fragment),
            };
            if let (Some(v), Some((md_key, frag_key)), true) = (&mut made, keys, clean) {
                v.pages.insert(
                    p.rel.clone(),
                    cache::PageEntry {
                        md_key,
                        frag_key,
                        rendered: Rendered::default(),
                        terms: terms.as_ref().map(|_| search::PageTerms::default()),
                        fragment: fragment.clone(),
                    },
                );
            }
            parts.terms.push(terms);
            parts.fragments.push(fragment);
        }
    }
    if let Some(v) = &mut made {
        v.dict = parts.dict.clone();
    }
    (rendered, parts, made)
}

/// Pages rendered at once by a one-shot build (see `render_once`).
const CHUNK: usize = 256;

/// A page's search terms and fragment: counted now (with the fragment's JSON), or cached (with
/// the compressed fragment).
enum Searched {
    Made(search::RawTerms, Vec<u8>),
    Cached(search::PageTerms, Vec<u8>),
}

/// The Markdown and fragment keys of page `p` in a variant of key `variant` (see `cache`).
fn page_keys(site: &Site, p: &Page, variant: &cache::Key) -> (cache::Key, cache::Key) {
    let mut h = KeyHasher::default();
    h.bytes(variant)
        .str(&p.source.name)
        .str(&p.source.text)
        .str(&p.rel)
        .str(&p.lang)
        .str(&p.url)
        .str(&p.title)
        .str(p.kind.as_str())
        .num(u64::from(p.id.0))
        .num(p.body.start as u64)
        .num(p.body.end as u64);
    let md = h.finish();
    let mut h = KeyHasher::default();
    h.bytes(&md).str(&p.title);
    for a in site.ancestors(p.id) {
        h.str(a.kind.as_str()).str(&a.title);
    }
    (md, h.finish())
}

/// The key of a variant (see `cache`): everything besides a page's own file that its Markdown,
/// terms, fragment and template can depend on, or (for what varies page by page) that the
/// page keys do not cover.
fn variant_key(shared: &Shared, loaded: &Loaded, site: &Site, known: &Known) -> cache::Key {
    let mut h = KeyHasher::default();
    h.bytes(&cache::program_key())
        .str(&shared.config_source.text)
        .str(shared.opts.base_url.as_deref().unwrap_or("\0"))
        .num(u64::from(shared.opts.drafts))
        .str(&site.config.language);
    h.num(loaded.theme_files.len() as u64);
    for (k, v) in &loaded.theme_files {
        h.str(k).bytes(v);
    }
    h.num(loaded.i18n.len() as u64);
    for (k, v) in &loaded.i18n {
        h.str(k).str(&v.name).str(&v.text);
    }
    h.num(site.pages.len() as u64);
    for p in &site.pages {
        h.str(&p.rel).str(&p.url).num(u64::from(p.id.0));
    }
    h.set(site.drafts.iter()).set(site.broken.iter());
    let mut elsewhere: Vec<(&String, &String)> = site.elsewhere.iter().collect();
    elsewhere.sort_unstable();
    for (k, v) in elsewhere {
        h.str(k).str(v);
    }
    h.set(site.suffixes.iter());
    h.set(known.assets.iter()).set(known.static_files.iter());
    let mut texts: Vec<(&String, &String)> = known.texts.iter().collect();
    texts.sort_unstable();
    for (k, v) in texts {
        h.str(k).str(v);
    }
    h.finish()
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

    /// (Re)makes the search index; re-counts terms only of pages without counted terms.
    pub fn index(&mut self) {
        if self.search_terms.len() != self.site.pages.len() {
            self.search_terms =
                search::all_page_terms(&self.site, &self.rendered, &mut self.search_vocab);
        }
        let fragments = if self.search_fragments.len() == self.site.pages.len() {
            std::mem::take(&mut self.search_fragments)
        } else {
            search::fragments(
                &self.site,
                &self.rendered,
                &self.search_terms,
                &mut self.search_dict,
                self.opts.live,
            )
        };
        self.search_files = search::build(
            &self.site,
            &self.search_terms,
            &self.search_vocab,
            fragments,
            &self.search_dict,
            self.opts.live,
        );
        // `serve` keeps the counted terms to count one page again; a build that caches keeps
        // them for the cache (see `take_cache`).
        if !self.opts.live && self.cache.is_none() {
            self.search_terms = Vec::new();
            self.search_vocab = search::Vocabulary::default();
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

    /// Renders and writes the pages in `ids` (in parallel); returns the errors.
    pub fn write_pages(
        &self,
        ids: &[PageId],
        sink: &Sink,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Vec<Diagnostic> {
        let renderer = self.renderer();
        let salt = self.cache.as_ref().map(|v| v.key);
        ids.par_iter()
            .filter_map(|&id| {
                let p = self.site.page(id);
                let rel = self.out(&output::page_file(&p.url));
                // A page whose template would get the same view as last time is the same file.
                let view = salt.map(|s| renderer.view_key(id, &s));
                if view.as_ref().is_some_and(|v| sink.reuse(&rel, v)) {
                    if let Some(b) = bar {
                        b.inc(1);
                    }
                    return None;
                }
                let result = renderer.page(id).and_then(|html| {
                    sink.write_keyed(&rel, html.into_bytes(), view)
                        .map_err(|e| Diagnostic::error(format!("{e:#}")))
                });
                if let Some(b) = bar {
                    b.inc(1);
                }
                result.err()
            })
            .collect()
    }

    /// The generated files that are not content pages: print views, feeds, 404, sitemap,
    /// robots.txt. Each is handed to `emit` as soon as it is made (a book's print view holds
    /// every chapter), with its output path; the first template error stops.
    pub fn extra_files(&self, emit: &mut dyn FnMut(String, Vec<u8>)) -> Result<(), Diagnostic> {
        let renderer = self.renderer();
        let mut emit = |rel: String, bytes: Vec<u8>| emit(self.out(&rel), bytes);
        // Print views a few at a time in parallel: each holds a whole book.
        let books: Vec<&Page> = self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Book)
            .collect();
        for group in books.chunks(rayon::current_num_threads().max(1)) {
            let views: Vec<Result<String, Diagnostic>> = group
                .par_iter()
                .map(|p| renderer.book_print(p.id))
                .collect();
            for (p, view) in group.iter().zip(views) {
                emit(format!("{}print/index.html", p.url), view?.into_bytes());
            }
        }
        for p in &self.site.pages {
            if p.kind == PageKind::Articles {
                emit(
                    format!("{}atom.xml", p.url),
                    renderer.atom(p.id)?.into_bytes(),
                );
            }
        }
        // The files a host has once, at the site's root: those of the latest edition's default
        // language (they speak every language where it matters: the 404 page, the sitemap).
        let config = &self.site.config;
        let latest = config.edition.is_none() && config.language == config.default_language();
        if latest {
            emit("404.html".into(), renderer.not_found()?.into_bytes());
            if self.site.config.offline {
                emit(
                    offline::OFFLINE_PAGE.into(),
                    renderer.offline_page()?.into_bytes(),
                );
            } else {
                // A worker that removes itself, for readers who had one (the enabled worker is
                // written by `build` once every other file is, see `service_worker`).
                emit(
                    offline::WORKER_FILE.into(),
                    offline::worker(
                        &self.theme.worker,
                        &offline::Settings::off(),
                        &self.site.config.theme,
                    )?,
                );
            }
        }
        if !self.site.config.archived() {
            emit(
                "search/index.html".into(),
                renderer.search_page()?.into_bytes(),
            );
        }
        if let Some(changes) = self
            .editions
            .as_ref()
            .and_then(|cx| editions::changes(cx, &self.site, &self.opts.root))
        {
            emit(
                "changes/index.html".into(),
                renderer.changes(&changes)?.into_bytes(),
            );
        }
        emit(
            "my-learning/index.html".into(),
            renderer.my_learning()?.into_bytes(),
        );
        emit("courses.json".into(), renderer.courses_json().into_bytes());
        for p in self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Course)
        {
            emit(
                format!("{}certificate/index.html", p.url),
                renderer.certificate(p.id)?.into_bytes(),
            );
        }
        if latest {
            emit("sitemap.xml".into(), renderer.sitemap()?.into_bytes());
            emit("robots.txt".into(), renderer.robots().into_bytes());
        }
        Ok(())
    }

    /// Theme assets, static files and content assets.
    pub fn write_assets(&self, sink: &Sink) -> Result<()> {
        let config = &self.site.config;
        let default_language = config.language == config.default_language();
        let mut copies: Vec<(String, &Path)> = Vec::new();
        // The theme's assets and `static/` once, at the site's root: every variant links there.
        if config.edition.is_none() && default_language {
            for (rel, bytes) in &self.theme.files {
                sink.write(rel, bytes.clone())?;
            }
            copies.extend(
                self.loaded
                    .static_files
                    .iter()
                    .map(|a| (a.rel.clone(), a.path.as_path())),
            );
        }
        // Files beside the pages: those the pages use, in the edition's folder (shared by its
        // languages). A file no page links to or shows is not published.
        let used = self.used_files();
        copies.extend(
            self.loaded
                .assets
                .iter()
                .filter(|a| used.contains(a.rel.as_str()) && !in_draft_dir(&self.site, &a.rel))
                .map(|a| (self.files_out(&a.rel), a.path.as_path())),
        );
        copies
            .par_iter()
            .try_for_each(|(rel, path)| sink.copy(rel, path))
    }

    /// The files beside the pages (relative to `content/`) that some page of this variant links
    /// to or shows.
    pub fn used_files(&self) -> HashSet<&str> {
        self.rendered
            .iter()
            .flat_map(|r| r.uses.iter().map(String::as_str))
            .collect()
    }

    /// Writes the search index's files and the pages, the index on a thread of its own while
    /// the pages are rendered in parallel: the index is ten thousand small files in one folder
    /// on a large site, and two threads creating files in one folder wait on its lock (measured:
    /// an eighth of the build's CPU went to that waiting, spinning). Lets go of the index's files
    /// as they are written.
    pub fn write_search_and_all(&mut self, sink: &Sink, progress: bool) -> Diagnostics {
        let files = std::mem::take(&mut self.search_files);
        let this = &*self;
        std::thread::scope(|scope| {
            let search = scope.spawn(move || {
                let mut diags = Diagnostics::default();
                for (rel, bytes) in files {
                    if let Err(e) = sink.write(&this.out(&rel), bytes) {
                        diags.push(Diagnostic::error(format!("{e:#}")));
                    }
                }
                diags
            });
            let mut diags = this.write_all(sink, progress);
            match search.join() {
                Ok(d) => diags.extend(d),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            diags
        })
    }

    pub fn write_all(&self, sink: &Sink, progress: bool) -> Diagnostics {
        let mut phases = crate::util::Phases::start();
        let mut diags = Diagnostics::default();
        let bar = (progress && self.site.pages.len() > 2000).then(|| {
            let bar = indicatif::ProgressBar::new(self.site.pages.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let ids: Vec<PageId> = self.site.pages.iter().map(|p| p.id).collect();
        for e in self.write_pages(&ids, sink, bar.as_ref()) {
            diags.push(e);
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        phases.done("pages");
        let mut failed = Vec::new();
        let made = self.extra_files(&mut |rel, bytes| {
            if let Err(e) = sink.write(&rel, bytes) {
                failed.push(Diagnostic::error(format!("{e:#}")));
            }
        });
        for d in failed {
            diags.push(d);
        }
        if let Err(d) = made {
            diags.push(d);
        }
        phases.done("extra files");
        // One at a time: the index of a large site is tens of megabytes. (A one-shot build
        // writes them with `write_search_and_all` instead.)
        for (rel, bytes) in &self.search_files {
            if let Err(e) = sink.write(&self.out(rel), bytes.clone()) {
                diags.push(Diagnostic::error(format!("{e:#}")));
            }
        }
        if let Err(e) = self.write_assets(sink) {
            diags.push(Diagnostic::error(format!("{e:#}")));
        }
        diags
    }
}
