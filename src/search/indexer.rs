//! The one way into an index, for a one-shot build and for `serve` alike (shaped like Pagefind's
//! `PagefindIndex`: pages in, files out): it owns the vocabulary, each page's counted terms, the
//! fragments and their dictionary.

use super::{LeadsMemo, PageTerms, Vocabulary};
use crate::markdown::Rendered;
use crate::model::{PageId, Site};
use bytes::Bytes;

/// What a build's cache keeps of an index (see [`Indexer::take`]).
pub struct ForCache {
    /// The vocabulary's words, by number.
    pub words: Vec<String>,
    /// Each page's counted terms.
    pub terms: Vec<Option<PageTerms>>,
    /// The leads memo.
    pub leads: LeadsMemo,
    /// The fragments that have no file (see [`super::Files`]), by page.
    pub unwritten: Vec<(usize, Bytes)>,
}

/// The search index of one language while it is made. Pages are numbered as the site numbers
/// them (`PageId`): a one-shot build adds them in order as its Markdown pass counts them (with
/// their fragments, compressed against [`Indexer::dictionary`]); `serve` replaces the page an
/// edit changed, or follows the pages of a new structure to their new numbers. [`Indexer::files`]
/// writes the index.
#[derive(Debug, Clone, Default)]
pub struct Indexer {
    vocab: Vocabulary,
    /// Each page's counted terms, `None` for a page left out of search.
    terms: Vec<Option<PageTerms>>,
    /// Compressed fragments: added with the pages (a one-shot build), until `files` takes them;
    /// made from the pages' sections and kept (`serve`, which lets go of the sections), a
    /// page's made again after it changes. Empty while none are made.
    fragments: Vec<Option<Bytes>>,
    /// The fragments' preset dictionary: made once, kept by `serve` so that a fragment made
    /// after an edit is read with the dictionary readers already have.
    dict: Vec<u8>,
    /// The leads memo (see [`LeadsMemo`]): a one-shot build's is the previous build's until the
    /// files are made, this build's after (for the next build's cache); `serve` keeps its own
    /// from one edit to the next, so an edit makes one page's lead and one group again.
    memo: LeadsMemo,
    /// A one-shot build's fragments that have no file (see [`super::Files`]), for its cache.
    unwritten: Vec<(usize, Bytes)>,
}

impl Indexer {
    /// An empty index whose fragments are compressed against `dict` (empty: made from the
    /// first fragments, see [`Indexer::sample_dictionary`]).
    pub fn with_dictionary(dict: Vec<u8>) -> Indexer {
        Indexer {
            dict,
            ..Indexer::default()
        }
    }

    /// The fragments' preset dictionary (empty until made).
    pub fn dictionary(&self) -> &[u8] {
        &self.dict
    }

    /// Makes the dictionary from the fragments `json` (uncompressed) unless there is one.
    pub fn sample_dictionary(&mut self, json: &[Option<&[u8]>]) {
        if self.dict.is_empty() {
            self.dict = super::dictionary(json.iter().flatten().copied());
        }
    }

    /// Adds the next page: its terms, numbered in this index's vocabulary (see
    /// [`Indexer::vocabulary`]), and its compressed fragment; `None` when it is left out of
    /// search.
    pub fn add(&mut self, terms: Option<PageTerms>, fragment: Option<Bytes>) {
        self.terms.push(terms);
        self.fragments.push(fragment);
    }

    /// The vocabulary, to number the terms of a page before [`Indexer::add`]: counted now
    /// ([`Vocabulary::compact`]) or a cache's, numbered by a previous build's words.
    pub fn vocabulary(&mut self) -> &mut Vocabulary {
        &mut self.vocab
    }

    /// Page `id` counted again from its sections (after an edit): its terms replaced, its
    /// fragment (alone) to be made again by `files`.
    pub fn replace_page(&mut self, site: &Site, rendered: &[Rendered], id: PageId) {
        let p = site.page(id);
        let terms = p
            .searchable()
            .then(|| super::page_terms(p, &rendered[id.index()].sections, &mut self.vocab));
        if let Some(slot) = self.terms.get_mut(id.index()) {
            *slot = terms;
        }
        if let Some(slot) = self.fragments.get_mut(id.index()) {
            *slot = None;
        }
    }

    /// This index for the pages of a new structure (`serve`): page `i` keeps the terms and the
    /// fragment of the old page `kept(i)` when that is still current (the caller checks its
    /// fragment with [`super::same_fragment`]), and is counted and made again otherwise.
    pub fn follow(
        &self,
        site: &Site,
        rendered: &[Rendered],
        kept: impl Fn(PageId) -> Option<PageId>,
    ) -> Indexer {
        let mut vocab = self.vocab.clone();
        let mut terms = Vec::with_capacity(site.pages.len());
        let mut fragments = Vec::with_capacity(site.pages.len());
        for p in &site.pages {
            let old = kept(p.id).map(PageId::index);
            match old.and_then(|i| self.terms.get(i)) {
                Some(t) if p.searchable() == t.is_some() => {
                    terms.push(t.clone());
                    fragments.push(old.and_then(|i| self.fragments.get(i).cloned().flatten()));
                }
                _ => {
                    let sections = &rendered[p.id.index()].sections;
                    terms.push(
                        p.searchable()
                            .then(|| super::page_terms(p, sections, &mut vocab)),
                    );
                    fragments.push(None);
                }
            }
        }
        if self.fragments.is_empty() {
            fragments.clear();
        }
        // Keyed by content: what it holds of pages that moved or changed is not used.
        Indexer {
            vocab,
            terms,
            fragments,
            dict: self.dict.clone(),
            memo: self.memo.clone(),
            unwritten: Vec::new(),
        }
    }

    /// The index files: counts the pages not counted yet and makes the fragments not made,
    /// from `rendered`. `live` (`serve`) trades size for speed and keeps the fragments, so that
    /// the pages' sections can go and an edit makes one page's fragment again; otherwise they
    /// go into the files.
    pub fn files(
        &mut self,
        site: &Site,
        rendered: &[Rendered],
        live: bool,
    ) -> Vec<(String, Bytes)> {
        if self.terms.len() != site.pages.len() {
            self.terms = super::all_page_terms(site, rendered, &mut self.vocab);
        }
        if self.fragments.len() == site.pages.len() {
            if live {
                self.remake_fragments(site, rendered, live);
            }
        } else {
            self.fragments = super::fragments(site, rendered, &self.terms, &mut self.dict, live);
        }
        // A one-shot build is done with its fragments; `serve` keeps them (shared, not copied:
        // the files served hold the same bytes).
        let fragments = if live {
            self.fragments.clone()
        } else {
            std::mem::take(&mut self.fragments)
        };
        let super::Files { files, unwritten } = super::build(
            site,
            &self.terms,
            &self.vocab,
            fragments,
            &self.dict,
            &mut self.memo,
            live,
        );
        if !live {
            self.unwritten = unwritten;
        }
        files
    }

    /// Makes the fragments of counted pages that have none (changed since they were made) from
    /// their sections, and drops those of pages left out of search (`serve`; a one-shot build
    /// adds every fragment with its page).
    fn remake_fragments(&mut self, site: &Site, rendered: &[Rendered], fast: bool) {
        let mut changed = Vec::new();
        for p in &site.pages {
            let i = p.id.index();
            if self.terms[i].is_none() {
                self.fragments[i] = None;
            } else if self.fragments[i].is_none() {
                changed.push((i, super::fragment(site, p, &rendered[i].sections)));
            }
        }
        let json: Vec<Option<&[u8]>> = changed.iter().map(|(_, j)| Some(j.as_slice())).collect();
        let made = super::compress_fragments(&json, &self.dict, fast);
        for ((i, _), z) in changed.iter().zip(made) {
            self.fragments[*i] = z;
        }
    }

    /// What the next build's cache keeps of this index, taken out: the index is empty
    /// afterwards.
    pub fn take(&mut self) -> ForCache {
        let vocab = std::mem::take(&mut self.vocab);
        ForCache {
            words: (0..vocab.len() as u32)
                .map(|i| vocab.word(i).to_string())
                .collect(),
            terms: std::mem::take(&mut self.terms),
            leads: std::mem::take(&mut self.memo),
            unwritten: std::mem::take(&mut self.unwritten),
        }
    }

    /// Gives a one-shot build the previous build's leads memo (see [`LeadsMemo`]).
    pub fn reuse_leads(&mut self, memo: LeadsMemo) {
        self.memo = memo;
    }
}
