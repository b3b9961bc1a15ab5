// Browser tests of a built playbook site in headless Chromium (Playwright + axe-core).
// env: SITE_DIR (the built site), BASE_PATH (the sub-path it was built for, e.g. /pd/playbook/),
//      SCREENSHOT_DIR (optional: PNGs of each page kind at 375 and 1280 px, for people to look at).
// Page kinds come from <body data-page-kind>; the first page (by path) of each kind is tested for:
// loading cleanly and offline, axe-core WCAG 2.x A/AA in light and dark, the skip link and
// keyboard flow, the theme toggle, no sideways scroll at 320 px. A chapter's rel=next link is
// also followed with the keyboard alone.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { fileURLToPath } from 'node:url';
import { assertClean, assertNoAxeViolations, basePathFromEnv, launchBrowser, poll, siteDirFromEnv, withPage } from './lib/harness.mjs';

/** The skip link's text in language `lang`, read from the theme's string table. */
function skipText(lang) {
  const file = fileURLToPath(new URL(`../../themes/default/i18n/${lang.split('-')[0]}.yaml`, import.meta.url));
  const m = fs.readFileSync(file, 'utf8').match(/^\s+skip: (.+)$/m);
  assert.ok(m, `no skip: key in ${file}`);
  return m[1].trim();
}

const KINDS = ['home', 'book', 'chapter', 'book-print', 'articles', 'article', 'lessons', 'lesson',
  'section', 'course', 'module', 'course-lesson', 'not-found', 'search', 'my-learning', 'certificate'];
// Kinds a site has only in some configurations (the default site has no older editions;
// `offline: false` writes no offline page).
const OPTIONAL_KINDS = ['changes', 'page', 'offline'];
const MISSING_PATH = 'a/b/c/missing/'; // where the not-found page is loaded, to catch relative asset URLs

const SITE_DIR = siteDirFromEnv();
const BASE_PATH = basePathFromEnv();
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;

// ---------------------------------------------------------------- the site's pages, by kind
function htmlFiles(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return htmlFiles(dir, r);
    return e.name.endsWith('.html') ? [r] : [];
  });
}
const pages = htmlFiles(SITE_DIR).sort().map((rel) => {
  const html = fs.readFileSync(path.join(SITE_DIR, rel), 'utf8');
  const body = html.match(/<body\b[^>]*>/i)?.[0] ?? '';
  const kind = body.match(/\sdata-page-kind\s*=\s*["']?([^"'\s>]*)/i)?.[1] ?? null;
  return { rel, kind, html };
});
const firstOfKind = new Map();
const KNOWN = [...KINDS, ...OPTIONAL_KINDS];
for (const p of pages) if (KNOWN.includes(p.kind) && !firstOfKind.has(p.kind)) firstOfKind.set(p.kind, p);

let server, browser;
const urlOf = (p) =>
  server.url + (p.kind === 'not-found' ? MISSING_PATH : p.rel.replace(/(^|\/)index\.html$/, '$1'));
const pageAt = (url) => {
  const u = new URL(url, server.url);
  if (!u.pathname.startsWith(BASE_PATH)) return undefined;
  let rel = decodeURIComponent(u.pathname.slice(BASE_PATH.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  return pages.find((p) => p.rel === rel || p.rel === rel + '/index.html');
};

before(async () => {
  server = await serve(SITE_DIR, BASE_PATH);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// ---------------------------------------------------------------- helpers
const focused = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    const desc = a ? a.outerHTML.replace(/>[\s\S]*/, '>').slice(0, 160) : 'nothing';
    return {
      tag: a?.tagName, desc, href: a?.getAttribute('href') ?? '', text: (a?.textContent ?? '').trim(),
      inMain: !!a?.closest('main#main'), isNext: !!a?.matches('a[rel~="next"]'),
    };
  });

// Is the focused element drawn inside the viewport, on top, and not transparent or hidden?
const focusedIsVisible = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const box = { left: r.left, top: r.top, width: r.width, height: r.height, vw: innerWidth, vh: innerHeight };
    const ok = r.width > 1 && r.height > 1 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth &&
      r.bottom <= innerHeight && cs.visibility === 'visible' && Number(cs.opacity) > 0.5 &&
      !!hit && (hit === el || el.contains(hit));
    return { ok, box, visibility: cs.visibility, opacity: cs.opacity, onTop: hit === el || el.contains(hit) };
  });

// Enough HTML entity decoding for href values read from the page source.
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeEntities = (s) => s.replace(/&(?:#x([0-9a-f]+)|#(\d+)|(\w+));/gi, (m, hex, dec, name) =>
  hex ? String.fromCodePoint(parseInt(hex, 16)) : dec ? String.fromCodePoint(Number(dec)) : ENTITIES[name.toLowerCase()] ?? m);

// ---------------------------------------------------------------- tests
test('every page declares a known data-page-kind', () => {
  const bad = pages.filter((p) => !KNOWN.includes(p.kind)).map((p) => `${p.rel}: ${p.kind}`);
  assert.deepEqual(bad, [], `pages without a known data-page-kind:\n${bad.join('\n')}`);
});

test('every page kind is present in the site', () => {
  const missing = KINDS.filter((k) => !firstOfKind.has(k));
  assert.deepEqual(missing, [], `no page of kind: ${missing.join(', ')}`);
});

for (const [kind, p] of [...firstOfKind].sort((a, b) => KNOWN.indexOf(a[0]) - KNOWN.indexOf(b[0]))) {
  const expectStatus = kind === 'not-found' ? 404 : 200;
  describe(`${kind} (${p.rel})`, { timeout: 120_000 }, () => {
    test(`loads (HTTP ${expectStatus}) with its CSS, one <h1>, no errors, no off-host request`, async () => {
      const url = urlOf(p);
      await withPage(browser, url, { expectStatus }, async ({ page, response, log }) => {
        await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
        assert.equal(response.status(), expectStatus, `HTTP status of ${url}`);
        assert.equal(await page.locator('h1').count(), 1, 'number of <h1> elements');
        const sheets = await page.evaluate(() =>
          [...document.styleSheets].map((s) => { try { return s.cssRules.length; } catch { return 0; } }));
        assert.ok(sheets.some((n) => n > 0), `no CSS applied (style sheets: ${JSON.stringify(sheets)})`);
        assertClean(log);
      });
    });

    for (const colorScheme of ['light', 'dark']) {
      test(`axe-core: no WCAG 2.2 A/AA violations (${colorScheme})`, async () => {
        await withPage(browser, urlOf(p), { colorScheme, expectStatus, bypassCSP: true }, async ({ page }) => {
          await assertNoAxeViolations(page, `(${colorScheme})`);
        });
      });
    }

    test('keyboard: first Tab shows the skip link, Enter moves focus to main, Tab goes on inside main', async () => {
      await withPage(browser, urlOf(p), { expectStatus }, async ({ page }) => {
        await page.keyboard.press('Tab');
        const skip = await focused(page);
        assert.equal(skip.tag, 'A', `first Tab focused ${skip.desc}, not the skip link`);
        assert.match(skip.href, /#main$/, `first Tab focused ${skip.desc}, not a link to #main`);
        const lang = await page.evaluate(() => document.documentElement.lang);
        assert.equal(skip.text, skipText(lang), `skip link text on a page in ${lang}`);
        const vis = await poll(() => focusedIsVisible(page), 2000); // (CSS transitions on focus)
        assert.ok(vis.ok, `focused skip link is not visible: ${JSON.stringify(vis)}`);

        await page.keyboard.press('Enter');
        const target = await poll(async () => { const f = await focused(page); return { ok: f.inMain, ...f }; }, 2000);
        assert.ok(target.inMain, `after Enter on the skip link focus is on ${target.desc}, not in main#main`);

        await page.keyboard.press('Tab');
        const next = await focused(page);
        assert.ok(next.inMain && next.tag === 'A', `Tab after the skip link went to ${next.desc}, not a link in main`);
      });
    });

    test('theme toggle: a click changes data-theme and the choice survives a reload', async () => {
      await withPage(browser, urlOf(p), { expectStatus }, async ({ page, log }) => {
        const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? null);
        const toggle = page.locator('button#theme-toggle');
        assert.equal(await toggle.count(), 1, 'number of button#theme-toggle');
        const before = await theme();
        await toggle.click();
        const chosen = await theme();
        assert.notEqual(chosen, before, `data-theme stayed ${before} after a click`);
        await page.reload({ waitUntil: 'load' });
        assert.equal(await theme(), chosen, 'data-theme after a reload');
        assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
      });
    });

    test('no horizontal scroll at 320 px', async () => {
      await withPage(browser, urlOf(p), { viewport: { width: 320, height: 640 }, expectStatus }, async ({ page }) => {
        const r = await page.evaluate(() => {
          const wide = [...document.body.querySelectorAll('*')]
            .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
            .slice(0, 5).map((e) => e.outerHTML.replace(/>[\s\S]*/, '>').slice(0, 120));
          return { scrollWidth: document.scrollingElement.scrollWidth, wide };
        });
        assert.ok(r.scrollWidth <= 321, `scrollWidth ${r.scrollWidth} > 320; past the right edge:\n  ${r.wide.join('\n  ')}`);
      });
    });

    if (SCREENSHOT_DIR) {
      test('screenshots at 375 and 1280 px (not asserted)', async () => {
        fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
        for (const width of [375, 1280]) {
          await withPage(browser, urlOf(p), { viewport: { width, height: 800 }, expectStatus }, async ({ page }) => {
            const height = await page.evaluate(() => document.scrollingElement.scrollHeight);
            await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${kind}-${width}.png`), fullPage: true,
              clip: { x: 0, y: 0, width, height: Math.min(height, 6000) } });
          });
        }
      });
    }
  });
}

test('keyboard: Tab to a chapter\'s rel="next" link and Enter opens the next chapter', async () => {
  // The first chapter (by path) whose rel=next link points at another chapter.
  const nextOf = (ch) => [...ch.html.matchAll(/<a\b[^>]*>/gi)].map((m) => m[0])
    .filter((a) => /\srel\s*=\s*["']?[^"'>]*\bnext\b/i.test(a))
    .map((a) => a.match(/\shref\s*=\s*["']?([^"'\s>]+)/i)?.[1]).filter(Boolean)
    .map((href) => pageAt(new URL(decodeEntities(href), urlOf(ch)).href)).find((t) => t?.kind === 'chapter');
  const start = pages.find((ch) => ch.kind === 'chapter' && nextOf(ch));
  assert.ok(start, 'no chapter page has a rel="next" link to another chapter');

  await withPage(browser, urlOf(start), {}, async ({ page }) => {
    let f;
    for (let i = 0; i < 500; i++) {
      await page.keyboard.press('Tab');
      f = await focused(page);
      if (f.isNext || (i > 0 && f.href.endsWith('#main'))) break; // found it, or wrapped around
    }
    assert.ok(f.isNext, `Tab never reached the rel="next" link on ${start.rel}`);
    const from = page.url();
    await Promise.all([page.waitForURL((u) => u.href !== from), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    const kind = await page.evaluate(() => document.body.dataset.pageKind);
    assert.equal(kind, 'chapter', `Enter on rel="next" opened ${page.url()} (kind ${kind})`);
  });
});
