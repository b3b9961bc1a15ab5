//! Blocks: the fenced containers course authors write in the dialects of the tools they come
//! from (Pandoc and Quarto `:::` divs, MyST colon fences and ```` ```{name} ```` directives,
//! Docusaurus `:::note[Title]`, the Carpentries and sphinx-lesson names, kramdown's
//! `{: .challenge}` after a quote), and the fenced ```` ```quiz ```` and
//! ```` ```reflection ```` blocks with YAML bodies.
//!
//! [`parse`] reads a page's Markdown once into a list of [`Directive`]s and a rewritten
//! Markdown text in which every fence line is a placeholder the Markdown stage recognises; the
//! audience is a filter applied there: a learner's text never contains a `facilitator` block,
//! so nothing meant for facilitators can reach a learner page, the search index or an export
//! by accident. [`kind_of`] is the one table of block names.

pub mod media;
pub mod parse;
pub mod quiz;

pub use parse::{Directive, Marker, Parsed, parse};

/// The callout styles (the same boxes as `> [!NOTE]` and its kin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callout {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl Callout {
    pub fn class(self) -> &'static str {
        match self {
            Callout::Note => "note",
            Callout::Tip => "tip",
            Callout::Important => "important",
            Callout::Warning => "warning",
            Callout::Caution => "caution",
        }
    }
}

/// What a block is, whatever name the author used for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A callout box; the string-table key of its default title.
    Callout(Callout, &'static str),
    Exercise,
    Solution,
    Hint,
    Keypoints,
    Objectives,
    Questions,
    Discussion,
    /// Notes for whoever leads a session: never in the learner site.
    Facilitator,
    Figure,
    Video,
    Audio,
    Tabs,
    Tab,
    CodeBlock,
    /// A part of the text shown on request (a spoiler, a dropdown).
    Details,
}

impl Kind {
    /// Returns true if and only if the block's text is Markdown (as opposed to code).
    pub fn holds_markdown(self) -> bool {
        !matches!(self, Kind::CodeBlock)
    }

    /// The options (`:key: value` lines, `key=value` attributes) a block of this kind takes.
    pub fn options(self) -> &'static [&'static str] {
        match self {
            Kind::Callout(..) => &["class", "name", "collapse", "icon", "appearance", "title"],
            Kind::Exercise | Kind::Discussion => &["class", "name", "title"],
            Kind::Solution | Kind::Hint => &["class", "name", "title", "collapse"],
            Kind::Details => &["class", "name", "title", "open", "icon", "color"],
            Kind::Figure => &[
                "alt", "width", "height", "class", "name", "align", "figwidth",
            ],
            Kind::Video => &[
                "captions", "poster", "chapters", "title", "width", "height", "class", "name",
            ],
            Kind::Audio => &["captions", "chapters", "title", "class", "name"],
            Kind::Tabs => &["class", "name", "sync-group", "group"],
            Kind::Tab => &["class", "name", "sync", "selected"],
            Kind::CodeBlock => &[
                "caption",
                "linenos",
                "lineno-start",
                "emphasize-lines",
                "name",
                "class",
                "dedent",
                "force",
                "language",
            ],
            Kind::Keypoints | Kind::Objectives | Kind::Questions | Kind::Facilitator => {
                &["class", "name", "title"]
            }
        }
    }

    /// Returns true if and only if a block of this kind may carry a title of its own.
    pub fn takes_title(self) -> bool {
        !matches!(self, Kind::Tabs | Kind::CodeBlock)
    }
}

/// Every block name playbook knows, with what it means. Names are matched in lowercase.
/// Sources of the aliases: docutils/MyST admonitions, Quarto's `callout-*`, Docusaurus'
/// `info`/`danger`, The Carpentries' lesson template and sphinx-lesson.
pub const NAMES: &[(&str, Kind)] = &[
    ("note", Kind::Callout(Callout::Note, "block.note")),
    ("info", Kind::Callout(Callout::Note, "block.note")),
    ("callout", Kind::Callout(Callout::Note, "block.note")),
    ("callout-note", Kind::Callout(Callout::Note, "block.note")),
    ("seealso", Kind::Callout(Callout::Note, "block.seealso")),
    ("see-also", Kind::Callout(Callout::Note, "block.seealso")),
    ("admonition", Kind::Callout(Callout::Note, "block.note")),
    (
        "prereq",
        Kind::Callout(Callout::Note, "block.prerequisites"),
    ),
    (
        "prerequisites",
        Kind::Callout(Callout::Note, "block.prerequisites"),
    ),
    ("checklist", Kind::Callout(Callout::Note, "block.checklist")),
    (
        "testimonial",
        Kind::Callout(Callout::Note, "block.testimonial"),
    ),
    (
        "type-along",
        Kind::Callout(Callout::Note, "block.type_along"),
    ),
    ("demo", Kind::Callout(Callout::Note, "block.demo")),
    ("tip", Kind::Callout(Callout::Tip, "block.tip")),
    ("callout-tip", Kind::Callout(Callout::Tip, "block.tip")),
    (
        "important",
        Kind::Callout(Callout::Important, "block.important"),
    ),
    (
        "callout-important",
        Kind::Callout(Callout::Important, "block.important"),
    ),
    (
        "attention",
        Kind::Callout(Callout::Important, "block.attention"),
    ),
    ("warning", Kind::Callout(Callout::Warning, "block.warning")),
    (
        "callout-warning",
        Kind::Callout(Callout::Warning, "block.warning"),
    ),
    ("caution", Kind::Callout(Callout::Caution, "block.caution")),
    (
        "callout-caution",
        Kind::Callout(Callout::Caution, "block.caution"),
    ),
    ("danger", Kind::Callout(Callout::Caution, "block.danger")),
    ("error", Kind::Callout(Callout::Caution, "block.error")),
    ("exercise", Kind::Exercise),
    ("exercises", Kind::Exercise),
    ("challenge", Kind::Exercise),
    ("homework", Kind::Exercise),
    ("solution", Kind::Solution),
    ("hint", Kind::Hint),
    ("keypoints", Kind::Keypoints),
    ("key-points", Kind::Keypoints),
    ("objectives", Kind::Objectives),
    ("questions", Kind::Questions),
    ("discussion", Kind::Discussion),
    ("facilitator", Kind::Facilitator),
    ("instructor", Kind::Facilitator),
    ("instructor-note", Kind::Facilitator),
    ("figure", Kind::Figure),
    ("video", Kind::Video),
    ("audio", Kind::Audio),
    ("spoiler", Kind::Details),
    ("dropdown", Kind::Details),
    ("details", Kind::Details),
    ("tabs", Kind::Tabs),
    ("group-tab", Kind::Tabs),
    ("tab-set", Kind::Tabs),
    ("panel-tabset", Kind::Tabs),
    ("tab", Kind::Tab),
    ("tab-item", Kind::Tab),
    ("code-block", Kind::CodeBlock),
    ("code", Kind::CodeBlock),
    ("sourcecode", Kind::CodeBlock),
];

/// The kind of block called `name` (any case), if playbook knows it.
pub fn kind_of(name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    NAMES.iter().find(|(n, _)| *n == lower).map(|(_, k)| *k)
}

/// Every known block name, for messages.
pub fn all_names() -> Vec<&'static str> {
    NAMES.iter().map(|(n, _)| *n).collect()
}

/// The inline roles (`` {kbd}`Ctrl+C` ``) playbook renders.
pub const ROLES: &[&str] = &[
    "kbd", "abbr", "term", "sub", "sup", "code", "samp", "file", "command",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lowercase() {
        let mut names = all_names();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "a block name is listed twice");
        assert_eq!(kind_of("Challenge"), Some(Kind::Exercise));
        assert_eq!(kind_of("instructor"), Some(Kind::Facilitator));
        assert_eq!(kind_of("nonsense"), None);
    }
}
