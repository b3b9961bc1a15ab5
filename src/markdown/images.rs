//! Images: the file resolved to its output URL, the attribute list after an image (`{alt=…
//! width=300}`), and a warning for an image without a text alternative.

use super::{Capture, Renderer};
use crate::diagnostics::Diagnostic;
use crate::util::{attrs, escape_html};
use std::ops::Range;

/// An image being read: its destination, the alt text so far and its range in the file.
pub(super) struct OpenImage {
    dest: String,
    pub(super) alt: String,
    pub(super) range: Range<usize>,
}

impl OpenImage {
    pub(super) fn new(dest: String, range: Range<usize>) -> OpenImage {
        OpenImage {
            dest,
            alt: String::new(),
            range,
        }
    }
}

impl Renderer<'_, '_> {
    /// The image just closed: its attribute list (`{alt=…}`) read, its file resolved, its alt
    /// text required.
    pub(super) fn finish_image(&mut self) {
        let Some(Capture::Image(OpenImage {
            dest,
            mut alt,
            range,
        })) = self.capture.take()
        else {
            return;
        };
        // `![…](fig.png){alt="…" width=300}`: the attribute list after the image.
        let mut extra = String::new();
        let after = &self.source.text[range.end.min(self.source.text.len())..];
        if after.starts_with('{') && !after.starts_with("{{") {
            match attrs::parse(after.lines().next().unwrap_or("")) {
                Ok((a, n)) => {
                    self.consumed_until = range.end + n;
                    extra = self.image_attrs(&a, &mut alt, range.end..range.end + n);
                }
                Err(e) => self.error(
                    Diagnostic::error(format!(
                        "the attributes after this image cannot be read: {}",
                        e.message
                    ))
                    .at(self.source, range.end + e.offset..range.end + e.offset + 1)
                    .hint("write them as `{alt=\"A description\" width=400}`, or remove them."),
                ),
            }
        }
        let src = self.resolve_file(&dest, &range, "image").unwrap_or(dest);
        if alt.trim().is_empty() {
            self.error(
                Diagnostic::warning("this image has no text alternative")
                    .at(self.source, range.clone())
                    .label("empty alt text")
                    .hint("describe what the image shows between the brackets: `![Bar chart of reading gains by school](…)`. Leave it empty only for a purely decorative image."),
            );
        }
        self.html(format!(
            "<img src=\"{}\" alt=\"{}\"{extra} loading=\"lazy\" decoding=\"async\">",
            escape_html(&src),
            escape_html(alt.trim())
        ));
    }

    /// The attributes an image takes from `{…}` after it: `alt` replaces the bracketed text,
    /// `width` and `height` in pixels, classes; anything else is refused.
    fn image_attrs(&mut self, a: &attrs::Attrs, alt: &mut String, at: Range<usize>) -> String {
        let mut extra = String::new();
        for (k, v) in &a.pairs {
            match k.as_str() {
                "alt" => *alt = v.clone(),
                "title" => extra.push_str(&format!(" title=\"{}\"", escape_html(v))),
                "width" | "height" if v.ends_with('%') => self.error(
                    Diagnostic::warning(format!("the {k} `{v}` is left out: a page's images already fit its column"))
                        .at(self.source, at.clone())
                        .label("a size in percent")
                        .hint(format!("remove `{k}={v}`, or give the {k} in pixels (e.g. `{k}=400`) to make the image smaller than the column.")),
                ),
                "width" | "height" => match v.trim_end_matches("px").parse::<u32>() {
                    Ok(n) => extra.push_str(&format!(" {k}=\"{n}\"")),
                    Err(_) => self.error(
                        Diagnostic::error(format!("`{v}` is not a {k} in pixels"))
                            .at(self.source, at.clone())
                            .hint(format!("give the {k} as a whole number of pixels, e.g. `{k}=400`; images shrink to fit narrow screens by themselves.")),
                    ),
                },
                _ => self.error(
                    Diagnostic::error(format!("`{k}` is not an attribute an image takes"))
                        .at(self.source, at.clone())
                        .hint("an image takes `alt`, `title`, `width` and `height` (and classes), e.g. `{alt=\"A chart of …\" width=400}`."),
                ),
            }
        }
        if !a.classes.is_empty() {
            extra.push_str(&format!(" class=\"{}\"", escape_html(&a.classes.join(" "))));
        }
        extra
    }
}
