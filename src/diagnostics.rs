//! Errors and warnings about the reader's own files, written for authors who are not
//! programmers: what is wrong, where (file:line:col and the line itself), and a hint.
//!
//! Stages never stop at the first problem: they push into a [`Diagnostics`] list and go on,
//! and the build reports the whole list at once. Rendering uses codespan-reporting, with
//! colour only when stderr is a terminal and `NO_COLOR` is unset.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use std::ops::Range;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A source file as the author wrote it, shared by every diagnostic that points into it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path shown to the author, relative to the site folder (`content/playbook/01.md`).
    pub name: Arc<str>,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Returns the byte offset of 1-based `line` and `column` (in characters), clamped to the
    /// text, so a position reported by a parser always maps to something printable.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut offset = 0;
        for (i, l) in self.text.split_inclusive('\n').enumerate() {
            if i + 1 == line {
                let col = l
                    .char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
                return offset + col;
            }
            offset += l.len();
        }
        self.text.len()
    }

    /// Returns the 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where it is: the file and a byte range in it. `None` for problems with no file.
    pub at: Option<Box<(Source, Range<usize>)>>,
    /// A short note under the marked text, e.g. "this key is not known".
    pub label: String,
    /// How to fix it, in one sentence.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            at: None,
            label: String::new(),
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, source: &Source, range: Range<usize>) -> Diagnostic {
        let len = source.text.len();
        let range = range.start.min(len)..range.end.min(len).max(range.start.min(len));
        self.at = Some(Box::new((source.clone(), range)));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:col`, or an empty string for a problem with no file.
    pub fn location(&self) -> String {
        match self.at.as_deref() {
            Some((source, range)) => {
                let (line, col) = source.line_col(range.start);
                format!("{}:{line}:{col}", source.name)
            }
            None => String::new(),
        }
    }

    fn render_into(&self, out: &mut dyn termcolor::WriteColor) {
        let mut d = match self.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(&self.message);
        if let Some(hint) = &self.hint {
            d = d.with_notes(vec![format!("hint: {hint}")]);
        }
        let config = term::Config::default();
        match self.at.as_deref() {
            Some((source, range)) => {
                let file = SimpleFile::new(source.name.as_ref(), source.text.as_ref());
                let d = d.with_labels(vec![
                    Label::primary((), range.clone()).with_message(&self.label),
                ]);
                let _ = term::emit(out, &config, &file, &d);
            }
            None => {
                let file = SimpleFile::new("", "");
                let _ = term::emit(out, &config, &file, &d);
            }
        }
    }

    /// Renders the diagnostic as plain text, with no colour codes (for tests and overlays).
    pub fn to_plain_string(&self) -> String {
        let mut buf = termcolor::NoColor::new(Vec::new());
        self.render_into(&mut buf);
        String::from_utf8_lossy(buf.get_ref()).into_owned()
    }
}

/// All the problems found in one build, in the order the files were read.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// The errors alone, without the warnings.
    pub fn errors_only(&self) -> Diagnostics {
        Diagnostics {
            items: self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .cloned()
                .collect(),
        }
    }

    /// The warnings alone, without the errors.
    pub fn warnings_only(&self) -> Diagnostics {
        Diagnostics {
            items: self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts errors before warnings, then by file and position, so output is stable however
    /// the parallel stages interleaved.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                let (name, start) =
                    d.at.as_deref()
                        .map_or((String::new(), 0), |(s, r)| (s.name.to_string(), r.start));
                (d.severity, name, start)
            };
            key(a).cmp(&key(b))
        });
    }

    /// Writes every diagnostic to stderr, coloured only on a terminal without `NO_COLOR`.
    pub fn eprint(&self) {
        use std::io::{IsTerminal, Write};
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let mut buf = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        for d in &self.items {
            d.render_into(&mut buf);
        }
        let _ = std::io::stderr().write_all(buf.as_slice());
    }

    /// Renders every diagnostic as plain text.
    pub fn to_plain_string(&self) -> String {
        self.items.iter().map(Diagnostic::to_plain_string).collect()
    }
}

/// Returns the candidate closest to `word` if it is close enough to be a likely typo; of
/// candidates equally close, the first in alphabetical order, so the hint is the same on every
/// run whatever order the candidates come in.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .fold(None, |best: Option<(f64, &str)>, (score, c)| match best {
            Some((s, b)) if s > score || (s == score && b <= c) => Some((s, b)),
            _ => Some((score, c)),
        })
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        let s = Source::new("a.md", "one\ntwo é three\n");
        let off = s.offset_of(2, 7);
        assert_eq!(&s.text[off..off + 5], "three");
        assert_eq!(s.line_col(off), (2, 7));
        assert_eq!(s.offset_of(9, 1), s.text.len());
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        assert_eq!(
            did_you_mean("titel", ["title", "description"]),
            Some("title")
        );
        assert_eq!(did_you_mean("colour", ["title", "description"]), None);
    }
}
