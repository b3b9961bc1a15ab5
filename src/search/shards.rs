//! Term shards: the vocabulary in sorted ranges of about [`SHARD_BYTES`] each, gzipped under
//! content-hashed names. A shard holds every term's header (the term front-coded against the one
//! before, its forms against the term, how many postings), then its postings in columns, every
//! term's in turn: page deltas, impacts, flags, section codes. A column holds one kind of value,
//! so gzip codes each with its own statistics: a tenth smaller than postings written whole.

use super::places::{read_into, varint};
use super::rank::{NO_PLACES, Postings};
use super::{MAX_FORMS, MAX_POSTINGS, PageTerms, SHARD_BYTES, Vocabulary, gzip};
use flate2::Compression;

/// The shards being written: the files made so far and the manifest's `[first term, file]` list.
struct Writer<'a> {
    level: Compression,
    vocab: &'a Vocabulary,
    terms: &'a [Option<PageTerms>],
    files: Vec<(String, Vec<u8>)>,
    shards: Vec<(String, String)>,
    /// The current shard's term headers, and its columns.
    heads: Vec<u8>,
    deltas: Vec<u8>,
    impacts: Vec<u8>,
    flags: Vec<u8>,
    codes: Vec<u8>,
    first: Option<&'a str>,
    /// The term before, which the next is front-coded against.
    last: &'a str,
    count: u64,
    /// A posting's forms, reused.
    forms: Vec<u32>,
}

/// Appends `s` front-coded against `before`: varint the UTF-16 units they share (what the
/// browser's `slice` counts), varint length and the UTF-8 bytes of the rest.
fn front(out: &mut Vec<u8>, before: &str, s: &str) {
    let (mut units, mut bytes) = (0, 0);
    for (a, b) in before.chars().zip(s.chars()) {
        if a != b {
            break;
        }
        units += a.len_utf16();
        bytes += a.len_utf8();
    }
    varint(out, units as u64);
    varint(out, (s.len() - bytes) as u64);
    out.extend_from_slice(&s.as_bytes()[bytes..]);
}

impl<'a> Writer<'a> {
    /// The places of term `id` in posting `(page, packed)`: its forms (in `self.forms`) and its
    /// coded sections.
    fn places(&mut self, id: u32, page: u32, packed: u32) -> &'a [u8] {
        let at = packed & NO_PLACES;
        let t = self.terms.get(page as usize).and_then(Option::as_ref);
        match t {
            Some(t) if at != NO_PLACES => read_into(&t.places, at as usize, id, &mut self.forms).0,
            _ => {
                self.forms.clear();
                &[0]
            }
        }
    }

    /// Term `id`'s forms, most pages first (ties by the form), at most [`MAX_FORMS`]; none when
    /// the index has only one: every page holding the term then holds that form, so it would
    /// tell no two pages apart (and on the default site such lists were 3 KB of a session).
    fn forms(&mut self, id: u32, list: &[(u32, u32)]) -> Vec<u32> {
        let mut pages: Vec<(u32, u32)> = Vec::new();
        for &(page, packed) in list {
            self.places(id, page, packed);
            for &f in &self.forms {
                match pages.iter_mut().find(|p| p.0 == f) {
                    Some(p) => p.1 += 1,
                    None => pages.push((f, 1)),
                }
            }
        }
        pages.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| self.vocab.word(a.0).cmp(self.vocab.word(b.0)))
        });
        if pages.len() < 2 {
            return Vec::new();
        }
        pages.truncate(MAX_FORMS);
        pages.into_iter().map(|p| p.0).collect()
    }

    /// Adds term `id` with its postings `list` (page order), and ends the shard once it is full.
    fn term(&mut self, id: u32, truncated: bool, list: &[(u32, u32)]) {
        let term = self.vocab.word(id);
        if self.first.is_none() {
            self.first = Some(term);
        }
        let forms = self.forms(id, list);
        front(&mut self.heads, self.last, term);
        self.last = term;
        self.heads.push(u8::from(truncated));
        varint(&mut self.heads, forms.len() as u64);
        for &f in &forms {
            front(&mut self.heads, term, self.vocab.word(f));
        }
        varint(&mut self.heads, list.len() as u64);
        let mut prev = 0u32;
        for &(page, packed) in list {
            varint(&mut self.deltas, u64::from(page - prev));
            prev = page;
            self.impacts.push((packed >> 24) as u8);
            // The coded sections: varint m (at most MAX_SECTIONS, one byte), then the codes.
            let sections = self.places(id, page, packed);
            let (m, codes) = sections.split_first().unwrap_or((&0, &[]));
            debug_assert!(*m <= 15, "{m} sections do not fit the flags");
            let mut bits = (m & 15) << 3;
            for (j, f) in forms.iter().enumerate() {
                if self.forms.contains(f) {
                    bits |= 1 << j;
                }
            }
            let in_title = self.terms[page as usize]
                .as_ref()
                .is_some_and(|t| t.title.contains(&id));
            self.flags.push(bits | u8::from(in_title) << 7);
            self.codes.extend_from_slice(codes);
        }
        self.count += 1;
        let size = self.heads.len()
            + self.deltas.len()
            + self.impacts.len()
            + self.flags.len()
            + self.codes.len();
        if size >= SHARD_BYTES {
            self.flush();
        }
    }

    /// Ends the current shard, if it holds a term: writes its file and lists it.
    fn flush(&mut self) {
        if let Some(f) = self.first.take() {
            let mut body = Vec::new();
            varint(&mut body, self.count);
            for part in [
                &mut self.heads,
                &mut self.deltas,
                &mut self.impacts,
                &mut self.flags,
                &mut self.codes,
            ] {
                body.append(part);
            }
            let gz = gzip(&body, self.level);
            let name = format!("search/t/{}.bin.gz", crate::util::short_hash(&gz));
            self.shards.push((
                f.to_string(),
                name.trim_start_matches("search/").to_string(),
            ));
            self.files.push((name, gz));
            self.last = "";
            self.count = 0;
        }
    }
}

/// The shards of an index.
pub(super) struct Shards {
    /// Their files: (path, gzipped bytes).
    pub files: Vec<(String, Vec<u8>)>,
    /// The manifest's `[first term, file]` of each.
    pub list: Vec<(String, String)>,
}

/// The shards of every term with `postings`, whose places are in the pages' `terms`. A term in
/// more than [`MAX_POSTINGS`] pages keeps its best ones and is marked truncated.
pub(super) fn write(
    vocab: &Vocabulary,
    terms: &[Option<PageTerms>],
    mut postings: Postings,
    level: Compression,
) -> Shards {
    let mut vocabulary: Vec<u32> = (0..vocab.len() as u32)
        .filter(|id| !postings[*id as usize].is_empty())
        .collect();
    vocabulary.sort_unstable_by(|a, b| vocab.word(*a).cmp(vocab.word(*b)));
    let mut w = Writer {
        level,
        vocab,
        terms,
        files: Vec::new(),
        shards: Vec::new(),
        heads: Vec::new(),
        deltas: Vec::new(),
        impacts: Vec::new(),
        flags: Vec::new(),
        codes: Vec::new(),
        first: None,
        last: "",
        count: 0,
        forms: Vec::new(),
    };
    for id in vocabulary {
        let mut list = std::mem::take(&mut postings[id as usize]);
        let truncated = list.len() > MAX_POSTINGS;
        if truncated {
            // By impact, the best first; equal impacts in page order.
            list.sort_by_key(|p| std::cmp::Reverse(p.1 >> 24));
            list.truncate(MAX_POSTINGS);
            list.sort_by_key(|p| p.0);
        }
        w.term(id, truncated, &list);
    }
    w.flush();
    Shards {
        files: w.files,
        list: w.shards,
    }
}

#[cfg(test)]
mod tests {
    use super::super::places::read_varint;
    use super::super::places::tests::decode_sections;
    use super::super::{Counted, RawTerms, rank};
    use super::*;
    use std::io::Read;

    /// One posting as read back: page, impact, the form and title bits, the sections.
    type Posting = (u32, u8, u8, Vec<(u32, bool)>);

    /// `s` front-coded against `before` at `*at` of `b` (see [`front`]).
    pub(in crate::search) fn unfront(b: &[u8], at: &mut usize, before: &str) -> String {
        let units = read_varint(b, at) as usize;
        let mut out = String::new();
        let mut n = 0;
        for c in before.chars().take_while(|c| {
            n += c.len_utf16();
            n <= units
        }) {
            out.push(c);
        }
        let len = read_varint(b, at) as usize;
        *at += len;
        out.push_str(std::str::from_utf8(&b[*at - len..*at]).unwrap());
        out
    }

    /// The entries of the shards in `files`: term, truncated, forms, postings (a decoder of the
    /// column layout, as `search.js` reads it; the flags as the form and title bits).
    fn decode(files: &[(String, Vec<u8>)]) -> Vec<(String, bool, Vec<String>, Vec<Posting>)> {
        let mut out = Vec::new();
        for (_, gz) in files {
            let mut b = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut b)
                .unwrap();
            let at = &mut 0;
            let mut heads = Vec::new();
            let mut term = String::new();
            for _ in 0..read_varint(&b, at) {
                term = unfront(&b, at, &term);
                let truncated = b[*at] == 1;
                *at += 1;
                let forms: Vec<String> = (0..read_varint(&b, at))
                    .map(|_| unfront(&b, at, &term))
                    .collect();
                heads.push((term.clone(), truncated, forms, read_varint(&b, at)));
            }
            let total: u64 = heads.iter().map(|h| h.3).sum();
            let mut pages = Vec::new();
            for h in &heads {
                let mut page = 0;
                for _ in 0..h.3 {
                    page += read_varint(&b, at) as u32;
                    pages.push(page);
                }
            }
            let (impacts, flags) = (*at, *at + total as usize);
            *at = flags + total as usize;
            let mut j = 0;
            for (term, truncated, forms, n) in heads {
                let mut postings = Vec::new();
                for _ in 0..n {
                    let f = b[flags + j];
                    let mut coded = vec![(f >> 3) & 15];
                    for _ in 0..(f >> 3) & 15 {
                        let start = *at;
                        read_varint(&b, at);
                        coded.extend_from_slice(&b[start..*at]);
                    }
                    postings.push((pages[j], b[impacts + j], f & 0x87, decode_sections(&coded)));
                    j += 1;
                }
                out.push((term, truncated, forms, postings));
            }
            assert_eq!(*at, b.len(), "nothing after the last entry");
        }
        out
    }

    #[test]
    fn front_coding_counts_the_units_the_browser_slices() {
        for (before, s, units) in [
            ("teach", "teacher", 5),
            ("niño", "niños", 4),
            ("abc", "ab", 2),
            ("", "x", 0),
            ("\u{1d4b3}a", "\u{1d4b3}b", 2),
            ("\u{1d4b3}", "\u{1d4b4}", 0),
        ] {
            let mut out = Vec::new();
            front(&mut out, before, s);
            assert_eq!(read_varint(&out, &mut 0), units, "{before} {s}");
            assert_eq!(unfront(&out, &mut 0, before), s);
        }
    }

    /// A term of a test page: term, forms, sections.
    type Term<'a> = (&'a str, &'a [&'a str], &'a [(u32, bool)]);

    /// A page's raw terms, and the title's terms.
    fn page(terms: &[Term], title: &[&str]) -> RawTerms {
        let mut raw = RawTerms {
            length: 10.0,
            title: title.iter().map(|t| t.to_string()).collect(),
            ..RawTerms::default()
        };
        for (t, forms, sections) in terms {
            raw.terms
                .insert(t.to_string(), Counted::new(1.0, forms, sections));
        }
        raw
    }

    fn written(pages: Vec<Option<RawTerms>>) -> Vec<(String, bool, Vec<String>, Vec<Posting>)> {
        let mut vocab = Vocabulary::default();
        let terms: Vec<Option<PageTerms>> = pages
            .into_iter()
            .map(|p| p.map(|p| vocab.compact(p)))
            .collect();
        let postings = rank::postings(&terms, vocab.len(), |_| 1.0);
        decode(&write(&vocab, &terms, postings, Compression::fast()).files)
    }

    #[test]
    fn where_a_term_is_reads_back_per_posting() {
        let entries = written(vec![
            Some(page(
                &[
                    ("walk", &["walks", "walk"], &[(0, false), (3, true)]),
                    ("rubric", &["rubric"], &[(2, false)]),
                ],
                &["walk"],
            )),
            None,
            Some(page(&[("walk", &["walking", "walks"], &[])], &[])),
        ]);
        let walk = entries.iter().find(|e| e.0 == "walk").unwrap();
        assert!(!walk.1);
        assert_eq!(walk.2, vec!["walks", "walk", "walking"], "most pages first");
        let (pages, bits, sections): (Vec<u32>, Vec<u8>, Vec<_>) = (
            walk.3.iter().map(|p| p.0).collect(),
            walk.3.iter().map(|p| p.2).collect(),
            walk.3.iter().map(|p| p.3.clone()).collect(),
        );
        assert_eq!(pages, vec![0, 2]);
        assert_eq!(
            bits,
            vec![0b1000_0011, 0b0000_0101],
            "the forms each page has; the title bit"
        );
        assert_eq!(sections, vec![vec![(0, false), (3, true)], vec![]]);
        let rubric = entries.iter().find(|e| e.0 == "rubric").unwrap();
        assert_eq!(rubric.2, Vec::<String>::new(), "one form: none listed");
        assert_eq!(rubric.3, vec![(0, rubric.3[0].1, 0, vec![(2, false)])]);
        assert!(
            entries.iter().all(|e| e.0 != "walks"),
            "a form that is no term has no entry"
        );
    }

    #[test]
    fn forms_are_ranked_by_pages_and_capped() {
        // Page j has forms f0 ..= fj: f0 is on every page, f8 on one.
        let forms: Vec<String> = (0..9).map(|k| format!("f{k}")).collect();
        let pages = (0..9)
            .map(|j| {
                let mine: Vec<&str> = forms[..=j].iter().map(String::as_str).collect();
                Some(page(&[("many", &mine, &[])], &[]))
            })
            .collect();
        let entries = written(pages);
        let many = &entries[0];
        assert_eq!(many.2, forms[..MAX_FORMS].to_vec());
        assert_eq!(many.3[0].2, 0b1, "the first page has f0 only");
        assert_eq!(
            u32::from(many.3[8].2),
            (1 << MAX_FORMS) - 1,
            "forms past the cap have no bit"
        );
    }

    #[test]
    fn a_term_of_one_form_lists_none() {
        let pages = (0..3)
            .map(|_| Some(page(&[("teach", &["teaching"], &[])], &[])))
            .collect();
        let entries = written(pages);
        assert!(entries[0].2.is_empty(), "one form tells no page apart");
        assert!(
            entries[0].3.iter().all(|p| p.2 & 0x7f == 0),
            "and no page has a bit"
        );
    }
}
