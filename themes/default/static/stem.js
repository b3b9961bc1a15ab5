// stem.js — Snowball stemmers for the browser-side search: English (Porter2) and Spanish.
//
// The site's search index is built in Rust with the `rust-stemmers` crate (1.2), so a query
// typed in the browser must be cut down to exactly the same stems the index holds. This file
// is an independent re-implementation of the published Snowball algorithm descriptions
// (snowballstem.org), matched word-for-word against rust-stemmers by tests/js/stem-vectors.json
// (`node --test tests/js/`; tests/it/stem_vectors.rs keeps those vectors true to the Rust side).
//
// Behaviours kept on purpose, because rust-stemmers has them:
//   * input is expected in lowercase and is not lowercased here; capitals are plain consonants;
//   * English words of fewer than three characters are returned unchanged;
//   * only the ASCII apostrophe (') is special in English, the typographic one (’) is a letter;
//   * letters outside a-z (and, for Spanish, áéíóúü) are consonants; Spanish ü keeps its diaeresis.
//
// Positions are JS string indices; the regexps use the `u` flag so that a character outside the
// Basic Multilingual Plane still counts as one letter, as it does in Rust.
//
// Exports: stemEnglish(word), stemSpanish(word), stem(word, lang). Pure functions, no DOM.

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Sorts a table of [suffix, value] pairs longest first, so a find() picks the longest match. */
const longestFirst = (pairs) => pairs.sort((a, b) => b[0].length - a[0].length);

/** {value: 'suffix suffix …'} → [[suffix, value], …], longest suffix first. */
const table = (spec) =>
  longestFirst(Object.entries(spec).flatMap(([value, list]) => list.split(' ').map((s) => [s, value])));

/** The longest entry of `pairs` whose suffix ends `w` and starts at or after index `from`. */
const findSuffix = (w, pairs, from = 0) =>
  pairs.find(([s]) => w.endsWith(s) && w.length - s.length >= from);

/** Index just past the first vowel-then-non-vowel pair at or after `start` (or w.length). */
function regionStart(w, start, vowelThenOther) {
  const m = vowelThenOther.exec(w.slice(start));
  return m ? start + m.index + m[0].length : w.length;
}

// ---------------------------------------------------------------------------------------------
// English (Porter2)

const EN_VC = /[aeiouy][^aeiouy]/u;
// A short syllable at the end: non-vowel, vowel, non-vowel other than w, x or Y; or, at the very
// start of the word, vowel then non-vowel.
const EN_SHORT_END = /(?:[^aeiouy][aeiouy][^aeiouywxY]|^[aeiouy][^aeiouy])$/u;
const EN_HAS_VOWEL = /[aeiouy]/;

// Whole words with a fixed stem, looked up before anything else.
const EN_WORDS = new Map(Object.entries({
  skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl',
  gently: 'gentl', ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl',
  sky: 'sky', news: 'news', howe: 'howe', atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes',
}));
// Words left alone once Step 1a has run.
const EN_KEEP_AFTER_1A = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);
// Prefixes that stand for R1 whole, so that e.g. "general" and "generous" stay apart.
const EN_R1_PREFIX = /^(?:gener|commun|arsen)/;

const EN_STEP1B = table({ ee: 'eed eedly', '': 'ed edly ing ingly' });
const EN_STEP2 = longestFirst(Object.entries({
  tional: 'tion', enci: 'ence', anci: 'ance', abli: 'able', entli: 'ent', izer: 'ize', ization: 'ize',
  ational: 'ate', ation: 'ate', ator: 'ate', alism: 'al', aliti: 'al', alli: 'al', fulness: 'ful',
  ousli: 'ous', ousness: 'ous', iveness: 'ive', iviti: 'ive', biliti: 'ble', bli: 'ble', ogi: 'og',
  fulli: 'ful', lessli: 'less', li: '',
}));
const EN_STEP3 = longestFirst(Object.entries({
  tional: 'tion', ational: 'ate', alize: 'al', icate: 'ic', iciti: 'ic', ical: 'ic',
  ful: '', ness: '', ative: '',
}));
const EN_STEP4 = table({
  '': 'al ance ence er ic able ible ant ement ment ent ism ate iti ous ive ize ion',
});

const isShortEnd = (w) => EN_SHORT_END.test(w);

/** Replaces the longest suffix of `w` found in `pairs` if `allowed(suffix, start)`; else keeps `w`. */
function replaceSuffix(w, pairs, allowed) {
  const hit = findSuffix(w, pairs);
  if (!hit) return w;
  const start = w.length - hit[0].length;
  return allowed(hit[0], start) ? w.slice(0, start) + hit[1] : w;
}

export function stemEnglish(word) {
  if (EN_WORDS.has(word)) return EN_WORDS.get(word);
  if ([...word].length < 3) return word;

  // Prelude: drop one leading apostrophe; mark a consonant y (initial, or after a vowel) as Y.
  let w = word.startsWith("'") ? word.slice(1) : word;
  let marked = '';
  for (const c of w) {
    const prev = marked[marked.length - 1];
    marked += c === 'y' && (prev === undefined || 'aeiouy'.includes(prev)) ? 'Y' : c;
  }
  const yFound = marked !== w;
  w = marked;

  const m = EN_R1_PREFIX.exec(w);
  const p1 = m ? m[0].length : regionStart(w, 0, EN_VC);
  const p2 = regionStart(w, p1, EN_VC);

  // Step 0: possessive apostrophes.
  w = w.replace(/'s'$|'s$|'$/, '');

  // Step 1a: plurals.
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ied') || w.endsWith('ies')) {
    const before = w.slice(0, -3);
    w = before + ([...before].length > 1 ? 'i' : 'ie');
  } else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) {
    // Delete the s if a vowel comes earlier than the letter right before it.
    if (EN_HAS_VOWEL.test(w.slice(0, -2))) w = w.slice(0, -1);
  }

  if (!EN_KEEP_AFTER_1A.has(w)) w = enSteps1bTo5(w, p1, p2);
  return yFound ? w.replace(/Y/g, 'y') : w;
}

function enSteps1bTo5(w, p1, p2) {
  // Step 1b: -eed(ly) to -ee in R1; -ed, -ing(ly), -edly dropped after a vowel, then tidied.
  const hit = findSuffix(w, EN_STEP1B);
  if (hit) {
    const start = w.length - hit[0].length;
    if (hit[1] === 'ee') {
      if (start >= p1) w = w.slice(0, start) + 'ee';
    } else if (EN_HAS_VOWEL.test(w.slice(0, start))) {
      w = w.slice(0, start);
      if (/(?:at|bl|iz)$/.test(w)) w += 'e';
      else if (/(?:bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
      else if (w.length === p1 && isShortEnd(w)) w += 'e'; // a short word: hop(ing) → hope
    }
  }

  // Step 1c: y or Y after a non-vowel that is not the first letter becomes i.
  const y = /[^aeiouy][yY]$/u.exec(w);
  if (y && y.index > 0) w = w.slice(0, -1) + 'i';

  // Step 2 and Step 3: in R1, map one suffix onto a shorter one.
  w = replaceSuffix(w, EN_STEP2, (s, at) =>
    at >= p1 && (s !== 'ogi' || w[at - 1] === 'l') && (s !== 'li' || 'cdeghkmnrt'.includes(w[at - 1] ?? '-')));
  w = replaceSuffix(w, EN_STEP3, (s, at) => at >= p1 && (s !== 'ative' || at >= p2));

  // Step 4: drop a suffix in R2 (-ion only after s or t).
  w = replaceSuffix(w, EN_STEP4, (s, at) => at >= p2 && (s !== 'ion' || /[st]$/.test(w.slice(0, at))));

  // Step 5: final e in R2, or in R1 unless it ends a short syllable; final l of ll in R2.
  const last = w.length - 1;
  if (w.endsWith('e') && (last >= p2 || (last >= p1 && !isShortEnd(w.slice(0, -1))))) {
    w = w.slice(0, -1);
  } else if (w.endsWith('ll') && last >= p2) {
    w = w.slice(0, -1);
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// Spanish

const ES_V = 'aeiouáéíóúü';
const ES_VC = new RegExp(`[${ES_V}][^${ES_V}]`, 'u');
// Where RV starts depends on the first two letters: vowel+consonant or two consonants — just past
// the next vowel; two vowels — just past the next consonant; consonant+vowel — after the third letter.
// No match: RV is empty.
const ES_RV = new RegExp(
  `^(?:[${ES_V}][^${ES_V}][^]*?[${ES_V}]|[${ES_V}]{2}[^]*?[^${ES_V}]|` +
    `[^${ES_V}]{2}[^]*?[${ES_V}]|[^${ES_V}][${ES_V}][^])`,
  'u',
);

const ES_PRONOUNS = longestFirst('me se sela selo selas selos la le lo las les los nos'.split(' ').map((s) => [s]));
// Verb endings an attached pronoun may follow, with the accent-free spelling to keep.
const ES_BEFORE_PRONOUN = longestFirst(Object.entries({
  iéndo: 'iendo', ándo: 'ando', ár: 'ar', ér: 'er', ír: 'ir',
  ando: 'ando', iendo: 'iendo', ar: 'ar', er: 'er', ir: 'ir', yendo: 'yendo',
}));

const ES_STANDARD = table({
  delete: 'anza anzas ico ica icos icas ismo ismos able ables ible ibles ista istas oso osa osos osas ' +
    'amiento amientos imiento imientos',
  deleteIc: 'adora ador ación adoras adores aciones ante antes ancia ancias',
  log: 'logía logías',
  u: 'ución uciones',
  ente: 'encia encias',
  amente: 'amente',
  mente: 'mente',
  idad: 'idad idades',
  iv: 'iva ivo ivas ivos',
});
const ES_Y_VERB = table({ '': 'ya ye yan yen yeron yendo yo yó yas yes yais yamos' });
const ES_VERB = table({
  gu: 'en es éis emos',
  '': 'arían arías arán arás aríais aría aréis aríamos aremos ará aré erían erías erán erás ' +
    'eríais ería eréis eríamos eremos erá eré irían irías irán irás iríais iría iréis iríamos ' +
    'iremos irá iré aba ada ida ía ara iera ad ed id ase iese aste iste an aban ían aran ieran ' +
    'asen iesen aron ieron ado ido ando iendo ió ar er ir as abas adas idas ías aras ieras ases ' +
    'ieses ís áis abais íais arais ierais aseis ieseis asteis isteis ados idos amos ábamos íamos ' +
    'imos áramos iéramos iésemos ásemos',
});
const ES_RESIDUAL = table({ rv: 'os a o á í ó', e: 'e é' });
const ES_PLAIN = { á: 'a', é: 'e', í: 'i', ó: 'o', ú: 'u' };

/** Drops the longest of `suffixes` ending `w` if it starts at or after `from`; else keeps `w`. */
function dropSuffix(w, suffixes, from) {
  const s = suffixes.find((x) => w.endsWith(x));
  return s && w.length - s.length >= from ? w.slice(0, -s.length) : w;
}

export function stemSpanish(word) {
  let w = word;
  const rvMatch = ES_RV.exec(w);
  const rv = rvMatch ? rvMatch[0].length : w.length;
  const p1 = regionStart(w, 0, ES_VC);
  const p2 = regionStart(w, p1, ES_VC);

  // Step 0: an attached pronoun after a gerund or infinitive in RV (the verb loses its accent).
  const pronoun = findSuffix(w, ES_PRONOUNS);
  if (pronoun) {
    const verb = w.slice(0, -pronoun[0].length);
    const hit = findSuffix(verb, ES_BEFORE_PRONOUN);
    const start = hit ? verb.length - hit[0].length : -1;
    if (hit && start >= rv && (hit[0] !== 'yendo' || verb[start - 1] === 'u')) {
      w = verb.slice(0, start) + hit[1];
    }
  }

  // Step 1 (standard suffixes); only when none applies, Step 2a (-y- verbs) then Step 2b (verbs).
  const standard = esStandardSuffix(w, p1, p2);
  if (standard !== null) w = standard;
  else {
    const yVerb = findSuffix(w, ES_Y_VERB, rv);
    if (yVerb && w[w.length - yVerb[0].length - 1] === 'u') w = w.slice(0, -yVerb[0].length);
    else w = esVerbSuffix(w, rv);
  }

  // Step 3: residual suffixes in RV.
  const residual = findSuffix(w, ES_RESIDUAL);
  if (residual && w.length - residual[0].length >= rv) {
    w = w.slice(0, -residual[0].length);
    if (residual[1] === 'e' && w.endsWith('gu') && w.length - 1 >= rv) w = w.slice(0, -1);
  }

  // Postlude: acute accents off (ü keeps its diaeresis).
  return w.replace(/[áéíóú]/g, (c) => ES_PLAIN[c]);
}

/** Step 1; returns the new word, or null when no standard suffix could be removed. */
function esStandardSuffix(w, p1, p2) {
  const hit = findSuffix(w, ES_STANDARD);
  if (!hit) return null;
  const [suffix, kind] = hit;
  const start = w.length - suffix.length;
  if (start < (kind === 'amente' ? p1 : p2)) return null;
  w = w.slice(0, start);
  switch (kind) {
    case 'delete': return w;
    case 'deleteIc': return dropSuffix(w, ['ic'], p2);
    case 'log': return w + 'log';
    case 'u': return w + 'u';
    case 'ente': return w + 'ente';
    case 'amente':
      if (w.endsWith('iv') && w.length - 2 >= p2) return dropSuffix(w.slice(0, -2), ['at'], p2);
      return dropSuffix(w, ['os', 'ic', 'ad'], p2);
    case 'mente': return dropSuffix(w, ['ante', 'able', 'ible'], p2);
    case 'idad': return dropSuffix(w, ['abil', 'ic', 'iv'], p2);
    case 'iv': return dropSuffix(w, ['at'], p2);
  }
  return w;
}

/** Step 2b: the longest verb ending inside RV; -en -es -éis -emos also take a u left after g. */
function esVerbSuffix(w, rv) {
  const hit = findSuffix(w, ES_VERB, rv);
  if (!hit) return w;
  w = w.slice(0, -hit[0].length);
  return hit[1] === 'gu' && w.endsWith('gu') ? w.slice(0, -1) : w;
}

// ---------------------------------------------------------------------------------------------

/**
 * Stems `word` for the page language `lang` ('en', 'en-US', 'es', 'es-MX', …);
 * any other language gets the word back unchanged.
 */
export function stem(word, lang) {
  const base = String(lang ?? '').toLowerCase().split(/[-_]/)[0];
  if (base === 'en') return stemEnglish(word);
  if (base === 'es') return stemSpanish(word);
  return word;
}
