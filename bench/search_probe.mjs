// Search benchmark probe: drives headless Chromium (playwright-core) against a built site that
// bench/search.py serves, and measures, per engine and query, what a reader's browser fetches
// and how long it takes to show results. Not a test: bench/search.py runs it and reports.
//
// usage: node search_probe.mjs CONFIG.json OUT.json
//   CONFIG: { base, page, queries: [...], engines: [...], modes: ["cold", "warm"], chromium }
//     base     the site root URL (http://127.0.0.1:PORT/)
//     page     a page of the site to search from (relative to base)
//     engines  any of
//       "ours-ui"   our header box as a reader uses it: fill input#search-input, wait until
//                   #search-listbox has role=option items (as many results with snippets as the
//                   box shows, 5 when this was written, + "See all")
//       "ours-api5" our client's Index.search (the module the page loaded, as the header box
//                   calls it) for the first 5 results with snippets: the same work as ours-ui minus
//                   the DOM, at Pagefind's result count ("ours-apiN": N results)
//       "pagefind"  import /pagefind/pagefind.js, pagefind.search(q), .data() of the first 5
//       "ours-ui-typed" the header box typed into at 150 ms a key (a search per key): the bytes
//                   of all the intermediate searches; times are to the last render
//     modes    "cold": every query in a fresh browser context (empty cache), on a loaded page;
//              "warm": one page, the queries in order (the first one is cold).
//
// Figures, for the requests a query issues (from the main thread or Pagefind's Web Worker):
//   bytes     response headers + response body as transferred, from the browser's network events
//             (Playwright's request.sizes(); a worker script's body from its Content-Length)
//   requests  number of requests
//   levels    sequential round trips: a request's level is the highest level among the requests
//             whose last byte had arrived when it started, plus one if it belongs to another
//             stage (manifest, shards, fragments, ...: requests of one stage are parallel by
//             design, so a busy CPU issuing them one after another does not add levels)
//   after_last_byte_ms  results shown (the listbox has options / data() resolved) minus the
//             query's latest responseEnd; null when the query fetched nothing
//   total_ms  query start (input filled / search called) to results shown; ours-ui includes the
//             header box's debounce (250 ms before it fetches fragments, when this was written)
// Times come from the renderer: the page's and the worker's own Resource Timing entries, as
// epoch ms (timeOrigin + t), so they compare with each other and with the page's "shown" time.
// The page's Worker constructor is wrapped (a classic blob: worker that answers the probe's
// requests for its Resource Timing entries, resolves fetch URLs against the real script's URL,
// then importScripts the real script) to reach the worker's.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PW = process.env.PLAYWRIGHT_CORE ||
  path.join(HERE, '..', 'tests', 'browser', 'node_modules', 'playwright-core', 'index.mjs');
const { chromium } = await import(PW);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

const [configPath, outPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const pageUrl = new URL(cfg.page, cfg.base).href;

// ---------------------------------------------------------------- in-page helpers
// Installed in every page before its scripts run.
function pageInit() {
  const now = () => performance.timeOrigin + performance.now();
  performance.setResourceTimingBufferSize(1e6);
  const entries = () => performance.getEntriesByType('resource').map((e) => ({ url: e.name,
    start: performance.timeOrigin + e.startTime, end: performance.timeOrigin + e.responseEnd, transfer: e.transferSize }));
  const workers = [];
  const NativeWorker = window.Worker;
  window.Worker = function Worker(url, opts) {
    if (opts && opts.type === 'module') return new NativeWorker(url, opts);
    // A blob: worker resolves relative URLs against blob:, so its fetch is given the real base.
    const src = `performance.setResourceTimingBufferSize(1e6);
const __base = ${JSON.stringify(new URL(url, location.href).href)};
const __fetch = self.fetch;
self.fetch = (u, o) => __fetch(typeof u === 'string' ? new URL(u, __base).href : u, o);
self.addEventListener('message', (e) => {
  if (!e.data || !e.data.__probe) return;
  e.stopImmediatePropagation();
  e.ports[0].postMessage(performance.getEntriesByType('resource').map((x) => ({ url: x.name,
    start: performance.timeOrigin + x.startTime, end: performance.timeOrigin + x.responseEnd, transfer: x.transferSize })));
});
importScripts(__base);`;
    const w = new NativeWorker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), opts);
    workers.push(w);
    return w;
  };
  window.__probe = {
    shown: null,
    lastShown: null,
    renders: 0,
    now,
    // Resource Timing entries of the page and its workers that started at or after `since`.
    async resources(since) {
      const fromWorkers = await Promise.all(workers.map((w) => new Promise((resolve) => {
        const ch = new MessageChannel();
        const t = setTimeout(() => resolve([]), 2000);
        ch.port1.onmessage = (e) => { clearTimeout(t); resolve(e.data); };
        w.postMessage({ __probe: true }, [ch.port2]);
      })));
      return [...entries(), ...fromWorkers.flat()].filter((e) => e.start >= since && !e.url.startsWith('blob:'));
    },
  };
  document.addEventListener('DOMContentLoaded', () => {
    const list = document.getElementById('search-listbox');
    if (!list) return;
    new MutationObserver(() => {
      if (!list.querySelector('[role="option"]')) return;
      if (window.__probe.shown === null) window.__probe.shown = now();
      window.__probe.lastShown = now();
      window.__probe.renders++;
    }).observe(list, { childList: true });
  });
}

// ours-api5: Index.search of themes/default/static/search.js (the module the page already
// loaded) with limit 5: the header box's work minus the DOM.
async function oursApi({ q, limit }) {
  const now = () => performance.timeOrigin + performance.now();
  const t0 = now();
  const form = document.getElementById('site-search');
  const jsUrl = [...document.scripts].find((s) => /\/search\.[0-9a-f]+\.js$/.test(s.src) || /search\.js$/.test(s.src)).src;
  const S = await import(jsUrl);
  window.__oursIndex ||= new S.Index(form.dataset.index, form.dataset.stem);
  const { total, results } = await window.__oursIndex.search(q, { typing: true, limit });
  const t1 = now();
  return { t0, shown: t1, total, results: results.length,
    top: results.map((r) => r.fragment.u + (r.snip.anchor ? '#' + r.snip.anchor : '')) };
}

async function pagefindApi({ q, limit, pagefindUrl }) {
  const now = () => performance.timeOrigin + performance.now();
  const t0 = now();
  const pf = (window.__pf ||= await import(pagefindUrl));
  const search = await pf.search(q);
  const data = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
  const t1 = now();
  return { t0, shown: t1, total: search.results.length, results: data.length,
    top: data.map((d) => d.url), excerptChars: data.reduce((n, d) => n + d.excerpt.length, 0) };
}

// ---------------------------------------------------------------- measuring
// Which stage of an engine's fetching a file belongs to. Requests of one stage are issued
// together by the client's code (ours: manifest and stem.js in one Promise.all, then all shards,
// then all fragments; Pagefind: pagefind.js, its worker, pagefind-entry.json, then pf_meta and
// the wasm together, then index chunks, then fragments), so a stage counts one round trip even
// when a busy CPU issues its requests one after another.
function stage(url) {
  const u = url.split('?')[0];
  const stages = [
    [/\/search\/index\.json\.gz$|\/stem\.[0-9a-f]+\.js$/, 'manifest+stem'], // one Promise.all
    [/\/search\/t\//, 'shards'], [/\/search\/f\//, 'fragments'],   // the dictionary is in t/, with the shards
    [/\.pf_meta$|\.pagefind$/, 'meta+wasm'],                                 // fetched together
    [/\.pf_index$/, 'index'], [/\.pf_fragment$/, 'fragments'], [/\.pf_filter$/, 'filter'],
  ];
  const hit = stages.find(([re]) => re.test(u));
  return hit ? hit[1] : u.replace(/.*\//, '');
}

// Sequential round trips: a request's level is the highest level among the requests whose last
// byte had arrived when it started, plus one if it is of another stage. Sets r.level.
function levels(res) {
  const sorted = [...res].sort((a, b) => a.start - b.start);
  for (const r of sorted) {
    r.level = 1;
    for (const p of sorted) {
      if (p === r || !p.level || p.end > r.start) continue;
      r.level = Math.max(r.level, p.level + (stage(p.url) === stage(r.url) ? 0 : 1));
    }
  }
  return Math.max(0, ...sorted.map((r) => r.level));
}

const median = (xs) => { const a = [...xs].sort((x, y) => x - y); return a.length ? a[a.length >> 1] : 0; };

// Waits until every request since log index `from` has finished and none has started for `ms`.
async function quiet(page, from, ms = 150) {
  let n = -1;
  for (let i = 0; i < 200; i++) {
    const reqs = page.__log.slice(from);
    if (reqs.length === n && reqs.every((x) => x.finished)) return;
    n = reqs.length;
    await page.waitForTimeout(ms);
  }
}

// Bytes as transferred of the network log entries from `from` on: [{ url, headers, body }].
async function sizesSince(page, from) {
  const out = [];
  for (const x of page.__log.slice(from)) {
    await x.done;
    const sz = (await x.req.sizes().catch(() => null)) || { responseHeadersSize: 0, responseBodySize: 0 };
    const res = await x.req.response().catch(() => null);
    // A worker's script reports no body size; the server always sends Content-Length.
    const length = res && sz.responseHeadersSize ? Number((await res.headerValue('content-length').catch(() => null)) || 0) : 0;
    out.push({ url: x.url, headers: sz.responseHeadersSize, body: sz.responseBodySize || length,
      status: res ? res.status() : 0, failed: x.failed || null, used: false });
  }
  return out;
}

// The query's requests: Resource Timing entries (times) joined with network sizes (bytes).
async function requestsSince(page, from, t0) {
  const net = await sizesSince(page, from);
  const rt = await page.evaluate((s) => window.__probe.resources(s), t0);
  const res = rt.map((e) => {
    const n = net.find((x) => !x.used && x.url === e.url);
    if (n) n.used = true;
    const headers = n ? n.headers : e.transfer ? 300 : 0;
    const body = n ? n.body : Math.max(0, e.transfer - 300);
    return { url: e.url, start: e.start, end: e.end, headers, body, transfer: headers + body,
      status: n ? n.status : 0, failed: n ? n.failed : null };
  });
  // Requests the browser made that have no Resource Timing entry (failed ones, for instance).
  const unmatched = net.filter((x) => !x.used && !x.url.startsWith('blob:')).map((x) => x.url);
  return { res, unmatched };
}

async function runQuery(page, engine, q) {
  let r;
  const from = page.__log.length;
  if (engine === 'ours-ui') {
    const input = page.locator('#search-input');
    if (await input.inputValue()) {
      await input.fill('');
      await page.waitForFunction(() => !document.querySelector('#search-listbox [role="option"]'));
    }
    const t0 = await page.evaluate(() => { window.__probe.shown = null; return window.__probe.now(); });
    await input.fill(q);
    await page.waitForFunction(() => window.__probe.shown !== null, null, { timeout: 30_000 });
    const info = await page.evaluate(() => ({
      shown: window.__probe.shown,
      results: document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)').length,
      status: document.querySelector('#site-search [role="status"]')?.textContent || '',
      top: [...document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)')].map((li) => li.dataset.href),
    }));
    r = { t0, ...info, total: Number((info.status.match(/\d+/) || [0])[0]) };
  } else if (engine === 'ours-ui-typed') {
    // A reader typing at 150 ms a key: the box may search after each key (it debounces), so
    // this counts what all the intermediate searches fetch.
    const input = page.locator('#search-input');
    if (await input.inputValue()) {
      await input.fill('');
      await page.waitForFunction(() => !document.querySelector('#search-listbox [role="option"]'));
    }
    const t0 = await page.evaluate(() => { window.__probe.shown = null; window.__probe.renders = 0; return window.__probe.now(); });
    await input.pressSequentially(q, { delay: 150 });
    await quiet(page, from);
    await page.waitForTimeout(300);
    const info = await page.evaluate(() => ({
      shown: window.__probe.lastShown, renders: window.__probe.renders,
      results: document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)').length,
      status: document.querySelector('#site-search [role="status"]')?.textContent || '',
      top: [...document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)')].map((li) => li.dataset.href),
    }));
    r = { t0, ...info, total: Number((info.status.match(/\d+/) || [0])[0]) };
  } else if (/^ours-api\d+$/.test(engine)) {
    r = await page.evaluate(oursApi, { q, limit: Number(engine.slice(8)) });
  } else if (engine === 'pagefind') {
    r = await page.evaluate(pagefindApi, { q, limit: 5, pagefindUrl: new URL('pagefind/pagefind.js', cfg.base).href });
  } else throw new Error('unknown engine ' + engine);
  await quiet(page, from);
  const { res, unmatched } = await requestsSince(page, from, r.t0);
  const lastByte = res.length ? Math.max(...res.map((x) => x.end)) : null;
  const first = res.length ? Math.min(...res.map((x) => x.start)) : r.t0;
  return {
    q, engine, results: r.results, total: r.total, top: r.top, renders: r.renders,
    requests: res.length, network_requests: res.filter((x) => x.transfer > 0).length,
    bytes: res.reduce((n, x) => n + x.transfer, 0),
    body_bytes: res.reduce((n, x) => n + x.body, 0),
    header_bytes: res.reduce((n, x) => n + x.headers, 0),
    failed: res.filter((x) => x.failed || x.status >= 400).map((x) => `${x.url} ${x.status} ${x.failed || ''}`),
    unmatched,
    levels: levels(res),
    after_last_byte_ms: lastByte === null ? null : +(r.shown - lastByte).toFixed(2),
    total_ms: +(r.shown - r.t0).toFixed(2),
    late_requests: res.filter((x) => x.start > r.shown).length,
    files: res.sort((a, b) => a.start - b.start).map((x) => ({ url: x.url.replace(cfg.base, '/'), bytes: x.transfer,
      body: x.body, level: x.level, start: +(x.start - first).toFixed(1), end: +(x.end - first).toFixed(1) })),
  };
}

async function freshPage(browser) {
  // A new context has an empty cache. No request routing: it would delay every request, and
  // the host resolver rules already keep Chromium off the network.
  // Service workers blocked: the site's offline worker (which a first visit does not have yet)
  // would answer fetches itself and hide them from the network figures, Pagefind's as well.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  await context.addInitScript(pageInit);
  const page = await context.newPage();
  page.__log = [];
  const mark = (req, failed) => {
    const x = page.__log.find((y) => y.req === req);
    if (x) { x.failed = failed; x.doneAt = Date.now(); x.resolve(); }
  };
  page.on('request', (req) => {
    const x = { req, url: req.url(), seen: Date.now(), finished: false };
    x.done = new Promise((res) => { x.resolve = () => { x.finished = true; res(); }; });
    page.__log.push(x);
  });
  page.on('requestfinished', (req) => mark(req, null));
  page.on('requestfailed', (req) => mark(req, req.failure()?.errorText || 'failed'));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pageUrl, { waitUntil: 'load' });
  await quiet(page, 0, 200);
  const load = await sizesSince(page, 0);
  return { context, page, errors, pageLoadBytes: load.reduce((n, x) => n + x.headers + x.body, 0),
    pageLoad: load.map((x) => ({ url: x.url.replace(cfg.base, '/'), bytes: x.headers + x.body })) };
}

const browser = await chromium.launch({
  executablePath: cfg.chromium || process.env.CHROME_PATH || '/usr/bin/chromium',
  args: CHROMIUM_ARGS, timeout: 60_000,
});
const out = { page: cfg.page, engines: {} };
try {
  for (const engine of cfg.engines) {
    const e = (out.engines[engine] = { cold: [], warm: [], errors: [] });
    if (cfg.modes.includes('cold')) {
      for (const q of cfg.queries) {
        const { context, page, errors, pageLoadBytes, pageLoad } = await freshPage(browser);
        try {
          const r = await runQuery(page, engine, q);
          e.cold.push({ ...r, page_load_bytes: pageLoadBytes });
          e.page_load ||= pageLoad;
        } finally { e.errors.push(...errors); await context.close(); }
      }
    }
    if (cfg.modes.includes('warm')) {
      const { context, page, errors } = await freshPage(browser);
      try {
        for (const q of cfg.queries) e.warm.push(await runQuery(page, engine, q));
      } finally { e.errors.push(...errors); await context.close(); }
    }
    process.stderr.write(`  probe: ${engine} done\n`);
  }
} finally {
  await browser.close();
}
fs.writeFileSync(outPath, JSON.stringify(out));
