//! Incremental rebuilds for `serve`. A [`Live`] session keeps every variant of the site (each
//! language of the latest edition, and the older editions) prepared in memory, with the served
//! files, and for each batch of changed paths redoes only what the change affects, through the
//! same steps as a build (`build::models`, `Prepared::rerender`, `linkcheck`):
//!
//! - a page body edit: that page's Markdown and template, in every language that shows that
//!   file; then what shows its text (the book's print view), after the reload event has gone
//!   out;
//! - front matter, new, renamed or deleted files, the glossary's text: the models are rebuilt,
//!   the Markdown of unchanged pages is reused unless it mentions a changed file (or uses a
//!   glossary that changed), and the pages of the affected collection and those rendered again
//!   are written again;
//! - a template: every page; a stylesheet: swapped in the browser without a reload; a static
//!   file: copied;
//! - `playbook.yaml`, a string table or an older edition's sources: everything.
//!
//! Errors never stop the session: the last good files stay served, and the current errors are
//! reported as an event (shown as an overlay in the browser). Between changes the session holds
//! no page's Markdown, only hashes to read it back by (`texts.rs`).

mod content;
mod structure;
mod texts;
mod theme;

use crate::build::{self, Older, Plan, Prepared, Shared};
use crate::config::CONFIG_FILE;
use crate::diagnostics::Diagnostics;
use crate::load::Loaded;
use crate::model::PageId;
use crate::output::{self, SharedFiles, Sink};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the browser is told after a batch of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Reload the pages at these paths (`/lessons/trust/`); `None` means every page.
    Reload(Option<Vec<String>>),
    /// Swap these stylesheets (paths) in place.
    Css(Vec<String>),
    /// A static file changed: pages that use it reload.
    Asset(Vec<String>),
    /// The current build errors as plain text; empty when the site builds cleanly again.
    Errors(String),
}

/// What a batch of changes did, for the terminal.
#[derive(Debug, Default)]
pub struct Summary {
    pub pages: usize,
    pub elapsed: Duration,
    pub full: bool,
}

pub struct Live {
    shared: Shared,
    /// The latest edition's sources, shared by its variants.
    loaded: Arc<Loaded>,
    /// The latest edition, one variant per language, the default first.
    variants: Vec<Prepared>,
    /// Older editions (their page maps) and their variants.
    olders: Vec<Older>,
    older_variants: Vec<Prepared>,
    files: SharedFiles,
    inject: String,
    /// Errors by kind of check, as rendered text: `structure` from the model, and one entry per
    /// file whose Markdown failed.
    structure_errors: String,
    page_errors: BTreeMap<String, String>,
    /// Set after a failed structural rebuild: the model no longer matches the sources, so the
    /// next change rebuilds the structure whatever it is.
    dirty: bool,
    last_errors: String,
    /// Books (variant, page) whose print view shows text that changed, re-rendered by
    /// [`Live::secondary`].
    pending_books: BTreeSet<(usize, PageId)>,
    /// The older editions' pages must be written again: the latest edition's pages changed.
    olders_stale: bool,
    /// Variants whose page text changed since their search index was last made.
    search_stale: BTreeSet<usize>,
    /// The hashes of the latest edition's content files whose text is let go of, by name
    /// (see `texts.rs`).
    let_go: texts::FileHashes,
}

enum Kind {
    Config,
    Template,
    ThemeAsset(String),
    Static(String),
    Content(String),
    ContentAsset(String),
}

impl Live {
    /// Builds the whole site into `files`; `inject` is the script tag added to every page.
    pub fn start(
        opts: &build::Options,
        files: SharedFiles,
        inject: String,
    ) -> Result<(Live, Diagnostics), build::Failed> {
        let (shared, loaded, variants, olders, older_variants, diags, let_go) = prepare_all(opts)?;
        let mut live = Live {
            shared,
            loaded,
            variants,
            olders,
            older_variants,
            files,
            inject,
            structure_errors: String::new(),
            page_errors: BTreeMap::new(),
            dirty: false,
            last_errors: String::new(),
            pending_books: BTreeSet::new(),
            olders_stale: false,
            search_stale: BTreeSet::new(),
            let_go,
        };
        let errors = live.write_everything();
        if errors.has_errors() {
            return Err(build::Failed { diags: errors });
        }
        live.let_go_of_search_files();
        live.let_go_of_texts();
        // Starting held far more than serving does: handed back now, not a second later.
        crate::util::release_freed();
        Ok((live, diags))
    }

    pub fn page_count(&self) -> usize {
        self.variants
            .iter()
            .chain(&self.older_variants)
            .map(|p| p.site.pages.len())
            .sum()
    }

    fn sink(&self) -> Sink {
        Sink::Memory {
            files: self.files.clone(),
            inject: Some(self.inject.clone()),
            pack: true,
        }
    }

    fn root(&self) -> &Path {
        &self.shared.opts.root
    }

    /// Writes the whole site into a fresh map, then swaps it in. Older editions are written
    /// here, and again (deferred) when the latest edition's pages change their switcher targets.
    fn write_everything(&mut self) -> Diagnostics {
        let fresh: SharedFiles = Default::default();
        let sink = Sink::Memory {
            files: fresh.clone(),
            inject: Some(self.inject.clone()),
            pack: true,
        };
        let mut errors = Diagnostics::default();
        for p in self.variants.iter_mut().chain(&mut self.older_variants) {
            // Moved into the map, not copied: the index of a large site is tens of megabytes
            // (made again whole when an edit changes it, see `Live::secondary`).
            for (rel, bytes) in std::mem::take(&mut p.search_files) {
                if let Err(e) = sink.write_shared(&p.out(&rel), bytes) {
                    errors.push(crate::diagnostics::Diagnostic::error(format!("{e:#}")));
                }
            }
            errors.extend(p.write_all(&sink, false));
        }
        if !errors.has_errors() {
            let fresh = std::mem::take(&mut *fresh.write().unwrap_or_else(|e| e.into_inner()));
            *self.files.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        }
        errors
    }

    /// Drops the pages' sections once the index holds their fragments.
    fn let_go_of_search_files(&mut self) {
        for p in self.variants.iter_mut().chain(&mut self.older_variants) {
            let_go_of_sections(p);
        }
    }

    fn classify(&self, path: &Path) -> Option<Kind> {
        let root = self.root();
        let rel = path.strip_prefix(root).ok().or_else(|| {
            let abs = std::path::absolute(root).ok()?;
            path.strip_prefix(abs).ok()
        })?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let name = rel.rsplit('/').next().unwrap_or("");
        if crate::load::is_ignored(name) {
            return None;
        }
        let theme_dir = format!("themes/{}/", self.variants[0].site.config.theme);
        if rel == CONFIG_FILE || rel.starts_with("versions/") || rel.starts_with("i18n/") {
            // Older editions' sources change rarely (they are frozen), string tables too.
            Some(Kind::Config)
        } else if let Some(t) = rel.strip_prefix(&theme_dir) {
            if t.starts_with("templates/") || t.starts_with("i18n/") {
                Some(Kind::Template)
            } else {
                t.strip_prefix("static/")
                    .map(|s| Kind::ThemeAsset(s.to_string()))
            }
        } else if let Some(s) = rel.strip_prefix("static/") {
            Some(Kind::Static(s.to_string()))
        } else if let Some(c) = rel.strip_prefix("content/") {
            if c.ends_with(".md") {
                Some(Kind::Content(c.to_string()))
            } else {
                Some(Kind::ContentAsset(c.to_string()))
            }
        } else {
            None
        }
    }

    /// Applies one batch of changed paths and returns what to tell the browser.
    pub fn apply(&mut self, changed: &[PathBuf]) -> (Vec<Event>, Summary) {
        let start = Instant::now();
        let mut events = Vec::new();
        let mut summary = Summary::default();
        self.apply_kinds(changed, &mut events, &mut summary);
        self.let_go_of_texts();
        let errors = self.error_text();
        if errors != self.last_errors {
            events.push(Event::Errors(errors.clone()));
            self.last_errors = errors;
        }
        summary.elapsed = start.elapsed();
        (events, summary)
    }

    /// Does what the changed paths call for, by kind.
    fn apply_kinds(&mut self, changed: &[PathBuf], events: &mut Vec<Event>, summary: &mut Summary) {
        let changed = self.expand(changed);
        let kinds: Vec<Kind> = changed.iter().filter_map(|p| self.classify(p)).collect();
        if kinds.is_empty() {
            return;
        }
        if kinds.iter().any(|k| matches!(k, Kind::Config)) {
            self.full_rebuild(events, summary);
        } else {
            if kinds
                .iter()
                .any(|k| matches!(k, Kind::Template | Kind::ThemeAsset(_)))
            {
                self.theme_changed(&kinds, events, summary);
            }
            let (mut statics, mut content, mut assets) = (Vec::new(), Vec::new(), Vec::new());
            for k in kinds {
                match k {
                    Kind::Static(s) => statics.push(s),
                    Kind::Content(c) => content.push(c),
                    Kind::ContentAsset(a) => assets.push(a),
                    _ => {}
                }
            }
            if !statics.is_empty() {
                self.statics_changed(&statics, events);
            }
            if !content.is_empty() || !assets.is_empty() {
                self.content_changed(&content, &assets, events, summary);
            }
        }
    }

    /// A folder moved, copied or deleted is reported as the folder alone: stand the files in it
    /// (now, or as they were loaded) in its place.
    fn expand(&self, changed: &[PathBuf]) -> Vec<PathBuf> {
        let root = std::path::absolute(self.root()).unwrap_or_else(|_| self.root().to_path_buf());
        let loaded = &self.loaded;
        let known: Vec<PathBuf> = loaded
            .content
            .iter()
            .map(|f| root.join("content").join(&f.rel))
            .chain(
                loaded
                    .assets
                    .iter()
                    .chain(&loaded.static_files)
                    .map(|a| std::path::absolute(&a.path).unwrap_or_else(|_| a.path.clone())),
            )
            .collect();
        let mut out = Vec::with_capacity(changed.len());
        for p in changed {
            out.push(p.clone());
            if crate::util::fs::is_dir(p) {
                out.extend(crate::load::walk_files(p).into_iter().map(|(_, f)| f));
            } else if !crate::util::fs::exists(p) {
                out.extend(
                    known
                        .iter()
                        .filter(|k| k.starts_with(p) && *k != p)
                        .cloned(),
                );
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Returns true if and only if deferred work is waiting for [`Live::secondary`].
    pub fn has_secondary(&self) -> bool {
        !self.search_stale.is_empty() || self.olders_stale || !self.pending_books.is_empty()
    }

    /// Work that can wait until the browser has been told: search indexes, older editions'
    /// switchers, and the print views of books whose chapters changed. Returns the reload
    /// event for the print views.
    pub fn secondary(&mut self) -> Vec<Event> {
        for v in std::mem::take(&mut self.search_stale) {
            if let Some(p) = self.variants.get_mut(v) {
                p.index();
                let_go_of_sections(p);
                let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
                let prefix = p.out("search/");
                files.retain(|k, _| {
                    !(k.starts_with(&format!("{prefix}t/"))
                        || k.starts_with(&format!("{prefix}f/")))
                });
                // Compressed already (DEFLATE): held as they are, and only here.
                for (rel, bytes) in std::mem::take(&mut p.search_files) {
                    files.insert(p.out(&rel), output::Held::shared(bytes));
                }
            }
        }
        if self.olders_stale {
            // Their switchers and banners point into the latest edition, whose pages changed.
            // Pages open in a browser are not reloaded: they are current again on the next visit.
            self.olders_stale = false;
            let sink = self.sink();
            for p in &self.older_variants {
                let diags = p.write_all(&sink, false);
                if diags.error_count() > 0 {
                    warn(format!(
                        "an older edition's pages were not all updated:\n{}",
                        diags.to_plain_string()
                    ));
                }
            }
        }
        let books = std::mem::take(&mut self.pending_books);
        if books.is_empty() {
            return Vec::new();
        }
        let sink = self.sink();
        let mut paths = Vec::new();
        for (v, b) in books {
            let Some(p) = self.variants.get(v) else {
                continue;
            };
            let url = format!("{}print/", p.site.page(b).url);
            match p.renderer().book_print(b) {
                Ok(html) => {
                    report(sink.write(&p.out(&output::page_file(&url)), html.into_bytes()));
                    paths.push(format!("{}{url}", p.site.config.base_url.path));
                }
                Err(d) => warn(format!(
                    "the print view {url} was not updated:\n{}",
                    d.to_plain_string()
                )),
            }
        }
        vec![Event::Reload(Some(paths))]
    }

    /// The current errors as plain text (empty when there are none).
    pub fn error_text(&self) -> String {
        let mut text = self.structure_errors.clone();
        for e in self.page_errors.values() {
            text.push_str(e);
        }
        text
    }

    fn full_rebuild(&mut self, events: &mut Vec<Event>, summary: &mut Summary) {
        summary.full = true;
        match prepare_all(&self.shared.opts) {
            Ok((shared, loaded, variants, olders, older_variants, _warnings, let_go)) => {
                self.shared = shared;
                self.loaded = loaded;
                self.variants = variants;
                self.olders = olders;
                self.older_variants = older_variants;
                self.let_go = let_go;
                self.olders_stale = false;
                let errors = self.write_everything();
                if !errors.has_errors() {
                    self.let_go_of_search_files();
                }
                self.structure_errors = errors.to_plain_string();
                self.page_errors.clear();
                self.dirty = false;
                summary.pages = self.page_count();
                events.push(Event::Reload(None));
            }
            Err(failed) => {
                self.structure_errors = failed.diags.to_plain_string();
                self.page_errors.clear();
                self.dirty = true;
            }
        }
    }
}

/// Prepares every variant of the site at `opts.root`, as a build would, keeping them all,
/// but not the latest edition's Markdown (see `texts.rs`): with its files' hashes.
#[allow(clippy::type_complexity)]
fn prepare_all(
    opts: &build::Options,
) -> Result<
    (
        Shared,
        Arc<Loaded>,
        Vec<Prepared>,
        Vec<Older>,
        Vec<Prepared>,
        Diagnostics,
        texts::FileHashes,
    ),
    build::Failed,
> {
    let Plan {
        shared,
        mut latest,
        mut olders,
        diags: planned,
    } = Plan::new(opts, None)?;
    let mut warnings = planned.warnings_only();
    let Some((loaded, let_go)) = texts::let_go_of_sources(&mut latest) else {
        return Err(build::one(crate::diagnostics::Diagnostic::error(
            "the site has no language to build",
        )));
    };
    let mut errors = planned.errors_only();
    let mut variants = Vec::new();
    for m in latest {
        match Prepared::render(&shared, m) {
            Ok((p, w)) => {
                warnings.extend(w);
                variants.push(p);
            }
            Err(f) => errors.extend(f.diags),
        }
    }
    let mut older_variants = Vec::new();
    for o in &mut olders {
        for m in std::mem::take(&mut o.models) {
            match Prepared::render(&shared, m) {
                Ok((p, w)) => {
                    warnings.extend(w);
                    older_variants.push(p);
                }
                Err(f) => errors.extend(f.diags),
            }
        }
    }
    if errors.has_errors() {
        return Err(build::fail(errors));
    }
    Ok((
        shared,
        loaded,
        variants,
        olders,
        older_variants,
        warnings,
        let_go,
    ))
}

/// Drops the text of `p`'s pages' sections: the search index keeps their fragments, compressed
/// (`search::Indexer`), and an edit renders the pages it changes again, with their sections.
/// At 10,000 pages the sections were about as large as the pages' text.
fn let_go_of_sections(p: &mut Prepared) {
    for r in &mut p.rendered {
        r.sections = Vec::new();
    }
}

/// Prints a problem of the preview that is no author's error (a file that could not be read
/// or kept) on the terminal `serve` runs in: the page it concerns may be out of date.
fn warn(message: String) {
    eprintln!("warning: {message}");
}

/// Prints the error of a write or copy, which names its path, as [`warn`] does.
fn report(result: anyhow::Result<()>) {
    if let Err(e) = result {
        warn(format!("{e:#}"));
    }
}
