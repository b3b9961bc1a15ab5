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
mod events;
mod footnotes;
pub mod headings;
mod html;
mod images;
mod links;
pub mod rawhtml;
mod roles;
mod tables;

pub use code::{HIGHLIGHT_LIMIT, Info, info};
pub use links::{is_external, join_rel, percent_decode, relative_to};

use crate::blocks::{self, Parsed};
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::highlight::Highlighter;
use crate::i18n::Strings;
use crate::model::{Page, PageId, Site};
use crate::util::{escape_html, slugify};
use code::OpenCode;
use footnotes::OpenFootnote;
use headings::{Ids, PendingHeading};
use images::OpenImage;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
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

/// A page's body HTML. Packed (LZ4, about a quarter of the size) right after rendering, by a
/// one-shot build and by `serve` alike, because between the Markdown pass and the writing of
/// pages the bodies of every page are the largest thing held in memory (some 160 MB at 10,000
/// pages, and `serve` holds them for as long as it runs); unpacked when a page is written.
#[derive(Debug, Clone)]
pub enum Html {
    Text(String),
    /// LZ4 with its size first. Shared bytes: a body read from the build cache is a view of the
    /// cache file's bytes, not a copy (half of a one-page rebuild's reading of the cache was
    /// copying bodies into memory that had to be zeroed first).
    Packed(bytes::Bytes),
}

impl Default for Html {
    fn default() -> Html {
        Html::Text(String::new())
    }
}

impl Html {
    pub fn pack(&mut self) {
        if let Html::Text(t) = self {
            *self = Html::Packed(lz4_flex::compress_prepend_size(t.as_bytes()).into());
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
    // The sections' text grew a piece at a time, to up to twice its length; `serve` holds it
    // for every page (its search fragments are made from it again after an edit).
    for s in &mut out.sections {
        s.text.shrink_to_fit();
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

/// A block being rendered: the events of its text so far.
struct Frame<'a> {
    dir: Option<usize>,
    events: Vec<Event<'a>>,
}

/// An element whose events are gathered, not emitted, until it closes, and then rendered
/// whole. While one is open, every event goes to it (`Renderer::capture_event`).
enum Capture<'a> {
    Code(OpenCode),
    Image(OpenImage),
    /// The lines of an HTML block with their ranges in the text being rendered.
    HtmlBlock(Vec<(CowStr<'a>, Range<usize>)>),
}

/// The state of rendering one page (or one facilitator note).
struct Renderer<'a, 'c> {
    page: &'a Page,
    cx: &'c Context<'c>,
    source: &'a Source,
    parsed: &'a Parsed<'a>,
    out: Rendered,
    ids: Ids,
    frames: Vec<Frame<'a>>,
    heading: Option<PendingHeading<'a>>,
    /// An element whose text is gathered before it is rendered (see `Capture`).
    capture: Option<Capture<'a>>,
    /// A footnote definition being read: what is emitted goes into it.
    footnote: Option<OpenFootnote<'a>>,
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
    /// ` lang="…"` for elements whose text is the interface's (see [`Strings::lang_attr`]).
    ui: String,
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
            capture: None,
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
            ui: cx.strings.lang_attr(&page.lang),
        }
    }

    /// The interface text `key`, escaped, in a `<span lang>` when the page's text is in another
    /// language (see [`Strings::lang_attr`]).
    fn ui_text(&self, key: &str) -> String {
        let text = escape_html(self.cx.strings.get(key));
        if self.ui.is_empty() {
            text
        } else {
            format!("<span{}>{text}</span>", self.ui)
        }
    }

    fn emit(&mut self, e: Event<'a>) {
        if let Some(h) = &mut self.heading {
            h.events.push(e);
        } else if let Some(f) = &mut self.footnote {
            f.events.push(e);
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
}
