//! The plan of a build: playbook.yaml, the theme and its string tables, every edition's
//! sources, and the model of every variant (an edition in a language), with the page maps that
//! let editions and languages link to each other. Cheap (front matter only): the Markdown of a
//! variant is rendered later, one variant at a time (see `prepared`).
//!
//! An older edition whose output the previous build left with the same cache key is not
//! modelled again: its folder is carried over, and only its page maps are read back.

use super::{Failed, Options, fail, one};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::editions;
use crate::highlight::Highlighter;
use crate::i18n::Tables;
use crate::languages;
use crate::load::{self, Loaded};
use crate::model::{self, Site};
use crate::nav::Nav;
use crate::theme::Theme;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What every variant of a build shares.
#[derive(Clone)]
pub struct Shared {
    pub opts: Options,
    pub config_source: Source,
    pub theme: Arc<Theme>,
    pub tables: Arc<Tables>,
    pub highlighter: Arc<Highlighter>,
    /// A folder build: the latest edition's variants are cached for the next build.
    pub caching: bool,
    /// What the previous build into the same folder left (see `cache`).
    pub cache: Option<Arc<super::cache::Cache>>,
}

/// One variant modelled: an edition in one language.
pub struct Model {
    pub loaded: Arc<Loaded>,
    pub site: Site,
    pub nav: Nav,
    pub editions: Option<editions::Context>,
    pub languages: languages::Context,
}

/// An older edition: its variants to render, or (carried) only the page maps of the output
/// that already holds it.
pub struct Older {
    pub name: String,
    pub key: String,
    /// The cache key's quick form, from file sizes and times (see `editions::stat_key`).
    pub stat: String,
    /// The recorded quick key was not this one (the files were touched since).
    pub stat_changed: bool,
    /// Page maps by language.
    pub pages: BTreeMap<String, Vec<editions::PageEntry>>,
    /// The variants to render; empty when the edition is carried over.
    pub models: Vec<Model>,
}

impl Older {
    pub fn carried(&self) -> bool {
        self.models.is_empty()
    }

    /// What the output of this edition records of it.
    pub fn cached(&self) -> editions::Cached {
        editions::Cached {
            key: self.key.clone(),
            stat: self.stat.clone(),
            pages: self.pages.values().next().cloned().unwrap_or_default(),
            langs: self.pages.clone(),
        }
    }
}

pub struct Plan {
    pub shared: Shared,
    /// The latest edition's variants, the default language first.
    pub latest: Vec<Model>,
    pub olders: Vec<Older>,
    /// Problems found while planning (errors among them stop the build once every variant's
    /// Markdown has been checked too).
    pub diags: Diagnostics,
}

impl Plan {
    /// Reads and models the site at `opts.root`. With `out`, an older edition whose cache key
    /// matches what `out` holds is not modelled again. Every error of every variant is
    /// reported at once.
    pub fn new(opts: &Options, out: Option<&Path>) -> Result<Plan, Failed> {
        let config_source = load::read_config(&opts.root).map_err(one)?;
        let (config, config_diags) = Config::read(&config_source, opts.base_url.as_deref());
        let Some(mut config) = config else {
            return Err(fail(config_diags));
        };
        // `serve` never registers the service worker: an author's preview must not be cached.
        config.offline &= !opts.live;
        let mut phases = crate::util::Phases::start();
        let (loaded, mut diags) = load::load(&opts.root, "content", &config.theme)?;
        diags.extend(config_diags);
        phases.done("load");
        check_logo(&config, &config_source, &loaded, &mut diags);
        let mut theme = make_theme(&config, &loaded, opts.live, &mut diags);
        let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
        let tables = theme
            .as_ref()
            .map(|t| Tables::build(&t.i18n, &loaded.i18n, &codes, &mut diags))
            .unwrap_or_default();
        if let Some(t) = &mut theme {
            t.localize(&tables, &codes, &config.root.path, !opts.live);
        }
        phases.done("theme");
        let loaded = Arc::new(loaded);
        let latest = models(&config, &loaded, opts, &mut diags);
        phases.done("model");
        // Problems of pages do not stop here: their Markdown is still checked, so that every
        // error of the build is reported at once (the build writes nothing then).
        let (Some(theme), false) = (theme, latest.is_empty()) else {
            return Err(fail(diags));
        };
        let shared = Shared {
            opts: opts.clone(),
            config_source,
            theme: Arc::new(theme),
            tables: Arc::new(tables),
            highlighter: Arc::new(Highlighter::default()),
            caching: false,
            cache: None,
        };
        let mut plan = Plan {
            shared,
            latest,
            olders: Vec::new(),
            diags,
        };
        plan.olders = plan.plan_olders(&config, out)?;
        plan.link();
        Ok(plan)
    }

    fn plan_olders(&mut self, config: &Config, out: Option<&Path>) -> Result<Vec<Older>, Failed> {
        if config.editions.is_empty() {
            return Ok(Vec::new());
        }
        let opts = &self.shared.opts;
        let latest_pages: Vec<editions::PageEntry> = self
            .latest
            .iter()
            .flat_map(|m| editions::map_of(&m.site))
            .collect();
        let theme_bytes = self.theme_bytes();
        let base_url = format!("{}{}", config.root.origin, config.root.path);
        let inputs = editions::KeyInputs {
            theme: &theme_bytes,
            config_text: &self.shared.config_source.text,
            base_url: &base_url,
            static_dir: &opts.root.join("static"),
            drafts: opts.drafts,
            latest: &latest_pages,
        };
        let mut olders = Vec::new();
        let mut failed = Diagnostics::default();
        for e in &config.editions {
            let dir = format!("versions/{}", e.name);
            if !crate::util::fs::is_dir(&opts.root.join(&dir)) {
                failed.push(
                    Diagnostic::error(format!("the edition `{}` has no folder `{dir}`", e.name))
                        .hint("editions are made with `playbook version cut NAME`; restore the folder, or remove the edition from playbook.yaml."),
                );
                continue;
            }
            if let Some(o) = plan_older(config, &e.name, opts, &inputs, out, &mut failed)? {
                olders.push(o);
            }
        }
        self.diags.extend(failed);
        Ok(olders)
    }

    /// The theme's files, built-in and the site's own, as an edition's cache key covers them.
    fn theme_bytes(&self) -> Vec<(String, Vec<u8>)> {
        let mut theme_bytes: Vec<(String, Vec<u8>)> = crate::theme::BUILTIN
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        if let Some(m) = self.latest.first() {
            theme_bytes.extend(
                m.loaded
                    .theme_files
                    .iter()
                    .map(|(p, b)| (p.clone(), b.clone())),
            );
        }
        theme_bytes
    }

    /// Gives every variant the page maps of the other editions and languages.
    pub fn link(&mut self) {
        link(&mut self.latest, &mut self.olders);
    }

    /// Every variant to render, the latest edition's first.
    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.latest
            .iter()
            .chain(self.olders.iter().flat_map(|o| o.models.iter()))
    }

    /// The number of pages rendered.
    pub fn page_count(&self) -> usize {
        self.models().map(|m| m.site.pages.len()).sum()
    }
}

/// Older edition `name` (its folder exists): carried over when `out` holds its output made
/// with the same cache key (only its page maps read back), modelled otherwise. Problems go to
/// `failed`; `None` when the edition has no configuration.
fn plan_older(
    config: &Config,
    name: &str,
    opts: &Options,
    inputs: &editions::KeyInputs,
    out: Option<&Path>,
    failed: &mut Diagnostics,
) -> Result<Option<Older>, Failed> {
    let dir = format!("versions/{name}");
    let source_dir = opts.root.join(&dir);
    let cached = out.and_then(|o| editions::read_cached(o, name));
    let stat = editions::stat_key(&source_dir, inputs);
    let key = match &cached {
        Some(c) if c.stat == stat => c.key.clone(),
        _ => editions::cache_key(&source_dir, inputs, failed),
    };
    if let Some(cached) = cached.filter(|c| c.key == key) {
        return Ok(Some(Older {
            name: name.to_string(),
            key,
            stat_changed: cached.stat != stat,
            stat,
            pages: cached.by_language(config.default_language()),
            models: Vec::new(),
        }));
    }
    let Some(econfig) = config.for_edition(name) else {
        return Ok(None);
    };
    let (loaded, mut d) = load::load(&opts.root, &dir, &econfig.theme)?;
    let loaded = Arc::new(loaded);
    let models = models(&econfig, &loaded, opts, &mut d);
    failed.extend(d);
    let pages = models
        .iter()
        .map(|m| (m.site.config.language.clone(), editions::map_of(&m.site)))
        .collect();
    Ok(Some(Older {
        name: name.to_string(),
        key,
        stat,
        stat_changed: false,
        pages,
        models,
    }))
}

/// The text of the pages of the latest edition's variants but the first, let go until each
/// variant's turn to be rendered (see [`Plan::let_go_of_texts`]).
pub struct Texts {
    root: PathBuf,
    /// By variant of the latest edition, the hash of each page's text let go (`None`: kept).
    held: Vec<Vec<Option<blake3::Hash>>>,
}

impl Plan {
    /// For a one-shot build, once planned: lets go of what only modelling needed, so that a
    /// variant waiting for its turn holds no page text. The latest edition's files as read go
    /// (each model keeps its own pages'), and so does the text of the pages of every variant of
    /// the latest edition but the first, which [`Texts::restore`] reads again when that
    /// variant's turn comes: a site in two languages holds one language's text at a time.
    pub fn let_go_of_texts(&mut self) -> Texts {
        let root = self.shared.opts.root.clone();
        let Some(loaded) = self.latest.first().map(|m| m.loaded.clone()) else {
            return Texts {
                root,
                held: Vec::new(),
            };
        };
        let from_files: HashSet<usize> = loaded
            .content
            .iter()
            .map(|f| f.source.text.as_ptr() as usize)
            .collect();
        let lean = Arc::new(Loaded {
            content: Vec::new(),
            ..Loaded::clone(&loaded)
        });
        let empty: Arc<str> = Arc::from("");
        let mut held = Vec::new();
        for (i, m) in self.latest.iter_mut().enumerate() {
            if Arc::ptr_eq(&m.loaded, &loaded) {
                m.loaded = lean.clone();
            }
            let hashes = m
                .site
                .pages
                .par_iter_mut()
                .map(|p| {
                    let text = &p.source.text;
                    let file = from_files.contains(&(text.as_ptr() as usize));
                    if i == 0 || !file || text.is_empty() {
                        return None;
                    }
                    let hash = blake3::hash(text.as_bytes());
                    p.source.text = empty.clone();
                    Some(hash)
                })
                .collect();
            held.push(hashes);
        }
        Texts { root, held }
    }
}

impl Texts {
    /// Gives variant `i` of the latest edition its pages' text back, read again from their
    /// files. A file that changed since it was first read stops the build: the variant was
    /// modelled from the text read then.
    pub fn restore(&self, i: usize, model: &mut Model) -> Result<(), Failed> {
        let Some(held) = self.held.get(i) else {
            return Ok(());
        };
        let mut diags = Diagnostics::default();
        read_back(&self.root, &mut model.site, held, &mut diags);
        match diags.is_empty() {
            true => Ok(()),
            false => Err(fail(diags)),
        }
    }
}

/// Gives each page of `site` whose text was let go (its hash in `hashes`, in page order) its
/// text back, read again from its file under `root`. A file that changed since it was first
/// read is an error in `diags`: the site was modelled and rendered from the text read then.
pub fn read_back(
    root: &Path,
    site: &mut Site,
    hashes: &[Option<blake3::Hash>],
    diags: &mut Diagnostics,
) {
    for name in read_back_texts(root, site, hashes) {
        diags.push(
            Diagnostic::error(format!("`{name}` changed while the site was being built"))
                .hint("build again once every file is saved."),
        );
    }
}

/// Gives each page of `site` whose text was let go (its hash in `hashes`, in page order) its
/// text back, read again from its file under `root`, and returns the names of the files that
/// no longer hold that text (or cannot be read): their pages' text stays empty.
pub fn read_back_texts(
    root: &Path,
    site: &mut Site,
    hashes: &[Option<blake3::Hash>],
) -> Vec<Arc<str>> {
    site.pages
        .par_iter_mut()
        .zip(hashes)
        .filter_map(|(p, hash)| {
            let hash = hash.as_ref()?;
            let name = p.source.name.clone();
            let text = crate::util::fs::read(&root.join(&*name))
                .ok()
                .map(|bytes| load::decode(&name, bytes).0)
                .filter(|t| blake3::hash(t.as_bytes()) == *hash);
            match text {
                Some(t) => {
                    p.source.text = t.into();
                    None
                }
                None => Some(name),
            }
        })
        .collect()
}

/// Links every variant to the others: each language's editions (for the edition switcher)
/// and each edition's languages (for the language switcher).
pub fn link(latest: &mut [Model], olders: &mut [Older]) {
    let Some(first) = latest.first() else { return };
    let config = first.site.config.clone();
    let cxs = language_contexts(&latest.iter().map(|m| &m.site).collect::<Vec<_>>());
    for (m, cx) in latest.iter_mut().zip(cxs) {
        m.languages = cx;
    }
    for o in olders.iter_mut() {
        let cxs = language_contexts(&o.models.iter().map(|m| &m.site).collect::<Vec<_>>());
        for (m, cx) in o.models.iter_mut().zip(cxs) {
            m.languages = cx;
        }
    }
    let sites: Vec<&Site> = latest.iter().map(|m| &m.site).collect();
    let older_pages: Vec<(String, &BTreeMap<String, Vec<editions::PageEntry>>)> =
        olders.iter().map(|o| (o.name.clone(), &o.pages)).collect();
    let mut cxs = edition_contexts(&config, &sites, &older_pages).into_iter();
    if let Some(for_latest) = cxs.next() {
        for (m, cx) in latest.iter_mut().zip(for_latest) {
            m.editions = cx;
        }
    }
    for (o, for_older) in olders.iter_mut().zip(cxs) {
        for (m, cx) in o.models.iter_mut().zip(for_older) {
            m.editions = cx;
        }
    }
}

/// The language context of each of one edition's variants (`sites`, by language).
pub fn language_contexts(sites: &[&Site]) -> Vec<languages::Context> {
    let cx = languages::Context::new(sites, 0);
    (0..sites.len()).map(|i| cx.rendering(i)).collect()
}

/// The edition context of every variant, by edition (the latest first) and language: the
/// latest edition's pages are `latest` (by language), an older edition's are its page maps.
/// `None` everywhere when the site has no older edition.
pub fn edition_contexts(
    config: &Config,
    latest: &[&Site],
    olders: &[(String, &BTreeMap<String, Vec<editions::PageEntry>>)],
) -> Vec<Vec<Option<editions::Context>>> {
    let editions = olders.len() + 1;
    let langs = config.languages.len();
    let mut out: Vec<Vec<Option<editions::Context>>> = vec![vec![None; langs]; editions];
    if config.editions.is_empty() {
        return out;
    }
    for (li, lang) in config.languages.iter().enumerate() {
        let lc = config
            .for_language(&lang.code)
            .unwrap_or_else(|| config.clone());
        let mut list = vec![editions::EditionRef {
            name: None,
            label: config.edition_label.clone(),
            base: lc.base_url.path.clone(),
            archived: false,
        }];
        let mut pages = vec![
            latest
                .get(li)
                .map(|s| editions::map_of(s))
                .unwrap_or_default(),
        ];
        for ((name, maps), e) in olders.iter().zip(&config.editions) {
            let ec = config
                .for_edition(name)
                .and_then(|c| c.for_language(&lang.code));
            list.push(editions::EditionRef {
                name: Some(name.clone()),
                label: e.label.clone(),
                base: ec.map_or_else(String::new, |c| c.base_url.path),
                archived: e.archived,
            });
            pages.push(maps.get(&lang.code).cloned().unwrap_or_default());
        }
        let cx = editions::Context::new(list, pages);
        for (ei, row) in out.iter_mut().enumerate() {
            row[li] = Some(cx.rendering(ei));
        }
    }
    out
}

/// The models of an edition, one per language (the default first). Problems of the pages' own
/// files are reported once, in the default language's model.
pub fn models(
    config: &Config,
    loaded: &Arc<Loaded>,
    opts: &Options,
    diags: &mut Diagnostics,
) -> Vec<Model> {
    let grouped = model::files::group(config, loaded, diags);
    let mut out = Vec::new();
    for (i, lang) in config.languages.iter().enumerate() {
        let Some(lconfig) = config.for_language(&lang.code) else {
            continue;
        };
        let inputs = model::Inputs {
            loaded,
            grouped: &grouped,
            include_drafts: opts.drafts,
            report_sources: i == 0,
        };
        if let Some(site) = model::build(lconfig, &inputs, diags) {
            let nav = Nav::compute(&site);
            out.push(Model {
                loaded: loaded.clone(),
                site,
                nav,
                editions: None,
                languages: languages::Context::default(),
            });
        }
    }
    out
}

/// A brand logo named in playbook.yaml must be in `static/`.
fn check_logo(config: &Config, config_source: &Source, loaded: &Loaded, diags: &mut Diagnostics) {
    let Some(brand) = &config.brand else { return };
    let Some(logo) = &brand.logo else { return };
    if !loaded.static_files.iter().any(|f| &f.rel == logo) {
        diags.push(
            Diagnostic::error(format!("the brand logo `{logo}` is not in `static/`"))
                .at(config_source, brand.logo_at.clone())
                .label("no such file in static/")
                .hint("put the logo file in the `static` folder beside playbook.yaml and give its name, e.g. `logo: logo.svg`."),
        );
    }
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
    if let Some(css) = config.brand.as_ref().and_then(crate::brand::css) {
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
