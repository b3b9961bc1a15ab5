//! Markdown to HTML with pulldown-cmark, for one page at a time, with no disk access.
//!
//! A page's text is first read for blocks (`crate::blocks::parse`: `:::` fences and their
//! kin, with facilitator notes left out), then rendered. Besides the HTML it returns the
//! heading outline, every element id (for `#anchor` checks), the cross-page anchors it linked
//! to (checked once every page is rendered), plain text by section (for search), the content
//! files it uses, and what the templates show apart from the text (key points, objectives,
//! facilitator notes). It rewrites what the theme and a strict Content-Security-Policy need:
//! links to `.md` files become output URLs under the base path; headings get stable unique ids
//! and a link that is neither announced twice nor a Tab stop; callouts become notes; tables
//! lose inline styles and scroll on small screens; footnotes get back-links; code is
//! highlighted into classes; raw HTML passes one allow-list (`rawhtml`).

mod code;
mod containers;
pub mod headings;
mod links;
pub mod rawhtml;
mod tables;

pub use code::{HIGHLIGHT_LIMIT, Info, info};
pub use links::{is_external, join_rel, percent_decode, relative_to};

use crate::blocks::{self, Marker, Parsed, ROLES};
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::highlight::Highlighter;
use crate::i18n::Strings;
use crate::model::{Page, PageId, Site};
use crate::util::{attrs, escape_html, slugify};
use headings::Ids;
use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
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
    "footnotes-label",
    "search-input",
    "search-listbox",
    "site-search",
    "nav-drawer",
    "menu-button",
    "lesson-progress",
    "lesson-progress-title",
    "complete-toggle",
    "objectives-title",
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// Where the heading is in the page's file.
    #[serde(skip)]
    pub offset: usize,
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

/// A facilitator's note: its HTML, the page heading it falls under (id and text), its line,
/// and the files beside the page it shows or links to.
#[derive(Debug, Clone, Default)]
pub struct Note {
    pub html: String,
    pub heading: Option<(String, String)>,
    pub line: usize,
    pub uses: Vec<String>,
}

/// What a page shows apart from its text, or what the site gathers from it.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The HTML inside the page's `keypoints` blocks (shown at its end; gathered on module and
    /// course pages).
    pub keypoints: String,
    /// The HTML inside `objectives` and `questions` blocks of the text.
    pub objectives: String,
    pub questions: String,
    /// Facilitator notes: never in the page, only in the facilitator guide.
    pub notes: Vec<Note>,
    /// How many solutions the page has (for "Show all solutions").
    pub solutions: usize,
    pub video: bool,
    pub tabs: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: Html,
    pub outline: Vec<Heading>,
    pub ids: HashSet<String>,
    pub anchor_refs: Vec<AnchorRef>,
    pub sections: Vec<TextSection>,
    pub diags: Diagnostics,
    pub extras: Extras,
    /// Files under `content/` the page links to or shows (relative to `content/`).
    pub uses: Vec<String>,
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
    /// The interface text of the page's language.
    pub strings: &'a Strings,
    /// The text of small files pages refer to (WebVTT), by content path.
    pub texts: &'a HashMap<String, String>,
}

/// The id of a glossary term's `<dt>`: `term-` and the term's slug.
pub fn term_id(term: &str) -> String {
    format!("term-{}", slugify(term))
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

/// Renders the body of `page` for its learners.
pub fn render(page: &Page, cx: &Context) -> Rendered {
    let parsed = blocks::parse(&page.source, page.body.clone());
    let mut r = Renderer::new(page, cx, &parsed);
    r.run();
    let notes: Vec<(usize, Range<usize>, usize)> = parsed
        .facilitator
        .iter()
        .map(|&i| {
            let d = &parsed.directives[i];
            (i, d.inner.clone(), d.open.start)
        })
        .collect();
    let mut out = r.finish();
    for (_, inner, open) in notes {
        out.extras
            .notes
            .push(note(page, cx, inner, open, &out.outline, &mut out.diags));
    }
    out
}

/// Renders one facilitator note (the text `inner` of `page`'s file) for the facilitator guide.
fn note(
    page: &Page,
    cx: &Context,
    inner: Range<usize>,
    open: usize,
    outline: &[Heading],
    diags: &mut Diagnostics,
) -> Note {
    let parsed = blocks::parse(&page.source, inner);
    let mut r = Renderer::new(page, cx, &parsed);
    r.in_note = true;
    r.run();
    let mut out = r.finish();
    diags.extend(std::mem::take(&mut out.diags));
    Note {
        html: out.html.text().into_owned(),
        heading: outline
            .iter()
            .rev()
            .find(|h| h.offset < open)
            .map(|h| (h.id.clone(), h.text.clone())),
        line: page.source.line_col(open).0,
        uses: std::mem::take(&mut out.uses),
    }
}

/// Inline Markdown (a title, an objective) as HTML, with any HTML in it shown as text.
pub fn inline(text: &str) -> String {
    let events = Parser::new_ext(text, options()).filter_map(|e| match e {
        Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        e => Some(e),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim_end().to_string()
}

struct PendingHeading<'a> {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    events: Vec<Event<'a>>,
    text: String,
    start: usize,
}

/// A block being rendered: the events of its text so far.
struct Frame<'a> {
    dir: Option<usize>,
    events: Vec<Event<'a>>,
}

struct Renderer<'a, 'c> {
    page: &'a Page,
    cx: &'c Context<'c>,
    source: &'a Source,
    parsed: &'a Parsed<'a>,
    out: Rendered,
    ids: Ids,
    frames: Vec<Frame<'a>>,
    heading: Option<PendingHeading<'a>>,
    /// An open code block: its info string, text and where its fence starts in the file.
    code: Option<(String, String, usize)>,
    /// An open image: its destination, alt text and range in the file.
    image: Option<(String, String, Range<usize>)>,
    html_block: Option<Vec<(CowStr<'a>, Range<usize>)>>,
    footnote: Option<(String, Vec<Event<'a>>)>,
    footnote_defs: HashMap<String, Vec<Event<'a>>>,
    /// On the glossary page: how many definition-list terms were written so far.
    terms_seen: usize,
    footnote_order: Vec<String>,
    footnote_refs: HashMap<String, usize>,
    table: Option<tables::Table>,
    block_index: usize,
    /// Text before this offset of the file is an attribute list already read (`{alt=…}`).
    consumed_until: usize,
    /// The level of the last heading, for the headings of tabs.
    last_level: u8,
    keypoints_heading: Option<(String, String)>,
    /// Rendering a facilitator note (no outline of its own).
    in_note: bool,
}

impl<'a, 'c> Renderer<'a, 'c> {
    fn new(page: &'a Page, cx: &'c Context<'c>, parsed: &'a Parsed<'a>) -> Self {
        let mut out = Rendered::default();
        out.sections.push(TextSection::default());
        for d in &parsed.diags {
            out.diags.push(d.clone());
        }
        Renderer {
            page,
            cx,
            source: &page.source,
            parsed,
            out,
            ids: Ids::with_reserved(RESERVED_IDS),
            frames: vec![Frame {
                dir: None,
                events: Vec::new(),
            }],
            heading: None,
            code: None,
            image: None,
            html_block: None,
            footnote: None,
            footnote_defs: HashMap::new(),
            terms_seen: 0,
            footnote_order: Vec::new(),
            footnote_refs: HashMap::new(),
            table: None,
            block_index: 0,
            consumed_until: 0,
            last_level: 2,
            keypoints_heading: None,
            in_note: false,
        }
    }

    fn emit(&mut self, e: Event<'a>) {
        if let Some(h) = &mut self.heading {
            h.events.push(e);
        } else if let Some((_, evs)) = &mut self.footnote {
            evs.push(e);
        } else if let Some(f) = self.frames.last_mut() {
            f.events.push(e);
        }
    }

    fn html(&mut self, s: String) {
        self.emit(Event::Html(CowStr::from(s)));
    }

    fn error(&mut self, d: Diagnostic) {
        self.out.diags.push(d);
    }

    /// The range in the file of range `r` of the text being rendered.
    fn src(&self, r: &Range<usize>) -> Range<usize> {
        self.parsed.range(r)
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

    fn run(&mut self) {
        let parsed = self.parsed;
        let parser = Parser::new_ext(&parsed.text, options()).into_offset_iter();
        for (event, range) in parser {
            self.event(event, range);
        }
        // Blocks left open by an error are closed, so their text is still shown.
        while self.frames.len() > 1 {
            if let Some(i) = self.frames.last().and_then(|f| f.dir) {
                self.close_block(i);
            } else {
                self.frames.pop();
            }
        }
    }

    fn finish(mut self) -> Rendered {
        let events = std::mem::take(&mut self.frames[0].events);
        let mut html = String::with_capacity(self.parsed.text.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        self.footnotes_section(&mut html);
        self.out.html = Html::Text(html);
        if let Some((id, text)) = self.keypoints_heading.take() {
            let offset = self.source.text.len();
            self.out.outline.push(Heading {
                level: 2,
                id,
                text,
                offset,
            });
        }
        self.out.ids = std::mem::take(&mut self.ids).into_set(RESERVED_IDS);
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
                    let end = self.src(&range).end;
                    if let Some(img) = &mut self.image {
                        img.2.end = end;
                    }
                    self.finish_image();
                }
                _ => {}
            }
            return;
        }
        if let Some(lines) = &mut self.html_block {
            match event {
                Event::Html(t) => lines.push((t, range)),
                Event::End(TagEnd::HtmlBlock) => self.finish_html_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                let start = self.src(&range).start;
                self.heading = Some(PendingHeading {
                    level: heading_level(level),
                    explicit_id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    events: Vec::new(),
                    text: String::new(),
                    start,
                });
            }
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((info, String::new(), self.src(&range).start));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.image = Some((dest_url.to_string(), String::new(), self.src(&range)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let r = self.src(&range);
                let dest = self.resolve_link(link_type, &dest_url, &r);
                self.emit(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, key) = callout(kind);
                let title = escape_html(self.cx.strings.get(key));
                self.html(format!("<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => self.html("</div>\n".into()),
            Event::Start(Tag::Table(_))
            | Event::End(TagEnd::Table)
            | Event::Start(Tag::TableHead)
            | Event::End(TagEnd::TableHead)
            | Event::Start(Tag::TableRow)
            | Event::End(TagEnd::TableRow)
            | Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableCell) => self.table_event(event),
            Event::TaskListMarker(done) => {
                let checked = if done { " checked" } else { "" };
                let label = self
                    .cx
                    .strings
                    .get(if done { "task.done" } else { "task.not_done" });
                self.html(format!(
                    "<input type=\"checkbox\" class=\"task\" disabled{checked} aria-label=\"{}\"> ",
                    escape_html(label)
                ));
            }
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote = Some((slugify(&label), Vec::new()));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((key, evs)) = self.footnote.take() {
                    self.footnote_defs.insert(key, evs);
                }
            }
            Event::Start(Tag::DefinitionListTitle) if self.page.glossary => {
                // The glossary's terms get ids, so `{term}` roles can link to them.
                let term = self.cx.site.glossary_terms.get(self.terms_seen);
                self.terms_seen += 1;
                match term {
                    Some(t) => self.html(format!("<dt id=\"{}\">", escape_html(&term_id(t)))),
                    None => self.emit(event),
                }
            }
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(Vec::new()),
            Event::InlineHtml(t) => {
                let r = self.src(&range);
                self.raw_html(&t, &[(0, r.start)], true);
            }
            Event::Html(t) => {
                let r = self.src(&range);
                self.raw_html(&t, &[(0, r.start)], false);
            }
            Event::Text(t) => self.on_text(t, &range),
            Event::Code(t) => self.on_code(t, &range),
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

    /// Text, less what was an attribute list read with the element before it; a `:::` left
    /// as text (inside a quote or a list, where blocks cannot open) is an error.
    fn on_text(&mut self, t: CowStr<'a>, range: &Range<usize>) {
        let r = self.src(range);
        let t: CowStr<'a> = if r.start < self.consumed_until {
            let skip = (self.consumed_until - r.start).min(t.len());
            if skip >= t.len() || !t.is_char_boundary(skip) {
                return;
            }
            CowStr::from(t[skip..].to_string())
        } else {
            t
        };
        if self.heading.is_none() && self.code.is_none() && t.trim_start().starts_with(":::") {
            let line_start = self.source.text[..r.start].rfind('\n').map_or(0, |i| i + 1);
            let before = &self.source.text[line_start..r.start];
            if before.trim_start().starts_with(['>', '-', '*', '+'])
                || before
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ')')
            {
                self.error(
                    Diagnostic::error("a block cannot open inside a quote or a list")
                        .at(self.source, r.start..r.start + t.len().min(r.len().max(3)))
                        .label("shown as text here")
                        .hint("start the `:::` line at the left margin, outside the quote or list (a blank line before it), and put the quote or list inside the block instead."),
                );
            }
        }
        self.text(&t);
        self.table_text(&t);
        self.emit(Event::Text(t));
    }

    /// Inline code, or a role before it (`` {kbd}`Ctrl+C` ``).
    fn on_code(&mut self, t: CowStr<'a>, range: &Range<usize>) {
        if let Some(role) = self.take_role() {
            self.text(&t);
            let r = self.src(range);
            self.role(&role, &t, r);
            return;
        }
        self.text(&t);
        self.emit(Event::Code(t));
    }

    /// If the text just emitted ends with `{name}`, removes it and returns the name.
    fn take_role(&mut self) -> Option<String> {
        let events = match (&mut self.heading, &mut self.footnote) {
            (Some(h), _) => &mut h.events,
            (None, Some((_, evs))) => evs,
            (None, None) => &mut self.frames.last_mut()?.events,
        };
        let Some(Event::Text(last)) = events.last() else {
            return None;
        };
        let open = last.rfind('{')?;
        let name = last[open + 1..].strip_suffix('}')?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == ':')
        {
            return None;
        }
        let name = name.to_string();
        let keep = last[..open].to_string();
        events.pop();
        if !keep.is_empty() {
            events.push(Event::Text(CowStr::from(keep)));
        }
        Some(name)
    }

    fn role(&mut self, name: &str, text: &str, at: Range<usize>) {
        let html = match name {
            "kbd" => text
                .split('+')
                .map(|k| format!("<kbd>{}</kbd>", escape_html(k.trim())))
                .collect::<Vec<_>>()
                .join("+"),
            "abbr" => match text.rsplit_once('(') {
                Some((short, long)) => format!(
                    "<abbr title=\"{}\">{}</abbr>",
                    escape_html(long.trim_end_matches(')').trim()),
                    escape_html(short.trim())
                ),
                None => format!("<abbr>{}</abbr>", escape_html(text)),
            },
            "term" => self.term(text, &at),
            "sub" | "sup" => format!("<{name}>{}</{name}>", escape_html(text)),
            "code" | "samp" | "file" | "command" => format!("<code>{}</code>", escape_html(text)),
            _ => {
                self.error(
                    Diagnostic::error(format!("`{{{name}}}` is not a role playbook knows"))
                        .at(self.source, at.start.saturating_sub(name.len() + 2)..at.end)
                        .label("unknown role")
                        .hint(format!(
                            "the roles playbook renders are {}; write other text without a role.",
                            ROLES
                                .iter()
                                .map(|r| format!("`{{{r}}}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                );
                format!("<code>{}</code>", escape_html(text))
            }
        };
        self.html(html);
    }

    /// A `{term}` role: `` {term}`text` `` or `` {term}`text <Term>` `` (MyST's form). With a
    /// glossary page on the site, a link to the term there, or a warning if the glossary does
    /// not define it; without one, the term marked as such.
    fn term(&mut self, text: &str, at: &Range<usize>) -> String {
        let (shown, target) = match text
            .trim_end()
            .strip_suffix('>')
            .and_then(|t| t.rsplit_once('<'))
        {
            Some((shown, target)) if !shown.trim().is_empty() => (shown.trim(), target.trim()),
            _ => (text, text),
        };
        let Some(glossary) = self.cx.site.glossary() else {
            return format!("<dfn>{}</dfn>", escape_html(shown));
        };
        let terms = &self.cx.site.glossary_terms;
        let wanted = slugify(target);
        if let Some(t) = terms.iter().find(|t| slugify(t) == wanted) {
            let base = &self.cx.site.config.base_url.path;
            return format!(
                "<a class=\"term\" href=\"{}#{}\">{}</a>",
                escape_html(&format!("{base}{}", glossary.url)),
                escape_html(&term_id(t)),
                escape_html(shown)
            );
        }
        let near = crate::diagnostics::did_you_mean(target, terms.iter().map(String::as_str));
        self.error(
            Diagnostic::warning(format!("the glossary does not define “{target}”"))
                .at(self.source, at.clone())
                .label("not in the glossary")
                .hint(match near {
                    Some(n) => format!("did you mean `{n}`? Or add “{target}” to {} as a term (`{target}` on a line, `: its definition` on the next).", glossary.source.name),
                    None => format!("add “{target}” to {} as a term (`{target}` on a line, `: its definition` on the next), or write the word without `{{term}}`.", glossary.source.name),
                }),
        );
        format!("<dfn>{}</dfn>", escape_html(shown))
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
        let wanted = match h.explicit_id {
            Some(id) if headings::valid_id(&id) => id,
            Some(id) => {
                let end = self.source.text[h.start..]
                    .find('\n')
                    .map_or(self.source.text.len(), |i| h.start + i);
                self.error(
                    Diagnostic::error(format!("`{id}` cannot be used as a heading id"))
                        .at(self.source, h.start..end)
                        .label("not a usable id")
                        .hint(format!(
                            "use letters, digits, `-` and `_` in ids, e.g. `{{#{}}}`.",
                            {
                                let s = slugify(&id);
                                if s.is_empty() { "my-section".into() } else { s }
                            }
                        )),
                );
                slugify(&text)
            }
            None => slugify(&text),
        };
        let id = self.ids.unique(&wanted);
        let in_block = self.frames.len() > 1 || self.in_note;
        if level <= 3 && !in_block {
            self.out.outline.push(Heading {
                level,
                id: id.clone(),
                text: text.clone(),
                offset: h.start,
            });
            self.out.sections.push(TextSection {
                anchor: id.clone(),
                heading: text.clone(),
                text: String::new(),
            });
        } else if let Some(s) = self.out.sections.last_mut() {
            s.text.push_str(&text);
            s.text.push('\n');
        }
        self.last_level = level;
        let class = if h.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape_html(&h.classes.join(" ")))
        };
        self.html(format!("<h{level} id=\"{}\"{class}>", escape_html(&id)));
        for e in h.events {
            self.emit(e);
        }
        // Announced once (the link is hidden from screen readers) and not a Tab stop: the
        // outline and the address bar give keyboard readers the same link.
        self.html(format!(
            "<a class=\"heading-anchor\" href=\"#{}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{level}>\n",
            escape_html(&id)
        ));
    }

    fn finish_code(&mut self) {
        let Some((info, text, start)) = self.code.take() else {
            return;
        };
        let html = self.code_html(&info, &text, start);
        self.html(html);
    }

    fn finish_image(&mut self) {
        let Some((dest, mut alt, range)) = self.image.take() else {
            return;
        };
        // `![…](fig.png){alt="…" width=300}`: the attribute list after the image.
        let mut extra = String::new();
        let after = &self.source.text[range.end.min(self.source.text.len())..];
        if after.starts_with('{') && !after.starts_with("{{") {
            match attrs::parse(after.lines().next().unwrap_or("")) {
                Ok((a, n)) => {
                    self.consumed_until = range.end + n;
                    extra = self.image_attrs(&a, &mut alt, range.end..range.end + n);
                }
                Err(e) => self.error(
                    Diagnostic::error(format!(
                        "the attributes after this image cannot be read: {}",
                        e.message
                    ))
                    .at(self.source, range.end + e.offset..range.end + e.offset + 1)
                    .hint("write them as `{alt=\"A description\" width=400}`, or remove them."),
                ),
            }
        }
        let src = self.resolve_file(&dest, &range, "image").unwrap_or(dest);
        if alt.trim().is_empty() {
            self.error(
                Diagnostic::warning("this image has no text alternative")
                    .at(self.source, range.clone())
                    .label("empty alt text")
                    .hint("describe what the image shows between the brackets: `![Bar chart of reading gains by school](…)`. Leave it empty only for a purely decorative image."),
            );
        }
        self.html(format!(
            "<img src=\"{}\" alt=\"{}\"{extra} loading=\"lazy\" decoding=\"async\">",
            escape_html(&src),
            escape_html(alt.trim())
        ));
    }

    /// The attributes an image takes from `{…}` after it: `alt` replaces the bracketed text,
    /// `width` and `height` in pixels, classes; anything else is refused.
    fn image_attrs(&mut self, a: &attrs::Attrs, alt: &mut String, at: Range<usize>) -> String {
        let mut extra = String::new();
        for (k, v) in &a.pairs {
            match k.as_str() {
                "alt" => *alt = v.clone(),
                "title" => extra.push_str(&format!(" title=\"{}\"", escape_html(v))),
                "width" | "height" if v.ends_with('%') => self.error(
                    Diagnostic::warning(format!("the {k} `{v}` is left out: a page's images already fit its column"))
                        .at(self.source, at.clone())
                        .label("a size in percent")
                        .hint(format!("remove `{k}={v}`, or give the {k} in pixels (e.g. `{k}=400`) to make the image smaller than the column.")),
                ),
                "width" | "height" => match v.trim_end_matches("px").parse::<u32>() {
                    Ok(n) => extra.push_str(&format!(" {k}=\"{n}\"")),
                    Err(_) => self.error(
                        Diagnostic::error(format!("`{v}` is not a {k} in pixels"))
                            .at(self.source, at.clone())
                            .hint(format!("give the {k} as a whole number of pixels, e.g. `{k}=400`; images shrink to fit narrow screens by themselves.")),
                    ),
                },
                _ => self.error(
                    Diagnostic::error(format!("`{k}` is not an attribute an image takes"))
                        .at(self.source, at.clone())
                        .hint("an image takes `alt`, `title`, `width` and `height` (and classes), e.g. `{alt=\"A chart of …\" width=400}`."),
                ),
            }
        }
        if !a.classes.is_empty() {
            extra.push_str(&format!(" class=\"{}\"", escape_html(&a.classes.join(" "))));
        }
        extra
    }

    fn footnote_reference(&mut self, label: &str) {
        let key = slugify(label);
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
        self.ids.insert(ref_id.clone());
        self.html(format!("<sup class=\"footnote-ref\"><a href=\"#fn-{key}\" id=\"{ref_id}\" aria-describedby=\"footnotes-label\">{n}</a></sup>"));
    }

    fn footnotes_section(&mut self, html: &mut String) {
        if self.footnote_order.is_empty() {
            return;
        }
        let s = self.cx.strings;
        html.push_str(&format!("<section class=\"footnotes\" aria-labelledby=\"footnotes-label\">\n<h2 class=\"visually-hidden\" id=\"footnotes-label\">{}</h2>\n<ol>\n", escape_html(s.get("footnotes.title"))));
        for key in std::mem::take(&mut self.footnote_order) {
            let evs = self.footnote_defs.remove(&key).unwrap_or_default();
            let mut inner = String::new();
            pulldown_cmark::html::push_html(&mut inner, evs.into_iter());
            let back = format!(
                " <a href=\"#fnref-{key}\" class=\"footnote-back\"><span aria-hidden=\"true\">↩</span><span class=\"visually-hidden\">{}</span></a>",
                escape_html(s.get("footnotes.back"))
            );
            let inner = match inner.trim_end().strip_suffix("</p>") {
                Some(head) => format!("{head}{back}</p>"),
                None => format!("{inner}{back}"),
            };
            self.ids.insert(format!("fn-{key}"));
            html.push_str(&format!("<li id=\"fn-{key}\">{inner}</li>\n"));
        }
        html.push_str("</ol>\n</section>\n");
    }

    /// An HTML block: a block placeholder of the pre-pass, or the author's own HTML.
    fn finish_html_block(&mut self) {
        let Some(lines) = self.html_block.take() else {
            return;
        };
        if let [(_, r)] = lines.as_slice() {
            match self.parsed.markers.get(&r.start) {
                Some(Marker::Open(i)) => return self.open_block(*i),
                Some(Marker::Close(i)) => return self.close_block(*i),
                None => {}
            }
        }
        let mut text = String::new();
        let mut map = Vec::with_capacity(lines.len());
        for (t, r) in &lines {
            map.push((text.len(), self.parsed.to_source(r.start)));
            text.push_str(t);
        }
        self.raw_html(&text, &map, false);
    }

    fn open_block(&mut self, i: usize) {
        // A block's title (The Carpentries' `## Title` inside a challenge) is searched like the
        // heading it was written as.
        let d = &self.parsed.directives[i];
        if let (Some((title, _)), false) = (&d.title, d.kind == blocks::Kind::Facilitator) {
            let title = format!("{title}\n");
            self.text(&title);
        }
        self.frames.push(Frame {
            dir: Some(i),
            events: Vec::new(),
        });
    }

    fn close_block(&mut self, i: usize) {
        if self.frames.len() < 2 || self.frames.last().and_then(|f| f.dir) != Some(i) {
            return;
        }
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, frame.events.into_iter());
        let d = &self.parsed.directives[i];
        let html = self.container(d, &inner);
        self.html(html);
    }

    /// The author's HTML (`text`, whose byte `k` is at file offset `o + (k - t)` for the last
    /// `(t, o)` of `map` with `t <= k`), judged by the allow-list.
    fn raw_html(&mut self, text: &str, map: &[(usize, usize)], inline: bool) {
        let at = |k: usize| {
            let i = map.partition_point(|(t, _)| *t <= k).saturating_sub(1);
            map.get(i).map_or(0, |(t, o)| o + (k - t))
        };
        let j = rawhtml::judge(text);
        for r in &j.refused {
            let range = at(r.range.start)..at(r.range.end.max(r.range.start + 1));
            self.error(
                Diagnostic::error(r.message.clone())
                    .at(self.source, range)
                    .label("not allowed")
                    .hint(r.hint),
            );
        }
        if !j.not_elements.is_empty() {
            let (name, r) = &j.not_elements[0];
            self.error(
                Diagnostic::warning(format!("`<{name}…>` is not an HTML element, so it is shown as text"))
                    .at(self.source, at(r.start)..at(r.end.max(r.start + 1)))
                    .label("shown as it is written")
                    .hint("to show angle brackets, put the text in backticks (`` `<commit message>` ``) or write `\\<` for `<`; for a real element, check its name."),
            );
            self.text(text);
            self.emit(Event::Text(CowStr::from(text.to_string())));
            return;
        }
        if !j.refused.is_empty() {
            return;
        }
        // Each URL replaced by its resolution, each dropped attribute by nothing.
        let mut edits: Vec<(std::ops::Range<usize>, String)> = j
            .dropped
            .iter()
            .map(|r| (r.clone(), String::new()))
            .collect();
        for u in j.urls {
            let range = at(u.range.start)..at(u.range.end.max(u.range.start + 1));
            let value = html_escape::decode_html_entities(&u.value).into_owned();
            let resolved = if u.image {
                self.resolve_file(&value, &range, "image").unwrap_or(value)
            } else {
                self.resolve_link(pulldown_cmark::LinkType::Inline, &value, &range)
            };
            edits.push((u.range, escape_html(&resolved)));
        }
        edits.sort_by_key(|(r, _)| r.start);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (r, with) in edits {
            if r.start < last {
                continue;
            }
            out.push_str(&text[last..r.start]);
            out.push_str(&with);
            last = r.end;
        }
        out.push_str(&text[last..]);
        let e = if inline {
            Event::InlineHtml(CowStr::from(out))
        } else {
            Event::Html(CowStr::from(out))
        };
        self.emit(e);
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "block.note"),
        BlockQuoteKind::Tip => ("tip", "block.tip"),
        BlockQuoteKind::Important => ("important", "block.important"),
        BlockQuoteKind::Warning => ("warning", "block.warning"),
        BlockQuoteKind::Caution => ("caution", "block.caution"),
    }
}
