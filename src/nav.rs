//! Navigation computed from the model: reading order (prev/next) within each collection and
//! across a course's module boundaries, breadcrumbs, and what each page's sidebar lists.
//!
//! A sidebar never lists more than [`SIDEBAR_LIMIT`] links: past that it shows the
//! neighbourhood of the current page (and, in a course, of the current module) and links to the
//! collection's contents page, so a collection of thousands of pages does not make every page
//! carry thousands of links.

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

/// What a page's sidebar lists, as pages of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sidebar {
    /// The collection (or course) the sidebar is the contents of.
    pub collection: PageId,
    /// The string-table key of the sidebar's name.
    pub label: &'static str,
    /// A list's entries (books, lessons).
    pub items: Vec<PageId>,
    /// A course's modules, each with the lessons shown under it.
    pub groups: Vec<(PageId, Vec<PageId>)>,
    /// Entries were left out; the sidebar links to the collection for all of them.
    pub truncated: bool,
    /// Entries in all (lessons of a course).
    pub total: usize,
}

impl Sidebar {
    /// The number of links the sidebar shows (its title's included).
    pub fn links(&self) -> usize {
        1 + self.items.len()
            + self
                .groups
                .iter()
                .map(|(_, ls)| 1 + ls.len())
                .sum::<usize>()
            + usize::from(self.truncated)
    }
}

/// The sidebar of page `id`, if its kind has one.
pub fn sidebar(site: &Site, nav: &Nav, id: PageId) -> Option<Sidebar> {
    let p = site.page(id);
    let list = |collection: PageId, label| {
        let c = site.page(collection);
        let (items, truncated) = window(&c.children, Some(id));
        Sidebar {
            collection,
            label,
            items: items.to_vec(),
            groups: Vec::new(),
            truncated,
            total: c.children.len(),
        }
    };
    match p.kind {
        PageKind::Chapter => p.parent.map(|b| list(b, "nav.book_contents")),
        PageKind::Lesson => p.parent.map(|b| list(b, "nav.lessons")),
        PageKind::Book => Some(list(id, "nav.book_contents")),
        PageKind::CourseLesson | PageKind::Module => site
            .course_of(id)
            .map(|c| course_sidebar(site, nav, c.id, id)),
        _ => None,
    }
}

/// A course's sidebar: its modules (a window of them around the current one, in a course of
/// many), the current module's lessons (a window too), and the others' lessons when the whole
/// course fits in [`SIDEBAR_LIMIT`] links.
fn course_sidebar(site: &Site, nav: &Nav, course: PageId, current: PageId) -> Sidebar {
    let c = site.page(course);
    let lessons = nav.course_lessons(course).len();
    let current_module = if site.page(current).kind == PageKind::Module {
        Some(current)
    } else {
        site.page(current).parent
    };
    let small = lessons + c.children.len() < SIDEBAR_LIMIT;
    let (modules, modules_cut) = window(&c.children, current_module);
    let groups: Vec<(PageId, Vec<PageId>)> = modules
        .iter()
        .map(|m| {
            let items = if small || Some(*m) == current_module {
                window(&site.page(*m).children, Some(current)).0.to_vec()
            } else {
                Vec::new()
            };
            (*m, items)
        })
        .collect();
    let mut sidebar = Sidebar {
        collection: course,
        label: "nav.course_contents",
        items: Vec::new(),
        groups,
        truncated: !small || modules_cut,
        total: lessons,
    };
    // A module of many lessons in a course of many modules: keep to the limit.
    while sidebar.links() > SIDEBAR_LIMIT && sidebar.groups.len() > 1 {
        let far = sidebar
            .groups
            .iter()
            .enumerate()
            .filter(|(_, (m, _))| Some(*m) != current_module)
            .max_by_key(|(i, _)| {
                let at = sidebar
                    .groups
                    .iter()
                    .position(|(m, _)| Some(*m) == current_module)
                    .unwrap_or(0);
                i.abs_diff(at)
            })
            .map(|(i, _)| i);
        match far {
            Some(i) => {
                sidebar.groups.remove(i);
            }
            None => break,
        }
    }
    sidebar
}

/// The pages above `id`, the home page first (not including `id`).
pub fn breadcrumbs(site: &Site, id: PageId) -> Vec<PageId> {
    if site.page(id).kind == PageKind::Home {
        return Vec::new();
    }
    let mut crumbs: Vec<PageId> = site.ancestors(id).map(|p| p.id).collect();
    crumbs.reverse();
    crumbs
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
    fn windows_keep_every_sidebar_within_the_limit() {
        // 70 modules of 3 lessons: the sidebar of a lesson in module 35.
        let mut spec = String::from(
            "//- content/index.md\n---\ntitle: H\n---\n//- content/c/_index.md\n---\ntitle: C\nkind: course\nid: c\n---\n",
        );
        for m in 0..70 {
            spec.push_str(&format!(
                "//- content/c/m{m:02}/_index.md\n---\ntitle: M{m}\nid: m{m}\n---\n"
            ));
            for l in 0..3 {
                spec.push_str(&format!("//- content/c/m{m:02}/l{l}.md\n---\ntitle: L\nid: l{m}-{l}\nduration_minutes: 5\nobjectives: [x]\n---\n"));
            }
        }
        let site = crate::model::fixture(&spec);
        let nav = Nav::compute(&site);
        for p in &site.pages {
            if let Some(s) = sidebar(&site, &nav, p.id) {
                assert!(
                    s.links() <= SIDEBAR_LIMIT,
                    "{} links in the sidebar of {}",
                    s.links(),
                    p.rel
                );
            }
        }
        let lesson = site.by_rel["c/m35/l1.md"];
        let s = sidebar(&site, &nav, lesson).unwrap();
        assert!(s.truncated);
        assert!(
            s.groups
                .iter()
                .any(|(m, ls)| *m == site.page(lesson).parent.unwrap() && ls.contains(&lesson))
        );
    }

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
