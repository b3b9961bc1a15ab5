//! The build cache's encoding: numbers as eight bytes little-endian, strings and byte runs after
//! their length. A writer that keeps its first error, a reader that says `None` at the first
//! sign of a damaged file.

use super::cache::Key;

/// A writer that keeps its first error (checked once at the end).
pub(super) struct W<'w> {
    pub(super) out: &'w mut dyn std::io::Write,
    pub(super) error: Option<std::io::Error>,
}

impl W<'_> {
    pub(super) fn raw(&mut self, b: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.out.write_all(b) {
                self.error = Some(e);
            }
        }
    }
    pub(super) fn u64(&mut self, n: u64) {
        self.raw(&n.to_le_bytes());
    }
    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.raw(b);
    }
    pub(super) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    pub(super) fn key(&mut self, k: &Key) {
        self.raw(k);
    }
    pub(super) fn strs<'s>(&mut self, v: impl ExactSizeIterator<Item = &'s String>) {
        self.u64(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        }
    }
}

/// A reader of `rest`, a part of `whole`: bodies read are views of `whole`, not copies.
pub(super) struct R<'a> {
    pub(super) rest: &'a [u8],
    pub(super) whole: &'a bytes::Bytes,
}

pub(super) type Got<T> = Option<T>;

impl<'a> R<'a> {
    pub(super) fn take(&mut self, n: usize) -> Got<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Some(a)
    }
    pub(super) fn u64(&mut self) -> Got<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub(super) fn len(&mut self) -> Got<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        // A length longer than what is left is a damaged file, not a huge allocation.
        (n <= self.rest.len()).then_some(n)
    }
    pub(super) fn bytes(&mut self) -> Got<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    /// The next bytes, as a view of the whole file.
    pub(super) fn shared(&mut self) -> Got<bytes::Bytes> {
        let b = self.bytes()?;
        Some(self.whole.slice_ref(b))
    }
    pub(super) fn string(&mut self) -> Got<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
    pub(super) fn key(&mut self) -> Got<Key> {
        self.take(32)?.try_into().ok()
    }
    pub(super) fn strings(&mut self) -> Got<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.string()).collect()
    }
}
