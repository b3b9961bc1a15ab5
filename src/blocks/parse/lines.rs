//! Reading single lines of a page: code fences and their info strings, colon fences and
//! their headers (name, title, attributes), MyST directives, kramdown's attribute lines,
//! option lines, quotes and headings. Each function looks at one line and holds no state.

use super::kind_of;
use crate::util::attrs;

/// An opening or closing code fence: its character, length and info string.
pub(super) fn code_fence(text: &str) -> Option<(char, usize, &str)> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &text[indent..];
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.len() - t.trim_start_matches(c).len();
    if len < 3 {
        return None;
    }
    let info = t[len..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c, len, info))
}

/// Languages of executable code cells (R Markdown, Quarto: ```` ```{r} ````): code, not blocks.
const CELL_LANGUAGES: &[&str] = &[
    "r",
    "python",
    "py",
    "julia",
    "bash",
    "sh",
    "shell",
    "sql",
    "javascript",
    "js",
    "ojs",
    "html",
    "css",
    "yaml",
    "json",
    "markdown",
    "md",
    "c",
    "cpp",
    "java",
    "rust",
    "go",
    "ruby",
    "perl",
    "php",
    "matlab",
    "octave",
    "stata",
    "sas",
    "mermaid",
    "dot",
    "powershell",
    "console",
    "text",
    "rcpp",
    "stan",
    "scala",
    "haskell",
];

/// The part after `{` of a fence's info string when it opens a MyST directive
/// (```` ```{note} ````): braces holding a name, not Pandoc attributes (`{.python}`) and not an
/// executable code cell (```` ```{r} ````, ```` ```{code-cell} python ````).
pub(super) fn myst_directive(info: &str) -> Option<&str> {
    let rest = info.strip_prefix('{')?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    if name_len == 0
        || !rest[name_len..].starts_with('}')
        || !rest.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return None;
    }
    let name = rest[..name_len].to_ascii_lowercase();
    if kind_of(&name).is_none() && (CELL_LANGUAGES.contains(&name.as_str()) || name == "code-cell")
    {
        return None;
    }
    Some(rest)
}

/// A line of colons: `Some((count, rest))`, `rest` empty for a closing line.
pub(super) fn colon_fence(text: &str) -> Option<(usize, &str)> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &text[indent..];
    let len = t.len() - t.trim_start_matches(':').len();
    (len >= 3).then(|| (len, t[len..].trim()))
}

/// `{: .language-bash}`, `{: .output}`, `{: .error}` under a code fence: the info it gives.
pub(super) fn code_ial(text: &str) -> Option<String> {
    let t = text.trim();
    if !t.starts_with("{:") || !t.ends_with('}') {
        return None;
    }
    let (a, _) = attrs::parse(t).ok()?;
    a.classes.iter().find_map(|c| match c.as_str() {
        "output" | "error" | "warning" => Some(c.clone()),
        c => c.strip_prefix("language-").map(str::to_string),
    })
}

/// `{: .name}` with a known block name: the name.
pub(super) fn block_ial(text: &str) -> Option<String> {
    let t = text.trim();
    if !t.starts_with("{:") || !t.ends_with('}') {
        return None;
    }
    let (a, _) = attrs::parse(t).ok()?;
    a.classes.into_iter().find(|c| kind_of(c).is_some())
}

/// The text after `>` and one optional space, if `text` is a line of a quote.
pub(super) fn quote_inner(text: &str) -> Option<usize> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &text[indent..];
    let rest = t.strip_prefix('>')?;
    Some(indent + 1 + usize::from(rest.starts_with(' ')))
}

/// An ATX heading's text (`## Title {#id}` gives `Title {#id}`).
pub(super) fn atx_heading(text: &str) -> Option<&str> {
    let t = text.trim_start_matches(' ');
    if text.len() - t.len() > 3 {
        return None;
    }
    let hashes = t.len() - t.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &t[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

pub(super) fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// The header of a colon fence after its colons, read into name, title and attributes:
/// `name`, `name Title`, `name[Title]`, `{.name key=v}`, `{name} Title`, `name {key=v}`.
pub(super) struct Header {
    pub(super) name: String,
    pub(super) title: Option<(String, usize)>,
    pub(super) attrs: attrs::Attrs,
}

pub(super) fn header(rest: &str) -> Result<Header, (String, usize)> {
    let rest = rest.trim_end().trim_end_matches(':').trim_end();
    let mut h = Header {
        name: String::new(),
        title: None,
        attrs: attrs::Attrs::default(),
    };
    let after;
    if rest.starts_with('{') {
        let (a, n) = attrs::parse(rest).map_err(|e| (e.message, e.offset))?;
        // `{.callout-note …}` (Pandoc, Quarto) or `{note}` (MyST).
        let name = if a.words.is_empty() {
            a.classes.first().cloned()
        } else {
            a.words.first().cloned()
        };
        let Some(name) = name else {
            return Err(("this block has no name".into(), 0));
        };
        h.name = name;
        h.attrs = a;
        h.attrs.classes.retain(|c| *c != h.name);
        after = n;
    } else {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(("this block has no name".into(), 0));
        }
        h.name = rest[..end].to_string();
        let mut i = end;
        if rest[i..].starts_with('[') {
            if let Some(close) = rest[i..].find(']') {
                h.title = Some((rest[i + 1..i + close].to_string(), i + 1));
                i += close + 1;
            }
        }
        let tail = rest[i..].trim_start();
        if tail.starts_with('{') {
            let at = rest.len() - tail.len();
            let (a, n) = attrs::parse(tail).map_err(|e| (e.message, at + e.offset))?;
            h.attrs = a;
            after = at + n;
        } else {
            after = i;
        }
    }
    let tail = rest[after..].trim();
    if !tail.is_empty() && h.title.is_none() {
        h.title = Some((
            tail.to_string(),
            rest.len() - rest[after..].trim_start().len(),
        ));
    }
    if let Some(t) = h.attrs.get("title") {
        h.title = Some((t.to_string(), 0));
    }
    Ok(h)
}

/// A `:key: value` option line.
pub(super) fn option_line(text: &str) -> Option<(&str, &str)> {
    let t = text.trim_start().strip_prefix(':')?;
    let end = t.find(':')?;
    let key = &t[..end];
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    Some((key, t[end + 1..].trim()))
}
