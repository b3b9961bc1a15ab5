//! Roles: a `{name}` before inline code (`` {kbd}`Ctrl+C` ``, `{abbr}`, `{term}`, `{sub}`, …)
//! renders the code as that kind of text; `{term}` links to the glossary.

use super::{Renderer, term_id};
use crate::blocks::ROLES;
use crate::diagnostics::Diagnostic;
use crate::util::{escape_html, slugify};
use pulldown_cmark::{CowStr, Event};
use std::ops::Range;

impl Renderer<'_, '_> {
    /// If the text just emitted ends with `{name}`, removes it and returns the name.
    pub(super) fn take_role(&mut self) -> Option<String> {
        let events = match (&mut self.heading, &mut self.footnote) {
            (Some(h), _) => &mut h.events,
            (None, Some(f)) => &mut f.events,
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

    /// The HTML of role `name` before inline code `text` (at `at` in the file); an unknown role
    /// is an error, and its text is shown as code.
    pub(super) fn role(&mut self, name: &str, text: &str, at: Range<usize>) {
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
}
