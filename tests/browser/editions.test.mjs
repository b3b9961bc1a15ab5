// Editions in headless Chromium (Playwright + axe-core), on a fixture site this file builds.
// env: PLAYBOOK_BIN (the playbook binary; required: tests/run.sh passes the debug build).
//      FIXTURE_OVERLAY (optional): a folder copied over the fixture site before it is built,
//      e.g. one holding themes/default/templates/base.html with a planted fault, to see tests fail.
//
// The fixture (strings below) has three editions: the latest in content/ ("2026 edition"),
// versions/2025 and versions/2024 (archived). Each has a book (guide), a lessons collection and
// a small course (id coach) whose lessons have ids. Between 2025 and the latest, the course
// lesson `debrief` moved to another module and file (same id); the book chapter "Retired
// practices" exists only in 2024; the word ZEPHYR_WORD is only in 2025's text (in the lesson
// `listening`, whose text differs in every edition, and in `feedback-loops`, only in 2025); the
// lesson `coaching` is only in the latest. Built with
// `PLAYBOOK_BIN build --base-url http://127.0.0.1/pd/` and served under /pd/ by lib/serve.mjs.
//   a. the switcher, with the keyboard (Tab to the link, Enter), from deep 2024 pages to 2025 and
//      the latest: the same page, the moved lesson at its new URL, a page missing there at its
//      nearest ancestor; and no switcher or banner link of any page answers other than 200;
//   b. the banner: on every page of the older editions and none of the latest, its link going to
//      the same page in the latest (followed from the moved lesson);
//   c. search: from 2025 only 2025's pages (index under /pd/editions/2025/search/), from the
//      latest only the latest's; the archived 2024 has no search box, and no link to a search
//      page it does not have;
//   d. progress is kept by lesson id under the site's root: a lesson completed in 2025 shows as
//      complete in the latest (where it moved) and in 2024;
//   e. axe-core WCAG 2.2 A/AA on older-edition pages with banner and switcher, light and dark;
//   f. "What changed" (/pd/changes/, /pd/editions/2025/changes/) lists the added, revised and
//      removed pages, and not the moved lesson;
//   g. a rebuild into the same output folder (older editions then come from its cache) gives
//      what a fresh build gives, after a change of --base-url, of a file in static/, or of --drafts.
// Each test gets a fresh browser context, and fails on requests to other hosts, failed requests
// (HTTP >= 400), console errors and page errors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { assertNoAxeViolations, buildSite, eventually, launchBrowser, playbookBin, text, withCleanContext, writeFiles } from './lib/harness.mjs';

playbookBin(import.meta.url);

// ---------------------------------------------------------------- the fixture site
const BASE = '/pd/';
const LATEST = '2026 edition';
const E2025 = '/pd/editions/2025/';
const E2024 = '/pd/editions/2024/';
const ZEPHYR_WORD = 'zephyrology';
const STORAGE_KEY = `playbook-progress:${BASE}`;
// Paths under an edition's base.
const P = {
  debriefOld: 'courses/coach/foundations/debrief/',              // up to 2025
  debriefNew: 'courses/coach/practice/the-debrief-conversation/', // the latest: same id, moved
  planning: 'guide/planning/',
  retired: 'guide/retired-practices/',                            // only in 2024
  guide: 'guide/',
  listening: 'lessons/listening/',
  feedback: 'lessons/feedback-loops/',                            // only in 2025
  coaching: 'lessons/coaching/',                                  // only in the latest
  trust: 'lessons/trust/',
};

const lesson = (id, title, body, extra = '') =>
  `---\ntitle: ${title}\nid: ${id}\n${extra}objectives:\n  - Notice what changes between editions.\n---\n\n${body}\n`;
const courseLesson = (id, title, body) => lesson(id, title, body, 'duration_minutes: 15\n');

function siteFiles() {
  const f = {
    'playbook.yaml': `title: Editions test site\nbase_url: /\nlanguage: en\nedition_label: ${LATEST}\n` +
      'editions:\n  - name: "2025"\n    label: 2025 edition\n  - name: "2024"\n    label: 2024 edition\n    archived: true\n',
  };
  for (const [dir, year] of [['content', '2026'], ['versions/2025', '2025'], ['versions/2024', '2024']]) {
    f[`${dir}/index.md`] = `---\ntitle: Home\n---\n\nWelcome to the ${year} edition.\n`;
    f[`${dir}/guide/_index.md`] = '---\ntitle: Field guide\nkind: book\nweight: 1\n---\n\nA short guide to coaching.\n';
    f[`${dir}/guide/01-getting-started.md`] = '---\ntitle: Getting started\n---\n\nStart with one question.\n';
    f[`${dir}/guide/02-planning.md`] = '---\ntitle: Planning the year\n---\n\n## Goals\n\nPlan the year around a few goals.\n\n' +
      '## Walkthroughs\n\nWalk through every classroom once a month.\n';
    f[`${dir}/lessons/_index.md`] = '---\ntitle: Lessons\nkind: lessons\nweight: 2\n---\n\nShort lessons.\n';
    f[`${dir}/lessons/01-trust.md`] = lesson('trust', 'Building trust', 'Trust grows in small moments, like a short debrief.');
    f[`${dir}/courses/_index.md`] = '---\ntitle: Courses\nkind: section\nweight: 3\n---\n\nOur courses.\n';
    f[`${dir}/courses/coach/_index.md`] =
      '---\ntitle: Coaching cycles\nkind: course\nid: coach\ncomplete_on: manual\n---\n\nA short course on coaching cycles.\n';
    f[`${dir}/courses/coach/01-foundations/_index.md`] = '---\ntitle: Foundations\nid: foundations\n---\n\nThe foundations.\n';
    f[`${dir}/courses/coach/02-practice/_index.md`] = '---\ntitle: Practice\nid: practice\n---\n\nIn practice.\n';
    f[`${dir}/courses/coach/01-foundations/01-first-visit.md`] =
      courseLesson('first-visit', 'The first visit', 'Visit the classroom and listen.');
    f[`${dir}/courses/coach/02-practice/01-modeling.md`] = courseLesson('modeling', 'Modeling a lesson', 'Model the lesson.');
  }
  // The moved lesson: the same file text (so not "revised"), in module 1 up to 2025, in module 2
  // under another file name in the latest.
  const debrief = courseLesson('debrief', 'The debrief conversation',
    'After the visit, the debrief conversation turns notes into one next step.');
  f['versions/2024/courses/coach/01-foundations/02-debrief.md'] = debrief;
  f['versions/2025/courses/coach/01-foundations/02-debrief.md'] = debrief;
  f['content/courses/coach/02-practice/02-the-debrief-conversation.md'] = debrief;
  // Only in the oldest edition.
  f['versions/2024/guide/03-retired-practices.md'] =
    '---\ntitle: Retired practices\n---\n\n## Walkthrough checklists\n\nWe no longer use these.\n';
  // Revised in every edition; 2025's text has the distinctive word.
  f['versions/2024/lessons/02-listening.md'] = lesson('listening', 'Listening well', 'Listen before you speak.');
  f['versions/2025/lessons/02-listening.md'] =
    lesson('listening', 'Listening well', `Listen before you speak. We called this ${ZEPHYR_WORD} that year.`);
  f['content/lessons/02-listening.md'] = lesson('listening', 'Listening well', 'Listen before you speak, and after.');
  // Only in 2025 (so removed in the latest), with the distinctive word.
  f['versions/2025/lessons/03-feedback-loops.md'] =
    lesson('feedback-loops', 'Feedback loops', `The ${ZEPHYR_WORD} of feedback: close every loop within a week.`);
  // Revised in the latest, section by section: Goals reworded, Walkthroughs gone, Calendar new.
  f['content/guide/02-planning.md'] = '---\ntitle: Planning the year\n---\n\n## Goals\n\nPlan the year around three goals chosen with your team.\n\n' +
    'Write each goal where everyone sees it.\n\n## Calendar\n\nPut every visit on the calendar in August.\n';
  // Only in the latest (added).
  f['content/lessons/04-coaching.md'] = lesson('coaching', 'Coaching conversations', 'Ask, listen, then plan.');
  return f;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-editions-'));
const ROOT = path.join(tmp, 'site');
const OUT = path.join(tmp, 'out');

// Writes the fixture site into root (plus `extra` files) and builds it into out for base path `base`
// (with `args`, e.g. ['--drafts'], after `build`).
function build(root = ROOT, out = OUT, base = BASE, extra = {}, args = []) {
  writeFiles(root, { ...siteFiles(), ...extra });
  buildSite(root, out, base, args);
  for (const rel of ['index.html', `${P.debriefNew}index.html`, `editions/2025/${P.debriefOld}index.html`,
    `editions/2024/${P.retired}index.html`, 'changes/index.html']) {
    if (!fs.existsSync(path.join(out, rel))) throw new Error(`the build of ${root} wrote no ${rel}`);
  }
}

// Every page of the output, as URL paths (/pd/…/), with the edition each belongs to.
function allPages() {
  const out = [];
  (function walk(rel) {
    for (const e of fs.readdirSync(path.join(OUT, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name === 'index.html') out.push(BASE + (rel ? `${rel}/` : ''));
    }
  })('');
  return out.sort().map((url) => ({
    url,
    edition: url.startsWith(E2025) ? '2025' : url.startsWith(E2024) ? '2024' : 'latest',
  }));
}

// Each test's time limit: generous, for a machine busy with other work.
const T = { timeout: 180_000 };

let browser, server, origin;

before(async () => {
  build();
  server = await serve(OUT, BASE);
  origin = new URL(server.url).origin;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers
// Runs fn({ context, open, log }) in a fresh context (withCleanContext: fails after fn on
// requests to other hosts, failed requests, console errors and page errors; a request the browser
// cancels as a tab moves on, a favicon or a fetch, is no failure). open(path) opens a new tab
// there; every tab also records every request's path in log.requests.
async function withContext(opts, fn) {
  return withCleanContext(browser, { ...opts, ignoreAborted: true }, async ({ context, log, newPage }) => {
    log.requests = [];
    const open = async (where) => {
      const page = await newPage();
      page.go = async (to) => {
        const response = await page.goto(/^https?:/.test(to) ? to : origin + to, { waitUntil: 'load' });
        assert.equal(response.status(), 200, `HTTP status of ${to}`);
      };
      page.on('request', (r) => log.requests.push(new URL(r.url()).pathname));
      await page.go(where);
      return page;
    };
    return fn({ context, open, log });
  });
}

// The HTTP status of a path on the test server (redirects not followed), from Node.
async function status(where) {
  const r = await fetch(/^https?:/.test(where) ? where : origin + where, { redirect: 'manual' });
  await r.arrayBuffer();
  return r.status;
}

const pathOf = (href) => new URL(href, origin).pathname;

// The switcher as the page shows it: [{ label, href (path), current }].
const switcher = (page) => page.evaluate(() =>
  [...document.querySelectorAll('nav.edition-switcher[aria-label="Editions"] li a')].map((a) => ({
    label: a.textContent.trim(), href: new URL(a.href).pathname, current: a.getAttribute('aria-current') === 'true',
  })));

// The banners on the page: [{ role, text, link: { text, href (path) } }].
const banners = (page) => page.evaluate(() => [...document.querySelectorAll('.edition-banner')].map((b) => {
  const a = b.querySelector('a');
  return { role: b.getAttribute('role'), text: b.textContent.replace(/\s+/g, ' ').trim(),
    link: a && { text: a.textContent.trim(), href: new URL(a.href).pathname }, visible: b.checkVisibility() };
}));

// Presses Tab until the focused element is a link of the edition switcher labelled `label`.
async function tabToSwitcher(page, label, max = 40) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((l) => {
      const a = document.activeElement;
      return { hit: !!a?.closest('nav.edition-switcher') && a.tagName === 'A' && a.textContent.trim() === l,
        desc: a?.outerHTML.replace(/>[\s\S]*/, '>').slice(0, 100) };
    }, label);
    if (f.hit) return;
    seen.push(f.desc);
  }
  assert.fail(`Tab never reached the switcher link "${label}"; focus went through:\n  ${seen.slice(-15).join('\n  ')}`);
}

// Presses Enter on the focused link; returns the HTTP status of the page it opens (after load).
async function enterAndLand(page) {
  const from = page.url();
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.keyboard.press('Enter'),
  ]);
  assert.notEqual(page.url(), from, 'Enter did not navigate');
  return response?.status();
}

// Every page of every edition, opened once in one tab (memoized): { url, edition, links (the
// switcher's, as switcher() gives them), banners (as banners() gives them) }.
let crawled;
const crawl = () => (crawled ||= withContext({}, async ({ open }) => {
  const pages = allPages();
  const page = await open(pages[0].url);
  const seen = [];
  for (const p of pages) {
    await page.go(p.url);
    seen.push({ ...p, links: await switcher(page), banners: await banners(page) });
  }
  return seen;
}));

// ---------------------------------------------------------------- a. the switcher
describe('a. the edition switcher, with the keyboard', () => {
  // [from (deep 2024 pages; then the other ways round), the switcher's label, where it must land, the h1 there]
  const CASES = [
    [E2024 + P.planning, '2025 edition', E2025 + P.planning, 'Planning the year'],
    [E2024 + P.planning, LATEST, BASE + P.planning, 'Planning the year'],
    [E2024 + P.debriefOld, '2025 edition', E2025 + P.debriefOld, 'The debrief conversation'],
    [E2024 + P.debriefOld, LATEST, BASE + P.debriefNew, 'The debrief conversation'],
    [E2024 + P.retired, '2025 edition', E2025 + P.guide, 'Field guide'],
    [E2024 + P.retired, LATEST, BASE + P.guide, 'Field guide'],
    [E2025 + P.debriefOld, LATEST, BASE + P.debriefNew, 'The debrief conversation'],
    [BASE + P.debriefNew, '2024 edition', E2024 + P.debriefOld, 'The debrief conversation'],
  ];
  for (const [from, label, to, h1] of CASES) {
    test(`${from} → "${label}" lands on ${to} (200)`, T, async () => {
      await withContext({}, async ({ open }) => {
        const page = await open(from);
        const links = await switcher(page);
        assert.deepEqual(links.filter((l) => l.current).map((l) => l.href), [from], 'the current edition is marked, linking to this page');
        await tabToSwitcher(page, label);
        const code = await enterAndLand(page);
        assert.equal(code, 200, `HTTP status after Enter on "${label}" from ${from}`);
        assert.equal(pathOf(page.url()), to, `Enter on "${label}" from ${from}`);
        assert.equal(await text(page, 'h1'), h1, `the h1 of ${to}`);
        const there = await switcher(page);
        assert.deepEqual(there.filter((l) => l.current).map((l) => l.label), [label], `the edition marked current on ${to}`);
      });
    });
  }

  test('no switcher or banner link on any page of any edition answers other than 200', T, async () => {
    const hrefs = new Map();
    for (const { url, links, banners: b } of await crawl()) {
      assert.equal(links.length, 3, `${url} has ${links.length} switcher links`);
      for (const l of [...links.map((x) => x.href), ...b.map((x) => x.link?.href).filter(Boolean)]) {
        hrefs.set(l, [...(hrefs.get(l) || []), url]);
      }
    }
    const bad = [];
    for (const [href, from] of hrefs) {
      const s = await status(href);
      if (s !== 200) bad.push(`${href} (HTTP ${s}), linked from ${from.slice(0, 3).join(', ')}`);
    }
    assert.deepEqual(bad, [], 'switcher or banner links that do not answer 200');
  });
});

// Issue 15.11: the switcher on the search page and on My learning leads to the same page in the
// other edition (with the keyboard, as in a.), not to that edition's home page.
describe('a2. the switcher on the search page and My learning stays on that page', () => {
  for (const [page0, from, to, label] of [
    ['search', `${E2025}search/`, `${BASE}search/`, LATEST],
    ['search', `${BASE}search/`, `${E2025}search/`, '2025 edition'],
    ['My learning', `${E2025}my-learning/`, `${BASE}my-learning/`, LATEST],
    ['My learning', `${BASE}my-learning/`, `${E2025}my-learning/`, '2025 edition'],
  ]) {
    test(`${page0}: ${from} → "${label}" lands on ${to}`, T, async () => {
      await withContext({}, async ({ open }) => {
        const page = await open(from);
        const kind = await page.evaluate(() => document.body.dataset.pageKind);
        const link = page.locator('nav.edition-switcher li a', { hasText: label });
        assert.equal(await link.count(), 1, `one switcher link "${label}"`);
        await link.focus();
        await Promise.all([page.waitForURL((u) => u.pathname === to), page.keyboard.press('Enter')]);
        await page.waitForLoadState('load');
        assert.equal(await page.evaluate(() => document.body.dataset.pageKind), kind, `the page kind after switching from ${from}`);
      });
    });
  }
});

// ---------------------------------------------------------------- b. the banner
describe('b. the banner of older editions', () => {
  test('every page of 2025 and 2024 has one banner (role=note) linking to the page in the latest; no page of the latest has one', T, async () => {
    const problems = [];
    for (const { url, edition, links, banners: b } of await crawl()) {
      const latestLink = links.find((l) => l.label === LATEST)?.href;
      if (edition === 'latest') {
        if (b.length) problems.push(`${url}: a banner in the latest edition: ${b[0].text}`);
      } else if (b.length !== 1) {
        problems.push(`${url}: ${b.length} banners`);
      } else {
        const [{ role, text: t, link, visible }] = b;
        const label = `${edition} edition`;
        if (role !== 'note') problems.push(`${url}: banner role=${role}`);
        if (!visible) problems.push(`${url}: the banner is not visible`);
        if (!t.includes(`You are reading the ${label}`)) problems.push(`${url}: banner text "${t}"`);
        if ((edition === '2024') !== t.includes('archived')) problems.push(`${url}: banner text "${t}" (archived is ${edition === '2024'})`);
        if (link?.text !== `Read this page in the ${LATEST}`) problems.push(`${url}: banner link text "${link?.text}"`);
        if (link?.href !== latestLink) problems.push(`${url}: banner links to ${link?.href}, the switcher's latest link to ${latestLink}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  // [older page, where its banner must lead]
  const CASES = [
    [E2025 + P.debriefOld, BASE + P.debriefNew],
    [E2024 + P.debriefOld, BASE + P.debriefNew],
    [E2025 + P.planning, BASE + P.planning],
    [E2024 + P.retired, BASE + P.guide],
    [E2025 + P.feedback, BASE + 'lessons/'],
    [E2025, BASE],
  ];
  for (const [from, to] of CASES) {
    test(`the banner on ${from} leads to ${to}, which has no banner`, T, async () => {
      await withContext({}, async ({ open }) => {
        const page = await open(from);
        const [code] = await Promise.all([
          page.waitForNavigation({ waitUntil: 'load' }).then((r) => r?.status()),
          page.locator('.edition-banner a').click(),
        ]);
        assert.equal(code, 200, `HTTP status after following the banner of ${from}`);
        assert.equal(pathOf(page.url()), to, `the banner link of ${from}`);
        assert.deepEqual(await banners(page), [], `banners on ${to}`);
      });
    });
  }
});

// ---------------------------------------------------------------- c. search
describe('c. search uses the edition being read', () => {
  // Types `query` into the header box; returns the result paths of the listbox (not "see all").
  async function headerSearch(page, query) {
    await page.locator('#search-input').fill('');
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press('/');
    await page.keyboard.type(query);
    // The list is made for the whole query when its "see all" option links to ?q=<query>.
    await eventually(async () => {
      assert.equal(await page.inputValue('#search-input'), query);
      const all = await page.locator('#search-option-all').getAttribute('data-href');
      assert.ok(all?.endsWith(`?q=${encodeURIComponent(query)}`), `the listbox is made for the query (see all: ${all})`);
      assert.match(await text(page, '#site-search [role="status"]'), /^\d+ results?$/, 'search status');
    });
    const said = await text(page, '#site-search [role="status"]');
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('#search-listbox [role="option"]:not(.search-all)')]
      .map((o) => new URL(o.dataset.href, location.href).pathname));
    return { total: Number(said.split(' ')[0]), said, hrefs };
  }
  // The search page of the edition under `base`, for `query`: result paths.
  async function pageSearch(open, base, query) {
    const page = await open(`${base}search/?q=${encodeURIComponent(query)}`);
    await eventually(async () => assert.match(await text(page, '#search-status'), /match/, '#search-status'));
    await eventually(async () => assert.equal(await page.locator('#search-more').isHidden(), true, 'more results'));
    return page.evaluate(() => [...document.querySelectorAll('#search-results-list a')].map((a) => new URL(a.href).pathname));
  }
  const searchRequests = (log) => log.requests.filter((r) => /\/search\/./.test(r) && !r.endsWith('/search/'));

  test(`from a 2025 page, "${ZEPHYR_WORD}" finds 2025's pages, all under ${E2025}, from 2025's index`, T, async () => {
    await withContext({}, async ({ open, log }) => {
      const page = await open(E2025 + P.trust);
      assert.equal(await page.locator('form#site-search').getAttribute('data-index'), `${E2025}search/`, 'data-index');
      const { total, hrefs, said } = await headerSearch(page, ZEPHYR_WORD);
      assert.deepEqual([...hrefs].sort(), [E2025 + P.feedback, E2025 + P.listening], `header box results (status: ${said})`);
      assert.equal(total, 2, 'header box result count');
      assert.deepEqual(await pageSearch(open, E2025, ZEPHYR_WORD).then((h) => h.sort()),
        [E2025 + P.feedback, E2025 + P.listening], 'search page results');
      const common = await pageSearch(open, E2025, 'debrief');
      assert.ok(common.includes(E2025 + P.debriefOld), `"debrief" in 2025 finds ${E2025 + P.debriefOld}: ${common}`);
      const outside = common.filter((h) => !h.startsWith(E2025));
      assert.deepEqual(outside, [], '2025 search results outside 2025');
      const wrongIndex = searchRequests(log).filter((r) => !r.startsWith(`${E2025}search/`));
      assert.deepEqual(wrongIndex, [], 'search files fetched from another edition');
      assert.ok(searchRequests(log).length > 0, 'no search index was fetched');
    });
  });

  test(`from a latest page, "${ZEPHYR_WORD}" finds nothing and no search returns another edition's pages`, T, async () => {
    await withContext({}, async ({ open, log }) => {
      const page = await open(BASE + P.trust);
      assert.equal(await page.locator('form#site-search').getAttribute('data-index'), `${BASE}search/`, 'data-index');
      const { total, hrefs } = await headerSearch(page, ZEPHYR_WORD);
      assert.equal(total, 0, `"${ZEPHYR_WORD}" results in the latest: ${hrefs}`);
      assert.deepEqual(await pageSearch(open, BASE, ZEPHYR_WORD), [], 'search page results');
      const common = await pageSearch(open, BASE, 'debrief');
      assert.ok(common.includes(BASE + P.debriefNew), `"debrief" in the latest finds ${BASE + P.debriefNew}: ${common}`);
      assert.deepEqual(common.filter((h) => h.startsWith(`${BASE}editions/`)), [], 'latest search results in older editions');
      const header = await headerSearch(page, 'debrief');
      assert.deepEqual(header.hrefs.filter((h) => h.startsWith(`${BASE}editions/`)), [], 'header box results in older editions');
      assert.deepEqual(searchRequests(log).filter((r) => !r.startsWith(`${BASE}search/`)), [], 'search files fetched from another edition');
    });
  });

  test('the archived 2024 edition has no search box and fetches no search index', T, async () => {
    await withContext({}, async ({ open, log }) => {
      for (const where of [E2024, E2024 + P.debriefOld, E2024 + P.retired]) {
        const page = await open(where);
        assert.equal(await page.locator('#site-search, #search-input').count(), 0, `a search box on ${where}`);
        await page.keyboard.press('/');
        await page.close();
      }
      assert.deepEqual(searchRequests(log), [], 'search files fetched in the archived edition');
    });
    assert.equal(await status(`${E2024}search/index.json.gz`), 404, 'an archived edition has no search index');
  });

  test('the archived 2024 edition links to no search page it does not have', T, async () => {
    await withContext({}, async ({ open }) => {
      const page = await open(E2024 + P.debriefOld);
      const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
        .filter((a) => /\/search\/(\?|$)/.test(new URL(a.href).pathname + new URL(a.href).search))
        .map((a) => ({ text: a.textContent.trim(), href: new URL(a.href).pathname, where: a.closest('footer, header, main, nav')?.tagName })));
      const broken = [];
      for (const l of links) {
        const s = await status(l.href);
        if (s !== 200) broken.push(`"${l.text}" in <${l.where?.toLowerCase()}> → ${l.href} (HTTP ${s})`);
      }
      assert.deepEqual(broken, [], 'links to a search page on an archived edition page');
    });
  });
});

// ---------------------------------------------------------------- d. progress
describe('d. progress is carried by lesson id across editions', () => {
  test('a lesson completed in 2025 shows as complete in the latest (where it moved) and in 2024', T, async () => {
    await withContext({}, async ({ open }) => {
      const page = await open(E2025 + P.debriefOld);
      assert.equal(await page.locator('body').getAttribute('data-base'), BASE, 'body[data-base] on a 2025 page');
      const toggle = page.locator('#complete-toggle');
      await eventually(async () => assert.equal(await toggle.isVisible(), true, '#complete-toggle is visible'));
      assert.equal(await text(page, '#complete-toggle'), 'Mark lesson complete');
      assert.equal(await toggle.getAttribute('data-done'), 'false', 'not complete at first');
      await toggle.click();
      await eventually(async () => assert.equal(await toggle.getAttribute('data-done'), 'true', 'aria-pressed after the click'));
      const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k) || 'null'), STORAGE_KEY);
      assert.equal(stored?.courses?.coach?.lessons?.debrief?.done, true, `localStorage[${STORAGE_KEY}]: ${JSON.stringify(stored)}`);

      for (const where of [BASE + P.debriefNew, E2024 + P.debriefOld]) {
        const other = await open(where);
        const t = other.locator('#complete-toggle');
        await eventually(async () => assert.equal(await t.getAttribute('data-done'), 'true', `#complete-toggle aria-pressed on ${where}`));
        await eventually(async () => assert.ok(await other.locator('.sidebar [data-lesson-id="debrief"] .done-mark').count() > 0,
          `the sidebar of ${where} marks the lesson done`));
        const first = other.locator('.sidebar [data-lesson-id="first-visit"] .done-mark');
        assert.equal(await first.count(), 0, `the sidebar of ${where} marks a lesson never completed`);
      }
    });
  });
});

// ---------------------------------------------------------------- e. accessibility
describe('e. axe-core on older-edition pages with the banner and switcher', () => {
  for (const where of [E2025 + P.debriefOld, E2024 + P.retired]) {
    for (const colorScheme of ['light', 'dark']) {
      test(`${where} (${colorScheme}): no WCAG 2.2 A/AA violations`, T, async () => {
        await withContext({ colorScheme, bypassCSP: true }, async ({ open }) => {
          const page = await open(where);
          assert.equal((await banners(page)).length, 1, 'the page has its banner');
          assert.ok((await switcher(page)).length >= 3, 'the page has its switcher');
          await assertNoAxeViolations(page, `on ${where} (${colorScheme})`);
        });
      });
    }
  }
});

// ---------------------------------------------------------------- f. what changed
describe('f. "What changed"', () => {
  // The page's lists: { added: [[title, path]], changed: [...], removed: [...] }.
  const lists = (page) => page.evaluate(() => Object.fromEntries(['added', 'changed', 'removed'].map((id) => {
    const h = document.getElementById(id);
    let ul = h?.nextElementSibling;
    while (ul && ul.tagName === 'P') ul = ul.nextElementSibling;
    ul = ul?.tagName === 'UL' ? ul : null;
    // The first link of each item: the page (a revised page's item links to its sections too).
    return [id, ul ? [...ul.children].map((li) => li.querySelector('a')).map((a) => [a.textContent.trim(), new URL(a.href).pathname]) : []];
  })));
  const sorted = (xs) => [...xs].sort((a, b) => a[1].localeCompare(b[1]));

  test('/pd/changes/ (reached from the switcher) lists what the latest added, revised and removed since 2025', T, async () => {
    await withContext({}, async ({ open }) => {
      const page = await open(BASE);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('nav.edition-switcher a.edition-changes').click()]);
      assert.equal(pathOf(page.url()), `${BASE}changes/`, 'the "What changed" link of the latest edition');
      const l = await lists(page);
      assert.deepEqual(l.added, [['Coaching conversations', BASE + P.coaching]], 'added');
      assert.deepEqual(l.removed, [['Feedback loops', E2025 + P.feedback]], 'removed (linking to the earlier edition)');
      assert.deepEqual(sorted(l.changed), [['Planning the year', BASE + P.planning], ['Home', BASE], ['Listening well', BASE + P.listening]].sort((a, b) => a[1].localeCompare(b[1])), 'revised');
      assert.match(await text(page, '#added'), /\(1\)/);
      assert.match(await text(page, '#removed'), /\(1\)/);
      for (const [, href] of [...l.added, ...l.removed, ...l.changed]) assert.equal(await status(href), 200, `${href} from /pd/changes/`);
    });
  });

  // Issue 15.13: per page, the sections added, removed and revised, the revised paragraphs word
  // by word (struck through / underlined, and "removed:" / "added:" for screen readers), and
  // links to the page and each section in both editions.
  for (const colorScheme of ['light', 'dark']) {
    test(`/pd/changes/: a revised page's sections and words, with links to both editions (${colorScheme})`, T, async () => {
      await withContext({ colorScheme }, async ({ open }) => {
        const page = await open(`${BASE}changes/`);
        const item = page.locator('.changes-revised > li').filter({ has: page.locator(`h3 a[href="${BASE + P.planning}"]`) });
        assert.equal(await item.count(), 1, 'the revised page has one item');
        const links = (sel) => sel.evaluateAll((as) => as.map((a) => [a.textContent.trim(), new URL(a.href).pathname + new URL(a.href).hash]));
        assert.deepEqual(await links(item.locator(':scope > .change-links a')), [[LATEST, BASE + P.planning], ['2025 edition', E2025 + P.planning]], 'the page in both editions');
        const paras = await item.locator(':scope > p').allTextContents();
        assert.ok(paras.some((t) => /^Sections added: Calendar$/.test(t.trim())), `sections added: ${JSON.stringify(paras)}`);
        assert.ok(paras.some((t) => /^Sections removed: Walkthroughs$/.test(t.trim())), `sections removed: ${JSON.stringify(paras)}`);
        assert.deepEqual(await links(item.locator(':scope > p:not(.change-links) a')), [['Calendar', `${BASE + P.planning}#calendar`], ['Walkthroughs', `${E2025 + P.planning}#walkthroughs`]],
          'an added section links to this edition, a removed one to the earlier');
        const goals = item.locator('.change-section').filter({ has: page.locator('h4', { hasText: /^Goals$/ }) });
        assert.equal(await goals.count(), 1, 'the revised section');
        assert.deepEqual(await links(goals.locator('.change-links a')), [[LATEST, `${BASE + P.planning}#goals`], ['2025 edition', `${E2025 + P.planning}#goals`]]);
        // Word by word: what was there, what is new, and the paragraph added whole.
        const diffs = await goals.locator('p.diff').evaluateAll((ps) => ps.map((p) => [...p.childNodes].map((n) =>
          n.nodeName === 'DEL' ? `[-${n.childNodes[1].textContent}-]` : n.nodeName === 'INS' ? `{+${n.childNodes[1].textContent}+}` : n.textContent).join('')));
        assert.deepEqual(diffs, ['Plan the year around [-a few-]{+three+} goals{+ chosen with your team+}.', '{+Write each goal where everyone sees it.+}']);
        // Told apart without colour: struck through and underlined; and by a screen reader.
        const looks = await goals.locator('del, ins').evaluateAll((es) => [...new Set(es.map((e) => `${e.tagName} ${getComputedStyle(e).textDecorationLine}`))]);
        assert.deepEqual(looks.sort(), ['DEL line-through', 'INS underline']);
        const tree = await goals.locator('p.diff').first().ariaSnapshot();
        assert.match(tree, /removed: a few \(end of change\)/, `the accessibility tree: ${tree}`);
        assert.match(tree, /added: three \(end of change\)/, `the accessibility tree: ${tree}`);
        // A page whose text changed in its only paragraph; every link of the page answers.
        const listening = page.locator('.changes-revised > li').filter({ has: page.locator(`h3 a[href="${BASE + P.listening}"]`) });
        assert.match(await listening.locator('p.diff').first().textContent(), /and after/);
        for (const href of await page.locator('.changes-revised a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
          assert.equal(await status(href.replace(/#.*/, '')), 200, `${href} from /pd/changes/`);
        }
        await assertNoAxeViolations(page, `"What changed" (${colorScheme})`);
      });
    });
  }

  test('/pd/editions/2025/changes/ lists what 2025 changed since 2024; 2024 has no such page', T, async () => {
    await withContext({}, async ({ open }) => {
      const page = await open(`${E2025}changes/`);
      const l = await lists(page);
      assert.deepEqual(l.added, [['Feedback loops', E2025 + P.feedback]], 'added');
      assert.deepEqual(l.removed, [['Retired practices', E2024 + P.retired]], 'removed (linking to 2024)');
      assert.deepEqual(sorted(l.changed), [['Home', E2025], ['Listening well', E2025 + P.listening]], 'revised');
      const old = await open(E2024 + P.planning);
      assert.equal(await old.locator('a.edition-changes').count(), 0, 'a "What changed" link in the oldest edition');
    });
    assert.equal(await status(`${E2024}changes/`), 404, 'the oldest edition has nothing to compare with');
  });
});

// ---------------------------------------------------------------- g. rebuilding into the same folder
describe('g. a rebuild into the same folder gives what a fresh build gives', () => {
  // Builds the fixture twice into one folder: first with `first`, then with `second` (each
  // { base, extra files, args }); serves the folder under second.base and runs fn({ url, out }).
  async function rebuilt(name, first, second, fn) {
    const root = path.join(tmp, name);
    const out = path.join(tmp, `${name}-out`);
    build(root, out, first.base, first.extra, first.args);
    build(root, out, second.base, second.extra, second.args);
    const s = await serve(out, second.base);
    try {
      return await fn({ url: s.url, out });
    } finally {
      await s.close();
    }
  }

  test('after a rebuild for another --base-url, older editions link under the new base path', T, async () => {
    await rebuilt('rebase', { base: '/stale/' }, { base: BASE }, async ({ url }) => {
      await withContext({}, async ({ open }) => {
        const page = await open(url + 'editions/2025/' + P.debriefOld);
        const links = await page.evaluate(() => [...document.querySelectorAll('a[href], link[href], script[src]')]
          .map((e) => new URL(e.href || e.src, location.href).pathname).filter((p) => p.startsWith('/')));
        const outside = [...new Set(links.filter((p) => !p.startsWith(BASE)))];
        assert.deepEqual(outside, [], `links and assets of a 2025 page outside ${BASE} after the rebuild`);
      });
    });
  });

  test('after a file in static/ changes, the site publishes the new file once, at its root, for every edition', T, async () => {
    const v = (n) => ({ base: BASE, extra: { 'static/handout.txt': `handout version ${n}\n` } });
    await rebuilt('restatic', v(1), v(2), async ({ url }) => {
      const got = {};
      for (const where of ['', 'editions/2025/', 'editions/2024/']) {
        const r = await fetch(`${url}${where}handout.txt`);
        got[where || '(latest)'] = r.ok ? (await r.text()).trim() : `HTTP ${r.status}`;
      }
      assert.deepEqual(got, { '(latest)': 'handout version 2', 'editions/2025/': 'HTTP 404', 'editions/2024/': 'HTTP 404' },
        'static/handout.txt after the rebuild: one copy, the new one, that every edition links to');
    });
  });

  test('after a build with --drafts, a build without it publishes no draft page of an older edition', T, async () => {
    const extra = { 'versions/2025/lessons/05-draft.md': lesson('drafty', 'Draft lesson', 'Not ready.').replace('\nid:', '\ndraft: true\nid:') };
    await rebuilt('undraft', { base: BASE, extra, args: ['--drafts'] }, { base: BASE, extra }, async ({ url }) => {
      assert.equal(await status(`${url}editions/2025/lessons/draft/`), 404, 'the draft page of 2025 after a build without --drafts');
      await withContext({}, async ({ open }) => {
        const page = await open(`${url}editions/2025/lessons/`);
        assert.equal(await page.getByText('Draft lesson').count(), 0, 'the 2025 lessons page lists the draft lesson');
      });
    });
  });
});
