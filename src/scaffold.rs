//! `playbook init` and `playbook new`: write a new site, or a new page with its front matter
//! filled in. Refuses to overwrite anything.

use crate::util::{fs, strip_order_prefix};
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy)]
pub enum NewKind {
    Chapter,
    Monograph,
    Lesson,
    Course,
    Module,
    CourseLesson,
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if fs::exists(path) {
        bail!(
            "`{}` already exists; nothing was changed\n  hint: choose another name, or edit the existing file",
            path.display()
        );
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, text.as_bytes())
}

/// Starts a district copy of the site at `from` in `dir`: its sources (playbook.yaml, content,
/// static files, theme, editions) are copied, and playbook.yaml gets a `brand:` section to
/// fill in. The built output and anything else in `from` are left behind.
pub fn init_from(from: &Path, dir: &Path) -> Result<()> {
    let config = from.join(crate::config::CONFIG_FILE);
    if !fs::is_file(&config) {
        bail!(
            "`{}` is not a playbook site (it has no playbook.yaml)\n  hint: give the folder of the site to copy",
            from.display()
        );
    }
    if fs::exists(&dir.join(crate::config::CONFIG_FILE)) {
        bail!(
            "`{}` already holds a site (it has a playbook.yaml)\n  hint: choose a new folder name",
            dir.display()
        );
    }
    for sub in ["content", "static", "themes", "versions"] {
        for (rel, path) in crate::load::walk_files(&from.join(sub)) {
            let to = dir.join(sub).join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(&path, &to)?;
        }
    }
    let text = fs::read_to_string(&config)?;
    let brand = if text.lines().any(|l| l.starts_with("brand:")) {
        String::new()
    } else {
        "\n# Your organization's name, logo (a file in static/), colours, contact and links.\n# Colours are checked for readable contrast when the site is built.\nbrand:\n  organization: Your district\n  # logo: logo.svg\n  # accent: \"#0a4fc2\"\n  # accent_dark: \"#8ab8ff\"\n  # contact: pd@district.example\n  footer_links: []\n".to_string()
    };
    write_new(
        &dir.join(crate::config::CONFIG_FILE),
        &format!("{}\n{brand}", text.trim_end()),
    )?;
    if !fs::exists(&dir.join(".gitignore")) {
        write_new(&dir.join(".gitignore"), "/public\n")?;
    }
    Ok(())
}

/// Starts a new site in `dir`: playbook.yaml, a home page and a book with one chapter.
pub fn init(dir: &Path) -> Result<()> {
    if fs::exists(&dir.join("playbook.yaml")) {
        bail!(
            "`{}` already holds a site (it has a playbook.yaml)\n  hint: choose a new folder name",
            dir.display()
        );
    }
    let name = dir
        .file_name()
        .map_or_else(|| "My site".into(), |n| n.to_string_lossy().into_owned());
    write_new(
        &dir.join("playbook.yaml"),
        &format!(
            "title: {}\ndescription: Guides and courses for educators.\nbase_url: /\nlanguage: en\n",
            title_from(&name)
        ),
    )?;
    write_new(
        &dir.join("content/index.md"),
        "---\ntitle: Welcome\n---\n\nThis site was started with `playbook init`. Read [the guide](guide/_index.md) to begin.\n",
    )?;
    write_new(
        &dir.join("content/guide/_index.md"),
        "---\ntitle: The guide\nkind: book\n---\n\nA book of chapters, read in order.\n",
    )?;
    write_new(
        &dir.join("content/guide/01-getting-started.md"),
        "---\ntitle: Getting started\n---\n\n## Writing pages\n\nEach chapter is a Markdown file. Its number orders it in the book.\n",
    )?;
    write_new(&dir.join(".gitignore"), "/public\n")?;
    Ok(())
}

fn title_from(stem: &str) -> String {
    let words = strip_order_prefix(stem).replace(['-', '_'], " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Untitled".into(),
    }
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Creates a page (or for courses and modules, a folder with its `_index.md`) at `path`.
/// Returns the file written.
pub fn new_page(kind: NewKind, path: &Path, title: Option<&str>) -> Result<PathBuf> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = yaml_string(&title.map_or_else(|| title_from(&stem), str::to_string));
    let id = crate::util::slugify(strip_order_prefix(&stem));
    let today = today();
    let (file, text) = match kind {
        NewKind::Chapter => (
            path.to_path_buf(),
            format!("---\ntitle: {title}\n---\n\n## First section\n\n"),
        ),
        NewKind::Monograph => (
            path.to_path_buf(),
            format!(
                "---\ntitle: {title}\ndate: {today}\nauthors:\n  - name: Research Team\n    role: Author\n    place: City, State\ndescription: One sentence on what this report finds.\n---\n\n## Summary\n\n"
            ),
        ),
        NewKind::Lesson => (
            path.to_path_buf(),
            format!(
                "---\ntitle: {title}\nduration_minutes: 20\nobjectives:\n  - Name one thing a reader will be able to do\n---\n\n## Introduction\n\n```reflection\nprompt: A question for the reader to think about.\n```\n"
            ),
        ),
        NewKind::Course => (
            path.join("_index.md"),
            format!(
                "---\ntitle: {title}\nkind: course\nid: {id}\ndescription: Who the course is for and what it offers.\ncomplete_on: manual\npass_mark: 80\n---\n\nAdd modules as folders: `playbook new module {}/01-first-module`.\n",
                path.display()
            ),
        ),
        NewKind::Module => (
            path.join("_index.md"),
            format!("---\ntitle: {title}\nid: {id}\ndescription: What this module covers.\n---\n"),
        ),
        NewKind::CourseLesson => (
            path.to_path_buf(),
            format!(
                "---\ntitle: {title}\nid: {id}\nduration_minutes: 20\nobjectives:\n  - Name one thing a learner will be able to do\n---\n\n## Introduction\n\n```quiz\nquestions:\n  - prompt: A question that checks understanding\n    choices:\n      - text: The right answer\n        correct: true\n        feedback: Why it is right.\n      - text: A wrong answer\n        feedback: Why it is not.\n```\n"
            ),
        ),
    };
    if matches!(
        kind,
        NewKind::Chapter | NewKind::Monograph | NewKind::Lesson | NewKind::CourseLesson
    ) && path.extension().is_none_or(|e| e != "md")
    {
        bail!(
            "`{}` should be a Markdown file\n  hint: end the name with `.md`, e.g. `content/playbook/09-next-steps.md`",
            path.display()
        );
    }
    write_new(&file, &text)?;
    Ok(file)
}

/// Today's date as YYYY-MM-DD where the author is (the system's time zone): near midnight the
/// UTC date would be another day.
fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

/// `playbook version cut NAME`: freezes `content/` as edition NAME under `versions/NAME/` and
/// lists it first under `editions:` in playbook.yaml (a text edit that keeps the author's
/// comments and layout). On any failure nothing is left changed.
pub fn cut_edition(root: &Path, name: &str, label: Option<&str>) -> Result<PathBuf> {
    if !crate::model::is_valid_id(name) {
        bail!(
            "`{name}` cannot be used as an edition name\n  hint: use a year or lowercase letters, digits and hyphens, e.g. `2025`"
        );
    }
    let config_path = root.join(crate::config::CONFIG_FILE);
    let original = fs::read_to_string(&config_path)?;
    let dest = root.join("versions").join(name);
    if fs::exists(&dest) {
        bail!(
            "`{}` already exists: edition `{name}` was cut before\n  hint: choose another name, or delete that folder first",
            dest.display()
        );
    }
    let source = crate::diagnostics::Source::new(crate::config::CONFIG_FILE, original.clone());
    let config = crate::config::Config::parse(&source, None).map_err(|d| {
        anyhow::anyhow!(
            "playbook.yaml has an error; fix it first:\n{}",
            d.to_plain_string()
        )
    })?;
    if config.editions.iter().any(|e| e.name == name) {
        bail!("playbook.yaml already lists an edition `{name}`\n  hint: choose another name");
    }
    let files = crate::load::walk_files(&root.join("content"));
    if files.is_empty() {
        bail!("there is nothing in `content/` to freeze");
    }
    let label = label.map_or_else(|| format!("{name} edition"), str::to_string);
    let entry = format!("  - name: \"{name}\"\n    label: {}\n", yaml_string(&label));
    let updated = match original
        .lines()
        .position(|l| l.trim_end() == "editions:" || l.trim_end() == "editions: []")
    {
        Some(i) => {
            let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
            lines[i] = "editions:".into();
            lines.insert(i + 1, entry.trim_end().to_string());
            lines.join("\n") + "\n"
        }
        None => format!(
            "{}\n# Older editions, newest first (made with `playbook version cut`).\neditions:\n{entry}",
            original.trim_end()
        ),
    };
    let check = crate::diagnostics::Source::new(crate::config::CONFIG_FILE, updated.clone());
    if let Err(d) = crate::config::Config::parse(&check, None) {
        bail!(
            "could not add the edition to playbook.yaml:\n{}",
            d.to_plain_string()
        );
    }
    let copied: Result<()> = (|| {
        for (rel, path) in &files {
            let to = dest.join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(path, &to)?;
        }
        fs::write(&config_path, updated.as_bytes())
    })();
    if let Err(e) = copied {
        let _ = fs::remove_dir_all_if_exists(&dest);
        let _ = fs::write(&config_path, original.as_bytes());
        return Err(e);
    }
    Ok(dest)
}

/// Records in each translation file of `files` which version of its page it translates (the
/// `translation:` block of its front matter), so that `check` can tell when the page changes.
/// Returns the files marked. A file that is not a translation of a page is an error.
pub fn mark_translations(root: &Path, files: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let source = crate::diagnostics::Source::new(
        crate::config::CONFIG_FILE,
        fs::read_to_string(&root.join(crate::config::CONFIG_FILE))?,
    );
    let config = crate::config::Config::parse(&source, None).map_err(|d| {
        anyhow::anyhow!(
            "playbook.yaml has an error; fix it first:\n{}",
            d.to_plain_string()
        )
    })?;
    let codes: Vec<String> = config.languages.iter().map(|l| l.code.clone()).collect();
    let mut done = Vec::new();
    for file in files {
        let (key, lang) =
            crate::model::files::key_of(&file.to_string_lossy().replace('\\', "/"), &codes);
        let Some(lang) = lang.filter(|l| l != config.default_language()) else {
            bail!(
                "`{}` is not a translation\n  hint: a translation is named after the page it translates with its language before `.md`, e.g. `01-why.es.md` (the site's languages: {})",
                file.display(),
                codes.join(", ")
            );
        };
        let page = PathBuf::from(&key);
        if !fs::is_file(&page) {
            bail!(
                "`{}` translates `{}`, which does not exist",
                file.display(),
                page.display()
            );
        }
        let page_text = fs::read_to_string(&page)?;
        let Some(fp) = crate::translations::fingerprint(&crate::diagnostics::Source::new(
            key.clone(),
            page_text,
        )) else {
            bail!("`{}` has no front matter to read", page.display());
        };
        let text = fs::read_to_string(file)?;
        let Some(marked) = crate::translations::marked(&text, &fp) else {
            bail!(
                "`{}` has no front matter to mark\n  hint: a translation starts with `---`, `title: …` ({lang}), then `---`",
                file.display()
            );
        };
        if marked != text {
            fs::write(file, marked.as_bytes())?;
        }
        done.push(file.clone());
    }
    Ok(done)
}
