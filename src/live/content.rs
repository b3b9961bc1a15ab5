//! Changes under `content/`: a page's text (the fast path, page by page) or the site's
//! structure (front matter, files added, renamed or removed: the models are rebuilt).

use super::{Event, Live, Summary};
use crate::build::{self, Prepared};
use crate::diagnostics::{Diagnostics, Severity};
use crate::linkcheck;
use crate::load::{AssetFile, ContentFile};
use crate::markdown::{self, Rendered};
use crate::model::{PageId, PageKind, Site};
use crate::output;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a batch of content changes holds.
struct Batch {
    /// Files whose text changed (`None`: removed), by path under `content/`.
    files: HashMap<String, Option<ContentFile>>,
    /// File names that changed (a page mentioning one is rendered again).
    names: HashSet<String>,
    /// Only page bodies changed: every changed file has its front matter as it was.
    bodies_only: bool,
}

impl Live {
    pub(super) fn content_changed(
        &mut self,
        content: &[String],
        assets: &[String],
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let batch = self.read_batch(content, assets);
        if batch.files.is_empty() && assets.is_empty() && !self.dirty {
            return;
        }
        self.update_sources(&batch, assets);
        if batch.bodies_only && !self.dirty && assets.is_empty() {
            self.rebuild_bodies(&batch, events, summary);
        } else {
            self.rebuild_structure(&batch, assets, events, summary);
        }
    }

    /// Reads the changed files and decides whether only page bodies changed.
    fn read_batch(&self, content: &[String], assets: &[String]) -> Batch {
        let root = self.root().join("content");
        let mut batch = Batch {
            files: HashMap::new(),
            names: HashSet::new(),
            bodies_only: true,
        };
        for rel in content {
            let name = format!("content/{rel}");
            let file = crate::util::fs::read(&root.join(rel)).ok().map(|bytes| {
                let (text, _) = crate::load::decode(&name, bytes);
                ContentFile {
                    rel: rel.clone(),
                    source: crate::diagnostics::Source::new(name.clone(), text),
                }
            });
            let old = self.loaded.content.iter().find(|f| &f.rel == rel);
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
                    batch.bodies_only &= same_yaml;
                }
                (None, None) => continue,
                _ => batch.bodies_only = false,
            }
            batch
                .names
                .insert(rel.rsplit('/').next().unwrap_or(rel).to_string());
            batch.files.insert(rel.clone(), file);
        }
        for a in assets {
            batch
                .names
                .insert(a.rsplit('/').next().unwrap_or(a).to_string());
        }
        batch
    }

    /// The sources are the truth whatever happens next.
    fn update_sources(&mut self, batch: &Batch, assets: &[String]) {
        let root = self.root().to_path_buf();
        let loaded = Arc::make_mut(&mut self.loaded);
        for (rel, file) in &batch.files {
            let list = &mut loaded.content;
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
            let path = root.join("content").join(rel);
            loaded.assets.retain(|a| &a.rel != rel);
            if crate::util::fs::is_file(&path) && crate::load::is_inside(&root, &path) {
                loaded.assets.push(AssetFile {
                    rel: rel.clone(),
                    path,
                });
                loaded.assets.sort_by(|a, b| a.rel.cmp(&b.rel));
            }
        }
        for p in &mut self.variants {
            p.loaded = self.loaded.clone();
        }
    }

    /// The fast path: only page bodies changed. Each variant renders again the pages whose
    /// file changed (a page's own file shows in every language that falls back to it).
    fn rebuild_bodies(&mut self, batch: &Batch, events: &mut Vec<Event>, summary: &mut Summary) {
        let changed: HashMap<String, &ContentFile> = batch
            .files
            .values()
            .flatten()
            .map(|f| (f.source.name.to_string(), f))
            .collect();
        for name in changed.keys() {
            self.page_errors.remove(name);
        }
        let mut reload = Vec::new();
        for v in 0..self.variants.len() {
            let p = &mut self.variants[v];
            let ids: Vec<PageId> = p
                .site
                .pages
                .iter()
                .filter(|pg| changed.contains_key(pg.source.name.as_ref()))
                .map(|pg| pg.id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            for &id in &ids {
                let file = changed[p.site.page(id).source.name.as_ref()];
                let Ok(split) = crate::frontmatter::split(&file.source) else {
                    continue;
                };
                let page = &mut p.site.pages[id.index()];
                page.source = file.source.clone();
                page.yaml = split.yaml;
                page.body = split.body;
            }
            match render_pages(p, &ids) {
                Ok(()) => {}
                Err(diags) => {
                    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                        let name =
                            d.at.as_deref()
                                .map_or_else(String::new, |(s, _)| s.name.to_string());
                        let entry = self.page_errors.entry(name).or_default();
                        let text = d.to_plain_string();
                        if !entry.contains(&text) {
                            entry.push_str(&text);
                        }
                    }
                    continue;
                }
            }
            let sink = self.sink();
            let p = &mut self.variants[v];
            let errors = p.write_pages(&ids, &sink, None);
            summary.pages += ids.len();
            if let Some(e) = errors.into_iter().next() {
                self.structure_errors = e.to_plain_string();
                return;
            }
            let p = &mut self.variants[v];
            reload.extend(
                ids.iter()
                    .map(|id| format!("{}{}", p.site.config.base_url.path, p.site.page(*id).url)),
            );
            // What shows these pages' text elsewhere: the print view of their book.
            for id in &ids {
                if p.site.page(*id).kind == PageKind::Chapter {
                    if let Some(book) = p.site.page(*id).parent {
                        self.pending_books.insert((v, book));
                    }
                }
                p.recount(*id);
            }
            self.search_stale.insert(v);
        }
        if !reload.is_empty() {
            events.push(Event::Reload(Some(reload)));
        }
    }

    /// The slow path: the set of pages or their front matter changed. Every variant's model is
    /// rebuilt; the Markdown of unchanged pages is reused. Then the pages each variant's change
    /// affects are written again and the browser told which to reload.
    fn rebuild_structure(
        &mut self,
        batch: &Batch,
        assets: &[String],
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let Some(fresh) = self.rerender_all(batch) else {
            self.dirty = true;
            return;
        };
        self.structure_errors.clear();
        self.page_errors.clear();
        self.dirty = false;
        let old = std::mem::replace(&mut self.variants, fresh);
        self.relink_olders();
        let mut reload: Vec<String> = Vec::new();
        let mut everything = false;
        for (v, old) in old.iter().enumerate() {
            let Some(written) = self.rewrite_affected(v, old, batch, assets) else {
                return;
            };
            everything |= written.everything;
            summary.pages += written.pages;
            reload.extend(written.reload);
            self.search_stale.insert(v);
        }
        if !self.older_variants.is_empty() {
            self.olders_stale = true;
        }
        if everything {
            events.push(Event::Reload(None));
        } else {
            reload.sort();
            reload.dedup();
            events.push(Event::Reload(Some(reload)));
        }
    }

    /// Every variant modelled again from the sources and its Markdown rendered again, reusing
    /// the renders of pages `batch` leaves as they were. On errors, records them (the structure
    /// errors, shown instead of the site) and returns `None`.
    fn rerender_all(&mut self, batch: &Batch) -> Option<Vec<Prepared>> {
        let mut diags = Diagnostics::default();
        let config = self.variants[0].site.config.clone();
        let mut models = build::models(&config, &self.loaded, &self.shared.opts, &mut diags);
        if diags.has_errors() || models.len() != self.variants.len() {
            self.structure_errors = diags.errors_only().to_plain_string();
            return None;
        }
        build::link(&mut models, &mut []);
        let mut fresh = Vec::new();
        for (v, m) in models.into_iter().enumerate() {
            let reuse = reusable(&self.variants[v], &m.site, batch);
            match Prepared::rerender(&self.variants[v], m, &reuse) {
                Ok(p) => fresh.push(p),
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            diags.sort();
            self.structure_errors = diags.errors_only().to_plain_string();
            self.page_errors.clear();
            return None;
        }
        Some(fresh)
    }

    /// Writes again what `batch` and `assets` affect of variant `v` (`old` before the change):
    /// its affected pages and generated files, its changed content files, and removes the
    /// pages that are gone. `None` when a page cannot be written (the error is recorded).
    fn rewrite_affected(
        &mut self,
        v: usize,
        old: &Prepared,
        batch: &Batch,
        assets: &[String],
    ) -> Option<Rewritten> {
        let affected = affected(old, &self.variants[v].site, batch, assets);
        let p = &self.variants[v];
        let base = p.site.config.base_url.path.clone();
        {
            let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
            for url in &affected.gone {
                files.remove(&p.out(&output::page_file(url)));
            }
        }
        self.copy_assets(v, assets);
        let p = &self.variants[v];
        let sink = self.sink();
        let errors = p.write_pages(&affected.ids, &sink, None);
        if let Some(e) = errors.into_iter().next() {
            self.structure_errors = e.to_plain_string();
            return None;
        }
        if let Err(e) = p.extra_files(&sink, &mut |e| super::report(Err(e))) {
            self.structure_errors = e.to_plain_string();
        }
        let pages = affected.ids.iter().map(|id| p.site.page(*id));
        let mut reload: Vec<String> = pages.map(|p| format!("{base}{}", p.url)).collect();
        reload.extend(affected.gone.iter().map(|u| format!("{base}{u}")));
        Some(Rewritten {
            pages: affected.ids.len(),
            everything: affected.everything,
            reload,
        })
    }

    /// Copies (or removes) changed content files into variant `v`'s output.
    fn copy_assets(&self, v: usize, assets: &[String]) {
        let p = &self.variants[v];
        if p.site.config.language != p.site.config.default_language() {
            return;
        }
        let sink = self.sink();
        for rel in assets {
            let path = self.root().join("content").join(rel);
            if crate::util::fs::is_file(&path) && crate::load::is_inside(self.root(), &path) {
                if let Err(e) = sink.copy(&p.files_out(rel), &path) {
                    eprintln!("warning: {e:#}");
                }
            } else {
                self.files
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&p.files_out(rel));
            }
        }
    }

    /// The older editions' switchers point into the latest edition, whose pages changed.
    fn relink_olders(&mut self) {
        let config = self.variants[0].site.config.clone();
        let sites: Vec<&Site> = self.variants.iter().map(|p| &p.site).collect();
        let pages: Vec<(
            String,
            &std::collections::BTreeMap<String, Vec<crate::editions::PageEntry>>,
        )> = self
            .olders
            .iter()
            .map(|o| (o.name.clone(), &o.pages))
            .collect();
        let cxs = build::edition_contexts(&config, &sites, &pages);
        for (p, cx) in self.variants.iter_mut().zip(cxs[0].clone()) {
            p.editions = cx;
        }
        let per_lang = config.languages.len().max(1);
        for (i, p) in self.older_variants.iter_mut().enumerate() {
            if let Some(cx) = cxs
                .get(1 + i / per_lang)
                .and_then(|row| row.get(i % per_lang))
            {
                p.editions = cx.clone();
            }
        }
    }
}

/// Renders again pages `ids` of `p` in place, keeping the old renders when the new ones have
/// errors (returned).
fn render_pages(p: &mut Prepared, ids: &[PageId]) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let fresh: Vec<(PageId, Rendered)> = ids
        .iter()
        .map(|&id| {
            let mut r = markdown::render(p.site.page(id), &p.markdown_context());
            r.html.pack();
            (id, r)
        })
        .collect();
    let mut old = Vec::new();
    for (id, mut r) in fresh {
        diags.extend(std::mem::take(&mut r.diags));
        old.push((id, std::mem::replace(&mut p.rendered[id.index()], r)));
    }
    let only: HashSet<PageId> = ids.iter().copied().collect();
    linkcheck::anchors(&p.site, &p.rendered, Some(&only), &mut diags);
    linkcheck::objectives(&p.site, &p.rendered, Some(&only), &mut diags);
    if diags.has_errors() {
        diags.sort();
        for (id, r) in old {
            p.rendered[id.index()] = r;
        }
        return Err(diags);
    }
    Ok(())
}

/// The renders of `old` that hold for `site`: same key, same text, same address, no mention of
/// a changed file, and the same search fragment (the sections it is made from are gone).
fn reusable(old: &Prepared, site: &Site, batch: &Batch) -> HashMap<String, Rendered> {
    let mut reuse = HashMap::new();
    for p in &site.pages {
        let Some(&old_id) = old.site.by_rel.get(&p.rel) else {
            continue;
        };
        let o = old.site.page(old_id);
        let file = p
            .source
            .name
            .strip_prefix("content/")
            .unwrap_or(&p.source.name);
        if batch.files.contains_key(file)
            || o.source.text != p.source.text
            || o.url != p.url
            || o.source.name != p.source.name
            || !crate::search::same_fragment(&old.site, o, site, p)
        {
            continue;
        }
        let body = p.body_text();
        if batch.names.iter().any(|n| body.contains(n.as_str())) {
            continue;
        }
        reuse.insert(p.rel.clone(), old.rendered[old_id.index()].clone());
    }
    reuse
}

/// What a change affects of one variant (see `affected`).
struct Affected {
    /// The pages to write again.
    ids: Vec<PageId>,
    /// Those are every page of the variant.
    everything: bool,
    /// The URLs of pages that are gone.
    gone: Vec<String>,
}

/// What `rewrite_affected` wrote of one variant.
struct Rewritten {
    /// How many pages.
    pages: usize,
    /// Every page (the browser reloads whatever it shows).
    everything: bool,
    /// The URLs to reload: the pages written and those gone.
    reload: Vec<String>,
}

/// The pages of `site` to write again after `batch` (every page of each affected collection),
/// whether that is every page, and the URLs of pages that are gone.
fn affected(old: &Prepared, site: &Site, batch: &Batch, assets: &[String]) -> Affected {
    let codes: Vec<String> = site
        .config
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect();
    let keys: HashSet<String> = batch
        .files
        .keys()
        .map(|rel| crate::model::files::key_of(rel, &codes).0)
        .collect();
    let gone: Vec<String> = old
        .site
        .pages
        .iter()
        .filter(|p| {
            !site.by_rel.contains_key(&p.rel) || site.page(site.by_rel[&p.rel]).url != p.url
        })
        .map(|p| p.url.clone())
        .collect();
    let mut everything = !assets.is_empty() && keys.is_empty();
    let mut ids: HashSet<PageId> = HashSet::new();
    for key in &keys {
        let dir = key.rsplit_once('/').map_or("", |(d, _)| d);
        let page = site
            .by_rel
            .get(key)
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
        let root = std::iter::once(p)
            .chain(site.ancestors(page))
            .find(|a| {
                matches!(
                    a.kind,
                    PageKind::Book | PageKind::Lessons | PageKind::Articles | PageKind::Course
                )
            })
            .map_or(page, |r| r.id);
        ids.extend(site.ancestors(root).map(|a| a.id));
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            ids.insert(x);
            stack.extend(site.page(x).children.iter().copied());
        }
    }
    for a in assets {
        let name = a.rsplit('/').next().unwrap_or(a);
        ids.extend(
            site.pages
                .iter()
                .filter(|p| p.body_text().contains(name))
                .map(|p| p.id),
        );
    }
    let ids = if everything {
        site.pages.iter().map(|p| p.id).collect()
    } else {
        ids.into_iter().collect()
    };
    Affected {
        ids,
        everything,
        gone,
    }
}
