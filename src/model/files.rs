//! Which Markdown files under `content/` are pages, and which page each one is: a page's own
//! file (`01-why.md`) and its translations beside it (`01-why.es.md`, `_index.es.md`) share
//! one key, the content path of the page's own file. `README.md` files and files matching the
//! site's `ignore:` globs are not pages.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::Loaded;
use std::collections::BTreeMap;

/// The files of one page: its own, and one per language it is translated into.
#[derive(Debug, Default, Clone)]
pub struct Versions {
    /// Index into `Loaded::content` of the page's own file.
    pub source: Option<usize>,
    /// Translations by language (a file named for the default language counts as the page's
    /// own when there is no unnamed one).
    pub by_lang: BTreeMap<String, usize>,
}

/// The site's Markdown files, grouped by page.
#[derive(Debug, Default, Clone)]
pub struct Grouped {
    pub keys: BTreeMap<String, Versions>,
}

/// Returns true if and only if a Markdown file at content path `rel` is a page: not a
/// `README.md` (which describes a folder to whoever edits it, as on GitHub) and not matched by
/// `ignore:`.
pub fn is_page(rel: &str, config: &Config) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.ends_with(".md") && !name.eq_ignore_ascii_case("readme.md") && !config.ignore.matches(rel)
}

/// The key of content path `rel` and the language its name gives, if it names one of `codes`:
/// `a/01-why.es.md` is `a/01-why.md` in `es`.
pub fn key_of(rel: &str, codes: &[String]) -> (String, Option<String>) {
    if let Some(stem) = rel.strip_suffix(".md") {
        if let Some((base, code)) = stem.rsplit_once('.') {
            if !base.ends_with('/') && codes.iter().any(|c| c == code) {
                return (format!("{base}.md"), Some(code.to_string()));
            }
        }
    }
    (rel.to_string(), None)
}

/// Groups the Markdown files of `loaded` by page; reports translations of pages that do not
/// exist and files named for a language the site does not have.
pub fn group(config: &Config, loaded: &Loaded, diags: &mut Diagnostics) -> Grouped {
    let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    let default = config.default_language().to_string();
    let mut keys: BTreeMap<String, Versions> = BTreeMap::new();
    for (i, f) in loaded.content.iter().enumerate() {
        if !is_page(&f.rel, config) {
            continue;
        }
        let (key, lang) = key_of(&f.rel, &codes);
        let v = keys.entry(key).or_default();
        match lang {
            None => v.source = Some(i),
            Some(code) => {
                v.by_lang.insert(code, i);
            }
        }
    }
    let known: Vec<String> = keys
        .iter()
        .filter(|(_, v)| v.source.is_some())
        .map(|(k, _)| k.clone())
        .collect();
    for (key, v) in &mut keys {
        if v.source.is_none() {
            v.source = v.by_lang.remove(&default);
        }
        if v.source.is_some() {
            continue;
        }
        for (code, &i) in &v.by_lang {
            let f = &loaded.content[i];
            let hint = match crate::diagnostics::did_you_mean(key, known.iter().map(String::as_str))
            {
                Some(near) => format!(
                    "did you mean to translate `content/{near}`? A translation is named after the page it translates, with the language before `.md`."
                ),
                None => format!(
                    "a translation sits beside the page it translates, named after it with the language before `.md` (`content/{key}` in {code} is `{}`); add the page, or rename this file.",
                    f.rel
                ),
            };
            diags.push(
                Diagnostic::error(format!(
                    "`{}` translates `content/{key}`, which does not exist",
                    f.source.name
                ))
                .at(&f.source, 0..0)
                .label("a translation of a page that is not there")
                .hint(hint),
            );
        }
    }
    keys.retain(|_, v| v.source.is_some());
    for key in keys.keys() {
        let Some(stem) = key.strip_suffix(".md") else {
            continue;
        };
        let Some((base, code)) = stem.rsplit_once('.') else {
            continue;
        };
        let looks_like_language =
            (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase());
        if looks_like_language && keys.contains_key(&format!("{base}.md")) {
            let f = &loaded.content[keys[key].source.unwrap_or_default()];
            diags.push(
                Diagnostic::error(format!("`{code}` is not one of the site's languages, so `{}` is not read as a translation", f.source.name))
                    .at(&f.source, 0..0)
                    .hint(format!(
                        "add `{code}` to `languages:` in playbook.yaml (the site has: {}), or rename the file.",
                        codes.join(", ")
                    )),
            );
        }
    }
    Grouped { keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_share_their_page_key() {
        let codes = vec!["en".to_string(), "es".to_string()];
        assert_eq!(
            key_of("a/01-why.es.md", &codes),
            ("a/01-why.md".into(), Some("es".into()))
        );
        assert_eq!(
            key_of("a/_index.es.md", &codes),
            ("a/_index.md".into(), Some("es".into()))
        );
        assert_eq!(
            key_of("index.es.md", &codes),
            ("index.md".into(), Some("es".into()))
        );
        assert_eq!(key_of("a/v1.2.md", &codes), ("a/v1.2.md".into(), None));
        assert_eq!(
            key_of("a/notes.fr.md", &codes),
            ("a/notes.fr.md".into(), None)
        );
    }
}
