// Live reload of `playbook serve` in headless Chromium (Playwright + axe-core).
// env: PLAYBOOK_BIN (the playbook binary to run; required: tests/run.sh passes the debug build).
// A small site is written to a temp folder and served with `PLAYBOOK_BIN serve --port 0 --root DIR`;
// its files are then edited on disk, as an author's editor would, and the open pages are checked:
//   a. a body edit reloads the page showing it, with the new text, at the same scroll position;
//   b. an edit to another page does not reload the open one;
//   c. a stylesheet change is applied without a reload;
//   d. a front matter error shows an overlay naming the file and line, and a fix removes it;
//   e. the overlay has no axe-core WCAG 2.2 A/AA violations;
//   f. after an edit, search finds the new words, at the new section, with a marked snippet;
//   g. a page that read the search index before the edit finds the new words too (the files its
//      copy of the manifest names are gone: it reads the manifest again).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, assertNoAxeViolations, launchBrowser, openPage, playbookBin, poll, sleep, writeFiles } from './lib/harness.mjs';

const BUILTIN_CSS = path.join(REPO, 'themes/default/static/style.css');
// How long to wait for the server to rebuild and the browser to react: generous, for a debug
// build on a busy 2-core machine; a passing run takes a fraction of it.
const WAIT = 30_000;
const PLAYBOOK_BIN = playbookBin(import.meta.url);

// ---------------------------------------------------------------- the fixture site
// Three chapters of 80 paragraphs each: long enough to scroll well past y = 2000.
const paragraphs = (name) => Array.from({ length: 80 }, (_, i) =>
  `Paragraph ${i + 1} of chapter ${name}. A teacher reads the lesson plan again, notes what the ` +
  'students asked yesterday, and changes the opening question so that every voice in the room is heard.')
  .join('\n\n') + '\n';
const chapter = (title, extra = '', key = 'title') => `---\n${key}: ${title}\n---\n\n${paragraphs(title)}${extra}`;
const SITE = {
  'playbook.yaml': 'title: Live reload test\nbase_url: /\nlanguage: en\n',
  'content/index.md': '---\ntitle: Home\n---\n\nWelcome.\n',
  'content/book/_index.md': '---\ntitle: Book\nkind: book\n---\n\nThe book.\n',
  'content/book/01-one.md': chapter('One'),
  'content/book/02-two.md': chapter('Two'),
  'content/book/03-three.md': chapter('Three'),
};

let tmp, site, server, browser;
const write = (rel, text) => writeFiles(site, { [rel]: text });
const unique = (what) => `${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

// Starts `playbook serve` and resolves with { url, child, log() } once it prints its address.
function startServer(root) {
  return new Promise((resolve, reject) => {
    const child = spawn(PLAYBOOK_BIN, ['serve', '--port', '0', '--root', root],
      { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const log = () => stderr.split('\n').slice(-30).join('\n');
    const timer = setTimeout(() => reject(new Error(`playbook serve printed no address in 60 s:\n${log()}`)), 60_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = stderr.match(/Serving (http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) { clearTimeout(timer); resolve({ url: m[1], child, log }); }
    });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`playbook serve exited (${code ?? signal}) before serving:\n${log()}`));
    });
  });
}

async function stopServer(s) {
  if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((res) => s.child.once('exit', res));
  s.child.kill('SIGINT');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-live-'));
  site = path.join(tmp, 'site');
  writeFiles(site, SITE);
  server = await startServer(site);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stopServer(server);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers
// Opens path in a fresh context (openPage) and waits until live.js is subscribed to the server's
// events; also records main-frame navigations after the first. Runs fn, then closes the context.
// The tests check the page errors, off-host requests and navigations of the log, not the rest.
async function withLivePage(pagePath, fn, { bypassCSP = false } = {}) {
  const { context, page, log } = await openPage(browser, { bypassCSP, timeout: WAIT });
  log.navigations = [];
  try {
    const subscribed = page.waitForResponse((r) => new URL(r.url()).pathname === '/__playbook/events');
    subscribed.catch(() => {}); // a failed goto is the error to report
    const response = await page.goto(server.url + pagePath.replace(/^\//, ''), { waitUntil: 'load' });
    assert.equal(response.status(), 200, `HTTP status of ${pagePath}; server log:\n${server.log()}`);
    assert.equal((await subscribed).status(), 200, 'HTTP status of /__playbook/events');
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) log.navigations.push(f.url()); });
    return await fn({ page, log });
  } finally {
    await context.close();
  }
}

// Waits until the server serves pagePath with text in it (the edit has been rebuilt).
async function waitServed(pagePath, text, ms = WAIT) {
  const r = await poll(async () => {
    const res = await fetch(server.url + pagePath.replace(/^\//, ''));
    const body = await res.text();
    return { ok: res.status === 200 && body.includes(text), status: res.status };
  }, ms);
  assert.ok(r.ok, `${pagePath} was not served with ${JSON.stringify(text)} within ${ms} ms ` +
    `(last status ${r.status}); server log:\n${server.log()}`);
}

// The search manifest as served now: the index is made again after the pages, so a served page
// says nothing of it.
async function manifest() {
  const res = await fetch(server.url + 'search/index.json.gz');
  assert.equal(res.status, 200, 'HTTP status of search/index.json.gz');
  return Buffer.from(await res.arrayBuffer());
}

// Waits until the manifest differs from `before` (bytes): the index holds the last edit.
async function waitNewIndex(before, ms = WAIT) {
  const r = await poll(async () => ({ ok: !(await manifest()).equals(before) }), ms);
  assert.ok(r.ok, `the search index was not made again within ${ms} ms; server log:\n${server.log()}`);
}

// A word of letters only, found nowhere on the site.
const newWord = () => 'zq' + Math.random().toString(36).slice(2, 9).replace(/[0-9]/g, 'x');

// ---------------------------------------------------------------- tests
test('a body edit reloads the open chapter with the new text at the same scroll position', async () => {
  await withLivePage('/book/one/', async ({ page, log }) => {
    await page.evaluate(() => window.scrollTo(0, 2000));
    const y0 = await page.evaluate(() => window.scrollY);
    assert.equal(y0, 2000, 'the chapter is not long enough to scroll to 2000');
    const marker = unique('body-edit');
    const reloaded = page.waitForNavigation({ waitUntil: 'load', timeout: WAIT });
    write('content/book/01-one.md', chapter('One', `\nThe new paragraph ${marker}.\n`));
    await reloaded;
    assert.ok((await page.content()).includes(marker), `the reloaded page does not show ${marker}`);
    // live.js restores the position on DOMContentLoaded and again on load.
    const r = await poll(async () => {
      const y = await page.evaluate(() => window.scrollY);
      return { ok: Math.abs(y - 2000) <= 50, y };
    }, 2000);
    assert.ok(r.ok, `scrollY after the reload is ${r.y}, not within 50 px of 2000`);
    assert.equal(log.navigations.length, 1, `navigations: ${log.navigations.join(', ')}`);
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(log.offHost, [], 'requests to hosts other than 127.0.0.1');
  });
});

test('an edit to another chapter does not reload the open one', async () => {
  await withLivePage('/book/one/', async ({ page, log }) => {
    await page.evaluate(() => { window.__marker = 1; });
    const marker = unique('other-edit');
    write('content/book/02-two.md', chapter('Two', `\nThe new paragraph ${marker}.\n`));
    await waitServed('/book/two/', marker);
    await sleep(1500);
    assert.equal(await page.evaluate(() => window.__marker), 1, 'the open page was reloaded (window.__marker is gone)');
    assert.deepEqual(log.navigations, [], 'the open page navigated');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});

test('after an edit, search finds the new words and links to their section', async () => {
  const word = newWord();
  const before = await manifest();
  write('content/book/03-three.md', chapter('Three', `\n## Quorum of ${word}\n\nThe ${word} gathers here.\n`));
  await waitServed('/book/three/', word);
  await waitNewIndex(before);
  await withLivePage(`/search/?q=${word}`, async ({ page, log }) => {
    const r = await poll(async () => {
      const x = await page.evaluate(() => ({
        status: document.getElementById('search-status').textContent,
        hrefs: [...document.querySelectorAll('#search-results-list > li > a')].map((a) => a.getAttribute('href')),
        marks: [...document.querySelectorAll('#search-results-list mark')].map((m) => m.textContent),
      }));
      return { ok: x.hrefs.length > 0, ...x };
    });
    assert.ok(r.ok, `no results for ${word}: ${r.status}; server log:\n${server.log()}`);
    assert.deepEqual(r.hrefs, [`/book/three/#quorum-of-${word}`], 'the new section of the edited page');
    assert.deepEqual(r.marks, [word, word], 'the section heading and the snippet mark the new word');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});

test('a page that read the search index before an edit finds the new words after it', async () => {
  await withLivePage('/book/one/', async ({ page, log }) => {
    // Focusing the header box reads the manifest (and no shard yet).
    const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/search/index.json.gz');
    await page.locator('#search-input').focus();
    assert.equal((await read).status(), 200, 'HTTP status of the manifest');
    const word = newWord();
    const before = await manifest();
    write('content/book/02-two.md', chapter('Two', `\n## Ledger of ${word}\n\nThe ${word} is kept here.\n`));
    await waitServed('/book/two/', word);
    await waitNewIndex(before);
    await page.keyboard.type(word, { delay: 30 });
    const r = await poll(async () => {
      const x = await page.evaluate(() => ({
        status: document.querySelector('#site-search [role="status"]').textContent,
        hrefs: [...document.querySelectorAll('#search-listbox [role="option"]')].map((li) => li.dataset.href),
      }));
      return { ok: x.hrefs.length > 1, ...x };
    });
    assert.ok(r.ok, `the box found nothing for ${word}: ${JSON.stringify(r.status)}; server log:\n${server.log()}`);
    assert.equal(r.hrefs[0], `/book/two/#ledger-of-${word}`, 'the first option is the new section');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});

test('a stylesheet change applies without a reload', async () => {
  await withLivePage('/book/one/', async ({ page, log }) => {
    await page.evaluate(() => { window.__marker = 1; });
    const outline = () => page.evaluate(() => {
      const cs = getComputedStyle(document.body);
      return `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`;
    });
    const want = 'solid 5px rgb(1, 2, 3)';
    assert.notEqual(await outline(), want, 'the outline is there before the stylesheet changed');
    // The built-in stylesheet plus one rule, so the page keeps its look.
    write('themes/default/static/style.css',
      fs.readFileSync(BUILTIN_CSS, 'utf8') + '\nbody { outline: 5px solid rgb(1, 2, 3); }\n');
    const r = await poll(async () => { const o = await outline(); return { ok: o === want, o }; }, WAIT);
    assert.ok(r.ok, `body outline is ${JSON.stringify(r.o)}, not ${JSON.stringify(want)}; server log:\n${server.log()}`);
    await sleep(1500); // a reload sent with the stylesheet would have replaced the page by now
    assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded (window.__marker is gone)');
    assert.deepEqual(log.navigations, [], 'the page navigated');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});

const OVERLAY = '#playbook-error-overlay';
const BROKEN = chapter('Three', '', 'titel'); // an unknown key on line 2

test('a front matter error shows an overlay with the file and line; fixing it removes the overlay', async () => {
  await withLivePage('/book/three/', async ({ page, log }) => {
    write('content/book/03-three.md', BROKEN);
    const overlay = page.locator(OVERLAY);
    await overlay.waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await overlay.getAttribute('role'), 'alertdialog', 'role of the overlay');
    assert.equal(await overlay.getAttribute('aria-modal'), 'true');
    const text = await overlay.innerText();
    assert.match(text, /content\/book\/03-three\.md:2\b/, `the overlay does not name the file and line 2:\n${text}`);
    assert.match(text, /titel/, `the overlay does not name the unknown key:\n${text}`);
    // A modal: focus is on its button, the page behind is inert, Tab stays inside.
    const focused = () => page.evaluate(() => document.activeElement?.closest('#playbook-error-overlay') ? document.activeElement.textContent : `outside: ${document.activeElement?.tagName}`);
    assert.equal(await focused(), 'Hide this message', 'focus is not on the overlay\'s button');
    assert.equal(await page.evaluate(() => document.querySelector('main').closest('[inert]') !== null), true, 'the page behind the overlay is not inert');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'Hide this message', 'Tab left the overlay');
    // Escape hides it and gives the page back.
    await page.keyboard.press('Escape');
    assert.equal(await page.locator(OVERLAY).count(), 0, 'Escape did not hide the overlay');
    assert.equal(await page.evaluate(() => document.querySelector('[inert]')), null, 'the page stayed inert');
    // The next error event (another broken save) shows it again.
    write('content/book/03-three.md', BROKEN.replace('titel', 'titl'));
    await overlay.waitFor({ state: 'visible', timeout: WAIT });
    const marker = unique('fixed');
    write('content/book/03-three.md', chapter('Three', `\nThe new paragraph ${marker}.\n`));
    await page.locator(OVERLAY).waitFor({ state: 'detached', timeout: WAIT });
    await waitServed('/book/three/', marker);
    assert.equal(await page.locator(OVERLAY).count(), 0, 'the overlay is still there after the fix');
    assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
  });
});

test('axe-core: no WCAG 2.2 A/AA violations while the error overlay is shown', async () => {
  await withLivePage('/book/three/', async ({ page }) => {
    write('content/book/03-three.md', BROKEN);
    try {
      await page.locator(OVERLAY).waitFor({ state: 'visible', timeout: WAIT });
      await assertNoAxeViolations(page, 'with the overlay shown');
    } finally {
      write('content/book/03-three.md', chapter('Three'));
      await page.locator(OVERLAY).waitFor({ state: 'detached', timeout: WAIT }).catch(() => {});
    }
  }, { bypassCSP: true });
});
