//! tests/js/stem-vectors.json holds the stems the browser's stem.js must reproduce; this test
//! keeps that file true to rust-stemmers, the crate the search index is built with, so the
//! JavaScript and the Rust side cannot drift apart unnoticed.

use rust_stemmers::{Algorithm, Stemmer};
use serde_json::Value;

fn vectors(lang: &str) -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/stem-vectors.json");
    let text = std::fs::read_to_string(path).expect("read tests/js/stem-vectors.json");
    let json: Value = serde_json::from_str(&text).expect("stem-vectors.json is JSON");
    json[lang]
        .as_array()
        .unwrap_or_else(|| panic!("stem-vectors.json has no {lang:?} list"))
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(word), Value::String(stem)]) => (word.clone(), stem.clone()),
            _ => panic!("{lang}: not a [word, stem] pair: {pair}"),
        })
        .collect()
}

fn check(lang: &str, algorithm: Algorithm, at_least: usize) {
    let pairs = vectors(lang);
    assert!(
        pairs.len() >= at_least,
        "{lang}: only {} vectors",
        pairs.len()
    );
    let stemmer = Stemmer::create(algorithm);
    let wrong: Vec<String> = pairs
        .iter()
        .filter_map(|(word, want)| {
            let got = stemmer.stem(word);
            (got != want.as_str())
                .then(|| format!("  {word:?}: file says {want:?}, rust-stemmers gives {got:?}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{lang}: {} of {} vectors disagree with rust-stemmers (regenerate the file); the first ones:\n{}",
        wrong.len(),
        pairs.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
}

#[test]
fn english_vectors_match_rust_stemmers() {
    check("en", Algorithm::English, 3000);
}

#[test]
fn spanish_vectors_match_rust_stemmers() {
    check("es", Algorithm::Spanish, 1500);
}

#[test]
fn vectors_are_sorted_and_distinct() {
    for lang in ["en", "es"] {
        let words: Vec<String> = vectors(lang).into_iter().map(|(w, _)| w).collect();
        assert!(
            words.windows(2).all(|w| w[0] < w[1]),
            "{lang}: words must be sorted and distinct"
        );
    }
}
