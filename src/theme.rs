//! The theme: Tera templates and static assets. The default theme is embedded in the binary
//! (one table below lists its files), so `playbook` works from any folder; a site overrides any
//! file, or adds one, by putting its own at the same path under `themes/<theme>/`.
//!
//! Static assets get content-hashed names (`assets/style.3f2a1b9c0d.css`) so hosts can cache
//! them forever; templates find them through the `assets` map of the site view.

use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::util::short_hash;
use std::collections::BTreeMap;
use tera::Tera;

macro_rules! theme_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../themes/default/", $path)) as &[u8])),*]
    };
}

/// Every file of the built-in default theme: the one list to edit when adding a file.
pub static BUILTIN: &[(&str, &[u8])] = theme_files![
    "templates/base.html",
    "templates/macros.html",
    "templates/sidebar.html",
    "templates/home.html",
    "templates/page.html",
    "templates/section.html",
    "templates/book.html",
    "templates/chapter.html",
    "templates/book-print.html",
    "templates/articles.html",
    "templates/article.html",
    "templates/lessons.html",
    "templates/lesson.html",
    "templates/course.html",
    "templates/module.html",
    "templates/course-lesson.html",
    "templates/404.html",
    "templates/search.html",
    "templates/my-learning.html",
    "templates/certificate.html",
    "templates/changes.html",
    "templates/offline.html",
    "static/style.css",
    "static/theme.js",
    "static/search.js",
    "static/stem.js",
    "static/progress.js",
    "static/scorm.js",
    "static/favicon.svg",
    "static/sw.js",
    "i18n/en.yaml",
    "i18n/es.yaml",
];

/// The service worker among the theme's static files. It is not an asset: the build writes it,
/// with its settings filled in, at the site's root under this fixed name (see `offline`).
pub const WORKER: &str = "static/sw.js";

pub struct Theme {
    pub tera: Tera,
    /// Logical asset name (`style.css`) to its URL under the base path.
    pub assets: BTreeMap<String, String>,
    /// Output path (`assets/style.3f2a1b9c0d.css`) and bytes of each asset.
    pub files: Vec<(String, Vec<u8>)>,
    /// The service worker's source ([`WORKER`]), before the build fills in its settings.
    pub worker: Vec<u8>,
    /// The string tables (`i18n/<lang>.yaml`), by language.
    pub i18n: BTreeMap<String, Source>,
}

impl Theme {
    /// Merges the built-in files with the site's own (`overrides`, keyed by path inside the
    /// theme) and compiles the templates. Template errors are reported with their file.
    pub fn new(
        overrides: &BTreeMap<String, Vec<u8>>,
        theme_name: &str,
        base_path: &str,
        hash_names: bool,
        diags: &mut Diagnostics,
    ) -> Option<Theme> {
        let mut files: BTreeMap<String, Vec<u8>> = BUILTIN
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        for (p, b) in overrides {
            files.insert(p.clone(), b.clone());
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's own escaper also turns `/` into `&#x2F;`, which bloats every URL.
        tera.set_escape_fn(crate::util::escape_html);
        let mut templates = Vec::new();
        for (path, bytes) in &files {
            if let Some(name) = path.strip_prefix("templates/") {
                match String::from_utf8(bytes.clone()) {
                    Ok(text) => templates.push((name.to_string(), text)),
                    Err(_) => diags.push(Diagnostic::error(format!(
                        "`themes/{theme_name}/{path}` is not UTF-8 text"
                    ))),
                }
            }
        }
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        {
            diags.push(template_error(&e, theme_name, &templates));
            return None;
        }
        let mut assets = BTreeMap::new();
        let mut out = Vec::new();
        let worker = files.remove(WORKER).unwrap_or_default();
        let mut i18n = BTreeMap::new();
        for (path, bytes) in &files {
            if let Some(lang) = path
                .strip_prefix("i18n/")
                .and_then(|p| p.strip_suffix(".yaml"))
            {
                let text = String::from_utf8_lossy(bytes).into_owned();
                i18n.insert(
                    lang.to_string(),
                    Source::new(format!("themes/{theme_name}/{path}"), text),
                );
            }
        }
        for (path, bytes) in files {
            if let Some(name) = path.strip_prefix("static/") {
                let hashed = match name.rsplit_once('.') {
                    _ if !hash_names => format!("assets/{name}"),
                    Some((stem, ext)) => format!("assets/{stem}.{}.{ext}", short_hash(&bytes)),
                    None => format!("assets/{name}.{}", short_hash(&bytes)),
                };
                assets.insert(name.to_string(), format!("{base_path}{hashed}"));
                out.push((hashed, bytes));
            }
        }
        Some(Theme {
            tera,
            assets,
            files: out,
            worker,
            i18n,
        })
    }
}

/// Turns a Tera error into a diagnostic that names the template and, when Tera says it, the
/// line and column (Tera's parse errors carry `--> line:col`).
pub fn template_error(
    e: &tera::Error,
    theme_name: &str,
    templates: &[(String, String)],
) -> Diagnostic {
    use std::error::Error as _;
    let mut chain = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        chain.push(s.to_string());
        cur = s.source();
    }
    let text = chain.join("\n");
    let name = templates
        .iter()
        .find(|(n, _)| text.contains(&format!("'{n}'")) || text.contains(&format!("`{n}`")));
    let d = Diagnostic::error(format!("a theme template has an error: {}", chain.join(": ").lines().next().unwrap_or_default()))
        .hint("fix the template named in the message; the Tera documentation describes the syntax. Remove the file from your site's theme folder to fall back to the built-in one.");
    let Some((name, body)) = name else {
        return Diagnostic {
            message: format!("a theme template has an error:\n{text}"),
            ..d
        };
    };
    let source = Source::new(
        format!("themes/{theme_name}/templates/{name}"),
        body.clone(),
    );
    let pos = text.find("--> ").and_then(|i| {
        let rest = &text[i + 4..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .unwrap_or(rest.len());
        let (l, c) = rest[..end].split_once(':')?;
        Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
    });
    let offset = pos.map_or(0, |(l, c)| source.offset_of(l, c));
    Diagnostic {
        message: format!("the template `{name}` has an error:\n{text}"),
        ..d
    }
    .at(&source, offset..offset + 1)
    .label("here")
}
