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

    /// Term `id`'s forms, most pages first (ties by the form), at most [`MAX_FORMS`].
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
    use super::*;

    #[test]
    fn varints_round_trip_small_and_large() {
        let mut v = Vec::new();
        varint(&mut v, 5);
        varint(&mut v, 300);
        assert_eq!(v, vec![5, 0xac, 0x02]);
        let mut at = 0;
        assert_eq!(super::super::places::read_varint(&v, &mut at), 5);
        assert_eq!(super::super::places::read_varint(&v, &mut at), 300);
    }
}
