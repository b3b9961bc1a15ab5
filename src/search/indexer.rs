//! The one way into an index, for a one-shot build and for `serve` alike (shaped like Pagefind's
//! `PagefindIndex`: pages in, files out): it owns the vocabulary, each page's counted terms, the
//! fragments and their dictionary.

use super::{PageTerms, Vocabulary};
use crate::markdown::Rendered;
use crate::model::{PageId, Site};

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
    /// Compressed fragments added with the pages (a one-shot build), until `files` takes them;
    /// empty when they are to be made from the pages' sections (`serve`).
    fragments: Vec<Option<Vec<u8>>>,
    /// The fragments' preset dictionary: made once, kept by `serve` so that a fragment made
    /// after an edit is read with the dictionary readers already have.
    dict: Vec<u8>,
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
    pub fn add(&mut self, terms: Option<PageTerms>, fragment: Option<Vec<u8>>) {
        self.terms.push(terms);
        self.fragments.push(fragment);
    }

    /// The vocabulary, to number the terms of a page before [`Indexer::add`]: counted now
    /// ([`Vocabulary::compact`]) or a cache's, numbered by a previous build's words.
    pub fn vocabulary(&mut self) -> &mut Vocabulary {
        &mut self.vocab
    }

    /// Page `id` counted again from its sections (after an edit): its terms replaced, its
    /// fragment to be made again by `files`.
    pub fn replace_page(&mut self, site: &Site, rendered: &[Rendered], id: PageId) {
        let p = site.page(id);
        let terms = p
            .searchable()
            .then(|| super::page_terms(p, &rendered[id.index()].sections, &mut self.vocab));
        if let Some(slot) = self.terms.get_mut(id.index()) {
            *slot = terms;
        }
        self.fragments.clear();
    }

    /// This index for the pages of a new structure (`serve`): page `i` keeps the terms of the
    /// old page `kept(i)` when that is still current, and is counted again otherwise.
    pub fn follow(
        &self,
        site: &Site,
        rendered: &[Rendered],
        kept: impl Fn(PageId) -> Option<PageId>,
    ) -> Indexer {
        let mut vocab = self.vocab.clone();
        let terms = site
            .pages
            .iter()
            .map(
                |p| match kept(p.id).and_then(|id| self.terms.get(id.index())) {
                    Some(t) if p.searchable() == t.is_some() => t.clone(),
                    _ => p.searchable().then(|| {
                        super::page_terms(p, &rendered[p.id.index()].sections, &mut vocab)
                    }),
                },
            )
            .collect();
        Indexer {
            vocab,
            terms,
            fragments: Vec::new(),
            dict: self.dict.clone(),
        }
    }

    /// The index files: counts the pages not counted yet and makes the fragments not added,
    /// from `rendered`. `fast` trades size for speed (`serve`).
    pub fn files(
        &mut self,
        site: &Site,
        rendered: &[Rendered],
        fast: bool,
    ) -> Vec<(String, Vec<u8>)> {
        if self.terms.len() != site.pages.len() {
            self.terms = super::all_page_terms(site, rendered, &mut self.vocab);
        }
        let fragments = if self.fragments.len() == site.pages.len() {
            std::mem::take(&mut self.fragments)
        } else {
            super::fragments(site, rendered, &self.terms, &mut self.dict, fast)
        };
        super::build(site, &self.terms, &self.vocab, fragments, &self.dict, fast)
    }

    /// The vocabulary's words (by number) and each page's terms, taken out for the next
    /// build's cache; the index is empty afterwards.
    pub fn take(&mut self) -> (Vec<String>, Vec<Option<PageTerms>>) {
        let vocab = std::mem::take(&mut self.vocab);
        let words = (0..vocab.len() as u32)
            .map(|i| vocab.word(i).to_string())
            .collect();
        (words, std::mem::take(&mut self.terms))
    }
}
