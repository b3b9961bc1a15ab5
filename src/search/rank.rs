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

/// A posting's places are unknown (see [`Postings`]).
pub(super) const NO_PLACES: u32 = (1 << 24) - 1;

/// Per term id, `(page, impact << 24 | places)` in page order: the page's BM25 score for the
/// term as one byte of impact (1–255, the highest score of the index 255), and where the
/// term's places begin in the page's `places` ([`NO_PLACES`] past 16 MiB). Eight bytes a
/// posting: the lists hold millions of postings on a large site.
pub(super) type Postings = Vec<Vec<(u32, u32)>>;

/// The postings of the pages' counted `terms` (`None` for pages left out of search), over a
/// vocabulary of `words` terms.
pub(super) fn bm25(site: &Site, terms: &[Option<PageTerms>], words: usize) -> Postings {
    postings(terms, words, |page| prior(site.pages[page].kind))
}

/// The postings of the pages' counted `terms` (`None` for pages left out of search), over a
/// vocabulary of `words` terms, page `i`'s scores multiplied by `prior(i)`.
pub(super) fn postings(
    terms: &[Option<PageTerms>],
    words: usize,
    prior: impl Fn(usize) -> f64,
) -> Postings {
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
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| {
            let d = f64::from(d);
            (1.0 + (docs as f64 - d + 0.5) / (d + 0.5)).ln()
        })
        .collect();
    drop(df);
    let score = |page: usize, t: &PageTerms, id: u32, tf: f32| {
        let norm = K1 * (1.0 - B + B * f64::from(t.length) / avgdl);
        let tf = f64::from(tf);
        let idf = idf[id as usize];
        let in_title = if t.title.contains(&id) {
            TITLE_BOOST * idf
        } else {
            0.0
        };
        prior(page) * (idf * tf * (K1 + 1.0) / (tf + norm) + in_title)
    };
    // The highest score first, for the impacts, so that the lists need not hold scores.
    let mut max: f64 = 0.0;
    for (page, t) in terms.iter().enumerate() {
        let Some(t) = t else { continue };
        for &(id, tf) in &t.terms {
            max = max.max(score(page, t, id, tf));
        }
    }
    let mut postings: Postings = vec![Vec::new(); words];
    for (page, t) in terms.iter().enumerate() {
        let Some(t) = t else { continue };
        let mut at = 0;
        for &(id, tf) in &t.terms {
            let impact = ((score(page, t, id, tf) / max) * 254.0).round() as u32 + 1;
            let places = if at < t.places.len() && at < NO_PLACES as usize {
                at as u32
            } else {
                NO_PLACES
            };
            at = super::places::skip(&t.places, at);
            postings[id as usize].push((page as u32, impact.min(255) << 24 | places));
        }
    }
    postings
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
