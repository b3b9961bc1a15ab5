//! The blocks open while a page is read: a block's start (its name checked, where it may be),
//! its options and title, its frame and markers, and its end (a solution or hint joining the
//! exercise before it, key points moved to the end of the page).

use super::lines::{
    Header, atx_heading, blank, code_fence, colon_fence, header, myst_directive, option_line,
};
use super::{Directive, Fence, Frame, Line, Marker, Out, Scanner};
use crate::blocks::{Kind, all_names, kind_of};
use crate::diagnostics::did_you_mean;
use std::borrow::Cow;
use std::ops::Range;

impl<'a> Scanner<'a> {
    /// Closes a waiting exercise unless `text` opens a solution or hint for it.
    pub(super) fn settle_exercise(&mut self, text: &str, at: usize) {
        let Some(ex) = self.pending_exercise else {
            return;
        };
        let opens_part = colon_fence(text)
            .filter(|(_, rest)| !rest.is_empty())
            .and_then(|(_, rest)| header(rest).ok())
            .or_else(|| {
                code_fence(text)
                    .and_then(|(_, _, info)| myst_directive(info))
                    .and_then(|r| header(&format!("{{{r}")).ok())
            })
            .and_then(|h| kind_of(&h.name))
            .is_some_and(|k| matches!(k, Kind::Solution | Kind::Hint));
        if !opens_part {
            self.pending_exercise = None;
            self.marker(Marker::Close(ex), at);
        }
    }

    pub(super) fn top_at_this_depth(&self) -> Option<&Frame> {
        self.frames.last().filter(|f| f.depth == self.depth)
    }

    /// Closes the innermost MyST directive if `l` is its closing fence.
    pub(super) fn closes_code_directive(&mut self, l: &Line) -> bool {
        let Some(Frame {
            fence: Fence::Code(c, n),
            ..
        }) = self.top_at_this_depth()
        else {
            return false;
        };
        let (c, n) = (*c, *n);
        let closes =
            code_fence(&l.text).is_some_and(|(c2, n2, info)| c2 == c && n2 >= n && info.is_empty());
        if closes {
            self.close_top(l.at);
        }
        closes
    }

    pub(super) fn close_colon(&mut self, l: &Line) {
        match self.top_at_this_depth() {
            Some(Frame {
                fence: Fence::Colon,
                ..
            }) => self.close_top(l.at),
            _ => {
                if self.skip == 0 {
                    self.error(
                        "this `:::` line closes no block".into(),
                        l.at..l.at + l.text.len(),
                        "nothing open to close",
                        "remove it, or open the block above it with a name, e.g. `::: note`."
                            .into(),
                    );
                }
            }
        }
    }

    /// Closes the innermost open block (and a tab opened by a heading inside it).
    pub(super) fn close_top(&mut self, at: usize) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if let Some(tab) = frame.implicit_tab {
            self.marker(Marker::Close(tab), at);
        }
        self.end_directive(frame, at);
    }

    pub(super) fn end_directive(&mut self, frame: Frame, at: usize) {
        let idx = frame.dir;
        self.directives[idx].inner.end = at.max(self.directives[idx].inner.start);
        let kind = self.directives[idx].kind;
        if kind == Kind::Facilitator && !self.directives[idx].hidden {
            self.skip -= 1;
            self.facilitator.push(idx);
            return;
        }
        if let Some(ex) = self.pending_exercise.take() {
            self.marker(Marker::Close(ex), at);
        }
        match kind {
            // Its closing placeholder waits: a solution or hint may follow it.
            Kind::Exercise if self.skip == 0 => self.pending_exercise = Some(idx),
            Kind::Solution | Kind::Hint => {
                self.marker(Marker::Close(idx), at);
                // A solution written after its exercise: the exercise may take another.
                if let Some(p) = self.directives[idx].parent {
                    let open = self.frames.iter().any(|f| f.dir == p);
                    if self.directives[p].kind == Kind::Exercise && !open && self.skip == 0 {
                        self.pending_exercise = Some(p);
                    }
                }
            }
            _ => self.marker(Marker::Close(idx), at),
        }
        if frame.deferred && self.skip == 0 {
            if let Some(out) = self.outs.pop() {
                self.deferred.push(out);
            }
        }
    }

    /// Registers a block; returns its index, or `None` for an unknown name (reported).
    pub(super) fn start(
        &mut self,
        name: &str,
        open: Range<usize>,
        name_at: usize,
    ) -> Option<(usize, Kind)> {
        let Some(kind) = kind_of(name) else {
            if self.skip == 0 {
                let names = all_names();
                let hint = match did_you_mean(&name.to_ascii_lowercase(), names.iter().copied()) {
                    Some(near) => format!(
                        "did you mean `{near}`? The block names playbook knows are: {}.",
                        names.join(", ")
                    ),
                    None => format!("the block names playbook knows are: {}.", names.join(", ")),
                };
                self.error(
                    format!("`{name}` is not a kind of block playbook knows"),
                    name_at..name_at + name.len(),
                    "unknown block name",
                    hint,
                );
            }
            return None;
        };
        // A solution or hint right after an exercise belongs to it.
        let parent = match (kind, self.pending_exercise) {
            (Kind::Solution | Kind::Hint, Some(ex)) => {
                self.pending_exercise = None;
                Some(ex)
            }
            _ => self.frames.last().map(|f| f.dir),
        };
        let hidden = self.skip > 0;
        let idx = self.directives.len();
        self.directives.push(Directive {
            kind,
            name: name.to_string(),
            title: None,
            argument: None,
            options: Vec::new(),
            classes: Vec::new(),
            id: None,
            open: open.clone(),
            inner: open.end..open.end,
            parent,
            hidden,
        });
        if !hidden {
            self.check_placement(idx, &open);
        }
        Some((idx, kind))
    }

    /// Tabs belong to tab sets. (A solution outside an exercise is still a solution, shown on
    /// request: lesson templates use them so for set-up steps.)
    pub(super) fn check_placement(&mut self, idx: usize, open: &Range<usize>) {
        let d = &self.directives[idx];
        let parent_kind = d.parent.map(|p| self.directives[p].kind);
        let (ok, what) = match d.kind {
            Kind::Tab => (
                parent_kind == Some(Kind::Tabs),
                "a tab belongs to a tab set",
            ),
            _ => (true, ""),
        };
        if !ok {
            let hint = if d.kind == Kind::Tab {
                "put the `tab` blocks inside a `tabs` block (`:::: tabs` … `::::`)."
            } else {
                "put the solution inside the exercise, or right after its closing `:::`."
            };
            self.error(
                format!("{what}, and this one is not in or right after one"),
                open.clone(),
                "outside its exercise or tab set",
                hint.into(),
            );
        }
    }

    /// Opens a block whose header has been read; reads its option lines, its YAML options and
    /// a first heading as its title. Returns the index of the next line to read.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn begin(
        &mut self,
        lines: &[Line<'a>],
        i: usize,
        h: Header,
        header_at: usize,
        fence: Fence,
    ) -> usize {
        let l = &lines[i];
        let open = l.at..l.at + l.text.len();
        let name_at = l.at + l.text.find(&h.name).unwrap_or(0);
        let Some((idx, kind)) = self.start(&h.name, open.clone(), name_at) else {
            // Read an unknown block as a note, so what is inside is still checked.
            return self.push_frame(
                lines,
                i,
                usize::MAX,
                fence,
                Kind::Callout(crate::blocks::Callout::Note, "block.note"),
            );
        };
        {
            let d = &mut self.directives[idx];
            d.classes = h.attrs.classes.clone();
            d.id = h.attrs.id.clone();
            for (k, v) in &h.attrs.pairs {
                if k != "title" {
                    d.options.push((k.clone(), v.clone(), open.clone()));
                }
            }
            if let Some((t, off)) = h.title {
                let start = if off == 0 {
                    open.start
                } else {
                    header_at + off
                };
                let range = start..(start + t.len()).min(open.end).max(start);
                if matches!(
                    kind,
                    Kind::Figure | Kind::Video | Kind::Audio | Kind::Tabs | Kind::CodeBlock
                ) {
                    d.argument = Some((t, range));
                } else {
                    d.title = Some((t, range));
                }
            }
        }
        self.push_frame(lines, i, idx, fence, kind)
    }

    /// Reads what follows a block's header line `i` (its options and a first heading as its
    /// title) into directive `idx` (`usize::MAX` for an unknown block: read, not kept), opens
    /// its frame and writes its opening marker. Returns the index of the next line to read.
    pub(super) fn push_frame(
        &mut self,
        lines: &[Line<'a>],
        i: usize,
        idx: usize,
        fence: Fence,
        kind: Kind,
    ) -> usize {
        let real = idx != usize::MAX;
        let mut j = self.yaml_options(lines, i + 1, real.then_some(idx));
        j = self.option_lines(lines, j, real.then_some(idx));
        if real {
            if let Some(t) = self.directives[idx]
                .option("title")
                .map(|(_, v, r)| (v.clone(), r.clone()))
            {
                self.directives[idx].title = Some(t);
            }
            if kind.takes_title() && self.directives[idx].title.is_none() && kind != Kind::Tabs {
                j = self.heading_title(lines, j, idx);
            }
        }
        let inner_start = lines
            .get(j)
            .map_or_else(|| lines[i].at + lines[i].text.len(), |l| l.at);
        if real {
            self.directives[idx].inner = inner_start..inner_start;
        }
        self.open_frame(lines[i].at, idx, fence, kind);
        if kind == Kind::CodeBlock {
            return self.code_block_body(lines, j, idx, fence);
        }
        j
    }

    /// A `---` YAML block of `key: value` lines starting at line `j`, read into directive
    /// `idx`'s options when given. Returns the line after it (`j` when there is none or it is
    /// never closed).
    pub(super) fn yaml_options(
        &mut self,
        lines: &[Line<'a>],
        j: usize,
        idx: Option<usize>,
    ) -> usize {
        if lines.get(j).is_none_or(|l| l.text.trim() != "---") {
            return j;
        }
        let mut k = j + 1;
        while k < lines.len() && lines[k].text.trim() != "---" {
            k += 1;
        }
        if k == lines.len() {
            return j;
        }
        for l in &lines[j + 1..k] {
            if let (Some((key, value)), Some(idx)) = (l.text.split_once(':'), idx) {
                let r = l.at..l.at + l.text.len();
                self.directives[idx].options.push((
                    key.trim().to_string(),
                    value.trim().trim_matches('"').to_string(),
                    r,
                ));
            }
        }
        k + 1
    }

    /// The `:key: value` lines starting at line `j`, read into directive `idx`'s options when
    /// given. Returns the first line that is not one.
    pub(super) fn option_lines(
        &mut self,
        lines: &[Line<'a>],
        mut j: usize,
        idx: Option<usize>,
    ) -> usize {
        while let Some((key, value)) = lines.get(j).and_then(|l| option_line(&l.text)) {
            if let Some(idx) = idx {
                let l = &lines[j];
                self.directives[idx].options.push((
                    key.to_string(),
                    value.to_string(),
                    l.at..l.at + l.text.len(),
                ));
            }
            j += 1;
        }
        j
    }

    /// A first `#` heading after blank lines from line `j` is directive `idx`'s title (The
    /// Carpentries' `## Title` inside a challenge). Returns the line after the heading, or `j`
    /// when the first line with text is no heading.
    pub(super) fn heading_title(&mut self, lines: &[Line<'a>], j: usize, idx: usize) -> usize {
        let mut k = j;
        while lines.get(k).is_some_and(|l| blank(&l.text)) {
            k += 1;
        }
        let Some(l) = lines.get(k) else { return j };
        let Some(t) = atx_heading(&l.text) else {
            return j;
        };
        let start = l.at + l.text.find(t).unwrap_or(0);
        self.directives[idx].title = Some((t.to_string(), start..start + t.len()));
        k + 1
    }

    /// Pushes the frame of a block opened at `at` (directive `idx`, `usize::MAX` for an unknown
    /// one) and writes its opening marker: key points go to a buffer of their own (they are
    /// shown at the end of the page), a facilitator note's text is skipped.
    pub(super) fn open_frame(&mut self, at: usize, idx: usize, fence: Fence, kind: Kind) {
        let real = idx != usize::MAX;
        let facilitator = real && kind == Kind::Facilitator && !self.directives[idx].hidden;
        let deferred = real && kind == Kind::Keypoints && self.frames.is_empty() && self.skip == 0;
        if deferred {
            self.outs.push(Out::default());
        }
        if real && !facilitator {
            self.marker(Marker::Open(idx), at);
        }
        if facilitator {
            self.skip += 1;
        }
        let dir = if real { idx } else { self.push_dummy(at) };
        self.frames.push(Frame {
            dir,
            fence,
            depth: self.depth,
            deferred,
            implicit_tab: None,
        });
    }

    /// A stand-in for an unknown block, so its closing line has something to close.
    pub(super) fn push_dummy(&mut self, at: usize) -> usize {
        let idx = self.directives.len();
        self.directives.push(Directive {
            kind: Kind::Callout(crate::blocks::Callout::Note, "block.note"),
            name: String::new(),
            title: None,
            argument: None,
            options: Vec::new(),
            classes: Vec::new(),
            id: None,
            open: at..at,
            inner: at..at,
            parent: self.frames.last().map(|f| f.dir),
            hidden: true,
        });
        idx
    }

    /// The body of a `code-block` directive: code, written as a fenced code block in the
    /// directive's language, up to the directive's closing line.
    pub(super) fn code_block_body(
        &mut self,
        lines: &[Line<'a>],
        mut j: usize,
        idx: usize,
        fence: Fence,
    ) -> usize {
        let lang = self.directives[idx]
            .argument
            .as_ref()
            .map(|(a, _)| a.clone())
            .or_else(|| {
                self.directives[idx]
                    .option("language")
                    .map(|(_, v, _)| v.clone())
            })
            .unwrap_or_default();
        let longest = lines[j.min(lines.len())..]
            .iter()
            .filter_map(|l| {
                code_fence(&l.text)
                    .filter(|(c, _, _)| *c == '`')
                    .map(|(_, n, _)| n)
            })
            .max()
            .unwrap_or(0);
        let ticks: String = "`".repeat(longest.max(2) + 1);
        let at = lines.get(j).map_or(0, |l| l.at);
        let opener = Line {
            text: Cow::Owned(format!("{ticks}{lang}")),
            at,
            exact: false,
        };
        self.copy(&opener);
        while j < lines.len() {
            let l = &lines[j];
            let closes = match fence {
                Fence::Colon => colon_fence(&l.text).is_some_and(|(_, rest)| rest.is_empty()),
                Fence::Code(c, n) => code_fence(&l.text)
                    .is_some_and(|(c2, n2, info)| c2 == c && n2 >= n && info.is_empty()),
            };
            if closes {
                let closer = Line {
                    text: Cow::Owned(ticks.clone()),
                    at: l.at,
                    exact: false,
                };
                self.copy(&closer);
                self.close_top(l.at);
                return j + 1;
            }
            self.copy(l);
            j += 1;
        }
        j
    }
}
