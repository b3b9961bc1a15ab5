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
    "templates/facilitator.html",
    "templates/atom.xml",
    "templates/sitemap.xml",
    "static/style.css",
    "static/theme.js",
    "static/nav.js",
    "static/blocks.js",
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

/// The built-in theme's text of `lang` (English where the theme has no table for it).
pub fn builtin_strings(lang: &str) -> crate::i18n::Strings {
    let theme: BTreeMap<String, Source> = BUILTIN
        .iter()
        .filter_map(|(p, b)| {
            let l = p.strip_prefix("i18n/")?.strip_suffix(".yaml")?;
            Some((
                l.to_string(),
                Source::new(*p, String::from_utf8_lossy(b).into_owned()),
            ))
        })
        .collect();
    let langs = if lang == "en" {
        vec!["en".to_string()]
    } else {
        vec!["en".to_string(), lang.to_string()]
    };
    crate::i18n::Tables::build(
        &theme,
        &BTreeMap::new(),
        &langs,
        &mut Diagnostics::default(),
    )
    .of(lang)
    .clone()
}

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
    /// The templates with `t()` giving the interface text of each language, by language.
    localized: BTreeMap<String, Tera>,
}

/// The string-table groups the theme's scripts read (from `assets/strings.<lang>.js`).
pub const SCRIPT_GROUPS: &[&str] = &[
    "search",
    "block",
    "progress",
    "quiz",
    "reflection",
    "offline",
    "certificate",
    "learning",
    "tabs",
    "media",
    "solutions",
    "language",
    "theme",
    "edition",
    "nav",
    "number",
    "date",
];

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
        for (path, mut bytes) in files {
            if let Some(name) = path.strip_prefix("static/") {
                let builtin = BUILTIN
                    .iter()
                    .any(|(p, b)| *p == path && *b == bytes.as_slice());
                if name.ends_with(".js") && builtin {
                    bytes = strip_comment_lines(&String::from_utf8_lossy(&bytes)).into_bytes();
                }
                if name.ends_with(".css") && builtin {
                    bytes = strip_css_comments(&String::from_utf8_lossy(&bytes)).into_bytes();
                }
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
            localized: BTreeMap::new(),
        })
    }
}

impl Theme {
    /// Gives the templates the interface text of each of `languages` (the `t` function) and
    /// the scripts theirs (an asset `strings.<lang>.js` per language). `hash_names` as for
    /// [`Theme::new`].
    pub fn localize(
        &mut self,
        tables: &crate::i18n::Tables,
        languages: &[String],
        base_path: &str,
        hash_names: bool,
    ) {
        for lang in languages {
            let strings = tables.of(lang).clone();
            let mut tera = self.tera.clone();
            let for_scripts = script_strings(&strings);
            tera.register_function(
                "t",
                move |args: &std::collections::HashMap<String, tera::Value>| t(&strings, args),
            );
            self.localized.insert(lang.clone(), tera);
            let name = format!("strings.{lang}.js");
            let bytes = for_scripts.into_bytes();
            let rel = if hash_names {
                format!("assets/strings.{lang}.{}.js", short_hash(&bytes))
            } else {
                format!("assets/{name}")
            };
            self.assets.insert(name, format!("{base_path}{rel}"));
            self.files.push((rel, bytes));
        }
    }

    /// The templates of language `lang` (the unlocalized ones if it has none).
    pub fn tera_for(&self, lang: &str) -> &Tera {
        self.localized.get(lang).unwrap_or(&self.tera)
    }
}

/// A built-in script without its comment lines (a line that is only a `//` comment, a
/// `/* … */` comment that takes whole lines) and blank lines: readers download the scripts, the
/// comments are for whoever reads the source (about a third of their compressed size). Safe for
/// the built-in scripts, which have no template literal across lines; a site's own scripts (any
/// file that differs from the built-in one) are served as they are.
pub fn strip_comment_lines(js: &str) -> String {
    let lines: Vec<&str> = js.lines().collect();
    let mut out = String::with_capacity(js.len());
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t.starts_with("/*") {
            // The whole comment, if it ends a line: dropped; else kept as it is.
            if let Some(end) = (i..lines.len()).find(|&j| lines[j].contains("*/")) {
                if lines[end].trim_end().ends_with("*/") && !lines[end].contains("*/ ") {
                    i = end + 1;
                    continue;
                }
            }
        }
        if !t.is_empty() && !t.starts_with("//") {
            out.push_str(lines[i]);
            out.push('\n');
        }
        i += 1;
    }
    out
}

/// The built-in style sheet without its comments, indentation and blank lines: every page's first
/// paint waits for it, and the comments (for whoever reads the source) are about a fifth of its
/// compressed size. Quoted strings are kept as they are; a site's own style sheets are served
/// as they are.
pub fn strip_css_comments(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find(['/', '"', '\'']) {
        let (before, from) = rest.split_at(i);
        text.push_str(before);
        let c = from.as_bytes()[0];
        if c == b'/' {
            if let Some(body) = from.strip_prefix("/*") {
                // An unclosed comment runs to the end, as in CSS.
                rest = body.find("*/").map_or("", |end| &body[end + 2..]);
            } else {
                text.push('/');
                rest = &from[1..];
            }
            continue;
        }
        // A quoted string, to its closing quote (a backslash escapes the next character).
        let mut end = from.len();
        let mut escaped = false;
        for (j, ch) in from.char_indices().skip(1) {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                _ if ch as u32 == u32::from(c) => {
                    end = j + 1;
                    break;
                }
                _ => {}
            }
        }
        text.push_str(&from[..end]);
        rest = &from[end..];
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The `t` function of templates: `t(k="group.key")`, with `n=` for a count (its plural form,
/// `{n}` written as the language writes numbers) and any other argument filled in for its
/// `{name}`.
fn t(
    strings: &crate::i18n::Strings,
    args: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let Some(key) = args.get("k").and_then(tera::Value::as_str) else {
        return Err(tera::Error::msg(
            "t() needs the key of a text: t(k=\"group.key\")",
        ));
    };
    if !strings.has(key) {
        return Err(tera::Error::msg(format!(
            "the string tables have no text `{key}`"
        )));
    }
    let text = match args.get("n").and_then(tera::Value::as_u64) {
        Some(n) => strings.count(key, n),
        None => strings.get(key).to_string(),
    };
    let fills: Vec<(String, String)> = args
        .iter()
        .filter(|(k, _)| *k != "k" && *k != "n")
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect();
    let fills: Vec<(&str, &str)> = fills
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(tera::Value::String(crate::i18n::fill(&text, &fills)))
}

/// The script that gives the theme's scripts their texts: `globalThis.PLAYBOOK_STRINGS`.
fn script_strings(strings: &crate::i18n::Strings) -> String {
    let entries: std::collections::BTreeMap<&str, &crate::i18n::Text> = strings
        .entries()
        .into_iter()
        .filter(|(k, _)| {
            SCRIPT_GROUPS
                .iter()
                .any(|g| k.strip_prefix(g).is_some_and(|r| r.starts_with('.')))
        })
        .collect();
    format!(
        "globalThis.PLAYBOOK_STRINGS = {{ lang: {}, text: {} }};\n",
        serde_json::to_string(&strings.lang).unwrap_or_default(),
        serde_json::to_string(&entries).unwrap_or_default()
    )
}

/// What a Tera error says, read from its messages (Tera gives its details only as text): the
/// whole chain of messages, the template it names, and the line and column of a parse error
/// (`--> 12:5`). The one place that reads Tera's wording.
#[derive(Debug, PartialEq, Eq)]
pub struct TeraMessage {
    pub text: String,
    /// The name of a template the message names (`'chapter.html'`), among `names`.
    pub template: Option<String>,
    pub position: Option<(usize, usize)>,
}

pub fn read_tera_error(e: &tera::Error, names: &[&str]) -> TeraMessage {
    use std::error::Error as _;
    let mut chain = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        chain.push(s.to_string());
        cur = s.source();
    }
    let text = chain.join("\n");
    let template = names
        .iter()
        .find(|n| text.contains(&format!("'{n}'")) || text.contains(&format!("`{n}`")))
        .map(|n| n.to_string());
    let position = text.find("--> ").and_then(|i| {
        let rest = &text[i + 4..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .unwrap_or(rest.len());
        let (l, c) = rest[..end].split_once(':')?;
        Some((l.parse::<usize>().ok()?, c.parse::<usize>().ok()?))
    });
    TeraMessage {
        text,
        template,
        position,
    }
}

/// Turns a Tera error from compiling the templates into a diagnostic that names the template
/// and, when Tera says it, the line and column.
pub fn template_error(
    e: &tera::Error,
    theme_name: &str,
    templates: &[(String, String)],
) -> Diagnostic {
    let names: Vec<&str> = templates.iter().map(|(n, _)| n.as_str()).collect();
    let m = read_tera_error(e, &names);
    let d = Diagnostic::error(format!("a theme template has an error: {}", m.text.lines().next().unwrap_or_default()))
        .hint("fix the template named in the message; the Tera documentation describes the syntax. Remove the file from your site's theme folder to fall back to the built-in one.");
    let Some((name, body)) = m
        .template
        .as_ref()
        .and_then(|n| templates.iter().find(|(t, _)| t == n))
    else {
        return Diagnostic {
            message: format!("a theme template has an error:\n{}", m.text),
            ..d
        };
    };
    let source = Source::new(
        format!("themes/{theme_name}/templates/{name}"),
        body.clone(),
    );
    let offset = m.position.map_or(0, |(l, c)| source.offset_of(l, c));
    Diagnostic {
        message: format!("the template `{name}` has an error:\n{}", m.text),
        ..d
    }
    .at(&source, offset..offset + 1)
    .label("here")
}

/// Turns a Tera error from rendering `template` for the page at `url` into a diagnostic.
pub fn render_error(e: &tera::Error, template: &str, url: &str, theme_name: &str) -> Diagnostic {
    let m = read_tera_error(e, &[template]);
    Diagnostic::error(format!(
        "the template `{template}` failed while rendering `{url}`: {}",
        m.text.replace('\n', ": ")
    ))
    .hint(format!(
        "fix `themes/{theme_name}/templates/{template}` (or remove it from your site's theme folder to fall back to the built-in one); the message says what the template asked for that the page does not have."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_scripts_are_served_without_comment_lines() {
        let js = "// A note.\nconst a = 1; // kept\n/**\n * Doc.\n */\nexport function f() {\n\n  /* inline */ return '//x';\n}\n/* a */ g();\n";
        assert_eq!(
            strip_comment_lines(js),
            "const a = 1; // kept\nexport function f() {\n  /* inline */ return '//x';\n}\n/* a */ g();\n"
        );
    }

    #[test]
    fn the_built_in_style_sheet_is_served_without_comments() {
        let css = "/* The palette.\n   Two lines. */\n:root {\n  --a: 1px; /* note */\n\n  --b: \"/* kept */\";\n}\na::after { content: '\\'/*'; }\np { margin: 0 }/* end";
        assert_eq!(
            strip_css_comments(css),
            ":root {\n--a: 1px;\n--b: \"/* kept */\";\n}\na::after { content: '\\'/*'; }\np { margin: 0 }\n"
        );
        let built = strip_css_comments(&String::from_utf8_lossy(
            BUILTIN
                .iter()
                .find(|(p, _)| *p == "static/style.css")
                .unwrap()
                .1,
        ));
        assert!(!built.contains("/*") && built.contains("@media"));
    }

    #[test]
    fn tera_messages_give_their_template_and_position() {
        let mut tera = Tera::default();
        let e = tera
            .add_raw_template("chapter.html", "{% if %}")
            .unwrap_err();
        let m = read_tera_error(&e, &["base.html", "chapter.html"]);
        assert_eq!(m.template.as_deref(), Some("chapter.html"));
        assert_eq!(m.position, Some((1, 7)));
        let mut tera = Tera::default();
        tera.add_raw_template("page.html", "{{ missing.field }}")
            .unwrap();
        let e = tera.render("page.html", &tera::Context::new()).unwrap_err();
        let m = read_tera_error(&e, &["page.html"]);
        assert_eq!(m.template.as_deref(), Some("page.html"));
        assert!(m.text.contains("missing"), "{}", m.text);
    }
}
