//! Fixture sites written as strings: `//- path` starts a file. A site without its own
//! `playbook.yaml` gets a minimal one, and one without `content/index.md` gets a home page.

#![allow(dead_code)]

use playbook::build::{self, Target};
use std::path::{Path, PathBuf};

pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn build(&self) -> Result<build::Built, build::Failed> {
        self.build_with(Some("https://district.example/pd/playbook/"))
    }

    pub fn build_with(&self, base_url: Option<&str>) -> Result<build::Built, build::Failed> {
        let opts = build::Options {
            root: self.root().to_path_buf(),
            base_url: base_url.map(str::to_string),
            drafts: false,
            progress: false,
            live: false,
        };
        build::build(&opts, Target::Dir(&self.out()))
    }

    /// Every output file, relative to the output folder, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(self.out())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(self.out())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        v.sort();
        v
    }
}

pub fn site(spec: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let site = Site { dir };
    let mut current: Option<(String, String)> = None;
    let mut files = Vec::new();
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            if let Some(f) = current.take() {
                files.push(f);
            }
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
            text.push('\n');
        }
    }
    files.extend(current);
    if !files.iter().any(|(p, _)| p == "playbook.yaml") {
        site.write(
            "playbook.yaml",
            "title: Test site\ndescription: A fixture.\nbase_url: /\nlanguage: en\n",
        );
    }
    if !files.iter().any(|(p, _)| p == "content/index.md") {
        site.write("content/index.md", "---\ntitle: Home\n---\nWelcome.\n");
    }
    for (p, t) in files {
        site.write(&p, &t);
    }
    site
}

/// Builds `spec` and returns its diagnostics as plain text; panics if the build succeeded
/// without any.
pub fn errors(spec: &str) -> String {
    let s = site(spec);
    match s.build() {
        Ok(b) if !b.diags.is_empty() => b.diags.to_plain_string(),
        Ok(_) => panic!("the build succeeded without diagnostics"),
        Err(f) => f.diags.to_plain_string(),
    }
}

pub fn built(spec: &str) -> Site {
    let s = site(spec);
    if let Err(f) = s.build() {
        panic!("build failed:\n{}", f.diags.to_plain_string());
    }
    s
}

/// The bytes gzip `bytes` holds (a search index file, a served response).
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip data");
    out
}
