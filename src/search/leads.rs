//! Leads: what a result shows without the page's text — the fragment with each section cut to
//! its opening ([`LEAD_WORDS`] words) — in groups of consecutive pages of about [`LEADS_BYTES`]
//! of JSON each, gzipped under content-hashed names (`search/t/<hash>.leads.gz`), so that the
//! results of a query fetch a group or two instead of a fragment each.

use super::{LEAD_WORDS, LEADS_BYTES, gzip};
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;

/// A fragment as read back (see [`super::fragment`]).
#[derive(Deserialize)]
struct Fragment<'a> {
    #[serde(borrow)]
    t: Cow<'a, str>,
    #[serde(borrow)]
    u: Cow<'a, str>,
    #[serde(borrow)]
    k: Cow<'a, str>,
    #[serde(borrow)]
    b: Cow<'a, str>,
    #[serde(borrow)]
    l: Cow<'a, str>,
    #[serde(borrow)]
    s: Vec<(Cow<'a, str>, Cow<'a, str>, Cow<'a, str>)>,
}

/// A section of a lead: anchor, heading, opening, and `1` when the opening is cut.
#[derive(Serialize)]
#[serde(untagged)]
enum Section<'a> {
    Whole(&'a str, &'a str, &'a str),
    Cut(&'a str, &'a str, &'a str, u8),
}

#[derive(Serialize)]
struct Lead<'a> {
    t: &'a str,
    u: &'a str,
    k: &'a str,
    b: &'a str,
    l: &'a str,
    s: Vec<Section<'a>>,
}

/// The lead of the page whose fragment is `fragment` (JSON): the fragment with each section's
/// text cut after its [`LEAD_WORDS`]th word — the same sections in the same order, so the
/// section numbers of the shards index both. Made from the fragment rather than kept from the
/// page's sections: a large build would hold every page's lead (20 MB at 10,000 pages) through
/// its Markdown pass, and a cached page has its fragment already.
pub fn lead(fragment: &[u8]) -> Vec<u8> {
    let Ok(f) = serde_json::from_slice::<Fragment>(fragment) else {
        return b"null".to_vec();
    };
    let lead = Lead {
        t: &f.t,
        u: &f.u,
        k: &f.k,
        b: &f.b,
        l: &f.l,
        s: f.s
            .iter()
            .map(|(anchor, heading, text)| match opening(text) {
                Some(cut) => Section::Cut(anchor, heading, cut, 1),
                None => Section::Whole(anchor, heading, text),
            })
            .collect(),
    };
    serde_json::to_vec(&lead).unwrap_or_default()
}

/// `text` up to the end of its [`LEAD_WORDS`]th word, when another word follows.
fn opening(text: &str) -> Option<&str> {
    let mut ends = text
        .unicode_word_indices()
        .map(|(at, w)| at + w.len())
        .skip(LEAD_WORDS - 1);
    let end = ends.next()?;
    ends.next().map(|_| &text[..end])
}

/// The leads groups of an index.
pub(super) struct Groups {
    /// Their files: (path, gzipped bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The manifest's `[first page, file]` of each, by page.
    pub list: Vec<(u32, String)>,
}

/// Pages whose leads are made at once (see [`write`]).
const CHUNK: usize = 256;

/// The leads groups of `pages` pages, whose leads `leads(range)` gives a chunk at a time
/// (`None` for a page left out of search), so that only a chunk of them is held at once.
pub(super) fn write(
    pages: usize,
    leads: impl Fn(std::ops::Range<usize>) -> Vec<Option<Vec<u8>>>,
    level: Compression,
) -> Groups {
    let mut out = Groups {
        files: Vec::new(),
        list: Vec::new(),
    };
    // Groups made and not compressed yet: compressed in parallel after each chunk (a 10,000-page
    // site has 20 MB of leads; one thread compressing them was most of the index's time).
    let mut made: Vec<(u32, Vec<u8>)> = Vec::new();
    let mut group: Vec<u8> = Vec::with_capacity(LEADS_BYTES + 4096);
    let mut first = None;
    let end = |group: &mut Vec<u8>, first: &mut Option<u32>, made: &mut Vec<(u32, Vec<u8>)>| {
        if let Some(f) = first.take() {
            group.push(b'}');
            made.push((f, std::mem::take(group)));
        }
    };
    for start in (0..pages).step_by(CHUNK) {
        let chunk = leads(start..pages.min(start + CHUNK));
        for (i, lead) in (start..).zip(chunk) {
            let Some(lead) = lead else { continue };
            group.push(if first.is_none() { b'{' } else { b',' });
            first.get_or_insert(i as u32);
            group.extend_from_slice(format!("\"{i}\":").as_bytes());
            group.extend_from_slice(&lead);
            if group.len() >= LEADS_BYTES {
                end(&mut group, &mut first, &mut made);
            }
        }
        compress(&mut made, level, &mut out);
    }
    end(&mut group, &mut first, &mut made);
    compress(&mut made, level, &mut out);
    out
}

/// Compresses the groups `made` (first page, JSON), in parallel, into `out`, in order.
fn compress(made: &mut Vec<(u32, Vec<u8>)>, level: Compression, out: &mut Groups) {
    use rayon::prelude::*;
    let gz: Vec<(u32, Vec<u8>)> = std::mem::take(made)
        .into_par_iter()
        .map(|(f, json)| (f, gzip(&json, level)))
        .collect();
    for (f, gz) in gz {
        let name = format!("t/{}.leads.gz", crate::util::short_hash(&gz));
        out.files.push((format!("search/{name}"), gz));
        out.list.push((f, name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_opening_ends_at_the_last_word_kept_and_only_when_more_follows() {
        let words: Vec<String> = (0..LEAD_WORDS + 3).map(|i| format!("w{i}")).collect();
        let long = words.join(", ") + ".";
        let cut = opening(&long).expect("cut");
        assert!(cut.ends_with(&format!("w{}", LEAD_WORDS - 1)), "{cut}");
        assert_eq!(cut.split(", ").count(), LEAD_WORDS);
        let exact = words[..LEAD_WORDS].join(" ") + ".";
        assert_eq!(
            opening(&exact),
            None,
            "no word beyond the last kept: not cut"
        );
    }

    #[test]
    fn groups_hold_consecutive_pages_up_to_their_size() {
        let lead = |i: usize| format!("{{\"t\":\"Page {i}\",\"x\":\"{}\"}}", "y".repeat(1000));
        let leads: Vec<Option<Vec<u8>>> = (0..600)
            .map(|i| (i % 7 != 3).then(|| lead(i).into_bytes()))
            .collect();
        let Groups { files, list } = write(600, |r| leads[r].to_vec(), Compression::fast());
        assert!(list.len() > 1, "{} groups", list.len());
        assert_eq!(list[0].0, 0);
        let mut seen = Vec::new();
        for ((path, gz), (first, name)) in files.iter().zip(&list) {
            assert_eq!(path, &format!("search/{name}"));
            let mut json = String::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_string(&mut json)
                .unwrap();
            let pages: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&json).unwrap();
            let ids: Vec<usize> = pages.keys().map(|k| k.parse().unwrap()).collect();
            assert_eq!(ids.iter().min(), Some(&(*first as usize)));
            // A group ends with the page that took it to its size, not before.
            let last = *ids.iter().max().unwrap();
            let without_last = json.len() - 1 - lead(last).len() - format!(",\"{last}\":").len();
            assert!(without_last < LEADS_BYTES, "{without_last}");
            for (k, v) in &pages {
                assert_eq!(v["t"], format!("Page {k}"));
            }
            seen.extend(ids);
        }
        seen.sort();
        let want: Vec<usize> = (0..600).filter(|i| i % 7 != 3).collect();
        assert_eq!(seen, want, "every searchable page once, in order");
    }
}
