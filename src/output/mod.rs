//! The only stage that writes. A build writes into a staging folder beside the output folder
//! and swaps it in only when the whole build succeeded, in one atomic step where the system
//! allows (see `Staging::commit`), so a failed or killed build leaves the previous site
//! untouched. `serve` writes into memory instead.

mod exports;
mod faults;
mod publish;
mod sink;
mod staging;

pub use exports::{write_folder, write_zip};
pub use sink::Sink;
pub use staging::{INSIDE, Staging};

use bytes::Bytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Built files kept in memory and served by `serve`, keyed by output path.
pub type SharedFiles = Arc<RwLock<HashMap<String, Held>>>;

/// A built file held in memory, compressed (LZ4) when that makes it smaller by an eighth: the
/// pages of a large site are most of what `serve` holds, and LZ4 packs their HTML to about a
/// fifth while unpacking a page takes tens of microseconds, less than sending it.
#[derive(Clone, Debug)]
pub struct Held {
    bytes: Bytes,
    packed: bool,
}

impl Held {
    /// Files smaller than this are held as they are (the size prefix and framing cost more).
    const PACK_FROM: usize = 512;

    /// `bytes` held as they are.
    pub fn plain(bytes: Vec<u8>) -> Held {
        Held::shared(bytes.into_boxed_slice().into())
    }

    /// `bytes` held as they are, shared with whoever else holds them.
    pub fn shared(bytes: Bytes) -> Held {
        Held {
            bytes,
            packed: false,
        }
    }

    /// `bytes` held compressed where that saves at least an eighth of them.
    pub fn packed(bytes: Vec<u8>) -> Held {
        if bytes.len() >= Self::PACK_FROM {
            let small = lz4_flex::compress_prepend_size(&bytes);
            if small.len() <= bytes.len() - bytes.len() / 8 {
                return Held {
                    // Without the spare room the compressor's buffer had.
                    bytes: small.into_boxed_slice().into(),
                    packed: true,
                };
            }
        }
        Held::plain(bytes)
    }

    /// The file's bytes, unpacked.
    pub fn to_vec(&self) -> Vec<u8> {
        if self.packed {
            // Packed by `Held::packed` above, so it unpacks.
            lz4_flex::decompress_size_prepended(&self.bytes).unwrap_or_default()
        } else {
            self.bytes.to_vec()
        }
    }
}

/// A content hash (BLAKE3), as the build cache keys files and views.
pub type Key = [u8; 32];

/// An output file as a build wrote it: what a build cache records of it (see `build::cache`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FileEntry {
    pub hash: Key,
    pub size: u64,
    /// For a page: the key of its template's view.
    pub view: Option<Key>,
}

/// The path beside output folder `out` named `.NAME.suffix`.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.{suffix}"))
}

/// Where the build cache of output folder `out` is kept, where it is written first, and where
/// the base it may lie on is kept (see `build::layers`).
pub fn cache_paths(out: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    (
        sibling(&abs, "playbook-cache"),
        sibling(&abs, "playbook-cache.partial"),
        sibling(&abs, "playbook-cache-base"),
    )
}

/// The output path of a page whose URL path (under the base path) is `url`.
pub fn page_file(url: &str) -> String {
    format!("{url}index.html")
}

#[cfg(test)]
mod tests {
    use super::Held;

    #[test]
    fn a_held_file_gives_back_its_bytes_packed_or_not() {
        let page = "<li><a href=\"/lessons/x/\">A lesson</a></li>\n"
            .repeat(200)
            .into_bytes();
        let held = Held::packed(page.clone());
        assert!(held.packed && held.bytes.len() < page.len() / 4);
        assert_eq!(held.to_vec(), page);
        let small = b"<p>Hi</p>".to_vec();
        assert_eq!(Held::packed(small.clone()).to_vec(), small);
        // Bytes that do not compress (an image, a search shard) are held as they are.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let held = Held::packed(noise.clone());
        assert!(!held.packed);
        assert_eq!(held.to_vec(), noise);
    }
}
