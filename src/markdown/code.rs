//! Fenced code: the language from the info string as authors write it (`bash`,
//! `{.language-bash}`, `{.python}`, `python {.numberLines}`), program output and errors styled
//! apart from the code that made them, and the ```` ```quiz ```` and ```` ```reflection ````
//! blocks, whose YAML bodies become forms.

use super::{Capture, Renderer};
use crate::blocks::quiz::{self, BlockSpot};
use crate::util::{attrs, escape_html};
use pulldown_cmark::CodeBlockKind;

/// What a fence's info string asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Info {
    /// Code in a language (`""` when none is named).
    Code(String),
    /// Output of a program (`output`), or an error it printed (`error`).
    Output {
        error: bool,
    },
    Quiz,
    Reflection,
}

/// Reads a fence's info string.
pub fn info(text: &str) -> Info {
    let text = text.trim();
    // An executable cell (```` ```{r} ````, ```` ```{code-cell} python ````) shows its code.
    let cell;
    let text = match text.strip_prefix('{').and_then(|r| r.split_once('}')) {
        Some((name, after)) if !name.starts_with(['.', '#', ':']) && !name.contains([' ', '=']) => {
            cell = if name == "code-cell" {
                after.trim().to_string()
            } else {
                name.to_string()
            };
            cell.as_str()
        }
        _ => text,
    };
    let (word, rest) = match text.find(|c: char| c.is_whitespace() || c == '{') {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    };
    let mut lang = word.to_string();
    if let Some(braces) = rest
        .strip_prefix('{')
        .map(|_| rest)
        .or_else(|| word.is_empty().then_some(text))
    {
        if let Ok((a, _)) = attrs::parse(braces) {
            if let Some(c) = a.classes.first() {
                if lang.is_empty() {
                    lang = c.strip_prefix("language-").unwrap_or(c).to_string();
                }
            }
        }
    }
    let lang = lang
        .strip_prefix("language-")
        .map(str::to_string)
        .unwrap_or(lang);
    match lang.to_ascii_lowercase().as_str() {
        "output" | "out" | "stdout" | "result" => Info::Output { error: false },
        "error" | "stderr" | "warning" => Info::Output { error: true },
        "quiz" => Info::Quiz,
        "reflection" => Info::Reflection,
        _ => Info::Code(lang),
    }
}

/// Code blocks larger than this are shown without highlighting: the highlighter's time grows
/// faster than the size of a block, and a block this large is data, not something to read.
pub const HIGHLIGHT_LIMIT: usize = 256 * 1024;

/// A code block being read: its info string, its text so far and where its fence starts in the
/// file.
pub(super) struct OpenCode {
    info: String,
    pub(super) text: String,
    start: usize,
}

impl OpenCode {
    /// A code block of kind `kind` whose fence starts at `start` in the file.
    pub(super) fn new(kind: CodeBlockKind, start: usize) -> OpenCode {
        OpenCode {
            info: match kind {
                CodeBlockKind::Fenced(info) => info.to_string(),
                CodeBlockKind::Indented => String::new(),
            },
            text: String::new(),
            start,
        }
    }
}

impl<'a> Renderer<'a, '_> {
    /// The code block just closed, as HTML.
    pub(super) fn finish_code(&mut self) {
        let Some(Capture::Code(code)) = self.capture.take() else {
            return;
        };
        let html = self.code_html(&code.info, &code.text, code.start);
        self.html(html);
    }

    /// The HTML of a finished code block whose fence (in the file) starts at `start`.
    pub(super) fn code_html(&mut self, info_text: &str, text: &str, start: usize) -> String {
        match info(info_text) {
            Info::Quiz | Info::Reflection => {
                self.block_index += 1;
                let body_offset = self.source.text[start..]
                    .find('\n')
                    .map_or(start, |i| start + i + 1);
                let (first_line, _) = self.source.line_col(body_offset);
                let spot = BlockSpot {
                    source: self.source,
                    body: text,
                    first_line,
                    offset: body_offset,
                    index: self.block_index,
                    strings: self.cx.strings,
                    ui: &self.ui,
                };
                let r = if matches!(info(info_text), Info::Quiz) {
                    quiz::render_quiz(&spot)
                } else {
                    quiz::render_reflection(&spot)
                };
                r.unwrap_or_else(|d| {
                    self.error(d);
                    String::new()
                })
            }
            Info::Output { error } => {
                self.text(text);
                let (class, label) = if error {
                    (
                        "code-output code-error",
                        self.cx.strings.get("block.error_output"),
                    )
                } else {
                    ("code-output", self.cx.strings.get("block.output"))
                };
                format!(
                    "<div class=\"{class}\"><p class=\"code-label\"{}>{}</p><pre class=\"code\" tabindex=\"0\"><code>{}</code></pre></div>\n",
                    self.ui,
                    escape_html(label),
                    escape_html(text)
                )
            }
            Info::Code(lang) => {
                self.text(text);
                if text.len() > HIGHLIGHT_LIMIT {
                    self.cx.highlighter.highlight(text, "")
                } else {
                    self.cx.highlighter.highlight(text, &lang)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings_as_authors_write_them() {
        assert_eq!(info("bash"), Info::Code("bash".into()));
        assert_eq!(info("{.language-bash}"), Info::Code("bash".into()));
        assert_eq!(info("{.python}"), Info::Code("python".into()));
        assert_eq!(info("python {.numberLines}"), Info::Code("python".into()));
        assert_eq!(info("language-r"), Info::Code("r".into()));
        assert_eq!(info("output"), Info::Output { error: false });
        assert_eq!(info("{.error}"), Info::Output { error: true });
        assert_eq!(info("quiz"), Info::Quiz);
        assert_eq!(info("{r}"), Info::Code("r".into()));
        assert_eq!(info("{code-cell} python"), Info::Code("python".into()));
        assert_eq!(info(""), Info::Code(String::new()));
    }
}
