//! Places: where each term of a page is, kept per page as one byte buffer (the memory of a large
//! build holds every page's), in the order of the page's terms. Per term:
//!
//! ```text
//! varint nforms, nforms × varint zigzag(form id − term id),   // the folded words that gave it
//! varint m, m × varint code                                   // the sections holding it
//! ```
//!
//! A section's code is the shards' (v4): `(index − previous index or −1 − 1) × 2 + (1 if the term
//! is in the section's heading)`, so the shard writer copies the section part as it is. Forms are
//! vocabulary ids, coded against the term's id: a form numbered right after its term (see
//! `Vocabulary::compact`) takes one byte.

/// Appends `n` as a LEB128 varint.
pub(super) fn varint(out: &mut Vec<u8>, mut n: u64) {
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

/// The varint at `*at` of `buf` (0 past the end), and `*at` moved past it.
pub(super) fn read_varint(buf: &[u8], at: &mut usize) -> u64 {
    let mut n = 0u64;
    let mut shift = 0;
    while let Some(&b) = buf.get(*at) {
        *at += 1;
        if shift < 64 {
            n |= u64::from(b & 0x7f) << shift;
        }
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    n
}

fn zigzag(form: u32, term: u32) -> u64 {
    let d = i64::from(form) - i64::from(term);
    ((d << 1) ^ (d >> 63)) as u64
}

fn unzigzag(z: u64, term: u32) -> u32 {
    let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
    (i64::from(term) + d) as u32
}

/// Appends the places of term `term`: its `forms` and its `sections` (index, in the heading), in
/// increasing order.
pub(super) fn write(out: &mut Vec<u8>, term: u32, forms: &[u32], sections: &[(u32, bool)]) {
    let mut coded = Vec::with_capacity(sections.len() + 1);
    varint(&mut coded, sections.len() as u64);
    let mut next = 0u32;
    for &(index, heading) in sections {
        varint(&mut coded, u64::from(index - next) * 2 + u64::from(heading));
        next = index + 1;
    }
    write_coded(out, term, forms, &coded);
}

/// Appends the places of term `term`: its `forms` and its sections as coded (`m` and the codes).
pub(super) fn write_coded(out: &mut Vec<u8>, term: u32, forms: &[u32], sections: &[u8]) {
    varint(out, forms.len() as u64);
    for &f in forms {
        varint(out, zigzag(f, term));
    }
    out.extend_from_slice(sections);
}

/// The places of term `term` at `at` of `buf`: its forms, its sections as coded (`m` and the
/// codes), and where the next term's begin.
pub(super) fn read(buf: &[u8], at: usize, term: u32) -> (Vec<u32>, &[u8], usize) {
    let mut forms = Vec::new();
    let (sections, next) = read_into(buf, at, term, &mut forms);
    (forms, sections, next)
}

/// As [`read`], the forms put in `forms` (cleared first).
pub(super) fn read_into<'a>(
    buf: &'a [u8],
    mut at: usize,
    term: u32,
    forms: &mut Vec<u32>,
) -> (&'a [u8], usize) {
    forms.clear();
    let n = read_varint(buf, &mut at);
    for _ in 0..n {
        forms.push(unzigzag(read_varint(buf, &mut at), term));
    }
    let start = at.min(buf.len());
    let m = read_varint(buf, &mut at);
    for _ in 0..m {
        read_varint(buf, &mut at);
    }
    let end = at.min(buf.len());
    (&buf[start..end], end)
}

/// Where the places after those at `at` of `buf` begin.
pub(super) fn skip(buf: &[u8], mut at: usize) -> usize {
    for _ in 0..2 {
        let n = read_varint(buf, &mut at);
        for _ in 0..n {
            read_varint(buf, &mut at);
        }
    }
    at
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The sections of coded places `sections` (see [`read`]): (index, in the heading).
    pub(in crate::search) fn decode_sections(sections: &[u8]) -> Vec<(u32, bool)> {
        let mut at = 0;
        let m = read_varint(sections, &mut at);
        let mut out = Vec::new();
        let mut next = 0u32;
        for _ in 0..m {
            let code = read_varint(sections, &mut at);
            let index = next + (code / 2) as u32;
            out.push((index, code & 1 == 1));
            next = index + 1;
        }
        out
    }

    #[test]
    fn places_read_back_as_written() {
        let mut buf = Vec::new();
        write(
            &mut buf,
            10,
            &[11, 3, 200_000],
            &[(0, true), (4, false), (5, true)],
        );
        write(&mut buf, 500, &[], &[]);
        let (forms, sections, next) = read(&buf, 0, 10);
        assert_eq!(forms, vec![11, 3, 200_000]);
        // Codes: (0 − 0) × 2 + 1, (4 − 1) × 2, (5 − 5) × 2 + 1.
        assert_eq!(sections, &[3, 1, 6, 1]);
        assert_eq!(
            decode_sections(sections),
            vec![(0, true), (4, false), (5, true)]
        );
        assert_eq!(skip(&buf, 0), next);
        let (forms, sections, end) = read(&buf, next, 500);
        assert!(forms.is_empty());
        assert_eq!(sections, &[0]);
        assert_eq!(end, buf.len());
        let mut one = Vec::new();
        write(&mut one, 7, &[8], &[]);
        assert_eq!(
            one,
            vec![1, 2, 0],
            "a form numbered after its term takes one byte"
        );
    }
}
