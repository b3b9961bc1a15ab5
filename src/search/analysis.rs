//! Analysis: a page's words (Unicode boundaries), folded and Snowball-stemmed by language, and
//! counted with their field weights; the vocabulary that numbers the terms kept between the
//! counting and the index.

use super::MAX_SECTIONS;
use crate::markdown::{Rendered, TextSection};
use crate::model::{Page, Site};
use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Words too common to search for, by language. The browser reads them from the manifest.
pub fn stop_words(lang: &str) -> &'static [&'static str] {
    match base_lang(lang) {
        "en" => &[
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
            "in", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was",
            "were", "which", "with",
        ],
        "es" => &[
            "a", "al", "con", "de", "del", "el", "en", "es", "la", "las", "lo", "los", "para",
            "por", "que", "se", "su", "sus", "un", "una", "y",
        ],
        _ => &[],
    }
}

pub(super) fn base_lang(lang: &str) -> &str {
    lang.split(['-', '_']).next().unwrap_or(lang)
}

/// Lowercases `word` and removes accents and other combining marks (`Éducación` → `educacion`).
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Stems words of one language.
pub struct Analyzer {
    lang: String,
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    pub fn new(lang: &str) -> Analyzer {
        let stemmer = match base_lang(lang) {
            "en" => Some(Stemmer::create(Algorithm::English)),
            "es" => Some(Stemmer::create(Algorithm::Spanish)),
            _ => None,
        };
        Analyzer {
            lang: base_lang(lang).to_string(),
            stemmer,
        }
    }

    /// The index terms of one word: usually one; for Spanish also the stem of the accent-less
    /// spelling when it differs. Empty for stop words.
    pub fn terms(&self, word: &str) -> Vec<String> {
        // Typographic apostrophes are letters to the stemmers: fold them to ASCII first.
        let lower = word.to_lowercase().replace('\u{2019}', "'");
        if stop_words(&self.lang).contains(&lower.as_str()) {
            return Vec::new();
        }
        let Some(stemmer) = &self.stemmer else {
            return vec![fold(&lower)];
        };
        let first = fold(&stemmer.stem(&lower));
        if self.lang == "es" {
            let folded = fold(&lower);
            let second = fold(&stemmer.stem(&folded));
            if second != first {
                return vec![first, second];
            }
        }
        vec![first]
    }
}

/// The words of `text` by Unicode word boundaries, keeping only those with a letter or digit.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_words()
}

/// One term of a page as counted: its weighted frequency and where it is. Held inline where it
/// can be (its first form, its sections): a page has hundreds of terms, and an allocation each
/// was a tenth of the counting's time.
#[derive(Debug, Clone, Default)]
pub struct Counted {
    pub weight: f64,
    /// The folded words that gave the term on this page (see [`fold`]), in the order met: the
    /// first, and the others.
    form: Option<Arc<str>>,
    more_forms: Vec<Arc<str>>,
    /// The sections holding it, in page order, the first [`MAX_SECTIONS`] of them.
    pub sections: Sections,
}

impl Counted {
    /// A term counted `weight` with `forms` in `sections`.
    pub fn new(weight: f64, forms: &[&str], sections: &[(u32, bool)]) -> Counted {
        let mut c = Counted {
            weight,
            ..Counted::default()
        };
        for f in forms {
            c.add_form(&Arc::from(*f));
        }
        for &(index, heading) in sections {
            c.sections.add(index, heading);
        }
        c
    }

    /// The folded words that gave the term on this page, in the order met.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        self.form.iter().chain(&self.more_forms).map(|f| &**f)
    }

    fn add_form(&mut self, form: &Arc<str>) {
        match &self.form {
            None => self.form = Some(form.clone()),
            Some(f) if **f == **form => {}
            Some(_) => {
                if !self.more_forms.iter().any(|f| **f == **form) {
                    self.more_forms.push(form.clone());
                }
            }
        }
    }
}

/// The sections holding a term on a page: index in the page's sections and whether in the
/// heading, in page order, at most [`MAX_SECTIONS`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sections {
    len: u8,
    items: [(u32, bool); MAX_SECTIONS],
}

impl Sections {
    pub fn as_slice(&self) -> &[(u32, bool)] {
        &self.items[..usize::from(self.len)]
    }

    /// Adds section `index` (`heading`: the term is in its heading), unless full.
    fn add(&mut self, index: u32, heading: bool) {
        let n = usize::from(self.len);
        match self.items[..n].last_mut() {
            Some(last) if last.0 == index => last.1 |= heading,
            _ if n < MAX_SECTIONS => {
                self.items[n] = (index, heading);
                self.len += 1;
            }
            _ => {}
        }
    }
}

/// Terms of one page with their weighted frequencies and places, and the page's weighted
/// length, as counted (string keys); see [`Vocabulary::compact`] for the form that is kept.
#[derive(Debug, Clone, Default)]
pub struct RawTerms {
    pub terms: HashMap<String, Counted>,
    pub length: f64,
    /// Terms of the title, which earn a bonus on top of their frequency.
    pub title: Vec<String>,
}

/// Terms of one page as kept between the counting and the index: vocabulary ids and weights,
/// about a tenth of the memory of string keys (the peak of a large build depends on it), and
/// where each term is, packed (see [`super::places`]).
#[derive(Debug, Clone, Default)]
pub struct PageTerms {
    pub terms: Vec<(u32, f32)>,
    pub length: f32,
    pub title: Vec<u32>,
    /// Per term of `terms`, in its order: the forms (vocabulary ids) and sections that hold it,
    /// one buffer for the page (see [`super::places`]).
    pub places: Box<[u8]>,
}

impl PageTerms {
    /// These terms with every vocabulary id `w` (of terms and forms) numbered `id(w)`: a cached
    /// page's terms in this build's vocabulary.
    pub fn renumbered(&self, mut id: impl FnMut(u32) -> u32) -> PageTerms {
        let mut entries: Vec<(u32, f32, Vec<u32>, &[u8])> = Vec::with_capacity(self.terms.len());
        let mut at = 0;
        for &(w, n) in &self.terms {
            let (forms, sections, next) = super::places::read(&self.places, at, w);
            at = next;
            let forms = forms.into_iter().map(&mut id).collect();
            entries.push((id(w), n, forms, sections));
        }
        entries.sort_unstable_by_key(|e| e.0);
        let mut places = Vec::with_capacity(self.places.len());
        for (w, _, forms, sections) in &entries {
            super::places::write_coded(&mut places, *w, forms, sections);
        }
        PageTerms {
            terms: entries.iter().map(|e| (e.0, e.1)).collect(),
            length: self.length,
            title: self.title.iter().map(|&w| id(w)).collect(),
            places: places.into_boxed_slice(),
        }
    }
}

/// A term of a page while it is numbered: id, weight, forms' ids, sections.
type Kept = (u32, f32, Vec<u32>, Sections);

/// Every term seen, numbered in the order first seen.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    ids: HashMap<Box<str>, u32>,
    words: Vec<Box<str>>,
}

impl Vocabulary {
    fn id(&mut self, word: String) -> u32 {
        if let Some(&id) = self.ids.get(word.as_str()) {
            return id;
        }
        let id = self.words.len() as u32;
        let word: Box<str> = word.into_boxed_str();
        self.words.push(word.clone());
        self.ids.insert(word, id);
        id
    }

    /// The kept form of counted terms. A term's forms are numbered right after it, so that a
    /// form first met with its term is packed in one byte (see [`super::places`]).
    pub fn compact(&mut self, raw: RawTerms) -> PageTerms {
        let mut terms: Vec<Kept> = raw
            .terms
            .into_iter()
            .map(|(t, c)| {
                let id = self.id(t);
                let forms = c.forms().map(|f| self.intern(f)).collect();
                (id, c.weight as f32, forms, c.sections)
            })
            .collect();
        terms.sort_unstable_by_key(|t| t.0);
        let mut places = Vec::with_capacity(terms.len() * 4);
        for (id, _, forms, sections) in &terms {
            super::places::write(&mut places, *id, forms, sections.as_slice());
        }
        let title = raw.title.into_iter().map(|t| self.id(t)).collect();
        PageTerms {
            terms: terms.iter().map(|t| (t.0, t.1)).collect(),
            length: raw.length as f32,
            title,
            places: places.into_boxed_slice(),
        }
    }

    /// The number of `word`, numbered now if it is new.
    pub fn intern(&mut self, word: &str) -> u32 {
        match self.ids.get(word) {
            Some(&id) => id,
            None => self.id(word.to_string()),
        }
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Counts and keeps the terms of page `p`, whose text is `sections`.
pub fn page_terms(p: &Page, sections: &[TextSection], vocab: &mut Vocabulary) -> PageTerms {
    vocab.compact(count_terms(p, sections))
}

/// Where a word is worth more than in the text: the title (×3), and the headings and what the
/// page says of itself (its description, objectives and questions) (×2).
const TITLE_WEIGHT: f64 = 3.0;
const SUMMARY_WEIGHT: f64 = 2.0;

/// The words a page says of itself besides its text: description, objectives, questions.
fn summary(p: &Page) -> Vec<&str> {
    let mut out: Vec<&str> = p.description.iter().map(String::as_str).collect();
    if let crate::model::Meta::Lesson {
        objectives,
        questions,
        ..
    } = &p.meta
    {
        out.extend(objectives.iter().chain(questions).map(String::as_str));
    }
    out
}

/// Counts the terms of page `p`: title words ×3, heading, description and objective words ×2,
/// the rest ×1.
pub fn count_terms(p: &Page, sections: &[TextSection]) -> RawTerms {
    count_text(&p.title, &summary(p), sections, &p.lang)
}

/// Index terms and folded form by word.
type Known = HashMap<Box<str>, (Box<[String]>, Arc<str>)>;

/// [`Known`] words of one language (see `TERMS_OF`).
type TermsOf = (String, Known);

thread_local! {
    /// Each thread's index terms of the words it has met, for one language at a time: the pages
    /// of a site share most of their words, and stemming them again page after page was a tenth
    /// of a large build's CPU time. Terms are a pure function of the word, so the index does not
    /// change.
    static TERMS_OF: std::cell::RefCell<TermsOf> = std::cell::RefCell::default();
}

/// Words kept by a thread in `TERMS_OF` before it starts over (a bound on its memory).
const TERMS_OF_MAX: usize = 100_000;

/// Where the words being counted are: their weight and, in a section, its index and whether in
/// its heading.
#[derive(Clone, Copy)]
struct Field {
    weight: f64,
    section: Option<(u32, bool)>,
}

/// Counts one word's `terms` (of folded form `form`) in `field`.
fn count_word(terms: &[String], form: &Arc<str>, field: Field, out: &mut RawTerms) {
    for t in terms {
        // One lookup for a term met before, the usual case.
        let c = match out.terms.get_mut(t.as_str()) {
            Some(c) => c,
            None => out.terms.entry(t.clone()).or_default(),
        };
        c.weight += field.weight;
        c.add_form(form);
        if let Some((index, heading)) = field.section {
            c.sections.add(index, heading);
        }
    }
    out.length += field.weight;
}

/// Counts the words of `text` in `field`.
fn count_words(
    text: &str,
    field: Field,
    analyzer: &Analyzer,
    known: &mut Known,
    out: &mut RawTerms,
) {
    for w in words(text) {
        match known.get(w) {
            Some((terms, form)) => count_word(terms, form, field, out),
            None => {
                let terms = analyzer.terms(w).into_boxed_slice();
                let form: Arc<str> = fold(w).into();
                count_word(&terms, &form, field, out);
                if known.len() >= TERMS_OF_MAX {
                    known.clear();
                }
                known.insert(w.into(), (terms, form));
            }
        }
    }
}

/// Counts the terms of a title, a summary and sections of text in language `lang`, and where
/// each is: its folded forms, and the sections (by index in `sections`) holding it.
pub fn count_text(title: &str, summary: &[&str], sections: &[TextSection], lang: &str) -> RawTerms {
    let analyzer = Analyzer::new(lang);
    let mut out = RawTerms::default();
    let field = |weight, section| Field { weight, section };
    TERMS_OF.with_borrow_mut(|(of, known)| {
        if of != lang {
            known.clear();
            *of = lang.to_string();
        }
        count_words(title, field(TITLE_WEIGHT, None), &analyzer, known, &mut out);
        out.title = words(title).flat_map(|w| analyzer.terms(w)).collect();
        for text in summary {
            count_words(
                text,
                field(SUMMARY_WEIGHT, None),
                &analyzer,
                known,
                &mut out,
            );
        }
        for (i, s) in sections.iter().enumerate() {
            let i = i as u32;
            let heading = field(SUMMARY_WEIGHT, Some((i, true)));
            count_words(&s.heading, heading, &analyzer, known, &mut out);
            let text = field(1.0, Some((i, false)));
            count_words(&s.text, text, &analyzer, known, &mut out);
        }
    });
    out
}

/// The counted terms of every page, `None` for pages left out of search (`search: false`).
///
/// Pages are counted in parallel a chunk at a time and kept in compact form, so only one chunk's
/// string-keyed counts exist at once.
pub fn all_page_terms(
    site: &Site,
    rendered: &[Rendered],
    vocab: &mut Vocabulary,
) -> Vec<Option<PageTerms>> {
    use rayon::prelude::*;
    let mut out = Vec::with_capacity(site.pages.len());
    for chunk in site.pages.chunks(256) {
        let raw: Vec<Option<RawTerms>> = chunk
            .par_iter()
            .map(|p| {
                p.searchable()
                    .then(|| count_terms(p, &rendered[p.id.index()].sections))
            })
            .collect();
        out.extend(raw.into_iter().map(|r| r.map(|r| vocab.compact(r))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_stemming_by_language() {
        let en = Analyzer::new("en");
        assert_eq!(en.terms("Teaching"), vec!["teach"]);
        assert_eq!(en.terms("teachers"), vec!["teacher"]);
        assert_eq!(
            en.terms("the"),
            Vec::<String>::new(),
            "stop words are not indexed"
        );
        let es = Analyzer::new("es-MX");
        assert_eq!(
            es.terms("Educación")[0],
            es.terms("educaciones")[0],
            "plural and singular share a stem"
        );
        assert!(
            es.terms("educación").contains(&es.terms("educacion")[0]),
            "accent-less spellings find accented words"
        );
        assert_eq!(fold("Éléve"), "eleve");
        assert_eq!(
            Analyzer::new("fr").terms("Écoles"),
            vec!["ecoles"],
            "other languages are folded, not stemmed"
        );
        assert_eq!(
            en.terms("teacher\u{2019}s"),
            en.terms("teacher's"),
            "typographic apostrophes fold to ASCII"
        );
    }

    #[test]
    fn words_follow_unicode_boundaries() {
        let w: Vec<&str> = words("Results-oriented cycle (ROCI), 2009–10: niños' año").collect();
        assert_eq!(
            w,
            vec![
                "Results", "oriented", "cycle", "ROCI", "2009", "10", "niños", "año"
            ]
        );
    }

    #[test]
    fn titles_and_headings_weigh_more() {
        let sections = vec![TextSection {
            anchor: "a".into(),
            heading: "Equity".into(),
            text: "equity and data".into(),
        }];
        let t = count_text("Equity first", &[], &sections, "en");
        assert_eq!(t.terms["equiti"].weight, 3.0 + 2.0 + 1.0);
        assert_eq!(t.terms["data"].weight, 1.0);
    }

    #[test]
    fn each_term_knows_its_forms_and_sections() {
        let section = |heading: &str, text: &str| TextSection {
            anchor: String::new(),
            heading: heading.into(),
            text: text.into(),
        };
        let mut sections = vec![
            section("", "Before any heading: walking."),
            section("Plans", "Nothing here."),
            section("The Walk", "Walks, walks."),
        ];
        sections.extend((0..10).map(|_| section("More", "walk")));
        let t = count_text("Équipe walks", &[], &sections, "en");
        let walk = &t.terms["walk"];
        let forms: Vec<&str> = walk.forms().collect();
        assert_eq!(forms, vec!["walks", "walking", "walk"], "folded, as met");
        let sections = walk.sections.as_slice();
        assert_eq!(
            sections[..3],
            [(0, false), (2, true), (3, false)],
            "index in the sections, the untitled first one included; heading flagged"
        );
        assert_eq!(sections.len(), MAX_SECTIONS, "the first ones");
        assert_eq!(t.terms["equip"].forms().collect::<Vec<_>>(), vec!["equipe"]);
        assert!(
            t.terms["equip"].sections.as_slice().is_empty(),
            "in the title only"
        );
    }

    #[test]
    fn renumbered_terms_keep_their_places() {
        let section = TextSection {
            anchor: String::new(),
            heading: "Rubrics".into(),
            text: "walks and walking".into(),
        };
        let mut vocab = Vocabulary::default();
        let t = vocab.compact(count_text("", &[], &[section], "en"));
        let places = |t: &PageTerms, words: &dyn Fn(u32) -> String| {
            let mut at = 0;
            let mut out = Vec::new();
            for &(id, _) in &t.terms {
                let (forms, sections, next) = super::super::places::read(&t.places, at, id);
                at = next;
                let mut forms: Vec<String> = forms.into_iter().map(words).collect();
                forms.sort();
                out.push((words(id), forms, sections.to_vec()));
            }
            out.sort();
            out
        };
        let before = places(&t, &|w| vocab.word(w).to_string());
        // Reversed numbers: the terms change order, their places go with them.
        let top = vocab.len() as u32 + 5;
        let r = t.renumbered(|w| top - w);
        assert!(r.terms.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(places(&r, &|w| vocab.word(top - w).to_string()), before);
        assert_eq!(before[1].0, "walk");
        assert_eq!(before[1].1, vec!["walking", "walks"]);
    }
}
