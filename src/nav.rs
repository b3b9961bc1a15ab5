//! Navigation computed once per build from the model: reading order (prev/next) within each
//! collection and across a course's module boundaries, and the windows of sidebar entries.
//!
//! A sidebar never lists more than [`SIDEBAR_LIMIT`] entries: past that it shows the
//! neighbourhood of the current page and links to the collection's contents page, so a
//! collection of thousands of pages does not make every page carry thousands of links.

use crate::model::{PageId, PageKind, Site};

/// Sidebars list at most this many entries before they show a window instead.
pub const SIDEBAR_LIMIT: usize = 60;
/// Entries shown on each side of the current page in a windowed sidebar.
pub const WINDOW: usize = 12;

pub struct Nav {
    prev: Vec<Option<PageId>>,
    next: Vec<Option<PageId>>,
    /// For each course, its lessons in reading order.
    course_order: std::collections::HashMap<PageId, Vec<PageId>>,
}

impl Nav {
    pub fn compute(site: &Site) -> Nav {
        let n = site.pages.len();
        let mut nav = Nav {
            prev: vec![None; n],
            next: vec![None; n],
            course_order: Default::default(),
        };
        for p in &site.pages {
            let sequence: Option<Vec<PageId>> = match p.kind {
                PageKind::Book | PageKind::Lessons | PageKind::Articles => Some(p.children.clone()),
                PageKind::Course => {
                    let order = site.course_lessons(p.id);
                    nav.course_order.insert(p.id, order.clone());
                    Some(order)
                }
                _ => None,
            };
            if let Some(seq) = sequence {
                for w in seq.windows(2) {
                    nav.next[w[0].index()] = Some(w[1]);
                    nav.prev[w[1].index()] = Some(w[0]);
                }
            }
        }
        nav
    }

    pub fn prev(&self, id: PageId) -> Option<PageId> {
        self.prev[id.index()]
    }

    pub fn next(&self, id: PageId) -> Option<PageId> {
        self.next[id.index()]
    }

    pub fn course_lessons(&self, course: PageId) -> &[PageId] {
        self.course_order.get(&course).map_or(&[], Vec::as_slice)
    }
}

/// The entries of `items` a sidebar shows around `current`: all of them when there are at most
/// [`SIDEBAR_LIMIT`], else a window around `current` (or the start). The flag says whether
/// entries were left out.
pub fn window(items: &[PageId], current: Option<PageId>) -> (&[PageId], bool) {
    if items.len() <= SIDEBAR_LIMIT {
        return (items, false);
    }
    let pos = current
        .and_then(|c| items.iter().position(|&i| i == c))
        .unwrap_or(0);
    let start = pos.saturating_sub(WINDOW);
    let end = (pos + WINDOW + 1).min(items.len());
    (&items[start..end], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_windowed_around_the_current_page() {
        let items: Vec<PageId> = (0..1000).map(PageId).collect();
        let (w, cut) = window(&items, Some(PageId(500)));
        assert!(cut);
        assert_eq!(w.len(), 2 * WINDOW + 1);
        assert_eq!(w[WINDOW], PageId(500));
        let (w, cut) = window(&items[..10], Some(PageId(3)));
        assert!(!cut);
        assert_eq!(w.len(), 10);
        let (w, _) = window(&items, Some(PageId(0)));
        assert_eq!(w[0], PageId(0));
    }
}
