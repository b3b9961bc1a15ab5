//! The search index, built from the model and the rendered text of each page; a pure function
//! that returns files for `output` to write under `search/`.
//!
//! Layout (format version [`FORMAT_VERSION`], checked by `search.js`):
//! - `search/index.json.gz` — the manifest: format version, page count, each page's kind and
//!   edition-independent language, stop words, and the first term and file name of every shard.
//! - `search/t/<hash>.bin.gz` — term shards: consecutive ranges of the sorted vocabulary, each
//!   about [`SHARD_BYTES`] before compression, so a query fetches only the shards its words
//!   fall in. Content-hashed names: a host can cache them forever.
//! - `search/f/<page>.bin` — one fragment per page (title, URL, kind, breadcrumb, the text of
//!   each section with its anchor), fetched only for results shown: JSON, compressed as raw
//!   DEFLATE against a preset dictionary.
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
//! terms. Postings of terms found in more than [`MAX_POSTINGS`] pages keep the best-scoring ones
//! and are marked truncated: such terms do not exclude pages.

use crate::markdown::{Rendered, TextSection};
use crate::model::{Page, PageKind, Site};
use flate2::Compression;
use flate2::write::GzEncoder;
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

pub const FORMAT_VERSION: u32 = 2;
/// Target size of one term shard before compression.
pub const SHARD_BYTES: usize = 4 * 1024;
/// Size of the fragments' preset dictionary.
pub const DICT_BYTES: usize = 8 * 1024;
/// Fragments the dictionary is made from: a build's first ones.
const DICT_SAMPLE: usize = 256;
/// Pages kept in the postings of one term.
pub const MAX_POSTINGS: usize = 1000;
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A title containing the term adds this many times the term's idf to the page's score.
const TITLE_BOOST: f64 = 1.5;

/// How much a page's own score counts: a page that lists others (the home page, a collection,
/// a course, a module) names what its pages are about in their titles and descriptions, so
/// without this it would rank above the page that answers.
pub const LISTING_PRIOR: f64 = 0.6;

/// The factor of a page's score for its kind ([`LISTING_PRIOR`] for pages that list others).
pub fn prior(kind: PageKind) -> f64 {
    if kind.is_index() || kind == PageKind::Home {
        LISTING_PRIOR
    } else {
        1.0
    }
}

/// Words too common to search for, by language. The browser reads them from the manifest.
pub fn stop_words(lang: &str) -> &'static [&'static str] {
    match base_lang(lang) {
        "en" => &[
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
            "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was",
            "were", "which", "with",
        ],
        "es" => &[
            "a", "al", "con", "de", "del", "el", "en", "es", "la", "las", "lo", "los", "para",
            "por", "que", "se", "su", "sus", "un", "una", "y",
        ],
        _ => &[],
    }
}

fn base_lang(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Lowercases `word` and removes accents and other combining marks (`Éducación` → `educacion`).
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Stems words of one language.
pub struct Analyzer {
    lang: String,
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    pub fn new(lang: &str) -> Analyzer {
        let stemmer = match base_lang(lang) {
            "en" => Some(Stemmer::create(Algorithm::English)),
            "es" => Some(Stemmer::create(Algorithm::Spanish)),
            _ => None,
        };
        Analyzer {
            lang: base_lang(lang).to_string(),
            stemmer,
        }
    }

    /// The index terms of one word: usually one; for Spanish also the stem of the accent-less
    /// spelling when it differs. Empty for stop words.
    pub fn terms(&self, word: &str) -> Vec<String> {
        // Typographic apostrophes are letters to the stemmers: fold them to ASCII first.
        let lower = word.to_lowercase().replace('\u{2019}', "'");
        if stop_words(&self.lang).contains(&lower.as_str()) {
            return Vec::new();
        }
        let Some(stemmer) = &self.stemmer else {
            return vec![fold(&lower)];
        };
        let first = fold(&stemmer.stem(&lower));
        if self.lang == "es" {
            let folded = fold(&lower);
            let second = fold(&stemmer.stem(&folded));
            if second != first {
                return vec![first, second];
            }
        }
        vec![first]
    }
}

/// The words of `text` by Unicode word boundaries, keeping only those with a letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_words()
}

/// Terms of one page with their weighted frequencies, and the page's weighted length, as
/// counted (string keys); see [`Vocabulary::compact`] for the form that is kept.
#[derive(Debug, Clone, Default)]
pub struct RawTerms {
    pub terms: HashMap<String, f64>,
    pub length: f64,
    /// Terms of the title, which earn a bonus on top of their frequency.
    pub title: Vec<String>,
}

/// Terms of one page as kept between the counting and the index: vocabulary ids and weights,
/// about a tenth of the memory of string keys (the peak of a large build depends on it).
#[derive(Debug, Clone, Default)]
pub struct PageTerms {
    pub terms: Vec<(u32, f32)>,
    pub length: f32,
    pub title: Vec<u32>,
}

/// Every term seen, numbered in the order first seen.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
}

impl Vocabulary {
    fn id(&mut self, word: String) -> u32 {
        if let Some(&id) = self.ids.get(word.as_str()) {
            return id;
        }
        let id = self.words.len() as u32;
        let word: Box<str> = word.into_boxed_str();
        self.words.push(word.clone());
        self.ids.insert(word, id);
        id
    }

    /// The kept form of counted terms.
    pub fn compact(&mut self, raw: RawTerms) -> PageTerms {
        let mut terms: Vec<(u32, f32)> = raw
            .terms
            .into_iter()
            .map(|(t, w)| (self.id(t), w as f32))
            .collect();
        terms.sort_unstable_by_key(|t| t.0);
        let title = raw.title.into_iter().map(|t| self.id(t)).collect();
        PageTerms {
            terms,
            length: raw.length as f32,
            title,
        }
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Counts and keeps the terms of page `p`, whose text is `sections`.
pub fn page_terms(p: &Page, sections: &[TextSection], vocab: &mut Vocabulary) -> PageTerms {
    vocab.compact(count_terms(p, sections))
}

/// Where a word is worth more than in the text: the title (×3), and the headings and what the
/// page says of itself (its description, objectives and questions) (×2).
const TITLE_WEIGHT: f64 = 3.0;
const SUMMARY_WEIGHT: f64 = 2.0;

/// The words a page says of itself besides its text: description, objectives, questions.
fn summary(p: &Page) -> Vec<&str> {
    let mut out: Vec<&str> = p.description.iter().map(String::as_str).collect();
    if let crate::model::Meta::Lesson {
        objectives,
        questions,
        ..
    } = &p.meta
    {
        out.extend(objectives.iter().chain(questions).map(String::as_str));
    }
    out
}

/// Counts the terms of page `p`: title words ×3, heading, description and objective words ×2,
/// the rest ×1.
pub fn count_terms(p: &Page, sections: &[TextSection]) -> RawTerms {
    count_text(&p.title, &summary(p), sections, &p.lang)
}

/// Counts the terms of a title, a summary and sections of text in language `lang`.
pub fn count_text(title: &str, summary: &[&str], sections: &[TextSection], lang: &str) -> RawTerms {
    // Most words of a page repeat: each distinct spelling is stemmed once.
    fn add<'t>(
        text: &'t str,
        weight: f64,
        analyzer: &Analyzer,
        seen: &mut HashMap<&'t str, Vec<String>>,
        out: &mut RawTerms,
    ) {
        for w in words(text) {
            let terms = seen.entry(w).or_insert_with(|| analyzer.terms(w));
            for t in terms.iter() {
                match out.terms.get_mut(t) {
                    Some(n) => *n += weight,
                    None => {
                        out.terms.insert(t.clone(), weight);
                    }
                }
            }
            out.length += weight;
        }
    }
    let analyzer = Analyzer::new(lang);
    let mut out = RawTerms::default();
    let mut seen = HashMap::default();
    add(title, TITLE_WEIGHT, &analyzer, &mut seen, &mut out);
    out.title = words(title).flat_map(|w| analyzer.terms(w)).collect();
    for text in summary {
        add(text, SUMMARY_WEIGHT, &analyzer, &mut seen, &mut out);
    }
    for s in sections {
        add(&s.heading, SUMMARY_WEIGHT, &analyzer, &mut seen, &mut out);
        add(&s.text, 1.0, &analyzer, &mut seen, &mut out);
    }
    out
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    pages: usize,
    /// One letter per page: its kind (see `kinds`).
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
}

#[derive(Serialize)]
struct Fragment<'a> {
    t: &'a str,
    u: String,
    k: &'static str,
    b: String,
    l: &'a str,
    s: Vec<(&'a str, &'a str, &'a str)>,
}

/// The fragment of one page, uncompressed: what a result shows (title, URL, kind, breadcrumb,
/// language) and the text of its sections, for snippets.
pub fn fragment(site: &Site, page: &Page, sections: &[TextSection]) -> Vec<u8> {
    let mut crumbs: Vec<&str> = site
        .ancestors(page.id)
        .filter(|a| a.kind != PageKind::Home)
        .map(|a| a.title.as_str())
        .collect();
    crumbs.reverse();
    let frag = Fragment {
        t: &page.title,
        u: format!("{}{}", site.config.base_url.path, page.url),
        k: search_kind(page.kind).1,
        b: crumbs.join(" › "),
        l: &page.lang,
        s: sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.trim()))
            .collect(),
    };
    serde_json::to_vec(&frag).unwrap_or_default()
}

/// The fragments of every page that has counted terms, from the pages' sections, compressed
/// against `dict`, or against a dictionary made from them when `dict` is empty (it is set).
pub fn fragments(
    site: &Site,
    rendered: &[Rendered],
    terms: &[Option<PageTerms>],
    dict: &mut Vec<u8>,
    fast: bool,
) -> Vec<Option<Vec<u8>>> {
    use rayon::prelude::*;
    let json: Vec<Option<Vec<u8>>> = site
        .pages
        .par_iter()
        .map(|p| {
            let i = p.id.index();
            terms[i]
                .is_some()
                .then(|| fragment(site, p, &rendered[i].sections))
        })
        .collect();
    if dict.is_empty() {
        *dict = dictionary(json.iter().flatten().map(Vec::as_slice));
    }
    let json: Vec<Option<&[u8]>> = json.iter().map(Option::as_deref).collect();
    compress_fragments(&json, dict, fast)
}

/// Each fragment (JSON) compressed against `dict`, in parallel, one compressor per worker.
pub fn compress_fragments(json: &[Option<&[u8]>], dict: &[u8], fast: bool) -> Vec<Option<Vec<u8>>> {
    use rayon::prelude::*;
    json.par_iter()
        .map_init(
            || flate2::Compress::new(level(fast), false),
            |c, j| j.map(|j| compress_with(c, j, dict)),
        )
        .collect()
}

/// A preset dictionary of at most [`DICT_BYTES`] for fragments like the first [`DICT_SAMPLE`]
/// of `samples`: the strings of
/// one to four pieces (a word with its punctuation, a part of a path, a bit of JSON) that the
/// most samples hold, each scored by the samples holding it times the bytes a back-reference
/// saves, the best last (DEFLATE codes near distances in fewer bits). A string that is a run of
/// pieces of one already taken is left out.
pub fn dictionary<'a>(samples: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut phases = crate::util::Phases::start();
    const MAX_PIECES: usize = 4;
    // For each string: (samples holding it, the last sample counted).
    let mut held: HashMap<&[u8], (u32, u32)> = HashMap::default();
    for (n, sample) in samples.into_iter().take(DICT_SAMPLE).enumerate() {
        let n = n as u32;
        let starts = piece_starts(sample);
        for (k, &from) in starts.iter().enumerate() {
            for &to in starts.iter().skip(k + 1).take(MAX_PIECES) {
                let s = &sample[from..to];
                if s.len() < 4 {
                    continue;
                }
                let e = held.entry(s).or_insert((0, u32::MAX));
                if e.1 != n {
                    *e = (e.0 + 1, n);
                }
            }
        }
    }
    let mut scored: Vec<(u64, &[u8])> = held
        .into_iter()
        .filter(|(_, (count, _))| *count >= 2)
        .map(|(s, (count, _))| (u64::from(count) * (s.len() as u64 - 3), s))
        .collect();
    // Best first; ties by the bytes themselves, so a build is reproducible.
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut taken: Vec<&[u8]> = Vec::new();
    // Every run of whole pieces of the strings taken: a candidate that is one adds nothing.
    let mut inside: FxHashSet<&[u8]> = FxHashSet::default();
    let mut size = 0;
    for (_, s) in scored {
        if size >= DICT_BYTES {
            break;
        }
        if inside.contains(s) {
            continue;
        }
        let starts = piece_starts(s);
        for (k, &from) in starts.iter().enumerate() {
            for &to in &starts[k + 1..] {
                inside.insert(&s[from..to]);
            }
        }
        taken.push(s);
        size += s.len();
    }
    let mut dict: Vec<u8> = taken.iter().rev().flat_map(|s| s.iter().copied()).collect();
    if dict.len() > DICT_BYTES {
        dict.drain(..dict.len() - DICT_BYTES);
    }
    phases.done("dictionary");
    dict
}

/// Where the pieces of `bytes` begin, and its end: pieces begin after a space or a slash and
/// at a quote, so that the JSON around the text and the parts of paths are pieces of their own.
fn piece_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts: Vec<usize> = vec![0];
    starts.extend(bytes.iter().enumerate().filter_map(|(i, b)| match b {
        b' ' | b'/' => Some(i + 1),
        b'"' => Some(i),
        _ => None,
    }));
    starts.push(bytes.len());
    starts.dedup();
    starts
}

/// `json` compressed as raw DEFLATE (no header) with `dict` as the preset dictionary, by `c`
/// (reused: setting one up costs about as much as compressing a fragment).
fn compress_with(c: &mut flate2::Compress, json: &[u8], dict: &[u8]) -> Vec<u8> {
    c.reset();
    if !dict.is_empty() {
        // Only fails for a dictionary set after compressing began.
        let _ = c.set_dictionary(dict);
    }
    let mut out = Vec::with_capacity(json.len() / 2 + 64);
    loop {
        let before = c.total_in() as usize;
        match c.compress_vec(&json[before..], &mut out, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => return out,
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(_) => return Vec::new(),
        }
    }
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

fn varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Builds the index files from the pages that are searchable. `terms[i]` are the counted terms
/// of page `i` (see [`page_terms`]; `None` for pages left out of search). `fast` trades size for
/// speed (for `serve`).
pub fn build(
    site: &Site,
    terms: &[Option<PageTerms>],
    vocab: &Vocabulary,
    fragments: Vec<Option<Vec<u8>>>,
    dict: &[u8],
    fast: bool,
) -> Vec<(String, Vec<u8>)> {
    let level = level(fast);
    let n = site.pages.len();
    // Document frequencies and the average length.
    let mut df: Vec<u32> = vec![0; vocab.len()];
    let (mut total_len, mut docs) = (0.0f64, 0usize);
    for t in terms.iter().flatten() {
        docs += 1;
        total_len += f64::from(t.length);
        for (id, _) in &t.terms {
            df[*id as usize] += 1;
        }
    }
    let avgdl = if docs == 0 {
        1.0
    } else {
        total_len / docs as f64
    };
    // BM25 per (term, page).
    // Scores are kept as f32 (one byte of impact is written in the end): the lists hold millions
    // of postings on a large site.
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); vocab.len()];
    let mut max_score: f64 = 0.0;
    for (page, t) in terms.iter().enumerate() {
        let Some(t) = t else { continue };
        let norm = K1 * (1.0 - B + B * f64::from(t.length) / avgdl);
        let prior = prior(site.pages[page].kind);
        for &(id, tf) in &t.terms {
            let tf = f64::from(tf);
            let d = f64::from(df[id as usize]);
            let idf = (1.0 + (docs as f64 - d + 0.5) / (d + 0.5)).ln();
            let in_title = if t.title.contains(&id) {
                TITLE_BOOST * idf
            } else {
                0.0
            };
            let score = prior * (idf * tf * (K1 + 1.0) / (tf + norm) + in_title);
            max_score = max_score.max(score);
            postings[id as usize].push((page as u32, score as f32));
        }
    }
    let mut vocabulary: Vec<u32> = (0..vocab.len() as u32)
        .filter(|id| !postings[*id as usize].is_empty())
        .collect();
    vocabulary.sort_unstable_by(|a, b| vocab.word(*a).cmp(vocab.word(*b)));
    // Encode entries, cutting shards at about SHARD_BYTES.
    let mut files = Vec::new();
    let mut shards: Vec<(String, String)> = Vec::new();
    let mut shard = Vec::new();
    let mut shard_first: Option<&str> = None;
    let mut count = 0u64;
    let flush = |shard: &mut Vec<u8>,
                 first: &mut Option<&str>,
                 count: &mut u64,
                 files: &mut Vec<(String, Vec<u8>)>,
                 shards: &mut Vec<(String, String)>| {
        if let Some(f) = first.take() {
            let mut body = Vec::with_capacity(shard.len() + 4);
            varint(&mut body, *count);
            body.extend_from_slice(shard);
            let gz = gzip(&body, level);
            let name = format!("search/t/{}.bin.gz", crate::util::short_hash(&gz));
            shards.push((
                f.to_string(),
                name.trim_start_matches("search/").to_string(),
            ));
            files.push((name, gz));
            shard.clear();
            *count = 0;
        }
    };
    for id in vocabulary {
        let term = vocab.word(id);
        let list = &mut postings[id as usize];
        let truncated = list.len() > MAX_POSTINGS;
        if truncated {
            list.sort_by(|a, b| b.1.total_cmp(&a.1));
            list.truncate(MAX_POSTINGS);
        }
        list.sort_by_key(|p| p.0);
        if shard_first.is_none() {
            shard_first = Some(term);
        }
        varint(&mut shard, term.len() as u64);
        shard.extend_from_slice(term.as_bytes());
        shard.push(u8::from(truncated));
        varint(&mut shard, list.len() as u64);
        let mut prev = 0u32;
        for &(page, score) in list.iter() {
            varint(&mut shard, u64::from(page - prev));
            prev = page;
            shard.push(((f64::from(score) / max_score) * 254.0).round() as u8 + 1);
        }
        count += 1;
        if shard.len() >= SHARD_BYTES {
            flush(
                &mut shard,
                &mut shard_first,
                &mut count,
                &mut files,
                &mut shards,
            );
        }
    }
    flush(
        &mut shard,
        &mut shard_first,
        &mut count,
        &mut files,
        &mut shards,
    );

    // Fragments, made while the pages were rendered (they are about as large as the text).
    let mut build_hash = blake3::Hasher::new();
    let dict_gz = gzip(dict, level);
    let dict_file = format!("t/{}.dict.gz", crate::util::short_hash(&dict_gz));
    files.push((format!("search/{dict_file}"), dict_gz));
    build_hash.update(dict_file.as_bytes());
    for (i, frag) in fragments.into_iter().enumerate() {
        if let Some(z) = frag {
            build_hash.update(&z);
            files.push((format!("search/f/{i}.bin"), z));
        }
    }
    let build = build_hash.finalize().to_hex()[..10].to_string();
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
    let manifest = Manifest {
        v: FORMAT_VERSION,
        pages: n,
        page_kinds: site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if terms[i].is_some() {
                    search_kind(p.kind).0
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
        build: &build,
        dict: dict_file,
    };
    files.push((
        "search/index.json.gz".into(),
        gzip(&serde_json::to_vec(&manifest).unwrap_or_default(), level),
    ));
    files
}

/// The counted terms of every page, `None` for pages left out of search (`search: false`).
///
/// Pages are counted in parallel a chunk at a time and kept in compact form, so only one chunk's
/// string-keyed counts exist at once.
pub fn all_page_terms(
    site: &Site,
    rendered: &[Rendered],
    vocab: &mut Vocabulary,
) -> Vec<Option<PageTerms>> {
    use rayon::prelude::*;
    let mut out = Vec::with_capacity(site.pages.len());
    for chunk in site.pages.chunks(256) {
        let raw: Vec<Option<RawTerms>> = chunk
            .par_iter()
            .map(|p| {
                p.searchable()
                    .then(|| count_terms(p, &rendered[p.id.index()].sections))
            })
            .collect();
        out.extend(raw.into_iter().map(|r| r.map(|r| vocab.compact(r))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_stemming_by_language() {
        let en = Analyzer::new("en");
        assert_eq!(en.terms("Teaching"), vec!["teach"]);
        assert_eq!(en.terms("teachers"), vec!["teacher"]);
        assert_eq!(
            en.terms("the"),
            Vec::<String>::new(),
            "stop words are not indexed"
        );
        let es = Analyzer::new("es-MX");
        assert_eq!(
            es.terms("Educación")[0],
            es.terms("educaciones")[0],
            "plural and singular share a stem"
        );
        assert!(
            es.terms("educación").contains(&es.terms("educacion")[0]),
            "accent-less spellings find accented words"
        );
        assert_eq!(fold("Éléve"), "eleve");
        assert_eq!(
            Analyzer::new("fr").terms("Écoles"),
            vec!["ecoles"],
            "other languages are folded, not stemmed"
        );
        assert_eq!(
            en.terms("teacher\u{2019}s"),
            en.terms("teacher's"),
            "typographic apostrophes fold to ASCII"
        );
    }

    #[test]
    fn words_follow_unicode_boundaries() {
        let w: Vec<&str> = words("Results-oriented cycle (ROCI), 2009–10: niños' año").collect();
        assert_eq!(
            w,
            vec![
                "Results", "oriented", "cycle", "ROCI", "2009", "10", "niños", "año"
            ]
        );
    }

    #[test]
    fn titles_and_headings_weigh_more() {
        let sections = vec![TextSection {
            anchor: "a".into(),
            heading: "Equity".into(),
            text: "equity and data".into(),
        }];
        let t = count_text("Equity first", &[], &sections, "en");
        assert_eq!(t.terms["equiti"], 3.0 + 2.0 + 1.0);
        assert_eq!(t.terms["data"], 1.0);
    }

    #[test]
    fn the_dictionary_holds_what_fragments_share_and_makes_them_smaller() {
        let pages: Vec<Vec<u8>> = (0..40)
            .map(|i| {
                format!(
                    r#"{{"t":"Lesson {i}","u":"/pd/lessons/l{i}/","s":[["a","Goals","The Results-Oriented Cycle of Inquiry asks each team to name one goal, {i} times over, and to look at student work together."]]}}"#
                )
                .into_bytes()
            })
            .collect();
        let samples: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
        let dict = dictionary(samples.iter().copied());
        assert!(dict.len() <= DICT_BYTES);
        let text = String::from_utf8_lossy(&dict);
        assert!(text.contains("Cycle of Inquiry"), "{text}");
        assert!(text.contains("/pd/lessons/"), "{text}");
        assert_eq!(
            dict,
            dictionary(samples.iter().copied()),
            "the same samples, the same dictionary"
        );

        let page = br#"{"t":"Lesson 99","u":"/pd/lessons/l99/","s":[["a","Goals","The Results-Oriented Cycle of Inquiry asks each team to look at student work together."]]}"#;
        let compress = |dict: &[u8]| {
            compress_fragments(&[Some(page.as_slice())], dict, false)[0]
                .clone()
                .unwrap()
        };
        let (with, alone) = (compress(&dict), compress(&[]));
        assert!(
            with.len() * 2 < alone.len(),
            "{} against {}",
            with.len(),
            alone.len()
        );
        let mut d = flate2::Decompress::new(false);
        d.set_dictionary(&dict).unwrap();
        let mut out = Vec::with_capacity(4096);
        d.decompress_vec(&with, &mut out, flate2::FlushDecompress::Finish)
            .unwrap();
        assert_eq!(out, page.to_vec());
    }

    #[test]
    fn pages_that_list_others_count_less_than_pages_that_answer() {
        for kind in [
            PageKind::Home,
            PageKind::Book,
            PageKind::Lessons,
            PageKind::Course,
            PageKind::Module,
        ] {
            assert_eq!(prior(kind), LISTING_PRIOR, "{kind:?}");
        }
        for kind in [
            PageKind::Chapter,
            PageKind::Lesson,
            PageKind::CourseLesson,
            PageKind::Article,
        ] {
            assert_eq!(prior(kind), 1.0, "{kind:?}");
        }
    }

    #[test]
    fn varints_round_trip_small_and_large() {
        let mut v = Vec::new();
        varint(&mut v, 5);
        varint(&mut v, 300);
        assert_eq!(v, vec![5, 0xac, 0x02]);
    }
}
