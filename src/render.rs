//! Templates: builds a typed, borrowed view of each page (never the model itself, never an
//! untyped map) and renders it with the theme's Tera template for the page's kind. Also the
//! generated files that are not pages of content: the book print views, Atom feeds, the
//! sitemap, robots.txt and the 404 page. Pure: returns strings, writes nothing.

use crate::diagnostics::Diagnostic;
use crate::editions::{Changes, Context};
use crate::frontmatter::Author;
use crate::markdown::{Heading, Rendered};
use crate::model::{Meta, Page, PageId, PageKind, Site};
use crate::nav::{self, Nav};
use crate::theme::Theme;
use crate::util::escape_html;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Collections linked from every page's header and footer; past this (and one more), the rest
/// are reached from the home page's list of every collection.
pub const HEADER_SECTIONS: usize = 6;

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    /// The base path, starting and ending with `/`.
    base: &'a str,
    lang: &'a str,
    assets: &'a BTreeMap<String, String>,
    /// The collections linked from the header and footer: all of them, or the first
    /// [`HEADER_SECTIONS`] when there are more.
    sections: Vec<LinkView>,
    /// The home page's list of every collection, when `sections` does not hold them all.
    more_sections: Option<String>,
    /// The site's root path, the same in every edition (progress is kept under it).
    root: &'a str,
    /// False in archived editions, which have no search.
    search: bool,
    brand: Option<&'a crate::config::Brand>,
    /// True when pages register the service worker (`offline` on, and never in `serve`).
    offline: bool,
}

#[derive(Serialize)]
struct EditionView {
    label: String,
    latest: bool,
    archived: bool,
    latest_label: String,
    /// This page (or its nearest ancestor) in the latest edition.
    latest_url: String,
    /// Every edition, this one marked current, each link leading to this page there.
    all: Vec<LinkView>,
    changes_url: Option<String>,
}

#[derive(Serialize, Clone, Default)]
struct LinkView {
    title: String,
    url: String,
    current: bool,
    number: Option<usize>,
    /// e.g. "20 min" beside a lesson.
    meta: Option<String>,
    id: Option<String>,
}

#[derive(Serialize)]
struct ItemView<'a> {
    title: &'a str,
    url: String,
    description: Option<&'a str>,
    number: Option<usize>,
    meta: Option<String>,
    date_iso: Option<String>,
    date_long: Option<String>,
    authors: Option<String>,
    id: Option<&'a str>,
    lang: &'a str,
}

#[derive(Serialize)]
struct GroupView {
    title: String,
    url: String,
    number: Option<usize>,
    current: bool,
    items: Vec<LinkView>,
}

#[derive(Serialize)]
struct SidebarView {
    title: String,
    url: String,
    label: &'static str,
    items: Vec<LinkView>,
    groups: Vec<GroupView>,
    /// True when entries were left out (long collections); the template links to `url`.
    truncated: bool,
    total: usize,
}

#[derive(Serialize)]
struct ArticleView<'a> {
    date_iso: Option<String>,
    date_long: Option<String>,
    authors: &'a [Author],
    citation: String,
}

#[derive(Serialize)]
struct LessonView<'a> {
    id: Option<&'a str>,
    /// Each objective as HTML (objectives are inline Markdown).
    objectives: Vec<String>,
    questions: Vec<String>,
    duration: Option<u32>,
}

#[derive(Serialize)]
struct ModuleView<'a> {
    title: &'a str,
    url: String,
    id: Option<&'a str>,
    number: Option<usize>,
    description: Option<&'a str>,
    minutes: u32,
    duration_label: String,
    lessons: Vec<ItemView<'a>>,
    current: bool,
}

#[derive(Serialize)]
struct CourseView<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    minutes: u32,
    duration_label: String,
    lesson_count: usize,
    module_count: usize,
    complete_on: &'static str,
    pass_mark: u32,
    modules: Vec<ModuleView<'a>>,
}

#[derive(Serialize)]
struct PrintChapter {
    anchor: String,
    number: Option<usize>,
    title: String,
    url: String,
    content: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    site: &'a SiteView<'a>,
    kind: &'static str,
    title: &'a str,
    description: &'a str,
    /// Path of the page under the base path, e.g. `/pd/playbook/lessons/`.
    url: String,
    canonical: String,
    lang: &'a str,
    og_type: &'static str,
    content: Cow<'a, str>,
    outline: &'a [Heading],
    breadcrumbs: Vec<LinkView>,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    sidebar: Option<SidebarView>,
    children: Vec<ItemView<'a>>,
    number: Option<usize>,
    /// The number of the parent (a course lesson's module).
    parent_number: Option<usize>,
    article: Option<ArticleView<'a>>,
    lesson: Option<LessonView<'a>>,
    course: Option<CourseView<'a>>,
    feed_url: Option<String>,
    print_url: Option<String>,
    chapters: Vec<PrintChapter>,
    noindex: bool,
    edition: Option<EditionView>,
    /// The collection this page is in, when the header does not link it (a site with more
    /// collections than [`HEADER_SECTIONS`]): the header shows it, marked current.
    hidden_section: Option<LinkView>,
}

/// Minutes of a duration as "3 h 45 min", "45 min" or "2 h".
pub fn duration_label(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

pub struct Renderer<'a> {
    editions: Option<&'a Context>,
    site: &'a Site,
    nav: &'a Nav,
    theme: &'a Theme,
    rendered: &'a [Rendered],
    site_view: SiteView<'a>,
    /// Total minutes and lesson count of each module and course.
    minutes: HashMap<PageId, u32>,
    /// The interface text of the language being built.
    strings: &'a crate::i18n::Strings,
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        nav: &'a Nav,
        theme: &'a Theme,
        rendered: &'a [Rendered],
        editions: Option<&'a Context>,
        strings: &'a crate::i18n::Strings,
    ) -> Renderer<'a> {
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
                ..Default::default()
            })
            .collect();
        // A header of forty links is a wall on a phone, and every page would carry it twice.
        let more_sections = (sections.len() > HEADER_SECTIONS + 1).then(|| {
            sections.truncate(HEADER_SECTIONS);
            format!("{base}#sections-title")
        });
        let site_view = SiteView {
            title: &site.config.title,
            description: &site.config.description,
            base,
            lang: &site.config.language,
            assets: &theme.assets,
            sections,
            more_sections,
            root: &site.config.root.path,
            search: !site.config.archived(),
            brand: site.config.brand.as_ref(),
            offline: site.config.offline,
        };
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
        Renderer {
            editions,
            site,
            nav,
            theme,
            rendered,
            site_view,
            minutes,
            strings,
        }
    }

    fn url(&self, id: PageId) -> String {
        format!(
            "{}{}",
            self.site.config.base_url.path,
            self.site.page(id).url
        )
    }

    fn link(&self, id: PageId, current: Option<PageId>) -> LinkView {
        let p = self.site.page(id);
        LinkView {
            title: p.title.clone(),
            url: self.url(id),
            current: Some(id) == current,
            number: p.number,
            meta: p.duration_minutes().map(|m| format!("{m} min")),
            id: p.stable_id().map(str::to_string),
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
            PageKind::Module => self.minutes.get(&id).map(|m| duration_label(*m)),
            _ => p.duration_minutes().map(|m| format!("{m} min")),
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

    fn breadcrumbs(&self, id: PageId) -> Vec<LinkView> {
        let mut crumbs: Vec<LinkView> = self
            .site
            .ancestors(id)
            .map(|p| self.link(p.id, None))
            .collect();
        crumbs.reverse();
        if let Some(first) = crumbs.first_mut() {
            if first.url == self.site.config.base_url.path {
                first.title = "Home".into();
            }
        }
        crumbs
    }

    fn list_sidebar(
        &self,
        collection: PageId,
        current: PageId,
        label: &'static str,
    ) -> SidebarView {
        let c = self.site.page(collection);
        let (items, truncated) = nav::window(&c.children, Some(current));
        SidebarView {
            title: c.title.clone(),
            url: self.url(collection),
            label,
            items: items.iter().map(|i| self.link(*i, Some(current))).collect(),
            groups: Vec::new(),
            truncated,
            total: c.children.len(),
        }
    }

    fn course_sidebar(&self, course: PageId, current: PageId) -> SidebarView {
        let c = self.site.page(course);
        let lessons = self.nav.course_lessons(course);
        let big = lessons.len() > nav::SIDEBAR_LIMIT;
        let current_module = if self.site.page(current).kind == PageKind::Module {
            Some(current)
        } else {
            self.site.page(current).parent
        };
        let groups = c
            .children
            .iter()
            .map(|m| {
                let module = self.site.page(*m);
                let is_current = Some(*m) == current_module;
                let items = if big && !is_current {
                    Vec::new()
                } else {
                    nav::window(&module.children, Some(current))
                        .0
                        .iter()
                        .map(|l| self.link(*l, Some(current)))
                        .collect()
                };
                GroupView {
                    title: module.title.clone(),
                    url: self.url(*m),
                    number: module.number,
                    current: *m == current,
                    items,
                }
            })
            .collect();
        SidebarView {
            title: c.title.clone(),
            url: self.url(course),
            label: "Course contents",
            items: Vec::new(),
            groups,
            truncated: big,
            total: lessons.len(),
        }
    }

    fn course_view(
        &self,
        course: PageId,
        with_modules: bool,
        current: PageId,
    ) -> Option<CourseView<'a>> {
        let c: &'a Page = self.site.page(course);
        let Meta::Course {
            id,
            complete_on,
            pass_mark,
        } = &c.meta
        else {
            return None;
        };
        let minutes = self.minutes.get(&course).copied().unwrap_or(0);
        let modules = if with_modules {
            c.children
                .iter()
                .map(|m| {
                    let module: &'a Page = self.site.page(*m);
                    let mm = self.minutes.get(m).copied().unwrap_or(0);
                    ModuleView {
                        title: &module.title,
                        url: self.url(*m),
                        id: module.stable_id(),
                        number: module.number,
                        description: module.description.as_deref(),
                        minutes: mm,
                        duration_label: duration_label(mm),
                        lessons: module.children.iter().map(|l| self.item(*l)).collect(),
                        current: *m == current,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(CourseView {
            id,
            title: &c.title,
            url: self.url(course),
            minutes,
            duration_label: duration_label(minutes),
            lesson_count: self.nav.course_lessons(course).len(),
            module_count: c.children.len(),
            complete_on: complete_on.as_str(),
            pass_mark: *pass_mark,
            modules,
        })
    }

    /// A reference to a monograph: its authors as given, the date only as precisely as it is
    /// known (no date when none is), the title, the site and the address.
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

    fn view(&self, id: PageId) -> PageView<'_> {
        let site = self.site;
        let p: &'a Page = site.page(id);
        let r: &'a Rendered = &self.rendered[id.index()];
        let parent = p.parent;
        let prevnext = |x: Option<PageId>| x.map(|i| self.link(i, None));
        let sidebar = match p.kind {
            PageKind::Chapter => parent.map(|b| self.list_sidebar(b, id, "Book contents")),
            PageKind::Lesson => parent.map(|b| self.list_sidebar(b, id, "Lessons")),
            PageKind::Book => Some(self.list_sidebar(id, id, "Book contents")),
            PageKind::CourseLesson | PageKind::Module => {
                site.course_of(id).map(|c| self.course_sidebar(c.id, id))
            }
            _ => None,
        };
        let children = match p.kind {
            PageKind::Course => Vec::new(),
            _ if p.kind.is_collection()
                || p.kind == PageKind::Module
                || p.kind == PageKind::Home =>
            {
                p.children.iter().map(|c| self.item(*c)).collect()
            }
            _ => Vec::new(),
        };
        let article = match &p.meta {
            Meta::Article { date, authors } => Some(ArticleView {
                date_iso: date.map(|d| d.iso()),
                date_long: date.map(|d| d.long(self.strings)),
                authors,
                citation: self.citation(p, authors, *date),
            }),
            _ => None,
        };
        let lesson = match &p.meta {
            Meta::Lesson {
                id,
                objectives,
                questions,
                duration_minutes,
            } => Some(LessonView {
                id: id.as_deref(),
                objectives: objectives
                    .iter()
                    .map(|o| crate::markdown::inline(o))
                    .collect(),
                questions: questions
                    .iter()
                    .map(|o| crate::markdown::inline(o))
                    .collect(),
                duration: *duration_minutes,
            }),
            _ => None,
        };
        let course = match p.kind {
            PageKind::Course => self.course_view(id, true, id),
            PageKind::Module | PageKind::CourseLesson => site
                .course_of(id)
                .and_then(|c| self.course_view(c.id, false, id)),
            _ => None,
        };
        let (prev, next) = match p.kind {
            PageKind::Chapter | PageKind::Lesson | PageKind::Article | PageKind::CourseLesson => {
                (prevnext(self.nav.prev(id)), prevnext(self.nav.next(id)))
            }
            PageKind::Module => (None, p.children.first().map(|c| self.link(*c, None))),
            PageKind::Course => (
                None,
                self.nav
                    .course_lessons(id)
                    .first()
                    .map(|c| self.link(*c, None)),
            ),
            PageKind::Book | PageKind::Lessons => {
                (None, p.children.first().map(|c| self.link(*c, None)))
            }
            _ => (None, None),
        };
        let hidden_section = self.site_view.more_sections.as_ref().and_then(|_| {
            let top = std::iter::once(p)
                .chain(site.ancestors(id))
                .find(|a| a.parent == Some(site.home))?;
            let url = self.url(top.id);
            (top.kind.is_collection() && !self.site_view.sections.iter().any(|s| s.url == url))
                .then(|| LinkView {
                    title: top.title.clone(),
                    url,
                    ..Default::default()
                })
        });
        PageView {
            site: &self.site_view,
            hidden_section,
            kind: p.kind.as_str(),
            title: &p.title,
            description: p.description.as_deref().unwrap_or(&site.config.description),
            url: self.url(id),
            canonical: match self.editions {
                Some(cx) if !cx.is_latest() => {
                    format!("{}{}", site.config.root.origin, cx.target(site, id, 0))
                }
                _ => site.config.base_url.absolute(&p.url),
            },
            lang: &p.lang,
            og_type: if p.kind == PageKind::Article {
                "article"
            } else {
                "website"
            },
            content: r.html.text(),
            outline: &r.outline,
            breadcrumbs: if p.kind == PageKind::Home {
                Vec::new()
            } else {
                self.breadcrumbs(id)
            },
            prev,
            next,
            sidebar,
            children,
            number: p.number,
            parent_number: parent.and_then(|x| site.page(x).number),
            article,
            lesson,
            course,
            feed_url: (p.kind == PageKind::Articles).then(|| format!("{}atom.xml", self.url(id))),
            print_url: match p.kind {
                PageKind::Book => Some(format!("{}print/", self.url(id))),
                PageKind::Chapter => parent.map(|b| format!("{}print/", self.url(b))),
                _ => None,
            },
            chapters: Vec::new(),
            noindex: self.editions.is_some_and(|cx| !cx.is_latest()),
            edition: self.editions.map(|cx| self.edition_view(cx, id)),
        }
    }

    fn render(&self, template: &str, view: &PageView) -> Result<String, Diagnostic> {
        let context = tera::Context::from_serialize(view).map_err(|e| {
            Diagnostic::error(format!("internal error preparing `{template}`: {e}"))
        })?;
        self.theme.tera.render(template, &context).map_err(|e| {
            let mut d = crate::theme::template_error(&e, &self.site.config.theme, &[]);
            d.message = format!(
                "the template `{template}` failed while rendering `/{}`: {}",
                view.url,
                chain(&e)
            );
            d
        })
    }

    /// The HTML of page `id`, rendered with the template named after its kind.
    pub fn page(&self, id: PageId) -> Result<String, Diagnostic> {
        let view = self.view(id);
        self.render(&format!("{}.html", view.kind), &view)
    }

    /// The one-page print view of book `book`: every chapter, with ids made unique per chapter
    /// and headings moved down a level under the chapter titles.
    pub fn book_print(&self, book: PageId) -> Result<String, Diagnostic> {
        let mut view = self.view(book);
        view.kind = "book-print";
        view.url = format!("{}print/", view.url);
        view.noindex = true;
        view.sidebar = None;
        view.prev = None;
        view.next = None;
        view.children = Vec::new();
        view.breadcrumbs.push(self.link(book, None));
        view.chapters = self
            .site
            .page(book)
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
                    content: prefix_ids(
                        &demote_headings(&self.rendered[c.index()].html.text()),
                        &format!("{anchor}--"),
                    ),
                    anchor,
                    number: p.number,
                    title: p.title.clone(),
                    url: self.url(*c),
                }
            })
            .collect();
        self.render("book-print.html", &view)
    }

    /// The 404 page: every URL in it is absolute under the base path, so it works at any depth.
    pub fn not_found(&self) -> Result<String, Diagnostic> {
        let mut view = self.view(self.site.home);
        view.kind = "not-found";
        view.title = "Page not found";
        view.content = Cow::Borrowed("");
        view.outline = &[];
        view.children = Vec::new();
        view.noindex = true;
        view.url = format!("{}404.html", self.site.config.base_url.path);
        self.render("404.html", &view)
    }

    /// The page the service worker shows for a page the reader never opened, when the network
    /// is out of reach (`offline.html`). Like the 404 page, every URL in it is absolute.
    pub fn offline_page(&self) -> Result<String, Diagnostic> {
        let mut view = self.view(self.site.home);
        view.kind = "offline";
        view.title = "Not saved for offline reading";
        view.content = Cow::Borrowed("");
        view.outline = &[];
        view.children = Vec::new();
        view.noindex = true;
        view.breadcrumbs = Vec::new();
        view.prev = None;
        view.next = None;
        view.sidebar = None;
        view.url = format!("{}offline.html", self.site.config.base_url.path);
        view.canonical = self.site.config.base_url.absolute("offline.html");
        self.render("offline.html", &view)
    }

    fn edition_view(&self, cx: &Context, id: PageId) -> EditionView {
        let current = &cx.list[cx.current];
        EditionView {
            label: current.label.clone(),
            latest: cx.is_latest(),
            archived: current.archived,
            latest_label: cx.list[0].label.clone(),
            latest_url: cx.target(self.site, id, 0),
            all: cx
                .list
                .iter()
                .enumerate()
                .map(|(i, e)| LinkView {
                    title: e.label.clone(),
                    url: if i == cx.current {
                        self.url(id)
                    } else {
                        cx.target(self.site, id, i)
                    },
                    current: i == cx.current,
                    ..Default::default()
                })
                .collect(),
            changes_url: (cx.current + 1 < cx.list.len())
                .then(|| format!("{}changes/", current.base)),
        }
    }

    /// "What changed": the pages added, removed and changed in this edition since the one
    /// before it.
    pub fn changes(&self, changes: &Changes) -> Result<String, Diagnostic> {
        let title = "What changed in this edition";
        let view = self.generated(
            "changes",
            title,
            format!("{}changes/", self.site.config.base_url.path),
            vec![self.site.home],
        );
        let context = tera::Context::from_serialize(&view).map(|mut c| {
            c.insert("changes", changes);
            c
        });
        let context = context.map_err(|e| {
            Diagnostic::error(format!("internal error preparing `changes.html`: {e}"))
        })?;
        self.theme
            .tera
            .render("changes.html", &context)
            .map_err(|e| {
                let mut d = crate::theme::template_error(&e, &self.site.config.theme, &[]);
                d.message = format!("the template `changes.html` failed: {}", chain(&e));
                d
            })
    }

    /// A generated page (not from a Markdown file) with the site's header and footer.
    fn generated(
        &self,
        kind: &'static str,
        title: &'a str,
        url: String,
        crumbs: Vec<PageId>,
    ) -> PageView<'_> {
        let mut view = self.view(self.site.home);
        view.kind = kind;
        view.title = title;
        view.content = Cow::Borrowed("");
        view.outline = &[];
        view.children = Vec::new();
        view.noindex = true;
        view.canonical = self
            .site
            .config
            .base_url
            .absolute(url.trim_start_matches(&self.site.config.base_url.path));
        view.url = url;
        view.breadcrumbs = crumbs.into_iter().map(|c| self.link(c, None)).collect();
        if let Some(home) = view.breadcrumbs.first_mut() {
            home.title = "Home".into();
        }
        view
    }

    /// "My learning" (`my-learning/`): every course the reader has started on this site, from
    /// the browser's storage, with export, import and reset.
    pub fn my_learning(&self) -> Result<String, Diagnostic> {
        let view = self.generated(
            "my-learning",
            "My learning",
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
        let mut view = self.generated("certificate", "Certificate of completion", url, crumbs);
        view.course = self.course_view(course, false, course);
        self.render("certificate.html", &view)
    }

    /// `courses.json`: every course's current lessons, for progress percentages that follow the
    /// build, and for "My learning".
    pub fn courses_json(&self) -> String {
        let courses: Vec<serde_json::Value> = self
            .site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Course)
            .filter_map(|c| {
                let view = self.course_view(c.id, true, c.id)?;
                Some(serde_json::json!({
                    "id": view.id,
                    "title": view.title,
                    "url": view.url,
                    "minutes": view.minutes,
                    "duration": view.duration_label,
                    "complete_on": view.complete_on,
                    "pass_mark": view.pass_mark,
                    "certificate": format!("{}certificate/", view.url),
                    "modules": view.modules.iter().map(|m| serde_json::json!({
                        "id": m.id, "title": m.title, "url": m.url,
                        "lessons": m.lessons.iter().map(|l| serde_json::json!({"id": l.id, "title": l.title, "url": l.url})).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }))
            })
            .collect();
        serde_json::json!({ "v": 1, "courses": courses }).to_string()
    }

    /// The search results page (`search/`): the results come from `search.js`; without
    /// JavaScript it says so.
    pub fn search_page(&self) -> Result<String, Diagnostic> {
        let mut view = self.view(self.site.home);
        view.kind = "search";
        view.title = "Search";
        view.content = Cow::Borrowed("");
        view.outline = &[];
        view.children = Vec::new();
        view.noindex = true;
        view.url = format!("{}search/", self.site.config.base_url.path);
        view.canonical = self.site.config.base_url.absolute("search/");
        view.breadcrumbs = vec![self.link(self.site.home, None)];
        if let Some(home) = view.breadcrumbs.first_mut() {
            home.title = "Home".into();
        }
        self.render("search.html", &view)
    }

    /// The Atom feed of an `articles` collection, newest first.
    pub fn atom(&self, collection: PageId) -> String {
        let site = self.site;
        let c = site.page(collection);
        let abs = |p: &Page| escape_html(&site.config.base_url.absolute(&p.url));
        let mut entries = String::new();
        let mut updated = String::from("1970-01-01");
        for id in &c.children {
            let p = site.page(*id);
            let Meta::Article { date, authors } = &p.meta else {
                continue;
            };
            let day = date.map_or_else(|| "1970-01-01".to_string(), |d| d.first_day());
            if day > updated {
                updated = day.clone();
            }
            let authors: String = authors
                .iter()
                .map(|a| format!("<author><name>{}</name></author>", escape_html(&a.name)))
                .collect();
            entries.push_str(&format!(
                "<entry><title>{}</title><link href=\"{}\"/><id>{}</id><updated>{}T00:00:00Z</updated>{}<summary>{}</summary></entry>\n",
                escape_html(&p.title),
                abs(p),
                abs(p),
                day,
                authors,
                escape_html(p.description.as_deref().unwrap_or(""))
            ));
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{} — {}</title>\n<link href=\"{}\"/>\n<link rel=\"self\" href=\"{}atom.xml\"/>\n<id>{}</id>\n<updated>{updated}T00:00:00Z</updated>\n{entries}</feed>\n",
            escape_html(&c.title),
            escape_html(&site.config.title),
            abs(c),
            abs(c),
            abs(c)
        )
    }

    pub fn sitemap(&self) -> String {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for p in &self.site.pages {
            let lastmod = match &p.meta {
                Meta::Article {
                    date: Some(date), ..
                } => format!("<lastmod>{}</lastmod>", date.iso()),
                _ => String::new(),
            };
            out.push_str(&format!(
                "<url><loc>{}</loc>{lastmod}</url>\n",
                escape_html(&self.site.config.base_url.absolute(&p.url))
            ));
        }
        out.push_str("</urlset>\n");
        out
    }

    pub fn robots(&self) -> String {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            self.site.config.base_url.absolute("sitemap.xml")
        )
    }
}

fn chain(e: &tera::Error) -> String {
    use std::error::Error as _;
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

/// Moves every heading of rendered HTML down one level (`h2` → `h3` …, `h6` stays).
fn demote_headings(html: &str) -> String {
    let mut s = html.to_string();
    for level in (2..=5).rev() {
        s = s
            .replace(&format!("<h{level}"), &format!("<h{}", level + 1))
            .replace(&format!("</h{level}>"), &format!("</h{}>", level + 1));
    }
    s
}

/// Prefixes every id, fragment link and label reference in rendered HTML with `prefix`, so
/// several pages can share one document without clashing ids.
fn prefix_ids(html: &str, prefix: &str) -> String {
    html.replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"))
        .replace(" for=\"", &format!(" for=\"{prefix}"))
        .replace(
            "aria-describedby=\"",
            &format!("aria-describedby=\"{prefix}"),
        )
        .replace("aria-labelledby=\"", &format!("aria-labelledby=\"{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_label(45), "45 min");
        assert_eq!(duration_label(120), "2 h");
        assert_eq!(duration_label(225), "3 h 45 min");
    }

    #[test]
    fn print_view_ids_are_prefixed_and_headings_demoted() {
        let html = "<h2 id=\"a\">A <a href=\"#a\">#</a></h2><label for=\"q\">";
        assert_eq!(
            prefix_ids(&demote_headings(html), "c1--"),
            "<h3 id=\"c1--a\">A <a href=\"#c1--a\">#</a></h3><label for=\"c1--q\">"
        );
    }
}
