// Unit tests of the pure functions of themes/default/static/search.js (folding, words, terms,
// query parsing, shard decoding, ranking, snippets), then the same functions over the real index
// of a built site: the manifest, shards and fragments src/search/ wrote, and known answers to
// real queries in English and Spanish. No browser: tests/browser/search.test.mjs drives the DOM.
// env: SITE_DIR (a built site; tests/run.sh sets it). Without it the tests over the real index are
//      skipped, so `node --test tests/js/` still runs the unit tests on their own.
// Run: SITE_DIR=/tmp/site node --test tests/js/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  kindLabel,
  FORMAT_VERSION, fold, spans, termsOf, parseQuery, parseShard, shardFor, shardsFor, rank, snippet,
  inflate, gunzip, edits, correct, resolve, evidence, entriesOf, rerank, find, say, K, WEIGHTS, MAX_SECTIONS, look, prefixShards, prefixMatches,
} from '../../themes/default/static/search.js';
import { stem } from '../../themes/default/static/stem.js';

// The words `spans` finds in a text, as `words` gives them.
const textWords = (text) => {
  const { from, to } = spans(text);
  return from.map((f, i) => ({ word: text.slice(f, to[i]), index: f }));
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE_DIR = process.env.SITE_DIR;
const BASE_PATH = ('/' + (process.env.BASE_PATH || '/') + '/').replace(/\/+/g, '/');

// ---------------------------------------------------------------- hand-made index data
// The stop words and languages of a manifest, as src/search/mod.rs writes them.
const STOP = {
  en: ['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'has', 'have', 'in', 'is', 'it',
    'its', 'of', 'on', 'or', 'that', 'the', 'their', 'this', 'to', 'was', 'were', 'which', 'with'],
  es: ['a', 'al', 'con', 'de', 'del', 'el', 'en', 'es', 'la', 'las', 'lo', 'los', 'para', 'por', 'que', 'se',
    'su', 'sus', 'un', 'una', 'y'],
};
const EN = { langs: ['en'], stop: { en: STOP.en } };
const EN_ES = { langs: ['en', 'es'], stop: STOP };

// Shard bytes per the format (v4) in src/search/shards.rs: varint(term count); per term (in
// order) its header: the term front-coded against the one before (varint: UTF-16 units shared,
// then varint(byte length) + UTF-8 bytes of the rest), a truncated byte (0/1), varint(form count)
// and each form front-coded against the term, varint(posting count); then every term's postings
// in columns: varint(page - previous page), the impacts (a byte each), the flags (a byte each:
// bit j, the page has form j; bits 3-6, its section count; bit 7, in the title), and each
// section as varint((index - previous - 1) * 2 + in heading).
function varint(n) {
  const out = [];
  for (;;) {
    const b = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
const utf8 = (t) => { const b = new TextEncoder().encode(t); return [...varint(b.length), ...b]; };
const front = (before, t) => {
  const a = [...before], b = [...t];
  let units = 0;
  for (let i = 0; i < a.length && i < b.length && a[i] === b[i]; i++) units += a[i].length;
  return [...varint(units), ...utf8(t.slice(units))];
};
// entries: [term, truncated, [[page, impact, F = 0, [[section, inHeading]] = []]], forms = []].
function shardBytes(entries) {
  const out = [...varint(entries.length)];
  const deltas = [], impacts = [], flags = [], codes = [];
  let before = '';
  for (const [term, truncated, postings, forms = []] of entries) {
    out.push(...front(before, term), truncated ? 1 : 0, ...varint(forms.length), ...forms.flatMap((f) => front(term, f)), ...varint(postings.length));
    before = term;
    let prev = 0;
    for (const [page, impact, f = 0, secs = []] of postings) {
      deltas.push(...varint(page - prev));
      impacts.push(impact);
      flags.push(f | (secs.length << 3));
      let last = -1;
      for (const [s, h] of secs) { codes.push(...varint((s - last - 1) * 2 + (h ? 1 : 0))); last = s; }
      prev = page;
    }
  }
  return new Uint8Array([...out, ...deltas, ...impacts, ...flags, ...codes]);
}
// A parsed shard straight from entries as shardBytes takes them.
const termMap = (entries) => parseShard(shardBytes(entries));
const pagesOf = (results) => results.map((r) => r.page);
const q = (word, terms, prefix = null) => ({ word, terms, form: fold(word.toLowerCase()), prefix });
// A parsed query as a plain array (parseQuery also sets `.phrases` on it).
const parse = (text, manifest = EN) => [...parseQuery(text, manifest, stem)];
const marked = (snip) => snip.parts.filter((p) => p.mark).map((p) => p.text);
// The words marked in a result's section heading and snippet.
const shown = (snip) => [...marked({ parts: snip.head }), ...marked(snip)];
const plain = (snip) => snip.parts.map((p) => p.text).join('');

const LEAD_WORDS = 24;
// A page's lead as src/search/leads.rs makes it: each section's text cut after its
// LEAD_WORDS-th word, with a 4th element 1 when cut.
const leadOf = (f) => ({ ...f, s: f.s.map(([a, h, t]) => {
  const { from, to } = spans(t);
  return from.length > LEAD_WORDS ? [a, h, t.slice(0, to[LEAD_WORDS - 1]), 1] : [a, h, t];
}) });

// The shard entries of pages `frags` as src/search/ writes them: every word of a title, heading
// or text (stop words left out) under its terms, with its folded forms (most pages first), the
// title bit and the sections (at most MAX_SECTIONS, the first); `impact(term, page)` (9 unless
// told) stands in for BM25.
function indexEntries(frags, impact = () => 9) {
  const at = new Map(); // term → page → { forms: Set, title, secs: Map(section → in heading) }
  frags.forEach((f, page) => {
    const add = (text, sec, heading) => {
      for (const { word } of words(text)) {
        if (STOP.en.includes(word.toLowerCase())) continue;
        for (const t of termsOf(word, f.l, stem)) {
          if (!at.has(t)) at.set(t, new Map());
          const byPage = at.get(t);
          if (!byPage.has(page)) byPage.set(page, { forms: new Set(), title: false, secs: new Map() });
          const p = byPage.get(page);
          p.forms.add(fold(word.toLowerCase()));
          if (sec < 0) p.title = true;
          else p.secs.set(sec, heading || (p.secs.get(sec) ?? false));
        }
      }
    };
    add(f.t, -1, false);
    f.s.forEach(([, h, t], i) => { add(h, i, true); add(t, i, false); });
  });
  return [...at.keys()].sort().map((t) => {
    const byPage = at.get(t);
    const count = new Map();
    for (const p of byPage.values()) for (const f of p.forms) count.set(f, (count.get(f) || 0) + 1);
    const forms = [...count.keys()].sort((a, b) => count.get(b) - count.get(a) || (a < b ? -1 : 1)).slice(0, 7);
    const postings = [...byPage].map(([page, p]) => [page, impact(t, page),
      forms.reduce((F, f, j) => (p.forms.has(f) ? F | (1 << j) : F), p.title ? 128 : 0),
      [...p.secs].sort((a, b) => a[0] - b[0]).slice(0, MAX_SECTIONS)]);
    return [t, false, postings, forms];
  });
}

// A hand-made index in one shard and one leads group: what find() needs from an Index, with
// what it asked for (`asked`: shards; `texts`: pages whose whole text it fetched).
const fakeIndex = (frags, impact, langs = ['en']) => {
  const terms = termMap(indexEntries(frags, impact));
  const asked = [], texts = [];
  return {
    asked, texts, terms,
    manifest: { shards: [['', 't/0']], leads: [[0, 't/l']], page_kinds: 'p'.repeat(frags.length), langs, stop: { en: STOP.en } },
    stem,
    shard: (i) => { asked.push(i); return Promise.resolve(terms); },
    lead: (page) => Promise.resolve(leadOf(frags[page])),
    fragment: (page) => { texts.push(page); return Promise.resolve(frags[page]); },
  };
};
const frag = (t, ...s) => ({ t, u: `/${t}/`, k: 'Playbook', b: '', l: 'en', s });
// The evidence of page `page` of fakeIndex `index` for `text`.
const evidenceOf = (index, text, page) => {
  const query = parseQuery(text, EN, stem);
  return evidence(query, query.map((w) => entriesOf(w, index.terms)), page);
};

// ---------------------------------------------------------------- unit tests
/** The words of a text and where each begins: [{ word, index }]. */
const words = (text) => { const { from, to } = spans(text); return from.map((index, i) => ({ word: text.slice(index, to[i]), index })); };

describe('inflate and gunzip', () => {
  // Text that compresses (repeats near and far), bytes that do not, and both together.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const prose = Buffer.from(Array.from({ length: 4000 }, () =>
    ['teacher ', 'cycle of inquiry ', 'equity ', 'la escuela ', 'año ', '\n'][Math.floor(rand() * 6)]).join(''));
  const noise = Buffer.from(Array.from({ length: 70000 }, () => Math.floor(rand() * 256)));
  const inputs = { empty: Buffer.alloc(0), prose, noise, mixed: Buffer.concat([prose, noise.subarray(0, 5000), prose]) };
  for (const [name, input] of Object.entries(inputs)) {
    for (const level of [0, 1, 6, 9]) {
      test(`${name} at level ${level} (stored, fixed and dynamic blocks)`, () => {
        assert.deepEqual(Buffer.from(inflate(new Uint8Array(zlib.deflateRawSync(input, { level })))), input);
        assert.deepEqual(Buffer.from(gunzip(new Uint8Array(zlib.gzipSync(input, { level })))), input);
      });
    }
  }
  test('fixed Huffman blocks', () => {
    const input = Buffer.from('abcabcabcabc, a short text');
    const raw = zlib.deflateRawSync(input, { strategy: zlib.constants.Z_FIXED });
    assert.deepEqual(Buffer.from(inflate(new Uint8Array(raw))), input);
  });
  test('a preset dictionary starts the window and is not part of the output', () => {
    const dict = Buffer.from('the cycle of inquiry, culturally responsive teaching, {"t":"');
    const input = Buffer.from('{"t":"Culturally responsive teaching and the cycle of inquiry"}');
    const raw = zlib.deflateRawSync(input, { dictionary: dict });
    assert.ok(raw.length < zlib.deflateRawSync(input).length, 'the dictionary helps');
    assert.deepEqual(Buffer.from(inflate(new Uint8Array(raw), new Uint8Array(dict))), input);
    assert.throws(() => inflate(new Uint8Array(raw)), /corrupt/, 'without it, the back-references point before the start');
  });
  test('bytes that are not gzip pass through; truncated data is an error', () => {
    assert.deepEqual(gunzip(new Uint8Array([1, 2, 3])), new Uint8Array([1, 2, 3]));
    const gz = zlib.gzipSync(prose);
    assert.throws(() => gunzip(new Uint8Array(gz.subarray(0, gz.length >> 1))), /corrupt/);
  });
  test('a stored block after a compressed one starts at the next whole byte', () => {
    // A sync flush ends the compressed block mid-byte with an empty stored block; a level-0
    // stream after it is stored blocks again, the last one final.
    // (Texts of many lengths: the stored block's header falls at every bit offset.)
    for (let n = 100; n < 4000; n += 97) {
      const a = zlib.deflateRawSync(prose.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      const b = zlib.deflateRawSync(noise.subarray(0, 300), { level: 0 });
      assert.deepEqual(Buffer.from(inflate(new Uint8Array(Buffer.concat([a, b])))), Buffer.concat([prose.subarray(0, n), noise.subarray(0, 300)]));
    }
  });
  test('codes of every length up to 15 bits', () => {
    // Byte k about 1.5^-k as often as byte 0: the rarest get zlib's longest codes.
    const skewed = [];
    for (let k = 0; k < 40; k++) for (let j = Math.floor(60000 / 1.5 ** k); j >= 0; j--) skewed.push(k);
    for (let i = skewed.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [skewed[i], skewed[j]] = [skewed[j], skewed[i]]; }
    const input = Buffer.from(skewed);
    assert.deepEqual(Buffer.from(inflate(new Uint8Array(zlib.deflateRawSync(input, { strategy: zlib.constants.Z_HUFFMAN_ONLY })))), input);
  });
});

describe('fold', () => {
  test('lowercases and strips accents and other combining marks', () => {
    assert.equal(fold('Educación'), 'educacion');
    assert.equal(fold('ÉLÈVE'), 'eleve');
    assert.equal(fold('niño'), 'nino');
    assert.equal(fold('Über'), 'uber');
    assert.equal(fold('e\u0301cole'), 'ecole', 'decomposed accents too');
    assert.equal(fold('plain'), 'plain');
  });
});

describe('words', () => {
  const SENTENCE = "Results-oriented cycle (ROCI), 2009–10: niños' año school’s";
  const EXPECTED = ['Results', 'oriented', 'cycle', 'ROCI', '2009', '10', 'niños', 'año', 'school’s'];

  test('splits by Unicode word boundaries as src/search/analysis.rs does, with each word\'s index', () => {
    const ws = words(SENTENCE);
    assert.deepEqual(ws.map((w) => w.word), EXPECTED);
    for (const w of ws) assert.equal(SENTENCE.slice(w.index, w.index + w.word.length), w.word, `index of ${w.word}`);
    assert.deepEqual(words(' — , . ! '), [], 'punctuation alone has no words');
  });

  // The words of Intl.Segmenter (Unicode's word boundaries, as the index's analysis finds them).
  const segmented = (text) => [...new Intl.Segmenter(undefined, { granularity: 'word' }).segment(text)]
    .filter((s) => s.isWordLike).map((s) => ({ word: s.segment, index: s.index }));

  test('the expression for spaced scripts finds the words of the segmenter', () => {
    const text = SENTENCE + " e.g. 2,000 teachers' share_of_time 3.5% l'école Ñandú — ok";
    assert.deepEqual(words(text), segmented(text));
    const ascii = "The 2009-10 cycle: e.g. 2,000 teachers' share_of_time, 3.5% (ROCI) it's v1.2 _x a.b.c 12,5.6 don't.";
    assert.deepEqual(words(ascii), segmented(ascii));
    const curly = 'Nelle’s home directory — “here”, i.e. ‘the place’… it’s 2,000 files’ names • v1.2';
    assert.deepEqual(words(curly), segmented(curly));
    assert.deepEqual(words(curly).map((w) => w.word).slice(0, 2), ['Nelle’s', 'home'], '’ joins words, as the segmenter does');
    assert.deepEqual(words('x² y').map((w) => w.word), ['x²', 'y']);
    const thai = 'ภาษาไทยง่ายนิดเดียว school';
    assert.deepEqual(words(thai), segmented(thai), 'a script without spaces goes to the segmenter');
    assert.ok(words(thai).length > 2, 'which cuts it into words');
    assert.deepEqual(textWords(text), words(text), 'spans and words agree');
  });

  test('without Intl.Segmenter, a script without spaces is cut by the expression, and nothing breaks', (t) => {
    const saved = Intl.Segmenter;
    t.after(() => { Intl.Segmenter = saved; });
    const withSegmenter = words(SENTENCE);
    Intl.Segmenter = undefined;
    assert.deepEqual(words(SENTENCE), withSegmenter);
    assert.deepEqual(words('ภาษาไทย school').map((w) => w.word), ['ภาษาไทย', 'school']);
  });
});

describe('termsOf', () => {
  test('stems English, then folds', () => {
    assert.deepEqual(termsOf('Teaching', 'en', stem), ['teach']);
    assert.deepEqual(termsOf('cycles', 'en-US', stem), ['cycl']);
  });
  test('Spanish words also get the stem of their accent-less spelling', () => {
    assert.deepEqual(termsOf('Educación', 'es', stem), ['educ', 'educacion']);
    assert.deepEqual(termsOf('educacion', 'es-MX', stem), ['educacion'], 'the accent-less word: one term');
    assert.deepEqual(termsOf('lección', 'es', stem), ['leccion']);
    assert.deepEqual(termsOf('lecciones', 'es', stem), ['leccion'], 'plural and singular share a stem');
  });
  test('other languages are folded, not stemmed', () => {
    assert.deepEqual(termsOf('Écoles', 'fr', stem), ['ecoles']);
  });
});

describe('parseQuery', () => {
  test('drops stop words; each word has its terms and folded form; only the last a prefix', () => {
    assert.deepEqual(parse('The cycle of Inquiry'), [
      q('cycle', ['cycl']),
      q('Inquiry', ['inquiri'], 'inquiry'),
    ]);
  });
  test('a query of stop words only is empty', () => {
    assert.deepEqual(parse('of the'), []);
    assert.deepEqual(parse('  '), []);
  });
  test('the last word carries its folded spelling as a prefix', () => {
    const parsed = parse('Cycle of INQUÍ');
    assert.deepEqual(parsed.map((w) => w.prefix), [null, 'inqui']);
    assert.equal(parsed[1].word, 'INQUÍ');
    assert.deepEqual(parse('cycle pr').map((w) => w.prefix), [null, null], 'but not one of two letters: it would begin most words');
  });
  test('words in double quotes are a phrase, stop words kept; a quoted last word is no prefix', () => {
    const parsed = parseQuery('"Group by" clause "the staging area"', EN, stem);
    assert.deepEqual(parsed.map((w) => w.word), ['Group', 'clause', 'staging', 'area']);
    assert.deepEqual(parsed.phrases, [
      [{ form: 'group', at: 0 }, { form: 'by', at: -1 }],
      [{ form: 'the', at: -1 }, { form: 'staging', at: 2 }, { form: 'area', at: 3 }],
    ]);
    assert.equal(parsed.at(-1).prefix, null, 'a closed quote ends the word');
    assert.equal(parseQuery('“staging area”', EN, stem).phrases.length, 1, 'typographic quotes too');
    assert.equal(parseQuery('"staging area', EN, stem).phrases.length, 0, 'an unclosed quote is no phrase');
    assert.equal(parseQuery('"staging area', EN, stem).at(-1).prefix, 'area');
  });
  test('a query in a spaced script builds no word segmenter (costly on a fresh page), one in Thai does', async () => {
    const Real = Intl.Segmenter;
    let built = 0;
    Intl.Segmenter = class extends Real { constructor(...a) { super(...a); built++; } };
    try {
      // A fresh copy of the module, whose segmenter is not made yet.
      const fresh = await import('../../themes/default/static/search.js?parse-query-segmenter');
      const queries = ['find files by name', 'educación "de los" niños', 'Nelle’s shell—scripts'];
      for (const text of queries) {
        assert.deepEqual([...fresh.parseQuery(text, EN_ES, stem)], [...parseQuery(text, EN_ES, stem)], text);
      }
      assert.equal(built, 0, 'no segmenter for words the expressions find');
      fresh.parseQuery('ภาษาไทย', EN, stem);
      assert.equal(built, 1, 'unspaced scripts still go to the segmenter');
    } finally {
      Intl.Segmenter = Real;
    }
  });
  test('words get the terms of every index language, and the stop words of every language', () => {
    const parsed = parse('la confianza', EN_ES);
    assert.equal(parsed.length, 1, '"la" is a Spanish stop word');
    assert.deepEqual(new Set(parsed[0].terms), new Set(['confianza', 'confianz']));
    assert.deepEqual(new Set(parse('Educación', EN_ES)[0].terms), new Set(['educacion', 'educ']));
  });
  test('a manifest without langs parses queries as English', () => {
    assert.deepEqual(parse('teaching', {}), [q('teaching', ['teach'], 'teaching')]);
  });
});

describe('parseShard', () => {
  test('decodes hand-made bytes: terms, truncated flags, forms, page deltas, impacts, places', () => {
    const entries = [
      ['cycl', false, [[0, 255, 0x81, [[0, true], [2, false]]], [3, 17], [300, 1, 2, [[9, false]]]], ['cycle', 'cycles']], // 300 - 3 needs a two-byte varint
      ['niño', true, [[2, 9]]], // multi-byte UTF-8 term
      ['z', false, []],
    ];
    const bytes = shardBytes(entries);
    assert.deepEqual([...bytes.subarray(0, 33)],
      [3, 0, 4, 99, 121, 99, 108, 0, 2, 4, 1, 101, 4, 2, 101, 115, 3, 0, 5, 110, 105, 195, 177, 111, 1, 0, 1, 0, 1, 122, 0, 0, 0],
      'the headers, each string after what it shares with the one before (its term, for a form)');
    assert.deepEqual([...bytes.subarray(33)], [0, 3, 169, 2, 2, 255, 17, 1, 9, 0x91, 0, 0x0a, 0, 1, 2, 18],
      'then the columns: page deltas, impacts, flags (F and the section count), the sections');
    const got = parseShard(bytes);
    assert.deepEqual([...got.keys()], ['cycl', 'niño', 'z']);
    const plain = (e) => ({ truncated: e.truncated, forms: e.forms, postings: e.postings, where: e.where });
    assert.deepEqual(plain(got.get('cycl')), {
      truncated: false, forms: ['cycle', 'cycles'], postings: new Map([[0, 255], [3, 17], [300, 1]]),
      where: new Map([[0, [0x81, 1, 4]], [3, [0]], [300, [2, 18]]]),
    }, 'where: F, then each section as index << 1 | in its heading');
    assert.deepEqual(plain(got.get('niño')), { truncated: true, forms: [], postings: new Map([[2, 9]]), where: new Map([[2, [0]]]) });
    assert.deepEqual(plain(got.get('z')), { truncated: false, forms: [], postings: new Map(), where: new Map() });
    assert.equal(got.get('cycl').postings, got.get('cycl').postings, 'postings are decoded once');
  });
  test('large page numbers and counts round-trip', () => {
    const many = Array.from({ length: 200 }, (_, i) => [i * 1000 + 70000, (i % 255) + 1]);
    const got = parseShard(shardBytes([['big', false, many]]));
    assert.deepEqual([...got.get('big').postings], many);
  });
  test('terms and forms share what they begin with, astral letters and accents included', () => {
    const terms = ['educ', 'educacion', 'niñ', 'niño', '\u{1d4b3}a', '\u{1d4b3}b', '\u{1d4b4}'];
    const got = parseShard(shardBytes(terms.map((t) => [t, false, [[1, 5, 1]], [t + 's', t + '\u00e9']])));
    assert.deepEqual([...got.keys()], terms);
    for (const t of terms) assert.deepEqual(got.get(t).forms, [t + 's', t + '\u00e9']);
  });
  test('a shard with no terms is empty', () => {
    assert.equal(parseShard(new Uint8Array([0])).size, 0);
  });
});

describe('shardFor and shardsFor', () => {
  const shards = [['a', 't/0.bin.gz'], ['m', 't/1.bin.gz'], ['teachh', 't/2.bin.gz'], ['u', 't/3.bin.gz']];
  test('shardFor finds the last shard whose first term is <= the term', () => {
    assert.equal(shardFor(shards, 'apple'), 0);
    assert.equal(shardFor(shards, 'a'), 0);
    assert.equal(shardFor(shards, '0'), 0, 'before the first term: the first shard');
    assert.equal(shardFor(shards, 'm'), 1);
    assert.equal(shardFor(shards, 'lzzz'), 0);
    assert.equal(shardFor(shards, 'teach'), 1);
    assert.equal(shardFor(shards, 'teachi'), 2);
    assert.equal(shardFor(shards, 'zzz'), 3);
    assert.equal(shardFor([['a', 'only']], 'q'), 0);
  });
  test('shardsFor: the shards of each term, sorted, without repeats', () => {
    assert.deepEqual(shardsFor([q('x', ['cycl']), q('y', ['zeta', 'b'])], shards), [0, 3]);
    assert.deepEqual(shardsFor([], shards), []);
  });
  test('shardsFor: a prefix needs every shard its range spans, and the shards of shorter stems', () => {
    // "m…" may start in shard 0 (before "ma") and runs through shard 2 ("mz").
    assert.deepEqual(shardsFor([q('m', ['m'], 'm')], [['a', '0'], ['ma', '1'], ['mz', '2'], ['n', '3']]), [0, 1, 2]);
    // "teachi" is in shard 2, but its stem "teach" is in shard 1.
    assert.deepEqual(shardsFor([q('teachi', ['teachi'], 'teachi')], shards), [1, 2]);
    // Not every shard of the terms starting "edu": only those "educat" may become.
    const many = [['a', '0'], ['edu', '1'], ['educ', '2'], ['educatio', '3'], ['edw', '4'], ['f', '5']];
    assert.deepEqual(shardsFor([q('educat', ['educat'], 'educat')], many), [1, 2, 3]);
  });
  test('prefixShards: every term a half-typed word may become is in a shard it names', () => {
    const vocab = [...new Set(JSON.parse(fs.readFileSync(new URL('./stem-vectors.json', import.meta.url))).en.flatMap(([w, s]) => [w, s]))].sort();
    for (const size of [1, 7, 40]) {
      const shards = [];
      for (let i = 0; i < vocab.length; i += size) shards.push([vocab[i], String(i)]);
      for (const w of vocab.filter((_, i) => i % 7 === 0)) {
        for (let n = 1; n <= w.length; n++) {
          const p = w.slice(0, n), named = new Set(prefixShards(shards, p));
          for (const t of vocab) if (prefixMatches(t, p)) assert.ok(named.has(shardFor(shards, t)), `${p} → ${t} (shards of ${size})`);
        }
      }
    }
  });
});

describe('rank', () => {
  // "data" is on pages 1 2 3 5, "team" on 2 3 4; "common" was truncated (too many pages to list).
  const terms = termMap([
    ['data', false, [[1, 10], [2, 20], [3, 5], [5, 1]]],
    ['team', false, [[2, 10], [3, 40], [4, 7]]],
    ['common', true, [[2, 100]]],
  ]);
  const KINDS = 'pppppp';
  const data = q('data', ['data']);
  const team = q('team', ['team']);

  test('a query of 3+ words held whole by fewer than K pages: pages with all but one follow, after every full match', async () => {
    const frags = [frag('A', ['', '', 'x']), frag('Lines', ['', '', 'count the lines of a file']), frag('Words', ['', '', 'count words in a file'])];
    const index = fakeIndex(frags);
    assert.deepEqual((await find('count lines file', index, { limit: 5 })).results.map((r) => [r.page, r.miss]), [[1, 0], [2, 1]]);
    assert.deepEqual(pagesOf((await find('count lines', index, { limit: 5 })).results), [1], 'two words: both required');
    const t = termMap([['a', false, [[1, 1], [2, 50], [3, 50]]], ['b', false, [[1, 1], [2, 50]]], ['c', false, [[1, 1], [3, 90]]]]);
    const abc = [q('a', ['a']), q('b', ['b']), q('c', ['c'])];
    assert.deepEqual(rank(abc, t, 'pppp', null), [{ page: 1, score: 3 }]);
    assert.deepEqual(rank(abc, t, 'pppp', null, true), [{ page: 1, score: 3, miss: 0 }, { page: 3, score: 140, miss: 1 }, { page: 2, score: 100, miss: 1 }]);
    const reranked = rerank(rank(abc, t, 'pppp', null, true), (p) => ({ boost: p === 1 ? 1 : 9, phrases: 0 }));
    assert.equal(reranked[0].page, 1, 'evidence never lifts a page missing a word above one with all');
  });
  test('every word is required', () => {
    assert.deepEqual(pagesOf(rank([data, team], terms, KINDS, null)), [3, 2]);
    assert.deepEqual(rank([data, q('absent', ['absent'])], terms, KINDS, null), [], 'a word found nowhere finds nothing');
    assert.deepEqual(rank([], terms, KINDS, null), []);
  });
  test('pages are ordered by the sum of their impacts, ties by page', () => {
    assert.deepEqual(rank([data, team], terms, KINDS, null), [{ page: 3, score: 45 }, { page: 2, score: 30 }]);
    const tie = termMap([['t', false, [[4, 9], [7, 9], [9, 12]]]]);
    assert.deepEqual(pagesOf(rank([q('t', ['t'])], tie, 'pppppppppp', null)), [9, 4, 7]);
  });
  test('a word whose postings were truncated does not exclude pages, but adds to the score', () => {
    const common = q('common', ['common']);
    assert.deepEqual(rank([data, common], terms, KINDS, null), [
      { page: 2, score: 120 }, { page: 1, score: 10 }, { page: 3, score: 5 }, { page: 5, score: 1 },
    ]);
    assert.deepEqual(pagesOf(rank([common], terms, KINDS, null)), [2], 'only truncated words: their pages');
  });
  test('the kind filter keeps only the allowed kinds; pages out of search never show', () => {
    const t = termMap([['w', false, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]]]);
    const kinds = 'pmlco-';
    const w = [q('w', ['w'])];
    assert.deepEqual(pagesOf(rank(w, t, kinds, null)), [4, 3, 2, 1, 0], "'-' pages are not searchable");
    assert.deepEqual(pagesOf(rank(w, t, kinds, new Set(['l']))), [2]);
    assert.deepEqual(pagesOf(rank(w, t, kinds, new Set(['p', 'c']))), [3, 0]);
    assert.deepEqual(pagesOf(rank(w, t, kinds, new Set())), []);
  });
  test('a word with several terms takes the best impact per page, not the sum', () => {
    const two = termMap([['educ', false, [[1, 30], [2, 5]]], ['educacion', false, [[1, 20]]]]);
    assert.deepEqual(rank([q('educación', ['educ', 'educacion'])], two, 'ppp', null),
      [{ page: 1, score: 30 }, { page: 2, score: 5 }]);
  });
  test('a prefix matches the terms it begins, and a stem it runs past ("teachi" finds "teach")', () => {
    const t = termMap([['te', false, [[4, 1]]], ['teach', false, [[1, 10]]], ['teacher', false, [[2, 10]]], ['team', false, [[3, 10]]]]);
    assert.deepEqual(pagesOf(rank([q('teache', ['teach'], 'teache')], t, KINDS, null)), [1, 2]);
    assert.deepEqual(pagesOf(rank([q('teachi', ['teachi'], 'teachi')], t, KINDS, null)), [1]);
    assert.deepEqual(pagesOf(rank([q('te', ['te'], 'te')], t, KINDS, null)), [1, 2, 3, 4]);
    assert.deepEqual(pagesOf(rank([q('teachi', ['teachi'], null)], t, KINDS, null)), [], 'not typing: no prefix');
  });
});

describe('ranking rules (ARCHITECTURE.md, "Ranking")', () => {
  const pagesFound = async (index, text, opts) => pagesOf((await find(text, index, { limit: 10, ...opts })).results);

  test('the last word is read as the start of a word only when none of its terms is in the index', () => {
    const terms = termMap([['lead', false, [[1, 9]]], ['leadership', false, [[2, 9]]], ['inquiri', false, [[3, 9]]]]);
    const r = (text) => resolve(parseQuery(text, EN, stem), terms, stem, ['en']);
    assert.equal(r('lead')[0].prefix, null, '"lead" is a term: no prefix');
    assert.deepEqual(pagesOf(rank(r('lead'), terms, 'pppp', null)), [1]);
    assert.equal(r('inq')[0].prefix, 'inq', '"inq" is no term: it is completed');
    assert.deepEqual(pagesOf(rank(r('inq'), terms, 'pppp', null)), [3]);
    assert.equal(r('inq data')[0].prefix, null, 'only the last word is completed');
  });

  test('the header box lists the pages of the words the last one begins after those of the results page', async () => {
    const frags = [frag('A', ['', '', 'x']), frag('Lead', ['', '', 'lead']), frag('Leadership', ['', '', 'leadership'])];
    const index = fakeIndex(frags, (t, p) => (p === 2 ? 200 : 5));
    assert.deepEqual(await pagesFound(index, 'lead'), [1], 'the results page: the word itself');
    assert.deepEqual(await pagesFound(index, 'lead', { typing: true }), [1, 2], 'the box: the same first, then completions');
  });

  test('typos: every spelling one edit away (deletion, transposition, substitution, insertion)', () => {
    const e = edits('abc');
    for (const w of ['bc', 'ac', 'ab', 'bac', 'acb', 'xbc', 'abx', 'xabc', 'abcx', 'aXbc'.toLowerCase()]) assert.ok(e.has(w), w);
    assert.ok(!e.has('abc') && !e.has('cba'), 'not the word itself, not two edits');
    assert.equal(e.size, new Set(e).size);
  });

  test('typos: a word of 5+ letters found nowhere takes the correction in most pages; shorter words are not corrected', () => {
    const terms = termMap([
      ['district', false, [[1, 9], [2, 9], [3, 9]]], ['distract', false, [[4, 9]]], ['teach', false, [[5, 9]]],
    ]);
    const fixed = resolve(parseQuery('distrcit teach', EN, stem), terms, stem, ['en']);
    assert.equal(fixed[0].word, 'district');
    assert.ok(fixed[0].fixed && !fixed[1].fixed);
    assert.deepEqual(fixed[0].terms, ['district']);
    // "distrct" is one edit from both; "district" is in more pages.
    assert.equal(correct(parseQuery('distrct', EN, stem)[0], terms, stem, ['en']).word, 'district');
    assert.equal(resolve(parseQuery('tech x', EN, stem), terms, stem, ['en'])[0].fixed, undefined, '4 letters: as typed');
    assert.equal(resolve(parseQuery('distrcit', EN, stem), terms, stem, ['en'], false)[0].fixed, undefined, 'fix: false');
    assert.equal(correct(parseQuery('zzzzzz', EN, stem)[0], terms, stem, ['en']), null);
  });

  test('typos: the correction is stemmed in each index language and the results say what was searched', async () => {
    const frags = [frag('Repositories', ['', '', 'Make a repository.'])];
    const index = fakeIndex(frags);
    const found = await find('create a repositroy', index, { limit: 5 });
    assert.equal(found.fixed, 'create a repository');
    assert.deepEqual(pagesOf(found.results), [], '"create" is found nowhere, and every word of two is required');
    const three = await find('create new repositroy', index, { limit: 5 });
    assert.deepEqual(pagesOf(three.results), [], 'two of three words found nowhere: nothing');
    const one = await find('repositroy', index, { limit: 5 });
    assert.equal(one.fixed, 'repository');
    assert.deepEqual(pagesOf(one.results), [0]);
    assert.deepEqual(marked(one.results[0].snip), ['repository']);
    assert.equal((await find('repositroy', index, { fix: false })).total, 0, 'searching for the words as typed');
  });

  test('evidence, from the postings alone: title, heading, all words in one section, consecutive words in one section and exact forms each add their weight', () => {
    const index = fakeIndex([
      frag('Other', ['a', 'Intro', 'A merge can fail.'], ['b', 'Later', 'Some conflicts happen.']),
      frag('Merge conflicts', ['a', 'Intro', 'A merge can fail.'], ['b', 'Later', 'Some conflicts happen.']),
      frag('Other', ['a', 'Merge', 'x'], ['b', 'Conflicts', 'y']),
      frag('Other', ['a', 'Intro', 'A merge may end in one of many conflicts.']),
      frag('Other', ['a', 'Intro', 'Resolve merging conflict now.']),
      frag('Other', ['a', 'Intro', 'Merge conflicts.'], ['b', 'Later', 'Use git.']),
      frag('Other', ['a', 'Intro', 'Merge in git.'], ['b', 'Later', 'Conflicts.']),
    ]);
    const boost = (page, text = 'merge conflicts') => evidenceOf(index, text, page).boost;
    assert.equal(boost(0), 1 + WEIGHTS.exact, 'both words in their exact form, nothing else');
    assert.equal(boost(1) - boost(0), WEIGHTS.title, 'the title holds both');
    assert.equal(boost(2), 1 + WEIGHTS.heading / 2 + WEIGHTS.exact, 'half the words in one heading');
    assert.equal(boost(3), 1 + WEIGHTS.together + WEIGHTS.near + WEIGHTS.exact, 'both in one section: all of them, and the one pair, together');
    assert.equal(boost(4), 1 + WEIGHTS.together + WEIGHTS.near, 'by their stems only: no exact bonus');
    assert.equal(boost(5, 'merge conflicts git'), 1 + WEIGHTS.near / 2 + WEIGHTS.exact, 'one pair of consecutive words of two shares a section');
    assert.equal(boost(6, 'merge conflicts git'), 1 + WEIGHTS.exact, '"merge" and "git" share one, but they are not consecutive in the query');
    assert.deepEqual(index.texts, [], 'no page text is read');
  });

  test('re-ranking: the first K results by score × evidence; phrases found first; the rest keep their order', () => {
    const ranked = Array.from({ length: K + 2 }, (_, i) => ({ page: i, score: 100 - i }));
    const ev = { 0: { boost: 1, phrases: 0 }, 1: { boost: 1.5, phrases: 0 }, 2: { boost: 1, phrases: 1 } };
    const out = rerank(ranked, (p) => ev[p] ?? { boost: 1, phrases: 0 });
    assert.deepEqual(pagesOf(out), [2, 1, 0, 3, 4, 5, 6]);
    assert.deepEqual(pagesOf(rerank(ranked, () => ({ boost: 1, phrases: 0 }))), pagesOf(ranked), 'no evidence, same order');
    const beyond = rerank(ranked, (p) => ({ boost: p === K ? 9 : 1, phrases: 0 }));
    assert.equal(beyond[K].page, K, 'a page past the first K is not moved');
    assert.deepEqual(pagesOf(rerank(ranked, (p) => ev[p] ?? { boost: 1, phrases: 0 }, 2)).slice(0, 3), [1, 0, 2],
      'only the first n (the results page\'s own) are re-ranked');
  });

  test('quoted phrases: a page with the words side by side comes before one with them apart; only then is page text fetched', async () => {
    const frags = [
      frag('Apart', ['a', 'Intro', 'The area where we keep staging notes.']),
      frag('Together', ['b', 'Intro', 'Files go to the staging area first.']),
    ];
    const index = fakeIndex(frags, (t, p) => (p === 0 ? 50 : 10));
    assert.deepEqual(await pagesFound(index, 'staging area'), [0, 1], 'unquoted, the score decides');
    assert.deepEqual(index.texts, [], 'unquoted, no page text is fetched');
    assert.deepEqual(await pagesFound(index, '"staging area"'), [1, 0], 'quoted, the phrase first');
    assert.deepEqual(index.texts.sort(), [0, 1], 'quoted, the text of the first K');
    const by = fakeIndex([frag('By', ['a', 'Intro', 'Group the rows by year.'], ['b', 'Grouping', 'Then use GROUP BY to count.'])]);
    const r = (await find('"group by"', by)).results[0];
    assert.equal(r.snip.anchor, 'b', 'stop words in a phrase are matched as written: the section with the phrase answers');
    assert.deepEqual(marked(r.snip), ['GROUP'], 'the snippet is cut around the phrase');
  });

  test('quoted phrases: only the sections whose postings hold every word of the phrase are read', async () => {
    const far = frag('Far', ['a', 'One', 'staging'], ['b', 'Two', 'area'], ['c', 'Three', 'staging area']);
    const index = fakeIndex([far]);
    const f = far.s.map((s) => [...s]);
    // The text of sections a and b is not what their postings say: were they read, "staging area" would be found there.
    index.fragment = () => Promise.resolve({ ...far, s: [['a', 'One', 'staging area'], ['b', 'Two', 'staging area'], f[2]] });
    assert.equal((await find('"staging area"', index)).results[0].snip.anchor, 'c');
    const two = fakeIndex([frag('Two', ['', '', 'The staging area, first.'], ['b', 'The staging area', 'Files wait in the staging area.'])]);
    assert.equal((await find('"staging area"', two)).results[0].snip.anchor, 'b', 'of two sections with the phrase, the one evidence prefers (its heading)');
    // A page none of whose sections holds both words cannot hold the phrase: its text is not fetched.
    const apart = fakeIndex([frag('Apart', ['a', 'One', 'staging'], ['b', 'Two', 'area']), far]);
    assert.deepEqual(pagesOf((await find('"staging area"', apart)).results), [1, 0]);
    assert.deepEqual(apart.texts, [1]);
  });

  test('the result links to the section that answers: most query words, its heading counting twice, then consecutive pairs, then the first', () => {
    const index = fakeIndex([
      frag('Page', ['a', 'Intro', 'merge here, and far away conflicts'], ['b', 'Resolving merge conflicts', 'text']),
      frag('Page', ['a', 'Intro', 'merge and git'], ['b', 'Later', 'merge and conflicts']),
      frag('Page', ['a', 'Intro', 'merge conflicts'], ['b', 'Later', 'merge conflicts']),
    ]);
    assert.equal(evidenceOf(index, 'merge conflicts', 0).best, 1, 'both words in each; b has them in its heading');
    assert.equal(evidenceOf(index, 'merge conflicts git', 1).best, 1, 'two words in each; b has consecutive ones');
    assert.equal(evidenceOf(index, 'merge conflicts', 2).best, 0, 'alike: the first');
  });

  test('interface text comes from the string tables, plural by count, with {names} filled in', () => {
    const text = { 'search.count': { one: '{n} resultado', other: '{n} resultados' }, 'search.showing': 'Mostrando «{q}».' };
    assert.equal(say('count', { n: 1 }, text), '1 resultado');
    assert.equal(say('count', { n: 3 }, text), '3 resultados');
    assert.equal(say('showing', { q: 'x' }, text), 'Mostrando «x».');
    const en = fs.readFileSync(path.join(ROOT, 'themes/default/i18n/en.yaml'), 'utf8');
    const es = fs.readFileSync(path.join(ROOT, 'themes/default/i18n/es.yaml'), 'utf8');
    const used = [...fs.readFileSync(path.join(ROOT, 'themes/default/static/search.js'), 'utf8')
      .matchAll(/say\('(\w+)'[,)]|fail\('(\w+)'|say\(allow\(\) \? '(\w+)' : '(\w+)'/g)].flatMap((m) => m.slice(1).filter(Boolean));
    used.push(...[...'pmlco'].map((k) => 'result_kind_' + k)); // kindLabel's keys
    assert.ok(used.length > 10);
    // The `search:` group: its lines up to the next group.
    const block = (y) => y.slice(y.indexOf('\nsearch:\n')).split(/\n(?=\S)/)[1];
    for (const k of new Set(used)) {
      assert.match(block(en), new RegExp(`\\n  ${k}:`), `en.yaml has search.${k}`);
      assert.match(block(es), new RegExp(`\\n  ${k}:`), `es.yaml has search.${k}`);
    }
  });
});

describe('snippet', () => {
  const filler = (n, from = 0) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');
  const page = frag('Data teams',
    ['', '', 'An introduction that mentions data once.'],
    ['cycle', 'The cycle', 'Teams run cycles of inquiry using data; the data show which cycle worked.'],
    ['data', 'Data', 'Data, data, data, data and data: more hits, one word.']);
  const first = async (pages, text, opts) => (await find(text, fakeIndex(pages), opts)).results[0].snip;

  test('picks the section with the most query words, not the most hits', async () => {
    const s = await first([page], 'data cycle');
    assert.equal(s.anchor, 'cycle');
    assert.equal(s.heading, 'The cycle');
  });
  test('is the opening of the section\'s lead: marks every word of the query, in any inflection, and nothing else', async () => {
    const s = await first([page], 'data cycle');
    assert.deepEqual(marked(s), ['cycles', 'data', 'data', 'cycle']);
    assert.equal(plain(s), 'Teams run cycles of inquiry using data; the data show which cycle worked.');
    assert.deepEqual(marked({ parts: s.head }), ['cycle'], 'and in the heading');
  });
  test('marks words the last, typed word begins', async () => {
    assert.deepEqual(marked(await first([page], 'inqu', { typing: true })), ['inquiry']);
  });
  test('a heading with the query words counts for its section', async () => {
    const f = frag('X', ['a', 'Intro', 'Some data here.'], ['b', 'Data and cycles', 'Some data here, a cycle.']);
    assert.equal((await first([f], 'data cycle')).anchor, 'b');
  });
  test('a long section shows its opening, LEAD_WORDS words, and an ellipsis', async () => {
    const s = await first([frag('X', ['long', 'Long', `${filler(30)} cycle ${filler(30, 30)}`])], 'w1');
    assert.equal(s.parts[0].text, 'w0');
    assert.equal(s.parts.at(-1).text, ' …');
    assert.equal(words(plain(s)).length, LEAD_WORDS);
    const short = await first([frag('X', ['s', 'S', 'A short cycle.'])], 'cycle');
    assert.equal(plain(short), 'A short cycle.', 'no ellipsis when the opening is the whole section');
  });
  test('an anchor sent as 0 is the one its heading makes', () => {
    const lead = { ...page, s: [[0, 'Q&A: the 2 cycles?', 'Text.'], ['own-id', 'Other', 'Text.']] };
    assert.equal(snippet(lead, [], stem, 0).anchor, 'q-a-the-2-cycles');
    assert.equal(snippet(lead, [], stem, 1).anchor, 'own-id');
  });
  test('a lead without sections gives an empty snippet', () => {
    const s = snippet({ ...page, s: [] }, parseQuery('data', EN, stem), stem, 0);
    assert.deepEqual([s.anchor, s.heading, plain(s), plain({ parts: s.head })], ['', '', '', '']);
  });
});

// ---------------------------------------------------------------- the real index of a built site
const skipReal = SITE_DIR ? false : 'SITE_DIR is not set (a built site is needed)';
// The index of each language: the default language's at search/, Spanish at es/search/.
const indexes = new Map();
function loadIndex(lang = '') {
  if (indexes.has(lang)) return indexes.get(lang);
  const dir = path.join(SITE_DIR, lang, 'search');
  const gunzipFile = (rel) => zlib.gunzipSync(fs.readFileSync(path.join(dir, rel)));
  const manifest = JSON.parse(gunzipFile('index.json.gz').toString('utf8'));
  const shards = manifest.shards.map(([, file]) => parseShard(new Uint8Array(gunzipFile(file))));
  const dict = gunzipFile(manifest.dict);
  const leads = new Map();
  for (const [, file] of manifest.leads) for (const [i, lead] of Object.entries(JSON.parse(gunzipFile(file)))) leads.set(Number(i), lead);
  // Each searchable page's text: its fragment file, or, for a page whose kind letter is a
  // capital, its lead (with the anchors its headings make written out).
  const fragments = new Map();
  const whole = new Set();
  for (let i = 0; i < manifest.pages; i++) {
    const k = manifest.page_kinds[i];
    if (k === '-') continue;
    if (k < 'a') {
      const l = leads.get(i);
      whole.add(i);
      fragments.set(i, { ...l, s: l.s.map(([a, h, t], j) => [a === 0 ? snippet(l, [], stem, j).anchor : a, h, t]) });
      continue;
    }
    // Node's zlib, not search.js's inflate: the files are standard DEFLATE.
    const raw = fs.readFileSync(path.join(dir, `f/${i}.bin`));
    fragments.set(i, JSON.parse(zlib.inflateRawSync(raw, { dictionary: dict }).toString('utf8')));
  }
  // What find() needs of an Index: the files come from disk, decoded once; `texts` lists the
  // pages whose text find() asked for.
  const texts = [];
  const index = {
    dir, manifest, shards, dict, fragments, whole, leads, stem, texts,
    shard: (i) => Promise.resolve(shards[i]),
    lead: (page) => Promise.resolve(leads.get(page)),
    // As search.js's Index does: a page without a fragment file gives its lead.
    fragment: (page) => { texts.push(page); return Promise.resolve(whole.has(page) ? leads.get(page) : fragments.get(page)); },
  };
  indexes.set(lang, index);
  return index;
}

describe('the index of the built site', { skip: skipReal }, () => {
  let manifest, shards, fragments, whole, dict, leads;
  const load = () => ({ manifest, shards, fragments, whole, dict, leads } = loadIndex(''));
  // Runs a query as the browser does (find(), with only the shards it needs): every result.
  const search = async (text, { typing = false, allow = null, lang = '' } = {}) => {
    const index = loadIndex(lang);
    const found = await find(text, index, { typing, allow, limit: 1e6 });
    return Object.assign(found.results.map((r) => ({ ...r, f: r.lead, url: r.lead.u })), { fixed: found.fixed });
  };
  const show = (results) => results.slice(0, 5).map((r) => `${r.score} ${r.f.t} (${r.url})`).join('\n  ');
  const firstIs = async (text, url, opts) => {
    const r = await search(text, opts);
    assert.ok(r.length > 0, `no results for ${JSON.stringify(text)}`);
    assert.equal(r[0].url, BASE_PATH + url, `first result for ${JSON.stringify(text)}; got:\n  ${show(r)}`);
    return r;
  };

  test('manifest: format version, one kind per page, languages and stop words', () => {
    load();
    const rust = fs.readFileSync(path.join(ROOT, 'src/search/mod.rs'), 'utf8').match(/pub const FORMAT_VERSION: u32 = (\d+);/);
    assert.ok(rust, 'FORMAT_VERSION not found in src/search/mod.rs');
    assert.equal(FORMAT_VERSION, Number(rust[1]), 'search.js and src/search/mod.rs agree on the format version');
    assert.equal(manifest.v, FORMAT_VERSION);
    assert.equal(typeof manifest.pages, 'number');
    assert.equal(manifest.page_kinds.length, manifest.pages);
    assert.match(manifest.page_kinds, /^[pmlcoPMLCO-]+$/);
    assert.deepEqual(Object.keys(manifest.kinds).sort(), ['c', 'l', 'm', 'o', 'p']);
    assert.deepEqual(manifest.langs, ['en'], 'the English index holds English pages only');
    assert.deepEqual(loadIndex('es/').manifest.langs, ['es'], 'the Spanish one Spanish pages only');
    assert.ok(loadIndex('es/').manifest.stop.es.includes('la'));
    assert.ok(manifest.stop.en.includes('the'));
    assert.match(manifest.build, /^[0-9a-f]{10}$/);
    assert.match(manifest.dict, /^t\/[0-9a-z]+\.dict\.gz$/);
  });

  test('fragments: compressed against the dictionary, which search.js inflates the same', () => {
    load();
    const rust = fs.readFileSync(path.join(ROOT, 'src/search/mod.rs'), 'utf8').match(/pub const DICT_BYTES: usize = (\d+) \* 1024;/);
    assert.ok(dict.length > 1000 && dict.length <= Number(rust[1]) * 1024, `dictionary of ${dict.length} bytes`);
    let alone = 0, withDict = 0;
    for (const i of fragments.keys()) {
      if (whole.has(i)) {
        assert.ok(!fs.existsSync(path.join(SITE_DIR, 'search', `f/${i}.bin`)), `f/${i}.bin: its lead holds it all`);
        continue;
      }
      const raw = fs.readFileSync(path.join(SITE_DIR, 'search', `f/${i}.bin`));
      const json = Buffer.from(inflate(new Uint8Array(raw), new Uint8Array(dict)));
      assert.deepEqual(JSON.parse(json.toString('utf8')), fragments.get(i), `f/${i}.bin`);
      alone += zlib.deflateRawSync(json).length;
      withDict += raw.length;
    }
    assert.ok(withDict < 0.95 * alone, `the dictionary saves little: ${withDict} bytes against ${alone}`);
  });

  test('shards: sorted by first term, every file exists, decodes, and holds its range', () => {
    load();
    assert.ok(manifest.shards.length >= 1);
    const firsts = manifest.shards.map(([t]) => t);
    for (let i = 1; i < firsts.length; i++) {
      assert.ok(Buffer.compare(Buffer.from(firsts[i - 1]), Buffer.from(firsts[i])) < 0, `shard ${i} out of order`);
      assert.ok(firsts[i - 1] < firsts[i], `shard ${i} out of order for JavaScript string comparison`);
    }
    manifest.shards.forEach(([first, file], i) => {
      assert.match(file, /^t\/[0-9a-z]+\.bin\.gz$/);
      assert.ok(fs.existsSync(path.join(SITE_DIR, 'search', file)), `missing ${file}`);
      const terms = [...shards[i].keys()];
      assert.ok(terms.length > 0, `${file} is empty`);
      assert.equal(terms[0], first, `${file} starts with the manifest's first term`);
      for (const t of terms) {
        assert.equal(shardFor(manifest.shards, t), i, `shardFor(${JSON.stringify(t)}) misses ${file}`);
        for (const [page, impact] of shards[i].get(t).postings) {
          assert.ok(page < manifest.pages && manifest.page_kinds[page] !== '-', `${t}: page ${page} is not searchable`);
          assert.ok(impact >= 1 && impact <= 255, `${t}: impact ${impact}`);
        }
      }
    });
  });

  test('fragments: one per searchable page, with its URL, kind and anchors that exist', () => {
    load();
    const searchable = [...manifest.page_kinds].filter((k) => k !== '-').length;
    assert.equal(fragments.size, searchable);
    for (const [i, f] of fragments) {
      const where = whole.has(i) ? `lead ${i}` : `f/${i}.bin`;
      assert.ok(f.t && typeof f.t === 'string', `${where}: title`);
      const letter = manifest.page_kinds[i].toLowerCase();
      assert.equal(f.k, manifest.kinds[letter], `${where}: kind label`);
      // The reader sees the kind in the interface's language: every label maps to its key.
      const text = { [`search.result_kind_${letter}`]: `kind ${letter}` };
      globalThis.PLAYBOOK_STRINGS = { text };
      try {
        assert.equal(kindLabel(f.k), `kind ${letter}`, `${where}: kind label from the tables`);
      } finally {
        delete globalThis.PLAYBOOK_STRINGS;
      }
      assert.ok(f.u.startsWith(BASE_PATH), `${where}: URL ${f.u} is not under ${BASE_PATH}`);
      const file = path.join(SITE_DIR, decodeURIComponent(f.u.slice(BASE_PATH.length)), 'index.html');
      assert.ok(fs.existsSync(file), `${where}: no page at ${f.u}`);
      const html = fs.readFileSync(file, 'utf8');
      assert.ok(Array.isArray(f.s) && f.s.length > 0, `${where}: sections`);
      for (const [anchor] of f.s) {
        if (anchor) assert.ok(html.includes(`id="${anchor}"`), `${where}: #${anchor} is not on ${f.u}`);
      }
    }
  });

  test('leads: one per searchable page, in the group its id falls in, with the fragment\'s sections cut to their openings', () => {
    load();
    assert.ok(manifest.leads.length >= 1);
    assert.equal(manifest.leads[0][0], 0);
    for (let i = 1; i < manifest.leads.length; i++) assert.ok(manifest.leads[i - 1][0] < manifest.leads[i][0], 'groups in page order');
    manifest.leads.forEach(([first, file], g) => {
      assert.match(file, /^t\/[0-9a-z]+\.leads\.gz$/);
      const next = manifest.leads[g + 1]?.[0] ?? manifest.pages;
      const ids = Object.keys(JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(SITE_DIR, 'search', file))))).map(Number);
      assert.ok(ids.length > 0 && ids.every((i) => i >= first && i < next), `${file} holds pages ${first}..${next - 1} only`);
    });
    assert.deepEqual([...leads.keys()].sort((a, b) => a - b), [...fragments.keys()].sort((a, b) => a - b));
    for (const [i, f] of fragments) {
      const l = leads.get(i);
      assert.deepEqual({ ...l, s: null }, { ...f, s: null }, `lead ${i}: title, URL, kind, breadcrumb, language`);
      assert.equal(l.s.length, f.s.length, `lead ${i}: the same sections`);
      l.s.forEach(([a, h, opening, more], j) => {
        const [fa, fh, text] = f.s[j];
        // An anchor its heading makes comes as 0, and the snippet makes it.
        assert.deepEqual([a === 0 ? snippet(l, [], stem, j).anchor : a, h], [fa, fh]);
        assert.ok(text.startsWith(opening), `lead ${i} section ${j}: an opening of its text`);
        assert.equal(more === 1, opening.length < text.length, `lead ${i} section ${j}: cut flag`);
      });
      // A page has a fragment file exactly when its lead cuts a section.
      assert.equal(whole.has(i), !l.s.some((x) => x[3] === 1), `page ${i}: kind letter ${manifest.page_kinds[i]}`);
    }
  });

  test('postings: each section listed holds the term; forms and the title bit are the page\'s', () => {
    load();
    const all = new Map(shards.flatMap((sh) => [...sh]));
    let checked = 0;
    for (const [term, e] of all) {
      for (const [page] of e.postings) {
        const f = fragments.get(page);
        const has = (text) => words(text).some(({ word }) => termsOf(word, f.l, stem).includes(term));
        const [F, ...secs] = e.where.get(page);
        assert.equal((F & 128) !== 0, has(f.t), `${term} on ${f.u}: title bit`);
        for (const c of secs) {
          const [, h, t] = f.s[c >> 1];
          assert.ok(has(h) || has(t), `${term} on ${f.u}: section ${c >> 1}`);
          assert.equal((c & 1) === 1, has(h), `${term} on ${f.u}: heading flag of section ${c >> 1}`);
        }
        const texts = [f.t, ...f.s.flatMap(([, h2, t2]) => [h2, t2])];
        // A form the page shows has its bit (F may also count text the fragment does not show).
        e.forms.forEach((form, j) => {
          if (texts.some((x) => words(x).some(({ word }) => fold(word) === form))) assert.ok((F >> j) & 1, `${term}: form ${form} on ${f.u}`);
        });
        if (++checked > 3000) return;
      }
    }
  });

  test('every word of every page, analysed as the browser does, finds that page', () => {
    load();
    const all = new Map(shards.flatMap((s) => [...s]));
    const missing = [];
    for (const [i, f] of fragments) {
      const lang = f.l.split(/[-_]/)[0];
      for (const text of [f.t, ...f.s.flatMap(([, h, t]) => [h, t])]) {
        for (const { word } of words(text)) {
          if ((manifest.stop[lang] || []).includes(word.toLowerCase())) continue;
          if (!termsOf(word, lang, stem).some((t) => all.get(t)?.postings.has(i))) missing.push(`${word} (${f.u})`);
        }
      }
    }
    assert.deepEqual(missing.slice(0, 20), [], `${missing.length} words are not found on their own page`);
  });

  test('English: known first results', async () => {
    const cycle = await firstIs('cycle of inquiry', 'playbook/results-oriented-cycle-of-inquiry/');
    assert.equal(cycle[0].f.t, 'The Results-Oriented Cycle of Inquiry');
    const marks = new Set(shown(cycle[0].snip).map(fold));
    assert.ok(marks.size > 0 && [...marks].every((w) => ['cycle', 'inquiry'].includes(w)), `marks ${[...marks]}: the query's words, in the section heading or its opening`);
    await firstIs('Distributed leadership', 'playbook/distributed-leadership/');
    await firstIs('rubric', 'playbook/the-transformation-rubric/');
    assert.deepEqual([...await search('of the and')], [], 'stop words alone find nothing');
    assert.deepEqual(loadIndex('').texts, [], 'queries without quotes fetch no page text');
  });

  test('English: a word being typed finds what it begins', async () => {
    await firstIs('cycle of inq', 'playbook/results-oriented-cycle-of-inquiry/', { typing: true });
    await firstIs('iceber', 'courses/rccp-foundations/identity/the-cultural-iceberg/', { typing: true });
    // ("lead" would be a word of the index, searched as itself: "leadersh" is not.)
    const r = await firstIs('distributed leadersh', 'playbook/distributed-leadership/', { typing: true });
    const best = fragments.get(r[0].page).s.find(([a]) => a === r[0].snip.anchor);
    assert.ok([r[0].f.t, best[1], best[2]].some((t) => /leadership/i.test(t)), 'the title, heading or snippet shows the completed word');
    const s = await search('leadersh', { typing: true });
    assert.ok(s.some((x) => shown(x.snip).some((w) => w.toLowerCase() === 'leadership')), 'snippets mark the completed word');
    assert.deepEqual(pagesOf(await search('cycle of inq')), pagesOf(await search('cycle of inq', { typing: true })),
      'the results page completes the last word as the box does');
    assert.equal((await search('inq cycle')).length, 0, '"inq" is not the last word: a whole word, found nowhere');
  });

  // The ranking the box shows after the last key is the results page's: the box only adds,
  // after all of those, pages of words the last one begins.
  test('English: the header box ranks a query as the results page does', async () => {
    for (const text of ['cycle of inquiry', 'distributed leadership', 'equity', 'teacher', 'lead', 'data teams', 'culturaly responsive']) {
      const page = pagesOf(await search(text));
      const box = pagesOf(await search(text, { typing: true }));
      assert.deepEqual(box.slice(0, page.length), page, `"${text}": box ${box.slice(0, 8)} page ${page.slice(0, 8)}`);
    }
  });

  test('English: a misspelt word of five or more letters is corrected from the shards fetched', async () => {
    const r = await search('distrbuted leadership');
    assert.equal(r.fixed, 'distributed leadership');
    assert.deepEqual(pagesOf(r), pagesOf(await search('distributed leadership')));
    const typed = await search('cultral iceberg');
    assert.equal(typed.fixed, 'cultural iceberg');
    assert.equal(typed[0].url, BASE_PATH + 'courses/rccp-foundations/identity/the-cultural-iceberg/');
    // The corrections are looked up in the word's own shards and at most 3 around the start of
    // the word: no more requests than that.
    const index = loadIndex('');
    const asked = new Set();
    const counting = { ...index, shard: (i) => { asked.add(i); return index.shard(i); } };
    assert.equal((await find('rubirc', counting, { limit: 1 })).fixed, 'rubric');
    const own = shardsFor(parseQuery('rubirc', manifest, stem), manifest.shards);
    assert.ok(asked.size <= own.length + 3, `${asked.size} shards for one typo`);
  });

  test('English: each result names the section that matched and links to its heading', async () => {
    const r = await search('cycle of inquiry');
    for (const x of r.slice(0, 5)) {
      const sec = fragments.get(x.page).s.find(([a]) => a === x.snip.anchor);
      assert.ok(sec, `${x.url}: #${x.snip.anchor} is one of its sections`);
      assert.equal(x.snip.heading, sec[1]);
    }
  });

  // Typing a word letter by letter must keep finding the pages that contain the word: a prefix
  // can only widen the results of the whole word, never drop them.
  test('English: every prefix of a word being typed finds the pages of the whole word', async () => {
    const lost = [];
    for (const word of ['making', 'using', 'education', 'information', 'teaching', 'leadership', 'iceberg']) {
      const whole = new Set(pagesOf(await search(word)));
      assert.ok(whole.size > 0, `${word} is found`);
      for (let n = 3; n < word.length; n++) {
        const found = new Set(pagesOf(await search(word.slice(0, n), { typing: true })));
        const gone = [...whole].filter((p) => !found.has(p));
        if (gone.length) lost.push(`"${word.slice(0, n)}" (typing "${word}") finds ${found.size} pages, loses ${gone.length} of ${whole.size}`);
      }
    }
    assert.deepEqual(lost, [], 'prefixes that lose pages of the word being typed');
  });

  test('kind filter over the real index', async () => {
    const all = await search('cycle of inquiry');
    const playbook = await search('cycle of inquiry', { allow: new Set(['p']) });
    assert.ok(playbook.length > 0 && playbook.length < all.length);
    assert.ok(playbook.every((r) => r.f.k === 'Playbook'));
    const sameSet = (a, b) => assert.deepEqual(new Set(pagesOf(a)), new Set(pagesOf(b)));
    sameSet(playbook, all.filter((r) => r.f.k === 'Playbook'));
    const plain = (rs) => pagesOf(rs.slice(K));
    assert.deepEqual(plain(playbook), pagesOf(all.filter((r) => r.f.k === 'Playbook')).filter((p) => plain(playbook).includes(p)),
      'past the re-ranked first K, the same order, others left out');
  });

  test('languages: each index holds its own language; English words find no Spanish page', async () => {
    for (const r of await search('trust')) assert.equal(r.f.l, 'en', `${r.url} in the English index`);
    for (const r of await search('confianza')) assert.equal(r.f.l, 'en', `${r.url}: the Spanish lesson is in the Spanish index only`);
    for (const r of await search('confianza', { lang: 'es/' })) assert.equal(r.f.l, 'es');
  });

  test('Spanish: "confianza" finds the Spanish lesson first', async () => {
    const r = await firstIs('confianza', 'es/lecciones/la-confianza-es-la-base/', { lang: 'es/' });
    assert.equal(r[0].f.l, 'es');
    assert.ok(shown(r[0].snip).some((w) => w.toLowerCase() === 'confianza'));
    await firstIs('La confianza es la base', 'es/lecciones/la-confianza-es-la-base/', { lang: 'es/' });
  });

  test('Spanish: a query without accents finds the accented word', async () => {
    const es = { lang: 'es/' };
    for (const [query, word] of [['interaccion', 'interacción'], ['tecnica', 'técnica'], ['relacion', 'Relación']]) {
      const r = await firstIs(query, 'es/lecciones/la-confianza-es-la-base/', es);
      // The word may be past the section's opening: marked as a snippet would mark it, in the
      // page's whole text.
      const q = (await find(query, loadIndex('es/'))).query;
      const text = loadIndex('es/').fragments.get(r[0].page).s.map(([, h, t]) => `${h} ${t}`).join(' ');
      const p = look(text, q, 'es', stem);
      const hits = p.from.map((f, i) => (p.m[i] >= 0 ? text.slice(f, p.to[i]) : null)).filter(Boolean);
      assert.ok(hits.includes(word), `${query}: marks ${JSON.stringify(hits)}, not ${word}`);
    }
    await firstIs('interacción', 'es/lecciones/la-confianza-es-la-base/', es);
    await firstIs('lecciones', 'es/lecciones/la-confianza-es-la-base/', es);
  });
});
