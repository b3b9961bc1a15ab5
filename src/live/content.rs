//! Changes under `content/`: a page's text (the fast path, page by page) or the site's
//! structure (front matter, files added, renamed or removed: the models are rebuilt, see
//! `structure.rs`).

use super::{Event, Live, Summary, texts};
use crate::build::Prepared;
use crate::diagnostics::{Diagnostics, Severity};
use crate::linkcheck;
use crate::load::{AssetFile, ContentFile};
use crate::markdown::{self, Rendered};
use crate::model::{PageId, PageKind};
use std::collections::{HashMap, HashSet};

/// What a batch of content changes holds.
pub(super) struct Batch {
    /// Files whose text changed (`None`: removed), by path under `content/`.
    pub files: HashMap<String, Option<ContentFile>>,
    /// File names that changed (a page mentioning one is rendered again).
    pub names: HashSet<String>,
    /// Only page bodies changed: every changed file has its front matter as it was.
    pub bodies_only: bool,
}

impl Live {
    pub(super) fn content_changed(
        &mut self,
        content: &[String],
        assets: &[String],
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        let mut batch = self.read_batch(content, assets);
        if batch.files.is_empty() && assets.is_empty() && !self.dirty {
            return;
        }
        if batch.bodies_only && !self.dirty && assets.is_empty() {
            self.update_sources(&batch, assets);
            if self.rebuild_bodies(&batch, events, summary) {
                return;
            }
            // A file read back to show an error's lines changed unseen: its change is part
            // of this batch, which then goes the way that reads every file.
        }
        // Modelling the site again reads every file: their text comes back first, and a file
        // that changed unseen joins the batch.
        let (hashes, unseen) = self.read_back_sources(&batch.files);
        for (rel, file) in unseen {
            batch.names.insert(file_name(&rel).to_string());
            batch.files.insert(rel, file);
            batch.bodies_only = false;
        }
        self.update_sources(&batch, assets);
        self.rebuild_structure(&batch, assets, &hashes, events, summary);
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
                (Some(new), Some(old)) => {
                    let (new, old) = (texts::Hashes::of(&new.source), self.hashes_of(old));
                    if new.text == old.text {
                        continue;
                    }
                    // The glossary's terms are every page's: its text is the site's structure.
                    batch.bodies_only &=
                        new.yaml.is_some() && new.yaml == old.yaml && !self.is_glossary(&name);
                }
                (None, None) => continue,
                _ => batch.bodies_only = false,
            }
            batch.names.insert(file_name(rel).to_string());
            batch.files.insert(rel.clone(), file);
        }
        for a in assets {
            batch.names.insert(file_name(a).to_string());
        }
        batch
    }

    /// Returns true if and only if file `name` is the glossary page of a variant.
    fn is_glossary(&self, name: &str) -> bool {
        self.variants
            .iter()
            .any(|p| p.site.glossary().is_some_and(|g| *g.source.name == *name))
    }

    /// The sources are the truth whatever happens next.
    fn update_sources(&mut self, batch: &Batch, assets: &[String]) {
        let root = self.root().to_path_buf();
        let loaded = self.loaded_mut();
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
        self.share_loaded();
    }

    /// The fast path: only page bodies changed. Each variant renders again the pages whose
    /// file changed (a page's own file shows in every language that falls back to it).
    /// Returns false, having written nothing more, when a file whose text was read back to
    /// show an error's lines has changed since it was read (an event missed).
    fn rebuild_bodies(
        &mut self,
        batch: &Batch,
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) -> bool {
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
            let ids = with_new_text(p, &changed);
            if ids.is_empty() {
                continue;
            }
            let mut unseen = false;
            let rendered = render_pages(p, &ids, &mut unseen);
            if unseen {
                return false;
            }
            if let Err(diags) = rendered {
                self.record_page_errors(&diags);
                continue;
            }
            let sink = self.sink();
            let p = &mut self.variants[v];
            let errors = p.write_pages(&ids, &sink, None);
            summary.pages += ids.len();
            if let Some(e) = errors.into_iter().next() {
                self.structure_errors = e.to_plain_string();
                return true;
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
        true
    }
}

impl Live {
    /// Keeps the errors of `diags` by the file each is in, for the overlay.
    fn record_page_errors(&mut self, diags: &Diagnostics) {
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
    }
}

/// Gives the pages of `p` whose file is among `changed` (by name) its new text, and returns
/// them.
fn with_new_text(p: &mut Prepared, changed: &HashMap<String, &ContentFile>) -> Vec<PageId> {
    let ids: Vec<PageId> = p
        .site
        .pages
        .iter()
        .filter(|pg| changed.contains_key(pg.source.name.as_ref()))
        .map(|pg| pg.id)
        .collect();
    for &id in &ids {
        let file = changed[p.site.page(id).source.name.as_ref()];
        let Ok(split) = crate::frontmatter::split(&file.source) else {
            continue;
        };
        let page = &mut p.site.pages[id.index()];
        page.source = file.source.clone();
        if let Some(kept) = p.let_go.get_mut(id.index()) {
            *kept = None;
        }
        page.yaml = split.yaml;
        page.body = split.body;
    }
    ids
}

/// Renders again pages `ids` of `p` in place, keeping the old renders when the new ones have
/// errors (returned). A page whose text was let go of that an error is about has its text read
/// back to show its lines; `unseen` is set when its file has changed since (an event missed).
fn render_pages(p: &mut Prepared, ids: &[PageId], unseen: &mut bool) -> Result<(), Diagnostics> {
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
    let mut checked = check(p, &only);
    let let_go = pages_let_go(p, &checked);
    if !let_go.is_empty() {
        *unseen = !p.read_back(&let_go).is_empty();
        checked = check(p, &only);
    }
    diags.extend(checked);
    if diags.has_errors() {
        diags.sort();
        for (id, r) in old {
            p.rendered[id.index()] = r;
        }
        return Err(diags);
    }
    Ok(())
}

/// The checks of `p` that concern pages `only` (see `linkcheck`).
fn check(p: &Prepared, only: &HashSet<PageId>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    linkcheck::anchors(&p.site, &p.rendered, Some(only), &mut diags);
    linkcheck::objectives(&p.site, &p.rendered, Some(only), &mut diags);
    diags
}

/// The pages of `p` whose text was let go of that an error of `diags` is about.
fn pages_let_go(p: &Prepared, diags: &Diagnostics) -> Vec<PageId> {
    let names: HashSet<&str> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| d.at.as_deref())
        .filter(|(source, _)| source.text.is_empty())
        .map(|(source, _)| &*source.name)
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    p.site
        .pages
        .iter()
        .filter(|pg| names.contains(&*pg.source.name))
        .filter(|pg| p.let_go.get(pg.id.index()).is_some_and(Option::is_some))
        .map(|pg| pg.id)
        .collect()
}

/// The name of the file at path `rel`.
fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}
