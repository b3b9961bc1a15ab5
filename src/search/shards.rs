//! Term shards: the vocabulary in sorted ranges of about [`SHARD_BYTES`] each, every term with
//! its forms and its postings (page deltas, one byte of impact, and where the term is on the
//! page), gzipped under content-hashed names.

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
    shard: Vec<u8>,
    first: Option<&'a str>,
    count: u64,
    /// A posting's forms, reused.
    forms: Vec<u32>,
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
        let shard = &mut self.shard;
        varint(shard, term.len() as u64);
        shard.extend_from_slice(term.as_bytes());
        shard.push(u8::from(truncated));
        varint(shard, forms.len() as u64);
        for &f in &forms {
            let form = self.vocab.word(f);
            varint(shard, form.len() as u64);
            shard.extend_from_slice(form.as_bytes());
        }
        varint(&mut self.shard, list.len() as u64);
        let mut prev = 0u32;
        for &(page, packed) in list {
            varint(&mut self.shard, u64::from(page - prev));
            prev = page;
            self.shard.push((packed >> 24) as u8);
            let sections = self.places(id, page, packed);
            let mut bits = 0u8;
            for (j, f) in forms.iter().enumerate() {
                if self.forms.contains(f) {
                    bits |= 1 << j;
                }
            }
            let in_title = self.terms[page as usize]
                .as_ref()
                .is_some_and(|t| t.title.contains(&id));
            self.shard.push(bits | u8::from(in_title) << 7);
            self.shard.extend_from_slice(sections);
        }
        self.count += 1;
        if self.shard.len() >= SHARD_BYTES {
            self.flush();
        }
    }

    /// Ends the current shard, if it holds a term: writes its file and lists it.
    fn flush(&mut self) {
        if let Some(f) = self.first.take() {
            let mut body = Vec::with_capacity(self.shard.len() + 4);
            varint(&mut body, self.count);
            body.extend_from_slice(&self.shard);
            let gz = gzip(&body, self.level);
            let name = format!("search/t/{}.bin.gz", crate::util::short_hash(&gz));
            self.shards.push((
                f.to_string(),
                name.trim_start_matches("search/").to_string(),
            ));
            self.files.push((name, gz));
            self.shard.clear();
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
        shard: Vec::new(),
        first: None,
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

    /// The entries of the shards in `files`: term, truncated, forms, postings (a decoder of the
    /// v3 layout, as `search.js` reads it).
    fn decode(files: &[(String, Vec<u8>)]) -> Vec<(String, bool, Vec<String>, Vec<Posting>)> {
        let mut out = Vec::new();
        for (_, gz) in files {
            let mut b = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut b)
                .unwrap();
            let at = &mut 0;
            let string = |b: &[u8], at: &mut usize| {
                let n = read_varint(b, at) as usize;
                *at += n;
                String::from_utf8(b[*at - n..*at].to_vec()).unwrap()
            };
            for _ in 0..read_varint(&b, at) {
                let term = string(&b, at);
                let truncated = b[*at] == 1;
                *at += 1;
                let forms = (0..read_varint(&b, at)).map(|_| string(&b, at)).collect();
                let mut page = 0;
                let mut postings = Vec::new();
                for _ in 0..read_varint(&b, at) {
                    page += read_varint(&b, at) as u32;
                    let (impact, bits) = (b[*at], b[*at + 1]);
                    *at += 2;
                    let start = *at;
                    for _ in 0..read_varint(&b, at) {
                        read_varint(&b, at);
                    }
                    postings.push((page, impact, bits, decode_sections(&b[start..*at])));
                }
                out.push((term, truncated, forms, postings));
            }
            assert_eq!(*at, b.len(), "nothing after the last entry");
        }
        out
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
