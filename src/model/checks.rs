//! Checks that need more than one page: two pages at one address, and course, module and lesson
//! ids used twice (readers' progress is stored under them); and the nearest page to a mistyped
//! link.

use super::{Page, PageId, PageKind, Site};
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::HashMap;

/// Two pages may not be published at one address.
pub fn urls(site: &Site, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Page> = HashMap::new();
    for p in &site.pages {
        if let Some(other) = seen.insert(&p.url, p) {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` would both be published at `/{}`",
                    other.source.name, p.source.name, p.url
                ))
                .at(&p.source, 0..0)
                .hint("the number before the first dash is dropped from addresses, so `01-intro.md` and `02-intro.md` clash; rename one of the files, or give one a `slug:` of its own."),
            );
        }
    }
}

/// Course, module and lesson ids must be unique: readers' progress is stored under them.
pub fn stable_ids(site: &Site, diags: &mut Diagnostics) {
    let mut courses: HashMap<&str, &Page> = HashMap::new();
    let mut lesson_ids: HashMap<(Option<PageId>, &str), &Page> = HashMap::new();
    for p in &site.pages {
        let Some(id) = p.stable_id() else { continue };
        let clash = match p.kind {
            PageKind::Course => courses.insert(id, p),
            PageKind::Module | PageKind::CourseLesson | PageKind::Lesson => {
                let scope = if p.kind == PageKind::Lesson {
                    p.parent
                } else {
                    site.course_of(p.id).map(|c| c.id)
                };
                lesson_ids.insert((scope, id), p)
            }
            _ => None,
        };
        if let Some(first) = clash {
            diags.push(
                Diagnostic::error(format!("the id `{id}` is already used by `{}`", first.source.name))
                    .at(&p.source, p.id_at.clone())
                    .label("used twice")
                    .hint("give each course, module and lesson an id of its own; readers' progress is kept by id."),
            );
        }
    }
}

/// The file name of content path `rel` without its ordering number and extension
/// (`playbook/08-the-rubric.md` gives `the-rubric`).
fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let name = name.strip_suffix(".md").unwrap_or(name);
    crate::util::strip_order_prefix(name)
}

/// Suggests the page nearest to a mistyped link target `rel`: one whose file name is a typo
/// away (a few edits, or the same name with another ordering number or in a neighbouring
/// folder), never merely one in the same folder. Ties go to the same folder, then to the
/// first path in order, so the suggestion is the same on every run.
pub fn nearest_page<'a>(site: &'a Site, rel: &str) -> Option<&'a str> {
    let want = stem(rel);
    let want_dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
    let mut best: Option<(f64, bool, &str)> = None;
    for key in site.by_rel.keys() {
        let name_score = strsim::normalized_levenshtein(want, stem(key));
        if name_score < 0.75 {
            continue;
        }
        let same_dir = key.rsplit_once('/').map_or("", |(d, _)| d) == want_dir;
        let better = match best {
            None => true,
            Some((s, d, k)) => {
                name_score > s
                    || (name_score == s && (same_dir && !d || same_dir == d && key.as_str() < k))
            }
        };
        if better {
            best = Some((name_score, same_dir, key));
        }
    }
    best.map(|(_, _, k)| k)
}
