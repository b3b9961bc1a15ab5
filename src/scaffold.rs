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

/// Starts a new site in `dir`: playbook.yaml, a home page and a book with one chapter.
pub fn init(dir: &Path) -> Result<()> {
    if dir.join("playbook.yaml").exists() {
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

/// Today's date as YYYY-MM-DD (UTC), from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
