//! Changes of the site's structure (front matter; files added, renamed or removed; the
//! glossary): every variant modelled again, the Markdown of unchanged pages reused, and what
//! the change affects written again.

use super::content::Batch;
use super::texts::TextHashes;
use super::{Event, Live, Summary};
use crate::build::{self, Prepared};
use crate::diagnostics::Diagnostics;
use crate::markdown::Rendered;
use crate::model::{PageId, PageKind, Site};
use crate::output;
use std::collections::{HashMap, HashSet};

impl Live {
    /// The slow path: the set of pages or their front matter changed. Every variant's model is
    /// rebuilt; the Markdown of unchanged pages is reused. Then the pages each variant's change
    /// affects are written again and the browser told which to reload.
    pub(super) fn rebuild_structure(
        &mut self,
        batch: &Batch,
        assets: &[String],
        hashes: &TextHashes,
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let Some((fresh, rendered)) = self.rerender_all(batch, hashes) else {
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
        for ((v, old), rendered) in old.iter().enumerate().zip(rendered) {
            let Some(written) = self.rewrite_affected(v, old, (batch, assets), &rendered) else {
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
    /// the renders of pages `batch` leaves as they were (`hashes`: every file's text hash), with
    /// the pages each renders anew. On errors, records them (the structure errors, shown
    /// instead of the site) and returns `None`.
    #[allow(clippy::type_complexity)]
    fn rerender_all(
        &mut self,
        batch: &Batch,
        hashes: &TextHashes,
    ) -> Option<(Vec<Prepared>, Vec<Vec<PageId>>)> {
        let mut diags = Diagnostics::default();
        let config = self.variants[0].site.config.clone();
        let mut models = build::models(&config, &self.loaded, &self.shared.opts, &mut diags);
        if diags.has_errors() || models.len() != self.variants.len() {
            self.structure_errors = diags.errors_only().to_plain_string();
            return None;
        }
        build::link(&mut models, &mut []);
        let (mut fresh, mut rendered) = (Vec::new(), Vec::new());
        for (v, m) in models.into_iter().enumerate() {
            let reuse = reusable(&self.variants[v], &m.site, batch, hashes);
            let anew = m.site.pages.iter().filter(|p| !reuse.contains_key(&p.rel));
            rendered.push(anew.map(|p| p.id).collect());
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
        Some((fresh, rendered))
    }

    /// Writes again what `batch` and `assets` affect of variant `v` (`old` before the change):
    /// its affected pages and generated files, the pages it `rendered` anew, its changed
    /// content files, and removes the pages that are gone. `None` when a page cannot be written
    /// (the error is recorded).
    fn rewrite_affected(
        &mut self,
        v: usize,
        old: &Prepared,
        (batch, assets): (&Batch, &[String]),
        rendered: &[PageId],
    ) -> Option<Rewritten> {
        let mut affected = affected(old, &self.variants[v].site, batch, assets);
        if !affected.everything {
            let ids: HashSet<PageId> = affected.ids.iter().chain(rendered).copied().collect();
            affected.ids = ids.into_iter().collect();
        }
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

/// The renders of `old` that hold for `site`: same key, same text (`hashes`: of every file, by
/// name), same address, no mention of a changed file, the same glossary for a page that uses
/// it, and the same search fragment (the sections it is made from are gone).
fn reusable(
    old: &Prepared,
    site: &Site,
    batch: &Batch,
    hashes: &TextHashes,
) -> HashMap<String, Rendered> {
    let same_glossary = glossary_of(&old.site) == glossary_of(site);
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
        let same_text = match old.let_go.get(old_id.index()).copied().flatten() {
            Some(kept) => hashes.get(&p.source.name) == Some(&kept),
            None => o.source.text == p.source.text,
        };
        if batch.files.contains_key(file)
            || !same_text
            || o.url != p.url
            || o.source.name != p.source.name
            || !crate::search::same_fragment(&old.site, o, site, p)
        {
            continue;
        }
        let body = p.body_text();
        if batch.names.iter().any(|n| body.contains(n.as_str()))
            || !same_glossary && body.contains("{term}")
        {
            continue;
        }
        reuse.insert(p.rel.clone(), old.rendered[old_id.index()].clone());
    }
    reuse
}

/// What a `{term}` role renders from: the glossary page's address and file, and its terms.
fn glossary_of(site: &Site) -> Option<(&str, &str, &[String])> {
    let g = site.glossary()?;
    Some((&g.url, &g.source.name, &site.glossary_terms))
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
