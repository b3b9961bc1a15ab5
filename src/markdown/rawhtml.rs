//! The one gate for HTML an author writes in Markdown. Tags are read with lol_html (a
//! streaming HTML tokenizer that reports where each tag and attribute is), then judged against
//! an allow-list: elements and attributes that cannot run code or load anything from elsewhere
//! pass; scripts, event handlers, inline styles, frames, forms, embedded objects and
//! `javascript:`/`data:` URLs are refused at their line and column; a name in angle brackets
//! that is no HTML element at all (`<commit message here>`) is shown as the text it is, with a
//! warning. What passes is published byte for byte, except URLs, which are resolved like
//! Markdown links and images.

use crate::util::url;
use std::cell::RefCell;
use std::ops::Range;

/// Elements an author may write, and the attributes each may carry beyond [`GLOBAL`].
const ALLOWED: &[(&str, &[&str])] = &[
    (
        "a",
        &["href", "hreflang", "rel", "target", "download", "type"],
    ),
    ("abbr", &[]),
    ("b", &[]),
    ("bdi", &[]),
    ("bdo", &[]),
    ("blockquote", &["cite"]),
    ("br", &[]),
    ("caption", &[]),
    ("cite", &[]),
    ("code", &[]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("data", &["value"]),
    ("dd", &[]),
    ("del", &["cite", "datetime"]),
    ("details", &["open", "name"]),
    ("dfn", &[]),
    ("div", &[]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("hr", &[]),
    ("i", &[]),
    (
        "img",
        &["src", "alt", "width", "height", "loading", "decoding"],
    ),
    ("ins", &["cite", "datetime"]),
    ("kbd", &[]),
    ("li", &["value"]),
    ("mark", &[]),
    ("ol", &["start", "reversed", "type"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &["cite"]),
    ("rp", &[]),
    ("rt", &[]),
    ("ruby", &[]),
    ("s", &[]),
    ("samp", &[]),
    ("section", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("summary", &[]),
    ("sup", &[]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan", "headers"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan", "headers", "scope", "abbr"]),
    ("thead", &[]),
    ("time", &["datetime"]),
    ("tr", &[]),
    ("u", &[]),
    ("ul", &[]),
    ("var", &[]),
    ("wbr", &[]),
];

/// Attributes any allowed element may carry (and every `aria-*`).
const GLOBAL: &[&str] = &[
    "id",
    "class",
    "title",
    "lang",
    "dir",
    "role",
    "translate",
    "hidden",
];

/// Every other element of HTML (and of SVG and MathML that a browser would act on): known,
/// so a tag of one of them is refused rather than shown as text.
const OTHER_ELEMENTS: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "base",
    "basefont",
    "big",
    "blink",
    "body",
    "button",
    "canvas",
    "center",
    "dialog",
    "dir",
    "embed",
    "fieldset",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "head",
    "header",
    "hgroup",
    "html",
    "iframe",
    "image",
    "input",
    "isindex",
    "keygen",
    "label",
    "legend",
    "link",
    "listing",
    "main",
    "map",
    "marquee",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "optgroup",
    "option",
    "output",
    "param",
    "picture",
    "plaintext",
    "portal",
    "progress",
    "script",
    "search",
    "select",
    "slot",
    "source",
    "strike",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "track",
    "tt",
    "video",
    "xmp",
];

/// A reason a tag is refused, with where (a byte range of the HTML given) and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub range: Range<usize>,
    pub hint: &'static str,
}

/// A URL attribute to resolve (`href` of a link, `src` of an image): its value and range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub image: bool,
    pub value: String,
    pub range: Range<usize>,
}

/// What the gate says of one piece of HTML.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Judgement {
    pub refused: Vec<Refusal>,
    /// Tags whose name is no HTML element: the whole piece is shown as text.
    pub not_elements: Vec<(String, Range<usize>)>,
    /// URLs to resolve; the piece is published with each replaced by its resolution.
    pub urls: Vec<Url>,
    /// Attributes dropped from the piece (their names' ranges): kramdown's `markdown="1"`.
    pub dropped: Vec<Range<usize>>,
}

/// An attribute of a tag as written.
struct Attr {
    name: String,
    value: String,
    /// Where its name is (empty when the tokenizer does not say).
    name_range: Range<usize>,
    /// Where its value is, when it has one.
    value_range: Option<Range<usize>>,
}

struct Tag {
    name: String,
    range: Range<usize>,
    attrs: Vec<Attr>,
}

fn tags(html: &str) -> Vec<Tag> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found: RefCell<Vec<Tag>> = RefCell::new(Vec::new());
    let settings = RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
        let attrs = el
            .attributes()
            .iter()
            .map(|a| {
                let name_range = a.name_source_location().map_or(0..0, |l| l.bytes());
                Attr {
                    name: a.name(),
                    value: a.value(),
                    name_range,
                    value_range: a.value_source_location().map(|l| l.bytes()),
                }
            })
            .collect();
        found.borrow_mut().push(Tag {
            name: el.tag_name(),
            range: el.source_location().bytes(),
            attrs,
        });
        Ok(())
    }));
    // Only the tokenizer's reports are wanted; a rewriting error leaves what was found.
    let _ = rewrite_str(html, settings);
    found.into_inner()
}

/// The name of a closing tag written alone (`</kbd>`), which the tokenizer reports nothing of.
fn end_tag_name(html: &str) -> Option<&str> {
    let rest = html.trim().strip_prefix("</")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Returns true if and only if `name` is an element of HTML (allowed or not).
fn is_element(name: &str) -> bool {
    ALLOWED.iter().any(|(n, _)| *n == name) || OTHER_ELEMENTS.contains(&name)
}

const LINK_HINT: &str = "links may go to web addresses (`https://…`), email (`mailto:`), telephone numbers (`tel:`) or pages of this site; a `javascript:` or `data:` address would run or embed code, and the site's security policy blocks it anyway.";

/// Judges one piece of raw HTML (one tag of a paragraph, or an HTML block).
pub fn judge(html: &str) -> Judgement {
    let mut j = Judgement::default();
    if let Some(name) = end_tag_name(html) {
        let lower = name.to_ascii_lowercase();
        if !lower.is_empty() && !is_element(&lower) {
            j.not_elements.push((lower, 0..html.len()));
        }
        // Only a closing tag alone is done with: an HTML block may start with one
        // (`</title><script>…`) and go on.
        let t = html.trim();
        if t.find('>').is_none_or(|end| end + 1 == t.len()) {
            return j;
        }
    }
    for tag in tags(html) {
        let name = tag.name.to_ascii_lowercase();
        let Some((_, extra)) = ALLOWED.iter().find(|(n, _)| *n == name) else {
            if is_element(&name) {
                j.refused.push(Refusal {
                    message: format!("`<{name}>` is not allowed in a page"),
                    range: tag.range.clone(),
                    hint: element_hint(&name),
                });
            } else {
                j.not_elements.push((name, tag.range.clone()));
            }
            continue;
        };
        for attr in &tag.attrs {
            let at = if attr.name_range.is_empty() {
                tag.range.clone()
            } else {
                attr.name_range.clone()
            };
            judge_attribute(&mut j, html, &name, extra, attr, at);
        }
    }
    j
}

/// Judges attribute `a` of an allowed element `<name>` (whose own attributes are `extra`),
/// written at `at`: kramdown's `markdown=` is dropped, scripts, styles, `data-` and
/// attributes the element does not take are refused, and URLs are handed back to resolve.
fn judge_attribute(
    j: &mut Judgement,
    html: &str,
    name: &str,
    extra: &[&str],
    a: &Attr,
    at: Range<usize>,
) {
    let (attr, value) = (a.name.as_str(), &a.value);
    let refuse = |message: String, hint: &'static str| Refusal {
        message,
        range: at.clone(),
        hint,
    };
    if attr == "markdown" {
        // kramdown's hint to read the element's text as Markdown, which CommonMark
        // does anyway after a blank line: dropped, with its value and the space before.
        let end = a.value_range.as_ref().map_or(at.end, |v| {
            v.end + usize::from(matches!(html.as_bytes().get(v.end), Some(b'"' | b'\'')))
        });
        j.dropped.push(at.start.saturating_sub(1)..end);
    } else if attr.starts_with("on") {
        j.refused.push(refuse(
            format!("the event handler `{attr}` is not allowed"),
            "a page runs no script of its own: remove the attribute. Interactive parts (quizzes, reflections, tabs, solutions) come from Markdown blocks.",
        ));
    } else if attr == "style" {
        j.refused.push(refuse(
            "inline styles (`style=`) are not allowed".into(),
            "the site's security policy blocks inline styles, so the browser would ignore it: remove it, and ask for a class in the theme's stylesheet if the look matters.",
        ));
    } else if attr.starts_with("data-") {
        j.refused.push(refuse(
            format!("the attribute `{attr}` is not allowed"),
            "`data-` attributes are for the theme's scripts; remove it.",
        ));
    } else if !(GLOBAL.contains(&attr) || attr.starts_with("aria-") || extra.contains(&attr)) {
        j.refused.push(refuse(
            format!("`<{name}>` cannot have the attribute `{attr}`"),
            "remove the attribute; the allowed ones are the common ones (`id`, `class`, `title`, `lang`, `aria-*`) and each element's own (`href` of a link, `src` and `alt` of an image, `colspan` of a cell, …).",
        ));
    } else if attr == "id" && !crate::markdown::headings::valid_id(value) {
        j.refused.push(refuse(
            format!("`{value}` cannot be used as an id"),
            "use letters, digits, `-` and `_` in ids, e.g. `id=\"step-2\"`.",
        ));
    } else if matches!(attr, "href" | "src" | "cite") {
        judge_url(j, a, at);
    }
}

/// Judges a URL attribute (`href`, `src`, `cite`) written at `at`: an image from anywhere but
/// the web, or a link that would run code, is refused; an `href` or `src` is kept to resolve.
fn judge_url(j: &mut Judgement, a: &Attr, at: Range<usize>) {
    let (attr, value) = (a.name.as_str(), &a.value);
    let refuse = |message: String, hint: &'static str| Refusal {
        message,
        range: at.clone(),
        hint,
    };
    let scheme = url::scheme(value);
    let image = attr == "src";
    match scheme.as_deref() {
        Some(s) if image && !matches!(s, "http" | "https") => j.refused.push(refuse(
            format!("an image address starting `{s}:` is not allowed"),
            "save the image beside the page (or in `static/`) and give its file name.",
        )),
        _ if !image && !url::safe_link(value) => j.refused.push(refuse(
            format!(
                "a link to a `{}:` address is not allowed",
                scheme.unwrap_or_default()
            ),
            LINK_HINT,
        )),
        _ if attr == "cite" => {}
        _ => {
            if let Some(r) = &a.value_range {
                j.urls.push(Url {
                    image,
                    value: value.clone(),
                    range: r.clone(),
                });
            }
        }
    }
}

fn element_hint(name: &str) -> &'static str {
    match name {
        "script" | "noscript" | "template" | "slot" => {
            "a page runs no script of its own, and the site's security policy would block it: remove it. Interactive parts (quizzes, reflections, tabs, solutions) come from Markdown blocks."
        }
        "style" | "link" | "font" | "center" => {
            "styles come from the theme: remove it (a site can change the theme's stylesheet, see the README)."
        }
        "iframe" | "frame" | "frameset" | "object" | "embed" | "applet" | "portal" => {
            "a page may not embed another site (schools often block them, and readers' browsers must contact no other server); link to it instead, or use a `video` block for a video file of your own."
        }
        "form" | "input" | "button" | "select" | "textarea" | "label" | "fieldset" | "output" => {
            "forms would send readers' answers somewhere; use a ```` ```quiz ```` or ```` ```reflection ```` block, which keep answers in the reader's browser."
        }
        "video" | "audio" | "source" | "track" => {
            "use a `::: video` (or `::: audio`) block: it checks the file and requires captions."
        }
        "svg" | "math" | "canvas" => {
            "save the drawing as an image file (`.svg`, `.png`) beside the page and use `![description](file.svg)`."
        }
        _ => {
            "write the text in Markdown; the elements allowed are text formatting (`<kbd>`, `<abbr>`, `<sub>`, `<sup>`, `<mark>`, …), `<details>`/`<summary>`, `<figure>`, tables, lists and links."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_html_passes_and_hostile_html_is_refused_where_it_is() {
        let ok = judge(
            "<details open><summary>More</summary><kbd>Ctrl</kbd> <abbr title=\"x\">y</abbr></details>",
        );
        assert_eq!(ok, Judgement::default());
        let bad = judge("<img src=\"a.png\" onerror=\"alert(1)\">");
        assert_eq!(bad.refused.len(), 1);
        assert_eq!(
            &"<img src=\"a.png\" onerror=\"alert(1)\">"[bad.refused[0].range.clone()],
            "onerror"
        );
        assert_eq!(
            judge("<script>alert(1)</script>").refused[0].message,
            "`<script>` is not allowed in a page"
        );
        assert_eq!(judge("<p style=\"color:red\">x</p>").refused.len(), 1);
        assert_eq!(
            judge("<iframe src=\"https://x\"></iframe>").refused.len(),
            1
        );
        assert_eq!(
            judge("<a href=\"javascript:alert(1)\">x</a>").refused.len(),
            1
        );
        assert_eq!(
            judge("<a href=\"jav&#x61;script:alert(1)\">x</a>")
                .refused
                .len(),
            1
        );
        assert_eq!(judge("<a href=\"java\tscript:x\">x</a>").refused.len(), 1);
        assert_eq!(
            judge("<img src=\"data:image/png;base64,xx\">")
                .refused
                .len(),
            1
        );
        assert_eq!(judge("<form><input></form>").refused.len(), 2);
    }

    #[test]
    fn a_block_that_starts_with_a_closing_tag_is_judged_whole() {
        for html in [
            "</title><script>alert(1)</script>",
            "</div><script>alert(1)</script>",
            "</p>\n<img src=x onerror=alert(1)>",
            "<!-- a --><script>alert(1)</script>",
            "<!DOCTYPE html><script>alert(1)</script>",
            "<?x ?><script>alert(1)</script>",
            "<![CDATA[ x ]]><script>alert(1)</script>",
        ] {
            assert_eq!(judge(html).refused.len(), 1, "{html}");
        }
        assert_eq!(judge("</kbd>").refused.len(), 0);
    }

    #[test]
    fn angle_brackets_that_are_no_element_are_text() {
        let j = judge("<commit message here>");
        assert!(j.refused.is_empty());
        assert_eq!(j.not_elements[0].0, "commit");
        assert_eq!(judge("</filename>").not_elements.len(), 1);
        assert!(judge("</kbd>").not_elements.is_empty());
    }

    #[test]
    fn urls_are_handed_back_to_resolve() {
        let j = judge("<a href=\"02-next.md#x\">next</a>");
        assert_eq!(j.urls.len(), 1);
        assert_eq!(j.urls[0].value, "02-next.md#x");
        assert!(!j.urls[0].image);
        assert_eq!(url::scheme("HTTPS://x"), Some("https".into()));
        assert_eq!(url::scheme("a/b:c"), None);
        assert_eq!(url::scheme("#x:y"), None);
    }
}
