//! Incremental rebuilds for `serve`. A [`Live`] session keeps the prepared site (model, theme,
//! checked HTML of every page) and the served files in memory, and for each batch of changed
//! paths redoes only what the change affects:
//!
//! - a page body edit: that page's Markdown and template; then what shows its text (the book's
//!   print view), after the reload event has gone out;
//! - front matter, new, renamed or deleted files: the model is rebuilt (front matter only), the
//!   Markdown of unchanged pages is reused unless it mentions a changed file, and the pages of
//!   the affected collection are re-rendered;
//! - a template: the pages whose kind uses it (every page for shared templates);
//! - a stylesheet: swapped in the browser without a reload; a static file: copied;
//! - `playbook.yaml`: everything.
//!
//! Errors never stop the session: the last good files stay served, and the current errors are
//! reported as an event (shown as an overlay in the browser).

use crate::build::{self, Known, Prepared};
use crate::config::CONFIG_FILE;
use crate::diagnostics::Diagnostics;
use crate::load::{AssetFile, ContentFile};
use crate::markdown::{self, Rendered};
use crate::model::{self, PageId, PageKind};
use crate::nav::Nav;
use crate::output::{self, SharedFiles, Sink};
use crate::search;
use crate::util::fs;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    prepared: Prepared,
    files: SharedFiles,
    inject: String,
    /// Errors by kind of check, as rendered text: `structure` from the model, and one entry per
    /// page whose Markdown failed.
    structure_errors: String,
    page_errors: BTreeMap<String, String>,
    /// Set after a failed structural rebuild: the model no longer matches the sources, so the
    /// next change rebuilds the structure whatever it is.
    dirty: bool,
    last_errors: String,
    /// Books whose print view shows text that changed, re-rendered by [`Live::secondary`].
    pending_books: Vec<PageId>,
    /// Older editions, built at the start (and on a full rebuild).
    olders: Vec<build::Older>,
    /// The older editions' pages must be written again: the latest edition's pages changed.
    olders_stale: bool,
    /// Set when page text changed since the search index was last made.
    search_stale: bool,
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
        let (prepared, olders, diags) = build::prepare_site(opts, None)?;
        let live = Live {
            prepared,
            olders,
            olders_stale: false,
            files,
            inject,
            structure_errors: String::new(),
            page_errors: BTreeMap::new(),
            dirty: false,
            last_errors: String::new(),
            pending_books: Vec::new(),
            search_stale: false,
        };
        let errors = live.write_everything();
        if errors.has_errors() {
            return Err(build::Failed { diags: errors });
        }
        Ok((live, diags))
    }

    pub fn page_count(&self) -> usize {
        self.prepared.site.pages.len()
    }

    fn sink(&self) -> Sink {
        Sink::Memory {
            files: self.files.clone(),
            inject: Some(self.inject.clone()),
        }
    }

    fn base(&self) -> &str {
        &self.prepared.site.config.base_url.path
    }

    /// Writes the whole site into a fresh map, then swaps it in. Older editions are written
    /// here, and again (deferred) when the latest edition's pages change their switcher targets.
    fn write_everything(&self) -> Diagnostics {
        let fresh: SharedFiles = Default::default();
        let sink = Sink::Memory {
            files: fresh.clone(),
            inject: Some(self.inject.clone()),
        };
        let mut errors = self.prepared.write_all(&sink, false);
        for p in self.olders.iter().filter_map(|o| o.prepared.as_ref()) {
            errors.extend(p.write_all(&sink, false));
        }
        if !errors.has_errors() {
            let fresh = std::mem::take(&mut *fresh.write().unwrap_or_else(|e| e.into_inner()));
            *self.files.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        }
        errors
    }

    fn classify(&self, path: &Path) -> Option<Kind> {
        let root = &self.prepared.opts.root;
        let rel = path.strip_prefix(root).ok().or_else(|| {
            let abs = std::path::absolute(root).ok()?;
            path.strip_prefix(abs).ok()
        })?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        let name = rel.rsplit('/').next().unwrap_or("");
        if name.starts_with('.')
            || name.ends_with('~')
            || name.ends_with(".swp")
            || name.starts_with('#')
        {
            return None;
        }
        let theme_dir = format!("themes/{}/", self.prepared.site.config.theme);
        if rel == CONFIG_FILE || rel.starts_with("versions/") {
            // An older edition's sources change rarely (they are frozen): rebuild everything.
            Some(Kind::Config)
        } else if let Some(t) = rel.strip_prefix(&theme_dir) {
            if t.starts_with("templates/") {
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
        let changed = self.expand(changed);
        let mut kinds: Vec<Kind> = changed.iter().filter_map(|p| self.classify(p)).collect();
        let mut events = Vec::new();
        let mut summary = Summary::default();
        if kinds.is_empty() {
            return (events, summary);
        }
        if kinds.iter().any(|k| matches!(k, Kind::Config)) {
            self.full_rebuild(&mut events, &mut summary);
        } else {
            let theme_changed = kinds
                .iter()
                .any(|k| matches!(k, Kind::Template | Kind::ThemeAsset(_)));
            if theme_changed {
                self.theme_changed(&kinds, &mut events, &mut summary);
            }
            let mut statics = Vec::new();
            let mut content = Vec::new();
            let mut assets = Vec::new();
            for k in kinds.drain(..) {
                match k {
                    Kind::Static(s) => statics.push(s),
                    Kind::Content(c) => content.push(c),
                    Kind::ContentAsset(a) => assets.push(a),
                    _ => {}
                }
            }
            if !statics.is_empty() {
                self.statics_changed(&statics, &mut events);
            }
            if !content.is_empty() || !assets.is_empty() {
                self.content_changed(&content, &assets, &mut events, &mut summary);
            }
        }
        let errors = self.error_text();
        if errors != self.last_errors {
            events.push(Event::Errors(errors.clone()));
            self.last_errors = errors;
        }
        summary.elapsed = start.elapsed();
        (events, summary)
    }

    /// A folder moved, copied or deleted is reported as the folder alone: stand the files in it
    /// (now, or as they were loaded) in its place.
    fn expand(&self, changed: &[PathBuf]) -> Vec<PathBuf> {
        let root = std::path::absolute(&self.prepared.opts.root)
            .unwrap_or_else(|_| self.prepared.opts.root.clone());
        let loaded = &self.prepared.loaded;
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
            if p.is_dir() {
                out.extend(crate::load::walk_files(p).into_iter().map(|(_, f)| f));
            } else if !p.exists() {
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
        self.search_stale || self.olders_stale || !self.pending_books.is_empty()
    }

    /// Work that can wait until the browser has been told: the print views of books whose
    /// chapters changed. Returns the reload event for them.
    pub fn secondary(&mut self) -> Vec<Event> {
        if self.search_stale {
            self.search_stale = false;
            self.reindex();
        }
        if self.olders_stale {
            // Their switchers and banners point into the latest edition, whose pages changed.
            // Pages open in a browser are not reloaded: they are current again on the next visit.
            self.olders_stale = false;
            let sink = self.sink();
            for p in self.olders.iter().filter_map(|o| o.prepared.as_ref()) {
                let _ = p.write_all(&sink, false);
            }
        }
        let books = std::mem::take(&mut self.pending_books);
        if books.is_empty() {
            return Vec::new();
        }
        let renderer = self.prepared.renderer();
        let sink = self.sink();
        let mut paths = Vec::new();
        for b in books {
            let url = format!("{}print/", self.prepared.site.page(b).url);
            if let Ok(html) = renderer.book_print(b) {
                let _ = sink.write(&output::page_file(&url), html.into_bytes());
                paths.push(format!("{}{url}", self.base()));
            }
        }
        vec![Event::Reload(Some(paths))]
    }

    /// Remakes the search index from the counted terms (only changed pages were re-counted) and
    /// replaces the served index files.
    fn reindex(&mut self) {
        self.prepared.index();
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        files.retain(|k, _| !k.starts_with("search/t/") && !k.starts_with("search/f/"));
        for (rel, bytes) in &self.prepared.search_files {
            files.insert(rel.clone(), Arc::from(bytes.as_slice()));
        }
    }

    fn count_terms(&mut self, id: PageId) -> Option<search::PageTerms> {
        let prepared = &mut self.prepared;
        let p = prepared.site.page(id);
        p.search.then(|| {
            search::page_terms(
                &p.title,
                &prepared.rendered[id.index()].sections,
                &p.lang,
                &mut prepared.search_vocab,
            )
        })
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
        match build::prepare_site(&self.prepared.opts, None) {
            Ok((prepared, olders, _warnings)) => {
                self.prepared = prepared;
                self.olders = olders;
                self.olders_stale = false;
                let errors = self.write_everything();
                self.structure_errors = errors.to_plain_string();
                self.page_errors.clear();
                self.dirty = false;
                summary.pages = self.prepared.site.pages.len();
                events.push(Event::Reload(None));
            }
            Err(failed) => {
                self.structure_errors = failed.diags.to_plain_string();
                self.page_errors.clear();
                self.dirty = true;
            }
        }
    }

    fn theme_changed(&mut self, kinds: &[Kind], events: &mut Vec<Event>, summary: &mut Summary) {
        let root = self.prepared.opts.root.clone();
        let theme_name = self.prepared.site.config.theme.clone();
        let mut theme_files = BTreeMap::new();
        for (rel, path) in crate::load::walk_files(&root.join("themes").join(&theme_name)) {
            if let Ok(bytes) = fs::read(&path) {
                theme_files.insert(rel, bytes);
            }
        }
        self.prepared.loaded.theme_files = theme_files;
        let mut diags = Diagnostics::default();
        let Some(theme) = build::make_theme(
            &self.prepared.site.config,
            &self.prepared.loaded,
            true,
            &mut diags,
        ) else {
            self.structure_errors = diags.to_plain_string();
            return;
        };
        self.structure_errors.clear();
        self.prepared.theme = theme;
        let sink = self.sink();
        let mut css = Vec::new();
        for k in kinds {
            if let Kind::ThemeAsset(name) = k {
                if let Some((rel, bytes)) = self
                    .prepared
                    .theme
                    .files
                    .iter()
                    .find(|(rel, _)| rel == &format!("assets/{name}"))
                {
                    let _ = sink.write(rel, bytes.clone());
                    if name.ends_with(".css") {
                        css.push(format!("{}{rel}", self.base()));
                    } else {
                        events.push(Event::Reload(None));
                    }
                }
            }
        }
        if !css.is_empty() {
            events.push(Event::Css(css));
        }
        if kinds.iter().any(|k| matches!(k, Kind::Template)) {
            let ids: Vec<PageId> = self.prepared.site.pages.iter().map(|p| p.id).collect();
            let errs = self.prepared.write_pages(&ids, &sink, None);
            let _ = self.prepared.extra_files(&mut |rel, bytes| {
                let _ = sink.write(&rel, bytes);
            });
            summary.pages += ids.len();
            if let Some(e) = errs.into_iter().next() {
                self.structure_errors = e.to_plain_string();
            }
            events.push(Event::Reload(None));
        }
    }

    fn statics_changed(&mut self, statics: &[String], events: &mut Vec<Event>) {
        let root = self.prepared.opts.root.join("static");
        let sink = self.sink();
        let mut paths = Vec::new();
        for rel in statics {
            let path = root.join(rel);
            let list = &mut self.prepared.loaded.static_files;
            list.retain(|a| &a.rel != rel);
            if path.is_file() && crate::load::is_inside(&self.prepared.opts.root, &path) {
                list.push(AssetFile {
                    rel: rel.clone(),
                    path: path.clone(),
                });
                let _ = sink.copy(rel, &path);
                self.prepared.known.static_files.insert(rel.clone());
            } else {
                self.files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(rel);
                self.prepared.known.static_files.remove(rel);
            }
            paths.push(format!("{}{rel}", self.base()));
        }
        events.push(Event::Asset(paths));
    }

    fn content_changed(
        &mut self,
        content: &[String],
        assets: &[String],
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let root = self.prepared.opts.root.join("content");
        // Read what changed, and decide whether only page bodies changed.
        let mut body_only: Vec<(PageId, ContentFile)> = Vec::new();
        let mut structural = self.dirty || !assets.is_empty();
        let mut changed_names: HashSet<String> = HashSet::new();
        let mut new_files: HashMap<String, Option<ContentFile>> = HashMap::new();
        for rel in content {
            let path = root.join(rel);
            let file = fs::read_to_string(&path).ok().map(|text| ContentFile {
                rel: rel.clone(),
                source: crate::diagnostics::Source::new(format!("content/{rel}"), text),
            });
            let old = self.prepared.loaded.content.iter().find(|f| &f.rel == rel);
            match (&file, old) {
                (Some(new), Some(old)) if new.source.text == old.source.text => continue,
                (Some(new), Some(old)) => {
                    let same_yaml = match (
                        crate::frontmatter::split(&new.source),
                        crate::frontmatter::split(&old.source),
                    ) {
                        (Ok(a), Ok(b)) => new.source.text[a.yaml] == old.source.text[b.yaml],
                        _ => false,
                    };
                    match self.prepared.site.by_rel.get(rel) {
                        Some(&id) if same_yaml => body_only.push((id, new.clone())),
                        _ => structural = true,
                    }
                }
                (None, None) => continue,
                _ => structural = true,
            }
            changed_names.insert(rel.rsplit('/').next().unwrap_or(rel).to_string());
            new_files.insert(rel.clone(), file);
        }
        for a in assets {
            changed_names.insert(a.rsplit('/').next().unwrap_or(a).to_string());
        }
        if new_files.is_empty() && assets.is_empty() && !self.dirty {
            return;
        }
        // The sources are the truth whatever happens next.
        for (rel, file) in &new_files {
            let list = &mut self.prepared.loaded.content;
            match (list.iter().position(|f| &f.rel == rel), file) {
                (Some(i), Some(f)) => list[i] = f.clone(),
                (Some(i), None) => {
                    list.remove(i);
                }
                (None, Some(f)) => {
                    let at = list.partition_point(|x| x.rel < f.rel);
                    list.insert(at, f.clone());
                }
                (None, None) => {}
            }
        }
        for rel in assets {
            let path = root.join(rel);
            let list = &mut self.prepared.loaded.assets;
            list.retain(|a| &a.rel != rel);
            if path.is_file() && crate::load::is_inside(&self.prepared.opts.root, &path) {
                list.push(AssetFile {
                    rel: rel.clone(),
                    path,
                });
                list.sort_by(|a, b| a.rel.cmp(&b.rel));
            }
        }
        if structural {
            self.rebuild_structure(&new_files, assets, &changed_names, events, summary);
        } else {
            self.rebuild_bodies(body_only, events, summary);
        }
    }

    /// The fast path: only page bodies changed.
    fn rebuild_bodies(
        &mut self,
        pages: Vec<(PageId, ContentFile)>,
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let ids: HashSet<PageId> = pages.iter().map(|(id, _)| *id).collect();
        let mut fresh: Vec<(PageId, Rendered)> = Vec::new();
        for (id, file) in pages {
            let Ok(split) = crate::frontmatter::split(&file.source) else {
                continue;
            };
            let page = &mut self.prepared.site.pages[id.index()];
            page.source = file.source;
            page.yaml = split.yaml;
            page.body = split.body;
            let r = markdown::render(
                self.prepared.site.page(id),
                &self.prepared.markdown_context(),
            );
            fresh.push((id, r));
        }
        // Check with the new renders in place, keeping the old ones to put back on error.
        let mut old = Vec::new();
        let mut diags = Diagnostics::default();
        for (id, mut r) in fresh {
            diags.extend(std::mem::take(&mut r.diags));
            old.push((
                id,
                std::mem::replace(&mut self.prepared.rendered[id.index()], r),
            ));
        }
        build::check_anchors(
            &self.prepared.site,
            &self.prepared.rendered,
            Some(&ids),
            &mut diags,
        );
        for id in &ids {
            self.page_errors
                .remove(&self.prepared.site.page(*id).source.name.to_string());
        }
        if diags.has_errors() {
            diags.sort();
            for d in diags
                .iter()
                .filter(|d| d.severity == crate::diagnostics::Severity::Error)
            {
                let name =
                    d.at.as_deref()
                        .map_or_else(String::new, |(s, _)| s.name.to_string());
                self.page_errors
                    .entry(name)
                    .or_default()
                    .push_str(&d.to_plain_string());
            }
            for (id, r) in old {
                self.prepared.rendered[id.index()] = r;
            }
            return;
        }
        let sink = self.sink();
        let list: Vec<PageId> = ids.iter().copied().collect();
        let errors = self.prepared.write_pages(&list, &sink, None);
        summary.pages += list.len();
        if let Some(e) = errors.into_iter().next() {
            self.structure_errors = e.to_plain_string();
            return;
        }
        let base = self.base().to_string();
        events.push(Event::Reload(Some(
            list.iter()
                .map(|id| format!("{base}{}", self.prepared.site.page(*id).url))
                .collect(),
        )));
        // What shows these pages' text elsewhere: the print view of their book.
        let books: HashSet<PageId> = list
            .iter()
            .filter(|id| self.prepared.site.page(**id).kind == PageKind::Chapter)
            .filter_map(|id| self.prepared.site.page(*id).parent)
            .collect();
        self.pending_books = books.into_iter().collect();
        for id in &list {
            self.prepared.search_terms[id.index()] = self.count_terms(*id);
        }
        self.search_stale = true;
    }

    /// The slow path: the set of pages or their front matter changed.
    fn rebuild_structure(
        &mut self,
        new_files: &HashMap<String, Option<ContentFile>>,
        assets: &[String],
        changed_names: &HashSet<String>,
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let mut diags = Diagnostics::default();
        let opts = &self.prepared.opts;
        let grouped = model::files::group(
            &self.prepared.site.config,
            &self.prepared.loaded,
            &mut diags,
        );
        let inputs = model::Inputs {
            loaded: &self.prepared.loaded,
            grouped: &grouped,
            include_drafts: opts.drafts,
            report_sources: true,
        };
        let Some(site) = model::build(self.prepared.site.config.clone(), &inputs, &mut diags)
        else {
            self.structure_errors = diags.errors_only().to_plain_string();
            self.dirty = true;
            return;
        };
        // Reuse the Markdown of pages whose text is unchanged and that mention no changed file.
        let old_site = &self.prepared.site;
        let mut reuse: HashMap<String, Rendered> = HashMap::new();
        for p in &site.pages {
            let Some(&old_id) = old_site.by_rel.get(&p.rel) else {
                continue;
            };
            let old = old_site.page(old_id);
            if new_files.contains_key(&p.rel)
                || old.source.text != p.source.text
                || old.url != p.url
            {
                continue;
            }
            let body = p.body_text();
            if changed_names.iter().any(|n| body.contains(n.as_str())) {
                continue;
            }
            reuse.insert(
                p.rel.clone(),
                self.prepared.rendered[old_id.index()].clone(),
            );
        }
        let known = Known::new(
            &self.prepared.loaded,
            &site,
            self.prepared.known.strings.clone(),
        );
        let rendered = build::render_markdown(
            &site,
            &known,
            &self.prepared.highlighter,
            &reuse,
            &mut diags,
        );
        build::check_anchors(&site, &rendered, None, &mut diags);
        if diags.has_errors() {
            diags.sort();
            self.structure_errors = diags.errors_only().to_plain_string();
            self.page_errors.clear();
            self.dirty = true;
            return;
        }
        self.structure_errors.clear();
        self.page_errors.clear();
        self.dirty = false;
        // Which pages show something that changed: every page of each affected collection.
        let changed_rels: HashSet<&str> = new_files.keys().map(String::as_str).collect();
        let old_urls: Vec<String> = self
            .prepared
            .site
            .pages
            .iter()
            .filter(|p| changed_rels.contains(p.rel.as_str()))
            .map(|p| p.url.clone())
            .collect();
        let removed: Vec<String> = self
            .prepared
            .site
            .pages
            .iter()
            .filter(|p| !site.by_rel.contains_key(&p.rel))
            .map(|p| p.url.clone())
            .collect();
        let nav = Nav::compute(&site);
        // Counted terms follow their pages to their new ids; changed pages are counted anew.
        let mut old_terms: HashMap<String, Option<search::PageTerms>> = HashMap::new();
        for p in &self.prepared.site.pages {
            if reuse.contains_key(&p.rel) {
                if let Some(t) = self.prepared.search_terms.get_mut(p.id.index()) {
                    old_terms.insert(p.rel.clone(), t.take());
                }
            }
        }
        let vocab = &mut self.prepared.search_vocab;
        let terms: Vec<Option<search::PageTerms>> = site
            .pages
            .iter()
            .map(|p| match old_terms.remove(&p.rel) {
                Some(t) if p.search == t.is_some() => t,
                _ => p.search.then(|| {
                    search::page_terms(&p.title, &rendered[p.id.index()].sections, &p.lang, vocab)
                }),
            })
            .collect();
        self.prepared.search_terms = terms;
        self.search_stale = true;
        self.prepared.site = site;
        self.prepared.rendered = rendered;
        self.prepared.known = known;
        self.prepared.nav = nav;
        if self.prepared.editions.is_some() {
            build::link_editions(&mut self.prepared, &mut self.olders);
            self.olders_stale = true;
        }
        let site = &self.prepared.site;
        let mut everything = !assets.is_empty() && changed_rels.is_empty();
        let mut affected: HashSet<PageId> = HashSet::new();
        for rel in &changed_rels {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            let page = site
                .by_rel
                .get(*rel)
                .copied()
                .or_else(|| site.by_rel.get(&format!("{dir}/_index.md")).copied());
            let Some(page) = page else {
                everything = true;
                continue;
            };
            let p = site.page(page);
            if p.kind.is_collection() && p.parent == Some(site.home)
                || p.kind == PageKind::Home
                || p.kind == PageKind::Section
            {
                everything = true;
                continue;
            }
            let root = std::iter::once(p).chain(site.ancestors(page)).find(|a| {
                matches!(
                    a.kind,
                    PageKind::Book | PageKind::Lessons | PageKind::Articles | PageKind::Course
                )
            });
            let root = root.map_or(page, |r| r.id);
            affected.insert(root);
            affected.extend(site.ancestors(root).map(|a| a.id));
            let mut stack = vec![root];
            while let Some(x) = stack.pop() {
                affected.insert(x);
                stack.extend(site.page(x).children.iter().copied());
            }
        }
        for a in assets {
            let name = a.rsplit('/').next().unwrap_or(a);
            affected.extend(
                site.pages
                    .iter()
                    .filter(|p| p.body_text().contains(name))
                    .map(|p| p.id),
            );
        }
        let ids: Vec<PageId> = if everything {
            site.pages.iter().map(|p| p.id).collect()
        } else {
            affected.into_iter().collect()
        };
        let sink = self.sink();
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            for url in &removed {
                files.remove(&output::page_file(url));
            }
        }
        for rel in assets {
            let path = self.prepared.opts.root.join("content").join(rel);
            if path.is_file() && crate::load::is_inside(&self.prepared.opts.root, &path) {
                let _ = sink.copy(rel, &path);
            } else {
                self.files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(rel);
            }
        }
        let errors = self.prepared.write_pages(&ids, &sink, None);
        if let Some(e) = errors.into_iter().next() {
            self.structure_errors = e.to_plain_string();
            return;
        }
        if let Err(e) = self.prepared.extra_files(&mut |rel, bytes| {
            let _ = sink.write(&rel, bytes);
        }) {
            self.structure_errors = e.to_plain_string();
        }
        summary.pages += ids.len();
        let base = self.base().to_string();
        if everything {
            events.push(Event::Reload(None));
        } else {
            let mut paths: Vec<String> = ids
                .iter()
                .map(|id| format!("{base}{}", self.prepared.site.page(*id).url))
                .collect();
            paths.extend(
                old_urls
                    .iter()
                    .chain(&removed)
                    .map(|u| format!("{base}{u}")),
            );
            paths.sort();
            paths.dedup();
            events.push(Event::Reload(Some(paths)));
        }
    }
}
