//! Leads: what a result shows without the page's text — the fragment with each section cut to
//! its opening ([`LEAD_WORDS`] words) — in groups of consecutive pages of about [`LEADS_BYTES`]
//! of JSON each, gzipped under content-hashed names (`search/t/<hash>.leads.gz`), so that the
//! results of a query fetch a group or two instead of a fragment each.

use super::fragments::{crumbs, url};
use super::{LEAD_WORDS, LEADS_BYTES, PageTerms, gzip, search_kind};
use crate::markdown::TextSection;
use crate::model::{Page, Site};
use flate2::Compression;
use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

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
    u: String,
    k: &'static str,
    b: String,
    l: &'a str,
    s: Vec<Section<'a>>,
}

/// The lead of `page` (JSON): its fragment (see [`super::fragment`]) with each section's text
/// cut after its [`LEAD_WORDS`]th word — the same sections in the same order, so the section
/// numbers of the shards index both.
pub fn lead(site: &Site, page: &Page, sections: &[TextSection]) -> Vec<u8> {
    let lead = Lead {
        t: &page.title,
        u: url(site, page),
        k: search_kind(page.kind).1,
        b: crumbs(site, page),
        l: &page.lang,
        s: sections
            .iter()
            .map(|s| {
                let text = s.text.trim();
                match opening(text) {
                    Some(cut) => Section::Cut(&s.anchor, &s.heading, cut, 1),
                    None => Section::Whole(&s.anchor, &s.heading, text),
                }
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

/// The leads groups of the pages' `terms` (a page's lead is in its terms; `None` for pages left
/// out of search).
pub(super) fn write(terms: &[Option<PageTerms>], level: Compression) -> Groups {
    let mut files = Vec::new();
    let mut list = Vec::new();
    let mut group: Vec<u8> = Vec::with_capacity(LEADS_BYTES + 4096);
    let mut first = None;
    let mut flush = |group: &mut Vec<u8>, first: &mut Option<u32>| {
        if let Some(f) = first.take() {
            group.push(b'}');
            let gz = gzip(group, level);
            let name = format!("t/{}.leads.gz", crate::util::short_hash(&gz));
            files.push((format!("search/{name}"), gz));
            list.push((f, name));
            group.clear();
        }
    };
    for (i, t) in terms.iter().enumerate() {
        let Some(t) = t else { continue };
        group.push(if first.is_none() { b'{' } else { b',' });
        first.get_or_insert(i as u32);
        group.extend_from_slice(format!("\"{i}\":").as_bytes());
        group.extend_from_slice(if t.lead.is_empty() { b"null" } else { &t.lead });
        if group.len() >= LEADS_BYTES {
            flush(&mut group, &mut first);
        }
    }
    flush(&mut group, &mut first);
    Groups { files, list }
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
        let terms: Vec<Option<PageTerms>> = (0..60)
            .map(|i| {
                (i % 7 != 3).then(|| PageTerms {
                    lead: lead(i).into_bytes().into_boxed_slice(),
                    ..PageTerms::default()
                })
            })
            .collect();
        let Groups { files, list } = write(&terms, Compression::fast());
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
        let want: Vec<usize> = (0..60).filter(|i| i % 7 != 3).collect();
        assert_eq!(seen, want, "every searchable page once, in order");
    }
}
