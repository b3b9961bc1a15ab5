//! Templates: builds a typed, borrowed view of each page (never the model itself, never an
//! untyped map) and renders it with the theme's Tera template for the page's kind, in the
//! variant's language (the `t` function of its templates). Also the generated files that are
//! not pages of content (`generated`: the book print views, the 404 and offline pages, search,
//! My learning, certificates, "What changed", `courses.json`) and the feeds (`feeds`: Atom, the
//! sitemap, robots.txt). Pure: returns strings, writes nothing.

mod feeds;
mod generated;
mod page;
mod views;

pub use generated::{CourseJson, CoursesJson, LessonJson, ModuleJson};
pub use page::{PageContext, body_hash};

use crate::diagnostics::Diagnostic;
use crate::editions::Context;
use crate::frontmatter::Author;
use crate::i18n::Strings;
use crate::languages;
use crate::markdown::Rendered;
use crate::model::{Meta, Page, PageId, PageKind, Site};
use crate::nav::Nav;
use crate::theme::Theme;
use std::collections::HashMap;
use views::{ItemView, LinkView, PageView, SiteView};

/// Collections linked from every page's header and footer; past this (and one more), the rest
/// are reached from the home page's list of every collection.
pub const HEADER_SECTIONS: usize = 6;

/// Minutes of a duration as "3 h 45 min", "45 min" or "2 h", in the words of `strings`.
pub fn duration_label(minutes: u32, strings: &Strings) -> String {
    let (h, m) = ((minutes / 60).to_string(), (minutes % 60).to_string());
    match (minutes / 60, minutes % 60) {
        (0, _) => strings.fill("lesson.short_minutes", &[("n", &m)]),
        (_, 0) => strings.fill("lesson.hours", &[("h", &h)]),
        _ => strings.fill("lesson.hours_minutes", &[("h", &h), ("m", &m)]),
    }
}

pub struct Renderer<'a> {
    editions: Option<&'a Context>,
    languages: &'a languages::Context,
    site: &'a Site,
    nav: &'a Nav,
    theme: &'a Theme,
    rendered: &'a [Rendered],
    site_view: SiteView<'a>,
    /// `site_view` serialized, once: every page's context holds it as `site` (serializing it
    /// for each page was a tenth of the work of rendering a short page).
    site_value: tera::Value,
    /// The key of `site_value` (see [`page::encode_value`]), for the pages' keys.
    site_key: blake3::Hash,
    /// Total minutes of each module and course.
    minutes: HashMap<PageId, u32>,
    /// The interface text of the language being built.
    strings: &'a Strings,
    /// Every language's interface text (the 404 page speaks them all).
    tables: Option<&'a crate::i18n::Tables>,
}

/// Total minutes of each module and course: its lessons'.
fn minutes(site: &Site) -> HashMap<PageId, u32> {
    let mut minutes = HashMap::new();
    for p in site.pages.iter().filter(|p| p.kind == PageKind::Module) {
        let m: u32 = p
            .children
            .iter()
            .filter_map(|c| site.page(*c).duration_minutes())
            .sum();
        minutes.insert(p.id, m);
    }
    for p in site.pages.iter().filter(|p| p.kind == PageKind::Course) {
        let m: u32 = p.children.iter().filter_map(|c| minutes.get(c)).sum();
        minutes.insert(p.id, m);
    }
    minutes
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        nav: &'a Nav,
        theme: &'a Theme,
        rendered: &'a [Rendered],
        editions: Option<&'a Context>,
        languages: &'a languages::Context,
        tables: &'a crate::i18n::Tables,
    ) -> Renderer<'a> {
        let strings = tables.of(&site.config.language);
        let base = site.config.base_url.path.as_str();
        let mut sections: Vec<LinkView> = site
            .page(site.home)
            .children
            .iter()
            .map(|c| site.page(*c))
            .filter(|p| p.kind.is_collection())
            .map(|p| LinkView {
                title: p.title.clone(),
                url: format!("{base}{}", p.url),
                lang: p.lang.clone(),
                foreign: p.lang != site.config.language,
                ..Default::default()
            })
            .collect();
        // A header of forty links is a wall on a phone, and every page would carry it twice.
        let more_sections = (sections.len() > HEADER_SECTIONS + 1).then(|| {
            sections.truncate(HEADER_SECTIONS);
            format!("{base}#sections-title")
        });
        let strings_js = theme
            .assets
            .get(&format!("strings.{}.js", site.config.language))
            .map_or("", String::as_str);
        let site_view = SiteView {
            title: &site.config.title,
            description: &site.config.description,
            base,
            lang: &site.config.language,
            assets: &theme.assets,
            strings_js,
            sections,
            more_sections,
            root: &site.config.root.path,
            search: !site.config.archived(),
            brand: site.config.brand.as_ref(),
            offline: site.config.offline,
        };
        let site_value = serde_json::to_value(&site_view).unwrap_or_default();
        let site_key = {
            let mut bytes = Vec::new();
            page::encode_value(&mut bytes, &site_value);
            blake3::hash(&bytes)
        };
        Renderer {
            editions,
            languages,
            site,
            nav,
            theme,
            rendered,
            site_view,
            site_value,
            site_key,
            minutes: minutes(site),
            strings,
            tables: Some(tables),
        }
    }

    fn url(&self, id: PageId) -> String {
        format!(
            "{}{}",
            self.site.config.base_url.path,
            self.site.page(id).url
        )
    }

    /// Text in `lang` is not in the interface's language (its link needs a `lang` attribute).
    fn foreign(&self, lang: &str) -> bool {
        lang != self.site.config.language
    }

    fn link(&self, id: PageId, current: Option<PageId>) -> LinkView {
        let p = self.site.page(id);
        LinkView {
            title: p.title.clone(),
            url: self.url(id),
            current: Some(id) == current,
            number: p.number,
            meta: p
                .duration_minutes()
                .map(|m| duration_label(m, self.strings)),
            id: p.stable_id().map(str::to_string),
            lang: p.lang.clone(),
            foreign: self.foreign(&p.lang),
        }
    }

    fn item(&self, id: PageId) -> ItemView<'a> {
        let p: &'a Page = self.site.page(id);
        let (date_iso, date_long, authors) = match &p.meta {
            Meta::Article { date, authors } => (
                date.map(|d| d.iso()),
                date.map(|d| d.long(self.strings)),
                Some(
                    authors
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ),
            _ => (None, None, None),
        };
        let meta = match p.kind {
            PageKind::Module => self
                .minutes
                .get(&id)
                .map(|m| duration_label(*m, self.strings)),
            _ => p
                .duration_minutes()
                .map(|m| duration_label(m, self.strings)),
        };
        ItemView {
            title: &p.title,
            url: self.url(id),
            description: p.description.as_deref(),
            number: p.number,
            meta,
            date_iso,
            date_long,
            authors,
            id: p.stable_id(),
            lang: &p.lang,
        }
    }

    /// A reference to a monograph: its authors as given, the year when it is known (a
    /// marker that it is not when it is not), the title, the site and the address.
    fn citation(&self, p: &Page, authors: &[Author], date: Option<crate::model::Date>) -> String {
        let names: Vec<&str> = authors.iter().map(|a| a.name.as_str()).collect();
        let names = match names.as_slice() {
            [one] => one.to_string(),
            [init @ .., last] => format!("{}, & {last}", init.join(", ")),
            [] => String::new(),
        };
        let when = match date {
            Some(d) => d.year.to_string(),
            None => self.strings.get("article.no_date").to_string(),
        };
        format!(
            "{names} ({when}). {}. {}. {}",
            p.title.trim_end_matches('.'),
            self.site.config.title,
            self.site.config.base_url.absolute(&p.url)
        )
    }

    /// Renders `view` with template `template`; `extra` adds values to its context.
    fn render_with(
        &self,
        template: &str,
        view: &PageView,
        extra: &[(&str, tera::Value)],
    ) -> Result<String, Diagnostic> {
        let mut context = tera::Context::from_serialize(view).map_err(|e| {
            Diagnostic::error(format!("internal error preparing `{template}`: {e}"))
        })?;
        context.insert("site", &self.site_value);
        for (k, v) in extra {
            context.insert(*k, v);
        }
        self.theme
            .tera_for(&self.site.config.language)
            .render(template, &context)
            .map_err(|e| {
                crate::theme::render_error(&e, template, &view.url, &self.site.config.theme)
            })
    }

    fn render(&self, template: &str, view: &PageView) -> Result<String, Diagnostic> {
        self.render_with(template, view, &[])
    }
}
