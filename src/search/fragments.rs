//! Fragments: what a result shows and its snippets are cut from (one page's title, URL, kind,
//! breadcrumb, language and the text of its sections), JSON compressed as raw DEFLATE against a
//! preset dictionary made from the first fragments of a build.

use super::{DICT_BYTES, PageTerms, WHOLE_BYTES, level, search_kind};
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

/// Each fragment (JSON) compressed against `dict` (stored as it is when at most
/// [`WHOLE_BYTES`], see [`stored`]), in parallel, by each worker thread's own compressor; held
/// without spare room (`serve` keeps every page's) and shared with the files served.
pub fn compress_fragments(json: &[Option<&[u8]>], dict: &[u8], fast: bool) -> Vec<Option<Bytes>> {
    use rayon::prelude::*;
    json.par_iter()
        .map(|j| {
            j.map(|j| {
                Bytes::from(if j.len() <= WHOLE_BYTES {
                    stored(j)
                } else {
                    with_compressor(fast, |c| compress_with(c, j, dict))
                })
            })
        })
        .collect()
}

thread_local! {
    /// This thread's compressors, small and fast (see [`with_compressor`]).
    static COMPRESSORS: std::cell::RefCell<[Option<flate2::Compress>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

/// Runs `f` with this thread's compressor at `level(fast)`, made on first use and kept for the
/// thread's life: setting one up (a third of a megabyte, zeroed) costs about as much as
/// compressing a fragment, and a parallel loop's per-split state made one for nearly every
/// fragment.
fn with_compressor<R>(fast: bool, f: impl FnOnce(&mut flate2::Compress) -> R) -> R {
    COMPRESSORS.with(|cell| {
        let mut all = cell.borrow_mut();
        let c =
            all[usize::from(fast)].get_or_insert_with(|| flate2::Compress::new(level(fast), false));
        f(c)
    })
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
    if let Some(json) = stored_bytes(z) {
        return json.to_vec();
    }
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

/// `json`, a fragment of at most [`WHOLE_BYTES`], as a raw DEFLATE stream of one block stored
/// as it is: such a page has no fragment file (its lead holds all its text), so compressing it
/// would cost time for nothing (a sixth of all the work of a one-paragraph page, counted by
/// callgrind); it still inflates as any fragment does.
fn stored(json: &[u8]) -> Vec<u8> {
    // One stored block holds at most 65,535 bytes: a larger WHOLE_BYTES would not build.
    const _: () = assert!(WHOLE_BYTES <= u16::MAX as usize);
    let len = u16::try_from(json.len()).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(json.len() + 5);
    // BFINAL 1, BTYPE 00 (stored), then LEN and its complement, little-endian.
    out.push(1);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(&json[..usize::from(len)]);
    out
}

/// The bytes of `z` when it is one final stored block (see [`stored`]).
fn stored_bytes(z: &[u8]) -> Option<&[u8]> {
    let (&[1, l0, l1, n0, n1], rest) = z.split_first_chunk::<5>()? else {
        return None;
    };
    let len = u16::from_le_bytes([l0, l1]);
    (u16::from_le_bytes([n0, n1]) == !len && rest.len() == usize::from(len)).then_some(rest)
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
            Ok(flate2::Status::StreamEnd) => return out.into_boxed_slice().into_vec(),
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

        // A page long enough to have a file of its own (see `stored`).
        let sections: Vec<String> = (0..12)
            .map(|k| format!(r#"["s{k}","Goals {k}","The Results-Oriented Cycle of Inquiry asks team {k} to look at student work together."]"#))
            .collect();
        let page = format!(
            r#"{{"t":"Lesson 99","u":"/pd/lessons/l99/","s":[{}]}}"#,
            sections.join(",")
        )
        .into_bytes();
        assert!(page.len() > WHOLE_BYTES);
        let compress = |dict: &[u8]| {
            compress_fragments(&[Some(page.as_slice())], dict, false)[0]
                .clone()
                .unwrap()
        };
        let (with, alone) = (compress(&dict), compress(&[]));
        assert!(
            with.len() * 5 < alone.len() * 4,
            "{} against {}",
            with.len(),
            alone.len()
        );
        let mut d = flate2::Decompress::new(false);
        d.set_dictionary(&dict).unwrap();
        let mut out = Vec::with_capacity(4096);
        d.decompress_vec(&with, &mut out, flate2::FlushDecompress::Finish)
            .unwrap();
        assert_eq!(out, page);
    }

    #[test]
    fn a_fragment_with_no_file_is_stored_and_inflates_as_any() {
        let dict = b"some dictionary of strings".repeat(20);
        for len in [0, 1, 300, WHOLE_BYTES] {
            let json = "x".repeat(len).into_bytes();
            let z = compress_fragments(&[Some(json.as_slice())], &dict, false)[0]
                .clone()
                .unwrap();
            assert_eq!(z.len(), len + 5, "stored: {len} bytes");
            assert_eq!(stored_bytes(&z), Some(json.as_slice()));
            // A standard inflater reads it too.
            let mut d = flate2::Decompress::new(false);
            d.set_dictionary(&dict).unwrap();
            let mut out = Vec::with_capacity(len + 16);
            d.decompress_vec(&z, &mut out, flate2::FlushDecompress::Finish)
                .unwrap();
            assert_eq!(out, json);
        }
        let long = "x".repeat(WHOLE_BYTES + 1).into_bytes();
        let z = compress_fragments(&[Some(long.as_slice())], &dict, false)[0]
            .clone()
            .unwrap();
        assert!(z.len() < 100, "compressed: {} bytes", z.len());
        assert_eq!(stored_bytes(&z), None);
        assert_eq!(inflate(&z, &dict), long);
        assert_eq!(
            stored_bytes(&[1, 2, 0, 0xfd, 0xff, b'a']),
            None,
            "too short"
        );
        assert_eq!(
            stored_bytes(&[1, 1, 0, 0xfe, 0xfe, b'a']),
            None,
            "not its complement"
        );
    }
}
