//! A page across the site's languages: where each language has it (and whether that is a
//! translation, the page as written, or a fallback in another language), so that every page
//! can offer the language switcher, `<link rel="alternate" hreflang>` pairs that are
//! reciprocal, and sitemap alternates. Pages are matched by key (the path of the page's own
//! file), which a translation shares with the page it translates.

use crate::model::{PageId, Site, Version};
use std::collections::HashMap;

/// One page in one language.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Full path (`/pd/playbook/es/guia-practica/`).
    pub url: String,
    pub title: String,
    pub version: Version,
    /// The language the text is in.
    pub lang: String,
}

/// One language as the switcher lists it.
#[derive(Debug, Clone)]
pub struct LangRef {
    pub code: String,
    /// The language's own name (`Español`).
    pub name: String,
    /// The language's home (`/pd/playbook/es/`).
    pub base: String,
}

/// Every language's pages (of one edition), and which language is being rendered.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub current: usize,
    pub langs: Vec<LangRef>,
    pub pages: Vec<HashMap<String, Entry>>,
}

/// Where the switcher leads from a page to another language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    /// The page itself in that language (translated or written in it); false when it leads to
    /// the nearest page above it that is.
    pub same: bool,
    /// The title of the page it leads to.
    pub title: String,
}

impl Context {
    /// The context of `sites`, one per language (the default first), rendering `current`.
    pub fn new(sites: &[&Site], current: usize) -> Context {
        let langs = sites
            .iter()
            .map(|s| LangRef {
                code: s.config.language.clone(),
                name: s
                    .config
                    .languages
                    .iter()
                    .find(|l| l.code == s.config.language)
                    .map_or_else(|| s.config.language.clone(), |l| l.name.clone()),
                base: s.config.base_url.path.clone(),
            })
            .collect();
        let pages = sites
            .iter()
            .map(|s| {
                s.pages
                    .iter()
                    .map(|p| {
                        (
                            p.rel.clone(),
                            Entry {
                                url: format!("{}{}", s.config.base_url.path, p.url),
                                title: p.title.clone(),
                                version: p.version,
                                lang: p.lang.clone(),
                            },
                        )
                    })
                    .collect()
            })
            .collect();
        Context {
            current,
            langs,
            pages,
        }
    }

    /// The same context, rendering language `current`.
    pub fn rendering(&self, current: usize) -> Context {
        Context {
            current,
            ..self.clone()
        }
    }

    /// Returns true if and only if the site has more than one language.
    pub fn multilingual(&self) -> bool {
        self.langs.len() > 1
    }

    /// Where page `id` of the language being rendered leads in language `to`: the page itself
    /// when `to` has it in its own words, else the nearest page above it that does, else that
    /// language's home.
    pub fn target(&self, site: &Site, id: PageId, to: usize) -> Target {
        let pages = &self.pages[to];
        let real = |key: &str| pages.get(key).filter(|e| e.version != Version::Fallback);
        for (i, p) in std::iter::once(site.page(id))
            .chain(site.ancestors(id))
            .enumerate()
        {
            if let Some(e) = real(&p.rel) {
                return Target {
                    url: e.url.clone(),
                    same: i == 0,
                    title: e.title.clone(),
                };
            }
        }
        let home = pages.get("index.md");
        Target {
            url: home.map_or_else(|| self.langs[to].base.clone(), |e| e.url.clone()),
            same: false,
            title: home.map_or_else(String::new, |e| e.title.clone()),
        }
    }

    /// The languages that have page `key` in their own words, with its URL there: the
    /// `hreflang` alternates of the page (the same list on every one of them).
    pub fn alternates(&self, key: &str) -> Vec<(&str, &str)> {
        self.langs
            .iter()
            .zip(&self.pages)
            .filter_map(|(l, pages)| {
                pages
                    .get(key)
                    .filter(|e| e.version != Version::Fallback)
                    .map(|e| (l.code.as_str(), e.url.as_str()))
            })
            .collect()
    }

    /// The page's URL in the language its text is written in, for a fallback's canonical link.
    pub fn original(&self, key: &str, lang: &str) -> Option<&str> {
        self.langs
            .iter()
            .zip(&self.pages)
            .find(|(l, _)| l.code == lang)
            .and_then(|(_, pages)| pages.get(key))
            .map(|e| e.url.as_str())
    }
}
