//! The block pre-pass: reads a page's Markdown line by line, finds every block fence in the
//! dialects authors write, and returns the Markdown with each fence line replaced by a
//! placeholder HTML line (`<div data-pb="N">` / `<div data-pb-end="N">`, each alone between
//! blank lines, so pulldown-cmark sees it as an HTML block of its own and parses the text
//! between as Markdown), plus the list of blocks and a map from the rewritten text's offsets to
//! the author's file, so every later message points at the author's own line.
//!
//! What it rewrites:
//! - colon fences (`::: name`, `::: {.name title="…"}`, `:::{name} Title`, `:::name[Title]`,
//!   closed by a line of three or more colons, which closes the innermost open block, as in
//!   Pandoc) and MyST's ```` ```{name} ```` directives (closed like a code fence), with their
//!   `:key: value` option lines and a first `#` heading taken as the title;
//! - kramdown's `{: .challenge}` after a quote (the quote becomes the block) and
//!   `{: .language-bash}` / `{: .output}` after a code fence (the fence gets the language);
//! - a `solution` or `hint` right after an exercise becomes part of it;
//! - `keypoints` blocks move to the end of the page;
//! - `facilitator` blocks are left out of the text (the learner audience) and their inner
//!   ranges kept, for the facilitator guide.
//!
//! Code fences are copied as they are: nothing inside one is read as a block.

use super::{Kind, kind_of};
use crate::diagnostics::{Diagnostic, Source};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

mod frames;
mod lines;
use lines::{
    atx_heading, blank, block_ial, code_fence, code_ial, colon_fence, header, myst_directive,
    quote_inner,
};

/// One block as the author wrote it.
#[derive(Debug, Clone)]
pub struct Directive {
    pub kind: Kind,
    /// The name as written (`challenge`, `callout-note`).
    pub name: String,
    /// The title as written (inline Markdown) and where it is in the file.
    pub title: Option<(String, Range<usize>)>,
    /// The argument after a figure's, video's or audio's name: its file.
    pub argument: Option<(String, Range<usize>)>,
    /// `:key: value` lines and `key=value` attributes, each with its range in the file.
    pub options: Vec<(String, String, Range<usize>)>,
    pub classes: Vec<String>,
    pub id: Option<String>,
    /// The opening line in the file (without its line break).
    pub open: Range<usize>,
    /// The block's text in the file, between its header and its closing line.
    pub inner: Range<usize>,
    pub parent: Option<usize>,
    /// The block is inside a `facilitator` block (so never in the learner's text).
    pub hidden: bool,
}

impl Directive {
    pub fn option(&self, key: &str) -> Option<&(String, String, Range<usize>)> {
        self.options.iter().find(|(k, _, _)| k == key)
    }
}

/// A placeholder in the rewritten text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Open(usize),
    Close(usize),
}

/// A run of the rewritten text and where it comes from: `exact` runs are the author's bytes
/// (offset for offset), the others are made here and all point at `at`.
#[derive(Debug, Clone, Copy)]
struct Run {
    text_start: usize,
    at: usize,
    len: usize,
    exact: bool,
}

/// The result of the pre-pass over one page.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// The Markdown to render: the author's body itself when it has no block.
    pub text: Cow<'a, str>,
    /// Offset in the file of the body's first byte (when `text` is the body itself).
    base: usize,
    runs: Vec<Run>,
    /// The placeholders, by their offset in `text`.
    pub markers: HashMap<usize, Marker>,
    pub directives: Vec<Directive>,
    /// The `facilitator` blocks (indices into `directives`), outermost only.
    pub facilitator: Vec<usize>,
    pub diags: Vec<Diagnostic>,
}

impl Parsed<'_> {
    /// The offset in the author's file of offset `t` of [`Parsed::text`].
    pub fn to_source(&self, t: usize) -> usize {
        if self.runs.is_empty() {
            return self.base + t;
        }
        let i = self
            .runs
            .partition_point(|r| r.text_start <= t)
            .saturating_sub(1);
        let r = self.runs[i];
        if r.exact {
            r.at + (t - r.text_start).min(r.len)
        } else {
            r.at
        }
    }

    /// A range of [`Parsed::text`] as a range of the author's file.
    pub fn range(&self, r: &Range<usize>) -> Range<usize> {
        let start = self.to_source(r.start);
        let end = self.to_source(r.end.max(r.start + 1) - 1) + 1;
        start..end.max(start)
    }
}

/// A line of the text being read: its text (without the line break) and where it starts in
/// the file; `exact` is false for lines made here.
#[derive(Debug, Clone)]
struct Line<'a> {
    text: Cow<'a, str>,
    at: usize,
    exact: bool,
}

/// Returns true if and only if some line of `body` could start a block or an attribute line,
/// so the pre-pass has work to do.
fn may_hold_blocks(body: &str) -> bool {
    body.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with(":::")
            || t.starts_with("```{")
            || t.starts_with("~~~{")
            || t.starts_with("{:")
    })
}

/// Reads the body of `source` (byte range `body`) for blocks.
pub fn parse<'a>(source: &'a Source, body: Range<usize>) -> Parsed<'a> {
    let text: &'a str = &source.text[body.clone()];
    if !may_hold_blocks(text) {
        return Parsed {
            text: Cow::Borrowed(text),
            base: body.start,
            runs: Vec::new(),
            markers: HashMap::new(),
            directives: Vec::new(),
            facilitator: Vec::new(),
            diags: Vec::new(),
        };
    }
    let mut lines = Vec::new();
    let mut at = body.start;
    for l in text.split_inclusive('\n') {
        let t = l.strip_suffix('\n').unwrap_or(l);
        let t = t.strip_suffix('\r').unwrap_or(t);
        lines.push(Line {
            text: Cow::Borrowed(t),
            at,
            exact: true,
        });
        at += l.len();
    }
    let mut s = Scanner {
        source,
        outs: vec![Out::default()],
        deferred: Vec::new(),
        frames: Vec::new(),
        directives: Vec::new(),
        facilitator: Vec::new(),
        diags: Vec::new(),
        skip: 0,
        pending_exercise: None,
        depth: 0,
    };
    s.lines(&lines);
    s.finish(body.end)
}

#[derive(Default)]
struct Out {
    text: String,
    runs: Vec<Run>,
    markers: HashMap<usize, Marker>,
}

impl Out {
    fn push(&mut self, text: &str, at: usize, exact: bool) {
        if text.is_empty() {
            return;
        }
        self.runs.push(Run {
            text_start: self.text.len(),
            at,
            len: text.len(),
            exact,
        });
        self.text.push_str(text);
    }

    fn append(&mut self, other: Out) {
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.runs.extend(other.runs.into_iter().map(|mut r| {
            r.text_start += shift;
            r
        }));
        self.markers
            .extend(other.markers.into_iter().map(|(k, m)| (k + shift, m)));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fence {
    Colon,
    /// A MyST directive: closed by a line of at least `len` of this character.
    Code(char, usize),
}

struct Frame {
    dir: usize,
    fence: Fence,
    /// Recursion depth of the line list that opened it (a quote turned into a block reads its
    /// lines one level deeper).
    depth: usize,
    /// Output buffer pushed for it (keypoints are moved to the end).
    deferred: bool,
    /// The tab opened by a `##` heading inside a Quarto tab set.
    implicit_tab: Option<usize>,
}

struct Scanner<'a> {
    source: &'a Source,
    outs: Vec<Out>,
    deferred: Vec<Out>,
    frames: Vec<Frame>,
    directives: Vec<Directive>,
    facilitator: Vec<usize>,
    diags: Vec<Diagnostic>,
    /// Greater than zero inside a facilitator block: lines are read, not copied.
    skip: usize,
    /// An exercise whose closing placeholder waits for a solution or hint that may follow.
    pending_exercise: Option<usize>,
    depth: usize,
}

impl<'a> Scanner<'a> {
    fn out(&mut self) -> &mut Out {
        self.outs
            .last_mut()
            .expect("the main output buffer is never popped")
    }

    fn copy(&mut self, l: &Line) {
        if self.skip > 0 {
            return;
        }
        let out = self.outs.last_mut().expect("the main output buffer");
        out.push(&l.text, l.at, l.exact);
        out.push("\n", l.at + l.text.len(), l.exact);
    }

    /// Writes a placeholder line, alone between blank lines.
    fn marker(&mut self, m: Marker, at: usize) {
        if self.skip > 0 {
            return;
        }
        let idx = match m {
            Marker::Open(i) | Marker::Close(i) => i,
        };
        let line = match m {
            Marker::Open(_) => format!("<div data-pb=\"{idx}\">"),
            Marker::Close(_) => format!("<div data-pb-end=\"{idx}\">"),
        };
        let out = self.out();
        if !out.text.is_empty() && !out.text.ends_with("\n\n") {
            out.push("\n", at, false);
        }
        let start = out.text.len();
        out.markers.insert(start, m);
        out.push(&line, at, false);
        out.push("\n\n", at, false);
    }

    fn error(&mut self, message: String, range: Range<usize>, label: &str, hint: String) {
        self.diags.push(
            Diagnostic::error(message)
                .at(self.source, range)
                .label(label)
                .hint(hint),
        );
    }

    fn lines(&mut self, lines: &[Line<'a>]) {
        self.depth += 1;
        let mut i = 0;
        // An open code fence: its character, length and buffered lines.
        let mut fence: Option<(char, usize, Vec<Line<'a>>)> = None;
        while i < lines.len() {
            let l = &lines[i];
            if let Some((c, n, buf)) = &mut fence {
                buf.push(l.clone());
                let closes = code_fence(&l.text)
                    .is_some_and(|(c2, n2, info)| c2 == *c && n2 >= *n && info.is_empty());
                if closes {
                    let info = lines.get(i + 1).and_then(|n| code_ial(&n.text));
                    let buf = std::mem::take(buf);
                    fence = None;
                    self.emit_fence(&buf, info.as_deref());
                    if info.is_some() {
                        i += 1;
                    }
                }
                i += 1;
                continue;
            }
            if !blank(&l.text) {
                self.settle_exercise(&l.text, l.at);
            }
            if self.closes_code_directive(l) {
                i += 1;
                continue;
            }
            if let Some((c, n, info)) = code_fence(&l.text) {
                if let Some(rest) = myst_directive(info) {
                    i = self.open_myst(lines, i, c, n, rest);
                    continue;
                }
                fence = Some((c, n, vec![l.clone()]));
                i += 1;
                continue;
            }
            if let Some((_, rest)) = colon_fence(&l.text) {
                if rest.is_empty() {
                    self.close_colon(l);
                    i += 1;
                } else {
                    i = self.open_colon(lines, i, rest);
                }
                continue;
            }
            if let Some(k) = self.quote_block(lines, i) {
                i = k;
                continue;
            }
            if self.implicit_tab(l) {
                i += 1;
                continue;
            }
            let t = l.text.trim();
            if t.starts_with("{:") && t.ends_with('}') {
                self.diags.push(
                    Diagnostic::warning("this attribute line applies to nothing playbook understands, so it was left out")
                        .at(self.source, l.at..l.at + l.text.len())
                        .label("left out")
                        .hint("kramdown's `{: .name}` lines are read after a code fence (`.language-bash`, `.output`, `.error`) and after a quote whose block name playbook knows (e.g. `{: .challenge}`); remove this one, or write the block as `::: name` … `:::`."),
                );
                i += 1;
                continue;
            }
            self.copy(l);
            i += 1;
        }
        if let Some((_, _, buf)) = fence {
            self.emit_fence(&buf, None);
        }
        self.depth -= 1;
    }

    /// Writes a code fence's lines, with `info` (from a kramdown line under it) as its info
    /// string when given.
    fn emit_fence(&mut self, buf: &[Line<'a>], info: Option<&str>) {
        for (k, l) in buf.iter().enumerate() {
            match (k, info) {
                (0, Some(info)) => {
                    let (c, n, _) = code_fence(&l.text).unwrap_or(('`', 3, ""));
                    let fence: String = std::iter::repeat_n(c, n).collect();
                    let out_line = Line {
                        text: Cow::Owned(format!("{fence}{info}")),
                        at: l.at,
                        exact: false,
                    };
                    self.copy(&out_line);
                }
                _ => self.copy(l),
            }
        }
    }

    fn open_colon(&mut self, lines: &[Line<'a>], i: usize, rest: &str) -> usize {
        let l = &lines[i];
        let header_at = l.at + l.text.find(rest).unwrap_or(0);
        match header(rest) {
            Ok(h) => self.begin(lines, i, h, header_at, Fence::Colon),
            Err((message, off)) => {
                if self.skip == 0 {
                    self.error(
                        format!("this block's opening line cannot be read: {message}"),
                        header_at + off..l.at + l.text.len(),
                        "not a block name",
                        "open a block with its name, e.g. `::: exercise`, `::: {.callout-note title=\"Remember\"}` or `:::{note} A title`.".into(),
                    );
                }
                let idx = self.push_dummy(l.at);
                self.frames.push(Frame {
                    dir: idx,
                    fence: Fence::Colon,
                    depth: self.depth,
                    deferred: false,
                    implicit_tab: None,
                });
                i + 1
            }
        }
    }

    fn open_myst(&mut self, lines: &[Line<'a>], i: usize, c: char, n: usize, rest: &str) -> usize {
        let l = &lines[i];
        let header_at = l.at + l.text.find('{').unwrap_or(0);
        match header(&format!("{{{rest}")) {
            Ok(h) => self.begin(lines, i, h, header_at, Fence::Code(c, n)),
            Err((message, off)) => {
                if self.skip == 0 {
                    self.error(
                        format!("this directive's opening line cannot be read: {message}"),
                        header_at + off..l.at + l.text.len(),
                        "not a directive name",
                        "write a directive as ```` ```{note} ```` with the name in braces.".into(),
                    );
                }
                let idx = self.push_dummy(l.at);
                self.frames.push(Frame {
                    dir: idx,
                    fence: Fence::Code(c, n),
                    depth: self.depth,
                    deferred: false,
                    implicit_tab: None,
                });
                i + 1
            }
        }
    }

    /// A quote followed by kramdown's `{: .challenge}`: the quote's text becomes that block.
    /// Returns the index of the line after the attribute line.
    fn quote_block(&mut self, lines: &[Line<'a>], i: usize) -> Option<usize> {
        quote_inner(&lines[i].text)?;
        let mut k = i;
        while k < lines.len() && quote_inner(&lines[k].text).is_some() {
            k += 1;
        }
        let Some((ial, name)) = lines.get(k).and_then(|l| Some((l, block_ial(&l.text)?))) else {
            // A plain quote: copied whole (read once, however long).
            for l in &lines[i..k] {
                self.copy(l);
            }
            return Some(k);
        };
        let inner: Vec<Line<'a>> = lines[i..k]
            .iter()
            .map(|l| {
                let cut = quote_inner(&l.text).unwrap_or(0).min(l.text.len());
                Line {
                    text: match &l.text {
                        Cow::Borrowed(t) => Cow::Borrowed(&t[cut..]),
                        Cow::Owned(t) => Cow::Owned(t[cut..].to_string()),
                    },
                    at: l.at + cut,
                    exact: l.exact,
                }
            })
            .collect();
        let opener = Line {
            text: Cow::Owned(format!("::: {name}")),
            at: ial.at,
            exact: false,
        };
        let closer = Line {
            text: Cow::Owned(":::".into()),
            at: ial.at,
            exact: false,
        };
        let mut all = Vec::with_capacity(inner.len() + 2);
        all.push(opener);
        all.extend(inner);
        all.push(closer);
        self.lines(&all);
        Some(k + 1)
    }

    /// A `##` heading directly inside a Quarto tab set starts a tab.
    fn implicit_tab(&mut self, l: &Line) -> bool {
        let Some(frame) = self.frames.last() else {
            return false;
        };
        if frame.depth != self.depth
            || frame.dir >= self.directives.len()
            || self.directives[frame.dir].kind != Kind::Tabs
        {
            return false;
        }
        let Some(title) = atx_heading(&l.text) else {
            return false;
        };
        let tabs = frame.dir;
        if let Some(prev) = self.frames.last_mut().and_then(|f| f.implicit_tab.take()) {
            self.directives[prev].inner.end = l.at;
            self.marker(Marker::Close(prev), l.at);
        }
        let idx = self.directives.len();
        let start = l.at + l.text.find(title).unwrap_or(0);
        self.directives.push(Directive {
            kind: Kind::Tab,
            name: "tab".into(),
            title: Some((title.to_string(), start..start + title.len())),
            argument: None,
            options: Vec::new(),
            classes: Vec::new(),
            id: None,
            open: l.at..l.at + l.text.len(),
            inner: l.at + l.text.len()..l.at + l.text.len(),
            parent: Some(tabs),
            hidden: self.skip > 0,
        });
        self.marker(Marker::Open(idx), l.at);
        if let Some(f) = self.frames.last_mut() {
            f.implicit_tab = Some(idx);
        }
        true
    }

    fn finish(mut self, end: usize) -> Parsed<'a> {
        if let Some(ex) = self.pending_exercise.take() {
            self.marker(Marker::Close(ex), end);
        }
        while let Some(frame) = self.frames.last() {
            let idx = frame.dir;
            let d = &self.directives[idx];
            if !d.hidden || d.kind == Kind::Facilitator {
                let (open, name) = (d.open.clone(), d.name.clone());
                let closer = match frame.fence {
                    Fence::Colon => ":::".to_string(),
                    Fence::Code(c, n) => std::iter::repeat_n(c, n).collect(),
                };
                if !name.is_empty() {
                    self.error(
                        format!("the `{name}` block opened here is never closed"),
                        open,
                        "opened here",
                        format!("add a line `{closer}` where the block ends."),
                    );
                }
            }
            self.close_top(end);
            if let Some(ex) = self.pending_exercise.take() {
                self.marker(Marker::Close(ex), end);
            }
        }
        let mut main = self.outs.swap_remove(0);
        for extra in self.outs.drain(..) {
            main.append(extra);
        }
        for d in self.deferred {
            main.append(d);
        }
        Parsed {
            text: Cow::Owned(main.text),
            base: 0,
            runs: main.runs,
            markers: main.markers,
            directives: self.directives,
            facilitator: self.facilitator,
            diags: self.diags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(body: &str) -> (Source, String) {
        let text = format!("---\ntitle: t\n---\n{body}");
        let source = Source::new("content/a.md", text.clone());
        let start = text.len() - body.len();
        let p = parse(&source, start..text.len());
        let mut out = p.text.to_string();
        for d in &p.diags {
            out.push_str(&format!("\n!! {}", d.message));
        }
        (source, out)
    }

    #[test]
    fn a_body_without_blocks_is_read_as_it_is() {
        let source = Source::new("a.md", "---\ntitle: t\n---\nHello *world*.\n");
        let p = parse(&source, 17..source.text.len());
        assert!(matches!(p.text, Cow::Borrowed(_)));
        assert_eq!(p.to_source(0), 17);
    }

    #[test]
    fn colon_fences_become_placeholders_and_positions_map_back() {
        let (source, out) = parsed("Intro.\n::: note\nInside **bold**.\n:::\nAfter.\n");
        assert_eq!(
            out,
            "Intro.\n\n<div data-pb=\"0\">\n\nInside **bold**.\n\n<div data-pb-end=\"0\">\n\nAfter.\n"
        );
        let p = parse(&source, 17..source.text.len());
        let t = p.text.find("Inside").unwrap();
        let s = p.to_source(t);
        assert_eq!(&source.text[s..s + 6], "Inside");
    }

    #[test]
    fn nesting_by_any_closing_line_and_solutions_after_exercises() {
        let (_, out) = parsed(
            ":::: challenge\n## Count the files\nHow many?\n::: solution\nThree.\n:::\n::::\n",
        );
        assert!(out.contains("<div data-pb=\"0\">"), "{out}");
        assert!(out.find("data-pb=\"1\"").unwrap() < out.find("data-pb-end=\"1\"").unwrap());
        assert!(out.find("data-pb-end=\"1\"").unwrap() < out.find("data-pb-end=\"0\"").unwrap());
        assert!(
            !out.contains("Count the files"),
            "the heading is the title: {out}"
        );
        let (_, after) = parsed("::: exercise\nDo it.\n:::\n\n::: solution\nDone.\n:::\nNext.\n");
        let close_ex = after.find("data-pb-end=\"0\"").unwrap();
        assert!(
            after.find("data-pb-end=\"1\"").unwrap() < close_ex,
            "{after}"
        );
        assert!(close_ex < after.find("Next.").unwrap());
    }

    #[test]
    fn facilitator_notes_never_reach_the_text() {
        let (_, out) =
            parsed("Before.\n::: instructor\nSECRET note.\n::: note\nnested\n:::\n:::\nAfter.\n");
        assert!(!out.contains("SECRET"), "{out}");
        assert!(!out.contains("nested"), "{out}");
        assert!(out.contains("After."));
    }

    #[test]
    fn keypoints_move_to_the_end() {
        let (_, out) = parsed("::: keypoints\n- one\n:::\nBody text.\n");
        assert!(
            out.find("Body text").unwrap() < out.find("- one").unwrap(),
            "{out}"
        );
    }

    #[test]
    fn myst_directives_kramdown_and_code_fences() {
        let (_, out) = parsed("```{note} A title\n:class: dropdown\nText.\n```\n");
        assert!(
            out.contains("data-pb=\"0\"") && out.contains("Text."),
            "{out}"
        );
        let (_, out) = parsed("~~~\nls -l\n~~~\n{: .language-bash}\n");
        assert!(out.starts_with("~~~bash\n"), "{out}");
        let (_, out) = parsed("```\n::: not a block\n```\n");
        assert!(out.contains("::: not a block"), "code is left alone: {out}");
        let (_, out) = parsed("```{.language-bash}\nls\n```\n\n```{r}\n1 + 1\n```\n");
        assert!(
            !out.contains("data-pb") && !out.contains("!!"),
            "attributes and code cells are code: {out}"
        );
        let (_, out) =
            parsed("> ## Try it\n> Do this.\n> > Answer.\n> {: .solution}\n{: .challenge}\n");
        assert!(
            out.contains("data-pb=\"0\"") && out.contains("data-pb=\"1\""),
            "{out}"
        );
        assert!(!out.contains("{:"), "{out}");
    }

    #[test]
    fn errors_name_the_line() {
        let (_, out) = parsed("::: exrcise\nx\n:::\n");
        assert!(out.contains("`exrcise` is not a kind of block"), "{out}");
        let (_, out) = parsed("::: note\nnever closed\n");
        assert!(out.contains("never closed"), "{out}");
        let (_, out) = parsed("text\n:::\n");
        assert!(out.contains("closes no block"), "{out}");
        let (_, out) = parsed("::: tab Windows\nx\n:::\n");
        assert!(out.contains("belongs to a tab set"), "{out}");
    }

    #[test]
    fn quarto_tabsets_split_at_headings() {
        let (_, out) = parsed("::: {.panel-tabset}\n## Windows\nwin\n## macOS\nmac\n:::\n");
        assert!(
            out.contains("data-pb=\"1\"") && out.contains("data-pb=\"2\""),
            "{out}"
        );
        assert!(!out.contains("## Windows"), "{out}");
    }
}
