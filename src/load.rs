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
use walkdir::WalkDir;

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
}

/// Returns true if and only if a file or folder name is one the loader passes over: hidden
/// files and editors' backup and swap files.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.starts_with('#')
}

/// Returns true if and only if `path` (after following links) is a file or folder inside
/// `site`. A link may point anywhere inside the site, never outside it: otherwise a link in
/// `static/` would publish (and `serve` would serve) a file from elsewhere on the computer.
pub fn is_inside(site: &Path, path: &Path) -> bool {
    match (site.canonicalize(), path.canonicalize()) {
        (Ok(site), Ok(target)) => target.starts_with(site),
        _ => false,
    }
}

pub fn walk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let site = dir.parent().unwrap_or(dir);
    let inside = |path: &Path| is_inside(site, path);
    let mut files: Vec<(String, PathBuf)> = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || (!is_ignored(&e.file_name().to_string_lossy())
                    && (!e.path_is_symlink() || inside(e.path())))
        })
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect();
    files.sort();
    files
}

/// Reads `playbook.yaml` of the site at `root`.
pub fn read_config(root: &Path) -> Result<Source, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    if !path.is_file() {
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
    if !content_dir.is_dir() {
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
    let (md, other): (Vec<_>, Vec<_>) = walk_files(&content_dir)
        .into_iter()
        .partition(|(rel, _)| rel.ends_with(".md"));
    let read: Vec<Result<ContentFile>> = md
        .par_iter()
        .map(|(rel, path)| {
            let text = fs::read_to_string(path)?;
            Ok(ContentFile {
                rel: rel.clone(),
                source: Source::new(format!("{content}/{rel}"), text),
            })
        })
        .collect();
    let mut content = Vec::with_capacity(read.len());
    for r in read {
        match r {
            Ok(f) => content.push(f),
            Err(e) => diags.push(
                Diagnostic::error(format!("{e:#}"))
                    .hint("check that the file is text saved as UTF-8."),
            ),
        }
    }
    let to_assets = |v: Vec<(String, PathBuf)>| {
        v.into_iter()
            .map(|(rel, path)| AssetFile { rel, path })
            .collect()
    };
    let assets = to_assets(other);
    let static_files = to_assets(walk_files(&root.join("static")));
    let mut theme_files = BTreeMap::new();
    for (rel, path) in walk_files(&root.join("themes").join(theme)) {
        theme_files.insert(rel, fs::read(&path)?);
    }
    Ok((
        Loaded {
            root: root.to_path_buf(),
            content,
            assets,
            static_files,
            theme_files,
        },
        diags,
    ))
}
