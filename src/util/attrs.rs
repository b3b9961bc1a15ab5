//! Attribute lists as Pandoc, kramdown and MyST authors write them after a fence, an image or
//! a block name: `{#id .class key=value key="two words" key='x'}`, kramdown's `{: .class}`, and
//! MyST's bare `{name}`.

/// A parsed attribute list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(String, String)>,
    /// Bare words (`{note}` is one word, `note`).
    pub words: Vec<String>,
}

impl Attrs {
    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an attribute list could not be read, and the byte offset (in the text given) of the
/// problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError {
    pub message: String,
    pub offset: usize,
}

/// Parses `text`, which must start with `{` and whose attribute list ends at the first `}`
/// outside quotes. Returns the attributes and the length of the list in bytes (through `}`).
pub fn parse(text: &str) -> Result<(Attrs, usize), AttrError> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return Err(AttrError {
            message: "an attribute list starts with `{`".into(),
            offset: 0,
        });
    }
    let mut attrs = Attrs::default();
    let mut i = 1;
    if bytes.get(i) == Some(&b':') {
        i += 1;
    }
    loop {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else {
            return Err(AttrError {
                message: "the attribute list is never closed with `}`".into(),
                offset: 0,
            });
        };
        match b {
            b'}' => return Ok((attrs, i + 1)),
            b'#' | b'.' => {
                let start = i + 1;
                let end = word_end(text, start);
                if end == start {
                    return Err(AttrError {
                        message: format!("`{}` must be followed by a name", b as char),
                        offset: i,
                    });
                }
                let word = text[start..end].to_string();
                if b == b'#' {
                    attrs.id = Some(word);
                } else {
                    attrs.classes.push(word);
                }
                i = end;
            }
            _ => {
                let start = i;
                let end = word_end(text, start);
                if end == start {
                    return Err(AttrError {
                        message: format!(
                            "`{}` cannot start an attribute",
                            &text[i..].chars().next().map_or(String::new(), String::from)
                        ),
                        offset: i,
                    });
                }
                let key = text[start..end].to_string();
                i = end;
                if bytes.get(i) != Some(&b'=') {
                    attrs.words.push(key);
                    continue;
                }
                i += 1;
                let (value, next) = value_at(text, i)?;
                attrs.pairs.push((key, value));
                i = next;
            }
        }
    }
}

/// The end of a name (letters, digits, `-`, `_`, `:`, and any non-ASCII letter) from `start`.
fn word_end(text: &str, start: usize) -> usize {
    text[start..]
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '-' | '_' | ':')))
        .map_or(text.len(), |(k, _)| start + k)
}

/// A value at `i`: quoted with `"` or `'`, or unquoted up to a space or `}`.
fn value_at(text: &str, i: usize) -> Result<(String, usize), AttrError> {
    let bytes = text.as_bytes();
    match bytes.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            // Pandoc's quoted values take backslash escapes (`'the repository\'s URL'`).
            let mut value = String::new();
            let mut chars = text[i + 1..].char_indices();
            while let Some((k, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    c if c == q as char => return Ok((value, i + 1 + k + 1)),
                    c => value.push(c),
                }
            }
            Err(AttrError {
                message: format!(
                    "the value starting here is never closed with `{}`",
                    q as char
                ),
                offset: i,
            })
        }
        _ => {
            let end = text[i..]
                .find([' ', '\t', '}'])
                .map_or(text.len(), |k| i + k);
            Ok((text[i..end].to_string(), end))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandoc_kramdown_and_myst_forms() {
        let (a, n) = parse("{#intro .challenge title=\"Who am I?\" width=300} rest").unwrap();
        assert_eq!(n, "{#intro .challenge title=\"Who am I?\" width=300}".len());
        assert_eq!(a.id.as_deref(), Some("intro"));
        assert_eq!(a.classes, vec!["challenge"]);
        assert_eq!(a.get("title"), Some("Who am I?"));
        assert_eq!(a.get("width"), Some("300"));
        let (a, _) = parse("{: .language-bash}").unwrap();
        assert_eq!(a.classes, vec!["language-bash"]);
        let (a, _) = parse("{note}").unwrap();
        assert_eq!(a.words, vec!["note"]);
        let (a, _) = parse("{alt='A chart' .wide}").unwrap();
        assert_eq!(a.get("alt"), Some("A chart"));
        let (a, n) = parse("{alt='the repository\\'s URL'} x").unwrap();
        assert_eq!(a.get("alt"), Some("the repository's URL"));
        assert_eq!(n, "{alt='the repository\\'s URL'}".len());
        let (a, n) = parse("{alt='the repository\\'s URL'} x").unwrap();
        assert_eq!(a.get("alt"), Some("the repository's URL"));
        assert_eq!(n, "{alt='the repository\\'s URL'}".len());
    }

    #[test]
    fn unclosed_lists_and_values_are_errors() {
        assert!(parse("{.a").is_err());
        assert!(parse("{alt=\"x}").is_err());
        assert!(parse("{=x}").is_err());
    }
}
