//! One build, from the site folder to the sink: config → load → model → markdown → anchors →
//! templates → output. Every stage adds to one list of diagnostics; if it holds an error after
//! the checks, nothing is written (a disk build leaves the previous output untouched).

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::highlight::Highlighter;
use crate::load;
use crate::markdown::{self, Rendered};
use crate::model::{self, PageKind};
use crate::nav::Nav;
use crate::output::{self, Sink, Staging};
use crate::render::Renderer;
use crate::theme::Theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// `--base-url`: replaces `base_url` of playbook.yaml.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Show a progress bar (the caller decides: only on a terminal, never with `--quiet`).
    pub progress: bool,
}

pub enum Target<'a> {
    /// Check everything, write nothing.
    Check,
    Dir(&'a Path),
    Memory,
}

pub struct Built {
    pub pages: usize,
    pub elapsed: Duration,
    pub diags: Diagnostics,
    /// The files, for `Target::Memory`.
    pub memory: Option<std::collections::HashMap<String, std::sync::Arc<[u8]>>>,
}

pub struct Failed {
    pub diags: Diagnostics,
}

impl From<anyhow::Error> for Failed {
    fn from(e: anyhow::Error) -> Failed {
        let mut diags = Diagnostics::default();
        diags.push(Diagnostic::error(format!("{e:#}")));
        Failed { diags }
    }
}

fn fail(mut diags: Diagnostics) -> Failed {
    diags.sort();
    Failed { diags }
}

/// Runs one build.
pub fn build(opts: &Options, target: Target) -> Result<Built, Failed> {
    let start = Instant::now();
    let mut diags = Diagnostics::default();
    let config_source = load::read_config(&opts.root).map_err(|d| {
        let mut diags = Diagnostics::default();
        diags.push(d);
        Failed { diags }
    })?;
    let config = Config::parse(&config_source, opts.base_url.as_deref()).map_err(|d| {
        let mut diags = Diagnostics::default();
        diags.push(d);
        Failed { diags }
    })?;
    let (loaded, load_diags) = load::load(&opts.root, &config.theme)?;
    diags.extend(load_diags);
    if config.theme != "default" && loaded.theme_files.is_empty() {
        diags.push(Diagnostic::error(format!("the theme `{}` has no folder `themes/{}`", config.theme, config.theme)).hint(
            "create the folder with the theme's files, or remove `theme:` from playbook.yaml to use the built-in theme.",
        ));
    }
    let theme = Theme::new(
        &loaded.theme_files,
        &config.theme,
        &config.base_url.path,
        &mut diags,
    );
    let Some(site) = model::build(config, &loaded, opts.drafts, &mut diags) else {
        return Err(fail(diags));
    };
    let Some(theme) = theme else {
        return Err(fail(diags));
    };

    let assets: HashSet<String> = loaded.assets.iter().map(|a| a.rel.clone()).collect();
    let static_files: HashSet<String> = loaded.static_files.iter().map(|a| a.rel.clone()).collect();
    let urls: HashSet<String> = site.pages.iter().map(|p| p.url.clone()).collect();
    let highlighter = Highlighter::default();
    let cx = markdown::Context {
        site: &site,
        assets: &assets,
        static_files: &static_files,
        urls: &urls,
        highlighter: &highlighter,
    };
    let mut rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| markdown::render(p, &cx))
        .collect();
    for r in &mut rendered {
        diags.extend(std::mem::take(&mut r.diags));
    }
    check_anchors(&site, &rendered, &mut diags);
    if diags.has_errors() {
        return Err(fail(diags));
    }
    for r in &mut rendered {
        r.ids = HashSet::new();
        r.plain = String::new();
    }

    let nav = Nav::compute(&site);
    let renderer = Renderer::new(&site, &nav, &theme, &rendered);
    let sink = match target {
        Target::Check => None,
        Target::Dir(out) => Some(Sink::Dir(Staging::begin(out, &opts.root)?)),
        Target::Memory => Some(Sink::Memory(Default::default())),
    };
    let bar = (opts.progress && site.pages.len() > 2000).then(|| {
        let bar = indicatif::ProgressBar::new(site.pages.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let page_errors: Vec<Diagnostic> = site
        .pages
        .par_iter()
        .filter_map(|p| {
            let result = renderer.page(p.id).and_then(|html| match &sink {
                Some(s) => s
                    .write(&output::page_file(&p.url), html.into_bytes())
                    .map_err(|e| Diagnostic::error(format!("{e:#}"))),
                None => Ok(()),
            });
            if let Some(b) = &bar {
                b.inc(1);
            }
            result.err()
        })
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for e in page_errors {
        diags.push(e);
    }
    let extra = || -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
        let mut files = Vec::new();
        for p in &site.pages {
            match p.kind {
                PageKind::Book => files.push((
                    format!("{}print/index.html", p.url),
                    renderer.book_print(p.id)?.into_bytes(),
                )),
                PageKind::Articles => files.push((
                    format!("{}atom.xml", p.url),
                    renderer.atom(p.id).into_bytes(),
                )),
                _ => {}
            }
        }
        files.push(("404.html".into(), renderer.not_found()?.into_bytes()));
        files.push(("sitemap.xml".into(), renderer.sitemap().into_bytes()));
        files.push(("robots.txt".into(), renderer.robots().into_bytes()));
        Ok(files)
    };
    let extra = match extra() {
        Ok(f) => f,
        Err(d) => {
            diags.push(d);
            Vec::new()
        }
    };
    let Some(sink) = sink else {
        return if diags.has_errors() {
            Err(fail(diags))
        } else {
            finish(site.pages.len(), start, diags, None)
        };
    };
    let written: Result<()> = (|| {
        for (rel, bytes) in extra {
            sink.write(&rel, bytes)?;
        }
        for (rel, bytes) in &theme.files {
            sink.write(rel, bytes.clone())?;
        }
        let copies: Vec<(&str, &Path)> = loaded
            .static_files
            .iter()
            .chain(
                loaded
                    .assets
                    .iter()
                    .filter(|a| !in_draft_dir(&site, &a.rel)),
            )
            .map(|a| (a.rel.as_str(), a.path.as_path()))
            .collect();
        copies
            .par_iter()
            .try_for_each(|(rel, path)| sink.copy(rel, path))
    })();
    if let Err(e) = written {
        diags.push(Diagnostic::error(format!("{e:#}")));
    }
    if diags.has_errors() {
        if let Sink::Dir(staging) = sink {
            let _ = staging.abort();
        }
        return Err(fail(diags));
    }
    match sink {
        Sink::Dir(staging) => {
            staging.commit()?;
            finish(site.pages.len(), start, diags, None)
        }
        Sink::Memory(m) => finish(
            site.pages.len(),
            start,
            diags,
            Some(m.into_inner().unwrap_or_else(|e| e.into_inner())),
        ),
    }
}

fn finish(
    pages: usize,
    start: Instant,
    mut diags: Diagnostics,
    memory: Option<std::collections::HashMap<String, std::sync::Arc<[u8]>>>,
) -> Result<Built, Failed> {
    diags.sort();
    Ok(Built {
        pages,
        elapsed: start.elapsed(),
        diags,
        memory,
    })
}

/// Returns true if and only if content file `rel` sits in a folder left out as a draft.
fn in_draft_dir(site: &model::Site, rel: &str) -> bool {
    site.drafts
        .iter()
        .any(|d| !d.ends_with(".md") && rel.starts_with(&format!("{d}/")))
}

/// Every `#fragment` a page links to must be an id on the target page.
fn check_anchors(site: &model::Site, rendered: &[Rendered], diags: &mut Diagnostics) {
    for (i, r) in rendered.iter().enumerate() {
        let page = &site.pages[i];
        for a in &r.anchor_refs {
            let target = &rendered[a.target.index()];
            if target.ids.contains(&a.fragment) {
                continue;
            }
            let target_page = site.page(a.target);
            let hint = match did_you_mean(&a.fragment, target.ids.iter().map(String::as_str)) {
                Some(near) => format!(
                    "did you mean `#{near}`? Heading anchors are the heading text in lowercase, with hyphens for spaces."
                ),
                None => {
                    let mut ids: Vec<&str> = target.outline.iter().map(|h| h.id.as_str()).collect();
                    ids.truncate(8);
                    if ids.is_empty() {
                        "that page has no headings to link to; link to the page without `#…`."
                            .to_string()
                    } else {
                        format!(
                            "that page's headings are: {}.",
                            ids.iter()
                                .map(|i| format!("#{i}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                }
            };
            diags.push(
                Diagnostic::error(format!(
                    "the link points to `#{}`, which `{}` does not have",
                    a.fragment, target_page.source.name
                ))
                .at(&page.source, a.range.clone())
                .label("no heading or element with this id")
                .hint(hint),
            );
        }
    }
}
