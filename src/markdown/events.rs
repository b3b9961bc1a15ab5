//! The event loop: each pulldown-cmark event of a page handed to the job that renders it
//! (headings, code, images, links, tables, footnotes, the author's HTML, roles), or, while an
//! element whose text is gathered first is open, to that element (see `Capture`).

use super::code::OpenCode;
use super::footnotes::OpenFootnote;
use super::images::OpenImage;
use super::{Capture, Heading, Html, RESERVED_IDS, Rendered, Renderer, options, term_id};
use crate::diagnostics::Diagnostic;
use crate::util::{escape_html, slugify};
use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Parser, Tag, TagEnd};
use std::ops::Range;

impl<'a> Renderer<'a, '_> {
    /// Renders the text: every event of the parser, then the blocks an error left open.
    pub(super) fn run(&mut self) {
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

    /// The page rendered: its HTML with the footnotes, the key points' heading in the outline,
    /// and every id it uses.
    pub(super) fn finish(mut self) -> Rendered {
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

    /// Renders event `event` (at `range` of the text being rendered).
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        if self.capture.is_some() {
            return self.capture_event(event, range);
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => self.start_heading(level, id, classes, &range),
            Event::End(TagEnd::Heading(_)) => self.finish_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let start = self.src(&range).start;
                self.capture = Some(Capture::Code(OpenCode::new(kind, start)));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let image = OpenImage::new(dest_url.to_string(), self.src(&range));
                self.capture = Some(Capture::Image(image));
            }
            Event::Start(link @ Tag::Link { .. }) => self.start_link(link, &range),
            Event::Start(Tag::BlockQuote(Some(kind))) => self.start_callout(kind),
            Event::End(TagEnd::BlockQuote(Some(_))) => self.html("</div>\n".into()),
            Event::Start(Tag::Table(_))
            | Event::End(TagEnd::Table)
            | Event::Start(Tag::TableHead)
            | Event::End(TagEnd::TableHead)
            | Event::Start(Tag::TableRow)
            | Event::End(TagEnd::TableRow)
            | Event::Start(Tag::TableCell)
            | Event::End(TagEnd::TableCell) => self.table_event(event),
            Event::TaskListMarker(done) => self.task_marker(done),
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote = Some(OpenFootnote::new(slugify(&label)));
            }
            Event::End(TagEnd::FootnoteDefinition) => self.finish_footnote(),
            Event::Start(Tag::DefinitionListTitle) if self.page.glossary => {
                self.glossary_term(event)
            }
            Event::Start(Tag::HtmlBlock) => self.capture = Some(Capture::HtmlBlock(Vec::new())),
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

    /// Event `event` inside the element being captured: its text gathered, and the element
    /// rendered at its end; any other event is dropped.
    fn capture_event(&mut self, event: Event<'a>, range: Range<usize>) {
        let parsed = self.parsed;
        let Some(capture) = &mut self.capture else {
            return;
        };
        match capture {
            Capture::Code(code) => match event {
                Event::Text(t) => code.text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.finish_code(),
                _ => {}
            },
            Capture::Image(image) => match event {
                Event::Text(t) | Event::Code(t) => image.alt.push_str(&t),
                Event::End(TagEnd::Image) => {
                    image.range.end = parsed.range(&range).end;
                    self.finish_image();
                }
                _ => {}
            },
            Capture::HtmlBlock(lines) => match event {
                Event::Html(t) => lines.push((t, range)),
                Event::End(TagEnd::HtmlBlock) => self.finish_html_block(),
                _ => {}
            },
        }
    }

    /// A GitHub callout (`> [!NOTE]`): a note titled in the page's language.
    fn start_callout(&mut self, kind: BlockQuoteKind) {
        let (class, key) = callout(kind);
        let title = escape_html(self.cx.strings.get(key));
        self.html(format!("<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\"{}>{title}</p>\n", self.ui));
    }

    /// A task list's checkbox, shown as done or not and labelled so.
    fn task_marker(&mut self, done: bool) {
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

    /// A term of the glossary page (`event` opens it): it gets an id, so `{term}` roles can
    /// link to it.
    fn glossary_term(&mut self, event: Event<'a>) {
        let term = self.cx.site.glossary_terms.get(self.terms_seen);
        self.terms_seen += 1;
        match term {
            Some(t) => self.html(format!("<dt id=\"{}\">", escape_html(&term_id(t)))),
            None => self.emit(event),
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
        if self.heading.is_none() && t.trim_start().starts_with(":::") {
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
}

/// The class and the title's string key of a callout of kind `kind`.
fn callout(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "block.note"),
        BlockQuoteKind::Tip => ("tip", "block.tip"),
        BlockQuoteKind::Important => ("important", "block.important"),
        BlockQuoteKind::Warning => ("warning", "block.warning"),
        BlockQuoteKind::Caution => ("caution", "block.caution"),
    }
}
