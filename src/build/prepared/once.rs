//! The Markdown pass of a one-shot build: every page rendered (or taken from the build cache),
//! its search terms counted and its search fragment compressed, a chunk of pages at a time.

use super::Known;
use super::keys::{PageKeys, page_keys};
use crate::build::cache;
use crate::diagnostics::Diagnostics;
use crate::highlight::Highlighter;
use crate::markdown::{self, Rendered};
use crate::model::{Page, Site};
use crate::search;
use bytes::Bytes;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::Arc;

/// The Markdown pass of a one-shot build: renders every page, counts its search terms and makes
/// its search fragment (when `index`), then keeps only what the rest of the build needs, the
/// HTML packed and the plain text dropped. Pages go a chunk at a time so that only two chunks'
/// string-keyed term counts and fragments exist at once (one rendering, one being finished):
/// the peak memory of a large build depends on it.
///
/// With `cache` (this variant's key, and what the previous build left for it), a page whose
/// Markdown and fragment keys are those of the previous build is not rendered again: its
/// render, terms and fragment are the cached ones. The first chunk is always rendered, since
/// the fragments' dictionary is made from it; when the dictionary is not the cached one, no
/// cached fragment is used. Returns the entries for the next build's cache.
///
/// `texts` are the pages' Markdown, taken out of `site` (see `Prepared::render`): each chunk's
/// are let go of once it is rendered, so the text of the pages is not all held at the peak.
pub fn render_once(
    site: &Site,
    known: &Known,
    highlighter: &Highlighter,
    searching: Searching,
    diags: &mut Diagnostics,
    cache: Option<(cache::Key, Option<&cache::Variant>)>,
    (texts, hashes): (Vec<Arc<str>>, Vec<Option<blake3::Hash>>),
) -> (Vec<Rendered>, search::Indexer, Option<cache::Variant>) {
    let cx = known.context(site, highlighter);
    let n = site.pages.len();
    let read = Reader {
        site,
        index: searching.index,
        previous: cache.and_then(|(_, p)| p),
        key: cache.map(|(key, _)| key),
        hashes,
    };
    let mut pass = Pass {
        read: &read,
        rendered: Vec::with_capacity(n),
        search: search::Indexer::default(),
        made: cache.map(|(key, _)| cache::Variant {
            key,
            ..Default::default()
        }),
        renumber: Renumber::default(),
    };
    if read.previous_dict_holds(&texts) {
        pass.search = search::Indexer::with_dictionary(
            read.previous.map(|v| v.dict.clone()).unwrap_or_default(),
        );
    }
    if let Some(v) = read.previous {
        pass.search.reuse_leads(v.leads.clone());
    }
    // A pipeline of two: chunk `c` is finished (its fragments compressed, its pages kept, in
    // order) while chunk `c + 1` renders. Keeping is serial, and each parallel step ends with
    // one thread waiting for the other's last page: one after the other, a core idled for a
    // sixth of the pass.
    let mut texts = texts.into_iter();
    let mut chunks = site.pages.chunks(CHUNK).enumerate();
    let mut pending: Option<(usize, &[Page], Vec<Done>)> = None;
    loop {
        let next = chunks.next();
        if next.is_none() && pending.is_none() {
            break;
        }
        if let (Some((c, _, done)), Some(_)) = (&pending, read.previous) {
            // With a previous build, the dictionary (when this chunk is the first with
            // fragments) is made before the next chunk renders, which can then take cached
            // fragments if it is the previous build's. Without one, it is made meanwhile.
            pass.dictionary(*c, &fragments_json(done));
        }
        let same_dict = pass.same_dict();
        let texts = &mut texts;
        let cx = &cx;
        let (rendered, ()) = rayon::join(
            || {
                next.map(|(c, chunk)| {
                    let held: Vec<Arc<str>> = texts.take(chunk.len()).collect();
                    (c, chunk, read.render_chunk(chunk, &held, cx, same_dict))
                })
            },
            || {
                if let Some((c, chunk, done)) = pending.take() {
                    pass.finish(c, chunk, done, searching.fast, diags);
                }
            },
        );
        pending = rendered;
    }
    if let Some(v) = &mut pass.made {
        v.dict = pass.search.dictionary().to_vec();
    }
    (pass.rendered, pass.search, pass.made)
}

/// The JSON of the fragments made for the pages `done`, by page.
fn fragments_json(done: &[Done]) -> Vec<Option<&[u8]>> {
    done.iter()
        .map(|d| match &d.searched {
            Some(Searched::Made(_, json)) => Some(json.as_slice()),
            _ => None,
        })
        .collect()
}

/// Page `p` with its Markdown `text` put back, when it was taken out of the site.
fn with_text<'p>(p: &'p Page, text: Option<&Arc<str>>) -> Cow<'p, Page> {
    match text {
        Some(t) if p.source.text.is_empty() && !t.is_empty() => {
            let mut p = p.clone();
            p.source.text = t.clone();
            Cow::Owned(p)
        }
        _ => Cow::Borrowed(p),
    }
}

/// How the pass makes search data: whether the variant has a search index (searchable pages
/// get terms and a fragment), and whether fragments are compressed fast rather than small
/// (`serve`, which starts sooner that way and makes them again after edits).
#[derive(Clone, Copy)]
pub struct Searching {
    pub index: bool,
    pub fast: bool,
}

/// Pages rendered at once by a one-shot build (see `render_once`).
const CHUNK: usize = 256;

/// What the pass reads: the site, and what the previous build left for this variant.
struct Reader<'a> {
    site: &'a Site,
    /// The variant has a search index: searchable pages get terms and a fragment.
    index: bool,
    /// What the previous build left for this variant, when it has the same key.
    previous: Option<&'a cache::Variant>,
    /// This variant's cache key, when this build caches.
    key: Option<cache::Key>,
    /// The hash of each page's text taken out of the site, by page (`None`: not taken).
    hashes: Vec<Option<blake3::Hash>>,
}

/// What the pass has gathered so far.
struct Pass<'a> {
    read: &'a Reader<'a>,
    rendered: Vec<Rendered>,
    /// The search index, its pages added as they are rendered.
    search: search::Indexer,
    /// The entries for the next build's cache (when this build caches).
    made: Option<cache::Variant>,
    renumber: Renumber,
}

/// A page's search terms and fragment: counted now (with the fragment's JSON), or cached (with
/// the compressed fragment).
enum Searched {
    Made(search::RawTerms, Vec<u8>),
    Cached(search::PageTerms, Bytes),
}

/// One page of a chunk, rendered now or taken from the cache.
struct Done {
    rendered: Rendered,
    /// The hash of its body (`render::body_hash`), when this build caches.
    body: Option<cache::Key>,
    searched: Option<Searched>,
    /// The page's keys, when this build caches.
    keys: Option<PageKeys>,
}

impl Reader<'_> {
    /// The hash of the text of page `p` (its text put back, see `with_text`).
    fn text_hash(&self, p: &Page) -> blake3::Hash {
        match self.hashes.get(p.id.index()) {
            Some(Some(h)) => *h,
            _ => blake3::hash(p.source.text.as_bytes()),
        }
    }

    /// Whether the previous build's dictionary is this build's: the dictionary is made from the
    /// first chunk's fragments, so it is when the previous build made it there too and each
    /// page of that chunk has the keys it had (and then that chunk's pages can come from the
    /// cache as well).
    fn previous_dict_holds(&self, texts: &[Arc<str>]) -> bool {
        let (Some(key), Some(prev)) = (&self.key, self.previous) else {
            return false;
        };
        let first = &self.site.pages[..self.site.pages.len().min(CHUNK)];
        prev.dict_from_first
            && first.par_iter().enumerate().all(|(i, p)| {
                let p = with_text(p, texts.get(i));
                let keys = page_keys(self.site, &p, key, &self.text_hash(&p));
                let searchable = self.index && p.searchable();
                prev.pages.get(&p.rel).is_some_and(|e| {
                    e.md_key == keys.md
                        && e.terms.is_some() == searchable
                        && (!searchable || (e.frag_key == keys.frag && e.fragment.is_some()))
                })
            })
    }

    /// The pages of `chunk`, in parallel: each taken from the cache when its entry holds (its
    /// fragment only when `same_dict`, see [`Pass::same_dict`]), else rendered, its terms
    /// counted and its fragment's JSON made. `texts`: the chunk's pages' Markdown, when taken
    /// out of the site.
    fn render_chunk(
        &self,
        chunk: &[Page],
        texts: &[Arc<str>],
        cx: &markdown::Context,
        same_dict: bool,
    ) -> Vec<Done> {
        chunk
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let p = &*with_text(p, texts.get(i));
                let keys =
                    (self.key.as_ref()).map(|key| page_keys(self.site, p, key, &self.text_hash(p)));
                let searchable = self.index && p.searchable();
                if let Some(e) = keys.and_then(|k| self.cached(p, k, searchable, same_dict)) {
                    let searched = e.terms.as_ref().map(|t| {
                        Searched::Cached(t.clone(), e.fragment.clone().unwrap_or_default())
                    });
                    return Done {
                        rendered: e.rendered.clone(),
                        body: Some(e.body),
                        searched,
                        keys,
                    };
                }
                let mut r = markdown::render(p, cx);
                let searched = searchable.then(|| {
                    Searched::Made(
                        search::count_terms(p, &r.sections),
                        search::fragment(self.site, p, &r.sections),
                    )
                });
                r.sections = Vec::new();
                r.html.pack();
                let body = keys.map(|_| *crate::render::body_hash(&r.html).as_bytes());
                Done {
                    rendered: r,
                    body,
                    searched,
                    keys,
                }
            })
            .collect()
    }

    /// The previous build's entry of page `p`, when it can stand for a render now: same
    /// Markdown key, and (for a searchable page) a fragment of the same key compressed with
    /// the same dictionary.
    fn cached(
        &self,
        p: &Page,
        keys: PageKeys,
        searchable: bool,
        same_dict: bool,
    ) -> Option<&cache::PageEntry> {
        let e = self.previous?.pages.get(&p.rel)?;
        let fragment_ok =
            !searchable || (same_dict && e.frag_key == keys.frag && e.fragment.is_some());
        (e.md_key == keys.md && fragment_ok && e.terms.is_some() == searchable).then_some(e)
    }
}

impl Pass<'_> {
    /// Whether cached fragments can be used: they were compressed against the previous
    /// build's dictionary, so only once this build's is made (from the first chunk with
    /// fragments) and is the same.
    fn same_dict(&self) -> bool {
        let dict = self.search.dictionary();
        !dict.is_empty() && self.read.previous.is_some_and(|v| v.dict == dict)
    }

    /// Finishes chunk `c` (its pages `chunk`, rendered as `done`): the fragments' dictionary
    /// made from it if there is none yet (see `render_once`), its fragments compressed, its
    /// pages kept.
    fn finish(
        &mut self,
        c: usize,
        chunk: &[Page],
        done: Vec<Done>,
        fast: bool,
        diags: &mut Diagnostics,
    ) {
        let json = fragments_json(&done);
        self.dictionary(c, &json);
        let compressed = search::compress_fragments(&json, self.search.dictionary(), fast);
        for ((p, d), fragment) in chunk.iter().zip(done).zip(compressed) {
            self.keep(p, d, fragment, diags);
        }
    }

    /// Makes the fragments' dictionary from chunk `c`'s fragments (`json`), unless it is made
    /// already: the first chunk with fragments makes it. Records for the cache whether it came
    /// from the first chunk.
    fn dictionary(&mut self, c: usize, json: &[Option<&[u8]>]) {
        if self.search.dictionary().is_empty() {
            self.search.sample_dictionary(json);
            if let Some(v) = &mut self.made {
                v.dict_from_first = c == 0 && !self.search.dictionary().is_empty();
            }
        } else if c == 0 {
            // Taken from the previous build (see `previous_dict_holds`), so made from this chunk.
            if let Some(v) = &mut self.made {
                v.dict_from_first = true;
            }
        }
    }

    /// Keeps page `p` (`d`, with its compressed fragment): its render, terms and fragment, and
    /// its entry for the next build's cache when it rendered without a problem.
    fn keep(&mut self, p: &Page, d: Done, fragment: Option<Bytes>, diags: &mut Diagnostics) {
        let Done {
            rendered: mut r,
            body,
            searched,
            keys,
        } = d;
        let clean = r.diags.is_empty();
        diags.extend(std::mem::take(&mut r.diags));
        self.rendered.push(r);
        let (terms, fragment) = match searched {
            Some(Searched::Made(t, _)) => (Some(self.search.vocabulary().compact(t)), fragment),
            Some(Searched::Cached(t, f)) => {
                // Numbered by the previous build's words: renumbered by this build's.
                let words = self.read.previous.map_or(&[][..], |v| v.words.as_slice());
                let t = self.renumber.terms(&t, words, self.search.vocabulary());
                (Some(t), Some(f))
            }
            None => (None, fragment),
        };
        if let (Some(v), Some(keys), Some(body), true) = (&mut self.made, keys, body, clean) {
            v.pages.insert(
                p.rel.clone(),
                cache::PageEntry {
                    md_key: keys.md,
                    frag_key: keys.frag,
                    rendered: Rendered::default(),
                    body,
                    terms: terms.as_ref().map(|_| search::PageTerms::default()),
                    // Filled in with the bytes as its file is written (`take_cache`): a copy
                    // now would be held through the Markdown pass, at the build's peak.
                    fragment: fragment.as_ref().map(|_| Bytes::new()),
                    in_base: false,
                },
            );
        }
        self.search.add(terms, fragment);
    }
}

/// The previous build's word numbers, renumbered in this build's vocabulary as met.
#[derive(Default)]
struct Renumber {
    /// This build's number of each previous word (`u32::MAX`: not met yet).
    ids: Vec<u32>,
}

impl Renumber {
    /// This build's number of the previous build's word `old` (of `words`).
    fn id(&mut self, old: u32, words: &[String], vocab: &mut search::Vocabulary) -> u32 {
        let i = old as usize;
        if self.ids.len() < words.len() {
            self.ids.resize(words.len(), u32::MAX);
        }
        match self.ids.get(i) {
            Some(&n) if n != u32::MAX => n,
            _ => {
                let n = vocab.intern(words.get(i).map_or("", String::as_str));
                if let Some(slot) = self.ids.get_mut(i) {
                    *slot = n;
                }
                n
            }
        }
    }

    /// Cached terms `t`, numbered by the previous build's `words`, numbered by this build's.
    fn terms(
        &mut self,
        t: &search::PageTerms,
        words: &[String],
        vocab: &mut search::Vocabulary,
    ) -> search::PageTerms {
        t.renumbered(|w| self.id(w, words, vocab))
    }
}
