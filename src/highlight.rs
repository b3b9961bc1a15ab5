//! Code highlighting with syntect into CSS classes (`hl-keyword`, `hl-string`, …), never
//! inline colours, so one stylesheet in the theme styles code for light and dark and a strict
//! Content-Security-Policy holds. The syntax set is loaded once, on the first code block.

use crate::util::escape_html;
use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

#[derive(Default)]
pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
}

impl Highlighter {
    /// Returns the HTML of a code block in language `lang` (a fence's info string, e.g.
    /// `rust` or `py`); unknown languages are shown as plain, escaped text.
    pub fn highlight(&self, code: &str, lang: &str) -> String {
        let lang_attr = if lang.is_empty() {
            String::new()
        } else {
            format!(" data-lang=\"{}\"", escape_html(lang))
        };
        let inner = if lang.is_empty() {
            None
        } else {
            self.classed(code, lang)
        };
        let inner = inner.unwrap_or_else(|| escape_html(code));
        format!("<pre class=\"code\" tabindex=\"0\"{lang_attr}><code>{inner}</code></pre>\n")
    }

    fn classed(&self, code: &str, lang: &str) -> Option<String> {
        let ss = self.syntaxes.get_or_init(SyntaxSet::load_defaults_newlines);
        let syntax = ss.find_syntax_by_token(lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            ss,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_are_escaped() {
        let h = Highlighter::default();
        let rust = h.highlight("fn main() {}\n", "rust");
        assert!(
            rust.contains("hl-keyword") || rust.contains("hl-storage"),
            "{rust}"
        );
        assert!(!rust.contains("style="));
        let plain = h.highlight("<b>\n", "klingon");
        assert!(plain.contains("&lt;b&gt;"));
    }
}
