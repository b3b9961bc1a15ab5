//! The pages' Markdown between changes. After starting and after each batch of changes, a
//! session lets go of the text of the latest edition's content files and of the pages that
//! show them (at 10,000 pages, 83 MB: after the built pages, the most it held), keeping the
//! hashes of each file (its text and its front matter) and of each page's text; what needs a
//! text it did not just read reads it again from the file, checked against its hash:
//!
//! - a batch compares each file it names with its hashes (`content.rs`, `read_batch`);
//! - a structure change models the site from every file, so it reads them all back first
//!   ([`Live::read_back_sources`]);
//! - an error in a page the batch did not change reads that page's text back to show its lines
//!   (`content.rs`, `render_pages`).
//!
//! A file that no longer holds the text let go of changed without the watcher saying so (an
//! event missed): it counts as changed, so a page is never served stale without a word.
//! Older editions' pages let go of their text without keeping hashes: a change to their
//! sources (`versions/`) builds everything again.

use super::Live;
use crate::build::{Model, Prepared};
use crate::diagnostics::Source;
use crate::load::{ContentFile, Loaded};
use crate::model::Page;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The hashes kept of a content file whose text is let go of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hashes {
    pub text: blake3::Hash,
    /// Of its front matter's YAML; `None` when the file's front matter does not split.
    pub yaml: Option<blake3::Hash>,
}

impl Hashes {
    pub(super) fn of(source: &Source) -> Hashes {
        Hashes {
            text: blake3::hash(source.text.as_bytes()),
            yaml: crate::frontmatter::split(source)
                .ok()
                .map(|s| blake3::hash(source.text[s.yaml].as_bytes())),
        }
    }
}

/// The hashes of the content files whose text is let go of, by name.
pub(super) type FileHashes = HashMap<Arc<str>, Hashes>;

/// Every content file's text hash, by name.
pub(super) type TextHashes = HashMap<Arc<str>, blake3::Hash>;

/// A content file read back: its name, its text's hash, and, when it no longer holds the text
/// let go of, the file as it is now (`None`: it cannot be read).
type ReadBack = (Arc<str>, blake3::Hash, Option<Option<ContentFile>>);

/// Lets go of the text of the latest edition's content files (`latest`, by language) in its
/// sources before their Markdown is rendered: the pages' text goes as each chunk of pages is
/// rendered (see `Prepared::let_go`). Returns the sources without it and the files' hashes;
/// `None` without a variant.
pub(super) fn let_go_of_sources(latest: &mut [Model]) -> Option<(Arc<Loaded>, FileHashes)> {
    let loaded = latest.first()?.loaded.clone();
    let hashes = (loaded.content.par_iter())
        .filter(|f| !f.source.text.is_empty())
        .map(|f| (f.source.name.clone(), Hashes::of(&f.source)))
        .collect();
    let empty: Arc<str> = Arc::from("");
    let mut lean = Loaded::clone(&loaded);
    for f in &mut lean.content {
        f.source.text = empty.clone();
    }
    let lean = Arc::new(lean);
    for m in latest
        .iter_mut()
        .filter(|m| Arc::ptr_eq(&m.loaded, &loaded))
    {
        m.loaded = lean.clone();
    }
    Some((lean, hashes))
}

impl Live {
    /// The hashes of `file` of the sources: of its text, or kept when it was let go of.
    pub(super) fn hashes_of(&self, file: &ContentFile) -> Hashes {
        match self.let_go.get(&file.source.name) {
            Some(h) if file.source.text.is_empty() => *h,
            _ => Hashes::of(&file.source),
        }
    }

    /// The bytes of the content files' Markdown that the session holds, in its sources and in
    /// the pages of every variant: none between changes.
    pub fn markdown_held(&self) -> usize {
        let sources = self.loaded.content.iter().map(|f| f.source.text.len());
        let older = self.older_variants.iter().flat_map(|p| &p.site.pages);
        let pages = (self.variants.iter().flat_map(|p| &p.site.pages))
            .filter(|pg| self.let_go.contains_key(&pg.source.name))
            .chain(older)
            .map(|pg| pg.source.text.len());
        sources.chain(pages).sum()
    }

    /// Lets go of the text of the latest edition's content files and of the pages that show
    /// them, keeping their hashes, and of the older editions' pages (see the module's doc).
    pub(super) fn let_go_of_texts(&mut self) {
        // The hashes of the files whose text is held (after a change, only those it read), and
        // where that text is, so that a page sharing it is not hashed again.
        let held: Vec<&ContentFile> = (self.loaded.content.iter())
            .filter(|f| !f.source.text.is_empty())
            .collect();
        let hash = |f: &&ContentFile| {
            let at = f.source.text.as_ptr() as usize;
            (f.source.name.clone(), Hashes::of(&f.source), at)
        };
        // On the thread of the watcher, not the pool, when there are few (a body edit): a task
        // handed to the pool waits for a worker, which on a busy machine delays the edit.
        let held: Vec<(Arc<str>, Hashes, usize)> = match held.len() > FEW {
            true => held.par_iter().map(hash).collect(),
            false => held.iter().map(hash).collect(),
        };
        let at: HashSet<usize> = held.iter().map(|(_, _, at)| *at).collect();
        for (name, hashes, _) in &held {
            self.let_go.insert(name.clone(), *hashes);
        }
        if self.let_go.len() > self.loaded.content.len() {
            let names: HashSet<&str> = self
                .loaded
                .content
                .iter()
                .map(|f| &*f.source.name)
                .collect();
            self.let_go.retain(|name, _| names.contains(&**name));
        }
        let empty: Arc<str> = Arc::from("");
        for p in &mut self.variants {
            let_go_of_pages(p, &self.let_go, &at, &empty);
        }
        if !held.is_empty() {
            for f in &mut self.loaded_mut().content {
                f.source.text = empty.clone();
            }
            self.share_loaded();
        }
        for p in &mut self.older_variants {
            for page in &mut p.site.pages {
                page.source.text = empty.clone();
            }
            if p.loaded.content.iter().any(|f| !f.source.text.is_empty()) {
                for f in &mut Arc::make_mut(&mut p.loaded).content {
                    f.source.text = empty.clone();
                }
            }
        }
    }

    /// Reads the text of every content file let go of back into the sources, for a change
    /// that models the site again; `skip`: the files the batch has read. Returns every file's
    /// text hash by name, and the files that no longer hold the text let go of (see
    /// [`ReadBack`]), which the batch takes as changed.
    pub(super) fn read_back_sources(
        &mut self,
        skip: &HashMap<String, Option<ContentFile>>,
    ) -> (TextHashes, Vec<(String, Option<ContentFile>)>) {
        let root = self.root().to_path_buf();
        let let_go = std::mem::take(&mut self.let_go);
        let loaded = self.loaded_mut();
        let read: Vec<ReadBack> = loaded
            .content
            .par_iter_mut()
            .filter(|f| !skip.contains_key(&f.rel))
            .map(|f| {
                let name = f.source.name.clone();
                let Some(kept) = let_go.get(&name).filter(|_| f.source.text.is_empty()) else {
                    return (name, blake3::hash(f.source.text.as_bytes()), None);
                };
                let Ok(bytes) = crate::util::fs::read(&root.join(&*name)) else {
                    return (name, kept.text, Some(None));
                };
                let text = crate::load::decode(&name, bytes).0;
                let hash = blake3::hash(text.as_bytes());
                f.source.text = text.into();
                let changed = (hash != kept.text).then(|| Some(f.clone()));
                (name, hash, changed)
            })
            .collect();
        self.share_loaded();
        self.let_go = let_go;
        let mut hashes: TextHashes = skip
            .values()
            .flatten()
            .map(|f| {
                (
                    f.source.name.clone(),
                    blake3::hash(f.source.text.as_bytes()),
                )
            })
            .collect();
        let mut changed = Vec::new();
        for (name, hash, now) in read {
            if let Some(now) = now {
                let rel = name.strip_prefix("content/").unwrap_or(&name).to_string();
                changed.push((rel, now));
            }
            hashes.insert(name, hash);
        }
        (hashes, changed)
    }

    /// The latest edition's sources, to change. The variants let go of their handle on them
    /// first, so that they are changed in place rather than copied (an entry per content
    /// file); [`Live::share_loaded`] hands them back.
    pub(super) fn loaded_mut(&mut self) -> &mut Loaded {
        let none = Arc::new(Loaded {
            root: Default::default(),
            content: Vec::new(),
            assets: Vec::new(),
            static_files: Vec::new(),
            theme_files: BTreeMap::new(),
            texts: HashMap::new(),
            i18n: BTreeMap::new(),
        });
        for p in &mut self.variants {
            p.loaded = none.clone();
        }
        Arc::make_mut(&mut self.loaded)
    }

    /// Gives every variant of the latest edition its sources back (see [`Live::loaded_mut`]).
    pub(super) fn share_loaded(&mut self) {
        for p in &mut self.variants {
            p.loaded = self.loaded.clone();
        }
    }
}

/// Lets go of the text of the pages of `p` that show a content file as `files` has it (by
/// name; `at`: where the texts of the files just let go of are), keeping each one's hash in
/// `p.let_go`.
fn let_go_of_pages(p: &mut Prepared, files: &FileHashes, at: &HashSet<usize>, empty: &Arc<str>) {
    p.let_go.resize(p.site.pages.len(), None);
    let let_go = |(page, kept): (&mut Page, &mut Option<blake3::Hash>)| {
        let text = &page.source.text;
        let Some(hashes) = files.get(&page.source.name) else {
            return;
        };
        if at.contains(&(text.as_ptr() as usize)) || blake3::hash(text.as_bytes()) == hashes.text {
            *kept = Some(hashes.text);
            page.source.text = empty.clone();
        }
    };
    let held = |(page, _): &(&mut Page, &mut Option<blake3::Hash>)| !page.source.text.is_empty();
    // In parallel only when many are held (after a start whose checks read every text back,
    // each page is hashed), see `Live::let_go_of_texts`.
    let many = p
        .site
        .pages
        .iter()
        .filter(|pg| !pg.source.text.is_empty())
        .count()
        > FEW;
    match many {
        true => (p.site.pages.par_iter_mut().zip(&mut p.let_go))
            .filter(held)
            .for_each(let_go),
        false => (p.site.pages.iter_mut().zip(&mut p.let_go))
            .filter(held)
            .for_each(let_go),
    }
}

/// Files or pages few enough to let go of on the calling thread.
const FEW: usize = 64;
