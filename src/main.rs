//! The command line: parses arguments with clap and calls the library. Progress and messages
//! go to stderr; nothing here decides what a build does.

use clap::{Parser, Subcommand, ValueEnum};
use playbook::build::{self, Target};
use playbook::{guide, portable, scaffold, scorm, serve};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// jemalloc instead of glibc's malloc: a fifth to a third less CPU in a build of many pages, for
/// 7–9% more peak memory (the measurements are in ARCHITECTURE.md, under dependencies).
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read once when it starts: memory freed for a second (a language's page
/// text let go after planning, a variant written) goes back to the system instead of waiting
/// ten seconds for an allocation in the same arena, so a site in two languages peaks at about
/// what its larger language needs (measured in ARCHITECTURE.md, dependencies).
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: &[u8] = b"dirty_decay_ms:1000,muzzy_decay_ms:0\0";

/// Returns every arena's freed pages to the system now (`arena.<all>.purge`), for a build to
/// call once a large part of what it held is freed and more is about to be needed
/// (`playbook::util::release_freed`).
fn purge_freed() {
    // "arena.4096.purge": 4096 is MALLCTL_ARENAS_ALL, every arena.
    let name = c"arena.4096.purge";
    // SAFETY: a NUL-terminated name; a purge reads and writes no value, so every pointer is
    // null and the length 0, as jemalloc's mallctl documents for "arena.<i>.purge".
    unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}

const EXAMPLES: &str = "\
Examples:
  playbook serve                          build content/ and preview it at http://127.0.0.1:8000/
  playbook build                          write the site to public/
  playbook build --base-url https://district.example/pd/playbook/
                                          build for hosting under a sub-path
  playbook check                          report every problem, write nothing
  playbook init my-site                   start a new site
  playbook init --from . ../district-copy  start a district copy of this site
  playbook new lesson content/lessons/07-listening.md
  playbook version cut 2025 --label \"2025 edition\"   freeze content/ as an older edition
  playbook export zip                     the site as site.zip, readable from disk
  playbook export scorm rccp-foundations  one course as a SCORM 1.2 package for an LMS";

#[derive(Parser)]
#[command(name = "playbook", version, about = "Build the Playbook, monographs, lessons and courses into a static website", after_help = EXAMPLES)]
struct Cli {
    /// The site folder (the one with playbook.yaml)
    #[arg(
        long,
        short = 'C',
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    root: PathBuf,
    /// Print only errors and warnings
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder (public/ by default)
    Build {
        /// Where to write the site; it is replaced only when the build succeeds
        #[arg(long, short, default_value = "public", value_name = "DIR")]
        out: PathBuf,
        /// The address the site will have, e.g. https://district.example/pd/playbook/
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// Build the site and serve it on this computer for preview
    Serve {
        #[arg(long, short, default_value_t = 8000)]
        port: u16,
        /// The address to listen on; the default is reachable only from this computer
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
        bind: String,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// Check the whole site (front matter, links, images, quizzes, templates) without writing
    Check {
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// Start a new site in DIR, or with --from, a copy of an existing site to brand as your own
    Init {
        dir: PathBuf,
        /// Copy this site's sources (content, static files, theme, editions) into DIR
        #[arg(long, value_name = "SITE")]
        from: Option<PathBuf>,
    },
    /// Export the site as a zip to read from disk, or a course as a SCORM 1.2 package
    #[command(after_help = EXPORT_EXAMPLES)]
    Export {
        #[command(subcommand)]
        what: Export,
    },
    /// Manage editions (versions) of the site
    Version {
        #[command(subcommand)]
        action: VersionAction,
    },
    /// How the translations stand: per language, pages translated, outdated, not marked, missing
    #[command(after_help = TRANSLATIONS_EXAMPLES)]
    Translations {
        #[command(subcommand)]
        action: Option<TranslationsAction>,
        /// Print the status as JSON (for CI)
        #[arg(long)]
        json: bool,
    },
    /// Create a new page with its front matter filled in
    New {
        kind: NewKind,
        /// The new file, e.g. content/playbook/09-next-steps.md (a folder for course and module)
        path: PathBuf,
        /// The page title (default: made from the file name)
        #[arg(long)]
        title: Option<String>,
    },
}

const EXPORT_EXAMPLES: &str = "\
Examples:
  playbook export zip                     write site.zip: the whole site, with relative links,
                                          readable from a folder on disk (file://)
  playbook export zip -o ../playbook-offline.zip
  playbook export scorm rccp-foundations  write rccp-foundations-scorm.zip to upload to an LMS
  playbook export scorm rccp-foundations -o course.zip
  playbook export scorm rccp-foundations --lang es   the course in Spanish
  playbook export facilitator             write facilitator-guide/: every facilitator note, to
                                          keep apart from the learner site

A relative --output is taken from the site folder, as `build --out` is.";

#[derive(Subcommand)]
enum Export {
    /// The whole site as a zip whose pages work opened from disk or from any folder of a server
    Zip {
        /// The archive to write (default: site.zip)
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The address the site will have online; used only for its canonical and feed links
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// One course as a SCORM 1.2 package (one SCO) that reports progress to the LMS
    Scorm {
        /// The course's id (the `id:` in its _index.md), e.g. rccp-foundations
        course: String,
        /// The package to write (default: COURSE-scorm.zip, COURSE-scorm-LANG.zip)
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The course's language, e.g. es (default: the site's first language)
        #[arg(long, value_name = "CODE")]
        lang: Option<String>,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// The facilitator guide: every `facilitator` note, by course and lesson, to keep apart
    /// from the learner site (a folder, or a zip when the name ends with .zip)
    Facilitator {
        /// Where to write it (default: facilitator-guide/)
        #[arg(long, short, value_name = "DIR_OR_ZIP")]
        output: Option<PathBuf>,
        /// The language of the guide, e.g. es (default: the site's first language)
        #[arg(long, value_name = "CODE")]
        lang: Option<String>,
        /// The address the learner site will have, for the guide's links to it
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Include pages marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
}

const TRANSLATIONS_EXAMPLES: &str = "\
Examples:
  playbook translations                   per language: translated, outdated, not marked, missing
  playbook translations --json            the same as JSON, for CI
  playbook translations mark content/playbook/01-why.es.md
                                          record that this translation is up to date with its page

`check` and `build` warn about every translation whose page changed after it was marked.";

#[derive(Subcommand)]
enum TranslationsAction {
    /// Record that translations are up to date with the pages they translate
    Mark {
        /// Translation files, e.g. content/playbook/01-why.es.md
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum VersionAction {
    /// Freeze content/ as an edition under versions/NAME/; content/ stays the latest edition
    Cut {
        /// The edition's name, e.g. 2025 (part of its address: /editions/2025/)
        name: String,
        /// How the edition switcher names it (default: "NAME edition")
        #[arg(long)]
        label: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    Chapter,
    Monograph,
    Lesson,
    Course,
    Module,
    CourseLesson,
}

/// The options of a build that runs once (not `serve`).
fn one_shot(
    root: &std::path::Path,
    base_url: Option<String>,
    drafts: bool,
    progress: bool,
) -> build::Options {
    build::Options {
        root: root.to_path_buf(),
        base_url,
        drafts,
        progress,
        live: false,
    }
}

/// `path` as given, or under the site folder when relative.
fn under(root: &std::path::Path, path: &std::path::Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

fn main() -> ExitCode {
    playbook::util::on_release(purge_freed);
    let cli = Cli::parse();
    let progress = !cli.quiet && std::io::stderr().is_terminal();
    let (root, quiet) = (cli.root, cli.quiet);
    match cli.command {
        Command::Build {
            out,
            base_url,
            drafts,
        } => {
            let opts = one_shot(&root, base_url, drafts, progress);
            build_site(&opts, &out, quiet)
        }
        Command::Export { what } => export(&root, &what, quiet, progress),
        Command::Check { drafts } => {
            let opts = one_shot(&root, None, drafts, progress);
            report(build::build(&opts, Target::Check), quiet, "Build", |b| {
                format!(
                    "Checked {} pages in {:.2} s: no errors",
                    b.pages,
                    b.elapsed.as_secs_f64()
                )
            })
        }
        Command::Serve {
            port,
            bind,
            open,
            drafts,
        } => serve_site(serve::Options {
            root,
            port,
            bind,
            open,
            drafts,
            quiet,
        }),
        Command::Init { dir, from } => init(&dir, from.as_deref(), quiet),
        Command::Version { action: VersionAction::Cut { name, label } } => done(
            scaffold::cut_edition(&root, &name, label.as_deref()).map(|d| {
                format!("Froze content/ as edition `{name}` in {}. The next build publishes it under editions/{name}/.", d.display())
            }),
            quiet,
        ),
        Command::Translations { action: Some(TranslationsAction::Mark { files }), .. } => done(
            scaffold::mark_translations(&root, &files).map(|f| format!("Marked {} translation{} as up to date.", f.len(), if f.len() == 1 { "" } else { "s" })),
            quiet,
        ),
        Command::Translations { action: None, json } => translations(&root, json),
        Command::New { kind, path, title } => done(
            scaffold::new_page(kind.into(), &path, title.as_deref())
                .map(|p| format!("Created {}", p.display())),
            quiet,
        ),
    }
}

/// `playbook build`: the site into `out` (under the site folder when relative).
fn build_site(opts: &build::Options, out: &std::path::Path, quiet: bool) -> ExitCode {
    let out_path = under(&opts.root, out);
    report(
        build::build(opts, Target::Dir(&out_path)),
        quiet,
        "Build",
        |b| {
            format!(
                "Built {} pages in {:.2} s → {}",
                b.pages,
                b.elapsed.as_secs_f64(),
                out.display()
            )
        },
    )
}

impl Export {
    /// Where the export goes as given (relative to the site folder), its default when none.
    fn output(&self) -> PathBuf {
        match self {
            Export::Zip { output, .. } => output.clone().unwrap_or_else(|| "site.zip".into()),
            Export::Scorm {
                course,
                output,
                lang,
                ..
            } => output.clone().unwrap_or_else(|| match lang {
                Some(l) => format!("{course}-scorm-{l}.zip").into(),
                None => format!("{course}-scorm.zip").into(),
            }),
            Export::Facilitator { output, .. } => {
                output.clone().unwrap_or_else(|| "facilitator-guide".into())
            }
        }
    }

    /// The options of the build behind the export.
    fn options(&self, root: &std::path::Path, progress: bool) -> build::Options {
        let (base_url, drafts) = match self {
            Export::Zip {
                base_url, drafts, ..
            } => (base_url.clone(), *drafts),
            Export::Scorm { drafts, .. } => (None, *drafts),
            Export::Facilitator {
                base_url, drafts, ..
            } => (base_url.clone(), *drafts),
        };
        one_shot(root, base_url, drafts, progress)
    }
}

/// `playbook export …`: the site as a zip, a course as SCORM, or the facilitator guide.
fn export(root: &std::path::Path, what: &Export, quiet: bool, progress: bool) -> ExitCode {
    let output = what.output();
    let opts = what.options(root, progress);
    let path = under(root, &output);
    let result = match what {
        Export::Zip { .. } => portable::export_zip(&opts, &path),
        Export::Scorm { course, lang, .. } => scorm::export(&opts, course, &path, lang.as_deref()),
        Export::Facilitator { lang, .. } => guide::export(&opts, &path, lang.as_deref()),
    };
    report(result, quiet, "Export", |b| {
        format!(
            "Exported {} pages in {:.2} s → {}",
            b.pages,
            b.elapsed.as_secs_f64(),
            output.display()
        )
    })
}

/// `playbook serve`: the preview server, until it is stopped.
fn serve_site(opts: serve::Options) -> ExitCode {
    match serve::serve(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `playbook init`: a new site in `dir`, from the starter site or a copy of `from`.
fn init(dir: &std::path::Path, from: Option<&std::path::Path>, quiet: bool) -> ExitCode {
    let result = match from {
        Some(site) => scaffold::init_from(site, dir),
        None => scaffold::init(dir),
    };
    done(
        result.map(|()| {
            format!(
                "Created a new site in {}. Next: cd {} && playbook serve",
                dir.display(),
                dir.display()
            )
        }),
        quiet,
    )
}

impl From<NewKind> for scaffold::NewKind {
    fn from(kind: NewKind) -> Self {
        match kind {
            NewKind::Chapter => scaffold::NewKind::Chapter,
            NewKind::Monograph => scaffold::NewKind::Monograph,
            NewKind::Lesson => scaffold::NewKind::Lesson,
            NewKind::Course => scaffold::NewKind::Course,
            NewKind::Module => scaffold::NewKind::Module,
            NewKind::CourseLesson => scaffold::NewKind::CourseLesson,
        }
    }
}

/// `playbook translations`: the status of every language's translations, on stdout.
fn translations(root: &std::path::Path, json: bool) -> ExitCode {
    let opts = one_shot(root, None, false, false);
    let status = match build::translation_status(&opts) {
        Ok(s) => s,
        Err(failed) => {
            failed.diags.eprint();
            return ExitCode::FAILURE;
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    if status.is_empty() {
        println!(
            "The site has one language: there is nothing to translate. Add `languages:` to playbook.yaml to publish it in more."
        );
    }
    for s in &status {
        println!(
            "{}: {} translated, {} outdated, {} not marked, {} missing",
            s.language,
            s.translated.len(),
            s.outdated.len(),
            s.unmarked.len(),
            s.missing.len()
        );
        for (file, sections) in &s.outdated {
            println!("  outdated     {file} (changed: {})", sections.join(", "));
        }
        for file in &s.unmarked {
            println!("  not marked   {file}");
        }
        for file in &s.missing {
            println!("  missing      {file}");
        }
    }
    ExitCode::SUCCESS
}

fn report(
    result: Result<build::Built, build::Failed>,
    quiet: bool,
    what: &str,
    summary: impl Fn(&build::Built) -> String,
) -> ExitCode {
    match result {
        Ok(built) => {
            built.diags.eprint();
            if !quiet {
                let warnings = built.diags.warning_count();
                let tail = match warnings {
                    0 => String::new(),
                    1 => " (1 warning)".into(),
                    n => format!(" ({n} warnings)"),
                };
                eprintln!("{}{tail}", summary(&built));
            }
            ExitCode::SUCCESS
        }
        Err(failed) => {
            failed.diags.eprint();
            let n = failed.diags.error_count();
            eprintln!(
                "{what} failed: {n} error{} found. Nothing was written; the previous output is unchanged.",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

fn done(result: anyhow::Result<String>, quiet: bool) -> ExitCode {
    match result {
        Ok(msg) => {
            if !quiet {
                eprintln!("{msg}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
