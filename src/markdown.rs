//! Markdown to HTML with pulldown-cmark, for one page at a time, with no disk access.
//!
//! Besides the HTML it returns the heading outline, every element id (for `#anchor` checks),
//! the cross-page anchors it linked to (checked once every page is rendered), and plain text.
//! It rewrites what the theme and a strict Content-Security-Policy need: links to `.md` files
//! become output URLs under the base path; headings get stable unique ids and a self-link;
//! callouts become notes; tables lose inline styles and scroll on small screens; footnotes get
//! back-links; code is highlighted into classes; ```quiz and ```reflection become forms.

use crate::blocks::{self, BlockSpot};
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::highlight::Highlighter;
use crate::model::{Page, PageId, Site, nearest_page};
use crate::util::{escape_html, slugify};
use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options,
    Parser, Tag, TagEnd,
};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Ids the theme itself uses on every page; headings never take them.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "top",
    "content",
    "theme-toggle",
    "page-outline",
    "site-nav",
    "footnotes",
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A link to `#fragment` on page `target`, to check once every page's ids are known.
#[derive(Debug, Clone)]
pub struct AnchorRef {
    pub target: PageId,
    pub fragment: String,
    /// Byte range of the link in the source file.
    pub range: Range<usize>,
}

/// The plain text of a page between two headings (h2 or h3), for search: results link to
/// the section where the words were found. The first section (empty anchor) is the text
/// before the first heading.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TextSection {
    pub anchor: String,
    pub heading: String,
    pub text: String,
}

/// A page's body HTML. `serve` keeps it as text, since it edits pages one at a time; a one-shot
/// build packs it (LZ4, about a quarter of the size) right after rendering, because between the
/// Markdown pass and the writing of pages the bodies of every page are the largest thing held in
/// memory (some 160 MB at 10,000 pages), and unpacks each one when its page is written.
#[derive(Debug, Clone)]
pub enum Html {
    Text(String),
    Packed(Box<[u8]>),
}

impl Default for Html {
    fn default() -> Html {
        Html::Text(String::new())
    }
}

impl Html {
    pub fn pack(&mut self) {
        if let Html::Text(t) = self {
            *self = Html::Packed(lz4_flex::compress_prepend_size(t.as_bytes()).into_boxed_slice());
        }
    }

    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Html::Text(t) => Cow::Borrowed(t),
            // Packed only from a `String` by `pack`, so it unpacks to the same UTF-8.
            Html::Packed(b) => Cow::Owned(
                lz4_flex::decompress_size_prepended(b)
                    .ok()
                    .and_then(|v| String::from_utf8(v).ok())
                    .expect("packed HTML unpacks to the text it was packed from"),
            ),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: Html,
    pub outline: Vec<Heading>,
    pub ids: HashSet<String>,
    pub anchor_refs: Vec<AnchorRef>,
    pub sections: Vec<TextSection>,
    pub diags: Diagnostics,
}

/// What rendering one page needs to know about the rest of the site.
pub struct Context<'a> {
    pub site: &'a Site,
    /// Non-Markdown files under `content/` (paths relative to it).
    pub assets: &'a HashSet<String>,
    /// Files under `static/`.
    pub static_files: &'a HashSet<String>,
    /// Output paths of every page (`lessons/know-yourself/`), for root-relative links.
    pub urls: &'a HashSet<String>,
    pub highlighter: &'a Highlighter,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

/// Renders the body of `page`.
pub fn render(page: &Page, cx: &Context) -> Rendered {
    Renderer::new(page, cx).run()
}

struct PendingHeading<'a> {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
    start: usize,
}

struct Renderer<'a, 'c> {
    page: &'a Page,
    cx: &'c Context<'c>,
    source: &'a Source,
    base: usize,
    out: Rendered,
    events: Vec<Event<'a>>,
    heading: Option<PendingHeading<'a>>,
    code: Option<(String, String, usize)>,
    image: Option<(String, String, usize)>,
    footnote: Option<(String, Vec<Event<'a>>)>,
    footnote_defs: HashMap<String, Vec<Event<'a>>>,
    footnote_order: Vec<String>,
    footnote_refs: HashMap<String, usize>,
    table: Option<(Vec<Alignment>, bool, usize)>,
    block_index: usize,
    image_range: Range<usize>,
}

impl<'a, 'c> Renderer<'a, 'c> {
    fn new(page: &'a Page, cx: &'c Context<'c>) -> Self {
        let mut out = Rendered::default();
        out.ids.extend(RESERVED_IDS.iter().map(|s| s.to_string()));
        out.sections.push(TextSection::default());
        Renderer {
            page,
            cx,
            source: &page.source,
            base: page.body.start,
            out,
            events: Vec::new(),
            heading: None,
            code: None,
            image: None,
            footnote: None,
            footnote_defs: HashMap::new(),
            footnote_order: Vec::new(),
            footnote_refs: HashMap::new(),
            table: None,
            block_index: 0,
            image_range: 0..0,
        }
    }

    fn emit(&mut self, e: Event<'a>) {
        if let Some(h) = &mut self.heading {
            h.events.push(e);
        } else if let Some((_, evs)) = &mut self.footnote {
            evs.push(e);
        } else {
            self.events.push(e);
        }
    }

    fn html(&mut self, s: String) {
        self.emit(Event::Html(CowStr::from(s)));
    }

    fn error(&mut self, d: Diagnostic) {
        self.out.diags.push(d);
    }

    /// Adds text to the heading being read, or else to the current section.
    fn text(&mut self, t: &str) {
        if let Some(h) = &mut self.heading {
            h.text.push_str(t);
        } else if self.footnote.is_none() {
            if let Some(s) = self.out.sections.last_mut() {
                s.text.push_str(t);
            }
        }
    }

    fn unique_id(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() {
            "section".to_string()
        } else {
            wanted.to_string()
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.out.ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.out.ids.insert(id.clone());
        id
    }

    fn run(mut self) -> Rendered {
        let body: &'a str = self.page.body_text();
        let parser = Parser::new_ext(body, options()).into_offset_iter();
        for (event, range) in parser {
            let range = self.base + range.start..self.base + range.end;
            self.event(event, range);
        }
        let mut html = String::with_capacity(body.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, std::mem::take(&mut self.events).into_iter());
        self.footnotes_section(&mut html);
        self.out.html = Html::Text(html);
        for id in RESERVED_IDS {
            self.out.ids.remove(*id);
        }
        self.out
    }

    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if let Some((_, text, _)) = &mut self.code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.finish_code(),
                _ => {}
            }
            return;
        }
        if let Some((_, alt, _)) = &mut self.image {
            match event {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::End(TagEnd::Image) => {
                    self.image_range.end = range.end;
                    self.finish_image();
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                self.heading = Some(PendingHeading {
                    level: heading_level(level),
                    explicit_id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                    start: range.start,
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new(), range.start));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.image = Some((dest_url.to_string(), String::new(), range.start));
                self.image_range = range;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = self.resolve_link(link_type, &dest_url, &range);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = callout(kind);
                self.html(format!("<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.html("</div>\n".into()),
            Event::Start(Tag::Table(aligns)) => {
                self.table = Some((aligns, false, 0));
                self.html("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table\">\n<table>\n".into());
            }
            Event::End(TagEnd::Table) => {
                self.table = None;
                self.html("</tbody>\n</table>\n</div>\n".into());
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.1 = true;
                    t.2 = 0;
                }
                self.html("<thead>\n<tr>".into());
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.1 = false;
                }
                self.html("</tr>\n</thead>\n<tbody>\n".into());
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = &mut self.table {
                    t.2 = 0;
                }
                self.html("<tr>".into());
            }
            Event::End(TagEnd::TableRow) => self.html("</tr>\n".into()),
            Event::Start(Tag::TableCell) => {
                let (tag, class) = match &mut self.table {
                    Some((aligns, head, col)) => {
                        let class = match aligns.get(*col) {
                            Some(Alignment::Left) => " class=\"align-left\"",
                            Some(Alignment::Center) => " class=\"align-center\"",
                            Some(Alignment::Right) => " class=\"align-right\"",
                            _ => "",
                        };
                        *col += 1;
                        (if *head { "th scope=\"col\"" } else { "td" }, class)
                    }
                    None => ("td", ""),
                };
                self.html(format!("<{tag}{class}>"));
            }
            Event::End(TagEnd::TableCell) => {
                self.text("\n");
                let head = self.table.as_ref().is_some_and(|t| t.1);
                self.html(if head { "</th>".into() } else { "</td>".into() });
            }
            Event::TaskListMarker(done) => {
                let checked = if done { " checked" } else { "" };
                self.html(format!(
                    "<input type=\"checkbox\" class=\"task\" disabled{checked} aria-label=\"{}\"> ",
                    if done { "Done" } else { "Not done" }
                ));
            }
            Event::FootnoteReference(label) => {
                let key = slugify(&label);
                let n = match self.footnote_order.iter().position(|l| *l == key) {
                    Some(i) => i + 1,
                    None => {
                        self.footnote_order.push(key.clone());
                        self.footnote_order.len()
                    }
                };
                let count = self.footnote_refs.entry(key.clone()).or_insert(0);
                *count += 1;
                let ref_id = if *count == 1 {
                    format!("fnref-{key}")
                } else {
                    format!("fnref-{key}-{count}")
                };
                self.out.ids.insert(ref_id.clone());
                self.html(format!("<sup class=\"footnote-ref\"><a href=\"#fn-{key}\" id=\"{ref_id}\" aria-describedby=\"footnotes-label\">{n}</a></sup>"));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote = Some((slugify(&label), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((key, evs)) = self.footnote.take() {
                    self.footnote_defs.insert(key, evs);
                }
            }
            Event::Text(t) => {
                self.text(&t);
                self.emit(Event::Text(t));
            }
            Event::Code(t) => {
                self.text(&t);
                self.emit(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.text(" ");
                self.emit(event);
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition,
            ) => {
                self.text("\n");
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let mut level = h.level;
        if level == 1 {
            let end = self.source.text[h.start..]
                .find('\n')
                .map_or(self.source.text.len(), |i| h.start + i);
            self.error(
                Diagnostic::warning("a `#` heading in the text of a page is shown as a `##` heading")
                    .at(self.source, h.start..end)
                    .label("the page title already is the page's only top-level heading")
                    .hint("start sections with `##` (and sub-sections with `###`); the title comes from `title:` in the front matter."),
            );
            level = 2;
        }
        let text = h.text.trim().to_string();
        let id = self.unique_id(&h.explicit_id.unwrap_or_else(|| slugify(&text)));
        if level <= 3 {
            self.out.outline.push(Heading {
                level,
                id: id.clone(),
                text: text.clone(),
            });
        }
        if level <= 3 {
            self.out.sections.push(TextSection {
                anchor: id.clone(),
                heading: text.clone(),
                text: String::new(),
            });
        } else if let Some(s) = self.out.sections.last_mut() {
            s.text.push_str(&text);
            s.text.push('\n');
        }
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_html(&h.classes.join(" ")))
        };
        self.html(format!("<h{level} id=\"{id}\"{class}>"));
        for e in h.events {
            self.emit(e);
        }
        self.html(format!(
            " <a class=\"heading-anchor\" href=\"#{id}\"><span aria-hidden=\"true\">#</span><span class=\"visually-hidden\">Link to this section: {}</span></a></h{level}>\n",
            escape_html(&text)
        ));
    }

    fn finish_code(&mut self) {
        let Some((lang, text, start)) = self.code.take() else {
            return;
        };
        let html = match lang.as_str() {
            "quiz" | "reflection" => {
                self.block_index += 1;
                let body_offset = self.source.text[start..]
                    .find('\n')
                    .map_or(start, |i| start + i + 1);
                let (first_line, _) = self.source.line_col(body_offset);
                let spot = BlockSpot {
                    source: self.source,
                    body: &text,
                    first_line,
                    offset: body_offset,
                    index: self.block_index,
                };
                let r = if lang == "quiz" {
                    blocks::render_quiz(&spot)
                } else {
                    blocks::render_reflection(&spot)
                };
                match r {
                    Ok(html) => html,
                    Err(d) => {
                        self.error(d);
                        String::new()
                    }
                }
            }
            _ => {
                self.text(&text);
                self.cx.highlighter.highlight(&text, &lang)
            }
        };
        self.html(html);
    }

    fn finish_image(&mut self) {
        let Some((dest, alt, start)) = self.image.take() else {
            return;
        };
        let range = start..self.image_range.end.max(start);
        let src = self.resolve_image(&dest, &range);
        if alt.trim().is_empty() {
            self.error(
                Diagnostic::warning("this image has no text alternative")
                    .at(self.source, range.clone())
                    .label("empty alt text")
                    .hint("describe what the image shows between the brackets: `![Bar chart of reading gains by school](…)`. Leave it empty only for a purely decorative image."),
            );
        }
        self.html(format!(
            "<img src=\"{}\" alt=\"{}\" loading=\"lazy\" decoding=\"async\">",
            escape_html(&src),
            escape_html(alt.trim())
        ));
    }

    fn footnotes_section(&mut self, html: &mut String) {
        if self.footnote_order.is_empty() {
            return;
        }
        html.push_str("<section class=\"footnotes\" aria-labelledby=\"footnotes-label\">\n<h2 class=\"visually-hidden\" id=\"footnotes-label\">Notes</h2>\n<ol>\n");
        for key in std::mem::take(&mut self.footnote_order) {
            let evs = self.footnote_defs.remove(&key).unwrap_or_default();
            let mut inner = String::new();
            pulldown_cmark::html::push_html(&mut inner, evs.into_iter());
            let back = format!(
                " <a href=\"#fnref-{key}\" class=\"footnote-back\"><span aria-hidden=\"true\">↩</span><span class=\"visually-hidden\">Back to the text</span></a>"
            );
            let inner = match inner.trim_end().strip_suffix("</p>") {
                Some(head) => format!("{head}{back}</p>"),
                None => format!("{inner}{back}"),
            };
            self.out.ids.insert(format!("fn-{key}"));
            html.push_str(&format!("<li id=\"fn-{key}\">{inner}</li>\n"));
        }
        html.push_str("</ol>\n</section>\n");
    }

    /// The directory of the page's file, relative to `content/`.
    fn page_dir(&self) -> &str {
        self.page.rel.rfind('/').map_or("", |i| &self.page.rel[..i])
    }

    fn resolve_link(&mut self, link_type: LinkType, dest: &str, range: &Range<usize>) -> String {
        if matches!(link_type, LinkType::Email) || is_external(dest) {
            return dest.to_string();
        }
        let base = self.cx.site.config.base_url.path.clone();
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        if path.is_empty() {
            if let Some(f) = fragment {
                self.out.anchor_refs.push(AnchorRef {
                    target: self.page.id,
                    fragment: f.to_string(),
                    range: range.clone(),
                });
            }
            return dest.to_string();
        }
        let with_fragment = |url: String| match fragment {
            Some(f) => format!("{url}#{f}"),
            None => url,
        };
        if let Some(abs) = path.strip_prefix('/') {
            let rel = abs.trim_end_matches("index.html");
            let known = self.cx.urls.contains(rel)
                || rel.is_empty()
                || self.cx.static_files.contains(abs)
                || self.cx.assets.contains(abs);
            if !known {
                self.error(
                    Diagnostic::error(format!("the link `{dest}` points to nothing in this site"))
                        .at(self.source, range.clone())
                        .label("no page or file has this address")
                        .hint("link to other pages by their Markdown file, relative to this one, e.g. `[the rubric](../playbook/08-transformation-rubric.md)`."),
                );
            }
            return with_fragment(format!("{base}{abs}"));
        }
        let joined = join_rel(self.page_dir(), path);
        let target_rel = match &joined {
            Some(j) if j.ends_with(".md") => Some(j.clone()),
            Some(j)
                if self
                    .cx
                    .site
                    .by_rel
                    .contains_key(&format!("{}/_index.md", j.trim_end_matches('/'))) =>
            {
                Some(format!("{}/_index.md", j.trim_end_matches('/')))
            }
            _ => None,
        };
        if let Some(target_rel) = target_rel {
            if let Some(&target) = self.cx.site.by_rel.get(&target_rel) {
                if let Some(f) = fragment {
                    self.out.anchor_refs.push(AnchorRef {
                        target,
                        fragment: f.to_string(),
                        range: range.clone(),
                    });
                }
                return with_fragment(format!("{base}{}", self.cx.site.page(target).url));
            }
            let d = if self.cx.site.drafts.contains(&target_rel) {
                Diagnostic::error(format!("the link `{dest}` points to a draft"))
                    .at(self.source, range.clone())
                    .label("`draft: true` pages are left out of the site")
                    .hint("publish the page (remove `draft: true`), or remove the link until it is ready.")
            } else {
                let hint = match nearest_page(self.cx.site, &target_rel) {
                    Some(near) => format!("did you mean `{}`? Paths are relative to this file's folder.", relative_to(self.page_dir(), near)),
                    None => "check the file name; paths are relative to this file's folder, and `../` goes up one folder.".to_string(),
                };
                Diagnostic::error(format!(
                    "the link `{dest}` points to a page that does not exist"
                ))
                .at(self.source, range.clone())
                .label(format!("there is no `content/{target_rel}`"))
                .hint(hint)
            };
            self.error(d);
            return dest.to_string();
        }
        match joined {
            Some(j) if self.cx.assets.contains(&j) => with_fragment(format!("{base}{j}")),
            _ => {
                self.error(
                    Diagnostic::error(format!("the link `{dest}` points to a file that does not exist"))
                        .at(self.source, range.clone())
                        .label("not found next to this page")
                        .hint("put the file in the page's folder (or a sub-folder of it) under `content/`, or link to a page by its `.md` file."),
                );
                dest.to_string()
            }
        }
    }

    fn resolve_image(&mut self, dest: &str, range: &Range<usize>) -> String {
        let base = self.cx.site.config.base_url.path.clone();
        if is_external(dest) {
            self.error(
                Diagnostic::error(format!("the image `{dest}` would be loaded from another website"))
                    .at(self.source, range.clone())
                    .label("outside this site")
                    .hint("readers' browsers must not contact other servers: save the image in the page's folder and use its file name, e.g. `![…](images/chart.svg)`."),
            );
            return dest.to_string();
        }
        if let Some(abs) = dest.strip_prefix('/') {
            if self.cx.static_files.contains(abs) {
                return format!("{base}{abs}");
            }
        } else if let Some(j) = join_rel(self.page_dir(), dest) {
            if self.cx.assets.contains(&j) {
                return format!("{base}{j}");
            }
        }
        self.error(
            Diagnostic::error(format!("the image `{dest}` does not exist"))
                .at(self.source, range.clone())
                .label("file not found")
                .hint("image paths are relative to this page's file, e.g. `images/chart.svg` for `content/monographs/images/chart.svg`; a path starting with `/` is looked up in `static/`."),
        );
        dest.to_string()
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// Returns true if and only if `dest` names a scheme (`https:`, `mailto:`) or is
/// protocol-relative (`//host`).
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(i) => {
            dest[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
                && i > 0
                && !dest[..i].contains('/')
        }
        None => false,
    }
}

/// Joins relative `path` onto folder `dir` (both relative to `content/`), resolving `.` and
/// `..`; `None` when it climbs above `content/`. Percent-encoded spaces are decoded.
pub fn join_rel(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    let decoded = path.replace("%20", " ");
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

/// How a file at content path `to` is written relative to folder `from`.
fn relative_to(from: &str, to: &str) -> String {
    let from: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = std::iter::repeat_n("..", from.len() - common).collect();
    out.extend(&to_parts[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_and_climb() {
        assert_eq!(
            join_rel("playbook", "02-b.md").as_deref(),
            Some("playbook/02-b.md")
        );
        assert_eq!(
            join_rel("playbook", "../lessons/01-a.md").as_deref(),
            Some("lessons/01-a.md")
        );
        assert_eq!(join_rel("", "../x.md"), None);
        assert_eq!(
            relative_to("playbook", "lessons/01-a.md"),
            "../lessons/01-a.md"
        );
        assert_eq!(relative_to("playbook", "playbook/02-b.md"), "02-b.md");
    }

    #[test]
    fn schemes_are_external() {
        assert!(is_external("https://example.org"));
        assert!(is_external("mailto:a@b.org"));
        assert!(!is_external("../a.md"));
        assert!(!is_external("a.md#x:y"));
    }
}
