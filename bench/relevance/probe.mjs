// Drives one headless Chromium over every site and engine of the relevance benchmark
// (bench/relevance.py writes the config and reads the output; run it through that script).
//
//   node bench/relevance/probe.mjs CONFIG.json OUT.json
//
// CONFIG: { sites: [{ name, base, pages: { en: "path/", es: "es/" }, queries: [{ i, q, lang }],
//           engines: [...] }], cpuThrottle, keyDelayMs, limit, cold }
//
// Engines (each query is run from a page of its language, `pages[lang]`):
//   playbook-api   the client's Index, from the search module the page loaded (as the header box
//                  uses it: typing while the query has no trailing space), first `limit` results;
//   playbook-box   the header box as a reader types: a click in #search-input, the query key by key
//                  (keyDelayMs apart), then the options of #search-listbox once the last keystroke
//                  has settled (what the box shows: at most 5, the "See all" option left out);
//   pagefind       /pagefind/pagefind.js: search(q), then data() of the first `limit` results;
//   pagefind-mainthread  the same with window.Worker removed, so Pagefind's search runs on the
//                  page's main thread, which is the thread Chromium's CPU throttling slows
//                  (the throttle does not reach a dedicated worker): a latency check only.
//
// Two passes per site and engine, every page in a fresh browser context (empty cache; service
// workers blocked, since the site's offline worker would answer fetches out of sight), with
// Emulation.setCPUThrottlingRate(cpuThrottle) set once the page has loaded:
//   warm: one page per language, the queries in order (rankings, and later-query bytes);
//   cold: each query on a page of its own (first-query bytes and requests, and the time from
//         the last response byte to results shown; for the box, from the later of the last byte
//         and the last key, since the box waits for typing to pause before it shows results).
// Bytes are as transferred (response headers + body as sent); a response taken from the
// browser's cache transfers nothing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PW = process.env.PLAYWRIGHT_CORE ||
  path.join(HERE, '..', '..', 'tests', 'browser', 'node_modules', 'playwright-core', 'index.mjs');
const { chromium } = await import(PW);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

const [configPath, outPath] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const LIMIT = cfg.limit || 10;
const KEY_DELAY = cfg.keyDelayMs ?? 100;
const THROTTLE = cfg.cpuThrottle ?? 4;
const log = (...a) => process.stderr.write(a.join(' ') + '\n');

// ---------------------------------------------------------------- in-page helpers
// Installed in every page before its scripts run: a clock, and the times at which the header
// box's list of options changed while it held options.
function pageInit() {
  const now = () => performance.timeOrigin + performance.now();
  window.__rel = { now, renders: [], lastInput: null };
  // When the box received the last key: measured here, as the event is handled, because under
  // CPU throttling the test's own call into the page may run only after the list is drawn.
  document.addEventListener('input', (e) => {
    if (e.target && e.target.id === 'search-input') window.__rel.lastInput = now();
  }, true);
  document.addEventListener('DOMContentLoaded', () => {
    const list = document.getElementById('search-listbox');
    if (!list) return;
    new MutationObserver(() => {
      if (list.querySelector('[role="option"]')) window.__rel.renders.push(now());
    }).observe(list, { childList: true, subtree: true });
  });
}

function noWorker() { delete window.Worker; }

// playbook-api: the Index class of the search module this page loaded, on the same index and
// stemmer the header box is given (its form's data attributes).
async function oursApi({ q, limit }) {
  const now = window.__rel.now;
  const form = document.getElementById('site-search');
  if (!form) throw new Error('no #site-search form on this page');
  const script = [...document.scripts].find((s) => /\/search(\.[0-9a-f]+)?\.m?js$/.test(s.src));
  if (!script) throw new Error('no search module script on this page');
  const S = await import(script.src);
  const t0 = now();
  window.__relIndex ||= new S.Index(form.dataset.index, form.dataset.stem);
  const found = await window.__relIndex.search(q, { typing: !/\s$/.test(q), limit });
  const shown = now();
  const url = (r) => (r.lead && r.lead.u) ?? r.url ?? r.u ?? null;
  return { t0, shown, total: found.total, top: found.results.map(url) };
}

async function pagefindApi({ q, limit, pagefindUrl }) {
  const now = window.__rel.now;
  const t0 = now();
  const pf = (window.__pf ||= await import(pagefindUrl));
  const search = await pf.search(q);
  const data = await Promise.all(search.results.slice(0, limit).map((r) => r.data()));
  const shown = now();
  return { t0, shown, total: search.results.length, top: data.map((d) => d.url) };
}

// ---------------------------------------------------------------- network log
function attachLog(page) {
  page.__log = [];
  const mark = (req, failed) => {
    const x = page.__log.find((y) => y.req === req);
    if (x && !x.finished) { x.failed = failed; x.finished = true; x.doneAt = Date.now(); x.resolve(); }
  };
  page.on('request', (req) => {
    const x = { req, url: req.url(), seen: Date.now(), finished: false };
    x.done = new Promise((res) => { x.resolve = res; });
    page.__log.push(x);
  });
  page.on('requestfinished', (req) => mark(req, null));
  page.on('requestfailed', (req) => mark(req, req.failure()?.errorText || 'failed'));
}

// Waits until every request since `from` has finished and none has started for `ms`.
async function quiet(page, from, ms = 300) {
  let n = -1;
  for (let i = 0; i < 200; i++) {
    const reqs = page.__log.slice(from);
    if (reqs.length === n && reqs.every((x) => x.finished)) return;
    n = reqs.length;
    await page.waitForTimeout(ms);
  }
}

// The requests since log index `from`: bytes as transferred and the epoch time of the last byte.
async function requestsSince(page, from) {
  const out = [];
  for (const x of page.__log.slice(from)) {
    await x.done;
    const s = await x.req.sizes().catch(() => null);
    const res = await x.req.response().catch(() => null);
    const headers = s && s.responseHeadersSize > 0 ? s.responseHeadersSize : 0;
    let body = headers ? s.responseBodySize : 0;
    // A worker's script reports no body size; the server always sends Content-Length.
    if (headers && !body && res) body = Number((await res.headerValue('content-length').catch(() => null)) || 0);
    const t = x.req.timing();
    const end = t && t.startTime > 0 && t.responseEnd >= 0 ? t.startTime + t.responseEnd : x.doneAt;
    out.push({ url: x.url, bytes: headers + body, start: t && t.startTime > 0 ? t.startTime : x.seen, end,
      status: res ? res.status() : 0, failed: x.failed || null });
  }
  return out;
}

// ---------------------------------------------------------------- one query
async function runQuery(page, engine, { q }, base) {
  let r;
  let from = page.__log.length;
  if (engine === 'playbook-box') {
    const input = page.locator('#search-input');
    if (await input.inputValue()) {
      await input.fill('');
      await page.waitForFunction(() => !document.querySelector('#search-listbox [role="option"]'), null, { timeout: 20_000 })
        .catch(() => {});
      await quiet(page, from);
      from = page.__log.length;
    }
    await input.click();
    const t0 = await page.evaluate(() => { window.__rel.renders = []; window.__rel.lastInput = null; return window.__rel.now(); });
    await input.pressSequentially(q, { delay: KEY_DELAY });
    const tLast = await page.evaluate(() => window.__rel.lastInput ?? window.__rel.now());
    // Settled: the list was drawn after the last key, nothing is being fetched, and the box's
    // debounce (250 ms) has long passed.
    const deadline = Date.now() + 30_000;
    let ok = false;
    while (Date.now() < deadline) {
      await page.waitForTimeout(200);
      await quiet(page, from, 250);
      const st = await page.evaluate((tl) => ({ drawn: window.__rel.renders.some((t) => t > tl), now: window.__rel.now() }), tLast);
      if (st.drawn && st.now - tLast > 800) { ok = true; break; }
    }
    const info = await page.evaluate((tl) => ({
      shown: Math.max(0, ...window.__rel.renders.filter((t) => t > tl)) || null,
      status: document.querySelector('#site-search [role="status"]')?.textContent || '',
      top: [...document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)')].map((li) => li.dataset.href || null),
    }), tLast);
    r = { t0, tLast, ...info, total: Number((info.status.match(/\d+/) || [0])[0]),
      error: ok ? null : 'the box showed no list after the last key within 30 s' };
  } else if (engine === 'playbook-api') {
    r = await page.evaluate(oursApi, { q, limit: LIMIT });
  } else if (engine === 'pagefind' || engine === 'pagefind-mainthread') {
    r = await page.evaluate(pagefindApi, { q, limit: LIMIT, pagefindUrl: new URL('pagefind/pagefind.js', base).href });
  } else throw new Error('unknown engine ' + engine);
  await quiet(page, from);
  const res = (await requestsSince(page, from)).filter((x) => !x.url.startsWith('data:') && !x.url.startsWith('blob:'));
  const inTime = r.shown ? res.filter((x) => x.end <= r.shown + 1) : [];
  let lastByte = inTime.length ? Math.max(...inTime.map((x) => x.end)) : null;
  // The box cannot show results before the last key: when every byte it needed had arrived
  // while the reader typed, the wait counts from the last key.
  if (r.tLast && lastByte !== null) lastByte = Math.max(lastByte, r.tLast);
  const net = res.filter((x) => x.bytes > 0);
  return {
    q, engine, top: r.top, total: r.total, error: r.error || null,
    requests: net.length, bytes: net.reduce((n, x) => n + x.bytes, 0),
    cache_hits: res.length - net.length,
    failed: res.filter((x) => x.failed || x.status >= 400).map((x) => `${x.url.replace(base, '/')} ${x.status} ${x.failed || ''}`),
    // From the last response byte (of the requests that ended before the results) to results.
    after_last_byte_ms: lastByte !== null && r.shown ? +(r.shown - lastByte).toFixed(1) : null,
    // From the query (the api call; the box's last key) to results.
    query_to_results_ms: r.shown ? +(r.shown - (r.tLast ?? r.t0)).toFixed(1) : null,
    late_requests: r.shown ? res.filter((x) => x.start > r.shown).length : 0,
    files: res.map((x) => ({ url: x.url.replace(base, '/'), bytes: x.bytes })),
  };
}

async function freshPage(browser, url, engine) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  await context.addInitScript(pageInit);
  if (engine === 'pagefind-mainthread') await context.addInitScript(noWorker);
  const page = await context.newPage();
  attachLog(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (!resp || resp.status() >= 400) throw new Error(`${url}: HTTP ${resp ? resp.status() : 'no response'}`);
  await quiet(page, 0, 200);
  if (THROTTLE > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  }
  return { context, page, errors };
}

// ---------------------------------------------------------------- main
const browser = await chromium.launch({
  executablePath: cfg.chromium || process.env.CHROME_PATH || '/usr/bin/chromium',
  args: CHROMIUM_ARGS, timeout: 60_000,
});
const out = { chromium: browser.version(), sites: {} };
try {
  for (const site of cfg.sites) {
    const so = (out.sites[site.name] = {});
    for (const engine of site.engines) {
      const e = (so[engine] = { warm: [], cold: [], errors: [] });
      const t = Date.now();
      const langs = [...new Set(site.queries.map((x) => x.lang))];
      if (!engine.startsWith('pagefind-mainthread')) {
        for (const lang of langs) {
          const url = new URL(site.pages[lang], site.base).href;
          let p;
          try {
            p = await freshPage(browser, url, engine);
            for (const x of site.queries.filter((y) => y.lang === lang)) {
              try { e.warm.push({ i: x.i, lang, ...(await runQuery(p.page, engine, x, site.base)) }); } catch (err) {
                e.warm.push({ i: x.i, lang, q: x.q, engine, top: [], error: String(err).slice(0, 500) });
              }
            }
          } catch (err) { e.errors.push(`warm ${lang}: ${String(err).slice(0, 500)}`); } finally {
            if (p) { e.errors.push(...p.errors.slice(0, 20)); await p.context.close(); }
          }
        }
      }
      if (cfg.cold) {
        for (const x of site.queries) {
          let p;
          try {
            p = await freshPage(browser, new URL(site.pages[x.lang], site.base).href, engine);
            e.cold.push({ i: x.i, lang: x.lang, ...(await runQuery(p.page, engine, x, site.base)) });
          } catch (err) {
            e.cold.push({ i: x.i, lang: x.lang, q: x.q, engine, top: [], error: String(err).slice(0, 500) });
          } finally {
            if (p) { e.errors.push(...p.errors.slice(0, 5)); await p.context.close(); }
          }
        }
      }
      e.errors = [...new Set(e.errors)].slice(0, 30);
      log(`  probe: ${site.name} ${engine} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
  }
} finally {
  await browser.close();
}
fs.writeFileSync(outPath, JSON.stringify(out));
