//! The only stage that reads the site's sources: `playbook.yaml`, every Markdown file under
//! `content/`, the list of other files there (images, downloads) and under `static/`, and the
//! site's own theme files that override the built-in theme. What it returns is plain data;
//! every later stage is a pure function of it.

use crate::config::CONFIG_FILE;
use crate::diagnostics::{Diagnostic, Diagnostics, Source};
use crate::util::fs;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A Markdown file: its path relative to `content/` with `/` separators, and its text.
#[derive(Debug, Clone)]
pub struct ContentFile {
    pub rel: String,
    pub source: Source,
}

/// A file copied to the output as it is.
#[derive(Debug, Clone)]
pub struct AssetFile {
    /// Path relative to `content/` or `static/`, with `/` separators; also its output path.
    pub rel: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub root: PathBuf,
    pub content: Vec<ContentFile>,
    /// Non-Markdown files under `content/`, sorted by `rel`.
    pub assets: Vec<AssetFile>,
    /// Files under `static/`, sorted by `rel`.
    pub static_files: Vec<AssetFile>,
    /// The site's own theme files (`themes/<theme>/…`), keyed by path inside the theme.
    pub theme_files: BTreeMap<String, Vec<u8>>,
    /// The text of small files pages refer to (WebVTT captions and chapters), by their path
    /// relative to `content/` (or `/` and their path in `static/`).
    pub texts: std::collections::HashMap<String, String>,
    /// The site's own string tables (`i18n/<lang>.yaml` beside playbook.yaml), by language.
    pub i18n: BTreeMap<String, Source>,
}

/// Reads the Markdown files `md` (path relative to `content/`, path on disk) in parallel, in
/// their order; a file that cannot be read, or is not good text, is reported in `diags`.
///
/// Files named for a language (`why.es.md`) are read after the others, so that their text lies
/// in memory of its own: a build lets go of the other languages' text while it renders the
/// first, and the allocator can hand that memory back only where no page's text it keeps shares
/// it (read interleaved, a site in two languages kept 50 MiB more at 10,000 pages).
fn read_markdown(
    content: &str,
    md: &[(String, PathBuf)],
    diags: &mut Diagnostics,
) -> Vec<ContentFile> {
    let read_one = |(rel, path): &(String, PathBuf)| -> Result<(ContentFile, Vec<Diagnostic>)> {
        let name = format!("{content}/{rel}");
        let (text, problems) = decode(&name, fs::read(path)?);
        Ok((
            ContentFile {
                rel: rel.clone(),
                source: Source::new(name, text),
            },
            problems,
        ))
    };
    let (plain, named): (Vec<usize>, Vec<usize>) =
        (0..md.len()).partition(|&i| !names_a_language(&md[i].0));
    let mut read = Vec::with_capacity(md.len());
    for batch in [plain, named] {
        let got: Vec<_> = batch.par_iter().map(|&i| (i, read_one(&md[i]))).collect();
        read.extend(got);
    }
    read.sort_unstable_by_key(|(i, _)| *i);
    let mut files = Vec::with_capacity(read.len());
    for (_, r) in read {
        match r {
            Ok((f, problems)) => {
                files.push(f);
                for d in problems {
                    diags.push(d);
                }
            }
            Err(e) => diags.push(
                Diagnostic::error(format!("{e:#}"))
                    .hint("check that the file exists and can be read."),
            ),
        }
    }
    files
}

/// Returns true if and only if Markdown file `rel` looks named for a language (`why.es.md`,
/// `why.pt-BR.md`); which languages a site has is known only once its configuration is read,
/// and this only orders the reading.
fn names_a_language(rel: &str) -> bool {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    stem.rsplit_once('.').is_some_and(|(base, code)| {
        !base.ends_with('/')
            && (2..=8).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
    })
}

/// Reads the text files among `files` (captions and chapters) into `texts`, keyed by `key`
/// and their path (`name` and their path is what messages call them).
fn read_texts(
    files: &[AssetFile],
    name: &str,
    key: &str,
    texts: &mut std::collections::HashMap<String, String>,
    diags: &mut Diagnostics,
) -> Result<()> {
    for a in files.iter().filter(|a| is_text_asset(&a.rel)) {
        let (text, problems) = decode(&format!("{name}{}", a.rel), fs::read(&a.path)?);
        for d in problems {
            diags.push(d);
        }
        texts.insert(format!("{key}{}", a.rel), text);
    }
    Ok(())
}

/// Reads the site's string tables (`i18n/<lang>.yaml`), by language.
fn read_i18n(
    files: Vec<(String, PathBuf)>,
    diags: &mut Diagnostics,
) -> Result<BTreeMap<String, Source>> {
    let mut i18n = BTreeMap::new();
    for (rel, path) in files {
        if let Some(lang) = rel.strip_suffix(".yaml") {
            let name = format!("i18n/{rel}");
            let (text, problems) = decode(&name, fs::read(&path)?);
            for d in problems {
                diags.push(d);
            }
            i18n.insert(lang.to_string(), Source::new(name, text));
        }
    }
    Ok(i18n)
}

/// Files read as text for the Markdown stage: captions and chapters.
fn is_text_asset(rel: &str) -> bool {
    rel.ends_with(".vtt")
}

/// The text of a file read as `bytes`: a UTF-8 byte-order mark is dropped; bytes that are not
/// UTF-8, and control characters (other than tab and line breaks), are errors at their line and
/// column. The text is returned with the errors, so the rest of the file is still checked.
pub fn decode(name: &str, bytes: Vec<u8>) -> (String, Vec<Diagnostic>) {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let mut diags = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let source = Source::new(name, text.clone());
            let (line, col) =
                Source::new(name, String::from_utf8_lossy(&bytes[..good]).into_owned())
                    .line_col(good);
            let at = source.offset_of(line, col);
            diags.push(
                Diagnostic::error(format!("this file is not UTF-8 text: line {line}, column {col} holds a byte that is not"))
                    .at(&source, at..at + '\u{FFFD}'.len_utf8())
                    .label("not UTF-8")
                    .hint("save the file as UTF-8 (most editors offer it under \"Save with encoding\"); it was probably saved as Windows-1252 or Latin-1."),
            );
            return (text, diags);
        }
    };
    if let Some(d) = control_characters(name, &text) {
        diags.push(d);
    }
    (text, diags)
}

/// The first control character of `text` (other than tab, line feed and carriage return),
/// as an error at its line and column, with how many more there are.
fn control_characters(name: &str, text: &str) -> Option<Diagnostic> {
    let is_control = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{2028}' || c == '\u{2029}'
    };
    if !may_hold_control(text.as_bytes()) {
        return None;
    }
    let (at, c) = text.char_indices().find(|(_, c)| is_control(*c))?;
    let more = text[at + c.len_utf8()..]
        .chars()
        .filter(|c| is_control(*c))
        .count();
    let source = Source::new(name, text.to_string());
    let (line, col) = source.line_col(at);
    let what = if c == '\0' {
        "a NUL character".to_string()
    } else {
        format!("the control character U+{:04X}", u32::from(c))
    };
    Some(
        Diagnostic::error(format!(
            "line {line}, column {col} holds {what}{}",
            match more {
                0 => String::new(),
                1 => " (and the file holds 1 more)".into(),
                n => format!(" (and the file holds {n} more)"),
            }
        ))
        .at(&source, at..at + c.len_utf8())
        .label("invisible character")
        .hint("delete it: such characters are invisible in most editors, often come from copying out of a PDF or a word processor, and would reach readers' pages."),
    )
}

/// Whether UTF-8 `bytes` may hold a character `control_characters` looks for: a byte below
/// space other than tab and line breaks, DEL, the lead byte of U+0080–U+009F, or the bytes of
/// U+2028 and U+2029. One pass over bytes instead of decoding every character: every page of
/// every build goes through it, and almost none holds one.
fn may_hold_control(bytes: &[u8]) -> bool {
    // A quick look at a block of bytes at a time (no early exit, so the compiler makes it
    // vector code) for any byte that can start one, then the exact look only in such a block:
    // most text holds none, and a line break is no candidate.
    const BLOCK: usize = 64;
    bytes.chunks(BLOCK).enumerate().any(|(n, block)| {
        let candidate = block.iter().fold(0u8, |any, &b| {
            let low = (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r');
            any | u8::from(low | (b == 0x7F) | (b == 0xC2) | (b == 0xE2))
        });
        candidate != 0 && holds_control_at(bytes, n * BLOCK..n * BLOCK + block.len())
    })
}

/// Whether a character `control_characters` looks for starts at a byte of `bytes` in `range`.
fn holds_control_at(bytes: &[u8], range: std::ops::Range<usize>) -> bool {
    range.into_iter().any(|i| match bytes[i] {
        b'\t' | b'\n' | b'\r' => false,
        0..0x20 | 0x7F => true,
        0xC2 => matches!(bytes.get(i + 1), Some(0x80..=0x9F)),
        0xE2 => bytes.get(i + 1) == Some(&0x80) && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)),
        _ => false,
    })
}

/// Returns true if and only if a file or folder name is one the loader passes over: hidden
/// files and editors' backup and swap files.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.starts_with('#')
}

pub use crate::util::fs::is_inside;

/// The files under `dir` that the loader reads (see [`is_ignored`]), sorted, as paths relative
/// to `dir` with `/` separators. An entry that cannot be read is printed as a warning naming
/// it; [`load`] reports such entries as errors of the build instead (see [`walk`]).
pub fn walk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let (files, problems) = walk(dir);
    for p in problems {
        eprintln!("warning: {p}");
    }
    files
}

/// The files under `dir` as [`walk_files`] lists them, and a message for each entry that
/// could not be read. Links are followed only where they stay inside the site (`dir`'s
/// parent).
pub fn walk(dir: &Path) -> (Vec<(String, PathBuf)>, Vec<String>) {
    fs::walk_files(dir, dir.parent().unwrap_or(dir), is_ignored)
}

/// Reads `playbook.yaml` of the site at `root`.
pub fn read_config(root: &Path) -> Result<Source, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    if !fs::is_file(&path) {
        return Err(Diagnostic::error(format!("there is no `{CONFIG_FILE}` in `{}`", root.display())).hint(
            "run playbook from the folder of your site, point to it with `--root DIR`, or start a new site with `playbook init DIR`.",
        ));
    }
    let text = fs::read_to_string(&path).map_err(|e| Diagnostic::error(format!("{e:#}")))?;
    Ok(Source::new(CONFIG_FILE, text))
}

/// Reads the sources of the site at `root` whose theme is `theme`. A file that cannot be read
/// becomes a diagnostic and the others are still read; a missing `content/` is one too.
pub fn load(root: &Path, content: &str, theme: &str) -> Result<(Loaded, Diagnostics)> {
    let mut diags = Diagnostics::default();
    let content_dir = root.join(content);
    if !fs::is_dir(&content_dir) {
        diags.push(
            Diagnostic::error(format!(
                "there is no `content` folder in `{}`",
                root.display()
            ))
            .hint(
                "put the site's Markdown files in a folder named `content` beside playbook.yaml.",
            ),
        );
    }
    let mut walked = |dir: &Path| {
        let (files, problems) = walk(dir);
        for p in problems {
            diags.push(Diagnostic::error(p).hint(
                "check that the file or folder exists and that you may read it (its permissions), or move it out of the site.",
            ));
        }
        files
    };
    let content_files = walked(&content_dir);
    let static_walk = walked(&root.join("static"));
    let i18n_walk = walked(&root.join("i18n"));
    let theme_walk = walked(&root.join("themes").join(theme));
    let (md, other): (Vec<_>, Vec<_>) = content_files
        .into_iter()
        .partition(|(rel, _)| rel.ends_with(".md"));
    let content_files = read_markdown(content, &md, &mut diags);
    let to_assets = |v: Vec<(String, PathBuf)>| -> Vec<AssetFile> {
        v.into_iter()
            .map(|(rel, path)| AssetFile { rel, path })
            .collect()
    };
    let assets = to_assets(other);
    let static_files = to_assets(static_walk);
    let mut texts = std::collections::HashMap::new();
    read_texts(&assets, &format!("{content}/"), "", &mut texts, &mut diags)?;
    read_texts(&static_files, "static/", "/", &mut texts, &mut diags)?;
    let i18n = read_i18n(i18n_walk, &mut diags)?;
    let mut theme_files = BTreeMap::new();
    for (rel, path) in theme_walk {
        theme_files.insert(rel, fs::read(&path)?);
    }
    Ok((
        Loaded {
            root: root.to_path_buf(),
            content: content_files,
            assets,
            static_files,
            theme_files,
            texts,
            i18n,
        },
        diags,
    ))
}

#[cfg(test)]
mod tests {
    /// The byte check says yes for exactly the characters `control_characters` reports.
    #[test]
    fn the_byte_check_agrees_with_the_character_check_on_every_character() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let wanted = (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                || c == '\u{2028}'
                || c == '\u{2029}';
            let text = format!("a{c}b");
            assert_eq!(super::may_hold_control(text.as_bytes()), wanted, "{c:?}");
        }
    }

    /// A character found wherever it falls against the blocks of the quick look, its bytes
    /// split between two blocks too.
    #[test]
    fn the_byte_check_finds_a_character_across_blocks() {
        for c in ['\u{1}', '\u{7F}', '\u{85}', '\u{2028}'] {
            for at in 58..70 {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(80));
                assert!(super::may_hold_control(text.as_bytes()), "{c:?} at {at}");
            }
        }
        let text = format!("{}\u{2019}\u{A9}\n", "a".repeat(63));
        assert!(!super::may_hold_control(text.as_bytes()));
    }
}
