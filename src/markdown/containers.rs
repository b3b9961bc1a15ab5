//! The HTML of blocks (see `crate::blocks`): callouts, exercises with their solutions and hints
//! (native `<details>`: closed by default, keyboard-usable, their state announced by screen
//! readers), key points, discussion prompts, figures, videos and recordings with captions,
//! chapters and transcript, and tab sets that read as plain sections without scripts.

use super::Renderer;
use crate::blocks::{Directive, Kind, media};
use crate::diagnostics::Diagnostic;
use crate::util::{escape_html, slugify};
use std::fmt::Write as _;

impl<'a> Renderer<'a, '_> {
    /// Opens block `i` of the pre-pass: its text goes into a frame of its own.
    pub(super) fn open_block(&mut self, i: usize) {
        // A block's title (The Carpentries' `## Title` inside a challenge) is searched like the
        // heading it was written as.
        let d = &self.parsed.directives[i];
        if let (Some((title, _)), false) = (&d.title, d.kind == Kind::Facilitator) {
            let title = format!("{title}\n");
            self.text(&title);
        }
        self.frames.push(super::Frame {
            dir: Some(i),
            events: Vec::new(),
        });
    }

    /// Closes block `i` (if it is the innermost open one) into its HTML.
    pub(super) fn close_block(&mut self, i: usize) {
        if self.frames.len() < 2 || self.frames.last().and_then(|f| f.dir) != Some(i) {
            return;
        }
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, frame.events.into_iter());
        let d = &self.parsed.directives[i];
        let html = self.container(d, &inner);
        self.html(html);
    }

    fn title_html(&mut self, d: &Directive) -> Option<String> {
        d.title.as_ref().map(|(t, _)| super::inline(t))
    }

    /// An id for a block's title, unique in the page.
    fn block_id(&mut self, d: &Directive, prefix: &str) -> String {
        match &d.id {
            Some(id) if super::headings::valid_id(id) => self.ids.unique(id),
            _ => self.ids.unique(prefix),
        }
    }

    /// The HTML of block `d` around its rendered text `inner`.
    pub(super) fn container(&mut self, d: &Directive, inner: &str) -> String {
        self.check_options(d);
        match d.kind {
            Kind::Callout(style, key) => self.callout(d, style.class(), key, inner),
            Kind::Exercise => self.labelled_group(d, "exercise", inner),
            Kind::Solution | Kind::Hint => self.solution_or_hint(d, inner),
            Kind::Keypoints => self.keypoints(inner),
            Kind::Objectives | Kind::Questions => self.objectives_or_questions(d, inner),
            Kind::Discussion => self.labelled_group(d, "discussion", inner),
            // Never rendered for learners: the pre-pass leaves these out of the text.
            Kind::Facilitator => String::new(),
            Kind::Figure => self.figure(d, inner),
            Kind::Video | Kind::Audio => self.media(d, inner),
            Kind::Tabs => self.tabs(d, inner),
            Kind::Tab => self.tab(d, inner),
            Kind::Details => {
                let summary = self
                    .title_html(d)
                    .unwrap_or_else(|| self.ui_text("block.details"));
                let open = if d.option("open").is_some() {
                    " open"
                } else {
                    ""
                };
                format!(
                    "<details class=\"more\"{open}><summary>{summary}</summary>\n<div class=\"details-body\">\n{inner}</div>\n</details>\n"
                )
            }
            Kind::CodeBlock => match d.option("caption") {
                Some((_, c, _)) => format!(
                    "<figure class=\"code-figure\">\n<figcaption>{}</figcaption>\n{inner}</figure>\n",
                    super::inline(c)
                ),
                None => inner.to_string(),
            },
        }
    }

    /// A callout (`note`, `warning`…) of CSS class `class`, titled by its title or the text
    /// `key`; a `details` that opens when it has `:collapse:`.
    fn callout(&mut self, d: &Directive, class: &str, key: &str, inner: &str) -> String {
        let title = self.title_html(d).unwrap_or_else(|| self.ui_text(key));
        let collapse = d.option("collapse").is_some_and(|(_, v, _)| v != "false");
        if collapse {
            format!(
                "<details class=\"callout callout-{class}\"><summary class=\"callout-title\">{title}</summary>\n<div class=\"details-body\">\n{inner}</div>\n</details>\n"
            )
        } else {
            format!(
                "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n{inner}</div>\n"
            )
        }
    }

    /// An exercise or a discussion prompt (`class`, also its label's key `block.{class}`): a
    /// group labelled by its title line, "Exercise: the title".
    fn labelled_group(&mut self, d: &Directive, class: &str, inner: &str) -> String {
        let id = self.block_id(d, class);
        let label = escape_html(self.cx.strings.get(&format!("block.{class}")));
        let ui = self.ui.clone();
        let title = match self.title_html(d) {
            Some(t) => format!("<span class=\"block-label\"{ui}>{label}:</span> {t}"),
            None => format!("<span class=\"block-label\"{ui}>{label}</span>"),
        };
        format!(
            "<div class=\"{class}\" role=\"group\" aria-labelledby=\"{id}\">\n<p class=\"block-title\" id=\"{id}\">{title}</p>\n{inner}</div>\n"
        )
    }

    /// A solution or a hint: a closed `details` whose summary is its label and its title.
    fn solution_or_hint(&mut self, d: &Directive, inner: &str) -> String {
        let (class, key) = if d.kind == Kind::Solution {
            ("solution", "block.solution")
        } else {
            ("hint", "block.hint")
        };
        if d.kind == Kind::Solution {
            self.out.extras.solutions += 1;
        }
        let label = self.cx.strings.get(key);
        let summary = match &d.title {
            Some((t, _)) if !t.trim().eq_ignore_ascii_case(label) => {
                format!("{}: {}", self.ui_text(key), super::inline(t))
            }
            _ => self.ui_text(key),
        };
        format!(
            "<details class=\"{class}\"><summary>{summary}</summary>\n<div class=\"details-body\">\n{inner}</div>\n</details>\n"
        )
    }

    /// The key points: a section with a heading of its own, kept for the page's extras too.
    fn keypoints(&mut self, inner: &str) -> String {
        let s = self.cx.strings;
        self.out.extras.keypoints.push_str(inner);
        let id = self.ids.unique(&slugify(s.get("block.keypoints")));
        self.keypoints_heading = Some((id.clone(), s.get("block.keypoints").to_string()));
        format!(
            "<section class=\"keypoints\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\"{}>{}</h2>\n{inner}</section>\n",
            self.ui,
            escape_html(s.get("block.keypoints"))
        )
    }

    /// A lesson's objectives or questions: a section with a heading, kept for the page's
    /// extras (search, the course page).
    fn objectives_or_questions(&mut self, d: &Directive, inner: &str) -> String {
        let (class, key) = if d.kind == Kind::Objectives {
            ("objectives", "block.objectives")
        } else {
            ("questions", "block.questions")
        };
        if d.kind == Kind::Objectives {
            self.out.extras.objectives.push_str(inner);
        } else {
            self.out.extras.questions.push_str(inner);
        }
        let id = self.ids.unique(&format!("{class}-title"));
        let title = self.title_html(d).unwrap_or_else(|| self.ui_text(key));
        format!(
            "<section class=\"{class}\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{title}</h2>\n{inner}</section>\n"
        )
    }

    /// A tab set, with the group its choice is synced across (`:sync-group:`).
    fn tabs(&mut self, d: &Directive, inner: &str) -> String {
        self.out.extras.tabs = true;
        let group = d
            .option("sync-group")
            .or_else(|| d.option("group"))
            .map_or_else(String::new, |(_, v, _)| {
                format!(" data-tab-group=\"{}\"", escape_html(v))
            });
        format!("<div class=\"tabs\" data-tabs{group}>\n{inner}</div>\n")
    }

    /// One tab: a section headed by its label one level below the heading before it (`h3` at
    /// least), keyed by `:sync:` or its label.
    fn tab(&mut self, d: &Directive, inner: &str) -> String {
        let label = d
            .title
            .as_ref()
            .map_or_else(String::new, |(t, _)| t.clone());
        let key = d
            .option("sync")
            .map_or_else(|| slugify(&label), |(_, v, _)| v.clone());
        let id = self.ids.unique(&format!(
            "tab-{}",
            if key.is_empty() {
                "x".into()
            } else {
                key.clone()
            }
        ));
        let level = (self.last_level + 1).clamp(3, 6);
        format!(
            "<section class=\"tab-panel\" data-tab=\"{}\" aria-labelledby=\"{id}\">\n<h{level} class=\"tab-label\" id=\"{id}\">{}</h{level}>\n{inner}</section>\n",
            escape_html(&key),
            super::inline(&label)
        )
    }

    /// Options a block does not take are errors, with the ones it does.
    fn check_options(&mut self, d: &Directive) {
        let allowed = d.kind.options();
        for (key, _, range) in &d.options {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let hint = match crate::diagnostics::did_you_mean(key, allowed.iter().copied()) {
                Some(near) => format!(
                    "did you mean `{near}`? A `{}` block takes: {}.",
                    d.name,
                    allowed.join(", ")
                ),
                None => format!("a `{}` block takes: {}.", d.name, allowed.join(", ")),
            };
            self.error(
                Diagnostic::error(format!("`{key}` is not an option of a `{}` block", d.name))
                    .at(self.source, range.clone())
                    .label("unknown option")
                    .hint(hint),
            );
        }
    }

    fn figure(&mut self, d: &Directive, caption: &str) -> String {
        let Some((path, range)) = d.argument.clone() else {
            self.error(
                Diagnostic::error("a figure needs its image file after its name")
                    .at(self.source, d.open.clone())
                    .hint("write the image's file name after the name, e.g. `:::{figure} images/chart.svg`, then `:alt: what it shows`."),
            );
            return String::new();
        };
        let src = self
            .resolve_file(&path, &range, "image")
            .unwrap_or_default();
        let alt = d
            .option("alt")
            .map(|(_, v, _)| v.clone())
            .unwrap_or_default();
        if alt.trim().is_empty() {
            self.error(
                Diagnostic::warning("this figure has no text alternative")
                    .at(self.source, d.open.clone())
                    .label("no `:alt:`")
                    .hint("add a line `:alt: what the image shows` under the figure's first line."),
            );
        }
        let mut size = String::new();
        for key in ["width", "height"] {
            if let Some((_, v, r)) = d.option(key) {
                match v.trim_end_matches("px").parse::<u32>() {
                    Ok(n) => {
                        let _ = write!(size, " {key}=\"{n}\"");
                    }
                    Err(_) => self.error(
                        Diagnostic::error(format!("`{v}` is not a {key} in pixels"))
                            .at(self.source, r.clone())
                            .hint(format!("give the {key} as a whole number of pixels, e.g. `:{key}: 480`; the image shrinks to fit narrow screens by itself.")),
                    ),
                }
            }
        }
        let caption = if caption.trim().is_empty() {
            String::new()
        } else {
            format!("<figcaption>\n{caption}</figcaption>\n")
        };
        format!(
            "<figure class=\"figure\">\n<img src=\"{}\" alt=\"{}\"{size} loading=\"lazy\" decoding=\"async\">\n{caption}</figure>\n",
            escape_html(&src),
            escape_html(alt.trim())
        )
    }

    /// A video or recording: the file, its captions (required for a video), chapters as
    /// buttons that play from their start, and the transcript (`inner`) in a section that
    /// opens.
    fn media(&mut self, d: &Directive, transcript: &str) -> String {
        let video = d.kind == Kind::Video;
        let s = self.cx.strings;
        let what = if video { "video" } else { "recording" };
        let Some((path, range)) = d.argument.clone() else {
            self.error(
                Diagnostic::error(format!("a {what} needs its file after its name"))
                    .at(self.source, d.open.clone())
                    .hint(format!("write the file after the name, e.g. `::: {} media/intro.webm`, then `:captions: media/intro.en.vtt`.", d.name)),
            );
            return String::new();
        };
        let src = self.resolve_file(&path, &range, what);
        let media_type = media::media_type(&path);
        if media_type.is_none() {
            self.error(
                Diagnostic::error(format!("`{path}` is not a {what} file browsers play"))
                    .at(self.source, range.clone())
                    .hint("use WebM (`.webm`) or MP4 (`.mp4`) for video, and MP3, M4A, Ogg or WAV for sound."),
            );
        }
        let mut tracks = self.caption_tracks(d, video);
        let chapters = self.chapters(d, &mut tracks);
        let poster = match d.option("poster").cloned() {
            Some((_, p, r)) if video => self
                .resolve_file(&p, &r, "poster image")
                .map_or_else(String::new, |u| format!(" poster=\"{}\"", escape_html(&u))),
            _ => String::new(),
        };
        if !video && transcript.trim().is_empty() {
            self.error(
                Diagnostic::error("this recording has no transcript")
                    .at(self.source, d.open.clone())
                    .hint("write what is said, in Markdown, inside the block (under its option lines): a recording needs a transcript (WCAG 1.2.1) for readers who cannot hear it."),
            );
        }
        if video {
            self.out.extras.video = true;
        }
        let src = src.unwrap_or_default();
        let (tag, fallback, download) = if video {
            ("video", "block.video_fallback", "block.download_video")
        } else {
            ("audio", "block.audio_fallback", "block.download_audio")
        };
        let caption = d.title.as_ref().map_or_else(String::new, |(t, _)| {
            format!("<figcaption>{}</figcaption>\n", super::inline(t))
        });
        let transcript = if transcript.trim().is_empty() {
            String::new()
        } else {
            format!(
                "<details class=\"transcript\"><summary>{}</summary>\n<div class=\"details-body\">\n{transcript}</div>\n</details>\n",
                self.ui_text("block.transcript")
            )
        };
        format!(
            "<figure class=\"media media-{tag}\">\n<{tag} controls preload=\"metadata\"{poster}{} data-media>\n<source src=\"{}\" type=\"{}\">\n{tracks}<p{}>{} <a href=\"{}\">{}</a></p>\n</{tag}>\n{caption}{chapters}{transcript}</figure>\n",
            if video { " playsinline" } else { "" },
            escape_html(&src),
            media_type.unwrap_or("application/octet-stream"),
            self.ui,
            escape_html(s.get(fallback)),
            escape_html(&src),
            escape_html(s.get(download)),
        )
    }

    /// The `<track>` lines of a block's captions files (`:captions:`, one or more), the first
    /// the default; a video without captions is an error.
    fn caption_tracks(&mut self, d: &Directive, video: bool) -> String {
        let mut tracks = String::new();
        let captions: Vec<(String, std::ops::Range<usize>)> = d
            .options
            .iter()
            .filter(|(k, _, _)| k == "captions")
            .flat_map(|(_, v, r)| {
                v.split_whitespace()
                    .map(move |p| (p.trim_matches(',').to_string(), r.clone()))
            })
            .collect();
        if captions.is_empty() && video {
            self.error(
                Diagnostic::error("this video has no captions")
                    .at(self.source, d.open.clone())
                    .label("a video needs captions")
                    .hint("add a line `:captions: media/intro.en.vtt` (a WebVTT file of what is said, one per language: `intro.es.vtt` for Spanish) under the first line. Captions are required (WCAG 1.2.2): some readers cannot hear, and many watch in a classroom with the sound off."),
            );
        }
        for (k, (file, r)) in captions.iter().enumerate() {
            let lang = media::lang_of(file).unwrap_or(&self.page.lang).to_string();
            self.check_vtt(file, r, "captions file");
            if let Some(url) = self.resolve_file(file, r, "captions file") {
                let _ = writeln!(
                    tracks,
                    "<track kind=\"captions\" src=\"{}\" srclang=\"{}\" label=\"{}\"{}>",
                    escape_html(&url),
                    escape_html(&lang),
                    escape_html(&language_name(&lang)),
                    if k == 0 { " default" } else { "" }
                );
            }
        }
        tracks
    }

    /// The chapters of a block's `:chapters:` file as buttons that play from their start; its
    /// `<track>` line is added to `tracks`. Empty without chapters.
    fn chapters(&mut self, d: &Directive, tracks: &mut String) -> String {
        let s = self.cx.strings;
        let mut chapters = String::new();
        let Some((_, file, r)) = d.option("chapters").cloned() else {
            return chapters;
        };
        let Some(list) = self.check_vtt(&file, &r, "chapters file") else {
            return chapters;
        };
        if let Some(url) = self.resolve_file(&file, &r, "chapters file") {
            let _ = writeln!(
                tracks,
                "<track kind=\"chapters\" src=\"{}\" srclang=\"{}\">",
                escape_html(&url),
                escape_html(&self.page.lang)
            );
        }
        let _ = writeln!(
            chapters,
            "<nav class=\"media-chapters\" aria-label=\"{}\"><ol>",
            escape_html(s.get("block.chapters"))
        );
        for c in list {
            let time = media::clock(c.start);
            let _ = writeln!(
                chapters,
                "<li><button type=\"button\" class=\"chapter\" data-seek=\"{}\" aria-label=\"{}\"><span class=\"chapter-time\">{time}</span> {}</button></li>",
                c.start,
                escape_html(&s.fill("block.chapter_at", &[("time", &time), ("title", &c.title)])),
                escape_html(&c.title)
            );
        }
        chapters.push_str("</ol></nav>\n");
        chapters
    }

    /// Reads a WebVTT file the page names; reports one that is missing or is not WebVTT.
    /// Returns its chapters (empty for a captions file that holds none).
    fn check_vtt(
        &mut self,
        file: &str,
        r: &std::ops::Range<usize>,
        what: &str,
    ) -> Option<Vec<media::Chapter>> {
        let rel = self.content_path(file)?;
        let text = self.cx.texts.get(&rel)?;
        match media::chapters(text) {
            Ok(list) => Some(list),
            Err(line) => {
                self.error(
                    Diagnostic::error(format!("the {what} `{file}` is not a WebVTT file (line {line})"))
                        .at(self.source, r.clone())
                        .hint("a WebVTT file starts with a line `WEBVTT`, then cues: a line `00:00.000 --> 00:04.000` and the text shown in that time."),
                );
                None
            }
        }
    }
}

/// A language's name in that language, for a captions menu.
fn language_name(lang: &str) -> String {
    match lang.split(['-', '_']).next().unwrap_or(lang) {
        "en" => "English".into(),
        "es" => "Español".into(),
        "fr" => "Français".into(),
        "pt" => "Português".into(),
        "zh" => "中文".into(),
        "vi" => "Tiếng Việt".into(),
        "ar" => "العربية".into(),
        "ko" => "한국어".into(),
        "tl" => "Tagalog".into(),
        other => other.to_string(),
    }
}
