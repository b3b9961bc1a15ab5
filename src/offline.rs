//! Offline reading: what the build tells the service worker (`themes/default/static/sw.js`).
//! The worker is written at the site's root (`<base>sw.js`, never content-hashed: its scope is
//! the base path, and browsers re-check that one URL on navigation). Its first
//! `const SETTINGS = …;` line is replaced with this site's [`Settings`]: a version that changes
//! with any output file (so any change to the site changes the worker's bytes and browsers
//! install the new one), and the files to keep on the device from the start.
//!
//! Pure: takes fingerprints and names, returns bytes; `build` decides when, `output` writes.

use crate::diagnostics::Diagnostic;
use serde::Serialize;
use std::io::Read;

/// The worker's path under the base path.
pub const WORKER_FILE: &str = "sw.js";
/// The page the worker shows for a page not saved, when the network is out of reach.
pub const OFFLINE_PAGE: &str = "offline.html";
/// The whole search index is kept on the device from the first visit when its files add up to
/// at most this many bytes (they are gzipped already): about the index of 500 pages. Above it,
/// only the manifest is, and shards and fragments are kept as searches use them.
pub const PRECACHE_SEARCH_BYTES: usize = 1536 * 1024;
/// What the theme's worker must start its settings line with.
const SETTINGS_LINE: &str = "const SETTINGS = ";

/// The settings the worker is built with (serialised into its `SETTINGS` line).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Settings {
    /// Names this build's cache; `off` when offline reading is off.
    pub version: String,
    /// False: the worker removes its caches and unregisters itself (`offline: false`, `serve`).
    pub enabled: bool,
    /// URL path of the offline page.
    pub offline: String,
    /// URL paths fetched when the worker installs, so they are there after the first visit.
    pub precache: Vec<String>,
}

impl Settings {
    /// The settings of a worker that cleans up after itself: for `offline: false`, so readers
    /// who had the worker lose it and its caches at their next visit.
    pub fn off() -> Settings {
        Settings {
            version: "off".into(),
            enabled: false,
            offline: String::new(),
            precache: Vec::new(),
        }
    }
}

/// The version of a build: a hash over the path and content hash of every output file except
/// the worker and the folders of older editions, which stand in by their cache key (it decides
/// whether they are rendered again, so it changes whenever their output would). Equal outputs
/// give equal versions, whether an older edition was rendered or carried over.
pub fn version(files: &[(String, blake3::Hash)], older: &[(String, String)]) -> String {
    let mut files: Vec<&(String, blake3::Hash)> = files
        .iter()
        .filter(|(rel, _)| {
            rel != WORKER_FILE
                && !older
                    .iter()
                    .any(|(name, _)| rel.starts_with(&format!("editions/{name}/")))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = blake3::Hasher::new();
    for (rel, hash) in files {
        h.update(rel.as_bytes());
        h.update(&[0]);
        h.update(hash.as_bytes());
    }
    for (name, key) in older {
        h.update(b"\x01edition\0");
        h.update(name.as_bytes());
        h.update(&[0]);
        h.update(key.as_bytes());
    }
    h.finalize().to_hex()[..16].to_string()
}

/// What the worker needs to know of the search index: its build id (fragments are asked for
/// with `?b=BUILD`) and its files' names and sizes. Made before the index's bytes are let go.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    /// `None` when the site has no search index (an archived edition).
    pub build: Option<String>,
    /// Output path (`search/t/…`) and gzipped size of every file of the index.
    pub files: Vec<(String, usize)>,
}

impl SearchIndex {
    pub fn of(search_files: &[(String, bytes::Bytes)]) -> SearchIndex {
        SearchIndex {
            build: search_build(search_files),
            files: search_files
                .iter()
                .map(|(rel, b)| (rel.clone(), b.len()))
                .collect(),
        }
    }
}

/// What the worker fetches when it installs, as URL paths under `base`: the theme's hashed
/// assets (`assets`: logical name to URL), the offline page, "My learning" and the course list
/// it reads, the search page and manifest, and, when the index is small
/// ([`PRECACHE_SEARCH_BYTES`]), every shard and fragment (fragments with the `?b=` build id
/// `search.js` asks for them with).
pub fn precache<'a>(
    base: &str,
    assets: impl IntoIterator<Item = &'a String>,
    search: &SearchIndex,
) -> Vec<String> {
    let mut list: Vec<String> = assets.into_iter().cloned().collect();
    list.push(format!("{base}{OFFLINE_PAGE}"));
    list.push(format!("{base}my-learning/"));
    list.push(format!("{base}courses.json"));
    if let Some(build) = &search.build {
        list.push(format!("{base}search/"));
        list.push(format!("{base}search/index.json.gz"));
        let total: usize = search.files.iter().map(|(_, size)| size).sum();
        if total <= PRECACHE_SEARCH_BYTES {
            for (rel, _) in &search.files {
                if rel.starts_with("search/t/") {
                    list.push(format!("{base}{rel}"));
                } else if rel.starts_with("search/f/") {
                    list.push(format!("{base}{rel}?b={build}"));
                }
            }
        }
    }
    list.sort();
    list.dedup();
    list
}

/// The build id in the search manifest (`search/index.json.gz`), which `search.js` adds to
/// fragment URLs; `None` when the site has no search index.
fn search_build(search_files: &[(String, bytes::Bytes)]) -> Option<String> {
    let (_, gz) = search_files
        .iter()
        .find(|(rel, _)| rel == "search/index.json.gz")?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut json)
        .ok()?;
    let manifest: serde_json::Value = serde_json::from_slice(&json).ok()?;
    Some(manifest.get("build")?.as_str()?.to_string())
}

/// The worker's source with its settings line replaced by `settings`. `theme` names the theme
/// in the error for a site's own `sw.js` without the line.
pub fn worker(source: &[u8], settings: &Settings, theme: &str) -> Result<Vec<u8>, Diagnostic> {
    let missing = || {
        Diagnostic::error(format!(
            "the service worker `themes/{theme}/static/sw.js` has no line starting with `{SETTINGS_LINE}`"
        ))
        .hint("the build writes the site's version and the files to keep offline into that line: start a line with `const SETTINGS = {};`, or remove your `sw.js` to use the built-in one.")
    };
    let text = std::str::from_utf8(source).map_err(|_| missing())?;
    let start = text
        .match_indices(SETTINGS_LINE)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
        .ok_or_else(missing)?;
    let end = text[start..].find('\n').map_or(text.len(), |e| start + e);
    let json = serde_json::to_string(settings).unwrap_or_else(|_| "{}".into());
    Ok(format!("{}{SETTINGS_LINE}{json};{}", &text[..start], &text[end..]).into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_line_is_replaced_and_nothing_else() {
        let src = b"// top\nconst SETTINGS = {\"version\":\"unbuilt\"};\nconst X = 1;\n";
        let out = worker(src, &Settings::off(), "default").unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "// top\nconst SETTINGS = {\"version\":\"off\",\"enabled\":false,\"offline\":\"\",\"precache\":[]};\nconst X = 1;\n"
        );
        assert!(worker(b"self.x = 1;\n", &Settings::off(), "mine").is_err());
    }

    #[test]
    fn the_version_ignores_the_worker_and_older_editions_files() {
        let h = |s: &str| blake3::hash(s.as_bytes());
        let older = vec![("2025".to_string(), "k1".to_string())];
        let a = vec![
            ("index.html".to_string(), h("a")),
            ("sw.js".to_string(), h("x")),
        ];
        let b = vec![
            ("sw.js".to_string(), h("y")),
            ("editions/2025/index.html".to_string(), h("z")),
            ("index.html".to_string(), h("a")),
        ];
        assert_eq!(version(&a, &older), version(&b, &older));
        let c = vec![("index.html".to_string(), h("b"))];
        assert_ne!(version(&a, &older), version(&c, &older));
        let newer = vec![("2025".to_string(), "k2".to_string())];
        assert_ne!(version(&a, &older), version(&a, &newer));
    }
}
