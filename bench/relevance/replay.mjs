// Replays relevance.py's warm session (one page per language, the queries in order, first 10
// results, as the `playbook-api` engine calls the client) in Node, with no browser and no server:
// search.js's own `find` reads a built site's index from disk. In seconds it gives what the
// benchmark's warm pass gives for bytes and rankings (the same R@1 and MRR; session bytes: each
// file's size plus HEADER bytes of response headers, stem.js gzipped as the benchmark's server
// sends it), per kind of file, so a change to the index or to search.js can be tried before the
// full run. Not a substitute for relevance.py: no latency, no header box, no cold pass.
//
// usage: node bench/relevance/replay.mjs OUT_DIR QUERIES.json [SEARCH_JS] [--tops]
//   OUT_DIR     a site built by `playbook build` (bench/relevance/out/<site> after a run)
//   SEARCH_JS   the search.js to run (default: the theme's); stem.js is taken from beside it
//   --tops      also print each query's results (URL, section anchor, snippet), to compare two
//               versions of search.js result by result
//
// Files are charged as the client fetches them (index format v3): the manifest, the shards a
// query needs, one leads group per group its results fall in, and for a quoted phrase the
// fragments' dictionary and the fragments of the first K results.
import fs from 'fs';
import zlib from 'zlib';
import path from 'path';
import { fileURLToPath } from 'url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('--')));
const [out, qfile, js = path.join(HERE, '../../themes/default/static/search.js')] = args;
if (!out || !qfile) {
  console.error('usage: node replay.mjs OUT_DIR QUERIES.json [SEARCH_JS] [--tops]');
  process.exit(2);
}
const S = await import(path.resolve(js));
const { stem } = await import(path.join(path.dirname(path.resolve(js)), 'stem.js'));
const HEADER = 182; // response headers of bench/search.py's server, as the benchmark measured them
const queries = JSON.parse(fs.readFileSync(qfile, 'utf8'));
const bytes = {};
const requests = {};
const charge = (kind, n) => { bytes[kind] = (bytes[kind] || 0) + n + HEADER; requests[kind] = (requests[kind] || 0) + 1; };
const ranks = [];
const later = [];
let ms = 0;

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
  const json = (b) => JSON.parse(new TextDecoder().decode(b));
  const cache = new Map();
  const once = (key, make) => { if (!cache.has(key)) cache.set(key, Promise.resolve().then(make)); return cache.get(key); };
  const index = {
    manifest: json(zlib.gunzipSync(get('index.json.gz', 'manifest'))),
    stem,
    shard(i) { return once('s' + i, () => S.parseShard(zlib.gunzipSync(get(this.manifest.shards[i][1], 'shards')))); },
    dictionary() { return once('d', () => zlib.gunzipSync(get(this.manifest.dict, 'dictionary'))); },
    lead(p) {
      const g = S.shardFor(this.manifest.leads, p);
      return once('l' + g, () => json(zlib.gunzipSync(get(this.manifest.leads[g][1], 'leads')))).then((group) => group[p]);
    },
    fragment(p) {
      return once('f' + p, async () => json(S.inflate(get(`f/${p}.bin`, 'fragments'), await this.dictionary())));
    },
  };
  let first = true;
  for (const x of queries.filter((q) => q.lang === lang)) {
    const before = Object.values(bytes).reduce((a, b) => a + b, 0);
    const t = performance.now();
    const r = await S.find(x.q, index, { typing: !/\s$/.test(x.q), limit: 10 });
    ms += performance.now() - t;
    if (!first) later.push(Object.values(bytes).reduce((a, b) => a + b, 0) - before);
    first = false;
    const urls = r.results.map((y) => y.lead.u);
    const k = urls.findIndex((u) => x.relevant.includes(u));
    ranks.push(k < 0 ? 0 : k + 1);
    if (flags.has('--tops')) {
      console.log(x.q, JSON.stringify(r.results.map((y) => [y.lead.u, y.snip.anchor, y.snip.parts.map((p) => p.text).join('')])));
    }
  }
}
const total = Object.values(bytes).reduce((a, b) => a + b, 0);
const r1 = ranks.filter((r) => r === 1).length / ranks.length;
const mrr = ranks.reduce((a, r) => a + (r ? 1 / r : 0), 0) / ranks.length;
later.sort((a, b) => a - b);
const pct = (p) => later[Math.min(later.length - 1, Math.floor(p * later.length))] ?? 0;
console.log(JSON.stringify({
  queries: ranks.length, r1: +r1.toFixed(3), mrr: +mrr.toFixed(3), session_bytes: total, bytes, requests,
  later_bytes: { median: pct(0.5), p95: pct(0.95) }, ms_node: +ms.toFixed(0),
}));
