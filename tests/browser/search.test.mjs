// Browser tests of the site search (themes/default/static/search.js) in headless Chromium, on the
// built site served under its sub-path, offline. env: SITE_DIR, BASE_PATH, as for site.test.mjs.
//   a. "/" focuses the header box (the key shown in the empty box where there is a keyboard, never
//      on a phone); typing a query key by key opens the listbox with the expected
//      first result and a marked snippet (the bytes and requests of that first query are printed);
//   b. the combobox keyboard: arrows move and wrap, Enter opens the result at its #anchor,
//      Escape closes the list and a second Escape clears the box;
//   c. the results page (search/?q=…): status, results, kind filters kept in the URL and across
//      a reload, "More results" only past ten;
//   d. without JavaScript: no header box, and the search page explains why;
//   e. axe-core WCAG 2.2 A/AA with the listbox open (light, dark) and on the results page;
//   f. under the sub-path, from a deep URL, every request stays under BASE_PATH; a query without
//      quotes fetches shards and leads, no page text;
//   g. relevance as a reader meets it: the box shows the results page's ranking; a typo is
//      corrected with "Showing results for …" and a link to the words as typed; a quoted phrase;
//      each result opens the heading of its section; other languages' results only when ticked,
//      marked with their language; a Spanish page searches the Spanish index; axe-core 0 in
//      each of those states.
// Every test fails on a request to another host, outside BASE_PATH, failed, or on a page error.
// Expected results are computed from the index on disk with search.js's own pure functions
// (tests/js/search.test.mjs checks those), plus first results known from the content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from './lib/serve.mjs';
import { assertClean, assertNoAxeViolations, basePathFromEnv, isRootFavicon, launchBrowser, poll, siteDirFromEnv, withPage } from './lib/harness.mjs';
import { find, parseShard } from '../../themes/default/static/search.js';
import { stem } from '../../themes/default/static/stem.js';

const SITE_DIR = siteDirFromEnv('search/index.json.gz', 'a built site with a search index');
const BASE_PATH = basePathFromEnv();

// The query typed in the header box, and the chapter it must find first (at a section anchor).
const QUERY = 'cycle of inquiry';
const QUERY_FIRST = { title: 'The Results-Oriented Cycle of Inquiry', path: 'playbook/results-oriented-cycle-of-inquiry/' };
// A query for the results page with more than ten results of several kinds.
const PAGE_QUERY = 'equity';
const KIND_LABELS = { p: 'Playbook', m: 'Monograph', l: 'Lesson', c: 'Course', o: 'Page' };
const FIRST_QUERY_MAX_BYTES = 50 * 1024;

// ---------------------------------------------------------------- the index on disk
// Each language's index (`''` the default language's, `'es/'` Spanish), read from disk, as
// find() takes an Index; results are computed with search.js's own code.
const indexes = new Map();
function diskIndex(lang = '') {
  if (indexes.has(lang)) return indexes.get(lang);
  const dir = path.join(SITE_DIR, lang, 'search');
  const gunzipFile = (rel) => zlib.gunzipSync(fs.readFileSync(path.join(dir, rel)));
  const manifest = JSON.parse(gunzipFile('index.json.gz').toString('utf8'));
  const shards = manifest.shards.map(([, file]) => parseShard(new Uint8Array(gunzipFile(file))));
  const dict = gunzipFile(manifest.dict);
  const leads = Object.assign({}, ...manifest.leads.map(([, file]) => JSON.parse(gunzipFile(file).toString('utf8'))));
  const index = {
    manifest, stem,
    shard: (i) => Promise.resolve(shards[i]),
    lead: (page) => Promise.resolve(leads[page]),
    // A page whose kind letter is a capital has no fragment file: its lead holds its text.
    fragment: (page) => Promise.resolve(manifest.page_kinds[page] < 'a' ? leads[page] : JSON.parse(zlib.inflateRawSync(
      fs.readFileSync(path.join(dir, `f/${page}.bin`)), { dictionary: dict }).toString('utf8'))),
  };
  indexes.set(lang, index);
  return index;
}
// The URLs (without anchors) of the results of a query, in order, as the results page ranks them.
async function expected(text, kinds = null, lang = '') {
  const allow = kinds && kinds.length < 5 ? new Set(kinds) : null;
  return (await find(text, diskIndex(lang), { allow, limit: 1e6 })).results.map((r) => r.lead.u);
}
const chapterRel = fs.readdirSync(path.join(SITE_DIR, 'playbook'), { withFileTypes: true })
  .filter((e) => e.isDirectory()).map((e) => `playbook/${e.name}/`).sort()
  .find((rel) => /<body[^>]*data-page-kind="chapter"/.test(fs.readFileSync(path.join(SITE_DIR, rel, 'index.html'), 'utf8')));

let server, browser;
const urlOf = (rel) => server.url + rel;

before(async () => {
  assert.ok(chapterRel, 'no chapter page under playbook/');
  server = await serve(SITE_DIR, BASE_PATH);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------- helpers
// Records every request of page into log.requests (with its response size, once `done`), counts
// those in flight, and lists requests to 127.0.0.1 outside BASE_PATH in log.outsideBase.
function recordRequests(page, log) {
  Object.assign(log, { requests: [], outsideBase: [], inflight: 0, lastEvent: Date.now() });
  page.on('request', (r) => {
    const u = new URL(r.url());
    const entry = { url: r.url(), bytes: 0, done: null };
    entry.done = new Promise((resolve) => { entry.resolve = resolve; });
    log.requests.push(entry);
    log.inflight++;
    log.lastEvent = Date.now();
    if (u.hostname === '127.0.0.1' && !u.pathname.startsWith(BASE_PATH) && !isRootFavicon(r.url())) log.outsideBase.push(r.url());
  });
  const finish = (r, bytes) => {
    const entry = log.requests.find((e) => e.url === r.url() && e.resolve);
    if (entry) { entry.bytes = bytes; entry.resolve(); entry.resolve = null; }
    log.inflight--;
    log.lastEvent = Date.now();
  };
  page.on('requestfinished', async (r) => {
    const sizes = await r.sizes().catch(() => null);
    finish(r, sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0);
  });
  page.on('requestfailed', (r) => finish(r, 0));
}

// Opens url in a fresh context (withPage) that also records its requests (recordRequests); runs
// fn, then fails on requests to other hosts or outside BASE_PATH, failed requests, console errors
// and page errors.
async function withSearchPage(url, opts, fn) {
  return withPage(browser, url, { ...opts, prepare: recordRequests }, async (args) => {
    const result = await fn(args);
    assert.deepEqual(args.log.outsideBase, [], `requests outside ${BASE_PATH}`);
    assertClean(args.log);
    return result;
  });
}

// Waits until no request has been in flight for `quiet` ms.
async function settled(log, quiet = 300, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (log.inflight <= 0 && Date.now() - log.lastEvent >= quiet) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`requests still in flight after ${ms} ms`);
}

// The state of the header combobox.
const combobox = (page) => page.evaluate(() => {
  const input = document.getElementById('search-input');
  const list = document.getElementById('search-listbox');
  const options = [...list.querySelectorAll('[role="option"]')].map((o) => ({
    id: o.id, selected: o.getAttribute('aria-selected'), href: o.dataset.href,
    title: o.querySelector('.result-title')?.textContent ?? o.textContent,
    marks: [...o.querySelectorAll('.result-section mark, .result-snippet mark')].map((m) => m.textContent),
  }));
  return {
    focused: document.activeElement === input, value: input.value, expanded: input.getAttribute('aria-expanded'),
    active: input.getAttribute('aria-activedescendant'), hidden: list.hidden, visible: list.offsetParent !== null,
    options, status: document.querySelector('#site-search [role="status"]').textContent,
  };
});

// Presses "/" (unless the box has focus already) and types text key by key, as a person would,
// then waits for the listbox to show the results of the whole text.
async function typeQuery(page, log, text) {
  if (!(await combobox(page)).focused) await page.keyboard.press('/');
  await page.keyboard.type(text, { delay: 90 });
  // The last option ("See all … results") carries the text the list was made for.
  const forText = '?q=' + encodeURIComponent(text.trim());
  const state = await poll(async () => {
    const s = await combobox(page);
    return { ok: s.expanded === 'true' && s.options.length > 1 && !!s.options.at(-1).href?.endsWith(forText), ...s };
  });
  await settled(log);
  assert.equal(state.expanded, 'true', `the listbox did not open for ${JSON.stringify(text)}: ${JSON.stringify(state)}`);
  return state;
}

// The state of the results page.
const resultsPage = (page) => page.evaluate(() => {
  const more = document.getElementById('search-more');
  return {
    status: document.getElementById('search-status').textContent,
    input: document.getElementById('search-page-input').value,
    hrefs: [...document.querySelectorAll('#search-results-list > li > a')].map((a) => a.getAttribute('href')),
    metas: [...document.querySelectorAll('#search-results-list > li .result-meta')].map((m) => m.textContent),
    marks: document.querySelectorAll('#search-results-list mark').length,
    checked: [...document.querySelectorAll('input[name="kind"]')].filter((b) => b.checked).map((b) => b.value),
    more: !more.hidden && more.offsetParent !== null,
    search: location.search,
  };
});
const withoutAnchor = (href) => href.replace(/#.*$/, '');
// Waits until the results page shows the first `n` expected URLs for the query and kinds.
async function resultsShow(page, text, kinds, n = 10) {
  const want = await expected(text, kinds);
  const s = await poll(async () => {
    const r = await resultsPage(page);
    return { ok: r.status.includes(`${want.length} `) && r.hrefs.length === Math.min(n, want.length), ...r };
  });
  assert.deepEqual(s.hrefs.map(withoutAnchor), want.slice(0, n), `results for ${JSON.stringify(text)} (${kinds ?? 'all kinds'})`);
  assert.equal(s.status, `${want.length} pages match “${text}”.`, 'status text');
  return { ...s, total: want.length };
}

// ---------------------------------------------------------------- tests
test('a. "/" focuses the search box; typing opens the listbox with the expected first result', async (t) => {
  await withSearchPage(urlOf(chapterRel), {}, async ({ page, log }) => {
    await page.locator('#site-search').waitFor({ state: 'visible' });
    await settled(log);
    const before = log.requests.length;
    const keyShown = () => page.evaluate(() => getComputedStyle(document.querySelector('.search-key')).display !== 'none');
    assert.ok(await keyShown(), 'the empty box does not show the "/" key on a device with a keyboard');
    await page.keyboard.press('/');
    let s = await combobox(page);
    assert.ok(s.focused, '"/" did not move focus to #search-input');
    assert.ok(!(await keyShown()), 'the "/" key is still shown in the focused box');
    assert.equal(s.value, '', 'the "/" itself was typed into the box');

    s = await typeQuery(page, log, QUERY);
    assert.ok(s.focused, 'focus left the box while typing');
    assert.ok(!s.hidden && s.visible, 'the listbox is not shown');
    const first = s.options[0];
    assert.ok(first.title.startsWith(QUERY_FIRST.title), `first option is ${JSON.stringify(first.title)}`);
    assert.ok(first.href.startsWith(BASE_PATH + QUERY_FIRST.path), `first option links to ${first.href}`);
    assert.ok(first.marks.length > 0, 'the first result\'s section heading and snippet have no <mark>');
    assert.ok(first.marks.every((m) => ['cycle', 'inquiry'].includes(m.toLowerCase())), `marks: ${first.marks}`);
    assert.match(s.status, /^\d+ results?$/, 'the live region announces the count');
    assert.equal(new URL(s.options.at(-1).href, server.url).href, `${urlOf('search/')}?q=${encodeURIComponent(QUERY)}`,
      'the last option opens the results page');

    // The cost of this first query: everything fetched since "/" was pressed.
    const reqs = log.requests.slice(before);
    await Promise.all(reqs.map((r) => r.done));
    const bytes = reqs.reduce((sum, r) => sum + r.bytes, 0);
    const list = reqs.map((r) => `${new URL(r.url).pathname.slice(BASE_PATH.length)} ${r.bytes}`);
    t.diagnostic(`first query ${JSON.stringify(QUERY)} typed key by key: ${reqs.length} requests, ${bytes} bytes`);
    for (const l of list) t.diagnostic(`  ${l}`);
    assert.ok(reqs.every((r) => new URL(r.url).pathname.startsWith(BASE_PATH)), 'search requests outside BASE_PATH');
    assert.ok(bytes < FIRST_QUERY_MAX_BYTES, `the first query fetched ${bytes} bytes (limit ${FIRST_QUERY_MAX_BYTES}):\n${list.join('\n')}`);
  });
});

test('a. a phone (touch, no hover) is not told to press "/"', async () => {
  await withSearchPage(urlOf(chapterRel), { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true }, async ({ page }) => {
    await page.locator('#site-search').waitFor({ state: 'visible' });
    const s = await page.evaluate(() => ({
      key: getComputedStyle(document.querySelector('.search-key')).display,
      placeholder: document.getElementById('search-input').placeholder,
    }));
    assert.equal(s.key, 'none', 'the "/" key is shown on a phone');
    assert.ok(!s.placeholder.includes('/'), `the placeholder names a key: ${s.placeholder}`);
  });
});

test('a. on a phone, a tablet and a laptop, the open listbox lies within the window', async () => {
  for (const width of [320, 375, 600, 959, 1024, 1280]) {
    await withSearchPage(urlOf(chapterRel), { viewport: { width, height: 740 } }, async ({ page, log }) => {
      await page.locator('#site-search').waitFor({ state: 'visible' });
      await page.locator('#search-input').click();
      const s = await typeQuery(page, log, QUERY);
      assert.ok(!s.hidden && s.visible, `the listbox is not shown at ${width} px`);
      const box = await page.locator('#search-listbox').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= width,
        `at ${width} px the listbox spans ${Math.round(box.x)}–${Math.round(box.x + box.width)} px, outside the window`);
    });
  }
});

test('b. keyboard: arrows move and wrap, Enter opens the result at its anchor', async () => {
  await withSearchPage(urlOf(chapterRel), {}, async ({ page, log }) => {
    const s0 = await typeQuery(page, log, QUERY);
    const ids = s0.options.map((o) => o.id);
    const activeIs = async (i, what) => {
      const s = await combobox(page);
      assert.ok(s.focused, `${what}: focus left the box`);
      assert.equal(s.active, ids[i], `${what}: aria-activedescendant`);
      assert.deepEqual(s.options.map((o) => o.selected), ids.map((_, j) => String(j === i)), `${what}: aria-selected`);
      return s;
    };
    assert.equal(s0.active, null, 'no option is active before an arrow key');
    await page.keyboard.press('ArrowDown');
    await activeIs(0, 'ArrowDown');
    await page.keyboard.press('ArrowDown');
    await activeIs(1, 'ArrowDown twice');
    await page.keyboard.press('ArrowUp');
    await activeIs(0, 'ArrowUp');
    await page.keyboard.press('ArrowUp');
    await activeIs(ids.length - 1, 'ArrowUp from the first option wraps to the last');
    await page.keyboard.press('ArrowDown');
    const s = await activeIs(0, 'ArrowDown from the last option wraps to the first');

    const href = s.options[0].href;
    assert.match(href, /#./, `the first result has no #anchor: ${href}`);
    await Promise.all([page.waitForURL((u) => u.pathname !== new URL(urlOf(chapterRel)).pathname), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    assert.equal(page.url(), new URL(href, server.url).href, 'Enter opened another URL than the active option\'s');
    const target = await page.evaluate(() => {
      const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      return { exists: !!el, tag: el?.tagName, kind: document.body.dataset.pageKind };
    });
    assert.ok(target.exists, `${href}: the anchor is not on the page`);
    assert.equal(target.kind, 'chapter');
  });
});

test('b. keyboard: Escape closes the listbox and keeps the text; a second Escape clears it', async () => {
  await withSearchPage(urlOf(chapterRel), {}, async ({ page, log }) => {
    await typeQuery(page, log, QUERY);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await settled(log);
    let s = await combobox(page);
    assert.equal(s.expanded, 'false', 'Escape: aria-expanded');
    assert.ok(s.hidden, 'Escape: the listbox is still shown');
    assert.equal(s.active, null, 'Escape: aria-activedescendant remains');
    assert.equal(s.value, QUERY, 'the first Escape must only close the listbox, not clear the text');
    assert.ok(s.focused, 'Escape: focus left the box');
    await page.keyboard.press('Escape');
    await settled(log);
    s = await combobox(page);
    assert.equal(s.value, '', 'the second Escape clears the box');
    assert.equal(s.expanded, 'false');
  });
});

test('c. results page: status, results, filters in the URL and across a reload, "More results"', async () => {
  const url = `${urlOf('search/')}?q=${encodeURIComponent(PAGE_QUERY)}`;
  await withSearchPage(url, {}, async ({ page }) => {
    const all = await resultsShow(page, PAGE_QUERY, null);
    assert.ok(all.total > 10, `"${PAGE_QUERY}" has only ${all.total} results; pick a query with more than 10`);
    assert.equal(all.input, PAGE_QUERY, 'the box shows the query');
    assert.deepEqual(all.checked, ['p', 'm', 'l', 'c', 'o'], 'all kinds are on by default');
    assert.ok(all.marks > 0, 'snippets have no <mark>');
    assert.ok(all.more, '"More results" is missing with more than 10 results');
    const kindsShown = new Set(all.metas.map((m) => m.split(' · ')[0]));
    assert.ok(kindsShown.has(KIND_LABELS.c) || kindsShown.has(KIND_LABELS.l), 'pick a query with Course or Lesson results');

    // Uncheck Courses and Lessons.
    await page.getByLabel('Courses').uncheck();
    await page.getByLabel('Lessons').uncheck();
    const kinds = ['p', 'm', 'o'];
    const some = await resultsShow(page, PAGE_QUERY, kinds);
    assert.ok(some.metas.every((m) => !m.startsWith(KIND_LABELS.c) && !m.startsWith(KIND_LABELS.l)), `Course or Lesson results left:\n${some.metas.join('\n')}`);
    const params = new URLSearchParams(some.search);
    assert.equal(params.get('q'), PAGE_QUERY, 'the URL keeps q');
    assert.deepEqual(params.getAll('kind'), kinds, 'the URL lists the kinds left on');
    assert.equal(some.more, some.total > 10, `"More results" shown: ${some.more}, with ${some.total} results`);

    // A reload keeps the query and the filters.
    await page.reload({ waitUntil: 'load' });
    const again = await resultsShow(page, PAGE_QUERY, kinds);
    assert.equal(again.input, PAGE_QUERY);
    assert.deepEqual(again.checked, kinds, 'the filters after a reload');
    assert.deepEqual(again.hrefs, some.hrefs, 'the same results after a reload');

    // "More results" shows the rest, then goes away.
    if (again.more) {
      await page.locator('#search-more').click();
      const rest = await resultsShow(page, PAGE_QUERY, kinds, again.total);
      assert.equal(rest.hrefs.length, again.total);
      assert.ok(!rest.more, '"More results" still shown when all are listed');
    }
    // Fewer than 11 results: no "More results".
    await page.getByLabel('Other pages').uncheck();
    await page.getByLabel('Monographs').uncheck();
    const few = await resultsShow(page, PAGE_QUERY, ['p']);
    assert.ok(few.total <= 10, `${few.total} Playbook results for "${PAGE_QUERY}"`);
    assert.ok(!few.more, `"More results" shown with ${few.total} results`);
  });
});

test('c. results page: a query with no results says so, and a query with 10 or fewer has no "More results"', async () => {
  await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent('zzyzx')}`, {}, async ({ page }) => {
    const s = await poll(async () => { const r = await resultsPage(page); return { ok: r.status !== '', ...r }; });
    assert.equal(s.status, 'No pages match “zzyzx”.');
    assert.deepEqual(s.hrefs, []);
    assert.ok(!s.more);
  });
  const few = 'distributed leadership';
  await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent(few)}`, {}, async ({ page }) => {
    const s = await resultsShow(page, few, null);
    assert.ok(s.total >= 1 && s.total <= 10, `${s.total} results for "${few}"`);
    assert.equal(withoutAnchor(s.hrefs[0]), BASE_PATH + 'playbook/distributed-leadership/');
    assert.ok(!s.more, '"More results" shown with 10 or fewer results');
  });
});

test('d. without JavaScript: no header search box, and the search page shows the <noscript> message', async () => {
  await withSearchPage(urlOf(chapterRel), { javaScriptEnabled: false }, async ({ page }) => {
    assert.equal(await page.locator('#site-search').count(), 1);
    assert.ok(!(await page.locator('#site-search').isVisible()), 'the header search form is visible without JavaScript');
    assert.ok(!(await page.locator('#search-input').isVisible()), 'the search box is visible without JavaScript');
  });
  await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent(PAGE_QUERY)}`, { javaScriptEnabled: false }, async ({ page }) => {
    // (Playwright's text locators skip <noscript>, so look at the box it draws.)
    const msg = await page.evaluate(() => {
      const n = document.querySelector('#search-page noscript');
      const r = n?.getBoundingClientRect();
      return { text: n?.textContent ?? '', height: r?.height ?? 0, display: n ? getComputedStyle(n).display : 'none' };
    });
    assert.match(msg.text, /Search needs JavaScript/, 'no <noscript> message on the search page');
    assert.ok(msg.height > 10 && msg.display !== 'none', `the <noscript> message is not shown: ${JSON.stringify(msg)}`);
    assert.ok(!(await page.locator('#site-search').isVisible()), 'the header search form is visible without JavaScript');
    assert.equal(await page.locator('#search-results-list > li').count(), 0);
  });
});

for (const colorScheme of ['light', 'dark']) {
  test(`e. axe-core: no WCAG 2.2 A/AA violations with the listbox open and an option active (${colorScheme})`, async () => {
    await withSearchPage(urlOf(chapterRel), { colorScheme, bypassCSP: true }, async ({ page, log }) => {
      await typeQuery(page, log, QUERY);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      const s = await combobox(page);
      assert.equal(s.active, s.options[1].id, 'the second option is active');
      await assertNoAxeViolations(page, `(${colorScheme})`);
    });
  });

  test(`e. axe-core: no WCAG 2.2 A/AA violations on the results page with results (${colorScheme})`, async () => {
    await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent(PAGE_QUERY)}`, { colorScheme, bypassCSP: true }, async ({ page }) => {
      await resultsShow(page, PAGE_QUERY, null);
      await assertNoAxeViolations(page, `(${colorScheme})`);
    });
  });
}

test('f. under the sub-path, from a deep URL, the index loads and every search request stays under BASE_PATH', async () => {
  // The not-found page at a deep, missing path: relative index URLs would break here.
  const deep = urlOf('a/b/c/missing/');
  await withSearchPage(deep, { expectStatus: 404 }, async ({ page, log }) => {
    const before = log.requests.length;
    const s = await typeQuery(page, log, QUERY);
    assert.ok(s.options[0].href.startsWith(BASE_PATH + QUERY_FIRST.path), `first option links to ${s.options[0].href}`);
    const reqs = log.requests.slice(before).map((r) => new URL(r.url).pathname);
    assert.ok(reqs.includes(BASE_PATH + 'search/index.json.gz'), `the manifest was not fetched from ${BASE_PATH}search/:\n${reqs.join('\n')}`);
    assert.ok(reqs.some((p) => p.startsWith(BASE_PATH + 'search/t/')), 'no shard was fetched');
    assert.ok(reqs.some((p) => /\/search\/t\/[^/]+\.leads\.gz$/.test(p)), 'no leads group was fetched');
    assert.deepEqual(reqs.filter((p) => p.startsWith(BASE_PATH + 'search/f/')), [], 'a query without quotes fetched page text');
    const outside = reqs.filter((p) => !p.startsWith(BASE_PATH + 'search/') && !p.startsWith(BASE_PATH + 'assets/'));
    assert.deepEqual(outside, [], `search requests outside ${BASE_PATH}search/ and ${BASE_PATH}assets/`);
    assert.ok(s.options.every((o) => o.href.startsWith(BASE_PATH) || o.href.startsWith(new URL(BASE_PATH, server.url).href)),
      `result links outside ${BASE_PATH}: ${s.options.map((o) => o.href).join(', ')}`);
  });
});

// ---------------------------------------------------------------- g. relevance
const fixedNote = (page) => page.evaluate(() => {
  const p = document.getElementById('search-fixed');
  const a = p.querySelector('a');
  return { hidden: p.hidden, text: p.textContent, link: a?.textContent ?? null };
});

test('g. the header box shows, after the last key, the ranking of the results page', async () => {
  for (const text of [QUERY, 'distributed leadership', 'teacher']) {
    await withSearchPage(urlOf(chapterRel), {}, async ({ page, log }) => {
      const s = await typeQuery(page, log, text);
      const want = (await expected(text)).slice(0, 5);
      assert.deepEqual(s.options.slice(0, -1).map((o) => withoutAnchor(o.href)), want, `box for ${JSON.stringify(text)}`);
    });
  }
});

test('g. a misspelt word: "Showing results for …" in the box and on the results page, with the words as typed a click away', async () => {
  const typo = 'cycle of inquiy';
  await withSearchPage(urlOf(chapterRel), {}, async ({ page, log }) => {
    const s = await typeQuery(page, log, typo);
    assert.ok(s.options[0].href.startsWith(BASE_PATH + QUERY_FIRST.path), `first option links to ${s.options[0].href}`);
    assert.match(s.options.at(-1).title, /^Showing results for “cycle of inquiry”\. See all \d+ results$/);
    assert.match(s.status, /^Showing results for “cycle of inquiry”\. \d+ results$/);
  });
  await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent(typo)}`, {}, async ({ page }) => {
    const want = await expected(typo);
    const r = await poll(async () => { const x = await resultsPage(page); return { ok: x.hrefs.length > 0, ...x }; });
    assert.deepEqual(r.hrefs.map(withoutAnchor), want.slice(0, 10));
    assert.equal(withoutAnchor(r.hrefs[0]), BASE_PATH + QUERY_FIRST.path);
    const note = await fixedNote(page);
    assert.ok(!note.hidden);
    assert.equal(note.text, `Showing results for “cycle of inquiry”. Search instead for “${typo}”`);
    assert.equal(r.status, `${want.length} pages match “cycle of inquiry”.`);
    await assertNoAxeViolations(page, '(a corrected query)');
    await page.getByRole('link', { name: `Search instead for “${typo}”` }).click();
    const none = await poll(async () => { const x = await resultsPage(page); return { ok: x.status.startsWith('No pages'), ...x }; });
    assert.equal(none.status, `No pages match “${typo}”.`);
    assert.deepEqual(none.hrefs, []);
    assert.ok((await fixedNote(page)).hidden);
    assert.equal(new URLSearchParams(none.search).get('exact'), '1', 'the URL keeps the choice');
  });
});

test('g. a quoted phrase: pages with the words side by side first; each result opens the heading of its section', async () => {
  const text = '"cycle of inquiry"';
  await withSearchPage(`${urlOf('search/')}?q=${encodeURIComponent(text)}`, {}, async ({ page, log }) => {
    const s = await resultsShow(page, text, null);
    assert.equal(withoutAnchor(s.hrefs[0]), BASE_PATH + QUERY_FIRST.path);
    assert.ok(log.requests.some((r) => new URL(r.url).pathname.startsWith(BASE_PATH + 'search/f/')), 'a quoted phrase fetches the text of the first results');
    const first = await page.evaluate(() => {
      const li = document.querySelector('#search-results-list > li');
      return { title: li.querySelector('.result-title').textContent, section: li.querySelector('.result-section')?.textContent ?? null };
    });
    assert.ok(first.title.startsWith(QUERY_FIRST.title), first.title);
    const href = s.hrefs[0];
    assert.match(href, /#./, 'the result links to a section');
    await Promise.all([page.waitForURL((u) => u.pathname.endsWith(QUERY_FIRST.path)), page.locator('#search-results-list > li > a').first().click()]);
    const target = await page.evaluate(() => {
      const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      return el && { tag: el.tagName, text: el.textContent.trim() };
    });
    assert.ok(target, `${href}: no element with that id`);
    assert.match(target.tag, /^H[2-6]$/, 'the anchor is a heading');
    if (first.section) assert.ok(target.text.startsWith(first.section), `the result named "${first.section}", the page shows "${target.text}"`);
  });
});

test('g. languages: other languages only when ticked, after this one\'s, marked; the Spanish page searches Spanish', async () => {
  const word = 'confianza';
  await withSearchPage(`${urlOf('search/')}?q=${word}`, {}, async ({ page }) => {
    const own = await expected(word);
    const spanish = await expected(word, null, 'es/');
    assert.ok(spanish.length > 0);
    let r = await poll(async () => { const x = await resultsPage(page); return { ok: x.status !== '', ...x }; });
    assert.deepEqual(r.hrefs.map(withoutAnchor), own.slice(0, 10), 'English results only');
    await page.getByLabel('Español').check();
    r = await poll(async () => { const x = await resultsPage(page); return { ok: x.hrefs.length === Math.min(10, own.length + spanish.length), ...x }; });
    assert.deepEqual(r.hrefs.map(withoutAnchor), [...own, ...spanish].slice(0, 10), 'English first, then Spanish');
    assert.deepEqual(new URLSearchParams(r.search).getAll('lang'), ['es']);
    const marks = await page.evaluate(() => [...document.querySelectorAll('#search-results-list > li')].map((li) => ({
      lang: li.querySelector('.result-title').lang, label: li.querySelector('.result-lang')?.textContent ?? null,
      labelLang: li.querySelector('.result-lang')?.lang ?? null,
    })));
    assert.deepEqual(marks, [...own.map(() => ({ lang: 'en', label: null, labelLang: null })),
      ...spanish.map(() => ({ lang: 'es', label: 'Español', labelLang: 'es' }))].slice(0, 10));
    await assertNoAxeViolations(page, '(with Spanish results)');
    await page.reload({ waitUntil: 'load' });
    r = await poll(async () => { const x = await resultsPage(page); return { ok: x.hrefs.length === Math.min(10, own.length + spanish.length), ...x }; });
    assert.ok(await page.getByLabel('Español').isChecked(), 'the choice is kept across a reload');
  });
  await withSearchPage(urlOf('es/lecciones/'), {}, async ({ page, log }) => {
    const s = await typeQuery(page, log, word);
    const want = (await expected(word, null, 'es/')).slice(0, 5);
    assert.deepEqual(s.options.slice(0, -1).map((o) => withoutAnchor(o.href)), want, 'the Spanish index, as on its results page');
    assert.ok(want[0].startsWith(BASE_PATH + 'es/lecciones/la-confianza-es-la-base/'));
    assert.match(s.status, /^\d+ resultados?$/, 'the count in Spanish');
    assert.match(s.options.at(-1).title, /^Ver (los \d+ resultados|el resultado)/);
    await assertNoAxeViolations(page, '(Spanish box open)');
  });
});
