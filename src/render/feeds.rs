//! The feeds: the Atom feed of each collection of monographs, the sitemap (every page in every
//! language, with its alternates), and robots.txt. XML is written by the theme's templates
//! (`atom.xml`, `sitemap.xml`), which escape what they are given.

use super::Renderer;
use crate::diagnostics::Diagnostic;
use crate::model::{Meta, PageId, Version};
use serde::Serialize;

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    updated: String,
    authors: Vec<String>,
    summary: String,
}

#[derive(Serialize)]
struct Feed {
    title: String,
    url: String,
    updated: String,
    lang: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize)]
struct SitemapUrl {
    loc: String,
    lastmod: Option<String>,
    alternates: Vec<(String, String)>,
}

impl Renderer<'_> {
    fn xml(
        &self,
        template: &str,
        name: &str,
        value: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::new();
        context.insert(name, value);
        self.render_xml(template, &context)
    }

    fn render_xml(&self, template: &str, context: &tera::Context) -> Result<String, Diagnostic> {
        self.theme
            .tera_for(&self.site.config.language)
            .render(template, context)
            .map_err(|e| {
                crate::theme::render_error(&e, template, template, &self.site.config.theme)
            })
    }

    /// The Atom feed of an `articles` collection, newest first.
    pub fn atom(&self, collection: PageId) -> Result<String, Diagnostic> {
        let site = self.site;
        let c = site.page(collection);
        let abs = |id: PageId| site.config.base_url.absolute(&site.page(id).url);
        let mut updated = String::from("1970-01-01");
        let entries = c
            .children
            .iter()
            .filter_map(|id| {
                let p = site.page(*id);
                let Meta::Article { date, authors } = &p.meta else {
                    return None;
                };
                let day = date.map_or_else(|| "1970-01-01".to_string(), |d| d.first_day());
                if day > updated {
                    updated = day.clone();
                }
                Some(FeedEntry {
                    title: p.title.clone(),
                    url: abs(*id),
                    updated: day,
                    authors: authors.iter().map(|a| a.name.clone()).collect(),
                    summary: p.description.clone().unwrap_or_default(),
                })
            })
            .collect();
        let feed = Feed {
            title: format!("{} — {}", c.title, site.config.title),
            url: abs(collection),
            updated,
            lang: site.config.language.clone(),
            entries,
        };
        self.xml("atom.xml", "feed", &feed)
    }

    /// The sitemap: every page of every language in its own words (a page a language shows in
    /// another is listed in that other), each with the addresses of its translations.
    pub fn sitemap(&self) -> Result<String, Diagnostic> {
        let cx = self.languages;
        let origin = &self.site.config.root.origin;
        let mut urls = Vec::new();
        let default_pages;
        let pages: Vec<&std::collections::HashMap<String, crate::languages::Entry>> =
            if cx.pages.is_empty() {
                default_pages = crate::languages::Context::new(&[self.site], 0).pages;
                default_pages.iter().collect()
            } else {
                cx.pages.iter().collect()
            };
        for language in pages {
            let mut keys: Vec<&String> = language.keys().collect();
            keys.sort();
            for key in keys {
                let e = &language[key];
                if e.version == Version::Fallback {
                    continue;
                }
                let lastmod =
                    self.site
                        .by_rel
                        .get(key)
                        .and_then(|id| match &self.site.page(*id).meta {
                            Meta::Article { date: Some(d), .. } => Some(d.iso()),
                            _ => None,
                        });
                let alternates = if cx.multilingual() {
                    cx.alternates(key)
                } else {
                    Vec::new()
                };
                urls.push(SitemapUrl {
                    loc: format!("{origin}{}", e.url),
                    lastmod,
                    alternates: if alternates.len() > 1 {
                        alternates
                            .into_iter()
                            .map(|(l, u)| (l.to_string(), format!("{origin}{u}")))
                            .collect()
                    } else {
                        Vec::new()
                    },
                });
            }
        }
        let mut context = tera::Context::new();
        context.insert("urls", &urls);
        drop(urls);
        self.render_xml("sitemap.xml", &context)
    }

    pub fn robots(&self) -> String {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            self.site.config.base_url.absolute("sitemap.xml")
        )
    }
}
