//! Fragments: what a result shows and its snippets are cut from (one page's title, URL, kind,
//! breadcrumb, language and the text of its sections), JSON compressed as raw DEFLATE against a
//! preset dictionary made from the first fragments of a build.

use super::{DICT_BYTES, PageTerms, level, search_kind};
use crate::markdown::{Rendered, TextSection};
use crate::model::{Page, PageKind, Site};
use bytes::Bytes;
use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use serde::Serialize;

/// Fragments the dictionary is made from: a build's first ones.
const DICT_SAMPLE: usize = 256;

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
    let frag = Fragment {
        t: &page.title,
        u: url(site, page),
        k: search_kind(page.kind).1,
        b: crumbs(site, page),
        l: &page.lang,
        s: sections
            .iter()
            .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.trim()))
            .collect(),
    };
    serde_json::to_vec(&frag).unwrap_or_default()
}

/// The URL of `page` as a result links to it.
pub(super) fn url(site: &Site, page: &Page) -> String {
    format!("{}{}", site.config.base_url.path, page.url)
}

/// The titles of `page`'s ancestors below the home page, outermost first: its breadcrumb.
pub(super) fn crumbs(site: &Site, page: &Page) -> String {
    let mut crumbs: Vec<&str> = site
        .ancestors(page.id)
        .filter(|a| a.kind != PageKind::Home)
        .map(|a| a.title.as_str())
        .collect();
    crumbs.reverse();
    crumbs.join(" › ")
}

/// Returns true if and only if page `new` of `site` has the fragment page `old` of `old_site`
/// had, given the same sections: it is searchable alike and shows the same title, URL, kind,
/// breadcrumb and language. `serve` keeps a page's compressed fragment, not its sections, while
/// this holds.
pub fn same_fragment(old_site: &Site, old: &Page, site: &Site, new: &Page) -> bool {
    old.searchable() == new.searchable()
        && old.title == new.title
        && old.url == new.url
        && old_site.config.base_url.path == site.config.base_url.path
        && search_kind(old.kind).1 == search_kind(new.kind).1
        && old.lang == new.lang
        && crumbs(old_site, old) == crumbs(site, new)
}

/// The fragments of every page that has counted terms, from the pages' sections, compressed
/// against `dict`, or against a dictionary made from them when `dict` is empty (it is set).
pub fn fragments(
    site: &Site,
    rendered: &[Rendered],
    terms: &[Option<PageTerms>],
    dict: &mut Vec<u8>,
    fast: bool,
) -> Vec<Option<Bytes>> {
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

/// Each fragment (JSON) compressed against `dict`, in parallel, one compressor per worker;
/// held without spare room (`serve` keeps every page's) and shared with the files served.
pub fn compress_fragments(json: &[Option<&[u8]>], dict: &[u8], fast: bool) -> Vec<Option<Bytes>> {
    use rayon::prelude::*;
    json.par_iter()
        .map_init(
            || flate2::Compress::new(level(fast), false),
            |c, j| j.map(|j| Bytes::from(compress_with(c, j, dict).into_boxed_slice())),
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

/// Fragment `z`, compressed against `dict`, as JSON again; empty if it does not inflate.
pub(super) fn inflate(z: &[u8], dict: &[u8]) -> Vec<u8> {
    let mut d = flate2::Decompress::new(false);
    if !dict.is_empty() && d.set_dictionary(dict).is_err() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(z.len() * 4 + 256);
    loop {
        let before = d.total_in() as usize;
        match d.decompress_vec(&z[before..], &mut out, flate2::FlushDecompress::Finish) {
            Ok(flate2::Status::StreamEnd) => return out,
            Ok(_) if out.len() == out.capacity() => out.reserve(out.capacity()),
            Ok(_) | Err(_) => return Vec::new(),
        }
    }
}

/// The end of `dict` a compressor is set up with for a fragment of `len` bytes: all of it for
/// most, the last [`PRIME_PER_BYTE`] bytes per byte of a short fragment (at least
/// [`PRIME_MIN`]). Setting up a dictionary costs in proportion to its length, and a fragment of
/// a line or two (a site of many one-paragraph pages) paid more for it than for its own
/// compression; the strings worth most are at the dictionary's end. The fragment inflates with
/// the whole dictionary all the same: a back-reference counts back from the dictionary's end,
/// and the end is the same.
fn primed(dict: &[u8], len: usize) -> &[u8] {
    let keep = len
        .saturating_mul(PRIME_PER_BYTE)
        .max(PRIME_MIN)
        .min(dict.len());
    &dict[dict.len() - keep..]
}

/// See [`primed`].
const PRIME_PER_BYTE: usize = 8;
/// See [`primed`].
const PRIME_MIN: usize = 2048;

/// `json` compressed as raw DEFLATE (no header) with `dict` as the preset dictionary, by `c`
/// (reused: setting one up costs about as much as compressing a fragment).
fn compress_with(c: &mut flate2::Compress, json: &[u8], dict: &[u8]) -> Vec<u8> {
    c.reset();
    if !dict.is_empty() {
        // Only fails for a dictionary set after compressing began.
        let _ = c.set_dictionary(primed(dict, json.len()));
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_short_fragment_set_up_with_the_dictionary_s_end_inflates_with_all_of_it() {
        // A dictionary of the full size, from samples that share many strings.
        let words = [
            "assessment",
            "belonging",
            "coaching",
            "curriculum",
            "district",
            "equity",
            "expectations",
            "facilitator",
            "identity",
            "inquiry",
            "leadership",
            "mathematics",
            "partnership",
            "reflection",
            "relationships",
            "rubric",
            "scaffolding",
            "students",
            "teachers",
            "transformation",
            "trauma",
            "vocabulary",
            "writing",
            "youth",
        ];
        let pages: Vec<Vec<u8>> = (0..DICT_SAMPLE)
            .map(|i| {
                let w = |k: usize| words[(i * 7 + k * 5) % words.len()];
                format!(
                    r#"{{"t":"On {} and {}","u":"/pd/lessons/{}-{}/","s":[["{}","{} for {}","Teams of {} study {} with {} and {}, then write about {}."]]}}"#,
                    w(1), w(2), w(3), w(4), w(5), w(6), w(7), w(8), w(9), w(10), w(11), w(12)
                )
                .into_bytes()
            })
            .collect();
        let dict = dictionary(pages.iter().map(Vec::as_slice));
        let page = br#"{"t":"On equity and trauma","u":"/pd/lessons/rubric-youth/","s":[["a","writing for teachers","Teams of coaching study identity."]]}"#;
        assert!(
            dict.len() > PRIME_MIN,
            "{} bytes: the test needs a long dictionary",
            dict.len()
        );
        assert!(primed(&dict, page.len()).len() < dict.len());
        assert!(dict.ends_with(primed(&dict, page.len())));
        assert_eq!(
            primed(&dict, DICT_BYTES).len(),
            dict.len(),
            "a long fragment gets it all"
        );
        let z = compress_fragments(&[Some(page.as_slice())], &dict, false)[0]
            .clone()
            .unwrap();
        assert_eq!(inflate(&z, &dict), page.to_vec());
        let alone = compress_fragments(&[Some(page.as_slice())], &[], false)[0]
            .clone()
            .unwrap();
        assert!(
            z.len() * 4 < alone.len() * 3,
            "{} bytes against {} without the dictionary",
            z.len(),
            alone.len()
        );
    }
}
