//! Changes outside `content/`: the theme's templates, string tables and files, and the
//! site's static files.

use super::{Event, Kind, Live, Summary, report};
use crate::build;
use crate::diagnostics::Diagnostics;
use crate::load::AssetFile;
use crate::model::PageId;
use std::collections::BTreeMap;
use std::sync::Arc;

impl Live {
    /// The theme changed: its string tables and files read again; a changed stylesheet is
    /// swapped in the browser, another file reloads the pages, a template writes every page.
    pub(super) fn theme_changed(
        &mut self,
        kinds: &[Kind],
        events: &mut Vec<Event>,
        summary: &mut Summary,
    ) {
        if !self.reload_theme() {
            return;
        }
        let sink = self.sink();
        let mut css = Vec::new();
        for k in kinds {
            let Kind::ThemeAsset(name) = k else { continue };
            let asset = format!("assets/{name}");
            let Some((rel, bytes)) = self
                .shared
                .theme
                .files
                .iter()
                .find(|(rel, _)| *rel == asset)
            else {
                continue;
            };
            for p in &self.variants {
                report(sink.write(&p.out(rel), bytes.clone()));
            }
            if name.ends_with(".css") {
                css.push(format!("{}{rel}", self.variants[0].site.config.root.path));
            } else {
                events.push(Event::Reload(None));
            }
        }
        if !css.is_empty() {
            events.push(Event::Css(css));
        }
        if kinds.iter().any(|k| matches!(k, Kind::Template)) {
            for p in &self.variants {
                let ids: Vec<PageId> = p.site.pages.iter().map(|p| p.id).collect();
                let errs = p.write_pages(&ids, &sink, None);
                if let Err(d) = p.extra_files(&sink, &mut |e| report(Err(e))) {
                    self.structure_errors = d.to_plain_string();
                }
                summary.pages += ids.len();
                if let Some(e) = errs.into_iter().next() {
                    self.structure_errors = e.to_plain_string();
                }
            }
            events.push(Event::Reload(None));
        }
    }

    /// Reads the theme's files again and makes the theme and its string tables from them;
    /// false (the errors recorded) when they do not build.
    fn reload_theme(&mut self) -> bool {
        let config = self.variants[0].site.config.clone();
        let mut theme_files = BTreeMap::new();
        for (rel, path) in crate::load::walk_files(&self.root().join("themes").join(&config.theme))
        {
            match crate::util::fs::read(&path) {
                Ok(bytes) => {
                    theme_files.insert(rel, bytes);
                }
                Err(e) => {
                    self.structure_errors = format!("error: {e:#}\n");
                    return false;
                }
            }
        }
        Arc::make_mut(&mut self.loaded).theme_files = theme_files;
        let mut diags = Diagnostics::default();
        let Some(mut theme) = build::make_theme(&config, &self.loaded, true, &mut diags) else {
            self.structure_errors = diags.to_plain_string();
            return false;
        };
        let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
        let tables = crate::i18n::Tables::build(&theme.i18n, &self.loaded.i18n, &codes, &mut diags);
        if diags.has_errors() {
            self.structure_errors = diags.to_plain_string();
            return false;
        }
        theme.localize(&tables, &codes, &config.root.path, false);
        self.structure_errors.clear();
        self.shared.theme = Arc::new(theme);
        self.shared.tables = Arc::new(tables);
        for p in &mut self.variants {
            p.theme = self.shared.theme.clone();
            p.tables = self.shared.tables.clone();
            p.loaded = self.loaded.clone();
        }
        true
    }

    /// Files of `static/` changed: each copied (or removed) in every language.
    pub(super) fn statics_changed(&mut self, statics: &[String], events: &mut Vec<Event>) {
        let root = self.root().join("static");
        let sink = self.sink();
        let mut paths = Vec::new();
        let site_root = self.root().to_path_buf();
        let loaded = Arc::make_mut(&mut self.loaded);
        for rel in statics {
            let path = root.join(rel);
            loaded.static_files.retain(|a| &a.rel != rel);
            let present =
                crate::util::fs::is_file(&path) && crate::load::is_inside(&site_root, &path);
            if present {
                loaded.static_files.push(AssetFile {
                    rel: rel.clone(),
                    path: path.clone(),
                });
                loaded.static_files.sort_by(|a, b| a.rel.cmp(&b.rel));
            }
            for p in &mut self.variants {
                if present {
                    report(sink.copy(&p.out(rel), &path));
                    p.known.static_files.insert(rel.clone());
                } else {
                    self.files
                        .write()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(&p.out(rel));
                    p.known.static_files.remove(rel);
                }
            }
            paths.push(format!("{}{rel}", self.variants[0].site.config.root.path));
        }
        for p in &mut self.variants {
            p.loaded = self.loaded.clone();
        }
        events.push(Event::Asset(paths));
    }
}
