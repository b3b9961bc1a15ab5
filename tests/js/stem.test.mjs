// Checks themes/default/static/stem.js against the reference stems in stem-vectors.json,
// which were produced by rust-stemmers 1.2 (the crate the Rust side indexes with; the
// Rust test tests/it/stem_vectors.rs keeps the file true to it). Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stem, stemEnglish, stemSpanish } from '../../themes/default/static/stem.js';

const vectors = JSON.parse(readFileSync(new URL('./stem-vectors.json', import.meta.url), 'utf8'));

function checkAll(pairs, fn) {
  const mismatches = pairs.filter(([word, want]) => fn(word) !== want);
  const shown = mismatches
    .slice(0, 20)
    .map(([word, want]) => `  ${JSON.stringify(word)}: expected ${JSON.stringify(want)}, got ${JSON.stringify(fn(word))}`);
  assert.equal(
    mismatches.length,
    0,
    `${mismatches.length} of ${pairs.length} words stem differently; the first ${shown.length}:\n${shown.join('\n')}`,
  );
}

test('the vector file has both languages in volume', () => {
  assert.ok(vectors.en.length >= 3000, `only ${vectors.en.length} English vectors`);
  assert.ok(vectors.es.length >= 1500, `only ${vectors.es.length} Spanish vectors`);
});

test('stemEnglish matches rust-stemmers on every English vector', () => {
  checkAll(vectors.en, stemEnglish);
});

test('stemSpanish matches rust-stemmers on every Spanish vector', () => {
  checkAll(vectors.es, stemSpanish);
});

test('stem() picks the stemmer from the language tag', () => {
  assert.equal(stem('generously', 'en'), 'generous');
  assert.equal(stem('generously', 'en-US'), 'generous');
  assert.equal(stem('generously', 'EN-gb'), 'generous');
  assert.equal(stem('canciones', 'es'), 'cancion');
  assert.equal(stem('canciones', 'es-MX'), 'cancion');
  assert.equal(stem('canciones', 'fr'), 'canciones');
  assert.equal(stem('canciones', 'est'), 'canciones');
  assert.equal(stem('canciones', ''), 'canciones');
  assert.equal(stem('canciones', undefined), 'canciones');
  assert.equal(stemEnglish(''), '');
  assert.equal(stemSpanish(''), '');
});
