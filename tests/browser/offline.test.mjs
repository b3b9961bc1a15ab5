// Offline reading in headless Chromium (Playwright + axe-core): the service worker the build
// writes at <base>sw.js, on a copy of this repository's default site built by the binary.
// env: PLAYBOOK_BIN (the playbook binary; required).
//      SCREENSHOT_DIR (optional): PNGs of the offline note and the offline page at 375 and 1280 px.
//      FIXTURE_OVERLAY (optional): a folder copied over the site before each build, e.g. one holding
//      themes/default/static/sw.js with a planted fault, to see the tests fail.
//
// The site is served under /pd/playbook/ by lib/serve.mjs behind a small proxy of this file's,
// so "offline" is the real thing: Playwright's offline mode (context.setOffline, which also makes
// navigator.onLine false) and, in case a worker's own requests slip past that emulation, the proxy
// refusing every connection.
//   a. a reader visits home, a chapter and a lesson; once the worker controls the page, offline:
//      the three reload with their text and their CSS (a computed style), the quiet offline note
//      shows (role=status), a page never visited is the offline page (HTTP 200 from the worker,
//      not the browser's error page) listing the pages saved, search finds a word never searched
//      online (header box and search page); axe-core finds nothing in these states, light and dark;
//   b. online again, the site is rebuilt with a changed chapter and a changed stylesheet: the
//      chapter shows the new text, the new worker version takes over and drops the old version's
//      cache; offline again, the chapter is the new text (not the old), the lesson saved before the
//      update still has its own (old) stylesheet, and search still works;
//   c. `offline: false`: the build's sw.js removes a worker a reader already has (registration and
//      caches gone after the next visit), and pages register none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { REPO, assertNoAxeViolations, buildSite, eventually, launchBrowser, openPage, playbookBin, shoot, writeFiles } from './lib/harness.mjs';

playbookBin(import.meta.url);

const BASE = '/pd/playbook/';
const HOME = '';
const CHAPTER = 'playbook/the-three-domains/';
const CHAPTER_FILE = 'content/playbook/02-the-three-domains.md';
const LESSON = 'lessons/trust-is-the-foundation/';
const NEVER_VISITED = 'monographs/';
const OFFLINE_WORD = 'rubric';       // searched only offline
const OFFLINE_WORD_2 = 'distributed'; // searched only offline, after the update
const MARKER = 'Offline test: this sentence was added after the first visit.';
const T = { timeout: 240_000 };
const WAIT = 20_000; // how long `eventually` waits on the worker where a step names no other limit

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-offline-'));
let browser;

// A copy of the default site (content/, playbook.yaml) in `root`, plus `extra` files.
function copySite(root, extra = {}) {
  fs.rmSync(root, { recursive: true, force: true });
  fs.cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'playbook.yaml'), path.join(root, 'playbook.yaml'));
  if (fs.existsSync(path.join(REPO, 'static'))) fs.cpSync(path.join(REPO, 'static'), path.join(root, 'static'), { recursive: true });
  writeFiles(root, extra);
}
const build = (root, out) => buildSite(root, out, BASE);
const versionOf = (out) => {
  const m = /^const SETTINGS = (\{.*\});$/m.exec(fs.readFileSync(path.join(out, 'sw.js'), 'utf8'));
  assert.ok(m, `${out}/sw.js has no settings line`);
  return JSON.parse(m[1]);
};

// lib/serve.mjs behind a TCP proxy that can drop off the network: `down` refuses new
// connections and cuts the open ones.
async function startSite(out) {
  const site = await serve(out, BASE);
  const target = Number(new URL(site.url).port);
  const sockets = new Set();
  const state = { down: false };
  const proxy = net.createServer((client) => {
    if (state.down) return client.destroy();
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${proxy.address().port}`;
  return {
    url: origin + BASE,
    origin,
    setDown(down) {
      state.down = down;
      if (down) for (const s of sockets) s.destroy();
    },
    async close() {
      state.down = true;
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
      await site.close();
    },
  };
}

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers
// A fresh context and page (openPage) whose uncaught page errors, console errors and requests to
// other hosts (aborted) are checked by `clean`. Console errors are expected offline (a request
// the worker cannot answer), so they are only checked while online; failed requests are not
// checked at all (offline, they are the point).
async function openContext(site) {
  const { context, page, log } = await openPage(browser);
  let offline = false;
  const network = async (on) => {
    offline = !on;
    site.setDown(!on);
    await context.setOffline(!on);
  };
  const clean = (what) => {
    assert.deepEqual(log.pageErrors, [], `${what}: uncaught page errors`);
    assert.deepEqual(log.offHost, [], `${what}: requests to other hosts`);
    if (!offline) assert.deepEqual(log.consoleErrors, [], `${what}: console errors`);
    log.consoleErrors.length = 0;
  };
  return { context, page, log, network, clean };
}

// Waits until a worker of this site is activated and controls the page.
async function controlled(page) {
  await eventually(async () => {
    const s = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { controller: !!navigator.serviceWorker.controller, state: reg?.active?.state, scope: reg?.scope };
    });
    assert.deepEqual({ controller: s.controller, state: s.state }, { controller: true, state: 'activated' },
      `the page is not controlled by an activated worker: ${JSON.stringify(s)}`);
    assert.equal(new URL(s.scope).pathname, BASE, 'the worker\'s scope');
  }, WAIT);
}

const cacheNames = (page) => page.evaluate(() => caches.keys());

async function go(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  assert.ok(response, `no response for ${url}`);
  return response;
}

// What a reader sees: the h1, the main text, whether the theme's CSS applies (its header is a
// flex row; without the style sheet it is a block), and the style sheet's URL.
const look = (page) => page.evaluate(() => ({
  kind: document.body.dataset.pageKind,
  h1: document.querySelector('main h1')?.textContent.trim(),
  text: document.querySelector('main')?.textContent.replace(/\s+/g, ' ') ?? '',
  // Unstyled, the header's inner box is a plain block; the theme lays it out as a grid.
  styled: getComputedStyle(document.querySelector('.header-inner')).display === 'grid',
  css: document.querySelector('link[rel="stylesheet"]')?.getAttribute('href'),
}));

// axe-core on the page as it is, in the light and the dark colour scheme.
async function axe(page, what) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await assertNoAxeViolations(page, `on ${what} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

// Types `word` in the header search box and returns the result options shown.
async function headerSearch(page, word) {
  await page.locator('#search-input').fill('');
  await page.locator('#search-input').focus();
  await page.keyboard.type(word, { delay: 30 });
  return eventually(async () => {
    const options = await page.evaluate(() => {
      const list = document.getElementById('search-listbox');
      return list.hidden ? [] : [...list.querySelectorAll('[role="option"]')].map((o) => o.textContent.trim());
    });
    assert.ok(options.length > 0, `no search results for "${word}"`);
    return options;
  }, 10_000);
}

// ---------------------------------------------------------------- a and b
test('offline: visited pages, the offline page and search work offline; after a rebuild the new page shows online, then offline', T, async () => {
  const root = path.join(tmp, 'site');
  const out = path.join(tmp, 'out');
  copySite(root);
  build(root, out);
  const first = versionOf(out);
  assert.equal(first.enabled, true, 'offline reading is on by default');
  const site = await startSite(out);
  const { context, page, network, clean } = await openContext(site);
  try {
    // a. Online: three pages, the worker takes over.
    const seen = {};
    for (const rel of [HOME, CHAPTER, LESSON]) {
      const r = await go(page, site.url + rel);
      assert.equal(r.status(), 200, `HTTP status of ${rel}`);
      if (rel === HOME) await controlled(page);
      seen[rel] = await look(page);
      assert.ok(seen[rel].styled, `${rel || 'home'} is not styled online`);
      assert.equal(await page.locator('#offline-note').textContent(), '', 'the offline note is empty online');
      clean(`online ${rel || 'home'}`);
    }
    const oldCss = seen[LESSON].css;

    await network(false);
    for (const rel of [HOME, CHAPTER, LESSON]) {
      const r = await go(page, site.url + rel);
      assert.equal(r.status(), 200, `offline: HTTP status of ${rel}`);
      assert.ok(r.fromServiceWorker(), `offline: ${rel} did not come from the worker`);
      const now = await look(page);
      assert.equal(now.h1, seen[rel].h1, `offline: the h1 of ${rel || 'home'}`);
      assert.equal(now.text, seen[rel].text, `offline: the text of ${rel || 'home'}`);
      assert.ok(now.styled, `offline: ${rel || 'home'} has lost its style sheet`);
      const note = page.locator('#offline-note');
      assert.equal(await note.getAttribute('role'), 'status');
      assert.match(await note.textContent(), /offline\. Pages you opened before are still here\./);
      assert.ok(await note.isVisible(), 'the offline note is not visible');
      clean(`offline ${rel || 'home'}`);
    }
    await axe(page, `offline note on ${LESSON}`);
    await shoot(page, 'offline-note');

    // A page never opened: the offline page, from the worker, listing the saved pages.
    const r = await go(page, site.url + NEVER_VISITED);
    assert.equal(r.status(), 200, 'the offline page\'s status');
    assert.ok(r.fromServiceWorker(), 'the offline page did not come from the worker');
    assert.equal(new URL(page.url()).pathname, BASE + NEVER_VISITED, 'the address stays the one the reader asked for');
    const off = await look(page);
    assert.equal(off.kind, 'offline', 'a page never visited gives the offline page');
    assert.equal(off.h1, 'This page is not saved on this device');
    assert.ok(off.styled, 'the offline page is not styled');
    const saved = await eventually(async () => {
      const links = await page.$$eval('#saved-pages-list a', (as) => as.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })));
      assert.ok(links.length >= 3, `the offline page lists ${links.length} saved pages`);
      return links;
    }, 5000);
    for (const rel of [HOME, CHAPTER, LESSON]) {
      assert.ok(saved.some((l) => l.href === BASE + rel), `the saved pages list lacks ${BASE + rel}: ${JSON.stringify(saved)}`);
    }
    assert.ok(saved.some((l) => l.href === BASE && l.text === 'Home'), `the home page is listed as Home: ${JSON.stringify(saved)}`);
    assert.ok(saved.some((l) => l.text === seen[CHAPTER].h1), `the saved chapter is listed by its title: ${JSON.stringify(saved)}`);
    assert.ok(await page.locator('#saved-pages').isVisible(), 'the saved pages section is hidden');
    await axe(page, 'the offline page');
    await shoot(page, 'offline-page');
    clean('the offline page');

    // Search, offline, for a word never searched online: the whole index was kept.
    await go(page, site.url + CHAPTER);
    const options = await headerSearch(page, OFFLINE_WORD);
    assert.ok(options.length > 1, `offline search for "${OFFLINE_WORD}": ${JSON.stringify(options)}`);
    await go(page, `${site.url}search/?q=${OFFLINE_WORD}`);
    assert.equal((await look(page)).kind, 'search', 'offline, the search page is the search page');
    await eventually(async () => {
      const n = await page.locator('#search-results-list li').count();
      assert.ok(n > 0, `the search page lists no results for "${OFFLINE_WORD}" offline`);
    }, 10_000);
    clean('offline search');

    // b. Online again; the site changes: a chapter's text and the style sheet (so its hashed name).
    await network(true);
    const chapterPath = path.join(root, CHAPTER_FILE);
    fs.appendFileSync(chapterPath, `\n${MARKER}\n`);
    const css = fs.readFileSync(path.join(REPO, 'themes/default/static/style.css'), 'utf8');
    writeFiles(root, { 'themes/default/static/style.css': `${css}\n/* changed by the offline test */\n` });
    build(root, out);
    const second = versionOf(out);
    assert.notEqual(second.version, first.version, 'the worker version did not change with the site');

    await go(page, site.url + CHAPTER);
    const fresh = await look(page);
    assert.ok(fresh.text.includes(MARKER), 'online, the changed chapter shows its old text');
    assert.notEqual(fresh.css, oldCss, 'the style sheet did not get a new name');
    clean('online after the rebuild');
    // The new version takes over (the browser checks sw.js on navigation) and drops the old cache.
    await eventually(async () => {
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
      const names = await cacheNames(page);
      assert.ok(names.some((n) => n.startsWith(`playbook-v${second.version} `)), `no cache of the new version: ${names}`);
      assert.ok(!names.some((n) => n.startsWith(`playbook-v${first.version} `)), `the old version's cache is still there: ${names}`);
    }, 30_000);
    await controlled(page);
    // The saved copy is the one just seen (written in the background: wait for it, not for time).
    await eventually(async () => {
      const text = await page.evaluate(async (url) => {
        for (const name of await caches.keys()) {
          const hit = await (await caches.open(name)).match(url);
          if (hit) return hit.text();
        }
        return '';
      }, site.url + CHAPTER);
      assert.ok(text.includes(MARKER), 'the saved chapter is not the one just seen');
    }, WAIT);

    await network(false);
    await go(page, site.url + CHAPTER);
    const offlineChapter = await look(page);
    assert.ok(offlineChapter.text.includes(MARKER), 'offline after the update, the chapter is the old text');
    assert.ok(offlineChapter.styled, 'offline after the update, the chapter is not styled');
    assert.equal(offlineChapter.css, fresh.css, 'offline, the chapter uses the new style sheet');
    // Saved before the update and not opened since: still readable, with the style sheet it names.
    await go(page, site.url + LESSON);
    const oldLesson = await look(page);
    assert.equal(oldLesson.text, seen[LESSON].text, 'offline after the update, the lesson saved before it');
    assert.equal(oldLesson.css, oldCss, 'the lesson saved before the update names the old style sheet');
    assert.ok(oldLesson.styled, 'offline after the update, the lesson saved before it lost its style sheet');
    // Search works with the new index.
    const after2 = await headerSearch(page, OFFLINE_WORD_2);
    assert.ok(after2.length > 0);
    clean('offline after the update');
  } finally {
    await context.close();
    await site.close();
  }
});

// ---------------------------------------------------------------- c
test('offline: false: the built sw.js removes a worker readers already have, and pages register none', T, async () => {
  const root = path.join(tmp, 'site-off');
  const out = path.join(tmp, 'out-off');
  copySite(root);
  build(root, out);
  const site = await startSite(out);
  try {
    const { context, page, clean } = await openContext(site);
    try {
      await go(page, site.url);
      await controlled(page);
      assert.ok((await cacheNames(page)).some((n) => n.startsWith('playbook-')), 'the worker made no cache');

      fs.appendFileSync(path.join(root, 'playbook.yaml'), '\noffline: false\n');
      build(root, out);
      const settings = versionOf(out);
      assert.equal(settings.enabled, false, 'sw.js of a site with offline: false');
      assert.ok(!fs.existsSync(path.join(out, 'offline.html')), 'offline: false still writes offline.html');
      assert.ok(!/data-sw=/.test(fs.readFileSync(path.join(out, 'index.html'), 'utf8')), 'pages still carry data-sw');

      await go(page, site.url + CHAPTER);
      await eventually(async () => {
        await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update().catch(() => {}));
        const left = await page.evaluate(async () => ({
          registrations: (await navigator.serviceWorker.getRegistrations()).length,
          caches: (await caches.keys()).filter((n) => n.startsWith('playbook-')),
        }));
        assert.deepEqual(left, { registrations: 0, caches: [] }, 'the worker and its caches are not gone');
      }, 30_000);
      clean('after offline: false');
    } finally {
      await context.close();
    }

    // A new reader: no worker at all.
    const { context: c2, page: p2, clean: clean2 } = await openContext(site);
    try {
      const requested = [];
      p2.on('request', (r) => requested.push(new URL(r.url()).pathname));
      await go(p2, site.url);
      await go(p2, site.url + LESSON);
      await p2.waitForTimeout(1000);
      assert.equal(await p2.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0,
        'a page of a site with offline: false registered a worker');
      assert.ok(!requested.includes(BASE + 'sw.js'), 'a page of a site with offline: false asked for sw.js');
      assert.equal(await p2.locator('#offline-note').count(), 0, 'the offline note is there with offline: false');
      clean2('offline: false, new reader');
    } finally {
      await c2.close();
    }
  } finally {
    await site.close();
  }
});
