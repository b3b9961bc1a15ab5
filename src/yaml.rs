//! Reads YAML (front matter, `playbook.yaml`, quiz and reflection blocks) into typed structs
//! and turns the YAML library's errors into author-facing diagnostics with positions in the
//! author's file, did-you-mean hints for misspelt keys and values, and the list of keys that
//! are allowed where no near match exists.

use crate::diagnostics::{Diagnostic, Source, did_you_mean};
use serde::de::DeserializeOwned;
use serde_saphyr::Error as YamlError;

/// Where a piece of YAML sits in its file, and what to call it in messages.
pub struct YamlSpot<'a> {
    pub source: &'a Source,
    /// The YAML text (a slice of `source.text`, or a copy of it).
    pub yaml: &'a str,
    /// 1-based line of the file on which the YAML's first line stands.
    pub first_line: usize,
    /// How messages name the thing, e.g. "the front matter of a chapter".
    pub what: &'a str,
}

/// Parses `spot.yaml` into `T`, or returns one diagnostic pointing at the problem.
///
/// An empty document is read as an empty mapping, so a missing required key is reported as
/// such rather than as a syntax error.
pub fn parse<T: DeserializeOwned>(spot: &YamlSpot) -> Result<T, Diagnostic> {
    let text = if spot.yaml.trim().is_empty() {
        "{}"
    } else {
        spot.yaml
    };
    serde_saphyr::from_str::<T>(text).map_err(|e| to_diagnostic(&e, spot))
}

/// The range in the author's file of a value the parser placed at `loc`, `len` bytes long when
/// the parser does not say.
pub fn value_range(
    spot: &YamlSpot,
    loc: &serde_saphyr::Location,
    len: usize,
) -> std::ops::Range<usize> {
    let text = &spot.source.text;
    let span = loc.span();
    let start = match span.byte_offset() {
        Some(b) => spot.source.offset_of(spot.first_line, 1) + b as usize,
        None => spot.source.offset_of(
            spot.first_line + (loc.line().max(1) as usize) - 1,
            loc.column().max(1) as usize,
        ),
    };
    let len = span.byte_len().map_or(len, |l| l as usize);
    let start = start.min(text.len());
    start..(start + len).min(text.len())
}

/// What a key's value must be, in words, for the keys whose values are numbers.
fn number_words(key: &str) -> &'static str {
    match key {
        "duration_minutes" => "a whole number of minutes",
        "pass_mark" => "a whole number (a percentage, 0 to 100)",
        "weight" => "a whole number",
        _ => "a whole number",
    }
}

fn to_diagnostic(err: &YamlError, spot: &YamlSpot) -> Diagnostic {
    let err = err.without_snippet();
    let (line, col) = err.location().map_or((1, 1), |l| {
        (l.line().max(1) as usize, l.column().max(1) as usize)
    });
    let offset = spot.source.offset_of(spot.first_line + line - 1, col);
    let range = token_range(&spot.source.text, offset);
    let what = spot.what;
    let d = match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let hint = match did_you_mean(field, expected.iter().copied()) {
                Some(near) => format!(
                    "did you mean `{near}`? The keys allowed here are: {}.",
                    expected.join(", ")
                ),
                None => format!(
                    "the keys allowed here are: {}. Remove `{field}` or correct its spelling.",
                    expected.join(", ")
                ),
            };
            Diagnostic::error(format!("unknown key `{field}` in {what}"))
                .label("this key is not known here")
                .hint(hint)
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let hint = match did_you_mean(variant, expected.iter().copied()) {
                Some(near) => format!(
                    "did you mean `{near}`? The values allowed here are: {}.",
                    expected.join(", ")
                ),
                None => format!("the values allowed here are: {}.", expected.join(", ")),
            };
            Diagnostic::error(format!("`{variant}` is not an allowed value in {what}"))
                .label("not an allowed value")
                .hint(hint)
        }
        YamlError::SerdeMissingField { field, .. } => {
            let range = 0..0;
            let start = spot.source.offset_of(spot.first_line, 1);
            return Diagnostic::error(format!("{what} has no `{field}`"))
                .at(spot.source, start + range.start..start + range.end)
                .label(format!("`{field}` is required here"))
                .hint(format!("add a line `{field}: …` to {what}."));
        }
        YamlError::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("a key");
            Diagnostic::error(format!("`{key}` is written twice in {what}"))
                .label("written a second time here")
                .hint(format!("keep one `{key}:` line (with everything under it): a second one would replace the first."))
        }
        YamlError::Budget { breach, .. } => return too_large(breach, spot, range),
        other
            if other.to_string().starts_with("invalid u")
                || other.to_string().starts_with("invalid i") =>
        {
            not_a_number(spot, offset, range.clone())
        }
        other => {
            let text = other.to_string();
            let first = text.lines().next().unwrap_or_default();
            let message = plain_words(strip_position_prefix(first.trim_start_matches("error: ")));
            let message = message.as_str();
            Diagnostic::error(format!("{what} is not valid: {message}")).label(message.to_string()).hint(
                "check the YAML: each line is `key: value`, list items start with `- `, nested lines are indented \
                 with spaces, and text containing `: ` or starting with a quote, `[`, `{`, `*` or `#` is put in \
                 quotes.",
            )
        }
    };
    d.at(spot.source, range)
}

/// Drops a leading "line N column M: " that the YAML library puts before its messages.
/// The error for YAML that breaks a reading limit (`breach`): nested too deeply, too many
/// anchors and aliases, or too large.
fn too_large(
    breach: &serde_saphyr::budget::BudgetBreach,
    spot: &YamlSpot,
    range: std::ops::Range<usize>,
) -> Diagnostic {
    let what_kind = match breach {
        serde_saphyr::budget::BudgetBreach::Depth { .. } => "nested too deeply",
        serde_saphyr::budget::BudgetBreach::Aliases { .. }
        | serde_saphyr::budget::BudgetBreach::Anchors { .. } => {
            "uses too many anchors and aliases (`&name`, `*name`)"
        }
        _ => "too large",
    };
    Diagnostic::error(format!("{} is {what_kind} to read", spot.what))
        .at(spot.source, range)
        .label("the reading stopped here")
        .hint("front matter and playbook.yaml hold settings, not data: keep them short, and put long content in the page's text.")
}

/// The error for a value that should be a whole number (at `range`, on the line of
/// `offset`), named by its key (`pass_mark`, `duration_minutes`, `weight`).
fn not_a_number(spot: &YamlSpot, offset: usize, range: std::ops::Range<usize>) -> Diagnostic {
    let line_start = spot.source.text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &spot.source.text[line_start..];
    let line = line.lines().next().unwrap_or("");
    let key = line
        .split(':')
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches("- ");
    let value = spot.source.text[range].trim();
    Diagnostic::error(format!("`{value}` is not {}", number_words(key)))
        .label("not a number")
        .hint(format!(
            "write {} in digits, e.g. `{key}: {}`.",
            number_words(key),
            if key == "pass_mark" { "80" } else { "30" }
        ))
}

fn strip_position_prefix(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix("line ") {
        if let Some(idx) = rest.find(": ") {
            let head = &rest[..idx];
            if head
                .split(' ')
                .all(|w| w == "column" || w.chars().all(|c| c.is_ascii_digit()))
            {
                return &rest[idx + 2..];
            }
        }
    }
    message
}

/// Rewrites the YAML library's vocabulary into words an author knows, and drops the position
/// it appends (relative to the YAML, not to the author's file).
fn plain_words(message: &str) -> String {
    let cut = message.find(" at line ").map_or(message, |i| &message[..i]);
    cut.replace("string scalar", "plain text")
        .replace("a sequence", "a list (lines starting with `- `)")
        .replace("sequence", "list")
        .replace("a mapping", "keys with values")
        .replace("mapping", "keys with values")
        .replace("scalar", "value")
}

/// The range of the word (key or value) that starts at `offset`, at least one byte wide where
/// the text allows, so the marker under it is visible.
fn token_range(text: &str, offset: usize) -> std::ops::Range<usize> {
    let rest = &text[offset.min(text.len())..];
    let len = rest
        .find([':', '\n', ' ', ',', ']', '}'])
        .unwrap_or(rest.len());
    let len = if len == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    offset..offset + len
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Fm {
        title: String,
        #[serde(default)]
        objectives: Vec<String>,
    }

    fn check(yaml: &str) -> String {
        let source = Source::new("content/a.md", format!("---\n{yaml}---\nbody\n"));
        let spot = YamlSpot {
            source: &source,
            yaml,
            first_line: 2,
            what: "the front matter of a lesson",
        };
        match parse::<Fm>(&spot) {
            Ok(fm) => format!("ok: {fm:?}"),
            Err(d) => d.to_plain_string(),
        }
    }

    #[test]
    fn unknown_key_suggests_the_near_one() {
        insta::assert_snapshot!(check("title: A\nobjectivs:\n  - x\n"));
    }

    #[test]
    fn missing_key_is_named() {
        insta::assert_snapshot!(check("objectives: []\n"));
    }

    #[test]
    fn syntax_error_points_at_its_line() {
        insta::assert_snapshot!(check("title: [unclosed\n"));
    }

    #[test]
    fn prefix_is_stripped() {
        assert_eq!(
            strip_position_prefix("line 4 column 5: expected string scalar"),
            "expected string scalar"
        );
        assert_eq!(
            strip_position_prefix("line of text: no"),
            "line of text: no"
        );
        assert_eq!(
            plain_words("expected string scalar at line 1, column 8"),
            "expected plain text"
        );
    }
}
