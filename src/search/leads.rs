//! Leads: what a result shows without the page's text — the fragment with each section cut to
//! its opening ([`LEAD_WORDS`] words) — in groups of consecutive pages of about [`LEADS_BYTES`]
//! of JSON each, gzipped under content-hashed names (`search/t/<hash>.leads.gz`), so that the
//! results of a query fetch a group or two instead of a fragment each.

use super::{LEAD_WORDS, LEADS_BYTES, WHOLE_BYTES, gzip};
use bytes::Bytes;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
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
    Whole(Anchor<'a>, &'a str, &'a str),
    Cut(Anchor<'a>, &'a str, &'a str, u8),
}

/// A section's anchor: `0` when `search.js` makes it from the heading (see [`derived`]).
#[derive(Serialize)]
#[serde(untagged)]
enum Anchor<'a> {
    Derived(u8),
    Text(&'a str),
}

/// Whether `search.js` makes `anchor` from `heading` itself (its `snippet`): an ASCII heading
/// lowercased, each run of characters other than letters and digits a hyphen, none at either
/// end. Most headings' anchors are made so; the others (accents, a repeated heading's `-2`, an
/// id the author gave) are sent whole. A tenth of the default site's leads.
fn derived(anchor: &str, heading: &str) -> bool {
    if anchor.is_empty() || !heading.is_ascii() {
        return false;
    }
    let mut slug = String::with_capacity(heading.len());
    for c in heading.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-') == anchor
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
/// section numbers of the shards index both — or, for a fragment of at most [`WHOLE_BYTES`],
/// the whole of it. Made from the fragment rather than kept from the page's sections: a large
/// build would hold every page's lead (20 MB at 10,000 pages) through its Markdown pass, and a
/// cached page has its fragment already. With it, whether a section was cut: a lead that cuts
/// none holds all the page's text, and the page needs no fragment file.
pub fn lead(fragment: &[u8]) -> (Vec<u8>, bool) {
    let Ok(f) = serde_json::from_slice::<Fragment>(fragment) else {
        return (b"null".to_vec(), false);
    };
    let whole = fragment.len() <= WHOLE_BYTES;
    let mut cut_any = false;
    let lead = Lead {
        t: &f.t,
        u: &f.u,
        k: &f.k,
        b: &f.b,
        l: &f.l,
        s: f.s
            .iter()
            .map(|(anchor, heading, text)| {
                let a = if derived(anchor, heading) {
                    Anchor::Derived(0)
                } else {
                    Anchor::Text(anchor)
                };
                match opening(text).filter(|_| !whole) {
                    Some(cut) => {
                        cut_any = true;
                        Section::Cut(a, heading, cut, 1)
                    }
                    None => Section::Whole(a, heading, text),
                }
            })
            .collect(),
    };
    (serde_json::to_vec(&lead).unwrap_or_default(), cut_any)
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
    pub files: Vec<(String, Bytes)>,
    /// The manifest's `[first page, file]` of each, by page.
    pub list: Vec<(u32, String)>,
    /// By page: whether its lead cuts a section, so that its fragment is needed for the rest.
    pub cut: Vec<bool>,
}

/// Pages whose leads are made at once (see [`write`]): only a chunk of leads is held at once.
const CHUNK: usize = 256;

/// What a build keeps of its leads for the next one (in the build cache): the length of the
/// lead each fragment gives, and each group's gzipped file, by the group's key. With it, an
/// incremental build makes only the leads of the pages that changed and the groups that hold
/// them: the rest are where they were, byte for byte.
#[derive(Default, Clone, Debug)]
pub struct Memo {
    /// By [`Memo::fragment_key`]: the length of the fragment's lead, and whether it cuts a
    /// section (see [`lead`]).
    pub lens: HashMap<Key, Made>,
    /// By the group's key (its pages' numbers and fragment keys, and the level): its file.
    pub groups: HashMap<Key, Bytes>,
}

type Key = [u8; 32];
type LeadJson = Vec<u8>;
/// A lead's length and whether it cuts a section (see [`lead`]).
type Made = (u32, bool);

impl Memo {
    /// The key of a fragment (compressed against the dictionary of key `dict`): the lead is made
    /// from the two.
    fn fragment_key(dict: &Key, z: &[u8]) -> Key {
        *blake3::keyed_hash(dict, z).as_bytes()
    }
}

/// A group of pages closed, to be made or taken from the memo.
struct Closed {
    first: u32,
    key: Key,
    /// The previous build's file, or the pages with the leads made already.
    made: Result<Bytes, Vec<(usize, Option<LeadJson>)>>,
}

/// The making of leads groups that reuses a memo (see [`write`]).
struct Reusing<'a> {
    fragments: &'a [Option<Bytes>],
    dict: &'a [u8],
    level: Compression,
    old: &'a Memo,
    /// This index's memo, as made so far.
    memo: Memo,
    out: Groups,
    /// The pages of the group being filled: number, fragment key, lead when made.
    open: Vec<(usize, Key, Option<Vec<u8>>)>,
    /// Its size as JSON (before its closing brace).
    size: usize,
    closed: Vec<Closed>,
}

impl Reusing<'_> {
    fn lead_of(&self, z: &[u8]) -> (Vec<u8>, bool) {
        lead(&super::fragments::inflate(z, self.dict))
    }

    /// Adds page `i` (fragment key `k`, lead length `len`, whether it cuts a section, its lead
    /// when made) to the open group, closing it once it reaches [`LEADS_BYTES`] (with this page).
    fn add(&mut self, i: usize, k: Key, (len, cut): Made, lead: Option<Vec<u8>>) {
        self.memo.lens.insert(k, (len, cut));
        self.out.cut[i] = cut;
        self.open.push((i, k, lead));
        // `{` or `,`, `"i":`, the lead.
        self.size += 1 + i.to_string().len() + 3 + len as usize;
        if self.size >= LEADS_BYTES {
            self.close();
        }
    }

    /// Closes the open group: its file is the memo's when the memo has its key.
    fn close(&mut self) {
        let Some(&(first, ..)) = self.open.first() else {
            return;
        };
        let mut h = blake3::Hasher::new();
        h.update(&self.level.level().to_le_bytes());
        for (i, k, _) in &self.open {
            h.update(&(*i as u64).to_le_bytes());
            h.update(k);
        }
        let key = *h.finalize().as_bytes();
        let made = match self.old.groups.get(&key) {
            Some(gz) => Ok(gz.clone()),
            None => Err(self
                .open
                .iter_mut()
                .map(|(i, _, l)| (*i, l.take()))
                .collect()),
        };
        self.open.clear();
        self.size = 0;
        self.closed.push(Closed {
            first: first as u32,
            key,
            made,
        });
    }

    /// Makes the groups closed and not in the memo, in parallel, and adds all in order.
    fn make_closed(&mut self) {
        use rayon::prelude::*;
        let closed = std::mem::take(&mut self.closed);
        let this = &*self;
        let made: Vec<(u32, Key, Bytes)> = closed
            .into_par_iter()
            .map(|c| {
                let gz = c.made.unwrap_or_else(|pages| {
                    let mut json = Vec::with_capacity(LEADS_BYTES + 4096);
                    for (i, l) in pages {
                        json.push(if json.is_empty() { b'{' } else { b',' });
                        json.extend_from_slice(format!("\"{i}\":").as_bytes());
                        // A page whose length the memo had, in a group that changed.
                        let z = this.fragments[i].as_deref().unwrap_or_default();
                        json.extend_from_slice(&l.unwrap_or_else(|| this.lead_of(z).0));
                    }
                    json.push(b'}');
                    Bytes::from(gzip(&json, this.level))
                });
                (c.first, c.key, gz)
            })
            .collect();
        for (first, key, gz) in made {
            let name = format!("t/{}.leads.gz", crate::util::short_hash(&gz));
            self.out.list.push((first, name.clone()));
            self.out.files.push((format!("search/{name}"), gz.clone()));
            self.memo.groups.insert(key, gz);
        }
    }
}

/// The leads groups of the pages whose compressed `fragments` are given: consecutive pages'
/// leads, `{"<page>": lead, …}`, a group ending with the page that takes it to
/// [`LEADS_BYTES`], gzipped; reusing what `old` holds, byte for byte. Returns them with the
/// memo of this index.
/// Pages are taken a chunk at a time, so only a chunk of leads is held at once.
pub(super) fn write(
    fragments: &[Option<Bytes>],
    dict: &[u8],
    level: Compression,
    old: &Memo,
) -> (Groups, Memo) {
    use rayon::prelude::*;
    let dict_key = *blake3::hash(dict).as_bytes();
    let mut r = Reusing {
        fragments,
        dict,
        level,
        old,
        memo: Memo::default(),
        out: Groups {
            files: Vec::new(),
            list: Vec::new(),
            cut: vec![false; fragments.len()],
        },
        open: Vec::new(),
        size: 0,
        closed: Vec::new(),
    };
    let n = fragments.len();
    for start in (0..n).step_by(CHUNK) {
        let range = start..n.min(start + CHUNK);
        // Each page's key and lead length; its lead, made now, where the memo has no length.
        let got: Vec<Option<(Key, Made, Option<LeadJson>)>> = fragments[range.clone()]
            .par_iter()
            .map(|z| {
                let z = z.as_ref()?;
                let k = Memo::fragment_key(&dict_key, z);
                Some(match old.lens.get(&k) {
                    Some(&made) => (k, made, None),
                    None => {
                        let (l, cut) = r.lead_of(z);
                        (k, (l.len() as u32, cut), Some(l))
                    }
                })
            })
            .collect();
        for (i, got) in range.zip(got) {
            if let Some((k, len, l)) = got {
                r.add(i, k, len, l);
            }
        }
        if start + CHUNK >= n {
            r.close();
        }
        r.make_closed();
    }
    (r.out, r.memo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_anchor_the_heading_makes_is_left_to_the_browser() {
        for (anchor, heading, left) in [
            ("what-the-courses-are-for", "What the courses are for", true),
            ("q-a-ready", "Q&A: ready?", true),
            ("step-2", "  Step 2  ", true),
            ("debrief-2", "Debrief", false),
            ("ano-uno", "Año uno", false),
            ("", "", false),
            ("my-id", "Something else", false),
        ] {
            assert_eq!(derived(anchor, heading), left, "{anchor} {heading}");
        }
        let f = br#"{"t":"T","u":"/t/","k":"Page","b":"","l":"en","s":[["","","a"],["why-it-works","Why it works","b"],["paso-1","Paso 1","c"],["x","Why","d"]]}"#;
        let lead: serde_json::Value = serde_json::from_slice(&lead(f).0).unwrap();
        let anchors: Vec<_> = lead["s"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s[0].clone())
            .collect();
        assert_eq!(
            anchors,
            [serde_json::json!(""), 0.into(), 0.into(), "x".into()]
        );
    }

    /// The reference writer: the leads groups of `pages` pages, whose leads `leads(range)` gives a chunk at a time
    /// (`None` for a page left out of search), so that only a chunk of them is held at once.
    fn plain_write(
        pages: usize,
        leads: impl Fn(std::ops::Range<usize>) -> Vec<Option<Vec<u8>>>,
        level: Compression,
    ) -> Groups {
        let mut out = Groups {
            files: Vec::new(),
            list: Vec::new(),
            cut: Vec::new(),
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
            out.files.push((format!("search/{name}"), gz.into()));
            out.list.push((f, name));
        }
    }

    /// The leads of the pages whose compressed `fragments` are given, in parallel.
    fn leads_of(fragments: &[Option<Bytes>], dict: &[u8]) -> Vec<Option<Vec<u8>>> {
        use rayon::prelude::*;
        fragments
            .par_iter()
            .map(|z| {
                z.as_ref()
                    .map(|z| lead(&super::super::fragments::inflate(z, dict)).0)
            })
            .collect()
    }

    #[test]
    fn a_small_fragment_is_its_own_lead_and_a_larger_one_is_cut() {
        let fragment = |words: usize| {
            let text: Vec<String> = (0..words).map(|i| format!("w{i}")).collect();
            serde_json::to_vec(&serde_json::json!({
                "t": "T", "u": "/t/", "k": "Page", "b": "", "l": "en",
                "s": [["", "", text.join(" ")], ["next", "Next", "short"]],
            }))
            .unwrap()
        };
        let small = fragment(LEAD_WORDS * 4);
        assert!(small.len() <= WHOLE_BYTES, "{}", small.len());
        let (json, cut) = lead(&small);
        assert!(!cut);
        let whole: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let sent: serde_json::Value = serde_json::from_slice(&small).unwrap();
        assert_eq!(whole["s"][0][2], sent["s"][0][2], "all of its text");
        assert_eq!(whole["s"][1][0], 0, "anchors as in any lead");

        let large = fragment(WHOLE_BYTES / 3);
        assert!(large.len() > WHOLE_BYTES);
        let (json, cut) = lead(&large);
        assert!(cut);
        let lead: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(lead["s"][0][3], 1, "the long section is cut");
        assert_eq!(
            lead["s"][1].as_array().unwrap().len(),
            3,
            "the short one is not"
        );
    }

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
        let Groups { files, list, .. } =
            plain_write(600, |r| leads[r].to_vec(), Compression::fast());
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

    /// Fragments of `n` pages like the index's (every seventh left out of search), compressed.
    fn fragments(n: usize, edited: Option<usize>) -> Vec<Option<Bytes>> {
        let json: Vec<Option<Vec<u8>>> = (0..n)
            .map(|i| {
                // Every fifth page too long to be its own lead (see `lead`).
                let text = format!(
                    "Page {i} opens with words {}",
                    "and more ".repeat(if i % 5 == 0 { 150 } else { 20 + i % 9 })
                );
                let text = if edited == Some(i) {
                    text + " edited"
                } else {
                    text
                };
                let f = serde_json::json!({
                    "t": format!("Page {i}"), "u": format!("/p/{i}/"), "k": "l", "b": "", "l": "en",
                    "s": [["", "", text], ["two", "Two", "short"]],
                });
                (i % 7 != 3).then(|| serde_json::to_vec(&f).unwrap())
            })
            .collect();
        let refs: Vec<Option<&[u8]>> = json.iter().map(Option::as_deref).collect();
        super::super::compress_fragments(&refs, b"", false)
    }

    fn same(a: &Groups, b: &Groups) -> bool {
        a.list == b.list && a.files == b.files
    }

    #[test]
    fn reusing_a_memo_makes_the_groups_write_makes_and_takes_unchanged_ones_from_it() {
        let level = Compression::default();
        let n = 1500;
        let fresh = |frags: &[Option<Bytes>]| plain_write(n, |r| leads_of(&frags[r], b""), level);
        let before = fragments(n, None);
        let (groups, memo) = write(&before, b"", level, &Memo::default());
        assert!(groups.list.len() > 3, "{} groups", groups.list.len());
        assert!(
            same(&groups, &fresh(&before)),
            "without a memo: as `write` makes them"
        );

        // One page edited: the same groups as made afresh, and every group but its own taken
        // from the memo (marked, to tell).
        let after = fragments(n, Some(700));
        let mut marked = memo.clone();
        for gz in marked.groups.values_mut() {
            *gz = Bytes::from_static(b"from the memo");
        }
        let (reused, _) = write(&after, b"", level, &marked);
        let want = fresh(&after);
        let from_memo = reused
            .files
            .iter()
            .filter(|(_, gz)| &gz[..] == b"from the memo")
            .count();
        assert_eq!(
            from_memo,
            want.files.len() - 1,
            "only the edited page's group is made"
        );
        let (made, _) = write(&after, b"", level, &memo);
        assert!(same(&made, &want), "with the memo: as `write` makes them");
        // Whether a page's lead is cut (it needs its fragment file), from the memo as when made.
        let cut: Vec<bool> = (0..n).map(|i| i % 7 != 3 && i % 5 == 0).collect();
        assert_eq!(made.cut, cut);
        assert_eq!(write(&after, b"", level, &Memo::default()).0.cut, cut);
    }
}
