//! Checks that need every page of a variant rendered: each `#fragment` a page links to is an id
//! on the page it names, and each lesson has objectives (in its front matter or in an
//! `objectives` block of its text). Pure: reads the model and the rendered pages.

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::markdown::Rendered;
use crate::model::{Meta, PageId, PageKind, Site, Version};
use std::collections::HashSet;

/// Every `#fragment` a page links to must be an id on the target page. With `only`, checks
/// just the links from those pages and the links into them.
pub fn anchors(
    site: &Site,
    rendered: &[Rendered],
    only: Option<&HashSet<PageId>>,
    diags: &mut Diagnostics,
) {
    for (i, r) in rendered.iter().enumerate() {
        let page = &site.pages[i];
        let from_changed = only.is_none_or(|o| o.contains(&page.id));
        for a in &r.anchor_refs {
            if !from_changed && !only.is_some_and(|o| o.contains(&a.target)) {
                continue;
            }
            let target = &rendered[a.target.index()];
            if target.ids.contains(&a.fragment) {
                continue;
            }
            let target_page = site.page(a.target);
            let mut ids: Vec<&str> = target.ids.iter().map(String::as_str).collect();
            ids.sort_unstable();
            let hint = match did_you_mean(&a.fragment, ids.iter().copied()) {
                Some(near) => format!(
                    "did you mean `#{near}`? Heading anchors are the heading text in lowercase, with hyphens for spaces."
                ),
                None => {
                    let mut ids: Vec<&str> = target.outline.iter().map(|h| h.id.as_str()).collect();
                    ids.truncate(8);
                    if ids.is_empty() {
                        "that page has no headings to link to; link to the page without `#…`."
                            .to_string()
                    } else {
                        format!(
                            "that page's headings are: {}.",
                            ids.iter()
                                .map(|i| format!("#{i}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                }
            };
            diags.push(
                Diagnostic::error(format!(
                    "the link points to `#{}`, which `{}` does not have",
                    a.fragment, target_page.source.name
                ))
                .at(&page.source, a.range.clone())
                .label("no heading or element with this id")
                .hint(hint),
            );
        }
    }
}

/// A lesson needs objectives: in its front matter, or in an `objectives` block of its text.
pub fn objectives(
    site: &Site,
    rendered: &[Rendered],
    only: Option<&HashSet<PageId>>,
    diags: &mut Diagnostics,
) {
    for p in &site.pages {
        if only.is_some_and(|o| !o.contains(&p.id)) || p.version == Version::Fallback {
            continue;
        }
        let Meta::Lesson { objectives, .. } = &p.meta else {
            continue;
        };
        if !matches!(p.kind, PageKind::Lesson | PageKind::CourseLesson) {
            continue;
        }
        if objectives.is_empty() && rendered[p.id.index()].extras.objectives.trim().is_empty() {
            diags.push(
                Diagnostic::error("a lesson needs at least one learning objective")
                    .at(&p.source, p.yaml.start..p.yaml.start)
                    .hint("list what the reader will be able to do, one `- …` line each under `objectives:` in the front matter, or in an `::: objectives` block at the top of the text."),
            );
        }
    }
}
