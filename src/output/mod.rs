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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Built files kept in memory and served by `serve`, keyed by output path.
pub type SharedFiles = Arc<RwLock<HashMap<String, Arc<[u8]>>>>;

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

/// Where the build cache of output folder `out` is kept, and where it is written first.
pub fn cache_paths(out: &Path) -> (PathBuf, PathBuf) {
    let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    (
        sibling(&abs, "playbook-cache"),
        sibling(&abs, "playbook-cache.partial"),
    )
}

/// The output path of a page whose URL path (under the base path) is `url`.
pub fn page_file(url: &str) -> String {
    format!("{url}index.html")
}
