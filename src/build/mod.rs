//! One build, from the site folder to the sink, and the only place that knows the order of the
//! stages: [`Plan::new`] reads the sources and models every variant (an edition in a
//! language); then, one variant at a time, [`Prepared::render`] renders and checks its
//! Markdown and makes its search index, and its files are written. Every stage adds to one
//! list of diagnostics; a folder build writes into a staging folder that replaces the output
//! only when every variant succeeded, so a failed build leaves the previous output untouched.
//!
//! Variants are rendered one after another and let go once written (their part of the build
//! cache written to the cache file then), so a build's memory is that of its largest variant,
//! not of all of them; a waiting variant of the latest edition holds no page text either (see
//! [`Plan::let_go_of_texts`]). `serve` keeps every variant instead (see
//! `live`), through the same two steps.

pub mod cache;
mod codec;
mod layers;
mod plan;
mod prepared;

pub use plan::{
    Model, Older, Plan, Shared, Texts, edition_contexts, language_contexts, link, make_theme,
    models,
};
pub use prepared::{Known, Prepared, render_markdown, render_once};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::offline;
use crate::output::{self, Sink, Staging};
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

pub(crate) fn fail(mut diags: Diagnostics) -> Failed {
    diags.sort();
    Failed { diags }
}

pub(crate) fn one(d: Diagnostic) -> Failed {
    let mut diags = Diagnostics::default();
    diags.push(d);
    Failed { diags }
}

/// A whole site built into memory, for exports (`playbook export`): nothing is written.
pub struct InMemory {
    /// The latest edition in the language asked for, prepared.
    pub latest: Prepared,
    /// Every output file of every variant, by output path (`courses/x/index.html`).
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    pub pages: usize,
    pub diags: Diagnostics,
}

/// Renders every variant of `plan` in turn and hands it to `each` (with its edition, `None`
/// for the latest), giving each of the latest edition's variants its pages' text back first
/// when `texts` holds it (see [`Plan::let_go_of_texts`]); the errors of every variant are gathered, and `each` is not called after
/// the first failed one (its output would be thrown away).
fn for_each_variant(
    plan: Plan,
    texts: Option<&plan::Texts>,
    mut each: impl FnMut(Option<&plan::Older>, Prepared, &mut Diagnostics),
) -> Result<Diagnostics, Failed> {
    let Plan {
        shared,
        latest,
        olders,
        diags: planned,
    } = plan;
    let mut errors = planned.errors_only();
    let mut warnings = planned.warnings_only();
    let mut run =
        |model,
         edition: Option<&plan::Older>,
         errors: &mut Diagnostics,
         warnings: &mut Diagnostics| match Prepared::render(&shared, model) {
            Ok((p, w)) => {
                warnings.extend(w);
                if !errors.has_errors() {
                    each(edition, p, errors);
                }
            }
            Err(f) => errors.extend(f.diags),
        };
    for (i, mut m) in latest.into_iter().enumerate() {
        if i > 0 {
            // What the variant before held is freed: handed back before this one reads its
            // pages' text again and renders.
            crate::util::release_freed();
        }
        match texts.map_or(Ok(()), |t| t.restore(i, &mut m)) {
            Ok(()) => run(m, None, &mut errors, &mut warnings),
            Err(f) => errors.extend(f.diags),
        }
    }
    for mut o in olders {
        let models = std::mem::take(&mut o.models);
        for m in models {
            run(m, Some(&o), &mut errors, &mut warnings);
        }
    }
    if errors.has_errors() {
        errors.extend(warnings);
        return Err(fail(errors));
    }
    Ok(warnings)
}

/// Builds every variant into memory, as `build` would write it to a folder, keeping the latest
/// edition's variant in language `lang` (the default language's when `None`).
pub fn build_in_memory(opts: &Options, lang: Option<&str>) -> Result<InMemory, Failed> {
    let plan = Plan::new(opts, None)?;
    let pages = plan.page_count();
    let shared: output::SharedFiles = Default::default();
    let sink = Sink::Memory {
        files: shared.clone(),
        inject: None,
        pack: false,
    };
    let want = lang.map(str::to_string);
    let mut kept: Option<Prepared> = None;
    let diags = for_each_variant(plan, None, |edition, p, errors| {
        errors.extend(p.write_all(&sink, opts.progress));
        let default = p.site.config.language == p.site.config.default_language();
        let wanted = match &want {
            Some(l) => &p.site.config.language == l,
            None => default,
        };
        if edition.is_none() && wanted && kept.is_none() {
            kept = Some(p);
        }
    })?;
    let Some(latest) = kept else {
        let lang = lang.unwrap_or_default();
        return Err(one(Diagnostic::error(format!(
            "the site has no language `{lang}`"
        ))
        .hint(
            "give one of the languages listed under `languages:` in playbook.yaml.",
        )));
    };
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

/// Runs one build: every variant of the latest edition, and every older edition that changed.
pub fn build(opts: &Options, target: Target) -> Result<Built, Failed> {
    let start = Instant::now();
    let Target::Dir(out) = target else {
        let plan = Plan::new(opts, None)?;
        let pages = plan.page_count();
        let diags = for_each_variant(plan, None, |_, _, _| {})?;
        return finish(pages, start, diags);
    };
    // The staging folder is made and the previous build's cache read while the sources are:
    // both are mostly one thread waiting on the disk or decoding, and the sources are not
    // theirs to touch. A plan that fails lets the staging folder go again (see `Staging`).
    std::thread::scope(|s| {
        let previous = s.spawn(|| layers::read(out));
        let staging = s.spawn(|| Staging::begin(out, &opts.root));
        let plan = Plan::new(opts, Some(out));
        let staging = staging
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        let plan = plan?;
        let pages = plan.page_count();
        let previous = previous
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        let diags = build_into(opts, plan, (out, staging?), previous)?;
        finish(pages, start, diags)
    })
}

/// What a folder build does with the older editions the previous output holds.
struct Olders {
    /// The folders of the editions carried over unchanged.
    carried: Vec<String>,
    /// The records of carried editions whose files were touched but not changed, with their
    /// quick key updated, so the next build need not read their files again.
    refreshed: Vec<(String, Vec<u8>)>,
    /// Every older edition's name and cache key (for the service worker's version).
    keys: Vec<(String, String)>,
}

impl Olders {
    fn of(olders: &[Older]) -> Olders {
        let record = |o: &Older| format!("editions/{}/{}", o.name, crate::editions::CACHE_FILE);
        Olders {
            carried: olders
                .iter()
                .filter(|o| o.carried())
                .map(|o| format!("editions/{}", o.name))
                .collect(),
            refreshed: olders
                .iter()
                .filter(|o| o.carried() && o.stat_changed)
                .map(|o| {
                    (
                        record(o),
                        serde_json::to_vec(&o.cached()).unwrap_or_default(),
                    )
                })
                .collect(),
            keys: olders
                .iter()
                .map(|o| (o.name.clone(), o.key.clone()))
                .collect(),
        }
    }
}

/// A build into folder `out`: written into `staging`, which replaces `out` only when every
/// variant succeeded, with the cache for the next build written meanwhile (`previous`: what
/// the previous build into `out` left).
fn build_into(
    opts: &Options,
    mut plan: Plan,
    (out, staging): (&Path, Staging),
    previous: Option<cache::Cache>,
) -> Result<Diagnostics, Failed> {
    let olders = Olders::of(&plan.olders);
    let offline_on = plan.latest.first().is_some_and(|m| m.site.config.offline);
    let texts = plan.let_go_of_texts();
    // The other languages' text is freed now; the next phases would not reuse those pages
    // before the allocator's own decay returns them (a site in two languages peaked 80 MiB
    // higher at 10,000 pages).
    crate::util::release_freed();
    // What the previous build into this folder left, if it describes the folder there now.
    let previous = previous.map(|mut c| {
        let files = std::mem::take(&mut c.files);
        (std::sync::Arc::new(c), files)
    });
    let (previous, files) = previous.unzip();
    plan.shared.caching = true;
    plan.shared.cache = previous.clone();
    let folder = staging.cache_record().map(|(folder, _)| folder);
    let sink = Sink::Dir(
        staging
            .carrying(olders.carried)
            .write_into_carried(olders.refreshed)
            .with_previous(files.unwrap_or_default()),
    );
    let variants = plan.latest.len();
    let mut phases = crate::util::Phases::start();
    let result = layers::write_while(out, folder, (variants, previous), |cache| {
        let diags = write_variants(opts, plan, &texts, &sink, cache)?;
        phases.done("write all");
        // The service worker's version is a hash of every file written, so it comes last.
        let Sink::Dir(staging) = &sink else {
            unreachable!("a folder build writes to a folder")
        };
        if let (Some(w), true) = (&diags.1, offline_on) {
            let bytes = w.file(&staging.fingerprints(), &olders.keys).map_err(one)?;
            sink.write(offline::WORKER_FILE, bytes)
                .map_err(|e| one(Diagnostic::error(format!("{e:#}"))))?;
        }
        phases.done("write rest");
        let files = staging.cache_record().map(|(_, f)| f).unwrap_or_default();
        Ok((diags.0, files))
    });
    phases.done("cache");
    let Sink::Dir(staging) = sink else {
        unreachable!("a folder build writes to a folder")
    };
    match result {
        Ok(diags) => {
            staging.commit()?;
            phases.done("commit");
            Ok(diags)
        }
        Err(f) => {
            let _ = staging.abort();
            Err(f)
        }
    }
}

/// Renders and writes every variant of `plan`, handing each of the latest edition's to the
/// cache as soon as its files are written and letting it go; returns the warnings and what the
/// service worker needs of the latest edition's default language (the first variant).
fn write_variants(
    opts: &Options,
    plan: Plan,
    texts: &plan::Texts,
    sink: &Sink,
    cache: &mut layers::Writer,
) -> Result<(Diagnostics, Option<Worker>), Failed> {
    let mut worker: Option<Worker> = None;
    let mut written_olders: Vec<String> = Vec::new();
    let diags = for_each_variant(plan, Some(texts), |edition, mut p, errors| {
        if edition.is_none() && worker.is_none() {
            worker = Some(Worker::of(&p));
        }
        errors.extend(p.write_search_and_all(sink, opts.progress && edition.is_none()));
        if let Some(v) = p.take_cache() {
            cache.variant(&p.site.config.language, &v);
            crate::util::let_go(v);
        }
        let Some(o) = edition else { return };
        if !written_olders.contains(&o.name) {
            written_olders.push(o.name.clone());
            let path = format!("editions/{}/{}", o.name, crate::editions::CACHE_FILE);
            if let Err(e) = sink.write(&path, serde_json::to_vec(&o.cached()).unwrap_or_default()) {
                errors.push(Diagnostic::error(format!("{e:#}")));
            }
        }
    })?;
    Ok((diags, worker))
}

/// What the service worker needs of the latest edition's default language, taken before that
/// variant is let go: the worker's source, and the list of what it fetches when it installs.
struct Worker {
    theme: std::sync::Arc<crate::theme::Theme>,
    theme_name: String,
    offline: String,
    precache: Vec<String>,
}

impl Worker {
    /// Of variant `p`, before its search index's files are written (and let go).
    fn of(p: &Prepared) -> Worker {
        let c = &p.site.config;
        let search = offline::SearchIndex::of(&p.search_files);
        Worker {
            theme: p.theme.clone(),
            theme_name: c.theme.clone(),
            offline: format!("{}{}", c.base_url.path, offline::OFFLINE_PAGE),
            precache: offline::precache(&c.base_url.path, p.theme.assets.values(), &search),
        }
    }

    /// The service worker of a site with offline reading on: its version is a hash over every
    /// file written so far (`written`) and the older editions' cache keys, so it must come last.
    fn file(
        &self,
        written: &[(String, blake3::Hash)],
        older: &[(String, String)],
    ) -> Result<Vec<u8>, Diagnostic> {
        let settings = offline::Settings {
            version: offline::version(written, older),
            enabled: true,
            offline: self.offline.clone(),
            precache: self.precache.clone(),
        };
        offline::worker(&self.theme.worker, &settings, &self.theme_name)
    }
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

/// How one language's translations stand (see `playbook translations`).
#[derive(Debug, Default, serde::Serialize)]
pub struct LanguageStatus {
    pub language: String,
    /// Pages translated and marked as up to date, by file.
    pub translated: Vec<String>,
    /// Pages whose page changed since their translation was marked: file and changed sections.
    pub outdated: Vec<(String, Vec<String>)>,
    /// Translations never marked with `playbook translations mark`.
    pub unmarked: Vec<String>,
    /// Pages with no translation into this language (their own file).
    pub missing: Vec<String>,
}

/// The translation status of every language but the default one, from the models of the
/// latest edition (no Markdown is rendered).
pub fn translation_status(opts: &Options) -> Result<Vec<LanguageStatus>, Failed> {
    use crate::model::Version;
    use crate::translations::Status;
    let plan = Plan::new(opts, None)?;
    if plan.diags.has_errors() {
        return Err(fail(plan.diags));
    }
    let mut out = Vec::new();
    for m in plan.latest.iter().skip(1) {
        let mut s = LanguageStatus {
            language: m.site.config.language.clone(),
            ..Default::default()
        };
        for p in &m.site.pages {
            let file = p.source.name.to_string();
            match (p.version, &p.translation) {
                (Version::Fallback, _) => s.missing.push(file),
                (Version::Translation, Some(Status::Outdated(changed))) => {
                    s.outdated.push((file, changed.clone()))
                }
                (Version::Translation, Some(Status::UpToDate)) => s.translated.push(file),
                (Version::Translation, _) => s.unmarked.push(file),
                (Version::Original, _) => s.translated.push(file),
            }
        }
        out.push(s);
    }
    Ok(out)
}
