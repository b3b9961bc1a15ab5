//! One build, from the site folder to the sink: config → load → model → markdown → anchors →
//! templates → output. Every stage adds to one list of diagnostics; if it holds an error after
//! the checks, nothing is written (a disk build leaves the previous output untouched).
//!
//! The work is split in two so `serve` can keep the middle and redo only what a change needs:
//! [`prepare`] yields a [`Prepared`] site (model, theme, checked HTML of every page), and
//! [`Prepared::write_all`] renders templates and writes.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Source, did_you_mean};
use crate::editions;
use crate::highlight::Highlighter;
use crate::load::{self, Loaded};
use crate::markdown::{self, Rendered};
use crate::model::{self, Page, PageId, PageKind, Site};
use crate::nav::Nav;
use crate::offline;
use crate::output::{self, Sink, Staging};
use crate::render::Renderer;
use crate::search;
use crate::theme::Theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
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
    /// For `serve`: asset names without content hashes, so a stylesheet can be swapped in place.
    pub live: bool,
}

impl Options {
    pub fn new(root: impl Into<PathBuf>) -> Options {
        Options {
            root: root.into(),
            base_url: None,
            drafts: false,
            progress: false,
            live: false,
        }
    }
}

pub enum Target<'a> {
    /// Check everything, write nothing.
    Check,
    Dir(&'a Path),
}

pub struct Built {
    pub pages: usize,
    pub elapsed: Duration,
    pub diags: Diagnostics,
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

fn one(d: Diagnostic) -> Failed {
    let mut diags = Diagnostics::default();
    diags.push(d);
    Failed { diags }
}

/// Path sets the Markdown stage checks links against, and the interface text of the
/// language it writes.
#[derive(Default)]
pub struct Known {
    pub assets: HashSet<String>,
    pub static_files: HashSet<String>,
    pub urls: HashSet<String>,
    pub texts: HashMap<String, String>,
    pub strings: crate::i18n::Strings,
}

impl Known {
    pub fn new(loaded: &Loaded, site: &Site, strings: crate::i18n::Strings) -> Known {
        Known {
            assets: loaded.assets.iter().map(|a| a.rel.clone()).collect(),
            static_files: loaded.static_files.iter().map(|a| a.rel.clone()).collect(),
            urls: site.pages.iter().map(|p| p.url.clone()).collect(),
            texts: loaded.texts.clone(),
            strings,
        }
    }

    /// What rendering a page of `site` needs to know about the others.
    pub fn context<'a>(
        &'a self,
        site: &'a Site,
        highlighter: &'a Highlighter,
    ) -> markdown::Context<'a> {
        markdown::Context {
            site,
            assets: &self.assets,
            static_files: &self.static_files,
            urls: &self.urls,
            highlighter,
            strings: &self.strings,
            texts: &self.texts,
        }
    }
}

/// A site checked and rendered to HTML fragments, ready for templates.
pub struct Prepared {
    pub opts: Options,
    pub config_source: Source,
    pub loaded: Loaded,
    pub theme: Theme,
    pub site: Site,
    pub nav: Nav,
    /// The Markdown of each page, indexed by `PageId`.
    pub rendered: Vec<Rendered>,
    pub known: Known,
    pub highlighter: Highlighter,
    /// Counted terms of each page, kept by `serve` so one edit re-counts one page; a one-shot
    /// build drops them as soon as the index is made.
    pub search_terms: Vec<Option<search::PageTerms>>,
    /// The terms `search_terms` refer to by number.
    pub search_vocab: search::Vocabulary,
    /// The search index files, made by [`Prepared::index`].
    pub search_files: Vec<(String, Vec<u8>)>,
    /// Compressed search fragments made during a one-shot build's Markdown pass, until `index`
    /// moves them into `search_files` (`serve` makes them from the pages' sections instead).
    pub search_fragments: Vec<Option<Vec<u8>>>,
    /// The fragments' preset dictionary: made once, kept by `serve` so that a fragment made
    /// after an edit is read with the dictionary readers already have.
    pub search_dict: Vec<u8>,
    /// Every edition's pages, when the site has older editions.
    pub editions: Option<editions::Context>,
}

/// An older edition: prepared when it must be rendered, or only its page map when the output
/// already holds it rendered for the same cache key.
pub struct Older {
    pub name: String,
    pub key: String,
    /// The cache key's quick form, from file sizes and times (see `editions::stat_key`).
    pub stat: String,
    /// The recorded quick key was not this one (the files were touched since).
    pub stat_changed: bool,
    pub pages: Vec<editions::PageEntry>,
    pub prepared: Option<Prepared>,
}

/// Prepares the latest edition and every older one. With `out`, an older edition whose
/// cache key matches what `out` holds is not prepared again.
pub fn prepare_site(
    opts: &Options,
    out: Option<&Path>,
) -> Result<(Prepared, Vec<Older>, Diagnostics), Failed> {
    let config_source = load::read_config(&opts.root).map_err(one)?;
    let config = Config::parse(&config_source, opts.base_url.as_deref()).map_err(fail)?;
    let (mut latest, mut diags) =
        prepare_with(opts, config_source.clone(), config.clone(), "content")?;
    if config.editions.is_empty() {
        return Ok((latest, Vec::new(), diags));
    }
    let latest_pages = editions::map_of(&latest.site);
    let mut theme_bytes: Vec<(String, Vec<u8>)> = crate::theme::BUILTIN
        .iter()
        .map(|(p, b)| (p.to_string(), b.to_vec()))
        .collect();
    theme_bytes.extend(
        latest
            .loaded
            .theme_files
            .iter()
            .map(|(p, b)| (p.clone(), b.clone())),
    );
    let mut olders = Vec::new();
    let mut failed = Diagnostics::default();
    for e in &config.editions {
        let dir = format!("versions/{}", e.name);
        if !opts.root.join(&dir).is_dir() {
            failed.push(
                Diagnostic::error(format!("the edition `{}` has no folder `{dir}`", e.name))
                    .hint("editions are made with `playbook version cut NAME`; restore the folder, or remove the edition from playbook.yaml."),
            );
            continue;
        }
        let base_url = format!("{}{}", config.root.origin, config.root.path);
        let inputs = editions::KeyInputs {
            theme: &theme_bytes,
            config_text: &config_source.text,
            base_url: &base_url,
            static_dir: &opts.root.join("static"),
            drafts: opts.drafts,
            latest: &latest_pages,
        };
        let source_dir = opts.root.join(&dir);
        let cached = out.and_then(|o| editions::read_cached(o, &e.name));
        // Files with the sizes and times they had when the key was made: the key holds.
        let stat = editions::stat_key(&source_dir, &inputs);
        let key = match &cached {
            Some(c) if c.stat == stat => c.key.clone(),
            _ => editions::cache_key(&source_dir, &inputs),
        };
        if let Some(cached) = cached.filter(|c| c.key == key) {
            olders.push(Older {
                name: e.name.clone(),
                key,
                stat_changed: cached.stat != stat,
                stat,
                pages: cached.pages,
                prepared: None,
            });
            continue;
        }
        let Some(econfig) = config.for_edition(&e.name) else {
            continue;
        };
        match prepare_with(opts, config_source.clone(), econfig, &dir) {
            Ok((p, w)) => {
                diags.extend(w);
                olders.push(Older {
                    name: e.name.clone(),
                    key,
                    stat,
                    stat_changed: false,
                    pages: editions::map_of(&p.site),
                    prepared: Some(p),
                });
            }
            Err(f) => failed.extend(f.diags),
        }
    }
    if failed.has_errors() {
        return Err(fail(failed));
    }
    link_editions(&mut latest, &mut olders);
    Ok((latest, olders, diags))
}

/// Gives every edition the switcher targets and "What changed" lists of all editions, from the
/// page lists of `latest` and `olders` (again whenever `serve` changes the latest's pages).
pub fn link_editions(latest: &mut Prepared, olders: &mut [Older]) {
    let config = &latest.site.config;
    let latest_pages = editions::map_of(&latest.site);
    let mut list = vec![editions::EditionRef {
        name: None,
        label: config.edition_label.clone(),
        base: config.root.path.clone(),
        archived: false,
    }];
    let mut pages = vec![latest_pages];
    for (o, e) in olders.iter().zip(&config.editions) {
        list.push(editions::EditionRef {
            name: Some(o.name.clone()),
            label: e.label.clone(),
            base: format!("{}editions/{}/", config.root.path, o.name),
            archived: e.archived,
        });
        pages.push(o.pages.clone());
    }
    let cx = editions::Context::new(list, pages);
    latest.editions = Some(cx.rendering(0));
    for (i, o) in olders.iter_mut().enumerate() {
        if let Some(p) = &mut o.prepared {
            p.editions = Some(cx.rendering(i + 1));
        }
    }
}

/// Reads and checks the latest edition (`content/`). On success the diagnostics hold only
/// warnings.
pub fn prepare(opts: &Options) -> Result<(Prepared, Diagnostics), Failed> {
    let config_source = load::read_config(&opts.root).map_err(one)?;
    let config = Config::parse(&config_source, opts.base_url.as_deref()).map_err(fail)?;
    prepare_with(opts, config_source, config, "content")
}

/// Reads and checks the edition whose sources are in folder `content` (relative to the site),
/// for the base URL in `config`.
pub fn prepare_with(
    opts: &Options,
    config_source: Source,
    mut config: Config,
    content: &str,
) -> Result<(Prepared, Diagnostics), Failed> {
    // `serve` never registers the service worker: an author's preview must not be cached.
    config.offline &= !opts.live;
    let mut phases = crate::util::Phases::start();
    let (loaded, mut diags) = load::load(&opts.root, content, &config.theme)?;
    phases.done("load");
    if let Some((logo, at)) = config
        .brand
        .as_ref()
        .and_then(|b| Some((b.logo.as_ref()?, b.logo_at.clone())))
    {
        if !loaded.static_files.iter().any(|f| &f.rel == logo) {
            diags.push(
                Diagnostic::error(format!("the brand logo `{logo}` is not in `static/`"))
                    .at(&config_source, at)
                    .label("no such file in static/")
                    .hint("put the logo file in the `static` folder beside playbook.yaml and give its name, e.g. `logo: logo.svg`."),
            );
        }
    }
    let theme = make_theme(&config, &loaded, opts.live, &mut diags);
    phases.done("theme");
    let grouped = model::files::group(&config, &loaded, &mut diags);
    let inputs = model::Inputs {
        loaded: &loaded,
        grouped: &grouped,
        include_drafts: opts.drafts,
        report_sources: true,
    };
    let site = model::build(config, &inputs, &mut diags);
    phases.done("model");
    let (Some(site), Some(theme)) = (site, theme) else {
        return Err(fail(diags));
    };
    let tables = crate::i18n::Tables::build(
        &theme.i18n,
        &loaded.i18n,
        std::slice::from_ref(&site.config.language),
        &mut diags,
    );
    let known = Known::new(&loaded, &site, tables.of(&site.config.language).clone());
    let highlighter = Highlighter::default();
    let indexed = !site.config.archived();
    let (rendered, search) = if opts.live {
        let rendered = render_markdown(&site, &known, &highlighter, &HashMap::new(), &mut diags);
        (rendered, None)
    } else {
        let (rendered, search) = render_once(&site, &known, &highlighter, indexed, &mut diags);
        (rendered, Some(search))
    };
    phases.done("markdown");
    check_anchors(&site, &rendered, None, &mut diags);
    if diags.has_errors() {
        return Err(fail(diags));
    }
    phases.done("anchors");
    let nav = Nav::compute(&site);
    phases.done("nav");
    diags.sort();
    let mut prepared = Prepared {
        opts: opts.clone(),
        config_source,
        loaded,
        theme,
        site,
        nav,
        rendered,
        known,
        highlighter,
        search_terms: Vec::new(),
        search_vocab: search::Vocabulary::default(),
        search_fragments: Vec::new(),
        search_dict: Vec::new(),
        search_files: Vec::new(),
        editions: None,
    };
    if let Some(s) = search {
        prepared.search_terms = s.terms;
        prepared.search_vocab = s.vocab;
        prepared.search_fragments = s.fragments;
        prepared.search_dict = s.dict;
    }
    if indexed {
        prepared.index();
    }
    phases.done("search index");
    Ok((prepared, diags))
}

/// Builds the theme for `config`; reports a theme named in the config that has no folder.
pub fn make_theme(
    config: &Config,
    loaded: &Loaded,
    live: bool,
    diags: &mut Diagnostics,
) -> Option<Theme> {
    if config.theme != "default" && loaded.theme_files.is_empty() {
        diags.push(Diagnostic::error(format!("the theme `{}` has no folder `themes/{}`", config.theme, config.theme)).hint(
            "create the folder with the theme's files, or remove `theme:` from playbook.yaml to use the built-in theme.",
        ));
    }
    let mut overrides = loaded.theme_files.clone();
    if let Some(css) = config.brand.as_ref().and_then(brand_css) {
        overrides.insert("static/brand.css".into(), css.into_bytes());
    }
    Theme::new(
        &overrides,
        &config.theme,
        &config.base_url.path,
        !live,
        diags,
    )
}

/// The brand's colours as custom properties over the theme's, or `None` without colours.
fn brand_css(brand: &crate::config::Brand) -> Option<String> {
    let mut css = String::from(
        "/* Brand colours from playbook.yaml (checked for AA contrast at build time). */\n",
    );
    if let Some(a) = &brand.accent {
        css.push_str(&format!(
            ":root {{ --accent: {a}; --link: {a}; --note: {a}; }}\n"
        ));
    }
    if let Some(d) = &brand.accent_dark {
        let vars = format!("--accent: {d}; --link: {d}; --note: {d};");
        css.push_str(&format!(":root[data-theme=\"dark\"] {{ {vars} }}\n@media (prefers-color-scheme: dark) {{ :root:not([data-theme=\"light\"]) {{ {vars} }} }}\n"));
    }
    (brand.accent.is_some() || brand.accent_dark.is_some()).then_some(css)
}

/// Renders the Markdown of every page, reusing `reuse[rel]` for pages whose render is known to
/// be current (same text, same link targets).
pub fn render_markdown(
    site: &Site,
    known: &Known,
    highlighter: &Highlighter,
    reuse: &HashMap<String, Rendered>,
    diags: &mut Diagnostics,
) -> Vec<Rendered> {
    let cx = known.context(site, highlighter);
    let mut rendered: Vec<Rendered> = site
        .pages
        .par_iter()
        .map(|p| match reuse.get(&p.rel) {
            Some(r) => r.clone(),
            None => markdown::render(p, &cx),
        })
        .collect();
    for r in &mut rendered {
        diags.extend(std::mem::take(&mut r.diags));
    }
    rendered
}

/// What a one-shot build's Markdown pass gathers for the search index.
pub struct SearchParts {
    pub terms: Vec<Option<search::PageTerms>>,
    pub vocab: search::Vocabulary,
    pub fragments: Vec<Option<Vec<u8>>>,
    /// The fragments' preset dictionary, made from the first chunk's fragments.
    pub dict: Vec<u8>,
}

/// The Markdown pass of a one-shot build: renders every page, counts its search terms and makes
/// its search fragment (when `index`), then keeps only what the rest of the build needs, the
/// HTML packed and the plain text dropped. Pages go a chunk at a time so that only one chunk's
/// string-keyed term counts and plain text exist at once: the peak memory of a large build
/// depends on it.
pub fn render_once(
    site: &Site,
    known: &Known,
    highlighter: &Highlighter,
    index: bool,
    diags: &mut Diagnostics,
) -> (Vec<Rendered>, SearchParts) {
    let cx = known.context(site, highlighter);
    let n = site.pages.len();
    let mut rendered = Vec::with_capacity(n);
    let mut parts = SearchParts {
        terms: Vec::with_capacity(n),
        vocab: search::Vocabulary::default(),
        fragments: Vec::with_capacity(n),
        dict: Vec::new(),
    };
    for chunk in site.pages.chunks(256) {
        let done: Vec<_> = chunk
            .par_iter()
            .map(|p| {
                let mut r = markdown::render(p, &cx);
                let searched = (index && p.search).then(|| {
                    (
                        search::count_terms(&p.title, &r.sections, &p.lang),
                        search::fragment(site, p, &r.sections),
                    )
                });
                r.sections = Vec::new();
                r.html.pack();
                (r, searched)
            })
            .collect();
        let json: Vec<Option<&[u8]>> = done
            .iter()
            .map(|(_, s)| s.as_ref().map(|(_, json)| json.as_slice()))
            .collect();
        if parts.dict.is_empty() {
            parts.dict = search::dictionary(json.iter().flatten().copied());
        }
        let compressed = search::compress_fragments(&json, &parts.dict, false);
        for ((mut r, searched), fragment) in done.into_iter().zip(compressed) {
            diags.extend(std::mem::take(&mut r.diags));
            rendered.push(r);
            parts
                .terms
                .push(searched.map(|(t, _)| parts.vocab.compact(t)));
            parts.fragments.push(fragment);
        }
    }
    (rendered, parts)
}

impl Prepared {
    /// The output path of `rel` for this edition (`editions/2025/` + `rel` for older ones).
    pub fn out(&self, rel: &str) -> String {
        let c = &self.site.config;
        format!(
            "{}{rel}",
            c.base_url.path.strip_prefix(&c.root.path).unwrap_or("")
        )
    }

    /// (Re)makes the search index; re-counts terms only of pages without counted terms.
    pub fn index(&mut self) {
        if self.search_terms.len() != self.site.pages.len() {
            self.search_terms =
                search::all_page_terms(&self.site, &self.rendered, &mut self.search_vocab);
        }
        let fragments = if self.search_fragments.len() == self.site.pages.len() {
            std::mem::take(&mut self.search_fragments)
        } else {
            search::fragments(
                &self.site,
                &self.rendered,
                &self.search_terms,
                &mut self.search_dict,
                self.opts.live,
            )
        };
        self.search_files = search::build(
            &self.site,
            &self.search_terms,
            &self.search_vocab,
            fragments,
            &self.search_dict,
            self.opts.live,
        );
        if !self.opts.live {
            self.search_terms = Vec::new();
            self.search_vocab = search::Vocabulary::default();
        }
    }

    pub fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.site,
            &self.nav,
            &self.theme,
            &self.rendered,
            self.editions.as_ref(),
            &self.known.strings,
        )
    }

    pub fn markdown_context(&self) -> markdown::Context<'_> {
        self.known.context(&self.site, &self.highlighter)
    }

    /// Renders and writes the pages in `ids` (in parallel); returns the errors.
    pub fn write_pages(
        &self,
        ids: &[PageId],
        sink: &Sink,
        bar: Option<&indicatif::ProgressBar>,
    ) -> Vec<Diagnostic> {
        let renderer = self.renderer();
        ids.par_iter()
            .filter_map(|&id| {
                let p = self.site.page(id);
                let result = renderer.page(id).and_then(|html| {
                    sink.write(&self.out(&output::page_file(&p.url)), html.into_bytes())
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
    /// robots.txt. Each is handed to `emit` as soon as it is made (a book's print view holds
    /// every chapter), with its output path; the first template error stops.
    pub fn extra_files(&self, emit: &mut dyn FnMut(String, Vec<u8>)) -> Result<(), Diagnostic> {
        let renderer = self.renderer();
        let mut emit = |rel: String, bytes: Vec<u8>| emit(self.out(&rel), bytes);
        // Print views a few at a time in parallel: each holds a whole book.
        let books: Vec<&Page> = self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Book)
            .collect();
        for group in books.chunks(rayon::current_num_threads().max(1)) {
            let views: Vec<Result<String, Diagnostic>> = group
                .par_iter()
                .map(|p| renderer.book_print(p.id))
                .collect();
            for (p, view) in group.iter().zip(views) {
                emit(format!("{}print/index.html", p.url), view?.into_bytes());
            }
        }
        for p in &self.site.pages {
            if p.kind == PageKind::Articles {
                emit(
                    format!("{}atom.xml", p.url),
                    renderer.atom(p.id).into_bytes(),
                );
            }
        }
        let latest = self.site.config.edition.is_none();
        if latest {
            emit("404.html".into(), renderer.not_found()?.into_bytes());
            if self.site.config.offline {
                emit(
                    offline::OFFLINE_PAGE.into(),
                    renderer.offline_page()?.into_bytes(),
                );
            } else {
                // A worker that removes itself, for readers who had one (the enabled worker is
                // written by `build` once every other file is, see `service_worker`).
                emit(
                    offline::WORKER_FILE.into(),
                    offline::worker(
                        &self.theme.worker,
                        &offline::Settings::off(),
                        &self.site.config.theme,
                    )?,
                );
            }
        }
        if !self.site.config.archived() {
            emit(
                "search/index.html".into(),
                renderer.search_page()?.into_bytes(),
            );
        }
        if let Some(changes) = self.editions.as_ref().and_then(editions::changes) {
            emit(
                "changes/index.html".into(),
                renderer.changes(&changes)?.into_bytes(),
            );
        }
        emit(
            "my-learning/index.html".into(),
            renderer.my_learning()?.into_bytes(),
        );
        emit("courses.json".into(), renderer.courses_json().into_bytes());
        for p in self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Course)
        {
            emit(
                format!("{}certificate/index.html", p.url),
                renderer.certificate(p.id)?.into_bytes(),
            );
        }
        if latest {
            emit("sitemap.xml".into(), renderer.sitemap().into_bytes());
            emit("robots.txt".into(), renderer.robots().into_bytes());
        }
        Ok(())
    }

    /// The service worker of a site with offline reading on: its version is a hash over every
    /// file written so far (`written`) and the older editions' cache keys, so it must come last.
    pub fn service_worker(
        &self,
        written: &[(String, blake3::Hash)],
        older: &[(String, String)],
        search: &offline::SearchIndex,
    ) -> Result<Vec<u8>, Diagnostic> {
        let c = &self.site.config;
        let settings = offline::Settings {
            version: offline::version(written, older),
            enabled: true,
            offline: format!("{}{}", c.base_url.path, offline::OFFLINE_PAGE),
            precache: offline::precache(&c.base_url.path, self.theme.assets.values(), search),
        };
        offline::worker(&self.theme.worker, &settings, &c.theme)
    }

    /// Theme assets, static files and content assets.
    pub fn write_assets(&self, sink: &Sink) -> Result<()> {
        for (rel, bytes) in &self.theme.files {
            sink.write(&self.out(rel), bytes.clone())?;
        }
        let copies: Vec<(&str, &Path)> = self
            .loaded
            .static_files
            .iter()
            .chain(
                self.loaded
                    .assets
                    .iter()
                    .filter(|a| !in_draft_dir(&self.site, &a.rel)),
            )
            .map(|a| (a.rel.as_str(), a.path.as_path()))
            .collect();
        copies
            .par_iter()
            .try_for_each(|(rel, path)| sink.copy(&self.out(rel), path))
    }

    /// Writes the search index's files and the pages, the index on a thread of its own while
    /// the pages are rendered in parallel: the index is ten thousand small files in one folder
    /// on a large site, and two threads creating files in one folder wait on its lock (measured:
    /// an eighth of the build's CPU went to that waiting, spinning). Lets go of the index's files
    /// as they are written.
    pub fn write_search_and_all(&mut self, sink: &Sink, progress: bool) -> Diagnostics {
        let files = std::mem::take(&mut self.search_files);
        let this = &*self;
        std::thread::scope(|scope| {
            let search = scope.spawn(move || {
                let mut diags = Diagnostics::default();
                for (rel, bytes) in files {
                    if let Err(e) = sink.write(&this.out(&rel), bytes) {
                        diags.push(Diagnostic::error(format!("{e:#}")));
                    }
                }
                diags
            });
            let mut diags = this.write_all(sink, progress);
            match search.join() {
                Ok(d) => diags.extend(d),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            diags
        })
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
        let mut failed = Vec::new();
        let made = self.extra_files(&mut |rel, bytes| {
            if let Err(e) = sink.write(&rel, bytes) {
                failed.push(Diagnostic::error(format!("{e:#}")));
            }
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
            if let Err(e) = sink.write(&self.out(rel), bytes.clone()) {
                diags.push(Diagnostic::error(format!("{e:#}")));
            }
        }
        if let Err(e) = self.write_assets(sink) {
            diags.push(Diagnostic::error(format!("{e:#}")));
        }
        diags
    }
}

/// A whole site built into memory, for exports (`playbook export`): nothing is written.
pub struct InMemory {
    /// The latest edition, prepared.
    pub latest: Prepared,
    /// Every output file of every edition, by output path (`courses/x/index.html`).
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    pub pages: usize,
    pub diags: Diagnostics,
}

/// Builds every edition into memory, as `build` would write it to a folder.
pub fn build_in_memory(opts: &Options) -> Result<InMemory, Failed> {
    let (latest, olders, diags) = prepare_site(opts, None)?;
    let shared: output::SharedFiles = Default::default();
    let sink = Sink::Memory {
        files: shared.clone(),
        inject: None,
    };
    let mut errors = latest.write_all(&sink, opts.progress);
    let mut pages = latest.site.pages.len();
    for p in olders.iter().filter_map(|o| o.prepared.as_ref()) {
        errors.extend(p.write_all(&sink, false));
        pages += p.site.pages.len();
    }
    if errors.has_errors() {
        let mut diags = diags;
        diags.extend(errors);
        return Err(fail(diags));
    }
    let files = std::mem::take(&mut *shared.write().unwrap_or_else(|e| e.into_inner()))
        .into_iter()
        .map(|(rel, bytes)| (rel, bytes.to_vec()))
        .collect();
    Ok(InMemory {
        latest,
        files,
        pages,
        diags,
    })
}

/// Runs one build: the latest edition, and every older edition that changed.
pub fn build(opts: &Options, target: Target) -> Result<Built, Failed> {
    let start = Instant::now();
    let out = match target {
        Target::Dir(out) => Some(out),
        Target::Check => None,
    };
    let (mut latest, mut olders, diags) = prepare_site(opts, out)?;
    let pages = latest.site.pages.len()
        + olders
            .iter()
            .filter_map(|o| o.prepared.as_ref())
            .map(|p| p.site.pages.len())
            .sum::<usize>();
    let Some(out) = out else {
        return finish(pages, start, diags);
    };
    if !opts.live {
        // Ids and plain text were needed for checks and search only; free them before rendering.
        for p in std::iter::once(&mut latest)
            .chain(olders.iter_mut().filter_map(|o| o.prepared.as_mut()))
        {
            for r in &mut p.rendered {
                r.ids = HashSet::new();
                r.sections = Vec::new();
            }
        }
    }
    let carried: Vec<String> = olders
        .iter()
        .filter(|o| o.prepared.is_none())
        .map(|o| format!("editions/{}", o.name))
        .collect();
    // A carried edition whose files were touched but not changed gets its quick key updated, so
    // the next build need not read its files again.
    let refreshed: Vec<(String, Vec<u8>)> = olders
        .iter()
        .filter(|o| o.prepared.is_none() && o.stat_changed)
        .map(|o| {
            let cached = editions::Cached {
                key: o.key.clone(),
                stat: o.stat.clone(),
                pages: o.pages.clone(),
            };
            (
                format!("editions/{}/{}", o.name, editions::CACHE_FILE),
                serde_json::to_vec(&cached).unwrap_or_default(),
            )
        })
        .collect();
    let sink = Sink::Dir(
        Staging::begin(out, &opts.root)?
            .carrying(carried)
            .write_into_carried(refreshed),
    );
    // What the service worker needs of the search index, kept before its files are let go.
    let search = offline::SearchIndex::of(&latest.search_files);
    let mut phases = crate::util::Phases::start();
    let mut errors = latest.write_search_and_all(&sink, opts.progress);
    phases.done("write all");
    for o in &mut olders {
        if let Some(p) = &mut o.prepared {
            errors.extend(p.write_search_and_all(&sink, false));
            let cached = editions::Cached {
                key: o.key.clone(),
                stat: o.stat.clone(),
                pages: o.pages.clone(),
            };
            if let Err(e) = sink.write(
                &format!("editions/{}/{}", o.name, editions::CACHE_FILE),
                serde_json::to_vec(&cached).unwrap_or_default(),
            ) {
                errors.push(Diagnostic::error(format!("{e:#}")));
            }
        }
    }
    if latest.site.config.offline && !errors.has_errors() {
        if let Err(d) = write_service_worker(&latest, &olders, &search, &sink) {
            errors.push(d);
        }
    }
    let Sink::Dir(staging) = sink else {
        unreachable!("a folder build writes to a folder")
    };
    if errors.has_errors() {
        let _ = staging.abort();
        let mut diags = diags;
        diags.extend(errors);
        return Err(fail(diags));
    }
    phases.done("write rest");
    staging.commit()?;
    phases.done("commit");
    finish(pages, start, diags)
}

/// Writes the enabled service worker, once every other file of the build is written.
fn write_service_worker(
    latest: &Prepared,
    olders: &[Older],
    search: &offline::SearchIndex,
    sink: &Sink,
) -> Result<(), Diagnostic> {
    let Sink::Dir(staging) = sink else {
        return Ok(());
    };
    let older: Vec<(String, String)> = olders
        .iter()
        .map(|o| (o.name.clone(), o.key.clone()))
        .collect();
    let bytes = latest.service_worker(&staging.fingerprints(), &older, search)?;
    sink.write(offline::WORKER_FILE, bytes)
        .map_err(|e| Diagnostic::error(format!("{e:#}")))
}

fn finish(pages: usize, start: Instant, mut diags: Diagnostics) -> Result<Built, Failed> {
    diags.sort();
    Ok(Built {
        pages,
        elapsed: start.elapsed(),
        diags,
    })
}

/// Returns true if and only if content file `rel` sits in a folder left out as a draft.
pub fn in_draft_dir(site: &Site, rel: &str) -> bool {
    site.drafts
        .iter()
        .any(|d| !d.ends_with(".md") && rel.starts_with(&format!("{d}/")))
}

/// Every `#fragment` a page links to must be an id on the target page. With `only`, checks
/// just the links from those pages and the links into them.
pub fn check_anchors(
    site: &Site,
    rendered: &[Rendered],
    only: Option<&HashSet<PageId>>,
    diags: &mut Diagnostics,
) {
    for (i, r) in rendered.iter().enumerate() {
        let page = &site.pages[i];
        let from_changed = only.is_none_or(|o| o.contains(&page.id));
        for a in &r.anchor_refs {
            if !from_changed && !only.is_some_and(|o| o.contains(&a.target)) {
                continue;
            }
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
