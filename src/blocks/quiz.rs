//! Fenced ```quiz and ```reflection blocks: YAML bodies read into typed structs, checked at
//! build time (a question needs a correct choice; unknown keys are errors at their line) and
//! rendered as semantic HTML (fieldset, legend, labelled inputs) that works without
//! JavaScript and that the progress script can make interactive.

use crate::diagnostics::{Diagnostic, Source};
use crate::util::escape_html;
use crate::yaml::{self, YamlSpot};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    prompt: String,
    choices: Vec<RawChoice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    #[serde(default)]
    correct: bool,
    feedback: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReflection {
    prompt: String,
    id: Option<String>,
}

/// Where a block's body is: the file, its text and the file line of its first line.
pub struct BlockSpot<'a> {
    pub source: &'a Source,
    pub body: &'a str,
    pub first_line: usize,
    /// Byte offset of the body in the file.
    pub offset: usize,
    /// Counts blocks of the page from 1, to make ids unique.
    pub index: usize,
    /// The interface text of the page's language.
    pub strings: &'a crate::i18n::Strings,
    /// ` lang="…"` for elements whose text is the interface's, when the page's text is in
    /// another language (see `Strings::lang_attr`).
    pub ui: &'a str,
}

/// Byte offset in the file of the `n`th (from 0) line of the body that starts with `key:`
/// after optional `- ` and spaces.
fn nth_key_offset(spot: &BlockSpot, key: &str, n: usize) -> usize {
    let mut offset = spot.offset;
    let mut seen = 0;
    for line in spot.body.split_inclusive('\n') {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        if t.starts_with(key) && t[key.len()..].starts_with(':') {
            if seen == n {
                return offset + (line.len() - t.len());
            }
            seen += 1;
        }
        offset += line.len();
    }
    spot.offset
}

/// A quiz block: its YAML read and checked (questions with two choices or more, one right at
/// least) and rendered as a form of fieldsets, with the right answers in a `details` at its end.
pub fn render_quiz(spot: &BlockSpot) -> Result<String, Diagnostic> {
    let y = YamlSpot {
        source: spot.source,
        yaml: spot.body,
        first_line: spot.first_line,
        what: "this quiz",
    };
    let quiz: RawQuiz = yaml::parse(&y)?;
    if quiz.questions.is_empty() {
        return Err(Diagnostic::error("this quiz has no questions")
            .at(spot.source, spot.offset..spot.offset)
            .hint("add `questions:` with at least one `- prompt: …` and its `choices:`."));
    }
    let mut answers = String::new();
    let s = spot.strings;
    let title = escape_html(s.get("quiz.title"));
    let mut html = format!(
        "<form class=\"quiz\" id=\"quiz-{0}\" data-quiz=\"{0}\" aria-label=\"{title}\">\n<p class=\"quiz-title\"{1}>{title}</p>\n",
        spot.index, spot.ui
    );
    for (qi, q) in quiz.questions.iter().enumerate() {
        let correct = correct_choices(spot, qi, q)?;
        html.push_str(&question_html(spot, qi, q, correct.len() > 1));
        let right: Vec<String> = correct
            .iter()
            .map(|&i| escape_html(&q.choices[i].text))
            .collect();
        answers.push_str(&format!("<li>{}</li>", right.join("; ")));
    }
    html.push_str(&format!(
        "<details class=\"quiz-answers\"><summary{}>{}</summary><ol>{answers}</ol></details>\n</form>\n",
        spot.ui,
        escape_html(s.get("quiz.show_answers"))
    ));
    Ok(html)
}

/// The indexes of question `qi`'s correct choices, or the error at its prompt when it has
/// fewer than two choices or no correct one.
fn correct_choices(spot: &BlockSpot, qi: usize, q: &RawQuestion) -> Result<Vec<usize>, Diagnostic> {
    let correct: Vec<usize> = q
        .choices
        .iter()
        .enumerate()
        .filter(|(_, c)| c.correct)
        .map(|(i, _)| i)
        .collect();
    let at = nth_key_offset(spot, "prompt", qi);
    if q.choices.len() < 2 {
        return Err(Diagnostic::error(format!(
            "question {} of this quiz has fewer than two choices",
            qi + 1
        ))
        .at(spot.source, at..at + "prompt".len())
        .label("this question")
        .hint("give each question at least two `choices:`, each `- text: …`."));
    }
    if correct.is_empty() {
        return Err(Diagnostic::error(format!(
            "question {} of this quiz has no correct answer",
            qi + 1
        ))
        .at(spot.source, at..at + "prompt".len())
        .label("no choice below is marked correct")
        .hint("mark the right choice (or choices) with `correct: true`."));
    }
    Ok(correct)
}

/// Question `qi` as a fieldset: its prompt as the legend, one labelled radio button (or
/// checkbox, when `multiple` choices are right) per choice with its hidden feedback.
fn question_html(spot: &BlockSpot, qi: usize, q: &RawQuestion, multiple: bool) -> String {
    let input_type = if multiple { "checkbox" } else { "radio" };
    let name = format!("quiz-{}-q{}", spot.index, qi + 1);
    let mut html = format!(
        "<fieldset class=\"quiz-question\" data-question=\"{}\"{}>\n<legend>{}</legend>\n",
        qi + 1,
        if multiple {
            " data-multiple=\"true\""
        } else {
            ""
        },
        escape_html(&q.prompt)
    );
    if multiple {
        html.push_str(&format!(
            "<p class=\"quiz-instructions\"{}>{}</p>\n",
            spot.ui,
            escape_html(spot.strings.get("quiz.choose_all"))
        ));
    }
    for (ci, c) in q.choices.iter().enumerate() {
        let id = format!("{name}-c{}", ci + 1);
        html.push_str(&format!(
            "<div class=\"quiz-choice\"><input type=\"{input_type}\" name=\"{name}\" id=\"{id}\" value=\"{}\"{}><label for=\"{id}\">{}</label>",
            ci + 1,
            if c.correct { " data-correct=\"true\"" } else { "" },
            escape_html(&c.text)
        ));
        if let Some(f) = &c.feedback {
            html.push_str(&format!(
                "<p class=\"quiz-feedback\" id=\"{id}-feedback\" hidden>{}</p>",
                escape_html(f)
            ));
        }
        html.push_str("</div>\n");
    }
    html.push_str("</fieldset>\n");
    html
}

pub fn render_reflection(spot: &BlockSpot) -> Result<String, Diagnostic> {
    let y = YamlSpot {
        source: spot.source,
        yaml: spot.body,
        first_line: spot.first_line,
        what: "this reflection",
    };
    let r: RawReflection = yaml::parse(&y)?;
    let key = r.id.unwrap_or_else(|| format!("reflection-{}", spot.index));
    if !crate::util::is_valid_id(&key) {
        let at = nth_key_offset(spot, "id", 0);
        return Err(
            Diagnostic::error(format!("`{key}` cannot be used as a reflection id"))
                .at(spot.source, at..at + 2)
                .hint("use lowercase letters, digits and single hyphens, e.g. `id: my-classroom`."),
        );
    }
    let s = spot.strings;
    Ok(format!(
        "<div class=\"reflection\" data-reflection=\"{key}\">\n<p class=\"reflection-title\"{ui}>{}</p>\n\
         <label for=\"{key}-answer\">{}</label>\n<textarea id=\"{key}-answer\" name=\"{key}\" rows=\"5\"></textarea>\n\
         <p class=\"reflection-note\"{ui}>{}</p>\n</div>\n",
        escape_html(s.get("reflection.title")),
        escape_html(&r.prompt),
        escape_html(s.get("reflection.note")),
        ui = spot.ui
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: &str, body: &str) -> String {
        let text = format!("---\ntitle: t\n---\n```{kind}\n{body}```\n");
        let source = Source::new("content/c/m/01-l.md", text.clone());
        let offset = text.find(body).unwrap();
        let spot = BlockSpot {
            source: &source,
            body,
            first_line: 5,
            offset,
            index: 1,
            strings: &crate::theme::builtin_strings("en"),
            ui: "",
        };
        let r = if kind == "quiz" {
            render_quiz(&spot)
        } else {
            render_reflection(&spot)
        };
        match r {
            Ok(html) => html,
            Err(d) => d.to_plain_string(),
        }
    }

    #[test]
    fn quiz_renders_fieldsets_with_labelled_inputs() {
        insta::assert_snapshot!(check(
            "quiz",
            "questions:\n  - prompt: What is ROCI?\n    choices:\n      - text: A cycle of inquiry\n        correct: true\n        feedback: Yes.\n      - text: A test\n"
        ));
    }

    #[test]
    fn quiz_without_correct_answer_is_an_error_at_its_question() {
        insta::assert_snapshot!(check(
            "quiz",
            "questions:\n  - prompt: One?\n    choices:\n      - text: a\n        correct: true\n      - text: b\n  - prompt: Two?\n    choices:\n      - text: a\n      - text: b\n"
        ));
    }

    #[test]
    fn quiz_with_unknown_key_is_an_error_at_its_line() {
        insta::assert_snapshot!(check(
            "quiz",
            "questions:\n  - prompt: One?\n    choises:\n      - text: a\n"
        ));
    }

    #[test]
    fn reflection_has_a_label_for_its_textarea() {
        insta::assert_snapshot!(check("reflection", "prompt: Who are you as a teacher?\n"));
    }
}
