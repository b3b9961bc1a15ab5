// Unit tests of the pure functions of themes/default/static/search.js (folding, words, terms,
// query parsing, shard decoding, ranking, snippets), then the same functions over the real index
// of a built site: the manifest, shards and fragments src/search.rs wrote, and known answers to
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
  FORMAT_VERSION, fold, words, textWords, termsOf, parseQuery, parseShard, shardFor, shardsFor, rank, snippet,
  inflate, gunzip,
} from '../../themes/default/static/search.js';
import { stem } from '../../themes/default/static/stem.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SITE_DIR = process.env.SITE_DIR;
const BASE_PATH = ('/' + (process.env.BASE_PATH || '/') + '/').replace(/\/+/g, '/');

// ---------------------------------------------------------------- hand-made index data
// The stop words and languages of a manifest, as src/search.rs writes them.
const STOP = {
  en: ['a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'from', 'has', 'have', 'in', 'is', 'it',
    'its', 'of', 'on', 'or', 'that', 'the', 'their', 'this', 'to', 'was', 'were', 'which', 'with'],
  es: ['a', 'al', 'con', 'de', 'del', 'el', 'en', 'es', 'la', 'las', 'lo', 'los', 'para', 'por', 'que', 'se',
    'su', 'sus', 'un', 'una', 'y'],
};
const EN = { langs: ['en'], stop: { en: STOP.en } };
const EN_ES = { langs: ['en', 'es'], stop: STOP };

// Shard bytes per the format in src/search.rs: varint(term count), then per term (in order)
// varint(byte length) + UTF-8 bytes, a truncated byte (0/1), varint(posting count), and per
// posting varint(page - previous page) + one impact byte (1..=255).
function varint(n) {
  const out = [];
  for (;;) {
    const b = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}
function shardBytes(entries) {
  const out = [...varint(entries.length)];
  for (const [term, truncated, postings] of entries) {
    const utf8 = new TextEncoder().encode(term);
    out.push(...varint(utf8.length), ...utf8, truncated ? 1 : 0, ...varint(postings.length));
    let prev = 0;
    for (const [page, impact] of postings) {
      out.push(...varint(page - prev), impact);
      prev = page;
    }
  }
  return new Uint8Array(out);
}
// A parsed shard (term → { truncated, postings }) straight from [term, truncated, [[page, impact]]].
const termMap = (entries) =>
  new Map(entries.map(([t, truncated, ps]) => [t, { truncated, postings: new Map(ps) }]));
const pagesOf = (results) => results.map((r) => r.page);
const q = (word, terms, prefix = null) => ({ word, terms, prefix });
const marked = (snip) => snip.parts.filter((p) => p.mark).map((p) => p.text);
const plain = (snip) => snip.parts.map((p) => p.text).join('');

// ---------------------------------------------------------------- unit tests
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
    assert.throws(() => gunzip(new Uint8Array(gz.subarray(0, gz.length >> 1))), /ends early/);
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

  test('splits by Unicode word boundaries as src/search.rs does, with each word\'s index', () => {
    const ws = words(SENTENCE);
    assert.deepEqual(ws.map((w) => w.word), EXPECTED);
    for (const w of ws) assert.equal(SENTENCE.slice(w.index, w.index + w.word.length), w.word, `index of ${w.word}`);
    assert.deepEqual(words(' — , . ! '), [], 'punctuation alone has no words');
  });

  test('textWords (for snippets) finds the same words as the segmenter in spaced scripts', () => {
    const text = SENTENCE + " e.g. 2,000 teachers' share_of_time 3.5% l'école Ñandú — ok";
    assert.deepEqual(textWords(text), words(text));
    const ascii = "The 2009-10 cycle: e.g. 2,000 teachers' share_of_time, 3.5% (ROCI) it's v1.2 _x a.b.c 12,5.6 don't.";
    assert.deepEqual(textWords(ascii), words(ascii), 'ASCII text takes a faster expression to the same words');
    const thai = 'ภาษาไทยง่ายนิดเดียว school';
    assert.deepEqual(textWords(thai), words(thai), 'a script without spaces goes to the segmenter');
  });

  test('without Intl.Segmenter, the fallback finds the same words at the same places', (t) => {
    const saved = Intl.Segmenter;
    t.after(() => { Intl.Segmenter = saved; });
    const withSegmenter = words(SENTENCE);
    Intl.Segmenter = undefined;
    assert.deepEqual(words(SENTENCE), withSegmenter);
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
  test('drops stop words; each word has its terms and no prefix when not typing', () => {
    assert.deepEqual(parseQuery('The cycle of Inquiry', EN, stem, false), [
      q('cycle', ['cycl']),
      q('Inquiry', ['inquiri']),
    ]);
  });
  test('a query of stop words only is empty', () => {
    assert.deepEqual(parseQuery('of the', EN, stem, false), []);
    assert.deepEqual(parseQuery('  ', EN, stem, true), []);
  });
  test('while typing, the last word also carries its folded spelling as a prefix', () => {
    const parsed = parseQuery('Cycle of INQUÍ', EN, stem, true);
    assert.deepEqual(parsed.map((w) => w.prefix), [null, 'inqui']);
    assert.equal(parsed[1].word, 'INQUÍ');
  });
  test('words get the terms of every index language, and the stop words of every language', () => {
    const parsed = parseQuery('la confianza', EN_ES, stem, false);
    assert.equal(parsed.length, 1, '"la" is a Spanish stop word');
    assert.deepEqual(new Set(parsed[0].terms), new Set(['confianza', 'confianz']));
    assert.deepEqual(new Set(parseQuery('Educación', EN_ES, stem, false)[0].terms), new Set(['educacion', 'educ']));
  });
  test('a manifest without langs parses queries as English', () => {
    assert.deepEqual(parseQuery('teaching', {}, stem, false), [q('teaching', ['teach'])]);
  });
});

describe('parseShard', () => {
  test('decodes hand-made bytes: terms, truncated flags, page deltas, impacts', () => {
    const entries = [
      ['cycl', false, [[0, 255], [3, 17], [300, 1]]], // 300 - 3 needs a two-byte varint
      ['niño', true, [[2, 9]]], // multi-byte UTF-8 term
      ['z', false, []],
    ];
    const bytes = shardBytes(entries);
    assert.deepEqual([...bytes.subarray(0, 13)],
      [3, 4, 99, 121, 99, 108, 0, 3, 0, 255, 3, 17, 0xa9], 'the bytes are laid out as src/search.rs says');
    const got = parseShard(bytes);
    assert.deepEqual([...got.keys()], ['cycl', 'niño', 'z']);
    const plain = (e) => ({ truncated: e.truncated, postings: e.postings });
    assert.deepEqual(plain(got.get('cycl')), { truncated: false, postings: new Map([[0, 255], [3, 17], [300, 1]]) });
    assert.deepEqual(plain(got.get('niño')), { truncated: true, postings: new Map([[2, 9]]) });
    assert.deepEqual(plain(got.get('z')), { truncated: false, postings: new Map() });
    assert.equal(got.get('cycl').postings, got.get('cycl').postings, 'postings are decoded once');
  });
  test('large page numbers and counts round-trip', () => {
    const many = Array.from({ length: 200 }, (_, i) => [i * 1000 + 70000, (i % 255) + 1]);
    const got = parseShard(shardBytes([['big', false, many]]));
    assert.deepEqual([...got.get('big').postings], many);
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

describe('snippet', () => {
  const filler = (n, from = 0) => Array.from({ length: n }, (_, i) => `w${from + i}`).join(' ');
  const frag = {
    t: 'Data teams', u: '/x/', k: 'Playbook', b: '', l: 'en',
    s: [
      ['', '', 'An introduction that mentions data once.'],
      ['cycle', 'The cycle', 'Teams run cycles of inquiry using data; the data show which cycle worked.'],
      ['data', 'Data', 'Data, data, data, data and data: more hits, one word.'],
    ],
  };
  const query = (text, typing = false) => parseQuery(text, EN, stem, typing);

  test('picks the section with the most query words, not the most hits', () => {
    const s = snippet(frag, query('data cycle'), stem);
    assert.equal(s.anchor, 'cycle');
    assert.equal(s.heading, 'The cycle');
  });
  test('marks every word of the query, in any inflection, and nothing else', () => {
    const s = snippet(frag, query('data cycle'), stem);
    assert.deepEqual(marked(s), ['cycles', 'data', 'data', 'cycle']);
    assert.equal(plain(s), 'Teams run cycles of inquiry using data; the data show which cycle worked');
  });
  test('marks words the last, typed word begins', () => {
    assert.deepEqual(marked(snippet(frag, query('inqu', true), stem)), ['inquiry']);
  });
  test('a heading with the query words counts for its section', () => {
    const f = { ...frag, s: [['a', 'Intro', 'Some data here.'], ['b', 'Data and cycles', 'Some data here.']] };
    assert.equal(snippet(f, query('data cycle'), stem).anchor, 'b');
  });
  test('cuts long text around the first hit with ellipses', () => {
    const text = `${filler(50)} cycle ${filler(50, 50)}`;
    const s = snippet({ ...frag, s: [['long', 'Long', text]] }, query('cycle'), stem);
    assert.equal(s.parts[0].text, '… ');
    assert.equal(s.parts.at(-1).text, ' …');
    const body = plain(s).replace(/^… | …$/g, '');
    assert.ok(text.includes(body), 'the snippet is a piece of the text');
    const shown = words(body).map((w) => w.word);
    assert.equal(shown.indexOf('cycle'), 14, 'fourteen words of context before the hit');
    assert.equal(shown.length, 42, 'and the hit with 27 words after it');
  });
  test('no ellipsis at an end the snippet reaches', () => {
    const atStart = snippet({ ...frag, s: [['s', 'S', `cycle ${filler(60)}`]] }, query('cycle'), stem);
    assert.notEqual(atStart.parts[0].text, '… ');
    assert.equal(atStart.parts.at(-1).text, ' …');
    const short = snippet({ ...frag, s: [['s', 'S', 'A short cycle.']] }, query('cycle'), stem);
    assert.equal(plain(short), 'A short cycle');
  });
  test('a fragment without sections gives an empty snippet', () => {
    assert.deepEqual(snippet({ ...frag, s: [] }, query('data'), stem), { anchor: '', heading: '', parts: [] });
  });
});

// ---------------------------------------------------------------- the real index of a built site
const skipReal = SITE_DIR ? false : 'SITE_DIR is not set (a built site is needed)';
const gunzipFile = (rel) => zlib.gunzipSync(fs.readFileSync(path.join(SITE_DIR, 'search', rel)));

describe('the index of the built site', { skip: skipReal }, () => {
  let manifest, shards, fragments, dict;
  const load = () => {
    if (manifest) return;
    manifest = JSON.parse(gunzipFile('index.json.gz').toString('utf8'));
    shards = manifest.shards.map(([, file]) => parseShard(new Uint8Array(gunzipFile(file))));
    dict = gunzipFile(manifest.dict);
    fragments = new Map();
    for (let i = 0; i < manifest.pages; i++) {
      if (manifest.page_kinds[i] === '-') continue;
      // Node's zlib, not search.js's inflate: the files are standard DEFLATE.
      const raw = fs.readFileSync(path.join(SITE_DIR, 'search', `f/${i}.bin`));
      fragments.set(i, JSON.parse(zlib.inflateRawSync(raw, { dictionary: dict }).toString('utf8')));
    }
  };
  // Runs a query as the browser does, with only the shards it needs (decoded once, by load()).
  const search = (text, { typing = false, allow = null } = {}) => {
    load();
    const query = parseQuery(text, manifest, stem, typing);
    const need = shardsFor(query, manifest.shards);
    const terms = new Map(need.flatMap((i) => [...shards[i]]));
    return rank(query, terms, manifest.page_kinds, allow).map((r) => {
      const f = fragments.get(r.page);
      return { ...r, f, url: f.u, get snip() { return snippet(f, query, stem); } };
    });
  };
  const show = (results) => results.slice(0, 5).map((r) => `${r.score} ${r.f.t} (${r.url})`).join('\n  ');
  const firstIs = (text, url, opts) => {
    const r = search(text, opts);
    assert.ok(r.length > 0, `no results for ${JSON.stringify(text)}`);
    assert.equal(r[0].url, BASE_PATH + url, `first result for ${JSON.stringify(text)}; got:\n  ${show(r)}`);
    return r;
  };

  test('manifest: format version, one kind per page, languages and stop words', () => {
    load();
    const rust = fs.readFileSync(path.join(ROOT, 'src/search.rs'), 'utf8').match(/pub const FORMAT_VERSION: u32 = (\d+);/);
    assert.ok(rust, 'FORMAT_VERSION not found in src/search.rs');
    assert.equal(FORMAT_VERSION, Number(rust[1]), 'search.js and src/search.rs agree on the format version');
    assert.equal(manifest.v, FORMAT_VERSION);
    assert.equal(typeof manifest.pages, 'number');
    assert.equal(manifest.page_kinds.length, manifest.pages);
    assert.match(manifest.page_kinds, /^[pmlco-]+$/);
    assert.deepEqual(Object.keys(manifest.kinds).sort(), ['c', 'l', 'm', 'o', 'p']);
    assert.deepEqual(manifest.langs, ['en', 'es']);
    assert.ok(manifest.stop.en.includes('the') && manifest.stop.es.includes('la'));
    assert.match(manifest.build, /^[0-9a-f]{10}$/);
    assert.match(manifest.dict, /^t\/[0-9a-z]+\.dict\.gz$/);
  });

  test('fragments: compressed against the dictionary, which search.js inflates the same', () => {
    load();
    const rust = fs.readFileSync(path.join(ROOT, 'src/search.rs'), 'utf8').match(/pub const DICT_BYTES: usize = (\d+) \* 1024;/);
    assert.ok(dict.length > 1000 && dict.length <= Number(rust[1]) * 1024, `dictionary of ${dict.length} bytes`);
    let alone = 0, withDict = 0;
    for (const i of fragments.keys()) {
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
      const where = `f/${i}.bin`;
      assert.ok(f.t && typeof f.t === 'string', `${where}: title`);
      assert.equal(f.k, manifest.kinds[manifest.page_kinds[i]], `${where}: kind label`);
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

  test('English: known first results', () => {
    const cycle = firstIs('cycle of inquiry', 'playbook/results-oriented-cycle-of-inquiry/');
    assert.equal(cycle[0].f.t, 'The Results-Oriented Cycle of Inquiry');
    assert.deepEqual(marked(cycle[0].snip).map(fold), ['cycle', 'inquiry']);
    firstIs('Distributed leadership', 'playbook/distributed-leadership/');
    firstIs('rubric', 'playbook/the-transformation-rubric/');
    assert.deepEqual(search('of the and'), [], 'stop words alone find nothing');
  });

  test('English: a word being typed finds what it begins', () => {
    firstIs('cycle of inq', 'playbook/results-oriented-cycle-of-inquiry/', { typing: true });
    firstIs('iceber', 'courses/rccp-foundations/identity/the-cultural-iceberg/', { typing: true });
    const r = firstIs('distributed lead', 'playbook/distributed-leadership/', { typing: true });
    assert.ok(marked(r[0].snip).some((w) => w.toLowerCase() === 'leadership'), 'the snippet marks the completed word');
    assert.equal(search('cycle of inq').length, 0, 'not typing: "inq" is a whole word, found nowhere');
  });

  // Typing a word letter by letter must keep finding the pages that contain the word: a prefix
  // can only widen the results of the whole word, never drop them.
  test('English: every prefix of a word being typed finds the pages of the whole word', () => {
    const lost = [];
    for (const word of ['making', 'using', 'education', 'information', 'teaching', 'leadership', 'iceberg']) {
      const whole = new Set(pagesOf(search(word)));
      assert.ok(whole.size > 0, `${word} is found`);
      for (let n = 3; n < word.length; n++) {
        const found = new Set(pagesOf(search(word.slice(0, n), { typing: true })));
        const gone = [...whole].filter((p) => !found.has(p));
        if (gone.length) lost.push(`"${word.slice(0, n)}" (typing "${word}") finds ${found.size} pages, loses ${gone.length} of ${whole.size}`);
      }
    }
    assert.deepEqual(lost, [], 'prefixes that lose pages of the word being typed');
  });

  test('kind filter over the real index', () => {
    const all = search('cycle of inquiry');
    const playbook = search('cycle of inquiry', { allow: new Set(['p']) });
    assert.ok(playbook.length > 0 && playbook.length < all.length);
    assert.ok(playbook.every((r) => r.f.k === 'Playbook'));
    assert.deepEqual(pagesOf(playbook), pagesOf(all.filter((r) => r.f.k === 'Playbook')), 'same order, others left out');
  });

  test('Spanish: "confianza" finds the Spanish lesson first', () => {
    const r = firstIs('confianza', 'lessons/la-confianza-es-la-base/');
    assert.equal(r[0].f.l, 'es');
    assert.ok(marked(r[0].snip).some((w) => w.toLowerCase() === 'confianza'));
    firstIs('La confianza es la base', 'lessons/la-confianza-es-la-base/');
  });

  test('Spanish: a query without accents finds the accented word', () => {
    for (const [query, word] of [['interaccion', 'interacción'], ['tecnica', 'técnica'], ['relacion', 'Relación']]) {
      const r = firstIs(query, 'lessons/la-confianza-es-la-base/');
      assert.ok(marked(r[0].snip).includes(word), `${query}: marks ${JSON.stringify(marked(r[0].snip))}, not ${word}`);
    }
    firstIs('interacción', 'lessons/la-confianza-es-la-base/');
    firstIs('lecciones', 'lessons/la-confianza-es-la-base/');
  });
});
