//! The author's HTML in the Markdown: an HTML block is a block placeholder of the pre-pass or
//! the author's own HTML, which (like inline HTML) passes `rawhtml`'s allow-list with its URLs
//! resolved, or is refused with an error placed in the file.

use super::{Capture, Renderer, rawhtml};
use crate::blocks::Marker;
use crate::diagnostics::Diagnostic;
use crate::util::escape_html;
use pulldown_cmark::{CowStr, Event};

impl Renderer<'_, '_> {
    /// An HTML block: a block placeholder of the pre-pass, or the author's own HTML.
    pub(super) fn finish_html_block(&mut self) {
        let Some(Capture::HtmlBlock(lines)) = self.capture.take() else {
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

    /// The author's HTML (`text`, whose byte `k` is at file offset `o + (k - t)` for the last
    /// `(t, o)` of `map` with `t <= k`), judged by the allow-list.
    pub(super) fn raw_html(&mut self, text: &str, map: &[(usize, usize)], inline: bool) {
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
