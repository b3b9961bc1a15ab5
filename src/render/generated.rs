//! Pages that are not written in Markdown: the book print view, the 404 and offline pages, the
//! search page, My learning, course certificates, "What changed" between editions, and
//! `courses.json` (the courses' structure for the progress script and the SCORM export).

use super::Renderer;
use super::views::{OtherLanguageView, PageView, PrintChapter};
use crate::diagnostics::Diagnostic;
use crate::editions::Changes;
use crate::model::{PageId, PageKind};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// `courses.json`: every course's lessons as this build has them, for progress percentages that
/// follow the build, "My learning", and the SCORM export (which reads it back).
#[derive(Debug, Serialize, Deserialize)]
pub struct CoursesJson {
    pub v: u32,
    pub courses: Vec<CourseJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CourseJson {
    pub id: String,
    pub title: String,
    pub url: String,
    pub minutes: u32,
    pub duration: String,
    pub complete_on: String,
    pub pass_mark: u32,
    pub certificate: String,
    pub modules: Vec<ModuleJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ModuleJson {
    pub id: Option<String>,
    pub title: String,
    pub url: String,
    pub lessons: Vec<LessonJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LessonJson {
    pub id: Option<String>,
    pub title: String,
    pub url: String,
}

impl<'a> Renderer<'a> {
    /// A generated page with the site's header and footer and no text of its own, titled with
    /// the string-table text `title`, at `url`, under the pages `crumbs`.
    fn generated(
        &self,
        kind: &'static str,
        title: &str,
        url: String,
        crumbs: Vec<PageId>,
    ) -> PageView<'_> {
        let mut view = self.frame(self.site.home);
        view.kind = kind;
        view.title = Cow::Owned(self.strings.get(title).to_string());
        view.content = Cow::Borrowed("");
        view.outline = &[];
        view.keypoints = "";
        view.noindex = true;
        view.alternates = Vec::new();
        view.fallback = None;
        view.content_lang = &self.site.config.language;
        view.canonical = self
            .site
            .config
            .base_url
            .absolute(url.trim_start_matches(&self.site.config.base_url.path));
        // The same generated page in another edition or language (search, My learning), where
        // it exists there; the home page's targets otherwise.
        let suffix = url
            .strip_prefix(&self.site.config.base_url.path)
            .unwrap_or("")
            .to_string();
        let shared = matches!(kind, "search" | "my-learning");
        if let (Some(e), Some(cx), true) = (&mut view.edition, self.editions, shared) {
            // `e.all` lists the editions in the order of `cx.list`. An archived edition has no
            // search page: its link stays on its home page.
            for (link, r) in e.all.iter_mut().zip(&cx.list) {
                if kind != "search" || !r.archived {
                    link.url = format!("{}{suffix}", r.base);
                }
            }
            e.latest_url = format!("{}{suffix}", cx.list[0].base);
        }
        for l in view.languages.iter_mut().filter(|_| shared) {
            if let Some(base) = self
                .languages
                .langs
                .iter()
                .find(|x| x.code == l.code)
                .map(|x| x.base.clone())
            {
                l.url = format!("{base}{suffix}");
                l.same = true;
                l.note = String::new();
            }
        }
        view.url = url;
        view.breadcrumbs = crumbs.into_iter().map(|c| self.link(c, None)).collect();
        if let Some(home) = view.breadcrumbs.first_mut() {
            home.title = self.strings.get("nav.home").into();
        }
        view
    }

    /// The one-page print view of book `book`: every chapter, with ids made unique per chapter
    /// and headings moved down a level under the chapter titles.
    pub fn book_print(&self, book: PageId) -> Result<String, Diagnostic> {
        let view = self.print_view(book, true);
        self.render("book-print.html", &view)
    }

    /// A key of everything `book_print` gives its template (the chapters' text by the hash of
    /// their bodies), salted with `salt` (the variant's key: templates and strings): the same
    /// key means the same print view, as `page_context`'s does for a page (`bodies` as there).
    pub fn book_print_key(
        &self,
        book: PageId,
        salt: &[u8],
        bodies: &[Option<blake3::Hash>],
    ) -> [u8; 32] {
        let view = self.print_view(book, false);
        let mut h = blake3::Hasher::new();
        h.update(salt)
            .update(b"book-print")
            .update(self.site_key.as_bytes());
        for c in &self.site.page(book).children {
            h.update(self.body_key(*c, bodies).as_bytes());
        }
        super::page::hash_json(&mut h, &view);
        *h.finalize().as_bytes()
    }

    /// The print view's view; without `content`, its chapters' text left empty.
    fn print_view(&self, book: PageId, content: bool) -> PageView<'_> {
        let b = self.site.page(book);
        let title = self
            .strings
            .fill("book.print_title", &[("title", &b.title)]);
        let mut view = self.frame(book);
        view.kind = "book-print";
        view.title = Cow::Owned(title);
        view.url = format!("{}print/", view.url);
        view.noindex = true;
        view.alternates = Vec::new();
        view.breadcrumbs.push(self.link(book, None));
        // The print view in another language, where the book is in that language's own words.
        for l in view.languages.iter_mut().filter(|l| l.same || l.current) {
            l.url = format!("{}print/", l.url);
        }
        view.chapters = b
            .children
            .iter()
            .map(|c| {
                let p = self.site.page(*c);
                let anchor = format!(
                    "chapter-{}",
                    p.url
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or("x")
                );
                PrintChapter {
                    content: if content {
                        print_chapter(
                            &self.rendered[c.index()].html.text(),
                            &format!("{anchor}--"),
                        )
                    } else {
                        String::new()
                    },
                    anchor,
                    number: p.number,
                    title: p.title.clone(),
                    url: self.url(*c),
                    // A chapter shown in the default language's words (a fallback) says so.
                    lang: self.foreign(&p.lang).then(|| p.lang.clone()),
                }
            })
            .collect();
        view
    }

    /// The 404 page: every URL in it is absolute under the base path, so it works at any depth.
    /// A host answers every missing address with this one page, so it also says what it says
    /// in the site's other languages.
    pub fn not_found(&self) -> Result<String, Diagnostic> {
        let mut view = self.generated(
            "not-found",
            "notfound.title",
            format!("{}404.html", self.site.config.base_url.path),
            Vec::new(),
        );
        view.breadcrumbs = Vec::new();
        view.other_languages = self
            .languages
            .langs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != self.languages.current)
            .map(|(_, l)| {
                let s = self.tables_of(&l.code);
                OtherLanguageView {
                    code: l.code.clone(),
                    title: s.get("notfound.title").to_string(),
                    text: s.get("notfound.text").to_string(),
                    home: s.get("notfound.home").to_string(),
                    url: l.base.clone(),
                }
            })
            .collect();
        self.render("404.html", &view)
    }

    fn tables_of(&self, lang: &str) -> crate::i18n::Strings {
        self.tables
            .map(|t| t.of(lang).clone())
            .unwrap_or_else(|| self.strings.clone())
    }

    /// The page the service worker shows for a page the reader never opened, when the network
    /// is out of reach (`offline.html`). Like the 404 page, every URL in it is absolute.
    pub fn offline_page(&self) -> Result<String, Diagnostic> {
        let mut view = self.generated(
            "offline",
            "offline.title",
            format!("{}offline.html", self.site.config.base_url.path),
            Vec::new(),
        );
        view.breadcrumbs = Vec::new();
        self.render("offline.html", &view)
    }

    /// "What changed": the pages added, removed and changed in this edition since the one
    /// before it.
    pub fn changes(&self, changes: &Changes) -> Result<String, Diagnostic> {
        let view = self.generated(
            "changes",
            "changes.title",
            format!("{}changes/", self.site.config.base_url.path),
            vec![self.site.home],
        );
        let changes = serde_json::to_value(changes).unwrap_or_default();
        self.render_with("changes.html", &view, &[("changes", changes)])
    }

    /// "My learning" (`my-learning/`): every course the reader has started on this site, from
    /// the browser's storage, with export, import and reset.
    pub fn my_learning(&self) -> Result<String, Diagnostic> {
        let view = self.generated(
            "my-learning",
            "learning.title",
            format!("{}my-learning/", self.site.config.base_url.path),
            vec![self.site.home],
        );
        self.render("my-learning.html", &view)
    }

    /// The printable certificate page of course `course`, filled in by the browser once every
    /// lesson is complete.
    pub fn certificate(&self, course: PageId) -> Result<String, Diagnostic> {
        let url = format!("{}certificate/", self.url(course));
        let mut crumbs: Vec<PageId> = self.site.ancestors(course).map(|p| p.id).collect();
        crumbs.reverse();
        crumbs.push(course);
        let mut view = self.generated("certificate", "certificate.title", url, crumbs);
        // The switchers lead to the course's certificate in the other language (every variant
        // writes one per course), and to the course in another edition: the course page's
        // targets, not the home page's.
        let frame = self.frame(course);
        view.languages = frame
            .languages
            .into_iter()
            .map(|mut l| {
                if l.same || l.current {
                    l.url = format!("{}certificate/", l.url);
                }
                l
            })
            .collect();
        view.edition = frame.edition;
        if let Some(e) = &mut view.edition {
            for l in e.all.iter_mut().filter(|l| l.current) {
                l.url = view.url.clone();
            }
        }
        view.course = self.course_view(course, false, course);
        self.render("certificate.html", &view)
    }

    /// The search results page (`search/`): the results come from `search.js`; without
    /// JavaScript it says so.
    pub fn search_page(&self) -> Result<String, Diagnostic> {
        let view = self.generated(
            "search",
            "search.title",
            format!("{}search/", self.site.config.base_url.path),
            vec![self.site.home],
        );
        self.render("search.html", &view)
    }

    /// The courses of this variant, as `courses.json` holds them.
    pub fn courses(&self) -> CoursesJson {
        let courses = self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Course)
            .filter_map(|c| self.course_view(c.id, true, c.id))
            .map(|view| CourseJson {
                id: view.id.to_string(),
                title: view.title.to_string(),
                certificate: format!("{}certificate/", view.url),
                url: view.url,
                minutes: view.minutes,
                duration: view.duration_label,
                complete_on: view.complete_on.to_string(),
                pass_mark: view.pass_mark,
                modules: view
                    .modules
                    .into_iter()
                    .map(|m| ModuleJson {
                        id: m.id.map(str::to_string),
                        title: m.title.to_string(),
                        url: m.url,
                        lessons: m
                            .lessons
                            .into_iter()
                            .map(|l| LessonJson {
                                id: l.id.map(str::to_string),
                                title: l.title.to_string(),
                                url: l.url,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        CoursesJson { v: 1, courses }
    }

    /// `courses.json`.
    pub fn courses_json(&self) -> String {
        serde_json::to_string(&self.courses()).unwrap_or_default()
    }
}

/// A chapter's HTML for the book's print view: every id (and every reference to one: `href`,
/// `for`, `aria-*`) prefixed with `prefix`, so that all chapters can share one page, and each
/// heading moved down a level, under the chapter's own title. Read with lol_html, so only tags
/// and attributes are touched, never text.
pub fn print_chapter(html: &str, prefix: &str) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let settings = RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
        for attr in ["id", "for"] {
            if let Some(v) = el.get_attribute(attr) {
                el.set_attribute(attr, &format!("{prefix}{v}"))?;
            }
        }
        for attr in ["aria-describedby", "aria-labelledby", "aria-controls"] {
            if let Some(v) = el.get_attribute(attr) {
                let ids: Vec<String> = v
                    .split_whitespace()
                    .map(|i| format!("{prefix}{i}"))
                    .collect();
                el.set_attribute(attr, &ids.join(" "))?;
            }
        }
        if let Some(v) = el.get_attribute("href") {
            if let Some(fragment) = v.strip_prefix('#') {
                el.set_attribute("href", &format!("#{prefix}{fragment}"))?;
            }
        }
        let tag = el.tag_name();
        if let Some(level) = tag
            .strip_prefix('h')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|l| (2..=5).contains(l))
        {
            el.set_tag_name(&format!("h{}", level + 1))?;
        }
        Ok(())
    }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_view_ids_are_prefixed_and_headings_demoted() {
        let html = "<h2 id=\"a\">A <a href=\"#a\">#</a></h2><label for=\"q\">Text with id=\"x\" and href=\"#y\"</label><h6>z</h6>";
        assert_eq!(
            print_chapter(html, "c1--"),
            "<h3 id=\"c1--a\">A <a href=\"#c1--a\">#</a></h3><label for=\"c1--q\">Text with id=\"x\" and href=\"#y\"</label><h6>z</h6>"
        );
    }
}
