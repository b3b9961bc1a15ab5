//! The search index as a reader's browser gets it (format v4): the shards say where each term
//! is, by the sections of the page's fragment and lead, and the leads groups cover every
//! searchable page.

use crate::support::{Site, built, gunzip};
use std::collections::BTreeMap;

fn json(s: &Site, rel: &str) -> serde_json::Value {
    serde_json::from_slice(&gunzip(&std::fs::read(s.out().join(rel)).unwrap())).unwrap()
}

fn varint(b: &[u8], at: &mut usize) -> u64 {
    let (mut n, mut shift) = (0, 0);
    loop {
        let x = b[*at];
        *at += 1;
        n |= u64::from(x & 0x7f) << shift;
        shift += 7;
        if x < 0x80 {
            return n;
        }
    }
}

/// A term's entry: its forms, and per page: the form and title bits, the sections (index, in
/// the heading).
struct Entry {
    forms: Vec<String>,
    postings: BTreeMap<u64, (u8, Vec<(u64, bool)>)>,
}

/// The entry of `term` in the shards of the index at `search/`.
fn entry(s: &Site, term: &str) -> Entry {
    let manifest = json(s, "search/index.json.gz");
    let shards = manifest["shards"].as_array().unwrap();
    let file = shards
        .iter()
        .rev()
        .find(|sh| sh[0].as_str().unwrap() <= term)
        .unwrap()[1]
        .as_str()
        .unwrap();
    let b = gunzip(&std::fs::read(s.out().join("search").join(file)).unwrap());
    let at = &mut 0;
    // A string front-coded against `before`: UTF-16 units shared, then the rest.
    let front = |at: &mut usize, before: &str| {
        let units = varint(&b, at) as usize;
        let n = varint(&b, at) as usize;
        *at += n;
        let kept: String =
            String::from_utf16(&before.encode_utf16().take(units).collect::<Vec<_>>()).unwrap();
        kept + std::str::from_utf8(&b[*at - n..*at]).unwrap()
    };
    let mut heads = Vec::new();
    let mut t = String::new();
    for _ in 0..varint(&b, at) {
        t = front(at, &t);
        *at += 1;
        let forms: Vec<String> = (0..varint(&b, at)).map(|_| front(at, &t)).collect();
        heads.push((t.clone(), forms, varint(&b, at)));
    }
    // The columns: page deltas, impacts, flags (F, section count << 3), section codes.
    let total: u64 = heads.iter().map(|h| h.2).sum();
    let mut pages = Vec::new();
    for h in &heads {
        let mut page = 0;
        for _ in 0..h.2 {
            page += varint(&b, at);
            pages.push(page);
        }
    }
    let flags = *at + total as usize;
    *at = flags + total as usize;
    let mut j = 0;
    for (t, forms, n) in heads {
        let mut postings = BTreeMap::new();
        for _ in 0..n {
            let f = b[flags + j];
            let mut next = 0;
            let sections = (0..(f >> 3) & 15)
                .map(|_| {
                    let code = varint(&b, at);
                    let index = next + code / 2;
                    next = index + 1;
                    (index, code & 1 == 1)
                })
                .collect();
            postings.insert(pages[j], (f & 0x87, sections));
            j += 1;
        }
        if t == term {
            return Entry { forms, postings };
        }
    }
    panic!("no entry for {term}");
}

/// Page `page`'s fragment (JSON): its file's, or its lead when its kind letter is a capital
/// (its lead holds all its text; it has no file).
fn fragment(s: &Site, page: u64) -> serde_json::Value {
    let manifest = json(s, "search/index.json.gz");
    let kind = manifest["page_kinds"].as_str().unwrap().as_bytes()[page as usize];
    if kind.is_ascii_uppercase() {
        assert!(!s.out().join(format!("search/f/{page}.bin")).exists());
        return leads(s)[&page].clone();
    }
    let dict = gunzip(
        &std::fs::read(
            s.out()
                .join("search")
                .join(manifest["dict"].as_str().unwrap()),
        )
        .unwrap(),
    );
    let z = std::fs::read(s.out().join(format!("search/f/{page}.bin"))).unwrap();
    let mut d = flate2::Decompress::new(false);
    d.set_dictionary(&dict).unwrap();
    let mut out = Vec::with_capacity(z.len() * 10 + 1024);
    d.decompress_vec(&z, &mut out, flate2::FlushDecompress::Finish)
        .unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// Every page's lead, by page, from the leads groups the manifest lists; checks that each
/// group holds pages from its first up to the next group's first.
fn leads(s: &Site) -> BTreeMap<u64, serde_json::Value> {
    let manifest = json(s, "search/index.json.gz");
    let groups = manifest["leads"].as_array().unwrap();
    let mut out = BTreeMap::new();
    for (g, group) in groups.iter().enumerate() {
        let first = group[0].as_u64().unwrap();
        let end = groups
            .get(g + 1)
            .map_or(u64::MAX, |n| n[0].as_u64().unwrap());
        let pages = json(s, &format!("search/{}", group[1].as_str().unwrap()));
        for (id, lead) in pages.as_object().unwrap() {
            let id: u64 = id.parse().unwrap();
            assert!(
                first <= id && id < end,
                "page {id} in the group from {first}"
            );
            out.insert(id, lead.clone());
        }
    }
    out
}

const SITE: &str = "//- content/walks.md
---
title: Equity walks
---
Before any heading, a walking tour of the building.

## Planning the walk

Teams agree on a rubric first.

## Debrief

Walks end with a debrief: one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty and more words after the cut.

## Notes

The notes are kept by the team that made them, dated, and read again the next time, so that what changed between the two visits is seen by the people who saw both. A tour that finds the same thing twice asks a new question the third time. Teams write what they saw, not what they think of it, and leave the judging to the debrief, where every note is read aloud before any is discussed. The notes say where, when and what: a room, a time, a thing a student said or did. Nobody's name is written down, and the notes are not shown to anyone outside the team. At the end of the year the team reads all of them in one sitting and writes a page on what the school learned, which goes to the whole staff.
//- content/other.md
---
title: Other
---
Notes on walks.
";

#[test]
fn postings_point_at_the_sections_of_the_fragment_and_the_lead() {
    let s = built(SITE);
    let manifest = json(&s, "search/index.json.gz");
    assert_eq!(manifest["v"], playbook::search::FORMAT_VERSION);
    let walk = entry(&s, "walk");
    assert_eq!(walk.forms[0], "walks", "the form on most pages first");
    let leads = leads(&s);
    let mut titled = 0;
    for (page, (bits, sections)) in &walk.postings {
        let frag = fragment(&s, *page);
        let lead = &leads[page];
        assert_eq!(lead["t"], frag["t"]);
        assert_eq!(lead["u"], frag["u"]);
        let fs = frag["s"].as_array().unwrap();
        let ls = lead["s"].as_array().unwrap();
        assert_eq!(fs.len(), ls.len(), "the same sections");
        for (f, l) in fs.iter().zip(ls) {
            assert_eq!(&f[1], &l[1], "in the same order");
            // An anchor the browser makes from the heading is sent as 0.
            let made = l[1].as_str().unwrap().to_lowercase();
            let made: Vec<&str> = made
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert!(
                l[0] == f[0] || (l[0] == 0 && f[0] == made.join("-")),
                "{f} {l}"
            );
        }
        assert!(!sections.is_empty());
        for &(i, in_heading) in sections {
            let sec = &fs[i as usize];
            let heading = sec[1].as_str().unwrap().to_lowercase();
            let text = sec[2].as_str().unwrap().to_lowercase();
            assert_eq!(heading.contains("walk"), in_heading, "{sec}");
            assert!(in_heading || text.contains("walk"), "{sec}");
        }
        let title = frag["t"].as_str().unwrap().to_lowercase().contains("walk");
        assert_eq!(bits & 0x80 != 0, title, "the title bit");
        titled += usize::from(title);
        for (j, form) in walk.forms.iter().enumerate() {
            let all = format!("{frag}").to_lowercase();
            if bits & (1 << j) != 0 {
                assert!(all.contains(form.as_str()), "{form} on page {page}");
            }
        }
    }
    assert_eq!(titled, 1);
    let page = *walk
        .postings
        .iter()
        .find(|(_, p)| p.0 & 0x80 != 0)
        .unwrap()
        .0;
    assert_eq!(
        walk.postings[&page].1,
        vec![(0, false), (1, true), (2, false)],
        "the untitled first section is section 0"
    );
}

#[test]
fn a_lead_opens_each_section_and_says_when_it_is_cut() {
    let s = built(SITE);
    let leads = leads(&s);
    let lead = leads.values().find(|l| l["t"] == "Equity walks").unwrap();
    let debrief = &lead["s"][2];
    assert_eq!(debrief[1], "Debrief");
    let opening = debrief[2].as_str().unwrap();
    assert!(opening.starts_with("Walks end with"), "{opening}");
    let words = "Walks end with a debrief: one two three four five six seven eight nine ten eleven \
                 twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty";
    let last = words
        .split_whitespace()
        .nth(playbook::search::LEAD_WORDS - 1);
    assert!(
        opening.ends_with(last.unwrap().trim_end_matches(':')),
        "{} words: {opening}",
        playbook::search::LEAD_WORDS
    );
    assert_eq!(debrief[3], 1, "cut");
    let first = lead["s"][0].as_array().unwrap();
    assert_eq!(first.len(), 3, "not cut: {first:?}");
    let manifest = json(&s, "search/index.json.gz");
    let searchable = manifest["page_kinds"]
        .as_str()
        .unwrap()
        .chars()
        .filter(|k| *k != '-')
        .count();
    assert_eq!(leads.len(), searchable, "every searchable page has a lead");
}

#[test]
fn a_short_page_has_no_fragment_file_and_its_lead_holds_all_its_text() {
    let s = built(SITE);
    let manifest = json(&s, "search/index.json.gz");
    let kinds = manifest["page_kinds"].as_str().unwrap().as_bytes().to_vec();
    let leads = leads(&s);
    let page = |title: &str| *leads.iter().find(|(_, l)| l["t"] == title).unwrap().0;
    let (walks, other) = (page("Equity walks"), page("Other"));
    // The long page: a file, its kind letter as it is, a lead that cuts.
    assert_eq!(kinds[walks as usize], b'o');
    assert!(s.out().join(format!("search/f/{walks}.bin")).exists());
    assert!(
        leads[&walks]["s"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x[3] == 1)
    );
    // The short one: no file, a capital, a lead with all of its text.
    assert_eq!(kinds[other as usize], b'O');
    assert!(!s.out().join(format!("search/f/{other}.bin")).exists());
    assert_eq!(leads[&other]["s"][0][2], "Notes on walks.");
    assert!(
        leads[&other]["s"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x.as_array().unwrap().len() == 3)
    );
}
