// Replays relevance.py's warm session (one page per language, the queries in order, first 10
// results, as the `playbook-api` engine calls the client) in Node, with no browser and no server:
// search.js's own `find` reads a built site's index from disk. In seconds it gives what the
// benchmark's warm pass gives for bytes and rankings (the same R@1 and MRR; session bytes within
// 0.1%: each file's size plus HEADER bytes of response headers, stem.js gzipped as the
// benchmark's server sends it), per kind of file, so a change to the index or to search.js can be
// tried before the full run. Not a substitute for relevance.py: no latency, no header box, no
// cold pass.
//
// usage: node bench/relevance/replay.mjs OUT_DIR QUERIES.json [SEARCH_JS] [--tops] [--sections]
//   OUT_DIR     a site built by `playbook build` (bench/relevance/out/<site> after a run)
//   SEARCH_JS   the search.js to run (default: the theme's); stem.js is taken from beside it
//   --tops      also print each query's results (URL, section anchor, snippet), to compare two
//               versions of search.js result by result
//   --sections  also estimate the fragment bytes if a result fetched only a head (title, URL,
//               breadcrumb, headings) and the text of its best section, each page once
//   --chunks=N  also estimate a format whose shards carry the ranking signal (each posting one
//               more byte, the chunk it is in (one of 32, at random), before gzip) so that a result fetches only the
//               chunk of N words its snippet is cut from (one request per chunk not yet
//               fetched), the heads of every page of the language (title, URL, kind,
//               breadcrumb, headings) in one file fetched once; each file DEFLATE against the
//               dictionary plus HEADER bytes. An estimate of bytes only, to choose a design
//   --leads=N   also estimate the same shards with one file per language holding every page's
//               head and the first N words of each of its sections, and no other request per
//               result: a snippet would be the opening of the section that matched
import fs from 'fs';
import zlib from 'zlib';
import path from 'path';
import { fileURLToPath } from 'url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const [out, qfile, js = path.join(HERE, '../../themes/default/static/search.js')] = args;
if (!out || !qfile) {
  console.error('usage: node replay.mjs OUT_DIR QUERIES.json [SEARCH_JS] [--tops] [--sections]');
  process.exit(2);
}
const S = await import(path.resolve(js));
const { stem } = await import(path.join(path.dirname(path.resolve(js)), 'stem.js'));
const HEADER = 182; // response headers of bench/search.py's server, as the benchmark measured them
const queries = JSON.parse(fs.readFileSync(qfile, 'utf8'));
const bytes = {};
const charge = (kind, n) => { bytes[kind] = (bytes[kind] || 0) + n + HEADER; };
const ranks = [];
let sections = 0;
const sectioned = new Set();
const CHUNK = Number([...flags].find((f) => f.startsWith('--chunks='))?.split('=')[1] || 0);
const chunked = { heads: 0, chunks: 0, chunk_requests: 0, shard_postings: 0 };
const chunkSeen = new Set();
// Chunk numbers as a page of 32 chunks would give them, from a fixed seed (an estimate only).
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
let ms = 0;
const LEADS = Number([...flags].find((f) => f.startsWith('--leads='))?.split('=')[1] || 0);
let leads = 0;

for (const lang of [...new Set(queries.map((q) => q.lang))]) {
  const prefix = lang === 'en' ? '' : lang + '/';
  const root = path.join(out, prefix, 'search') + '/';
  const stemFile = fs.readdirSync(path.join(out, 'assets')).find((f) => /^stem\.[0-9a-f]+\.js$/.test(f));
  charge('stem.js', zlib.gzipSync(fs.readFileSync(path.join(out, 'assets', stemFile)), { level: 6 }).length);
  const fetched = new Set();
  const get = (file, kind) => {
    const b = fs.readFileSync(root + file);
    if (!fetched.has(file)) { fetched.add(file); charge(kind, b.length); }
    return b;
  };
  const index = {
    manifest: JSON.parse(zlib.gunzipSync(get('index.json.gz', 'manifest'))),
    stem,
    shards: new Map(),
    frags: new Map(),
    shard(i) {
      if (!this.shards.has(i)) this.shards.set(i, Promise.resolve(S.parseShard(zlib.gunzipSync(get(this.manifest.shards[i][1], 'shards')))));
      return this.shards.get(i);
    },
    dictionary() {
      this.dict ||= Promise.resolve(zlib.gunzipSync(get(this.manifest.dict, 'dictionary')));
      return this.dict;
    },
    async fragment(p) {
      if (!this.frags.has(p)) {
        const b = get(`f/${p}.bin`, 'fragments');
        this.frags.set(p, JSON.parse(new TextDecoder().decode(S.inflate(b, await this.dictionary()))));
      }
      return this.frags.get(p);
    },
  };
  if (CHUNK) {
    // The heads of every page of this index, in one file.
    const dict = await index.dictionary();
    const heads = [];
    for (const f of fs.readdirSync(root + 'f')) {
      const fr = JSON.parse(new TextDecoder().decode(S.inflate(fs.readFileSync(root + 'f/' + f), dict)));
      heads.push({ ...fr, s: fr.s.map(([a, h]) => [a, h]) });
    }
    chunked.heads += zlib.deflateRawSync(Buffer.from(JSON.stringify(heads)), { dictionary: dict }).length + HEADER;
  }
  if (LEADS) {
    // The heads of every page of this index with the first LEADS words of each section, in one
    // file: a snippet would be its section's opening, with no request per result.
    const dict = await index.dictionary();
    const heads = [];
    for (const f of fs.readdirSync(root + 'f')) {
      const fr = JSON.parse(new TextDecoder().decode(S.inflate(fs.readFileSync(root + 'f/' + f), dict)));
      heads.push({ ...fr, s: fr.s.map(([a, h, t]) => {
        const { from } = S.spans(t);
        return [a, h, t.slice(0, from[LEADS] ?? t.length)];
      }) });
    }
    leads += zlib.deflateRawSync(Buffer.from(JSON.stringify(heads)), { dictionary: dict }).length + HEADER;
  }
  for (const x of queries.filter((q) => q.lang === lang)) {
    const t = performance.now();
    const r = await S.find(x.q, index, { typing: !/\s$/.test(x.q), limit: 10 });
    ms += performance.now() - t;
    const urls = r.results.map((y) => y.fragment.u);
    const k = urls.findIndex((u) => x.relevant.includes(u));
    ranks.push(k < 0 ? 0 : k + 1);
    if (flags.has('--tops')) {
      console.log(x.q, JSON.stringify(r.results.map((y) => [y.fragment.u, y.snip.anchor, y.snip.parts.map((p) => p.text).join('')])));
    }
    if (flags.has('--sections')) {
      const dict = await index.dictionary();
      const z = (o) => zlib.deflateRawSync(Buffer.from(JSON.stringify(o)), { dictionary: dict }).length + HEADER;
      for (const y of r.results) {
        const key = prefix + y.page;
        if (sectioned.has(key)) continue;
        sectioned.add(key);
        const fr = y.fragment;
        const best = fr.s[Math.max(0, S.evidence(fr, r.query, stem).best)];
        sections += z({ ...fr, s: fr.s.map(([a, h]) => [a, h]) }) + (best ? z(best[2]) : 0);
      }
    }
    if (CHUNK) {
      const dict = await index.dictionary();
      for (const y of r.results) {
        const ev = S.evidence(y.fragment, r.query, stem);
        const sec = ev.sc.s[Math.max(0, ev.best)];
        if (!sec) continue;
        const first = Math.max(0, sec.b.m.findIndex((m) => m >= 0));
        const c = Math.floor(first / CHUNK);
        const key = `${prefix}${y.page}/${ev.best}/${c}`;
        if (chunkSeen.has(key)) continue;
        chunkSeen.add(key);
        const from = sec.b.from[c * CHUNK] ?? 0;
        const to = sec.b.from[(c + 1) * CHUNK] ?? sec.b.text.length;
        chunked.chunks += zlib.deflateRawSync(Buffer.from(JSON.stringify(sec.b.text.slice(from, to))), { dictionary: dict }).length + HEADER;
        chunked.chunk_requests++;
      }
    }
  }
  if (CHUNK || LEADS) {
    // One more byte per posting of every shard this language fetched, gzip as the shards are.
    for (const [i, sh] of index.shards) {
      const terms = await sh;
      let n = 0;
      for (const e of terms.values()) n += e.count ?? e.postings.size;
      const raw = zlib.gunzipSync(fs.readFileSync(root + index.manifest.shards[i][1]));
      const extra = Buffer.concat([raw, Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 32)))]);
      chunked.shard_postings += zlib.gzipSync(extra).length - zlib.gzipSync(raw).length;
    }
  }
}
const total = Object.values(bytes).reduce((a, b) => a + b, 0);
const r1 = ranks.filter((r) => r === 1).length / ranks.length;
const mrr = ranks.reduce((a, r) => a + (r ? 1 / r : 0), 0) / ranks.length;
console.log(JSON.stringify({
  queries: ranks.length, r1: +r1.toFixed(3), mrr: +mrr.toFixed(3), session_bytes: total, bytes,
  ms_node: +ms.toFixed(0), ...(flags.has('--sections') ? { fragments_if_head_and_best_section: sections } : {}),
  ...(LEADS ? { leads: { heads_with_leads: leads, shard_postings: chunked.shard_postings, session_bytes: total - bytes.fragments + leads + chunked.shard_postings } } : {}),
  ...(CHUNK ? { chunks: { ...chunked, session_bytes: total - bytes.fragments + chunked.heads + chunked.chunks + chunked.shard_postings } } : {}),
}));
