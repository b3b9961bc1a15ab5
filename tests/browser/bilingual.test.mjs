// The bilingual default site in headless Chromium (issue 12), as a Spanish-speaking reader meets it:
//   a. the language switcher on every page kind, both directions, with the keyboard: never a 404,
//      the same page when it is translated (and the pair reciprocal), else the nearest
//      translated page above it, saying so;
//   b. the language and edition switchers composed (a fixture with an older edition):
//      Spanish 2025 ↔ Spanish latest ↔ English latest ↔ English 2025;
//   c. axe-core (light and dark) on the first Spanish page of every kind, and on Spanish pages in
//      their interactive states (quiz answered, drawer open, contents open, progress shown);
//   d. the Nu checker on the same pages as the scripts left them (the DOM, serialized), states
//      included;
//   e. a lesson completed on the Spanish page is complete on the English one (and back);
//      My learning and the certificate in Spanish;
//   f. no English interface string on a Spanish page once its scripts have run: every text and
//      label outside content marked lang="en" is searched for every sentence of the English
//      string table that the Spanish one does not share.
// env: SITE_DIR (the built default site), BASE_PATH (its sub-path, e.g. /pd/playbook/).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './lib/serve.mjs';
import {
  assertClean, assertNoAxeViolations, basePathFromEnv, buildSite, launchBrowser, playbookBin, poll, siteDirFromEnv,
  withCleanContext, withPage, writeFiles,
} from './lib/harness.mjs';
import { readTable } from '../js/strings.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VNU = path.join(HERE, 'node_modules/vnu-jar/build/dist/vnu.jar');
const SITE_DIR = siteDirFromEnv();
const BASE = basePathFromEnv();
const PHONE = { width: 375, height: 740 };
const LAPTOP = { width: 1280, height: 800 };
const T = { timeout: 180_000 };

const LESSON_EN = 'courses/rccp-foundations/class-and-power/disrupting-inequity/';
const LESSON_ES = 'es/cursos/fundamentos-rccp/clase-social-y-poder/desarmar-la-desigualdad/';
const FALLBACK_ES = 'es/cursos/fundamentos-rccp/identity/who-am-i/';
const FALLBACK_EN = 'courses/rccp-foundations/identity/who-am-i/';
const CHAPTER_ES = 'es/guia-practica/por-que-alianzas-de-varios-anos/';
for (const rel of [LESSON_EN, LESSON_ES, FALLBACK_ES, FALLBACK_EN, CHAPTER_ES]) {
  if (!fs.existsSync(path.join(SITE_DIR, rel, 'index.html'))) throw new Error(`the default site has no ${rel}`);
}

// The first page of each kind, by path, in one language (`es/…` or the rest).
function firstOfKind(spanish) {
  const out = new Map();
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(SITE_DIR, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (r.startsWith('assets') || r.startsWith('search/') || r.startsWith('es/search/')) continue;
        if (!rel && (e.name === 'es') !== spanish) continue;
        walk(r);
        continue;
      }
      if (!e.name.endsWith('.html') || (!rel && spanish)) continue;
      const kind = fs.readFileSync(path.join(SITE_DIR, r), 'utf8').match(/data-page-kind="([^"]+)"/)?.[1];
      if (kind && !['not-found', 'offline'].includes(kind) && !out.has(kind)) out.set(kind, r.replace(/(^|\/)index\.html$/, '$1'));
    }
  };
  walk(spanish ? 'es' : '');
  return out;
}
const ES_KINDS = firstOfKind(true);
const EN_KINDS = firstOfKind(false);

let server, browser;
const snapshots = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-bilingual-dom-'));
before(async () => {
  server = await serve(SITE_DIR, BASE);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(snapshots, { recursive: true, force: true });
});
const url = (rel) => server.url + rel;

// Keeps the page's DOM as its scripts left it, for the Nu checker (d.).
let snapshotCount = 0;
async function keepDom(page, name) {
  // (Without axe-core, which the checks above put into the page as an inline script.)
  const html = await page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script:not([src])').forEach((s) => s.remove());
    return `<!DOCTYPE html>\n${copy.outerHTML}`;
  });
  fs.writeFileSync(path.join(snapshots, `${String(++snapshotCount).padStart(3, '0')}-${name.replace(/[^\w-]+/g, '_')}.html`), html);
}

// Completes the page's lesson with its button; waits until the page says so.
async function complete(page) {
  const toggle = page.locator('#complete-toggle');
  await toggle.waitFor({ state: 'visible' });
  if ((await toggle.getAttribute('data-done')) !== 'true') await toggle.click();
  await page.locator('#complete-toggle[data-done="true"]').waitFor();
}

// Answers the page's first quiz (the first choice of each question) and sends it.
async function answerQuiz(page) {
  const form = page.locator('form.quiz').first();
  await form.locator('button[type="submit"]').waitFor();
  for (const fs of await form.locator('fieldset.quiz-question').all()) await fs.locator('input').first().check();
  await form.locator('button[type="submit"]').click();
  await page.locator('form.quiz .quiz-result:not(:empty)').first().waitFor();
}

// ---------------------------------------------------------------- f. English strings
const EN = readTable('en');
const ES = readTable('es');
const values = (v) => (typeof v === 'string' ? [v] : Object.values(v));
const esValues = new Set(Object.values(ES).flatMap(values));
// Sentences of the English table a Spanish page must not show: each literal stretch between
// placeholders, of two words and 8 characters at least, that the Spanish table does not share.
const ENGLISH = [...new Set(Object.entries(EN).flatMap(([key, v]) => values(v).flatMap((s) => s.split(/\{[^}]*\}/)
  .map((f) => f.trim().replace(/^[\s:;,.()–—-]+|[\s:;,.()–—-]+$/g, ''))
  .filter((f) => f.length >= 8 && /\S\s+\S/.test(f) && ![...esValues].some((e) => e.includes(f)))
  .map((f) => ({ key, text: f })))))].filter((x, i, all) => all.findIndex((y) => y.text === x.text) === i);

// Every text and label of the page that is not inside content marked with another language.
const pageTexts = (page) => page.evaluate(() => {
  const out = [];
  const inSpanish = (el) => (el.closest('[lang]')?.getAttribute('lang') || '').startsWith('es');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, noscript') || !inSpanish(el)) continue;
    const t = n.textContent.replace(/\s+/g, ' ').trim();
    if (t) out.push(t);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[value], [aria-description]')) {
    if (!inSpanish(el)) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-description']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
    if (el.matches('input[type="submit"], input[type="button"]')) out.push(el.value);
  }
  out.push(document.title);
  return out;
});
// The visually hidden text of a switcher link ('' without one): asked for only when it is
// there, as waiting for an element that never comes costs the locator's whole timeout.
async function hiddenText(link) {
  const hidden = link.locator('.visually-hidden');
  return (await hidden.count()) ? hidden.first().textContent() : '';
}

async function englishOn(page) {
  const texts = (await pageTexts(page)).join('\n');
  return ENGLISH.filter(({ text }) => texts.includes(text)).map(({ key, text }) => `${key}: "${text}"`);
}

// ---------------------------------------------------------------- a. the language switcher
describe('a. the language switcher, both directions, on every page kind, with the keyboard', { timeout: 1_200_000 }, () => {
  for (const [lang, kinds] of [['es', ES_KINDS], ['en', EN_KINDS]]) {
    for (const [kind, rel] of kinds) {
      test(`${lang} ${kind} (${rel || 'home'}) → the other language`, T, async () => {
        await withCleanContext(browser, { viewport: LAPTOP, ignoreAborted: true }, async ({ newPage }) => {
          const page = await newPage();
          await page.goto(url(rel), { waitUntil: 'load' });
          assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
          const link = page.locator('.language-switcher a:not([aria-current])');
          assert.equal(await link.count(), 1, 'one link to the other language');
          const same = (await link.getAttribute('lang')) !== null; // the translation itself, named in its language
          const note = await hiddenText(link);
          const from = new URL(page.url()).pathname;
          await link.focus();
          const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
          assert.equal(response.status(), 200, `HTTP status of ${page.url()} from ${from}`);
          const other = lang === 'es' ? 'en' : 'es';
          assert.equal(await page.evaluate(() => document.documentElement.lang), other, `the language of ${page.url()}`);
          const backLink = page.locator('.language-switcher a:not([aria-current])');
          const back = await backLink.getAttribute('href');
          // A translation and its source link to each other; a page shown in the default
          // language's words (a fallback) leads back to the nearest translated page instead.
          if (same && (await backLink.getAttribute('lang')) !== null) {
            assert.equal(back, from, `the pair is not reciprocal: ${from} → ${new URL(page.url()).pathname} → ${back}`);
            assert.equal(await page.evaluate(() => document.body.dataset.pageKind), kind, 'the same page kind in the other language');
          } else if (!same) {
            // Not translated: the nearest translated page above it, and the link said so.
            assert.ok(note && note.trim().length > 10, `the switcher does not say it leads elsewhere (${from})`);
          } else {
            const backNote = await hiddenText(backLink);
            assert.ok(backNote && backNote.trim().length > 10, `${new URL(page.url()).pathname} leads back elsewhere without saying so`);
          }
        });
      });
    }
  }
});

// ---------------------------------------------------------------- b. languages × editions
describe('b. the language and edition switchers compose', { timeout: 300_000 }, () => {
  let fx, fxServer;
  before(async () => {
    playbookBin(import.meta.url);
    fx = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-bilingual-editions-'));
    const files = {
      'playbook.yaml': 'base_url: /\nlanguages:\n  - code: en\n    title: Coaching guide\n    description: A guide.\n' +
        '  - code: es\n    title: Guía de acompañamiento\n    description: Una guía.\nedition_label: 2026 edition\n' +
        'editions:\n  - name: "2025"\n    label: 2025 edition\n',
    };
    for (const [dir, year] of [['content', '2026'], ['versions/2025', '2025']]) {
      files[`${dir}/index.md`] = `---\ntitle: Home\n---\n\nThe ${year} edition.\n`;
      files[`${dir}/index.es.md`] = `---\ntitle: Inicio\n---\n\nLa edición ${year}.\n`;
      files[`${dir}/guide/_index.md`] = '---\ntitle: Field guide\nkind: book\n---\n\nA short guide.\n';
      files[`${dir}/guide/_index.es.md`] = '---\ntitle: Guía de campo\nslug: guia\n---\n\nUna guía breve.\n';
      files[`${dir}/guide/01-listening.md`] = `---\ntitle: Listening well\n---\n\nListen first (${year}).\n`;
      files[`${dir}/guide/01-listening.es.md`] = `---\ntitle: Escuchar bien\nslug: escuchar\n---\n\nPrimero, escucha (${year}).\n`;
    }
    writeFiles(path.join(fx, 'site'), files);
    buildSite(path.join(fx, 'site'), path.join(fx, 'out'), '/pd/');
    fxServer = await serve(path.join(fx, 'out'), '/pd/');
  });
  after(async () => {
    await fxServer?.close();
    if (fx) fs.rmSync(fx, { recursive: true, force: true });
  });

  test('Spanish 2025 → Spanish latest → English latest → English 2025 → Spanish 2025, the same page each time', T, async () => {
    await withCleanContext(browser, { viewport: LAPTOP, ignoreAborted: true }, async ({ newPage }) => {
      const page = await newPage();
      // Start on the Spanish page of the latest edition, reached from the Spanish home page.
      await page.goto(`${fxServer.url}es/`, { waitUntil: 'load' });
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main a', { hasText: 'Guía de campo' }).first().click()]);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('main a', { hasText: 'Escuchar bien' }).first().click()]);
      const hops = [];
      const where = async () => ({
        path: new URL(page.url()).pathname,
        lang: await page.evaluate(() => document.documentElement.lang),
        h1: (await page.locator('h1').textContent()).trim(),
        text: (await page.locator('main .prose').textContent()).trim(),
      });
      const go = async (sel, label) => {
        const link = page.locator(sel, { hasText: label });
        assert.equal(await link.count(), 1, `one link "${label}" (${sel}) on ${page.url()}`);
        await link.focus();
        const [r] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
        assert.equal(r.status(), 200, `HTTP status of ${page.url()}`);
        hops.push(await where());
      };
      hops.push(await where());
      await go('nav.edition-switcher li a', '2025 edition');
      await go('nav.edition-switcher li a', '2026 edition');
      await go('.language-switcher a:not([aria-current])', 'English');
      await go('nav.edition-switcher li a', '2025 edition');
      await go('.language-switcher a:not([aria-current])', 'Español');
      const shown = hops.map((h) => `${h.lang} ${h.path} "${h.h1}" ${h.text}`);
      assert.deepEqual(shown, [
        'es /pd/es/guia/escuchar/ "Escuchar bien" Primero, escucha (2026).',
        `es ${hops[1].path} "Escuchar bien" Primero, escucha (2025).`,
        'es /pd/es/guia/escuchar/ "Escuchar bien" Primero, escucha (2026).',
        'en /pd/guide/listening/ "Listening well" Listen first (2026).',
        `en ${hops[4].path} "Listening well" Listen first (2025).`,
        `es ${hops[1].path} "Escuchar bien" Primero, escucha (2025).`,
      ]);
      assert.match(hops[1].path, /2025/);
      assert.match(hops[4].path, /2025/);
      assert.doesNotMatch(hops[4].path, /\/es\//);
      await assertNoAxeViolations(page, 'the Spanish 2025 page');
    });
  });
});

// ---------------------------------------------------------------- c, d, f. Spanish pages of every kind
describe('c/d/f. Spanish pages of every kind: axe-core, DOM for the Nu checker, no English interface text', { timeout: 1_200_000 }, () => {
  for (const [kind, rel] of ES_KINDS) {
    test(`${kind} (${rel})`, T, async () => {
      for (const colorScheme of ['light', 'dark']) {
        await withPage(browser, url(rel), { viewport: LAPTOP, colorScheme }, async ({ page, log }) => {
          await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
          await assertNoAxeViolations(page, `${rel} (${colorScheme})`);
          if (colorScheme === 'light') {
            await keepDom(page, `es-${kind}`);
            assert.deepEqual(await englishOn(page), [], `English interface text on ${rel}`);
          }
          assertClean(log);
        });
      }
    });
  }
});

// The language a page's title is in: its heading's `lang` (a page shown untranslated), else the page's.
function titleOf(rel) {
  const file = path.join(SITE_DIR, rel, 'index.html');
  if (!fs.existsSync(file)) return null;
  const html = fs.readFileSync(file, 'utf8');
  const h1 = html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/)?.[1].replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').trim();
  const lang = html.match(/<h1\b[^>]*\blang="([^"]+)"/)?.[1] || html.match(/<html\b[^>]*\blang="([^"]+)"/)?.[1];
  return h1 ? { h1, lang } : null;
}

describe('b2. titles of pages not translated are marked with their language wherever they are linked', { timeout: 600_000 }, () => {
  for (const rel of [...new Set([FALLBACK_ES, ...ES_KINDS.values()])]) {
    test(`${rel}: every link named by its page's title has that title's language; the notice names the language in Spanish`, T, async () => {
      await withCleanContext(browser, { viewport: LAPTOP, ignoreAborted: true }, async ({ newPage }) => {
        const page = await newPage();
        await page.goto(url(rel), { waitUntil: 'load' });
        const links = await page.evaluate(() => [...document.querySelectorAll('body a[href]')]
          .filter((a) => !a.closest('.language-switcher'))
          .map((a) => ({ href: new URL(a.href).pathname, text: a.textContent.trim(), lang: a.closest('[lang]')?.getAttribute('lang') })));
        const wrong = [];
        let checked = 0;
        for (const l of links) {
          if (!l.href.startsWith(BASE)) continue;
          const target = titleOf(decodeURIComponent(l.href.slice(BASE.length)));
          if (!target || target.h1 !== l.text) continue;
          checked++;
          if (l.lang !== target.lang) wrong.push(`"${l.text}" → ${l.href}: marked ${l.lang}, its title is ${target.lang}`);
        }
        assert.ok(checked > 0, 'no link named by its page\'s title was found: the test would prove nothing');
        assert.deepEqual(wrong, [], `links whose text is in another language than they are marked`);
        const notice = await page.locator('.fallback-notice').textContent().catch(() => null);
        if (notice !== null) {
          assert.match(notice, /en inglés/, 'the fallback notice names English in Spanish');
          assert.doesNotMatch(notice, /English/, 'the fallback notice names English in English');
        }
      });
    });
  }
});

describe('c/d/e/f. Spanish pages in their interactive states; progress shared across languages', { timeout: 600_000 }, () => {
  test('a Spanish lesson: quiz answered, completed, drawer and contents open (375 px) — axe, Nu, no English; complete on the English page too', T, async () => {
    await withCleanContext(browser, { viewport: PHONE, ignoreAborted: true }, async ({ newPage }) => {
      const page = await newPage();
      await page.goto(url(LESSON_ES), { waitUntil: 'load' });
      await answerQuiz(page);
      await page.locator('.reflection textarea').first().fill('Una idea para el equipo.');
      await complete(page);
      assert.equal((await page.locator('#complete-toggle').textContent()).trim(), ES['progress.mark_not_complete']);
      await assertNoAxeViolations(page, 'Spanish lesson, quiz answered and completed');
      assert.deepEqual(await englishOn(page), [], 'English on the Spanish lesson after the quiz and completion');
      await keepDom(page, 'es-lesson-answered');
      const toggle = page.locator('.outline-toggle');
      if (await toggle.isVisible()) {
        await toggle.click();
        await assertNoAxeViolations(page, 'Spanish lesson, contents open');
      }
      await page.locator('#menu-button').click();
      await page.locator('#nav-drawer').waitFor({ state: 'visible' });
      await assertNoAxeViolations(page, 'Spanish lesson, drawer open');
      assert.deepEqual(await englishOn(page), [], 'English in the drawer');
      await keepDom(page, 'es-lesson-drawer');
      await page.keyboard.press('Escape');

      // The same lesson in English is complete, and its sidebar marks it.
      const en = await newPage();
      await en.goto(url(LESSON_EN), { waitUntil: 'load' });
      await poll(async () => ({ ok: (await en.locator('#complete-toggle').getAttribute('data-done')) === 'true' }), 5000);
      assert.equal(await en.locator('#complete-toggle').getAttribute('data-done'), 'true', 'the lesson completed in Spanish is not complete in English');
      const id = await en.locator('article').getAttribute('data-lesson');
      assert.ok(await en.locator(`.sidebar [data-lesson-id="${id}"] .done-mark`).count() > 0, 'the English sidebar does not mark it');
      // And back: a lesson completed in English is complete on its Spanish (fallback) page.
      await en.goto(url(FALLBACK_EN), { waitUntil: 'load' });
      await complete(en);
      await page.goto(url(FALLBACK_ES), { waitUntil: 'load' });
      await poll(async () => ({ ok: (await page.locator('#complete-toggle').getAttribute('data-done')) === 'true' }), 5000);
      assert.equal(await page.locator('#complete-toggle').getAttribute('data-done'), 'true', 'completed in English, not on the Spanish page');
      assert.deepEqual(await englishOn(page), [], `English interface text on the fallback page ${FALLBACK_ES}`);
      await assertNoAxeViolations(page, 'Spanish fallback lesson, completed');
      await keepDom(page, 'es-fallback-completed');
    });
  });

  test('My learning and the certificate in Spanish, for a course completed partly in each language', T, async () => {
    await withCleanContext(browser, { viewport: LAPTOP, ignoreAborted: true }, async ({ newPage }) => {
      const page = await newPage();
      const courses = JSON.parse(fs.readFileSync(path.join(SITE_DIR, 'es/courses.json'), 'utf8')).courses;
      const course = courses.find((c) => c.id === 'rccp-foundations');
      const lessons = course.modules.flatMap((m) => m.lessons);
      // Half the lessons in Spanish, half on the English pages.
      const enCourse = JSON.parse(fs.readFileSync(path.join(SITE_DIR, 'courses.json'), 'utf8')).courses.find((c) => c.id === course.id);
      const enUrls = Object.fromEntries(enCourse.modules.flatMap((m) => m.lessons).map((l) => [l.id, l.url]));
      for (const [i, l] of lessons.entries()) {
        await page.goto(new URL(server.url).origin + (i % 2 ? enUrls[l.id] : l.url), { waitUntil: 'load' });
        await complete(page);
      }
      await page.goto(url('es/my-learning/'), { waitUntil: 'load' });
      await page.locator('#my-courses li, #my-courses .my-course').first().waitFor();
      const mine = (await page.locator('#my-courses').innerText()).replace(/\s+/g, ' ');
      assert.match(mine, new RegExp(`${lessons.length} de ${lessons.length} lecciones completadas`), `My learning in Spanish: ${mine}`);
      assert.deepEqual(await englishOn(page), [], 'English on My learning in Spanish');
      await assertNoAxeViolations(page, 'Mi aprendizaje with a completed course');
      await keepDom(page, 'es-my-learning');

      await page.goto(new URL(server.url).origin + course.certificate, { waitUntil: 'load' });
      await page.locator('#certificate-name-form').waitFor({ state: 'visible' });
      await page.locator('#certificate-name').fill('Ana Pérez');
      await page.locator('#certificate').waitFor({ state: 'visible' });
      await poll(async () => ({ ok: /Ana Pérez/.test(await page.locator('#certificate').innerText()) }), 3000);
      const cert = (await page.locator('#certificate').innerText()).replace(/\s+/g, ' ');
      assert.match(cert, /Ana Pérez/);
      assert.match(cert, new RegExp(course.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the course\'s Spanish title');
      assert.deepEqual(await englishOn(page), [], 'English on the Spanish certificate');
      assert.match(await page.evaluate(() => document.documentElement.lang), /^es/);
      await assertNoAxeViolations(page, 'the Spanish certificate');
      await keepDom(page, 'es-certificate');
    });
  });
});

// ---------------------------------------------------------------- d. Nu checker on the DOM
test('d. Nu HTML Checker: no errors in the Spanish pages as their scripts left them (states included)', T, (t) => {
  const files = fs.readdirSync(snapshots);
  assert.ok(files.length >= ES_KINDS.size, `only ${files.length} pages were kept (did the tests above run?)`);
  const run = spawnSync('java', ['-jar', VNU, '--format', 'json', '--skip-non-html', snapshots], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(run.error, undefined, `could not run java: ${run.error}`);
  const { messages } = JSON.parse(run.stderr);
  const errors = messages.filter((m) => m.type === 'error' || m.type === 'non-document-error');
  t.diagnostic(`${files.length} DOM snapshots checked, ${errors.length} errors`);
  assert.deepEqual(errors.map((m) => `${path.basename(decodeURIComponent(m.url || ''))}:${m.lastLine}: ${m.message} | ${(m.extract || '').replace(/\s+/g, ' ').trim().slice(0, 200)}`), []);
});
