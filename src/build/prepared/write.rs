//! The writing of a variant's files: its pages from templates, the generated files that are not
//! content pages, the search index, the service worker and the assets.

use super::Prepared;
use crate::build::in_draft_dir;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Page, PageId, PageKind};
use crate::offline;
use crate::output::{self, Key, Sink};
use crate::render::Renderer;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// Where a generated file goes: its output path (relative to the variant) and its bytes.
type Emit<'a> = dyn FnMut(String, Vec<u8>) + 'a;

impl Prepared {
    /// Renders and writes the pages in `ids` (in parallel); returns the errors.
    pub fn write_pages(
        &self,
        ids: &[PageId],
        sink: &Sink,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Vec<Diagnostic> {
        let renderer = self.renderer();
        let salt = self.cache.as_ref().map(|v| v.key);
        let bodies = self.body_hashes();
        ids.par_iter()
            .filter_map(|&id| {
                let p = self.site.page(id);
                let rel = self.out(&output::page_file(&p.url));
                // A page whose template would get the same view as last time is the same file.
                let result = renderer
                    .page_context(id, salt.as_ref().map(|s| (&s[..], &bodies[..])))
                    .and_then(|(cx, view)| {
                        if view.as_ref().is_some_and(|v| sink.reuse(&rel, v)) {
                            return Ok(());
                        }
                        let html = renderer.render_page(cx)?;
                        sink.write_keyed(&rel, html.into_bytes(), view)
                            .map_err(|e| Diagnostic::error(format!("{e:#}")))
                    });
                if let Some(b) = bar {
                    b.inc(1);
                }
                result.err()
            })
            .collect()
    }

    /// The generated files that are not content pages: print views, feeds, 404, sitemap,
    /// robots.txt, written to `sink` as soon as each is made (a book's print view holds every
    /// chapter); a file that cannot be written goes to `failed`, and the first template error
    /// stops.
    pub fn extra_files(
        &self,
        sink: &Sink,
        failed: &mut dyn FnMut(anyhow::Error),
    ) -> Result<(), Diagnostic> {
        let renderer = self.renderer();
        let config = &self.site.config;
        let latest = config.edition.is_none() && config.language == config.default_language();
        if latest {
            // Before the print views, and its memory handed back before they take theirs: a
            // site in two languages lists every page of both, and peaked here.
            let sitemap = renderer.sitemap()?.into_bytes();
            if let Err(e) = sink.write(&self.out("sitemap.xml"), sitemap) {
                failed(e);
            }
            crate::util::release_freed();
        }
        self.print_views(&renderer, sink, failed)?;
        let mut emit = |rel: String, bytes: Vec<u8>| {
            if let Err(e) = sink.write(&self.out(&rel), bytes) {
                failed(e);
            }
        };
        for p in self.pages_of(PageKind::Articles) {
            emit(
                format!("{}atom.xml", p.url),
                renderer.atom(p.id)?.into_bytes(),
            );
        }
        // The files a host has once, at the site's root: those of the latest edition's default
        // language (they speak every language where it matters: the 404 page, the sitemap).
        if latest {
            self.error_pages(&renderer, &mut emit)?;
        }
        self.variant_pages(&renderer, &mut emit)?;
        if latest {
            emit("robots.txt".into(), renderer.robots().into_bytes());
        }
        Ok(())
    }

    /// The hash of each page's body (`render::body_hash`), by page, where the entries for the
    /// next build's cache hold it: made with the render, or read with it from the cache.
    fn body_hashes(&self) -> Vec<Option<blake3::Hash>> {
        let Some(v) = &self.cache else {
            return Vec::new();
        };
        self.site
            .pages
            .iter()
            .map(|p| v.pages.get(&p.rel).map(|e| blake3::Hash::from(e.body)))
            .collect()
    }

    /// The pages of kind `kind`, in order.
    fn pages_of(&self, kind: PageKind) -> impl Iterator<Item = &Page> {
        self.site.pages.iter().filter(move |p| p.kind == kind)
    }

    /// Every book's print view, a few at a time in parallel: each holds a whole book. One whose
    /// template would get the same view as last time (chapters by their bodies' hashes) is the
    /// same file, taken from the previous output like an unchanged page (see `write_pages`).
    fn print_views(
        &self,
        renderer: &Renderer,
        sink: &Sink,
        failed: &mut dyn FnMut(anyhow::Error),
    ) -> Result<(), Diagnostic> {
        let salt = self.cache.as_ref().map(|v| v.key);
        let bodies = self.body_hashes();
        let books: Vec<(&Page, String, Option<Key>)> = self
            .pages_of(PageKind::Book)
            .map(|p| {
                let rel = self.out(&format!("{}print/index.html", p.url));
                (
                    p,
                    rel,
                    salt.map(|s| renderer.book_print_key(p.id, &s, &bodies)),
                )
            })
            .filter(|(_, rel, key)| !key.as_ref().is_some_and(|k| sink.reuse(rel, k)))
            .collect();
        for group in books.chunks(rayon::current_num_threads().max(1)) {
            let views: Vec<Result<String, Diagnostic>> = group
                .par_iter()
                .map(|(p, _, _)| renderer.book_print(p.id))
                .collect();
            for ((_, rel, key), view) in group.iter().zip(views) {
                if let Err(e) = sink.write_keyed(rel, view?.into_bytes(), *key) {
                    failed(e);
                }
            }
        }
        Ok(())
    }

    /// The pages a reader meets when something is missing, written once at the site's root: the
    /// 404 page, and the offline page (with offline reading on) or else a service worker that
    /// removes itself, for readers who had one (the enabled worker is written by `build` once
    /// every other file is, see `service_worker`).
    fn error_pages(&self, renderer: &Renderer, emit: &mut Emit) -> Result<(), Diagnostic> {
        emit("404.html".into(), renderer.not_found()?.into_bytes());
        if self.site.config.offline {
            emit(
                offline::OFFLINE_PAGE.into(),
                renderer.offline_page()?.into_bytes(),
            );
        } else {
            emit(
                offline::WORKER_FILE.into(),
                offline::worker(
                    &self.theme.worker,
                    &offline::Settings::off(),
                    &self.site.config.theme,
                )?,
            );
        }
        Ok(())
    }

    /// The generated pages every variant has: search (unless archived), "What changed" (when
    /// an earlier edition exists), My learning with `courses.json`, and each course's
    /// certificate.
    fn variant_pages(&self, renderer: &Renderer, emit: &mut Emit) -> Result<(), Diagnostic> {
        if !self.site.config.archived() {
            emit(
                "search/index.html".into(),
                renderer.search_page()?.into_bytes(),
            );
        }
        if let Some(changes) = &self.changes {
            emit(
                "changes/index.html".into(),
                renderer.changes(changes)?.into_bytes(),
            );
        }
        emit(
            "my-learning/index.html".into(),
            renderer.my_learning()?.into_bytes(),
        );
        emit("courses.json".into(), renderer.courses_json().into_bytes());
        for p in self.pages_of(PageKind::Course) {
            emit(
                format!("{}certificate/index.html", p.url),
                renderer.certificate(p.id)?.into_bytes(),
            );
        }
        Ok(())
    }

    /// Theme assets, static files and content assets.
    pub fn write_assets(&self, sink: &Sink) -> Result<()> {
        let config = &self.site.config;
        let default_language = config.language == config.default_language();
        let mut copies: Vec<(String, &Path)> = Vec::new();
        // The theme's assets and `static/` once, at the site's root: every variant links there.
        if config.edition.is_none() && default_language {
            for (rel, bytes) in &self.theme.files {
                sink.write(rel, bytes.clone())?;
            }
            copies.extend(
                self.loaded
                    .static_files
                    .iter()
                    .map(|a| (a.rel.clone(), a.path.as_path())),
            );
        }
        // Files beside the pages: those the pages use, in the edition's folder (shared by its
        // languages). A file no page links to or shows is not published.
        let used = self.used_files();
        copies.extend(
            self.loaded
                .assets
                .iter()
                .filter(|a| used.contains(a.rel.as_str()) && !in_draft_dir(&self.site, &a.rel))
                .map(|a| (self.files_out(&a.rel), a.path.as_path())),
        );
        copies
            .par_iter()
            .try_for_each(|(rel, path)| sink.copy(rel, path))
    }

    /// The files beside the pages (relative to `content/`) that some page of this variant links
    /// to or shows.
    pub fn used_files(&self) -> HashSet<&str> {
        self.rendered
            .iter()
            .flat_map(|r| r.uses.iter().map(String::as_str))
            .collect()
    }

    /// Writes the search index's files and the pages, the index on a thread of its own while
    /// the pages are rendered in parallel: the index is ten thousand small files in one folder
    /// on a large site, and two threads creating files in one folder wait on its lock (measured:
    /// an eighth of the build's CPU went to that waiting, spinning). Lets go of the index's files
    /// as they are written.
    pub fn write_search_and_all(&mut self, sink: &Sink, progress: bool) -> Diagnostics {
        let files = std::mem::take(&mut self.search_files);
        let caching = self.cache.is_some();
        let this = &*self;
        let (diags, fragments) = std::thread::scope(|scope| {
            let search = scope.spawn(move || {
                let mut diags = Diagnostics::default();
                let mut fragments = Vec::new();
                for (rel, bytes) in files {
                    // The cache keeps each page's fragment: its file's bytes.
                    let page = caching.then(|| fragment_page(&rel)).flatten();
                    if let Some(i) = page {
                        fragments.push((i, bytes.clone()));
                    }
                    if let Err(e) = sink.write_shared(&this.out(&rel), bytes) {
                        diags.push(Diagnostic::error(format!("{e:#}")));
                    }
                }
                (diags, fragments)
            });
            let mut diags = this.write_all(sink, progress);
            match search.join() {
                Ok((d, fragments)) => {
                    diags.extend(d);
                    (diags, fragments)
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        self.written_fragments = fragments;
        diags
    }

    pub fn write_all(&self, sink: &Sink, progress: bool) -> Diagnostics {
        let mut phases = crate::util::Phases::start();
        let mut diags = Diagnostics::default();
        let bar = (progress && self.site.pages.len() > 2000).then(|| {
            let bar = indicatif::ProgressBar::new(self.site.pages.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        let ids: Vec<PageId> = self.site.pages.iter().map(|p| p.id).collect();
        for e in self.write_pages(&ids, sink, bar.as_ref()) {
            diags.push(e);
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        phases.done("pages");
        // The pages' memory back before the print views (each holds a whole book) take more:
        // the peak of a large build was there.
        crate::util::release_freed();
        let mut failed = Vec::new();
        let made = self.extra_files(sink, &mut |e| {
            failed.push(Diagnostic::error(format!("{e:#}")));
        });
        for d in failed {
            diags.push(d);
        }
        if let Err(d) = made {
            diags.push(d);
        }
        phases.done("extra files");
        // One at a time: the index of a large site is tens of megabytes. (A one-shot build
        // writes them with `write_search_and_all` instead.)
        for (rel, bytes) in &self.search_files {
            if let Err(e) = sink.write_shared(&self.out(rel), bytes.clone()) {
                diags.push(Diagnostic::error(format!("{e:#}")));
            }
        }
        if let Err(e) = self.write_assets(sink) {
            diags.push(Diagnostic::error(format!("{e:#}")));
        }
        diags
    }
}

/// The page whose search fragment search index file `rel` is (`search/f/{page}.bin`).
fn fragment_page(rel: &str) -> Option<usize> {
    rel.strip_prefix("search/f/")?
        .strip_suffix(".bin")?
        .parse()
        .ok()
}
