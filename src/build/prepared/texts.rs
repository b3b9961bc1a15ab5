//! The pages' Markdown while a build renders it: taken out of the site so that each chunk's is
//! let go of as soon as the chunk is rendered (at 10,000 pages the text was the largest thing
//! held at the build's peak), and read again from the files only when a check finds a problem
//! to show lines of. `serve` keeps it out afterwards too (see `Prepared::let_go`).

use crate::build::plan;
use crate::diagnostics::Diagnostics;
use crate::model::Site;
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// What is needed to give the pages their text back: each page's text hash (`None`: the page
/// had no text to take).
pub struct Taken {
    hashes: Vec<Option<blake3::Hash>>,
}

/// Takes every page's text out of `site`, leaving it empty: the texts in page order, and
/// their hashes.
pub fn take(site: &mut Site) -> (Vec<Arc<str>>, Taken) {
    let empty: Arc<str> = Arc::from("");
    let (texts, hashes) = site
        .pages
        .par_iter_mut()
        .map(|p| {
            let text = std::mem::replace(&mut p.source.text, empty.clone());
            let hash = (!text.is_empty()).then(|| blake3::hash(text.as_bytes()));
            (text, hash)
        })
        .unzip();
    (texts, Taken { hashes })
}

impl Taken {
    /// The hash of each page's text taken, by page (`None`: it had none), for a caller that
    /// keeps the texts out (`serve`, see `Prepared::let_go`).
    pub fn into_hashes(self) -> Vec<Option<blake3::Hash>> {
        self.hashes
    }

    /// The hash of each page's text taken, by page (`None`: it had none).
    pub fn hashes(&self) -> &[Option<blake3::Hash>] {
        &self.hashes
    }

    /// Gives every page its text back, read from its file under `root` (see
    /// [`plan::read_back`]: a file that changed since it was read is an error in `diags`).
    pub fn put_back(self, root: &Path, site: &mut Site, diags: &mut Diagnostics) {
        plan::read_back(root, site, &self.hashes, diags);
    }
}
