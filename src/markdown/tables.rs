//! Tables: alignment as classes (a strict Content-Security-Policy refuses `style=`), header
//! cells with `scope`, and each table in a scroll region that a keyboard can reach and that a
//! screen reader names after the table's columns, so a wide table scrolls on a phone instead of
//! being cut off.

use super::Renderer;
use crate::util::escape_html;
use pulldown_cmark::{Alignment, CowStr, Event, Tag, TagEnd};

#[derive(Debug, Default)]
pub(super) struct Table {
    aligns: Vec<Alignment>,
    in_head: bool,
    col: usize,
    /// The header cells' text, for the region's name.
    columns: Vec<String>,
    /// Where the opening tags were emitted (frame, event index), to name the region at the end.
    opening: Option<(usize, usize)>,
}

impl<'a> Renderer<'a, '_> {
    pub(super) fn table_event(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::Table(aligns)) => {
                let opening = (self.heading.is_none() && self.footnote.is_none()).then(|| {
                    (
                        self.frames.len() - 1,
                        self.frames.last().map_or(0, |f| f.events.len()),
                    )
                });
                self.table = Some(Table {
                    aligns,
                    opening,
                    ..Table::default()
                });
                let label = escape_html(self.cx.strings.get("table.label"));
                self.html(format!("<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{label}\">\n<table>\n"));
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = self.table.take() {
                    self.name_region(&t);
                }
                self.html("</tbody>\n</table>\n</div>\n".into());
            }
            Event::Start(Tag::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.in_head = true;
                    t.col = 0;
                }
                self.html("<thead>\n<tr>".into());
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = &mut self.table {
                    t.in_head = false;
                }
                self.html("</tr>\n</thead>\n<tbody>\n".into());
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = &mut self.table {
                    t.col = 0;
                }
                self.html("<tr>".into());
            }
            Event::End(TagEnd::TableRow) => self.html("</tr>\n".into()),
            Event::Start(Tag::TableCell) => {
                let (tag, class) = match &mut self.table {
                    Some(t) => {
                        let class = match t.aligns.get(t.col) {
                            Some(Alignment::Left) => " class=\"align-left\"",
                            Some(Alignment::Center) => " class=\"align-center\"",
                            Some(Alignment::Right) => " class=\"align-right\"",
                            _ => "",
                        };
                        t.col += 1;
                        if t.in_head {
                            t.columns.push(String::new());
                        }
                        (if t.in_head { "th scope=\"col\"" } else { "td" }, class)
                    }
                    None => ("td", ""),
                };
                self.html(format!("<{tag}{class}>"));
            }
            Event::End(TagEnd::TableCell) => {
                self.text("\n");
                let head = self.table.as_ref().is_some_and(|t| t.in_head);
                self.html(if head { "</th>".into() } else { "</td>".into() });
            }
            other => self.emit(other),
        }
    }

    /// Adds text to the header cell being read, if any.
    pub(super) fn table_text(&mut self, text: &str) {
        if let Some(t) = &mut self.table {
            if t.in_head {
                if let Some(c) = t.columns.last_mut() {
                    c.push_str(text);
                }
            }
        }
    }

    /// Names the table's region after its columns ("Table: Year, School, Gain").
    fn name_region(&mut self, t: &Table) {
        let Some((frame, index)) = t.opening else {
            return;
        };
        let columns: Vec<&str> = t
            .columns
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .take(4)
            .collect();
        if columns.is_empty() {
            return;
        }
        let label = self
            .cx
            .strings
            .fill("table.label_with", &[("columns", &columns.join(", "))]);
        if let Some(e) = self
            .frames
            .get_mut(frame)
            .and_then(|f| f.events.get_mut(index))
        {
            *e = Event::Html(CowStr::from(format!(
                "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n<table>\n",
                escape_html(&label)
            )));
        }
    }
}
