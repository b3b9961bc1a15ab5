//! A copy of the built site that works wherever it is put: opened from a folder on disk
//! (`file://`), or unpacked under a path nobody knew at build time (a web server's folder, an
//! LMS). `playbook export zip` and `playbook export scorm` use it.
//!
//! The site is built into memory as usual (every internal URL starts with the base path), then
//! every internal URL is rewritten relative to the file that holds it, with an HTML rewriter
//! (lol_html), never by searching the text:
//! - `href`, `src`, `srcset`, `action`, `poster`: a folder URL becomes its `index.html`, because
//!   `file://` has no directory index; `?query` and `#fragment` are kept.
//! - `data-*` attributes the theme's scripts read (`data-base`, `data-courses`, `data-index`,
//!   `data-stem`): relative too, but a folder stays a folder (scripts append file names to it).
//!   `<body data-base>` keeps its old value in `data-site`: the site's identity, under which
//!   progress is stored, wherever the copy is.
//! - CSS `url(…)`.
//! - `<script type="module">` becomes a deferred classic script, and its file a classic script
//!   ([`classic_script`]): Chromium refuses module scripts from `file://` as cross-origin.
//!
//! JSON files keep their URLs under the base path (`courses.json`, the search index); the
//! scripts map them to this copy (`localHref` in `progress.js`). A package ([`Scope::Package`])
//! holds only some pages: links to any other page become plain text, and the parts of the page
//! that only make sense on the whole site (search box, site sections, editions) are dropped.

use crate::build::{self, Built, Failed, Options};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output;
use rayon::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

/// Output files by path relative to the site's root folder (`courses/x/index.html`).
pub type Files = BTreeMap<String, Vec<u8>>;

/// Which pages a copy holds.
pub enum Scope<'a> {
    /// Every file of the site.
    Site,
    /// Only `pages` (HTML output paths) and the files they use. A link to another page becomes
    /// its text (or goes, when a script shows it), except the site title, which goes to `home`.
    Package {
        pages: &'a BTreeSet<String>,
        home: &'a str,
    },
}

/// Parts of a page dropped from a package: the search box (search needs the whole site), the
/// site's sections, the footer's site links, the edition switcher and banner, and anything a
/// theme marks `site-only`.
const PACKAGE_DROPS: &str =
    "#site-search, .site-nav, .footer-nav, .edition-switcher, .edition-banner, .site-only";

/// Attributes that hold a URL a reader follows or the browser loads.
const URL_ATTRS: &[&str] = &["href", "src", "action", "poster", "formaction", "cite"];

/// What the rewrite of the pages found.
#[derive(Default)]
struct Seen {
    /// Non-HTML files the pages use (output paths).
    files: BTreeSet<String>,
    /// Files loaded as `<script type="module">`.
    modules: BTreeSet<String>,
}

/// The relative copy of `files` (a site built for base path `base`), limited to `scope`.
pub fn relativize(files: &Files, base: &str, scope: &Scope) -> Result<Files, Diagnostics> {
    let pages: Vec<&String> = match scope {
        Scope::Site => files.keys().filter(|k| k.ends_with(".html")).collect(),
        Scope::Package { pages, .. } => pages.iter().collect(),
    };
    let results: Vec<Result<(String, String, Seen), Diagnostic>> = pages
        .par_iter()
        .map(|rel| {
            let html = files
                .get(*rel)
                .ok_or_else(|| Diagnostic::error(format!("the page `{rel}` was not built")))?;
            let html = String::from_utf8_lossy(html);
            let mut seen = Seen::default();
            let out = rewrite_html(&html, rel, base, scope, &mut seen).map_err(|e| {
                Diagnostic::error(format!(
                    "`{rel}` could not be rewritten for a portable copy: {e}"
                ))
            })?;
            Ok(((*rel).clone(), out, seen))
        })
        .collect();
    let mut diags = Diagnostics::default();
    let mut out = Files::new();
    let mut seen = Seen::default();
    for r in results {
        match r {
            Ok((rel, html, s)) => {
                out.insert(rel, html.into_bytes());
                seen.files.extend(s.files);
                seen.modules.extend(s.modules);
            }
            Err(d) => diags.push(d),
        }
    }
    let others: Vec<&String> = match scope {
        Scope::Site => files
            .keys()
            .filter(|k| !out.contains_key(*k) && k.as_str() != "sw.js")
            .collect(),
        Scope::Package { .. } => seen
            .files
            .iter()
            .filter(|f| files.contains_key(*f))
            .collect(),
    };
    for rel in others {
        let bytes = &files[rel];
        let bytes = if seen.modules.contains(rel) {
            match classic_script(&String::from_utf8_lossy(bytes)) {
                Ok(js) => js.into_bytes(),
                Err(e) => {
                    diags.push(Diagnostic::error(format!("`{rel}` cannot run from a portable copy: {e}")).hint(
                        "files on disk cannot load JavaScript modules, so playbook turns each into a plain script; that needs `export` only in front of `function`, `const`, `let` or `class`, and no `import … from`.",
                    ));
                    continue;
                }
            }
        } else if rel.ends_with(".css") {
            rewrite_css(&String::from_utf8_lossy(bytes), rel, base).into_bytes()
        } else {
            bytes.clone()
        };
        out.insert(rel.clone(), bytes);
    }
    // Scripts cannot fetch from `file://`, but they can load a script: courses.json again, as
    // one that sets `window.playbookCourses` (read by progress.js when it runs from disk).
    if let Some(json) = out.get("courses.json") {
        let mut js = b"window.playbookCourses = ".to_vec();
        js.extend_from_slice(json);
        js.extend_from_slice(b";\n");
        out.insert("courses.js".into(), js);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(out)
}

/// `playbook export zip`: the whole site, relative, as a zip archive at `out`.
pub fn export_zip(opts: &Options, out: &Path) -> Result<Built, Failed> {
    let start = Instant::now();
    let built = build::build_in_memory(opts, None)?;
    let base = built.latest.site.config.root.path.clone();
    let files = relativize(&built.files, &base, &Scope::Site).map_err(|d| Failed { diags: d })?;
    output::write_zip(out, &files)?;
    let mut diags = built.diags;
    diags.sort();
    Ok(Built {
        pages: built.pages,
        elapsed: start.elapsed(),
        diags,
    })
}

/// The relative URL from the file at output path `from` to output path `to` (a folder when it
/// ends with `/`, or is empty for the root folder). Never empty: the folder itself is `./`.
pub fn relative_url(from: &str, to: &str) -> String {
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = relative_path::RelativePath::new(dir)
        .relative(to.trim_end_matches('/'))
        .into_string();
    if out.is_empty() {
        out.push_str("./");
    } else if to.is_empty() || to.ends_with('/') {
        out.push('/');
    }
    out
}

/// Splits an internal URL into its output path (without the base path) and the `?query` or
/// `#fragment` after it; `None` for a URL that does not start with the base path.
fn internal<'u>(url: &'u str, base: &str) -> Option<(&'u str, &'u str)> {
    if url.starts_with("//") {
        return None;
    }
    let rest = url.strip_prefix(base)?;
    let cut = rest.find(['?', '#']).unwrap_or(rest.len());
    Some(rest.split_at(cut))
}

/// Decodes `%XX` escapes (a URL path to the file name it names).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// How a URL attribute is rewritten.
#[derive(Clone, Copy, PartialEq)]
enum UrlKind {
    /// Followed or loaded by the browser: a folder becomes its `index.html`.
    Nav,
    /// Read by a script, which appends to folders: a folder stays a folder.
    Data,
}

/// One rewritten URL, or `Leaves` when it points to a page outside a package.
enum Rewritten {
    Same,
    /// The new URL, and the output path it names.
    To(String, String),
    Leaves,
}

fn rewrite_url(
    url: &str,
    kind: UrlKind,
    from: &str,
    base: &str,
    scope: &Scope,
    seen: &mut Seen,
) -> Rewritten {
    let Some((path, tail)) = internal(url.trim(), base) else {
        return Rewritten::Same;
    };
    let file = if kind == UrlKind::Nav && (path.is_empty() || path.ends_with('/')) {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    let decoded = percent_decode(&file);
    if decoded.ends_with(".html") {
        if let Scope::Package { pages, .. } = scope
            && !pages.contains(&decoded)
        {
            return Rewritten::Leaves;
        }
    } else if !decoded.is_empty() && !decoded.ends_with('/') {
        seen.files.insert(decoded.clone());
    }
    Rewritten::To(format!("{}{tail}", relative_url(from, &file)), decoded)
}

/// Rewrites one page at output path `from`; records the files it uses in `seen`.
fn rewrite_html(
    html: &str,
    from: &str,
    base: &str,
    scope: &Scope,
    seen: &mut Seen,
) -> Result<String, lol_html::errors::RewritingError> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let page = Page {
        from,
        base,
        scope,
        home: match scope {
            Scope::Package { home, .. } => Some(relative_url(from, home)),
            Scope::Site => None,
        },
        seen: RefCell::new(seen),
    };
    let mut settings = RewriteStrSettings::new();
    if let Scope::Package { .. } = scope {
        settings = settings.append_element_content_handler(element!(PACKAGE_DROPS, |el| {
            el.remove();
            Ok(())
        }));
    }
    settings =
        settings.append_element_content_handler(element!("*", |el| { rewrite_element(el, &page) }));
    rewrite_str(html, settings)
}

/// A page being rewritten: its output path, the site's base path, what the copy holds, where
/// the site title leads in a package, and the files seen so far.
struct Page<'a, 's> {
    from: &'a str,
    base: &'a str,
    scope: &'a Scope<'a>,
    home: Option<String>,
    seen: RefCell<&'s mut Seen>,
}

impl Page<'_, '_> {
    /// `url` rewritten for this page (a folder read as its `index.html` when `kind` is `Nav`).
    fn rewrite(&self, url: &str, kind: UrlKind) -> Rewritten {
        rewrite_url(
            url,
            kind,
            self.from,
            self.base,
            self.scope,
            &mut self.seen.borrow_mut(),
        )
    }
}

/// Rewrites the URLs of one element's attributes (`href`, `src`, `srcset`, `data-*`…); an
/// element whose link leaves the copy loses it, and a module script becomes a deferred one.
fn rewrite_element<H: lol_html::HandlerTypes>(
    el: &mut lol_html::html_content::Element<'_, '_, H>,
    page: &Page,
) -> lol_html::HandlerResult {
    if el.removed() {
        return Ok(());
    }
    let attrs: Vec<(String, String)> = el
        .attributes()
        .iter()
        .map(|a| (a.name(), a.value()))
        .collect();
    let tag = el.tag_name();
    let module = tag == "script" && el.get_attribute("type").as_deref() == Some("module");
    for (name, value) in &attrs {
        // No service worker in a copy: a zip on disk is offline already, an LMS serves the
        // package at an address the worker's list of files does not know, and neither
        // should leave a worker behind in the reader's browser.
        if tag == "body" && name == "data-sw" {
            el.remove_attribute(name);
            continue;
        }
        let kind = if URL_ATTRS.contains(&name.as_str()) {
            UrlKind::Nav
        } else if name.starts_with("data-") && name != "data-site" {
            UrlKind::Data
        } else if name == "srcset" {
            el.set_attribute(name, &srcset(value, page))?;
            continue;
        } else {
            continue;
        };
        match page.rewrite(value, kind) {
            Rewritten::Same => {}
            Rewritten::To(url, file) => {
                if module && name == "src" {
                    page.seen.borrow_mut().modules.insert(file);
                }
                if tag == "body" && name == "data-base" && el.get_attribute("data-site").is_none() {
                    el.set_attribute("data-site", value)?;
                }
                el.set_attribute(name, &url)?;
            }
            Rewritten::Leaves => {
                if leave(el, page, &tag, name)? {
                    return Ok(());
                }
            }
        }
    }
    if module {
        el.remove_attribute("type");
        el.set_attribute("defer", "")?;
    }
    Ok(())
}

/// A `srcset` with each candidate's URL rewritten (one that leaves the copy is kept as it is).
fn srcset(value: &str, page: &Page) -> String {
    let mut parts = Vec::new();
    for candidate in value.split(',') {
        let c = candidate.trim();
        let (url, descriptor) = c.split_once(' ').unwrap_or((c, ""));
        let url = match page.rewrite(url, UrlKind::Nav) {
            Rewritten::To(u, _) => u,
            _ => url.to_string(),
        };
        parts.push(format!("{url} {descriptor}").trim_end().to_string());
    }
    parts.join(", ")
}

/// An element whose attribute `name` links out of the copy: the site title leads to the
/// package's home, a link a script shows goes, another link becomes its text, and anything
/// else goes. Returns true if and only if the element was removed.
fn leave<H: lol_html::HandlerTypes>(
    el: &mut lol_html::html_content::Element<'_, '_, H>,
    page: &Page,
    tag: &str,
    name: &str,
) -> Result<bool, lol_html::errors::AttributeNameError> {
    match (&page.home, tag) {
        (Some(home), "a")
            if el
                .get_attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == "site-title")) =>
        {
            el.set_attribute(name, home)?;
            Ok(false)
        }
        (_, "a") if el.has_attribute("id") || el.has_attribute("hidden") => {
            // A link a script shows (certificate, continue): it has nowhere to go.
            el.remove();
            Ok(true)
        }
        (_, "a") => {
            el.remove_and_keep_content();
            Ok(true)
        }
        _ => {
            el.remove();
            Ok(true)
        }
    }
}

/// Rewrites every `url(…)` in a stylesheet at output path `from` that starts with the base
/// path.
pub fn rewrite_css(css: &str, from: &str, base: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("url(") {
        let (head, tail) = rest.split_at(i + 4);
        out.push_str(head);
        let end = tail.find(')').unwrap_or(tail.len());
        let inner = &tail[..end];
        let quote = inner
            .trim()
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'');
        let url = inner.trim().trim_matches(['"', '\'']);
        match internal(url, base) {
            Some((path, tail)) => {
                let q = quote.map(String::from).unwrap_or_default();
                out.push_str(&format!("{q}{}{tail}{q}", relative_url(from, path)));
            }
            None => out.push_str(inner),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A theme ES module as a classic script that runs anywhere, `file://` included: `export` is
/// dropped from declarations and the whole is wrapped in a strict function, so its names stay
/// its own. A module with `import … from`, `import.meta` or another form of `export` is refused:
/// what it means could not be kept.
pub fn classic_script(js: &str) -> Result<String, String> {
    let mut out = String::with_capacity(js.len() + 64);
    out.push_str("(function () {\n'use strict';\n");
    for (n, line) in js.lines().enumerate() {
        if line.contains("import.meta") {
            return Err(format!("line {} uses `import.meta`", n + 1));
        }
        if line.starts_with("import ") || line.starts_with("import{") {
            return Err(format!("line {} imports another module", n + 1));
        }
        match line.strip_prefix("export ") {
            Some(decl)
                if ["function ", "async function ", "const ", "let ", "class "]
                    .iter()
                    .any(|k| decl.starts_with(k)) =>
            {
                out.push_str(decl)
            }
            Some(_) => return Err(format!("line {} has an `export` of another form", n + 1)),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str("})();\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_between_files_and_folders() {
        assert_eq!(relative_url("a/b/index.html", ""), "../../");
        assert_eq!(relative_url("index.html", ""), "./");
        assert_eq!(relative_url("a/index.html", "a/"), "./");
        assert_eq!(relative_url("a/index.html", "b/c/"), "../b/c/");
        assert_eq!(relative_url("index.html", "assets/a.css"), "assets/a.css");
        assert_eq!(
            relative_url("courses/x/index.html", "assets/a.css"),
            "../../assets/a.css"
        );
        assert_eq!(
            relative_url("courses/x/index.html", "index.html"),
            "../../index.html"
        );
        assert_eq!(
            relative_url("courses/x/index.html", "courses/x/index.html"),
            "index.html"
        );
        assert_eq!(
            relative_url("courses/x/m/index.html", "courses/x/index.html"),
            "../index.html"
        );
        assert_eq!(relative_url("courses/x/index.html", ""), "../../");
        assert_eq!(relative_url("index.html", ""), "./");
        assert_eq!(relative_url("index.html", "search/"), "search/");
    }

    #[test]
    fn internal_urls_keep_query_and_fragment() {
        assert_eq!(internal("/pd/a/#x", "/pd/"), Some(("a/", "#x")));
        assert_eq!(internal("/pd/s/?q=1", "/pd/"), Some(("s/", "?q=1")));
        assert_eq!(internal("//cdn.example/x", "/"), None);
        assert_eq!(internal("https://x.example/pd/", "/pd/"), None);
        assert_eq!(internal("#top", "/pd/"), None);
    }

    #[test]
    fn css_urls_become_relative() {
        assert_eq!(
            rewrite_css(
                "a{background:url(\"/pd/img/a.png\")} b{c:url(x.png)}",
                "assets/s.css",
                "/pd/"
            ),
            "a{background:url(\"../img/a.png\")} b{c:url(x.png)}"
        );
    }

    #[test]
    fn modules_become_classic_scripts() {
        let js = classic_script("export const A = 1;\nexport function f() {}\nf();\n").unwrap();
        assert_eq!(
            js,
            "(function () {\n'use strict';\nconst A = 1;\nfunction f() {}\nf();\n})();\n"
        );
        assert!(classic_script("import { x } from './x.js';\n").is_err());
        assert!(classic_script("export default 1;\n").is_err());
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%20b.png"), "a b.png");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
