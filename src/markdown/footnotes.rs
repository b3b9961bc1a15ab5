//! Footnotes: numbered references, and the definitions gathered into one labelled section at
//! the end of the page with links back.

use super::Renderer;
use crate::util::{escape_html, slugify};
use pulldown_cmark::Event;

/// A footnote definition being read: its key and its events so far.
pub(super) struct OpenFootnote<'a> {
    key: String,
    pub(super) events: Vec<Event<'a>>,
}

impl OpenFootnote<'_> {
    pub(super) fn new(key: String) -> Self {
        OpenFootnote {
            key,
            events: Vec::new(),
        }
    }
}

impl<'a> Renderer<'a, '_> {
    /// The footnote definition just closed, kept for the section at the end.
    pub(super) fn finish_footnote(&mut self) {
        if let Some(f) = self.footnote.take() {
            self.footnote_defs.insert(f.key, f.events);
        }
    }

    /// A reference to footnote `label`: its number (in order of first reference) and an id for
    /// the way back.
    pub(super) fn footnote_reference(&mut self, label: &str) {
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

    /// The footnotes at the end of the page, each with a link back to its first reference.
    pub(super) fn footnotes_section(&mut self, html: &mut String) {
        if self.footnote_order.is_empty() {
            return;
        }
        let s = self.cx.strings;
        html.push_str(&format!("<section class=\"footnotes\" aria-labelledby=\"footnotes-label\">\n<h2 class=\"visually-hidden\" id=\"footnotes-label\"{}>{}</h2>\n<ol>\n", self.ui, escape_html(s.get("footnotes.title"))));
        for key in std::mem::take(&mut self.footnote_order) {
            let evs = self.footnote_defs.remove(&key).unwrap_or_default();
            let mut inner = String::new();
            pulldown_cmark::html::push_html(&mut inner, evs.into_iter());
            let back = format!(
                " <a href=\"#fnref-{key}\" class=\"footnote-back\"><span aria-hidden=\"true\">↩</span><span class=\"visually-hidden\"{}>{}</span></a>",
                self.ui,
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
}
