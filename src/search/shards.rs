//! Term shards: the vocabulary in sorted ranges of about [`SHARD_BYTES`] each, every term with
//! its postings (page deltas and one byte of impact), gzipped under content-hashed names.

use super::rank::Scores;
use super::{MAX_POSTINGS, SHARD_BYTES, Vocabulary, gzip};
use flate2::Compression;

/// The shards being written: the files made so far and the manifest's `[first term, file]` list.
struct Writer<'a> {
    level: Compression,
    files: Vec<(String, Vec<u8>)>,
    shards: Vec<(String, String)>,
    shard: Vec<u8>,
    first: Option<&'a str>,
    count: u64,
}

impl<'a> Writer<'a> {
    /// Adds `term` with its postings `list` (page order), and ends the shard once it is full.
    fn term(&mut self, term: &'a str, truncated: bool, list: &[(u32, f32)], max: f64) {
        let shard = &mut self.shard;
        if self.first.is_none() {
            self.first = Some(term);
        }
        varint(shard, term.len() as u64);
        shard.extend_from_slice(term.as_bytes());
        shard.push(u8::from(truncated));
        varint(shard, list.len() as u64);
        let mut prev = 0u32;
        for &(page, score) in list {
            varint(shard, u64::from(page - prev));
            prev = page;
            shard.push(((f64::from(score) / max) * 254.0).round() as u8 + 1);
        }
        self.count += 1;
        if shard.len() >= SHARD_BYTES {
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

/// The shards of every term with postings in `scores`. A term in more than [`MAX_POSTINGS`]
/// pages keeps its best ones and is marked truncated.
pub(super) fn write(vocab: &Vocabulary, scores: Scores, level: Compression) -> Shards {
    let Scores { mut postings, max } = scores;
    let mut vocabulary: Vec<u32> = (0..vocab.len() as u32)
        .filter(|id| !postings[*id as usize].is_empty())
        .collect();
    vocabulary.sort_unstable_by(|a, b| vocab.word(*a).cmp(vocab.word(*b)));
    let mut w = Writer {
        level,
        files: Vec::new(),
        shards: Vec::new(),
        shard: Vec::new(),
        first: None,
        count: 0,
    };
    for id in vocabulary {
        let list = &mut postings[id as usize];
        let truncated = list.len() > MAX_POSTINGS;
        if truncated {
            list.sort_by(|a, b| b.1.total_cmp(&a.1));
            list.truncate(MAX_POSTINGS);
        }
        list.sort_by_key(|p| p.0);
        w.term(vocab.word(id), truncated, list, max);
    }
    w.flush();
    Shards {
        files: w.files,
        list: w.shards,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_small_and_large() {
        let mut v = Vec::new();
        varint(&mut v, 5);
        varint(&mut v, 300);
        assert_eq!(v, vec![5, 0xac, 0x02]);
    }
}
