//! The render-and-write floor: `playbook-floor SITE OUT`.
//!
//! Reads every `.md` file under `SITE/content`, skips its front matter (`---` … `---`), renders
//! the body with pulldown-cmark and the options playbook uses (`markdown::options()` in
//! playbook's `src/markdown.rs`), wraps it in a minimal HTML document and writes one
//! `index.html` per page (`a/0001-b.md` → `OUT/a/0001-b/index.html`; `index.md` and
//! `_index.md` → their folder's `index.html`), in parallel with rayon. No templates, no
//! highlighting, no links checked, no search index, no print views: the least any generator
//! must do with the same Markdown, as a yardstick for the others.
use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::{env, fs, process};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// The body after a leading `---` front matter block (the whole text when there is none).
fn body(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else { return text };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}

/// The title from the front matter's `title:` line, for the page's `<title>`.
fn title(text: &str) -> &str {
    let front = &text[..text.len() - body(text).len()];
    front
        .lines()
        .find_map(|l| l.strip_prefix("title:"))
        .map(|t| t.trim().trim_matches('"'))
        .unwrap_or("")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn page(content: &Path, out: &Path, file: &Path) -> std::io::Result<()> {
    let text = fs::read_to_string(file)?;
    let rel = file.strip_prefix(content).unwrap().with_extension("");
    let dir = match rel.file_name().and_then(|n| n.to_str()) {
        Some("index" | "_index") => out.join(rel.parent().unwrap()),
        _ => out.join(&rel),
    };
    let md = body(&text);
    let mut html_out = String::with_capacity(md.len() * 3 / 2 + 256);
    html_out.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    html_out.push_str(&escape(title(&text)));
    html_out.push_str("</title></head><body><main>\n");
    html::push_html(&mut html_out, Parser::new_ext(md, options()));
    html_out.push_str("</main></body></html>\n");
    fs::create_dir_all(&dir)?;
    fs::write(dir.join("index.html"), html_out)
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: playbook-floor SITE OUT");
        process::exit(2);
    }
    let content = Path::new(&args[1]).join("content");
    let out = PathBuf::from(&args[2]);
    let mut files = Vec::new();
    if let Err(e) = markdown_files(&content, &mut files) {
        eprintln!("{}: {e}", content.display());
        process::exit(1);
    }
    let failed: Vec<String> = files
        .par_iter()
        .filter_map(|f| page(&content, &out, f).err().map(|e| format!("{}: {e}", f.display())))
        .collect();
    if !failed.is_empty() {
        eprintln!("{}", failed.join("\n"));
        process::exit(1);
    }
    eprintln!("floor: {} pages written to {}", files.len(), out.display());
}
