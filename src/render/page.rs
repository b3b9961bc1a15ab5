//! The view of a page of content: what every page shows (header, languages, editions,
//! breadcrumbs) and what its kind adds (a sidebar, listings, a monograph's byline, a lesson's
//! objectives, a course's modules, previous and next).

use super::views::*;
use super::{Renderer, duration_label};
use crate::diagnostics::Diagnostic;
use crate::markdown::Html;
use crate::model::{Meta, Page, PageId, PageKind, Version};
use crate::nav;
use std::borrow::Cow;

/// A page's template context, its body not yet in (see [`Renderer::page_context`]).
pub struct PageContext {
    id: PageId,
    template: String,
    url: String,
    context: tera::Context,
}

impl<'a> Renderer<'a> {
    /// Page `id`'s template context without its body yet, and, with `key` (the salt and the
    /// body hashes, see `build::cache`), the key of everything its template receives: the
    /// context with the body replaced by the hash of its bytes ([`body_hash`], from the
    /// hashes when they hold the page's), and the salt. The view is built and turned into a
    /// context once, and the key is taken from that context, so a page whose file is reused
    /// costs no more than its key.
    pub fn page_context(
        &self,
        id: PageId,
        key: Option<(&[u8], &[Option<blake3::Hash>])>,
    ) -> Result<(PageContext, Option<[u8; 32]>), Diagnostic> {
        let view = self.view(id);
        let template = format!("{}.html", view.kind);
        let mut value = serde_json::to_value(&view).map_err(|e| {
            Diagnostic::error(format!("internal error preparing `{template}`: {e}"))
        })?;
        let key = key.map(|(salt, bodies)| {
            let mut bytes = Vec::with_capacity(16 * 1024);
            encode_value(&mut bytes, &value);
            let mut h = blake3::Hasher::new();
            h.update(salt)
                .update(self.body_key(id, bodies).as_bytes())
                .update(self.site_key.as_bytes())
                .update(&bytes);
            *h.finalize().as_bytes()
        });
        if let Some(map) = value.as_object_mut() {
            map.insert("site".into(), self.site_value.clone());
        }
        let context = tera::Context::from_value(value).map_err(|e| {
            Diagnostic::error(format!("internal error preparing `{template}`: {e}"))
        })?;
        Ok((
            PageContext {
                id,
                template,
                url: view.url,
                context,
            },
            key,
        ))
    }

    /// The HTML of the page of `cx` (from [`Renderer::page_context`]), its body put in.
    pub fn render_page(&self, mut cx: PageContext) -> Result<String, Diagnostic> {
        cx.context
            .insert("content", &self.rendered[cx.id.index()].html.text());
        self.theme
            .tera_for(&self.site.config.language)
            .render(&cx.template, &cx.context)
            .map_err(|e| {
                crate::theme::render_error(&e, &cx.template, &cx.url, &self.site.config.theme)
            })
    }

    /// The [`body_hash`] of page `id`'s body: `bodies`' when it holds the page's.
    pub(super) fn body_key(&self, id: PageId, bodies: &[Option<blake3::Hash>]) -> blake3::Hash {
        match bodies.get(id.index()) {
            Some(Some(h)) => *h,
            _ => body_hash(&self.rendered[id.index()].html),
        }
    }

    /// The view of page `id` with an empty body ([`Renderer::render_page`] puts the body in).
    fn view(&self, id: PageId) -> PageView<'_> {
        let mut view = self.frame_with(id, false);
        let p = self.site.page(id);
        view.sidebar = nav::sidebar(self.site, self.nav, id).map(|s| self.sidebar_view(&s, id));
        view.children = self.children(p);
        view.article = self.article_view(p);
        view.lesson = self.lesson_view(p);
        view.course = match p.kind {
            PageKind::Course => self.course_view(id, true, id),
            PageKind::Module | PageKind::CourseLesson => self
                .site
                .course_of(id)
                .and_then(|c| self.course_view(c.id, p.kind == PageKind::Module, id)),
            _ => None,
        };
        (view.prev, view.next) = self.prev_next(p);
        view.feed_url = (p.kind == PageKind::Articles).then(|| format!("{}atom.xml", self.url(id)));
        view.print_url = match p.kind {
            PageKind::Book => Some(format!("{}print/", self.url(id))),
            PageKind::Chapter => p.parent.map(|b| format!("{}print/", self.url(b))),
            _ => None,
        };
        view
    }

    /// What every page shows, whatever its kind.
    pub(super) fn frame(&self, id: PageId) -> PageView<'_> {
        self.frame_with(id, true)
    }

    fn frame_with(&self, id: PageId, content: bool) -> PageView<'_> {
        let site = self.site;
        let p: &'a Page = site.page(id);
        let r = &self.rendered[id.index()];
        PageView {
            hidden_section: self.hidden_section(p),
            kind: p.kind.as_str(),
            title: Cow::Borrowed(&p.title),
            description: p.description.as_deref().unwrap_or(&site.config.description),
            url: self.url(id),
            canonical: self.canonical(p),
            content_lang: &p.lang,
            og_type: if p.kind == PageKind::Article {
                "article"
            } else {
                "website"
            },
            content: if content {
                r.html.text()
            } else {
                Cow::Borrowed("")
            },
            outline: &r.outline,
            breadcrumbs: self.breadcrumbs(id),
            prev: None,
            next: None,
            sidebar: None,
            children: Vec::new(),
            number: p.number,
            parent_number: p.parent.and_then(|x| site.page(x).number),
            article: None,
            lesson: None,
            course: None,
            feed_url: None,
            print_url: None,
            chapters: Vec::new(),
            noindex: self.editions.is_some_and(|cx| !cx.is_latest()),
            edition: self.editions.map(|cx| self.edition_view(cx, id)),
            languages: self.language_views(id),
            alternates: self.alternates(p),
            fallback: self.fallback_view(p),
            other_languages: Vec::new(),
            keypoints: &r.extras.keypoints,
            solutions: r.extras.solutions,
            newest_article: (p.kind == PageKind::Home)
                .then(|| self.newest_article())
                .flatten(),
        }
    }

    /// The address search engines should keep: the latest edition's for an older edition's
    /// page, the page in its own language for a page shown in another.
    fn canonical(&self, p: &Page) -> String {
        let site = self.site;
        let origin = &site.config.root.origin;
        if p.version == Version::Fallback {
            if let Some(url) = self.languages.original(&p.rel, &p.lang) {
                return format!("{origin}{url}");
            }
        }
        match self.editions {
            Some(cx) if !cx.is_latest() => format!("{origin}{}", cx.target(site, p.id, 0)),
            _ => site.config.base_url.absolute(&p.url),
        }
    }

    /// The newest dated monograph of the site.
    fn newest_article(&self) -> Option<ItemView<'a>> {
        self.site
            .pages
            .iter()
            .filter_map(|p| match &p.meta {
                Meta::Article { date: Some(d), .. } => Some((*d, p.id)),
                _ => None,
            })
            .max_by_key(|(d, _)| *d)
            .map(|(_, id)| self.item(id))
    }

    fn breadcrumbs(&self, id: PageId) -> Vec<LinkView> {
        let mut crumbs: Vec<LinkView> = nav::breadcrumbs(self.site, id)
            .into_iter()
            .map(|c| self.link(c, None))
            .collect();
        if let Some(first) = crumbs.first_mut() {
            if first.url == self.site.config.base_url.path {
                first.title = self.strings.get("nav.home").into();
            }
        }
        crumbs
    }

    /// The collection a page is in, when the header does not link it (a site with more
    /// collections than the header shows).
    fn hidden_section(&self, p: &Page) -> Option<LinkView> {
        self.site_view.more_sections.as_ref()?;
        let top = std::iter::once(p)
            .chain(self.site.ancestors(p.id))
            .find(|a| a.parent == Some(self.site.home))?;
        let url = self.url(top.id);
        (top.kind.is_collection() && !self.site_view.sections.iter().any(|s| s.url == url)).then(
            || LinkView {
                title: top.title.clone(),
                url,
                lang: top.lang.clone(),
                foreign: self.foreign(&top.lang),
                ..Default::default()
            },
        )
    }

    fn sidebar_view(&self, s: &nav::Sidebar, current: PageId) -> SidebarView {
        let c = self.site.page(s.collection);
        let current_module = if self.site.page(current).kind == PageKind::Module {
            Some(current)
        } else {
            self.site.page(current).parent
        };
        SidebarView {
            title: c.title.clone(),
            url: self.url(s.collection),
            lang: c.lang.clone(),
            foreign: self.foreign(&c.lang),
            label: self.strings.get(s.label).to_string(),
            items: s
                .items
                .iter()
                .map(|i| {
                    let mut link = self.link(*i, Some(current));
                    // Collections number their entries; a window shows their places in the
                    // whole list, not from 1.
                    link.number = link
                        .number
                        .or_else(|| c.children.iter().position(|x| x == i).map(|n| n + 1));
                    link
                })
                .collect(),
            groups: s
                .groups
                .iter()
                .map(|(m, lessons)| {
                    let module = self.site.page(*m);
                    GroupView {
                        title: module.title.clone(),
                        url: self.url(*m),
                        lang: module.lang.clone(),
                        foreign: self.foreign(&module.lang),
                        number: module.number,
                        current: Some(*m) == current_module,
                        inside: lessons.contains(&current),
                        items: lessons
                            .iter()
                            .map(|l| self.link(*l, Some(current)))
                            .collect(),
                    }
                })
                .collect(),
            truncated: s.truncated,
            total: s.total,
        }
    }

    fn children(&self, p: &Page) -> Vec<ItemView<'a>> {
        match p.kind {
            PageKind::Course => Vec::new(),
            _ if p.kind.is_index() || p.kind == PageKind::Home => {
                p.children.iter().map(|c| self.item(*c)).collect()
            }
            _ => Vec::new(),
        }
    }

    fn article_view(&self, p: &'a Page) -> Option<ArticleView<'a>> {
        let Meta::Article { date, authors } = &p.meta else {
            return None;
        };
        Some(ArticleView {
            date_iso: date.map(|d| d.iso()),
            date_long: date.map(|d| d.long(self.strings)),
            authors,
            citation: self.citation(p, authors, *date),
        })
    }

    fn lesson_view(&self, p: &'a Page) -> Option<LessonView<'a>> {
        let Meta::Lesson {
            id,
            objectives,
            questions,
            duration_minutes,
        } = &p.meta
        else {
            return None;
        };
        Some(LessonView {
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
            body_objectives: !self.rendered[p.id.index()]
                .extras
                .objectives
                .trim()
                .is_empty(),
        })
    }

    fn prev_next(&self, p: &Page) -> (Option<LinkView>, Option<LinkView>) {
        let link = |x: Option<PageId>| x.map(|i| self.link(i, None));
        match p.kind {
            PageKind::Chapter | PageKind::Lesson | PageKind::Article | PageKind::CourseLesson => {
                (link(self.nav.prev(p.id)), link(self.nav.next(p.id)))
            }
            PageKind::Module | PageKind::Book | PageKind::Lessons => {
                (None, link(p.children.first().copied()))
            }
            PageKind::Course => (None, link(self.nav.course_lessons(p.id).first().copied())),
            _ => (None, None),
        }
    }

    /// Course `course`, with its modules and their lessons when `with_modules`.
    pub(super) fn course_view(
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
                .map(|m| self.module_view(*m, current))
                .collect()
        } else {
            Vec::new()
        };
        Some(CourseView {
            id,
            title: &c.title,
            url: self.url(course),
            minutes,
            duration_label: duration_label(minutes, self.strings),
            lesson_count: self.nav.course_lessons(course).len(),
            module_count: c.children.len(),
            complete_on: complete_on.as_str(),
            pass_mark: *pass_mark,
            modules,
        })
    }

    fn module_view(&self, m: PageId, current: PageId) -> ModuleView<'a> {
        let module: &'a Page = self.site.page(m);
        let mm = self.minutes.get(&m).copied().unwrap_or(0);
        ModuleView {
            title: &module.title,
            url: self.url(m),
            lang: &module.lang,
            id: module.stable_id(),
            number: module.number,
            description: module.description.as_deref(),
            minutes: mm,
            duration_label: duration_label(mm, self.strings),
            lessons: module.children.iter().map(|l| self.item(*l)).collect(),
            current: m == current,
            keypoints: module
                .children
                .iter()
                .filter_map(|l| {
                    let k = &self.rendered.get(l.index())?.extras.keypoints;
                    (!k.trim().is_empty()).then(|| (self.site.page(*l).title.clone(), k.clone()))
                })
                .collect(),
        }
    }

    fn edition_view(&self, cx: &crate::editions::Context, id: PageId) -> EditionView {
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

    /// The language switcher of page `id`: each language, leading to this page there when it
    /// is in that language's own words, else to the nearest page above it that is (and saying
    /// so).
    pub(super) fn language_views(&self, id: PageId) -> Vec<LanguageView> {
        let cx = self.languages;
        if !cx.multilingual() {
            return Vec::new();
        }
        cx.langs
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let current = i == cx.current;
                let target = if current {
                    crate::languages::Target {
                        url: self.url(id),
                        same: true,
                        title: self.site.page(id).title.clone(),
                    }
                } else {
                    cx.target(self.site, id, i)
                };
                let note = if target.same {
                    String::new()
                } else {
                    self.strings.fill(
                        "language.nearest",
                        &[("name", &l.name), ("title", &target.title)],
                    )
                };
                LanguageView {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    url: target.url,
                    current,
                    same: target.same,
                    note,
                }
            })
            .collect()
    }

    /// The page in every language that has it in its own words, and `x-default` (the default
    /// language's), as absolute addresses: the same list on each of them.
    fn alternates(&self, p: &Page) -> Vec<AlternateView> {
        let cx = self.languages;
        if !cx.multilingual() || p.version == Version::Fallback {
            return Vec::new();
        }
        let origin = &self.site.config.root.origin;
        let list = cx.alternates(&p.rel);
        if list.len() < 2 {
            return Vec::new();
        }
        let mut out: Vec<AlternateView> = list
            .iter()
            .map(|(l, u)| AlternateView {
                lang: l.to_string(),
                url: format!("{origin}{u}"),
            })
            .collect();
        if let Some((_, u)) = list
            .iter()
            .find(|(l, _)| *l == self.site.config.default_language())
        {
            out.push(AlternateView {
                lang: "x-default".into(),
                url: format!("{origin}{u}"),
            });
        }
        out
    }

    /// For a page shown in another language than the interface's: which, and the nearest
    /// page above it in the interface's language.
    fn fallback_view(&self, p: &Page) -> Option<FallbackView> {
        if p.version != Version::Fallback {
            return None;
        }
        // Named as the interface's language names it ("inglés"), else by its own name.
        let key = format!("language.names.{}", p.lang);
        let name = if self.strings.has(&key) {
            self.strings.get(&key).to_string()
        } else {
            self.site
                .config
                .languages
                .iter()
                .find(|l| l.code == p.lang)
                .map_or_else(|| p.lang.clone(), |l| l.name.clone())
        };
        let section = self
            .site
            .ancestors(p.id)
            .find(|a| a.version != Version::Fallback)
            .map(|a| self.link(a.id, None));
        Some(FallbackView { name, section })
    }
}

/// A hash of a page's body as the Markdown pass left it (packed or not: each is told apart).
/// Feeds `value`, serialized as JSON, to hasher `h`. Through a buffer: the serializer writes
/// many pieces of a few bytes, and the hasher takes one large piece many times faster.
pub(super) fn hash_json(h: &mut blake3::Hasher, value: &impl serde::Serialize) {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(16 * 1024, h);
    // Writing into a hasher cannot fail; a view that cannot be serialized fails to render.
    let _ = serde_json::to_writer(&mut w, value);
    let _ = w.flush();
}

/// `value` as bytes that tell any two values apart (each string and list prefixed with its
/// length), for a key: cheaper than JSON, which escapes every string.
pub(super) fn encode_value(out: &mut Vec<u8>, value: &serde_json::Value) {
    use serde_json::Value;
    let len = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u64).to_le_bytes());
    match value {
        Value::Null => out.push(b'n'),
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(b'u');
                out.extend_from_slice(&u.to_le_bytes());
            } else if let Some(i) = n.as_i64() {
                out.push(b'i');
                out.extend_from_slice(&i.to_le_bytes());
            } else {
                out.push(b'd');
                out.extend_from_slice(&n.as_f64().unwrap_or(f64::NAN).to_bits().to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(b's');
            len(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Array(items) => {
            out.push(b'[');
            len(out, items.len());
            for v in items {
                encode_value(out, v);
            }
        }
        Value::Object(map) => {
            out.push(b'{');
            len(out, map.len());
            for (k, v) in map {
                len(out, k.len());
                out.extend_from_slice(k.as_bytes());
                encode_value(out, v);
            }
        }
    }
}

/// The hash a page's template key gives its body (see `Renderer::page_context`).
pub fn body_hash(html: &Html) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    match html {
        Html::Packed(b) => h.update(b"packed").update(blake3::hash(b).as_bytes()),
        Html::Text(t) => h
            .update(b"text")
            .update(blake3::hash(t.as_bytes()).as_bytes()),
    };
    h.finalize()
}
