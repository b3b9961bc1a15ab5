//! Fuzzing the real build on stable Rust: random sites (hostile `playbook.yaml`, front matter and
//! Markdown bodies made of every construct an author can write) are built in memory with
//! `build::build_in_memory`, each in a thread with a time limit, and every written HTML file is
//! checked by an HTML tokenizer (lol_html): no `<script>` but the theme's own, no `on…=` event
//! handler attribute, no `javascript:` (or `vbscript:`, `data:text/html`) URL.
//!
//! - Time: `PLAYBOOK_FUZZ_SECS` (default 30) for the random cases; `PLAYBOOK_FUZZ_SEED` replays
//!   a run (the seed is printed). A case may take `CASE_LIMIT`; longer is a hang.
//! - A panic, a hang, or unescaped output fails (the case is saved under
//!   `target/fuzz-findings/`, and a tally by kind is printed). Raw HTML in Markdown goes through
//!   the allow-list of `markdown::rawhtml`, link URLs (Markdown links, autolinks, reference
//!   definitions, the brand's `contact` and `footer_links`) through a scheme check, so a hostile
//!   input is a build error, never published.
//! - `tests/fuzz/corpus/*.json` (file path → text of a site) are past crashers, hangs and
//!   findings, built on every run under the same rules. Move a saved finding there once fixed.

use playbook::build;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A `<script>`, `on…=` or `javascript:` from the input in any written file fails the suite (it
/// is reported as a finding only when this is false: kept as a switch for investigating).
pub const FAIL_ON_UNESCAPED_OUTPUT: bool = true;

/// The longest one case may build (a debug build on a busy machine) before it counts as a hang.
const CASE_LIMIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------- the checker

/// What the checker found in one output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: String,
    pub kind: &'static str,
    pub snippet: String,
}

/// Decodes the character references a browser decodes in an attribute value (`&#106;`,
/// `&#x6A;`, `&colon;`, `&Tab;`, …), enough to see a `javascript:` spelled with them.
fn decode_entities(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '#')
            .map_or(rest.len(), |e| e + 1);
        let name = &rest[1..end];
        let decoded = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = name.strip_prefix('#') {
            dec.parse().ok().and_then(char::from_u32)
        } else {
            match name {
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "sol" => Some('/'),
                "lpar" => Some('('),
                "rpar" => Some(')'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if end > 1 => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Returns true if and only if URL `value` (an attribute's text) would run script or show a
/// document of its own: a `javascript:`, `vbscript:` or `data:text/html` URL, however spelled
/// (character references, case, spaces, tabs and control characters inside).
pub fn is_script_url(value: &str) -> bool {
    let squeezed: String = decode_entities(value)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    squeezed.starts_with("javascript:")
        || squeezed.starts_with("vbscript:")
        || squeezed.starts_with("data:text/html")
}

const URL_ATTRIBUTES: [&str; 12] = [
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "cite",
    "background",
    "xlink:href",
    "srcset",
    "ping",
    "content",
];

/// Checks one HTML file of a build whose files are `all` (output path → bytes).
pub fn check_html(file: &str, html: &[u8], all: &BTreeMap<String, Vec<u8>>) -> Vec<Finding> {
    let findings = RefCell::new(Vec::new());
    let found = |kind: &'static str, snippet: String| {
        findings.borrow_mut().push(Finding {
            file: file.to_string(),
            kind,
            snippet: snippet.chars().take(200).collect(),
        })
    };
    let theme_script = |src: &str| {
        let path = src.split(['?', '#']).next().unwrap_or("");
        let name = path.rsplit('/').next().unwrap_or("");
        !src.contains(':')
            && !src.starts_with("//")
            && path.ends_with(&format!("assets/{name}"))
            && name.ends_with(".js")
            && all.contains_key(&format!("assets/{name}"))
    };
    let mut rewriter = lol_html::HtmlRewriter::new(
        lol_html::Settings::new()
            .append_element_content_handler(lol_html::element!("*", |el| {
                let tag = el.tag_name();
                let shown = || {
                    let attrs: String = el
                        .attributes()
                        .iter()
                        .map(|a| format!(" {}=\"{}\"", a.name(), a.value()))
                        .collect();
                    format!("<{tag}{attrs}>")
                };
                if tag == "script" && !el.get_attribute("src").is_some_and(|s| theme_script(&s)) {
                    found("script element", shown());
                }
                for a in el.attributes() {
                    let name = a.name();
                    if name.starts_with("on") {
                        found("event handler attribute", shown());
                    }
                    let value = a.value();
                    let url = if name == "content" {
                        // In `<meta content>`, only a refresh's `url=` is a URL.
                        let lower = value.to_ascii_lowercase();
                        lower.find("url=").map(|i| value[i + 4..].to_string())
                    } else {
                        URL_ATTRIBUTES
                            .contains(&name.as_str())
                            .then(|| value.clone())
                    };
                    if url.is_some_and(|u| is_script_url(&u)) {
                        found("script URL", shown());
                    }
                }
                Ok(())
            }))
            .append_element_content_handler(lol_html::text!("script", |t| {
                if !t.as_str().trim().is_empty() {
                    found("inline script", t.as_str().to_string());
                }
                Ok(())
            })),
        |_: &[u8]| {},
    );
    if let Err(e) = rewriter.write(html).and_then(|()| rewriter.end()) {
        found("unparsable HTML", e.to_string());
    }
    findings.into_inner()
}

/// Checks every HTML file of a build.
pub fn check_build(files: &BTreeMap<String, Vec<u8>>) -> Vec<Finding> {
    files
        .iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .flat_map(|(rel, bytes)| check_html(rel, bytes, files))
        .collect()
}

// ---------------------------------------------------------------- running one case

/// How one case ended.
#[derive(Debug)]
pub enum Outcome<T> {
    Done(T),
    Panicked(String),
    Hung,
}

/// Runs `f` on a thread of its own: its value, its panic's message, or `Hung` after `limit` (the
/// thread is left to finish on its own; the run stops there).
pub fn run_limited<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Outcome<T> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name("fuzz case".into())
        .spawn(move || {
            let value = f();
            let _ = tx.send(());
            value
        })
        .expect("a thread for the case");
    match rx.recv_timeout(limit) {
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(v) => Outcome::Done(v),
            Err(p) => Outcome::Panicked(
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "a panic without a message".into()),
            ),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Hung,
    }
}

/// A site as files (path → bytes).
pub type Case = BTreeMap<String, Vec<u8>>;

/// What one case gave.
#[derive(Debug)]
pub enum Verdict {
    /// Built (or refused with diagnostics, which is fine), with what the checker found.
    Ok {
        built: bool,
        findings: Vec<Finding>,
    },
    Panicked(String),
    Hung,
}

/// Writes `case` into a new folder and builds it in memory, within `CASE_LIMIT`.
pub fn run_case(case: &Case) -> Verdict {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (rel, bytes) in case {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a folder");
        std::fs::write(&p, bytes).expect("a file");
    }
    let root = dir.path().to_path_buf();
    let outcome = run_limited(CASE_LIMIT, move || {
        build::build_in_memory(&build::Options::new(root), None).map(|m| m.files)
    });
    let verdict = match outcome {
        Outcome::Done(Ok(files)) => Verdict::Ok {
            built: true,
            findings: check_build(&files),
        },
        Outcome::Done(Err(f)) => {
            if std::env::var_os("PLAYBOOK_FUZZ_VERBOSE").is_some() {
                let text = f.diags.to_plain_string();
                println!("refused: {}", text.lines().next().unwrap_or(""));
            }
            Verdict::Ok {
                built: false,
                findings: Vec::new(),
            }
        }
        Outcome::Panicked(m) => Verdict::Panicked(m),
        Outcome::Hung => Verdict::Hung,
    };
    if matches!(verdict, Verdict::Hung) {
        // The build still runs in its thread: keep its folder.
        let _ = dir.keep();
    }
    verdict
}

// ---------------------------------------------------------------- generators

/// Text an attacker or a careless paste would put anywhere.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<!--<script>-->",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "{{ config }}",
    "{% raw %}{{ x }}{% endraw %}",
    "${7*7}",
    "&lt;script&gt;",
    "]]>",
    "\u{202e}gnp.exe",
    "\u{feff}",
    "\u{0}",
    "\u{7}\u{1b}[31m",
    "\u{85}\u{2028}\u{2029}",
    "e\u{301}\u{301}\u{301}",
    "👩🏽‍🏫",
    "\\",
    "\"",
    "'",
    "`",
    "|",
    "*",
    "_",
    "[",
    "]",
    "{",
    "}",
    "#",
    ":",
    "---",
    ":::",
    "```",
];

const WORDS: &[&str] = &[
    "teacher",
    "student",
    "listen",
    "trust",
    "classroom",
    "family",
    "culture",
    "note",
    "exercise",
    "solution",
    "facilitator",
    "video",
    "quiz",
    "reflection",
    "id",
    "class",
    "alt",
];

const URLS: &[&str] = &[
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "javascript&colon;alert(1)",
    "&#x6A;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "/\\evil.example/x",
    "https://evil.example/",
    "02-other.md",
    "02-other.md#part",
    "../lessons/01-x.md",
    "#part",
    "#",
    "",
    "img.png",
    "/assets/x.js",
    "mailto:a@b.example",
    "\"onmouseover=\"alert(1)",
];

struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.rng.usize(..from.len())]
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.rng.u8(..100) < percent
    }

    fn word(&mut self) -> String {
        if self.chance(25) {
            self.pick(HOSTILE).to_string()
        } else {
            self.pick(WORDS).to_string()
        }
    }

    fn words(&mut self, max: usize) -> String {
        let n = self.rng.usize(1..=max);
        (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ")
    }

    fn control(&mut self) -> char {
        let cs = [
            '\u{0}', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\r', '\u{1b}', '\u{7f}', '\u{85}',
            '\u{9f}', '\u{2028}', '\u{fffe}', '\u{ffff}',
        ];
        cs[self.rng.usize(..cs.len())]
    }

    /// A YAML scalar that is always valid: hostile text as a quoted string (JSON is YAML).
    fn yaml_string(&mut self) -> String {
        serde_json::to_string(&self.words(6)).expect("a string")
    }

    /// A YAML scalar that may not be valid: plain, single-quoted or a block.
    fn yaml_wild(&mut self) -> String {
        match self.rng.u8(..4) {
            0 => self.word(),
            1 => format!("'{}'", self.words(4).replace('\'', "''")),
            2 => format!("|\n  {}\n", self.words(6).replace('\n', "\n  ")),
            _ => self.yaml_string(),
        }
    }

    fn url(&mut self) -> String {
        if self.chance(50) {
            self.pick(URLS).to_string()
        } else {
            let fine = [
                "#",
                "https://district.example/",
                "/",
                "02-other.md",
                "img.png",
                "mailto:a@b.example",
            ];
            self.pick(&fine).to_string()
        }
    }

    fn attributes(&mut self) -> String {
        let mut parts = Vec::new();
        for _ in 0..self.rng.usize(1..4) {
            parts.push(match self.rng.u8(..6) {
                0 => format!("#{}", self.word()),
                1 => format!(".{}", self.word()),
                2 => format!("alt=\"{}\"", self.words(3)),
                3 => format!("onclick=\"{}\"", self.words(2)),
                4 => format!("{}={}", self.word(), self.word()),
                _ => format!("#{}", self.pick(WORDS)),
            });
        }
        format!("{{{}}}", parts.join(" "))
    }

    fn inline(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..self.rng.usize(1..8) {
            let piece = match self.rng.u8(..14) {
                0 => format!("[{}]({} \"{}\")", self.words(2), self.url(), self.word()),
                1 => format!(
                    "![{}]({}){}",
                    self.words(2),
                    if self.chance(60) {
                        "img.png".to_string()
                    } else {
                        self.url()
                    },
                    if self.chance(60) {
                        self.attributes()
                    } else {
                        String::new()
                    }
                ),
                2 => format!("<{}>", self.url()),
                3 => format!("`{}`", self.words(2)),
                4 => format!("*{}* **{}**", self.word(), self.word()),
                5 => format!("[^{}]", self.rng.u8(1..4)),
                6 => self.pick(HOSTILE).to_string(),
                7 => format!("<span onclick=\"{}\">{}</span>", self.word(), self.word()),
                8 => self.control().to_string(),
                9 => format!("[{}][{}]", self.word(), self.pick(WORDS)),
                10 => "~~x~~ - [ ] task".to_string(),
                _ => self.words(6),
            };
            s.push_str(&piece);
            s.push(' ');
        }
        s
    }

    fn quiz(&mut self) -> String {
        let mut y = String::from("questions:\n");
        for _ in 0..self.rng.usize(0..3) {
            y += &format!("  - prompt: {}\n    choices:\n", self.yaml_string());
            for c in 0..self.rng.usize(0..4) {
                y += &format!("      - text: {}\n", self.yaml_string());
                if c == 0 || self.chance(30) {
                    y += "        correct: true\n";
                }
                if self.chance(50) {
                    y += &format!("        feedback: {}\n", self.yaml_string());
                }
            }
        }
        if self.chance(15) {
            y += &format!("{}: {}\n", self.word(), self.word());
        }
        y
    }

    fn fenced_block(&mut self, depth: usize) -> String {
        let name = self.pick(&[
            "note",
            "exercise",
            "solution",
            "facilitator",
            "video",
            "warning",
            "tip",
            "details",
            "x-unknown",
        ]);
        let colons = ":".repeat(3 + depth.min(3) + usize::from(self.chance(20)));
        let title = if self.chance(60) {
            format!(" {}", self.words(3))
        } else {
            String::new()
        };
        let inner = if depth < 3 && self.chance(35) {
            self.fenced_block(depth + 1)
        } else {
            self.inline()
        };
        let close = if self.chance(80) {
            format!("{colons}\n")
        } else {
            String::new()
        };
        format!("{colons} {name}{title}\n{inner}\n{close}")
    }

    /// One Markdown block.
    fn block(&mut self) -> String {
        match self.rng.u8(..22) {
            0 => format!(
                "{} {} {}\n",
                "#".repeat(self.rng.usize(1..7)),
                self.words(4),
                if self.chance(60) {
                    self.attributes()
                } else {
                    String::new()
                }
            ),
            1 | 2 => format!("{}\n", self.inline()),
            3 => {
                let cols = self.rng.usize(1..4);
                let row = |g: &mut Gen| {
                    (0..cols)
                        .map(|_| g.inline().replace('\n', " "))
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                let head = row(self);
                let align = (0..cols)
                    .map(|i| [":--", "--:", ":-:", "---"][i % 4])
                    .collect::<Vec<_>>()
                    .join(" | ");
                let body = row(self);
                format!("| {head} |\n| {align} |\n| {body} |\n")
            }
            4 => format!(
                "Text[^{n}].\n\n[^{n}]: {}\n",
                self.inline(),
                n = self.rng.u8(1..4)
            ),
            5 | 6 => format!("{}\n", self.pick(HOSTILE)),
            7 => format!(
                "<div class=\"{}\" onclick=\"{}\">\n\n{}\n\n</div>\n",
                self.word(),
                self.word(),
                self.inline()
            ),
            8 => {
                let fence = self.pick(&["```", "~~~", "````"]);
                let info = self.pick(&[
                    "rust",
                    "python",
                    "js",
                    "html",
                    "yaml",
                    "\"><script>alert(1)</script>",
                    "rust {.x #y}",
                    "",
                    "klingon",
                ]);
                let close = if self.chance(85) { fence } else { "" };
                format!("{fence}{info}\n{}\n{close}\n", self.words(8))
            }
            9 => format!("```quiz\n{}```\n", self.quiz()),
            10 => format!(
                "```reflection\nprompt: {}\n{}```\n",
                self.yaml_string(),
                if self.chance(50) {
                    format!("id: {}\n", self.word())
                } else {
                    String::new()
                }
            ),
            11 | 12 => self.fenced_block(0),
            13 => {
                let name = self.pick(&[
                    "note",
                    "warning",
                    "admonition",
                    "exercise",
                    "solution",
                    "figure",
                    "x",
                ]);
                format!(
                    "```{{{name}}} {}\n:class: {}\n{}\n```\n",
                    self.words(2),
                    self.word(),
                    self.inline()
                )
            }
            14 => {
                let kind = self.pick(&["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION", "x"]);
                format!("> [!{kind}] {}\n> {}\n", self.words(2), self.inline())
            }
            15 => format!(
                "{}\n",
                (0..self.rng.usize(1..40))
                    .map(|_| self.control())
                    .collect::<String>()
            ),
            16 => {
                // A very long line, of a kind parsers find hard.
                let unit = self.pick(&["a", "[", "*a ", "`", "<", "&#", "_", "\\", "|", "{#"]);
                format!("{}\n", unit.repeat(self.rng.usize(1_000..40_000)))
            }
            17 => format!(
                "{}- {}\n",
                "  ".repeat(self.rng.usize(0..30)),
                self.inline()
            ),
            18 => format!("{} {}\n", ">".repeat(self.rng.usize(1..50)), self.inline()),
            19 => format!(
                "[{}]: {} \"{}\"\n",
                self.pick(WORDS),
                self.url(),
                self.word()
            ),
            20 => format!("{}\n: {}\n", self.words(2), self.inline()),
            _ => "***\n".to_string(),
        }
    }

    fn body(&mut self) -> String {
        let mut b = String::new();
        for _ in 0..self.rng.usize(1..12) {
            b.push_str(&self.block());
            b.push('\n');
        }
        b
    }

    /// Front matter for a page of `kind`: mostly valid with hostile values, sometimes wild.
    fn front_matter(&mut self, kind: &str) -> String {
        let title = if self.chance(30) {
            self.yaml_wild()
        } else {
            self.yaml_string()
        };
        let mut y = format!("title: {title}\n");
        if self.chance(50) {
            y += &format!("description: {}\n", self.yaml_string());
        }
        match kind {
            "lesson" | "course-lesson" => {
                y += &format!(
                    "objectives: [{}]\n",
                    serde_json::to_string(&self.words(3)).expect("json")
                );
                if kind == "course-lesson" || self.chance(50) {
                    y += &format!(
                        "id: {}\n",
                        if self.chance(85) {
                            self.pick(WORDS).to_string()
                        } else {
                            self.yaml_string()
                        }
                    );
                }
                if kind == "course-lesson" {
                    y += "duration_minutes: 10\n";
                }
            }
            "article" => {
                y += &format!(
                    "date: {}\n",
                    self.pick(&["2025-01-15", "2025-13-45", "\"<script>\"", "0000-00-00"])
                );
                y += &format!(
                    "authors:\n  - name: {}\n    role: {}\n",
                    self.yaml_string(),
                    self.yaml_string()
                );
            }
            _ => {}
        }
        if self.chance(10) {
            y += &format!(
                "lang: {}\n",
                self.pick(&["es", "en", "\"><script>\"", "x-klingon", ""])
            );
        }
        if self.chance(15) {
            // Wild YAML: unknown keys, tags, anchors, nesting, tabs, a second document.
            y += self.pick(&[
                "titel: typo\n",
                "extra: !!binary aGVsbG8=\n",
                "a: &x [*x]\n",
                "nested: {a: [1, {b: [2, {c: 3}]}]}\n",
                "\ttab: 1\n",
                "---\nsecond: doc\n",
                "title: [list]\n",
                "? complex key\n: value\n",
                "draft: maybe\n",
                "objectives: 7\n",
            ]);
        }
        y
    }

    fn config(&mut self, wild: bool) -> String {
        let mut y = format!(
            "title: {}\ndescription: {}\nbase_url: {}\nlanguage: en\n",
            self.yaml_string(),
            self.yaml_string(),
            if wild && self.chance(40) {
                serde_json::to_string(&self.url()).expect("json")
            } else {
                self.pick(&[
                    "/",
                    "https://district.example/pd/playbook/",
                    "http://127.0.0.1/a/",
                ])
                .to_string()
            }
        );
        if wild {
            if self.chance(50) {
                y += &format!(
                    "brand:\n  organization: {}\n  contact: {}\n  accent: \"{}\"\n  footer_links:\n    - title: {}\n      url: {}\n",
                    self.yaml_string(),
                    serde_json::to_string(&self.url()).expect("json"),
                    self.pick(&["#1d4ed8", "#fff", "red", "#12345", "\"><script>"]),
                    self.yaml_string(),
                    serde_json::to_string(&self.url()).expect("json"),
                );
            }
            if self.chance(30) {
                y += &format!("edition_label: {}\n", self.yaml_wild());
            }
            if self.chance(20) {
                y += self.pick(&[
                    "offline: false\n",
                    "theme: ../../etc\n",
                    "unknown: 1\n",
                    "editions: [{name: \"../x\"}]\n",
                    "title: [a]\n",
                ]);
            }
        }
        y
    }

    /// A whole site; `target` says what is wild: 0 the front matter, 1 the body, 2 the config.
    fn site(&mut self, target: u8) -> Case {
        let mut files = Case::new();
        let mut put = |rel: &str, text: String| {
            files.insert(rel.to_string(), text.into_bytes());
        };
        put("playbook.yaml", self.config(target == 2));
        put(
            "content/index.md",
            "---\ntitle: Home\n---\nWelcome.\n".into(),
        );
        let kind = self.pick(&["chapter", "lesson", "article", "course-lesson"]);
        let fm = if target == 0 {
            self.front_matter(kind)
        } else {
            format!(
                "title: {}\n",
                serde_json::to_string(&self.words(3)).expect("json")
            ) + match kind {
                "lesson" => "objectives: [Listen]\n",
                "article" => "date: 2025-01-15\nauthors:\n  - name: Ana\n",
                "course-lesson" => "id: one\nduration_minutes: 5\nobjectives: [Listen]\n",
                _ => "",
            }
        };
        let body = if target == 1 || self.chance(30) {
            self.body()
        } else {
            "Some text.\n".to_string()
        };
        let page = format!("---\n{fm}---\n{body}");
        // Each kind's folder, its `_index.md`, and the front matter of a second page (a link
        // target, with a `#part`); an image beside them.
        let (dir, index, other) = match kind {
            "chapter" => (
                "content/book",
                "title: Book\nkind: book\n",
                "title: Other\n",
            ),
            "lesson" => (
                "content/lessons",
                "title: Lessons\nkind: lessons\n",
                "title: Other\nobjectives: [x]\n",
            ),
            "article" => (
                "content/research",
                "title: Research\nkind: articles\n",
                "title: Other\ndate: 2025-01-16\nauthors:\n  - name: Ben\n",
            ),
            _ => (
                "content/courses/c/01-m",
                "title: Module\nid: m\n",
                "title: Other\nid: other\nduration_minutes: 5\nobjectives: [x]\n",
            ),
        };
        if kind == "course-lesson" {
            put(
                "content/courses/_index.md",
                "---\ntitle: Courses\nkind: section\n---\n".into(),
            );
            put(
                "content/courses/c/_index.md",
                "---\ntitle: Course\nkind: course\nid: c\n---\n".into(),
            );
        }
        put(&format!("{dir}/_index.md"), format!("---\n{index}---\n"));
        put(&format!("{dir}/01-page.md"), page);
        put(
            &format!("{dir}/02-other.md"),
            format!("---\n{other}---\n## Part {{#part}}\n"),
        );
        files.insert(format!("{dir}/img.png"), b"\x89PNG\r\n\x1a\n".to_vec());
        if self.chance(5) {
            // Not UTF-8.
            let mut bytes = files.get("content/index.md").cloned().unwrap_or_default();
            bytes.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
            files.insert("content/index.md".into(), bytes);
        }
        files
    }
}

// ---------------------------------------------------------------- the runs

fn findings_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("fuzz-findings")
}

/// Saves `case` as a corpus file (JSON: path → text) under `target/fuzz-findings/`.
fn save(case: &Case, name: &str) -> PathBuf {
    let dir = findings_dir();
    let _ = std::fs::create_dir_all(&dir);
    let json: BTreeMap<&String, String> = case
        .iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(v).into_owned()))
        .collect();
    let path = dir.join(format!("{name}.json"));
    let _ = std::fs::write(
        &path,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    );
    path
}

fn load_corpus(dir: &Path) -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return cases;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for p in paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let files: BTreeMap<String, String> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        cases.push((
            name,
            files
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect(),
        ));
    }
    cases
}

/// What a run saw, and whether it must fail.
#[derive(Default)]
struct Report {
    cases: usize,
    built: usize,
    failures: Vec<String>,
    unescaped: Vec<String>,
    /// Findings by kind and element (`event handler attribute <span>`), for the summary.
    tally: BTreeMap<String, usize>,
}

impl Report {
    fn add(&mut self, label: &str, case: &Case, verdict: Verdict) {
        self.cases += 1;
        match verdict {
            Verdict::Ok { built, findings } => {
                self.built += usize::from(built);
                for f in &findings {
                    let tag: String = f
                        .snippet
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '>')
                        .collect();
                    *self.tally.entry(format!("{} {tag}>", f.kind)).or_default() += 1;
                }
                if let Some(f) = findings.first() {
                    let saved = save(case, &format!("unescaped-{label}"));
                    self.unescaped.push(format!(
                        "{label}: {} finding(s), first: {} in {}: {}\n    case saved as {}",
                        findings.len(),
                        f.kind,
                        f.file,
                        f.snippet.escape_debug(),
                        saved.display()
                    ));
                }
            }
            Verdict::Panicked(m) => {
                let saved = save(case, &format!("panic-{label}"));
                self.failures.push(format!(
                    "{label}: PANIC {m}\n    case saved as {}",
                    saved.display()
                ));
            }
            Verdict::Hung => {
                let saved = save(case, &format!("hang-{label}"));
                self.failures.push(format!(
                    "{label}: HANG (over {CASE_LIMIT:?})\n    case saved as {}",
                    saved.display()
                ));
            }
        }
    }

    /// Prints what was found, and fails on panics and hangs (and unescaped output, once
    /// `FAIL_ON_UNESCAPED_OUTPUT`).
    fn finish(self, what: &str) {
        println!("{what}: {} cases, {} built", self.cases, self.built);
        if !self.unescaped.is_empty() {
            let tally: Vec<String> = self
                .tally
                .iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect();
            println!("findings by kind: {}", tally.join(", "));
            println!(
                "FINDINGS ({} cases with unescaped output{}):\n  {}",
                self.unescaped.len(),
                if FAIL_ON_UNESCAPED_OUTPUT {
                    ""
                } else {
                    "; reported, not failing, until FAIL_ON_UNESCAPED_OUTPUT"
                },
                self.unescaped.join("\n  ")
            );
        }
        let mut failures = self.failures;
        if FAIL_ON_UNESCAPED_OUTPUT {
            failures.extend(self.unescaped);
        }
        assert!(failures.is_empty(), "{what}:\n  {}", failures.join("\n  "));
    }
}

#[test]
fn fuzz_the_build_with_hostile_sites() {
    let secs: u64 = std::env::var("PLAYBOOK_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let seed: u64 = std::env::var("PLAYBOOK_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("fuzz: seed {seed} (PLAYBOOK_FUZZ_SEED={seed} replays it), {secs} s");
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
    };
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut report = Report::default();
    let mut n = 0u64;
    while Instant::now() < deadline || n < 3 {
        let case = g.site((n % 3) as u8);
        let verdict = run_case(&case);
        let hung = matches!(verdict, Verdict::Hung);
        report.add(&format!("seed{seed}-case{n}"), &case, verdict);
        if hung {
            break;
        }
        n += 1;
    }
    report.finish("fuzz");
}

#[test]
fn the_corpus_of_past_findings_still_builds_safely() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus");
    let corpus = load_corpus(&dir);
    assert!(!corpus.is_empty(), "no corpus in {}", dir.display());
    let mut report = Report::default();
    for (name, case) in &corpus {
        let verdict = run_case(case);
        report.add(name.trim_end_matches(".json"), case, verdict);
    }
    report.finish("corpus");
}

// ---------------------------------------------------------------- the harness can fail

#[test]
fn the_checker_finds_script_handlers_and_script_urls_however_spelled() {
    let mut all = BTreeMap::new();
    all.insert("assets/theme.0123456789.js".to_string(), Vec::new());
    let bad = [
        ("<p>x<script>alert(1)</script></p>", "script element"),
        (
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            "script element",
        ),
        (
            "<script src=\"/assets/evil.js\"></script>",
            "script element",
        ),
        (
            "<script src=\"/assets/theme.0123456789.js\">alert(1)</script>",
            "inline script",
        ),
        ("<img src=x onerror=alert(1)>", "event handler attribute"),
        ("<div ONCLICK=\"x\">", "event handler attribute"),
        ("<svg><g onload=\"x\"></g></svg>", "event handler attribute"),
        ("<a href=\"javascript:alert(1)\">x</a>", "script URL"),
        ("<a href=\" JaVaScRiPt:alert(1)\">x</a>", "script URL"),
        ("<a href=\"java\tscript:alert(1)\">x</a>", "script URL"),
        ("<a href=\"&#106;avascript:alert(1)\">x</a>", "script URL"),
        (
            "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
            "script URL",
        ),
        (
            "<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>",
            "script URL",
        ),
        ("<form action=\"vbscript:x\"></form>", "script URL"),
        (
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "script URL",
        ),
    ];
    for (html, kind) in bad {
        let found = check_html("x.html", html.as_bytes(), &all);
        assert!(found.iter().any(|f| f.kind == kind), "{html}: {found:?}");
    }
    let good = "<!doctype html><html><head><script type=\"module\" src=\"/pd/assets/theme.0123456789.js\"></script></head>\
        <body data-on=\"x\"><p>&lt;script&gt;alert(1)&lt;/script&gt; onclick=x javascript:alert(1)</p>\
        <a href=\"/pd/lessons/\" title=\"javascript:\">x</a><pre><code>&lt;img onerror=x&gt;</code></pre>\
        <textarea>&lt;/textarea&gt;&lt;script&gt;</textarea></body></html>";
    assert_eq!(check_html("x.html", good.as_bytes(), &all), Vec::new());
}

#[test]
fn the_harness_reports_panics_and_hangs() {
    assert!(matches!(
        run_limited(Duration::from_secs(5), || 7),
        Outcome::Done(7)
    ));
    match run_limited(Duration::from_secs(5), || -> u8 { panic!("boom") }) {
        Outcome::Panicked(m) => assert_eq!(m, "boom"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        run_limited(Duration::from_millis(100), || std::thread::sleep(
            Duration::from_secs(2)
        )),
        Outcome::Hung
    ));
    let mut r = Report::default();
    r.add("hand-made", &Case::new(), Verdict::Panicked("boom".into()));
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| r.finish("hand-made")));
    assert!(failed.is_err(), "a report with a panic passed");
}

#[test]
fn the_default_site_has_no_findings() {
    // The checker on a real build with no hostile input finds nothing: every finding of the
    // fuzz runs comes from the input.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = build::build_in_memory(&build::Options::new(root), None)
        .unwrap_or_else(|f| panic!("{}", f.diags.to_plain_string()));
    assert_eq!(check_build(&built.files), Vec::new());
}
