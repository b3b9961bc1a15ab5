//! Ranking data: each (term, page)'s field-weighted BM25 score, with a page's prior for its kind.

use super::PageTerms;
use crate::model::{PageKind, Site};

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A title containing the term adds this many times the term's idf to the page's score.
const TITLE_BOOST: f64 = 1.5;

/// How much a page's own score counts: a page that lists others (the home page, a collection,
/// a course, a module) names what its pages are about in their titles and descriptions, so
/// without this it would rank above the page that answers.
pub const LISTING_PRIOR: f64 = 0.6;

/// The factor of a page's score for its kind ([`LISTING_PRIOR`] for pages that list others).
pub fn prior(kind: PageKind) -> f64 {
    if kind.is_index() || kind == PageKind::Home {
        LISTING_PRIOR
    } else {
        1.0
    }
}

/// The BM25 score of every (term, page) of the index, and the highest of them.
pub(super) struct Scores {
    /// Per term id, `(page, score)` in page order. Kept as f32 (one byte of impact is written in
    /// the end): the lists hold millions of postings on a large site.
    pub postings: Vec<Vec<(u32, f32)>>,
    pub max: f64,
}

/// The scores of the pages' counted `terms` (`None` for pages left out of search), over a
/// vocabulary of `words` terms.
pub(super) fn bm25(site: &Site, terms: &[Option<PageTerms>], words: usize) -> Scores {
    // Document frequencies and the average length.
    let mut df: Vec<u32> = vec![0; words];
    let (mut total_len, mut docs) = (0.0f64, 0usize);
    for t in terms.iter().flatten() {
        docs += 1;
        total_len += f64::from(t.length);
        for (id, _) in &t.terms {
            df[*id as usize] += 1;
        }
    }
    let avgdl = if docs == 0 {
        1.0
    } else {
        total_len / docs as f64
    };
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); words];
    let mut max_score: f64 = 0.0;
    for (page, t) in terms.iter().enumerate() {
        let Some(t) = t else { continue };
        let norm = K1 * (1.0 - B + B * f64::from(t.length) / avgdl);
        let prior = prior(site.pages[page].kind);
        for &(id, tf) in &t.terms {
            let tf = f64::from(tf);
            let d = f64::from(df[id as usize]);
            let idf = (1.0 + (docs as f64 - d + 0.5) / (d + 0.5)).ln();
            let in_title = if t.title.contains(&id) {
                TITLE_BOOST * idf
            } else {
                0.0
            };
            let score = prior * (idf * tf * (K1 + 1.0) / (tf + norm) + in_title);
            max_score = max_score.max(score);
            postings[id as usize].push((page as u32, score as f32));
        }
    }
    Scores {
        postings,
        max: max_score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_that_list_others_count_less_than_pages_that_answer() {
        for kind in [
            PageKind::Home,
            PageKind::Book,
            PageKind::Lessons,
            PageKind::Course,
            PageKind::Module,
        ] {
            assert_eq!(prior(kind), LISTING_PRIOR, "{kind:?}");
        }
        for kind in [
            PageKind::Chapter,
            PageKind::Lesson,
            PageKind::CourseLesson,
            PageKind::Article,
        ] {
            assert_eq!(prior(kind), 1.0, "{kind:?}");
        }
    }
}
