// Search on a site of short pages, in headless Chromium, on a fixture site this file builds.
// env: PLAYBOOK_BIN (the playbook binary; required: tests/run.sh passes the debug build).
//
// A page whose search fragment is short (at most WHOLE_BYTES of JSON, src/search/mod.rs) has
// no fragment file: its lead holds all its text, and the manifest gives its kind letter as a
// capital. The fixture has short lessons and one long one, all holding the words of the phrase
// PHRASE, some side by side. On the results page:
//   a. a quoted phrase finds it on short pages from their leads (no request for their text),
//      links to the section that holds it (an anchor the heading makes, which a lead sends as
//      0), and fetches the long page's text alone;
//   a2. a short page's snippet is its opening cut to a lead's length, as a long page's is;
//   b. the kind filter keeps short pages of the kinds chosen and no others;
//   c. axe-core WCAG 2.2 A/AA on the results.
// Each test gets a fresh browser context, and fails on requests to other hosts, failed requests
// (HTTP >= 400), console errors and page errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve } from './lib/serve.mjs';
import { assertNoAxeViolations, buildSite, launchBrowser, playbookBin, poll, withCleanContext, writeFiles } from './lib/harness.mjs';

playbookBin(import.meta.url);

const BASE = '/pd/';
const PHRASE = 'circle of shared trust';
const T = { timeout: 120_000 };

const lesson = (id, title, body) =>
  `---\ntitle: ${title}\nid: ${id}\nobjectives:\n  - Name one way trust is built.\n---\n\n${body}\n`;
// A long lesson (well over WHOLE_BYTES of text): its lead is cut, so it has a fragment file.
const long = Array.from({ length: 14 }, (_, i) =>
  `## Part ${i + 1}\n\nTeams meet every week to look at student work, ${i % 4 === 3 ? `and close the ${PHRASE} before they leave` : 'and each member brings one sample of a circle of readers, shared notes and the trust they built'}. ` +
  'They write down what they saw, not what they think of it, and leave the judging for later.\n').join('\n');

const files = {
  'playbook.yaml': 'title: Short pages\nbase_url: /\nlanguage: en\n',
  'content/index.md': '---\ntitle: Home\n---\n\nA site of short lessons.\n',
  'content/guide/_index.md': '---\ntitle: Guide\nkind: book\n---\n\nA short guide.\n',
  'content/guide/01-start.md': `---\ntitle: Where to start\n---\n\nStart a ${PHRASE} with your team in the first week.\n`,
  'content/lessons/_index.md': '---\ntitle: Lessons\nkind: lessons\n---\n\nShort lessons.\n',
  // The phrase under a heading: the result links to that heading's anchor.
  'content/lessons/01-circles.md': lesson('circles', 'Circles',
    `Circles begin with one question.\n\n## Keeping the circle going\n\nA ${PHRASE} meets at the same time each week.\n`),
  // The words, not side by side.
  'content/lessons/02-apart.md': lesson('apart', 'Apart', 'Trust is shared in a circle, one voice at a time.'),
  'content/lessons/03-long.md': lesson('long', 'The long lesson', long),
  // One paragraph of forty words: its lead holds all of it, its snippet only the opening.
  'content/lessons/04-paragraph.md': lesson('paragraph', 'One paragraph',
    'Every meeting of the team opens with a student sample on the table and a question about it, ' +
    'and closes with one thing each member will try before the next meeting, written on a card ' +
    'that the facilitator keeps in a marigold folder.'),
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-short-pages-'));
const ROOT = path.join(tmp, 'site');
const OUT = path.join(tmp, 'out');
let browser, server;

before(async () => {
  writeFiles(ROOT, files);
  buildSite(ROOT, OUT, BASE);
  server = await serve(OUT, BASE);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// The manifest, and the page number of each page by its URL path.
function index() {
  const manifest = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(OUT, 'search/index.json.gz'))));
  const pages = new Map();
  for (const [, file] of manifest.leads) {
    for (const [i, lead] of Object.entries(JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(OUT, 'search', file))))))
      pages.set(lead.u, Number(i));
  }
  return { manifest, pages };
}

// Opens the results page for `query` (and `kinds`), waits for its results: { hrefs, status,
// requests (paths fetched under search/) }.
async function results(query, kinds = [], fn = async () => {}) {
  return withCleanContext(browser, {}, async ({ newPage }) => {
    const page = await newPage();
    const requests = [];
    page.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.startsWith(`${BASE}search/`)) requests.push(p); });
    const params = new URLSearchParams([['q', query], ...kinds.map((k) => ['kind', k])]);
    await page.goto(`${new URL(server.url).origin}${BASE}search/?${params}`, { waitUntil: 'load' });
    const r = await poll(() => page.evaluate(() => {
      const status = document.getElementById('search-status').textContent;
      const hrefs = [...document.querySelectorAll('#search-results-list > li > a')].map((a) => a.getAttribute('href'));
      return { ok: /match/.test(status), status, hrefs };
    }), 10_000);
    assert.ok(r.ok, `no results shown for ${query}: ${r.status}`);
    await fn(page);
    return { ...r, requests };
  });
}

test('the index: short pages have no fragment file and a capital kind letter; the long one has both', T, () => {
  const { manifest, pages } = index();
  const kind = (url) => manifest.page_kinds[pages.get(`${BASE}${url}`)];
  const file = (url) => fs.existsSync(path.join(OUT, `search/f/${pages.get(`${BASE}${url}`)}.bin`));
  for (const url of ['lessons/circles/', 'lessons/apart/']) {
    assert.equal(kind(url), 'L', url);
    assert.ok(!file(url), `${url} has a fragment file`);
  }
  assert.equal(kind('guide/start/'), 'P');
  assert.equal(kind('lessons/long/'), 'l');
  assert.ok(file('lessons/long/'), 'the long lesson has no fragment file');
});

test('a. a quoted phrase is found on short pages from their leads, linking to its section', T, async () => {
  const { pages } = index();
  const r = await results(`"${PHRASE}"`);
  const urls = r.hrefs.map((h) => h.replace(/#.*$/, ''));
  // The three pages with the phrase side by side first, then the one with the words apart.
  assert.deepEqual(new Set(urls.slice(0, 3)), new Set([`${BASE}lessons/circles/`, `${BASE}guide/start/`, `${BASE}lessons/long/`]), urls.join(' '));
  assert.equal(urls[3], `${BASE}lessons/apart/`);
  assert.equal(r.hrefs[urls.indexOf(`${BASE}lessons/circles/`)], `${BASE}lessons/circles/#keeping-the-circle-going`,
    'the short page links to the heading of the section with the phrase');
  assert.match(r.hrefs[urls.indexOf(`${BASE}lessons/long/`)], /#part-4$/, 'the long page too');
  const texts = r.requests.filter((p) => p.startsWith(`${BASE}search/f/`));
  assert.deepEqual(texts, [`${BASE}search/f/${pages.get(`${BASE}lessons/long/`)}.bin`], 'only the long page\'s text is fetched');
  const html = fs.readFileSync(path.join(OUT, 'lessons/circles/index.html'), 'utf8');
  assert.ok(html.includes('id="keeping-the-circle-going"'), 'the anchor exists');
});

test('b. the kind filter keeps short pages of the kinds chosen', T, async () => {
  const lessons = await results(`"${PHRASE}"`, ['l']);
  const urls = lessons.hrefs.map((h) => h.replace(/#.*$/, ''));
  assert.deepEqual(new Set(urls), new Set([`${BASE}lessons/circles/`, `${BASE}lessons/long/`, `${BASE}lessons/apart/`]), urls.join(' '));
  const book = await results(`"${PHRASE}"`, ['p']);
  assert.deepEqual(book.hrefs.map((h) => h.replace(/#.*$/, '')), [`${BASE}guide/start/`]);
});

test('a2. a short page\'s snippet is its opening, as long as a long page\'s', T, async () => {
  let snippet;
  await results('marigold', [], async (page) => {
    snippet = await page.evaluate(() => document.querySelector('#search-results-list .result-snippet').textContent);
  });
  const words = snippet.replace(/…/g, '').trim().split(/\s+/);
  assert.equal(words.length, 16, snippet);
  assert.ok(snippet.startsWith('Every meeting of the team'), snippet);
  assert.ok(snippet.trim().endsWith('…'), `the snippet says the text goes on: ${snippet}`);
});

test('c. axe-core on the results', T, async () => {
  await results(`"${PHRASE}"`, [], (page) => assertNoAxeViolations(page, 'results of a phrase on short pages'));
});
