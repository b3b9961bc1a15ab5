//! Element ids of a page: the one character set an author's id may use, and unique ids made
//! in time linear in their number (the `-1`, `-2` suffix of a repeated heading is counted, not
//! searched for).

use std::collections::{HashMap, HashSet};

/// The longest id an author may give.
const MAX_ID: usize = 200;

/// Returns true if and only if `id` is 1 to 200 letters (any script), digits, `-`, `_`, `.` or
/// `:`, and so needs no escaping in an attribute, a URL fragment or a CSS selector by class.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The ids used in one page.
#[derive(Debug, Default)]
pub struct Ids {
    used: HashSet<String>,
    /// The next suffix to try for each id asked for more than once.
    next: HashMap<String, usize>,
}

impl Ids {
    pub fn with_reserved(reserved: &[&str]) -> Ids {
        Ids {
            used: reserved.iter().map(|s| s.to_string()).collect(),
            next: HashMap::new(),
        }
    }

    /// `wanted` if it is free, else `wanted-N` with the first free N; marks it used.
    pub fn unique(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section" } else { wanted };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let n = self.next.entry(base.to_string()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }

    /// Marks `id` used (an id the page gets from elsewhere, e.g. a footnote).
    pub fn insert(&mut self, id: String) {
        self.used.insert(id);
    }

    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// The ids used, without the reserved ones.
    pub fn into_set(mut self, reserved: &[&str]) -> HashSet<String> {
        for r in reserved {
            self.used.remove(*r);
        }
        self.used
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_made_unique() {
        assert!(valid_id("step-2"));
        assert!(valid_id("enseñanza"));
        assert!(!valid_id("x\"onmouseover=\"alert(10)"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(""));
        let mut ids = Ids::with_reserved(&["main"]);
        assert_eq!(ids.unique("main"), "main-1");
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a-1");
        ids.insert("a-2".into());
        assert_eq!(ids.unique("a"), "a-3");
    }

    #[test]
    fn a_hundred_thousand_equal_headings_take_linear_time() {
        let mut ids = Ids::default();
        for _ in 0..100_000 {
            ids.unique("same");
        }
        assert!(ids.contains("same-99999"));
    }
}
