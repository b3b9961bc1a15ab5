//! The search index, built from the model and the rendered text of each page; a pure function
//! that returns files for `output` to write under `search/`.
//!
//! Layout (format version [`FORMAT_VERSION`], checked by `search.js`):
//! - `search/index.json.gz` — the manifest: format version, page count, each page's kind (a
//!   capital when the page has no fragment file) and edition-independent language, stop
//!   words, the first term and file name of every shard, and the first page and file name of
//!   every leads group.
//! - `search/t/<hash>.bin.gz` — term shards: consecutive ranges of the sorted vocabulary, each
//!   about [`SHARD_BYTES`] before compression, so a query fetches only the shards its words
//!   fall in. Content-hashed names: a host can cache them forever. A shard:
//!   ```text
//!   varint nterms, nterms × header, then the postings of every term in turn, in columns:
//!   varint page deltas, u8 impacts, u8 flags, varint section codes
//!   header: term front-coded, u8 truncated, varint nforms, nforms × form front-coded against
//!           the term (the folded words that gave it, most pages first, at most MAX_FORMS),
//!           varint npostings
//!   front-coded: varint UTF-16 units shared with the string before (the term before; "" for
//!                the first), varint len, the UTF-8 bytes of the rest
//!   ```
//!   Flags: bit j set if and only if the page has form j; bits 3–6 how many sections follow in
//!   the codes column; bit 7 if the term is in its title. The sections (indexes into the page's
//!   fragment and lead `s`) hold the term in their heading or text, the first [`MAX_SECTIONS`] in
//!   page order, each coded as `(index − previous index or −1 − 1) × 2 + (1 if in the heading)`.
//! - `search/t/<hash>.leads.gz` — leads groups: JSON `{"<page>": lead, …}` for consecutive
//!   searchable pages, until the group reaches [`LEADS_BYTES`]. A lead is a page's fragment with
//!   each section's text cut after its [`LEAD_WORDS`]th word (a fourth element `1` when cut),
//!   and its anchor `0` when the browser makes it from the heading (`leads::derived`): what a
//!   result shows, without the page's text.
//! - `search/f/<page>.bin` — one fragment per page (title, URL, kind, breadcrumb, the text of
//!   each section with its anchor), fetched only to check a quoted phrase: JSON, compressed as
//!   raw DEFLATE against a preset dictionary. A page whose lead cuts no section (every section
//!   is short, or the fragment is at most [`WHOLE_BYTES`]) has none: its lead holds all its
//!   text, and the manifest gives its kind letter as a capital.
//! - `search/t/<hash>.dict.gz` — that dictionary ([`DICT_BYTES`]): the strings that recur most
//!   across a sample of the fragments (words, phrases, the JSON around them, the site's paths).
//!   A reader fetches it once, beside the first shards; each fragment is then about a quarter
//!   smaller than compressed alone (the measurements are in ARCHITECTURE.md).
//!
//! Every file is compressed here, so the bytes a reader downloads do not depend on the server's
//! compression settings; `search.js` inflates them itself.
//!
//! A term is a word lowercased, Snowball-stemmed in its page's language (English, Spanish;
//! other languages unstemmed), then stripped of accents. Spanish words are also indexed by the
//! stem of their accent-less spelling, so `educacion` finds `educación`. A shard entry holds,
//! for each page containing the term, the page's BM25 score for it (title words weigh three
//! times, heading words twice) quantised to one byte; the browser adds the bytes of the query
//! terms, then re-ranks the best by where the words are (exact forms, title, headings, words
//! sharing a section) and shows the best section's opening from the lead. Postings of terms
//! found in more than [`MAX_POSTINGS`] pages keep the best-scoring ones and are marked
//! truncated: such terms do not exclude pages.
//!
//! The jobs, one module each: [`analysis`] (words, stems, counted terms with their forms and
//! sections, the vocabulary), [`places`] (where each term of a page is, packed), [`rank`] (BM25
//! impacts), [`shards`] (the term shards), [`leads`] (leads and their groups) and [`fragments`]
//! (fragments and their dictionary); [`build`] here puts their files together with the
//! manifest. [`Indexer`] is the one way in for a build and for `serve`: pages in, files out.

mod analysis;
mod fragments;
mod indexer;
mod leads;
mod places;
mod rank;
mod shards;

pub use analysis::{
    Analyzer, Counted, PageTerms, RawTerms, Vocabulary, all_page_terms, count_terms, count_text,
    fold, page_terms, stop_words, words,
};
pub use fragments::{compress_fragments, dictionary, fragment, fragments, same_fragment};
pub use indexer::{ForCache, Indexer};
pub use leads::{Memo as LeadsMemo, lead};
pub use rank::{LISTING_PRIOR, prior};

use crate::model::{PageKind, Site};
use analysis::base_lang;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

pub const FORMAT_VERSION: u32 = 5;
/// Target size of one term shard before compression.
pub const SHARD_BYTES: usize = 2 * 1024;
/// Size of the fragments' preset dictionary.
pub const DICT_BYTES: usize = 8 * 1024;
/// Pages kept in the postings of one term.
pub const MAX_POSTINGS: usize = 1000;
/// Forms (folded words) listed per term in a shard, the most pages first.
pub const MAX_FORMS: usize = 3;
/// Sections listed per posting: the first ones of the page that hold the term.
pub const MAX_SECTIONS: usize = 8;
/// Words of a section's text a lead keeps (its opening).
pub const LEAD_WORDS: usize = 16;
/// Size a leads group reaches (JSON, before compression) before the next page starts another.
pub const LEADS_BYTES: usize = 24 * 1024;
/// Size of a fragment (JSON) up to which a page's lead is the whole of it, and the page has no
/// fragment file: a short page's lead was most of its text anyway, and a site of many short
/// pages would write a file of a hundred bytes beside each (half its files).
pub const WHOLE_BYTES: usize = 1024;

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    pages: usize,
    /// One letter per page: its kind (see `kinds`), a capital when its lead holds all its text
    /// (it has no fragment file), `-` when it is left out of search.
    page_kinds: String,
    kinds: BTreeMap<char, &'static str>,
    /// Languages of the pages, for stemming queries in each.
    langs: Vec<String>,
    stop: BTreeMap<String, &'static [&'static str]>,
    /// `[first term, file]` per shard, sorted by term.
    shards: Vec<(String, String)>,
    /// Changes whenever any fragment does: added to fragment URLs so caches stay correct.
    build: &'a str,
    /// The fragments' preset dictionary (`t/<hash>.dict.gz`).
    dict: String,
    /// `[first page, file]` per leads group, sorted by page.
    leads: Vec<(u32, String)>,
}

fn level(fast: bool) -> Compression {
    if fast {
        Compression::fast()
    } else {
        // Level 6, not 9: on fragments and shards of a few kilobytes the deeper search finds
        // nothing more (the same bytes within 0.01% on the 10,000-page benchmark) and costs time.
        Compression::default()
    }
}

/// The search kind a page is filtered by, and its label.
pub fn search_kind(kind: PageKind) -> (char, &'static str) {
    match kind {
        PageKind::Book | PageKind::Chapter => ('p', "Playbook"),
        PageKind::Articles | PageKind::Article => ('m', "Monograph"),
        PageKind::Lessons | PageKind::Lesson => ('l', "Lesson"),
        PageKind::Course | PageKind::Module | PageKind::CourseLesson => ('c', "Course"),
        PageKind::Home | PageKind::Page | PageKind::Section => ('o', "Page"),
    }
}

fn gzip(bytes: &[u8], level: Compression) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), level);
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The files of an index.
pub struct Files {
    /// Path under the output folder, bytes.
    pub files: Vec<(String, Bytes)>,
    /// The fragments that have no file (their leads hold all their text), by page: a build
    /// caches them with the fragments it writes.
    pub unwritten: Vec<(usize, Bytes)>,
}

/// Builds the index files from the pages that are searchable. `terms[i]` are the counted terms
/// of page `i` (see [`page_terms`]; `None` for pages left out of search), `fragments[i]` its
/// fragment compressed against `dict`. The leads are made from the fragments, reusing what
/// `memo` holds, which is replaced by this index's. `fast` trades size for speed (for `serve`).
pub fn build(
    site: &Site,
    terms: &[Option<PageTerms>],
    vocab: &Vocabulary,
    fragments: Vec<Option<Bytes>>,
    dict: &[u8],
    memo: &mut LeadsMemo,
    fast: bool,
) -> Files {
    let level = level(fast);
    // The leads (made from the fragments) and the shards at once: neither waits for the other.
    let (leads, shards) = rayon::join(
        || {
            let (groups, made) = leads::write(&fragments, dict, level, memo);
            *memo = made;
            groups
        },
        || shards::write(vocab, terms, rank::bm25(site, terms, vocab.len()), level),
    );
    let shards::Shards {
        files,
        list: shards,
    } = shards;
    let mut files: Vec<(String, Bytes)> = files
        .into_iter()
        .map(|(rel, bytes)| (rel, Bytes::from(bytes)))
        .chain(leads.files)
        .collect();
    // Fragments, made while the pages were rendered (they are about as large as the text).
    let mut build_hash = blake3::Hasher::new();
    let dict_gz = gzip(dict, level);
    let dict_file = format!("t/{}.dict.gz", crate::util::short_hash(&dict_gz));
    files.push((format!("search/{dict_file}"), dict_gz.into()));
    build_hash.update(dict_file.as_bytes());
    let mut unwritten = Vec::new();
    for (i, frag) in fragments.into_iter().enumerate() {
        match frag {
            Some(z) if leads.cut[i] => {
                build_hash.update(&z);
                files.push((format!("search/f/{i}.bin"), z));
            }
            Some(z) => unwritten.push((i, z)),
            None => {}
        }
    }
    let build = build_hash.finalize().to_hex()[..10].to_string();
    let mut manifest = manifest(site, terms, &leads.cut, shards, &build, dict_file);
    manifest.leads = leads.list;
    files.push((
        "search/index.json.gz".into(),
        gzip(&serde_json::to_vec(&manifest).unwrap_or_default(), level).into(),
    ));
    Files { files, unwritten }
}

/// The manifest of an index whose shards are `shards`, fragments' build `build` and dictionary
/// `dict`; `cut[i]` whether page `i`'s lead cuts a section (it has a fragment file).
fn manifest<'a>(
    site: &Site,
    terms: &[Option<PageTerms>],
    cut: &[bool],
    shards: Vec<(String, String)>,
    build: &'a str,
    dict: String,
) -> Manifest<'a> {
    // The languages of the pages in this index (not of pages shown here in another language,
    // which are in their own language's index): the browser stems a query in each.
    let mut langs: Vec<String> = site
        .pages
        .iter()
        .enumerate()
        .filter(|(i, _)| terms[*i].is_some())
        .map(|(_, p)| base_lang(&p.lang).to_string())
        .collect();
    if langs.is_empty() {
        langs.extend(site.pages.iter().map(|p| base_lang(&p.lang).to_string()));
    }
    langs.sort();
    langs.dedup();
    Manifest {
        v: FORMAT_VERSION,
        pages: site.pages.len(),
        page_kinds: site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if terms[i].is_some() {
                    let k = search_kind(p.kind).0;
                    if cut.get(i).copied().unwrap_or(true) {
                        k
                    } else {
                        k.to_ascii_uppercase()
                    }
                } else {
                    '-'
                }
            })
            .collect(),
        kinds: [
            ('p', "Playbook"),
            ('m', "Monograph"),
            ('l', "Lesson"),
            ('c', "Course"),
            ('o', "Page"),
        ]
        .into_iter()
        .collect(),
        stop: langs.iter().map(|l| (l.clone(), stop_words(l))).collect(),
        langs,
        shards,
        build,
        dict,
        leads: Vec::new(),
    }
}
