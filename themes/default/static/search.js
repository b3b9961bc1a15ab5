// Site search, with no server: fetches only the index shards a query's words need, then the
// text of the results it shows. Index format: src/search/. The pure functions (folding,
// decoding, ranking, snippets) are exported for tests; the DOM glue at the end only runs in a
// browser. Widgets follow the WAI-ARIA combobox pattern (header box) and a plain form with
// filters (the results page at search/).

export const FORMAT_VERSION = 5;

/** Lowercases and strips accents: "Educación" → "educacion". */
export function fold(s) {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 127) return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  }
  return s.toLowerCase();
}

// Scripts written without spaces between words need the browser's dictionary-based segmenter
// (Unicode's word boundaries, as src/search/analysis.rs finds them); for the others a regular
// expression finds the same words much faster (letters, digits and underscores, joined by an
// apostrophe or a period; digits joined by a comma or a period, as Unicode's rules join them).
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const SPACED_WORD = /(?:\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{M}_])[\p{L}\p{M}\p{N}_]*(?:['’.][\p{L}\p{M}\p{N}_]+)*/gu;
let segmenter = null;

/** Where the words of a text begin and end (`from`, `to`): no object or string per word. */
export function spans(text) {
  const from = [], to = [];
  if (UNSPACED.test(text) && globalThis.Intl?.Segmenter) {
    // (Building the segmenter costs a fresh page a tenth of a second on a slow phone.)
    segmenter ||= new Intl.Segmenter(undefined, { granularity: 'word' });
    for (const w of segmenter.segment(text)) if (w.isWordLike) { from.push(w.index); to.push(w.index + w.segment.length); }
  } else {
    // exec in a loop, not matchAll: the same matches without an iterator and a copy per word.
    SPACED_WORD.lastIndex = 0;
    for (let m; (m = SPACED_WORD.exec(text));) { from.push(m.index); to.push(SPACED_WORD.lastIndex); }
  }
  return { from, to };
}

function baseLang(lang) { return (lang || 'en').split(/[-_]/)[0]; }

/** Index terms of one word in one language, as src/search/analysis.rs makes them. */
export function termsOf(word, lang, stem) {
  const lower = word.toLowerCase().replace(/\u2019/g, "'");
  const l = baseLang(lang);
  const first = fold(stem(lower, l));
  const second = l === 'es' ? fold(stem(fold(lower), l)) : first;
  return second === first ? [first] : [first, second];
}

/**
 * Parses a query into the words to look up, stop words dropped: each with the exact terms it
 * may be indexed under (one per index language) and its folded spelling (`form`); the last
 * word, unless inside quotes, also carries that spelling as a `prefix`, used only when none of
 * its terms is in the index (see `resolve`). Words between double quotes form a phrase:
 * `.phrases` lists each as its folded words, stop words kept, for `evidence` to find in the text.
 */
export function parseQuery(text, manifest, stem) {
  const stops = new Set(Object.values(manifest.stop || {}).flat());
  const out = [];
  out.phrases = [];
  const parts = text.split(/["“”„]/);
  parts.forEach((part, i) => {
    const quoted = i % 2 === 1 && i < parts.length - 1;
    const { from, to } = spans(part);
    const ws = from.map((f, k) => part.slice(f, to[k]));
    const phrase = [];
    ws.forEach((w, j) => {
      const lower = w.toLowerCase();
      const form = fold(lower);
      if (stops.has(lower)) { phrase.push({ form, at: -1 }); return; }
      const terms = new Set();
      for (const l of manifest.langs || ['en']) for (const t of termsOf(w, l, stem)) terms.add(t);
      const last = !quoted && i === parts.length - 1 && j === ws.length - 1;
      phrase.push({ form, at: out.length });
      // A word of one or two letters being typed is looked up as it is: what it begins would
      // be most of the index's shards.
      out.push({ word: w, terms: [...terms], form, prefix: last && form.length > 2 ? form : null });
    });
    if (quoted && phrase.length > 1) out.phrases.push(phrase);
  });
  return out;
}

// ------------------------------------------------------------------------------- inflate
// DEFLATE (RFC 1951) decoding, synchronous: the index's files are a few kilobytes each, for
// which DecompressionStream's stream plumbing costs more than the decoding, and it cannot
// start from a preset dictionary, which the result fragments are compressed against.

// The base value and extra bits of each length code (257–285) and distance code (0–29): each
// run of codes with the same extra bits (one more every 4 length codes, every 2 distance codes)
// starts where the last ended (RFC 1951, 3.2.5); length code 285 is 258 with none.
const LEN_BASE = [], LEN_EXTRA = [], DIST_BASE = [], DIST_EXTRA = [];
for (let i = 0, len = 3, d = 1; i < 30; i++) {
  const le = i < 8 || i > 27 ? 0 : (i >> 2) - 1, de = i < 4 ? 0 : (i >> 1) - 1;
  LEN_BASE.push(i === 28 ? 258 : len);
  LEN_EXTRA.push(le);
  len += 1 << le;
  DIST_BASE.push(d);
  DIST_EXTRA.push(de);
  d += 1 << de;
}
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code from code lengths, as a table over the next `max` bits of input (the
 * longest code's length; DEFLATE sends codes first bit first, so it is indexed by codes
 * reversed): symbol << 4 | length, 0 where no code is.
 */
function huffman(lengths) {
  const count = new Uint16Array(16), next = new Uint16Array(16);
  const max = Math.max(...lengths), fast = new Uint16Array(1 << max);
  for (const l of lengths) count[l]++;
  count[0] = 0;
  for (let l = 1, c = 0; l < 16; l++) next[l] = c = (c + count[l - 1]) << 1;
  lengths.forEach((l, s) => {
    let r = 0;
    for (let c = next[l]++, i = 0; i < l; i++, c >>= 1) r = (r << 1) | (c & 1);
    for (; l && r < fast.length; r += 1 << l) fast[r] = (s << 4) | l;
  });
  return { fast, max };
}

/**
 * Inflates raw DEFLATE `data`. With `dict`, decoding starts with it as the window's contents
 * (zlib's preset dictionary); it is not part of the output.
 */
const corrupt = () => { throw new Error('the compressed data is corrupt'); };

export function inflate(data, dict = null) {
  const start = dict ? dict.length : 0;
  let out = new Uint8Array(start + data.length * 4 + 258);
  if (dict) out.set(dict);
  let op = start, pos = 0, buf = 0, cnt = 0;
  // At least `n` bits in `buf` (fewer only at the end of the data).
  const fill = (n) => { for (; cnt < n && pos < data.length; cnt += 8) buf |= data[pos++] << cnt; };
  const bits = (n) => {
    fill(n);
    if (cnt < n) corrupt();
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    cnt -= n;
    return v;
  };
  const decode = ({ fast, max }) => {
    fill(max);
    const e = fast[buf & ((1 << max) - 1)], l = e & 15;
    if (!e || l > cnt) corrupt();
    buf >>>= l;
    cnt -= l;
    return e >> 4;
  };
  let last;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // Stored: the rest of this byte is skipped (the bits read ahead are whole bytes past it).
      pos -= cnt >> 3;
      buf = cnt = 0;
      const len = data[pos] | (data[pos + 1] << 8);
      pos += 4;
      if (pos + len > data.length) corrupt();
      room(len);
      out.set(data.subarray(pos, pos + len), op);
      op += len;
      pos += len;
      continue;
    }
    let lit, dist;
    if (type === 1) {
      lit = huffman(new Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280));
      dist = huffman(new Array(30).fill(5));
    } else if (type === 2) {
      const nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      const cl = new Array(19).fill(0);
      for (let i = 0; i < ncode; i++) cl[CLEN_ORDER[i]] = bits(3);
      const clCode = huffman(cl);
      const lengths = [];
      while (lengths.length < nlen + ndist) {
        const sym = decode(clCode);
        if (sym < 16) lengths.push(sym);
        else if (sym === 16) {
          if (!lengths.length) corrupt();
          const prev = lengths[lengths.length - 1];
          for (let r = 3 + bits(2); r > 0; r--) lengths.push(prev);
        } else {
          for (let r = sym === 17 ? 3 + bits(3) : 11 + bits(7); r > 0; r--) lengths.push(0);
        }
      }
      lit = huffman(lengths.slice(0, nlen));
      dist = huffman(lengths.slice(nlen, nlen + ndist));
    } else {
      corrupt();
    }
    for (;;) {
      const sym = decode(lit);
      if (op + 258 > out.length) room(258);
      if (sym < 256) out[op++] = sym;
      else if (sym === 256) break;
      else {
        const l = sym - 257;
        if (l >= 29) corrupt();
        const len = LEN_BASE[l] + bits(LEN_EXTRA[l]);
        const d = decode(dist);
        if (d >= 30) corrupt();
        const back = DIST_BASE[d] + bits(DIST_EXTRA[d]);
        if (back > op) corrupt();
        if (back >= len) out.copyWithin(op, op - back, op - back + len);
        else for (let i = 0; i < len; i++) out[op + i] = out[op + i - back];
        op += len;
      }
    }
  } while (!last);
  return out.subarray(start, op);

  function room(n) {
    if (op + n <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, op + n));
    bigger.set(out.subarray(0, op));
    out = bigger;
  }
}

/** The contents of a gzip file (RFC 1952); bytes that are not gzip are returned as they are
 * (a server that sent the file with `Content-Encoding: gzip` has inflated it already). */
export function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  if (bytes[2] !== 8) throw new Error('not a DEFLATE gzip file');
  const flags = bytes[3];
  let pos = 10;
  if (flags & 4) pos += 2 + (bytes[pos] | (bytes[pos + 1] << 8));
  if (flags & 8) while (bytes[pos++]);
  if (flags & 16) while (bytes[pos++]);
  if (flags & 2) pos += 2;
  return inflate(bytes.subarray(pos));
}

function readVarint(bytes, pos) {
  let n = 0, shift = 0, b;
  do {
    b = bytes[pos.i++];
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return n;
}

const DEC = new TextDecoder();
/** A varint-prefixed UTF-8 string at `pos`. */
const readText = (bytes, pos) => { const n = readVarint(bytes, pos); return DEC.decode(bytes.subarray(pos.i, (pos.i += n))); };

/**
 * Decodes one term shard into a Map of term → { truncated, forms (its folded surface forms),
 * count, postings (Map page → impact), where (Map page → [F, section << 1 | in its heading, …])
 * }: the terms' headers (each front-coded against the one before, its forms against it), then
 * their postings in columns: page deltas (varints), impacts and flags (a byte each: F, section
 * count << 3), section codes (varints). See src/search/shards.rs.
 */
export function parseShard(bytes) {
  const pos = { i: 0 }, out = new Map(), pages = [];
  const front = (t) => t.slice(0, readVarint(bytes, pos)) + readText(bytes, pos);
  let term = '', n = 0;
  for (let k = readVarint(bytes, pos); k > 0; k--) {
    term = front(term);
    const e = { truncated: bytes[pos.i++] === 1, forms: [], postings: new Map(), where: new Map() };
    for (let f = readVarint(bytes, pos); f > 0; f--) e.forms.push(front(term));
    n += e.count = readVarint(bytes, pos);
    out.set(term, e);
  }
  for (const e of out.values()) for (let j = e.count, p = 0; j > 0; j--) pages.push(p += readVarint(bytes, pos));
  const imp = pos.i;
  pos.i += 2 * n;
  let j = 0;
  for (const e of out.values()) {
    for (let k = e.count; k > 0; k--, j++) {
      const f = bytes[imp + n + j], w = [f & 135];
      for (let m = (f >> 3) & 15, s = -1; m > 0; m--) {
        const c = readVarint(bytes, pos);
        s += (c >> 1) + 1;
        w.push((s << 1) | (c & 1));
      }
      e.postings.set(pages[j], bytes[imp + j]);
      e.where.set(pages[j], w);
    }
  }
  return out;
}

/** Index of the shard that holds `term` (shards sorted by first term). */
export function shardFor(shards, term) {
  let lo = 0, hi = shards.length - 1, found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (shards[mid][0] <= term) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

/**
 * Returns true if and only if index term `t` may be what the half-typed word `p` becomes:
 * `t` starts with `p`; or `t` is a stem that `p` already runs past ("educ" for "educatio");
 * or `t` differs only in its last letter where stemming changes a word: a final e dropped
 * before -ing ("use" for "usi", "make" for "makin"), or y and i swapped ("studi" for "study").
 */
export function prefixMatches(t, p) {
  if (t.startsWith(p)) return true;
  if (p.length < 3) return false;
  if (p.startsWith(t) && t.length >= Math.max(3, Math.ceil(p.length / 2))) return true;
  let common = 0;
  while (common < t.length && common < p.length && t[common] === p[common]) common++;
  if (t.length < 3 || common !== t.length - 1 || common < p.length - 2) return false;
  const [a, b] = [t[common], p[common]];
  return (a === 'e' && b === 'i') || (a === 'i' && b === 'y') || (a === 'y' && b === 'i');
}

/**
 * The shards of every term half-typed `p` may become (see prefixMatches): the range of those
 * it begins, and the few single terms it may run past or differ from in its last letter (a
 * range from their common start would span every term that starts so: "edu…" for "educat").
 */
export function prefixShards(shards, p) {
  const out = rangeOf(shards, p);
  for (let k = Math.max(3, Math.ceil(p.length / 2)); k < p.length; k++) out.push(shardFor(shards, p.slice(0, k)));
  if (p.length > 2) for (let c = p.length - 2; c < p.length; c++) for (const x of 'eiy') out.push(shardFor(shards, p.slice(0, c) + x));
  return out;
}

/** Shard indexes a parsed query needs: each word's terms, and the range of its prefix. */
export function shardsFor(query, shards) {
  const need = new Set();
  for (const q of query) {
    for (const t of q.terms) need.add(shardFor(shards, t));
    if (q.prefix) for (const i of prefixShards(shards, q.prefix)) need.add(i);
  }
  return [...need].sort((a, b) => a - b);
}

function rangeOf(shards, start) {
  const out = [];
  for (let i = shardFor(shards, start), to = shardFor(shards, start + '\uffff'); i <= to; i++) out.push(i);
  return out;
}

/** Whether any term of `terms` (a Map of the shards fetched) matches half-typed `p`. */
const hasPrefix = (terms, p) => { for (const t of terms.keys()) if (prefixMatches(t, p)) return true; return false; };
const known = (q, terms) => q.terms.some((t) => terms.has(t));

/** Returns true if and only if word `q` has no match in `terms` and may be a typo (5+ letters). */
export function unmatched(q, terms) {
  return !known(q, terms) && !(q.prefix && hasPrefix(terms, q.prefix)) && q.form.length >= 5;
}

/**
 * The shards where the corrections of typo `q` are looked for: those holding the words that
 * begin as its first half does (at most 3, the nearest to its own), so a correction costs at
 * most one more round trip and about 3 shards.
 */
export function typoShards(q, shards) {
  const own = shardFor(shards, q.form);
  return rangeOf(shards, q.form.slice(0, Math.max(3, q.form.length >> 1)))
    .sort((a, b) => Math.abs(a - own) - Math.abs(b - own)).slice(0, 3);
}

/** Every spelling one edit away from `w`: a letter deleted, swapped with the next, replaced, or added. */
export function edits(w) {
  const out = new Set();
  for (let i = 0; i <= w.length; i++) {
    const a = w.slice(0, i), b = w.slice(i);
    if (b) out.add(a + b.slice(1));
    if (b.length > 1) out.add(a + b[1] + b[0] + b.slice(2));
    for (let c = 97; c < 123; c++) {
      const l = String.fromCharCode(c);
      out.add(a + l + b);
      if (b) out.add(a + l + b.slice(1));
    }
  }
  out.delete(w);
  return out;
}

/** Pages of a term (its count when the list was cut: more than any kept list). */
const df = (e) => (e.truncated ? 1e9 : e.count ?? e.postings.size);

/**
 * The correction of typo `q` among `terms`: the spelling one edit away whose terms (stemmed in
 * each index language) are in the most pages, ties by spelling; null if none is there.
 */
export function correct(q, terms, stem, langs) {
  const heads = new Set();
  for (const t of terms.keys()) heads.add(t.slice(0, 3));
  let best = null;
  for (const c of edits(q.form)) {
    // Stemming changes only the ends of words: a spelling whose start no term has is skipped.
    if (!heads.has(c.slice(0, 3))) continue;
    const ts = [...new Set(langs.flatMap((l) => termsOf(c, l, stem)))].filter((t) => terms.has(t));
    if (!ts.length) continue;
    const n = Math.max(...ts.map((t) => df(terms.get(t))));
    if (!best || n > best.n || (n === best.n && c < best.form)) best = { form: c, terms: ts, n };
  }
  return best && { ...q, word: best.form, form: best.form, terms: best.terms, prefix: null, fixed: true };
}

/**
 * What each word of `query` is looked up as, given the shards fetched (`terms`): its own terms
 * when the index has one; else, for the last word, every term it begins (it may be half typed);
 * else (5+ letters, `fix` on) its correction by one edit; else its own terms (found nowhere).
 * The same for the header box and the results page, so both rank a query alike.
 */
export function resolve(query, terms, stem, langs, fix = true) {
  const out = query.map((q) => {
    if (known(q, terms)) return { ...q, prefix: null };
    if (q.prefix && hasPrefix(terms, q.prefix)) return q;
    return (fix && q.form.length >= 5 && correct(q, terms, stem, langs)) || { ...q, prefix: null };
  });
  out.phrases = query.phrases || [];
  return out;
}

/** The shard entries of query word `q`: its terms, and the terms its prefix begins. */
export function entriesOf(q, terms) {
  const out = q.terms.filter((t) => terms.has(t)).map((t) => terms.get(t));
  if (q.prefix) for (const [t, entry] of terms) if (prefixMatches(t, q.prefix)) out.push(entry);
  return out;
}

/** The postings of each query word: Map(page → impact), and whether it can exclude pages. */
function wordPostings(q, terms) {
  const map = new Map();
  let truncated = false;
  for (const entry of entriesOf(q, terms)) {
    truncated ||= entry.truncated;
    for (const [p, s] of entry.postings) map.set(p, Math.max(map.get(p) || 0, s));
  }
  return { map, truncated };
}

/**
 * Ranks pages: every word is required (except words so common their lists were cut; with
 * `loose`, all but one), scores add up. Pages missing a word come after those with all
 * (`miss`). `kinds` is the manifest's page-kind string; `allow` a Set of kind letters or null.
 */
export function rank(query, terms, kinds, allow, loose = false) {
  if (!query.length) return [];
  const lists = query.map((q) => wordPostings(q, terms));
  const required = lists.filter((l) => !l.truncated);
  const base = required.length ? required : lists;
  base.sort((a, b) => a.map.size - b.map.size);
  const from = loose && required.length > 1 ? required.slice(0, 2) : [base[0]];
  const pages = new Set(from.flatMap((l) => [...l.map.keys()]));
  const results = [];
  for (const page of pages) {
    const miss = required.filter((l) => !l.map.has(page)).length;
    if (miss > (loose ? 1 : 0)) continue;
    const k = kinds ? kinds[page] : 'o';
    if (k === '-' || (allow && !allow.has(k))) continue;
    let score = 0;
    for (const l of lists) score += l.map.get(page) || 0;
    results.push(loose ? { page, score, miss } : { page, score });
  }
  results.sort((a, b) => (a.miss || 0) - (b.miss || 0) || b.score - a.score || a.page - b.page);
  return results;
}

/**
 * The index of the first query word that `token` matches in language `lang` (its terms, or the
 * prefix of the word being typed), or -1. `seen` remembers tokens of one page.
 */
function matchIndex(token, query, lang, stem, seen) {
  let m = seen.get(token);
  if (m !== undefined) return m;
  // Stemming keeps a word's first letter: a word that starts as no query word does is not one.
  query.heads ??= new Set(query.flatMap((q) => q.terms.concat(q.prefix || []).map((t) => t[0])));
  if (!query.heads.has(fold(token[0]))) { seen.set(token, -1); return -1; }
  const terms = termsOf(token, lang, stem);
  let folded = null;
  m = query.findIndex((q) => {
    if (terms.some((t) => q.terms.includes(t))) return true;
    if (q.prefix === null) return false;
    folded ??= fold(token);
    return folded.startsWith(q.prefix);
  });
  seen.set(token, m);
  return m;
}

/**
 * The words of `text`, each with the index of the query word it matches (-1 for none).
 * `seen` remembers the tokens of one page.
 */
export function look(text, query, lang, stem, seen = new Map()) {
  // (An opening has a few dozen words: each distinct one is stemmed once a page. Only a quoted
  // phrase reads whole sections, and only those whose postings hold its words.)
  const { from, to } = spans(text);
  return { text, from, to, m: from.map((f, i) => matchIndex(text.slice(f, to[i]), query, lang, stem, seen)) };
}

/** Re-ranking weights (ARCHITECTURE.md, "Search ranking"): each adds to a result's score, in proportion. */
export const WEIGHTS = { title: 0.5, heading: 0.25, together: 0.25, near: 0.25, exact: 0.25 };
/** Results re-ranked by their evidence, in the header box and on the results page. */
export const K = 5;
/** At most this many sections are listed per (term, page) (src/search/shards.rs): a word with
 * a full list may be in sections the list leaves out. */
export const MAX_SECTIONS = 8;

const bits = (m) => { let c = 0; for (; m; m &= m - 1) c++; return c; };

/**
 * The evidence of page `page` for `query` from its postings alone (`lists`: each word's shard
 * entries, see `entriesOf`), no text: `boost` (1 plus, by WEIGHTS: for a query of several
 * words, the share of them in the title, the best share in one heading, all of them in one
 * section, the share of consecutive ones that share a section; for any query, the share found
 * in their exact form, not only by stem), `best`, the section that answers (most words, those
 * in its heading counting twice, then consecutive pairs, then the first), and for quoted
 * phrases: `at` (section → bitmask of the words it holds), `title` and `full` (bitmasks of the
 * words in the title and of those whose section list may be cut).
 */
export function evidence(query, lists, page) {
  const n = query.length;
  const at = new Map();
  let title = 0, exact = 0, full = 0;
  lists.forEach((entries, i) => {
    const bit = 1 << i;
    for (const e of entries) {
      const w = e.postings.has(page) && e.where.get(page);
      if (!w) continue;
      if (w[0] & 128) title |= bit;
      if (e.forms.some((f, j) => f === query[i].form && (w[0] >> j) & 1)) exact |= bit;
      if (w.length > MAX_SECTIONS) full |= bit;
      for (let k = 1; k < w.length; k++) {
        const s = w[k] >> 1;
        const a = at.get(s) || { w: 0, h: 0 };
        a.w |= bit;
        if (w[k] & 1) a.h |= bit;
        at.set(s, a);
      }
    }
  });
  let heading = 0, together = 0, near = 0, best = 0, top = -Infinity;
  for (const [s, a] of at) {
    heading = Math.max(heading, bits(a.h));
    if (bits(a.w) === n) together = 1;
    near |= a.w & (a.w >> 1);
    // Most words, those in the heading twice; then consecutive pairs; then the first section.
    const key = (bits(a.w) + bits(a.h)) * 1e9 + bits(a.w & (a.w >> 1)) * 1e6 - s;
    a.k = key;
    if (key > top) { top = key; best = s; }
  }
  const w = WEIGHTS;
  // One word's weight in the title and headings is in its score already: what the score cannot
  // see is how the words of a longer query fall together.
  const boost = 1 + (n > 1 ? (w.title * bits(title) + w.heading * heading) / n + w.together * together + w.near * bits(near) / (n - 1) : 0) + w.exact * bits(exact) / n;
  return { boost, phrases: 0, best, at, title, full };
}

/** Whether the words of `p` (see `look`) hold phrase `ph` word for word: stop words as
 * written, the others by their terms; the index of its first word, or -1. */
function phraseAt(p, ph) {
  const folded = p.from.map((f, i) => fold(p.text.slice(f, p.to[i])));
  for (let i = 0; i + ph.length <= folded.length; i++) {
    if (ph.every((w, j) => (w.at < 0 ? folded[i + j] === w.form : p.m[i + j] === w.at || folded[i + j] === w.form))) return i;
  }
  return -1;
}

/** Whether a part of a page whose postings hold the words of bitmask `m` may hold phrase `ph`
 * (`ev`, see `evidence`: a word whose section list may be cut may be anywhere). */
const holds = (ev, m, ph) => {
  const k = ph.reduce((b, w) => (w.at < 0 ? b : b | (1 << w.at)), 0);
  return ((m | ev.full) & k) === k;
};

/** Whether a page may hold a quoted phrase of `query`, by its postings (`ev`): if not, its
 * text is not fetched. */
export const mayHold = (ev, query) => query.phrases.some((ph) => holds(ev, ev.title, ph) || holds(ev, 0, ph) || [...ev.at.values()].some((a) => holds(ev, a.w, ph)));

/**
 * Looks for the quoted phrases of `query` in `fragment` (a page's whole text), reading only the
 * title and the sections whose postings hold every word of a phrase (`ev`, see `evidence`):
 * sets `ev.phrases` (how many are found), and, where one is, `ev.best` to its section and
 * `ev.snip` to a snippet around it.
 */
export function phrases(fragment, query, stem, ev) {
  const seen = new Map();
  const found = new Set();
  const t = look(fragment.t, query, fragment.l, stem, seen);
  for (const ph of query.phrases) if (holds(ev, ev.title, ph) && phraseAt(t, ph) >= 0) found.add(ph);
  fragment.s.forEach(([anchor, heading, text], s) => {
    const m = ev.at.get(s)?.w ?? 0;
    for (const ph of query.phrases) {
      if (!holds(ev, m, ph)) continue;
      const h = look(heading, query, fragment.l, stem, seen);
      const b = look(text, query, fragment.l, stem, seen);
      const i = phraseAt(b, ph);
      if (i < 0 && phraseAt(h, ph) < 0) continue;
      found.add(ph);
      // The section that answers among those with a phrase: as `evidence` chooses.
      const k = ev.at.get(s)?.k ?? -Infinity;
      if (!(ev.snip && ev.k >= k)) { ev.k = k; ev.best = s; ev.snip = { anchor: anchorOf(anchor, heading), heading, head: cut(h, 0, 1e9), parts: cut(b, Math.max(0, i)) }; }
    }
  });
  ev.phrases = found.size;
  return ev;
}

/** The words of `p` (see `look`) from `first - around` to `first + 2 × around`, query words
 * marked, with an ellipsis at each end cut (or at the end when `more`), as [{ text, mark }]. */
function cut(p, first, around = 14, more = false) {
  const { text, from, to, m } = p;
  const start = Math.max(0, first - around);
  const end = Math.min(m.length, first + around * 2);
  const parts = [];
  let at = start ? from[start] : 0;
  if (start) parts.push({ text: '… ' });
  for (let i = start; i < end; i++) {
    if (from[i] > at) parts.push({ text: text.slice(at, from[i]) });
    parts.push({ text: text.slice(from[i], to[i]), mark: m[i] >= 0 });
    at = to[i];
  }
  parts.push({ text: end < m.length || more ? ' …' : text.slice(at) });
  return parts;
}

/**
 * Re-ranks the first K of the first `n` results (the results page's own, before the header
 * box's completions) by their evidence (`ev(page)` gives it): pages with every word first,
 * then quoted phrases found, then by score × boost; ties by page. The others keep their order.
 */
export function rerank(ranked, ev, n = ranked.length) {
  const k = Math.min(K, n);
  const top = ranked.slice(0, k).map((r) => ({ ...r, ev: ev(r.page) }));
  top.sort((a, b) => (a.miss || 0) - (b.miss || 0) || b.ev.phrases - a.ev.phrases || b.score * b.ev.boost - a.score * a.ev.boost || a.page - b.page);
  return [...top, ...ranked.slice(k)];
}

/**
 * A result's snippet from its page's `lead`: the heading and opening of section `best`, query
 * words marked, "…" when the section goes on: { anchor, heading, parts: [{ text, mark }] }.
 * A short page's lead holds its sections whole: their openings are cut here to the words a
 * lead keeps (`LEAD_WORDS`, 16), so its snippet is as long as any other's.
 */
export function snippet(lead, query, stem, best) {
  const [anchor = '', heading = '', opening = '', more] = lead.s[best] ?? lead.s[0] ?? [];
  const marked = (text, around, cont) => cut(look(text, query, lead.l, stem), 0, around, cont);
  return { anchor: anchorOf(anchor, heading), heading, head: marked(heading, 1e9), parts: more ? marked(opening, 1e9, 1) : marked(opening, 8) };
}

/** A section's anchor as a lead gives it: 0 is the one its heading makes (src/search/leads.rs,
 * `derived`). */
const anchorOf = (anchor, heading) => anchor === 0 ? heading.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') : anchor;

// ----------------------------------------------------------------------------------- browser

/**
 * Text `key` of the `search` string table (`globalThis.PLAYBOOK_STRINGS`, written by the theme
 * in the page's language): the plural form for `fill.n`, `{name}`s filled in from `fill`.
 */
export function say(key, fill = {}, text = globalThis.PLAYBOOK_STRINGS?.text || {}) {
  let s = text['search.' + key] ?? key;
  if (typeof s === 'object') s = fill.n === 1 ? s.one : s.other;
  return s.replace(/\{(\w+)\}/g, (all, k) => (k in fill ? String(fill[k]) : all));
}

/** A page URL of the index (the site's base path + path) as a link in this copy of the site:
 * unchanged on the site itself, made relative to this copy in an exported one (whose
 * `<body data-site>` is the base path it was built for). */
function pageHref(url) {
  const d = document.body.dataset;
  const site = d.site;
  // Only a relative copy has data-site; the site itself links by its own base path.
  if (!site || !url.startsWith(site)) return url;
  return new URL(url.slice(site.length), new URL(d.base || '/', location.href)).href;
}

/** The body of a successful response. */
async function body(res) {
  if (!res.ok) throw new Error(`${res.url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The inflated body of a response holding a gzip file. */
async function gunzipped(res) {
  return gunzip(await body(res));
}

const json = (bytes) => JSON.parse(DEC.decode(bytes));
const fail = (key) => Object.assign(new Error(say(key)), { key });

export class Index {
  constructor(root, stemUrl) {
    this.root = root;
    this.stemUrl = stemUrl;
    this.cache = new Map();
  }

  /** Reads the manifest; `fresh`: past the browser's cache (one it holds may be older than the
   * site's files). */
  load(fresh) {
    this.ready ||= (async () => {
      if (location.protocol === 'file:') throw fail('from_disk');
      const [res, mod] = await Promise.all([fetch(this.root + 'index.json.gz', { cache: fresh ? 'no-cache' : 'default' }), import(this.stemUrl)]);
      if (!res.ok) throw fail('no_index');
      this.manifest = json(await gunzipped(res));
      if (this.manifest.v !== FORMAT_VERSION) throw fail('old_index');
      this.stem = mod.stem;
    })();
    return this.ready;
  }

  /** What `make` gives, made once per `key`. */
  once(key, make) {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key);
  }

  /** The contents of gzip file `file` of the index. */
  file(file) {
    return fetch(this.root + file).then(gunzipped);
  }

  shard(i) {
    return this.once('s' + i, () => this.file(this.manifest.shards[i][1]).then(parseShard));
  }

  /** The preset dictionary the fragments are compressed against. */
  dictionary() {
    return this.once('d', () => this.file(this.manifest.dict));
  }

  /** A page's text, fetched only for a quoted phrase: its lead when its kind letter is a
   * capital (the lead cuts nothing; the page has no fragment file). */
  fragment(page) {
    return this.once('f' + page, () => this.manifest.page_kinds[page] < 'a' ? this.lead(page)
      : Promise.all([fetch(`${this.root}f/${page}.bin?b=${this.manifest.build}`).then(body), this.dictionary()])
        .then(([b, dict]) => json(inflate(b, dict))));
  }

  /** A page's lead (title, URL, kind, breadcrumb, its sections' openings): one request per
   * group of pages (the manifest's `leads`). */
  lead(page) {
    const i = shardFor(this.manifest.leads, page);
    return this.once('l' + i, () => this.file(this.manifest.leads[i][1]).then(json)).then((g) => g[page]);
  }

  /** Runs a query on this index: see `find`. When a file fails (the site was built again since
   * the manifest was read: the files it names are gone), reads the manifest again and tries once
   * more. */
  async search(text, opts, again) {
    try {
      await this.load(again);
      return await find(text, this, opts);
    } catch (e) {
      // Nothing failed is kept: the next query asks again.
      this.ready = null;
      this.cache.clear();
      if (again || e.key) throw e;
      return this.search(text, opts, 1);
    }
  }
}

/**
 * Runs a query on `index` (its `manifest`, `stem`, and `shard(i)`, `lead(page)` and
 * `fragment(page)`, which return promises): { query (as resolved), fixed (the query as
 * corrected, or null), total, results: [{ page, lead, snip }] } for `limit` results from
 * `offset`. `typing`: the header box, which also lists the pages of the words the last one
 * begins, after every page the results page would list. `fix: false` searches for the words
 * as typed; `draw: false` only counts.
 */
export async function find(text, index, { typing = false, allow = null, limit = 8, offset = 0, draw = true, fix = true } = {}) {
  const { manifest: m, stem } = index;
  const parsed = parseQuery(text, m, stem);
  if (!parsed.length) return { query: parsed, fixed: null, total: 0, results: [] };
  const phrased = parsed.phrases.length > 0;
  // The fragments' dictionary comes with the first shards, not after them.
  if (draw && phrased) index.dictionary?.().catch(() => {});
  const need = shardsFor(parsed, m.shards);
  const got = shardTerms(index, need);
  // While the shards come: the expressions that cut the results' text into words are compiled
  // on first use, a few milliseconds on a slow phone that would come after the last byte.
  spans(fold('\xe9'));
  let terms = await got;
  const typos = fix ? parsed.filter((q) => unmatched(q, terms)) : [];
  if (typos.length) terms = await shardTerms(index, [...new Set([...need, ...typos.flatMap((q) => typoShards(q, m.shards))])]);
  const query = resolve(parsed, terms, stem, m.langs || ['en'], fix);
  let ranked = rank(query, terms, m.page_kinds, allow);
  // A query of three words or more that fewer than K pages hold whole: the pages with all its
  // words but one follow them (one of two words would be a different query).
  if (ranked.length < K && query.length > 2) ranked = rank(query, terms, m.page_kinds, allow, true);
  const own = ranked.length, last = parsed.length - 1;
  if (typing && parsed[last].prefix && !query[last].prefix && !query[last].fixed) {
    const seen = new Set(ranked.map((r) => r.page));
    const more = [...query.slice(0, last), { ...query[last], prefix: parsed[last].prefix }];
    ranked = ranked.concat(rank(more, terms, m.page_kinds, allow).filter((r) => !seen.has(r.page)));
  }
  let fixed = null;
  query.forEach((q, i) => { if (q.fixed) fixed = (fixed ?? text).replace(parsed[i].word, q.word); });
  if (!draw) return { query, fixed, total: ranked.length, results: [] };
  // The pages that may be shown: the first K (re-ranked) and those from `offset`. Their leads
  // are fetched at once, in parallel with the text of the first K for a quoted phrase.
  const top = Math.min(K, own);
  const pages = ranked.slice(0, Math.max(K, offset + limit)).filter((r, i) => i < top || i >= offset).map((r) => r.page);
  const leads = new Map(pages.map((p) => [p, index.lead(p)]));
  const lists = query.map((q) => entriesOf(q, terms));
  const ev = new Map(pages.map((p) => [p, evidence(query, lists, p)]));
  if (phrased) {
    await Promise.all(pages.slice(0, top).filter((p) => mayHold(ev.get(p), query))
      .map((p) => index.fragment(p).then((f) => phrases(f, query, stem, ev.get(p)))));
  }
  ranked = rerank(ranked, (p) => ev.get(p), own);
  const results = await Promise.all(ranked.slice(offset, offset + limit).map(async ({ page, score, miss }) => {
    const lead = await leads.get(page);
    const e = ev.get(page);
    return { page, score, miss, lead, snip: e.snip ?? snippet(lead, query, stem, e.best) };
  }));
  return { query, fixed, total: ranked.length, results };
}

/** The terms of shards `list` of `index`, fetched when not yet, in one Map. */
async function shardTerms(index, list) {
  return new Map((await Promise.all(list.map((i) => index.shard(i)))).flatMap((m) => [...m]));
}

/** The fragments name a page's kind by its English label (`search::search_kind`); the reader
 * sees it in the page's interface language, from the string tables. */
export function kindLabel(k) {
  const key = { Playbook: 'p', Monograph: 'm', Lesson: 'l', Course: 'c', Page: 'o' }[k];
  return key ? say('result_kind_' + key) : k;
}

/** A result's title (in its page's language), meta line and snippet, and its link: to the
 * heading of the section that answers. `langName`: a label for a result in another language. */
function resultNodes(r, doc, langName) {
  const f = r.lead;
  const el = (cls, text) => { const e = doc.createElement('span'); e.className = cls; if (text) e.textContent = text; return e; };
  // Parts of a text, the query's words in <mark>.
  const fill = (e, parts) => {
    for (const p of parts) {
      if (p.mark) { const m = doc.createElement('mark'); m.textContent = p.text; e.append(m); } else e.append(p.text);
    }
    return e;
  };
  const title = el('result-title', f.t);
  title.lang = f.l;
  if (r.snip.heading && r.snip.heading !== f.t) title.append(' › ', fill(el('result-section'), r.snip.head));
  const meta = el('result-meta', kindLabel(f.k) + (f.b ? ' · ' + f.b : ''));
  if (langName) { const l = el('result-lang', langName); l.lang = f.l; meta.prepend(l, ' · '); }
  const snip = fill(el('result-snippet'), r.snip.parts);
  snip.lang = f.l;
  return { title, meta, snip, href: pageHref(f.u) + (r.snip.anchor ? '#' + r.snip.anchor : '') };
}

function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

const results = (n) => say('count', { n });
const failed = (e) => (e.key === 'from_disk' ? e.message : say('unavailable', { error: e.message }));

function option(id, cls, text) {
  const li = document.createElement('li');
  li.id = id;
  li.setAttribute('role', 'option');
  li.setAttribute('aria-selected', 'false');
  if (cls) li.className = cls;
  if (text) li.textContent = text;
  return li;
}

function setupCombobox(form, index) {
  const input = form.querySelector('[role="combobox"]');
  const list = form.querySelector('[role="listbox"]');
  const status = form.querySelector('[role="status"]');
  let options = [];
  let active = -1;
  let seq = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };
  const open = () => { list.hidden = false; input.setAttribute('aria-expanded', 'true'); };
  const setActive = (i) => {
    options.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
    active = i;
    if (i >= 0) { input.setAttribute('aria-activedescendant', options[i].id); options[i].scrollIntoView({ block: 'nearest' }); } else input.removeAttribute('aria-activedescendant');
  };
  const go = (href) => { location.href = href; };
  const typing = () => !/\s$/.test(input.value);

  // Once typing pauses: the results, and their count in the live region (a count after every
  // key would interrupt a screen reader mid-word, and fetch the shards of half-typed words).
  const show = debounce(async () => {
    const text = input.value.trim();
    const mine = ++seq;
    if (!text) { close(); list.replaceChildren(); status.textContent = ''; return; }
    let found;
    try { found = await index.search(text, { typing: typing(), limit: K }); } catch (e) {
      status.textContent = failed(e);
      if (e.key === 'from_disk') {
        // Said where the reader looks, in the list, as an option that goes nowhere.
        const li = option('search-option-none', 'search-unavailable', e.message);
        li.setAttribute('aria-disabled', 'true');
        options = [];
        list.replaceChildren(li);
        open();
      }
      return;
    }
    if (mine !== seq) return;
    options = found.results.map((r, i) => {
      const n = resultNodes(r, document);
      const li = option('search-option-' + i);
      li.dataset.href = n.href;
      li.append(n.title, n.meta, n.snip);
      return li;
    });
    const note = found.fixed ? say('showing', { q: found.fixed }) + ' ' : '';
    const all = option('search-option-all', 'search-all', note + (found.total ? say('see_all', { n: found.total }) : say('none_box', { q: text })));
    all.dataset.href = form.action + '?q=' + encodeURIComponent(found.fixed ?? text);
    options.push(all);
    list.replaceChildren(...options);
    open();
    active = -1;
    status.textContent = note + results(found.total);
  }, 250);
  const run = () => { seq++; show(); };

  input.addEventListener('input', run);
  input.addEventListener('focus', () => { index.load().catch(() => {}); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && options.length) { e.preventDefault(); if (list.hidden) open(); setActive((active + 1) % options.length); }
    else if (e.key === 'ArrowUp' && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === 'Enter' && active >= 0 && !list.hidden) { e.preventDefault(); go(options[active].dataset.href); }
    else if (e.key === 'Escape') {
      // The browser's own Escape on a search field clears it: close the list first instead.
      e.preventDefault();
      if (!list.hidden) close(); else { input.value = ''; status.textContent = ''; }
    }
  });
  list.addEventListener('click', (e) => { const li = e.target.closest('[role="option"]'); if (li?.dataset.href) go(li.dataset.href); });
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) close(); });
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    const typingHere = t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
    if (e.key === '/' && !typingHere && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); }
  });
}

function setupResultsPage(page, index, stemUrl) {
  const form = page.querySelector('form');
  const input = form.querySelector('input[name="q"]');
  const status = page.querySelector('#search-status');
  const fixedNote = page.querySelector('#search-fixed');
  const list = page.querySelector('#search-results-list');
  const more = page.querySelector('#search-more');
  const boxes = [...form.querySelectorAll('input[name="kind"]')];
  // Other languages' indexes, searched only when the reader ticks them, listed after this one's.
  const langs = [...form.querySelectorAll('input[name="lang"]')].map((b) => ({ b, index: new Index(b.dataset.index, stemUrl) }));
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  const chosen = params.getAll('kind');
  if (chosen.length) boxes.forEach((b) => { b.checked = chosen.includes(b.value); });
  const wanted = params.getAll('lang');
  langs.forEach(({ b }) => { b.checked = wanted.includes(b.value); });
  let exact = params.has('exact');
  let shown = 0;
  let seq = 0;

  // A kind's letter is a capital for a page without a fragment file (`fragment`).
  const allow = () => { const on = boxes.filter((b) => b.checked).map((b) => b.value); return on.length === boxes.length ? null : new Set(on.flatMap((k) => [k, k.toUpperCase()])); };
  const none = () => boxes.every((b) => !b.checked);
  // This language's results, then each chosen other language's: `limit` of them from `offset`.
  const find = async (text, offset, limit) => {
    const o = { allow: allow(), limit, offset, fix: !exact };
    const found = await index.search(text, o);
    const out = { ...found, results: [...found.results] };
    for (const { b, index: other } of langs) {
      if (!b.checked) continue;
      const from = Math.max(0, offset - out.total);
      const them = await other.search(text, { ...o, offset: from, limit: Math.max(0, offset + limit - out.total - from) });
      out.results.push(...them.results.map((r) => ({ ...r, langName: b.dataset.name })));
      out.total += them.total;
    }
    return out;
  };
  const render = async (append) => {
    if (location.protocol === 'file:') { status.textContent = say('from_disk'); more.hidden = true; return; }
    const text = input.value.trim();
    const mine = ++seq;
    const url = new URL(location.href);
    for (const k of ['kind', 'lang', 'exact']) url.searchParams.delete(k);
    if (text) url.searchParams.set('q', text); else url.searchParams.delete('q');
    if (none()) url.searchParams.append('kind', 'none');
    else if (boxes.some((b) => !b.checked)) boxes.forEach((b) => b.checked && url.searchParams.append('kind', b.value));
    langs.forEach(({ b }) => b.checked && url.searchParams.append('lang', b.value));
    if (exact) url.searchParams.set('exact', '1');
    history.replaceState(null, '', url);
    if (!append) { shown = 0; list.replaceChildren(); fixedNote.replaceChildren(); fixedNote.hidden = true; }
    if (!text) { status.textContent = say('type_words'); more.hidden = true; return; }
    let found;
    try { found = await find(text, shown, 10); } catch (e) { status.textContent = failed(e); return; }
    if (mine !== seq) return;
    for (const r of found.results) {
      const n = resultNodes(r, document, r.langName);
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = n.href;
      a.append(n.title);
      li.append(a, n.meta, n.snip);
      list.append(li);
    }
    shown += found.results.length;
    if (found.fixed && !append) {
      // "Showing results for …", and a link to the words as typed.
      const a = document.createElement('a');
      const u = new URL(url);
      u.searchParams.set('exact', '1');
      a.href = u.href;
      a.textContent = say('instead', { q: text });
      a.addEventListener('click', (e) => { e.preventDefault(); exact = true; render(false); });
      fixedNote.append(say('showing', { q: found.fixed }) + ' ', a);
      fixedNote.hidden = false;
    }
    const q = found.fixed ?? text;
    status.textContent = none() ? say('choose_kind') : found.total === 0 ? say(allow() ? 'none_kinds' : 'none', { q }) : say('matches', { n: found.total, q });
    more.hidden = shown >= found.total;
  };
  const again = () => { exact = false; render(false); };
  form.addEventListener('submit', (e) => { e.preventDefault(); again(); });
  input.addEventListener('input', debounce(again, 150));
  [...boxes, ...langs.map((l) => l.b)].forEach((b) => b.addEventListener('change', () => render(false)));
  more.addEventListener('click', () => render(true));
  render(false);
}

if (typeof document !== 'undefined') {
  const form = document.getElementById('site-search');
  if (form) {
    const index = new Index(form.dataset.index, form.dataset.stem);
    form.hidden = false;
    setupCombobox(form, index);
    const page = document.getElementById('search-page');
    if (page) setupResultsPage(page, index, form.dataset.stem);
  }
}
