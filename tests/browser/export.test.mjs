// Browser tests of `playbook export`: the site read from a zip unpacked on disk (file://), and a
// course's SCORM 1.2 package run by a real LMS-side runtime (scorm-again) in headless Chromium.
// env: PLAYBOOK_BIN (the playbook binary; tests/run.sh passes the debug build),
//      SCREENSHOT_DIR (optional: PNGs of the file:// site and the SCORM launch page at 375 and
//      1280 px, for people to look at).
// The default site (the repository's content/) is exported; nothing is written outside a
// temporary folder.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from './lib/serve.mjs';
import { unzip } from './lib/unzip.mjs';
import { REPO, assertClean, assertNoAxeViolations, launchBrowser, openPage, playbookBin, runPlaybook, shoot } from './lib/harness.mjs';
import { decodeSuspend } from '../../themes/default/static/scorm.js';

const SCORM_AGAIN = path.join(REPO, 'tests/browser/node_modules/scorm-again/dist/scorm12.js');
const FROM_DISK = "Search needs the site to be served over the web; it can't work from files on disk.";
const COURSE = 'rccp-foundations';

playbookBin(import.meta.url);

let browser, tmp;

function playbook(...args) {
  const r = runPlaybook([...args, '--quiet', '--root', REPO]);
  assert.equal(r.status, 0, `playbook ${args.join(' ')} failed:\n${r.stderr}`);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-export-'));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// A fresh context and page (openPage) that record console errors, page errors, failed requests,
// and any request that is neither a file nor to 127.0.0.1 (aborted); nothing is ignored, not
// even a 404 for the server's /favicon.ico: { context, page, log }.
const open = () => openPage(browser, { allowFiles: true, ignoreRootFavicon: false });

// axe-core without preload: axe would fetch the stylesheets, which a page read from disk cannot.
const axe = (page) => assertNoAxeViolations(page, 'on the page', { preload: false });

// ---------------------------------------------------------------- the site from a zip on disk
describe('the site exported as a zip, opened from disk', () => {
  let dir;
  before(() => {
    playbook('export', 'zip', '-o', path.join(tmp, 'site.zip'));
    dir = path.join(tmp, 'site');
    unzip(path.join(tmp, 'site.zip'), dir);
  });

  test('a reader clicks from home to a chapter, a course and a lesson, and completes it', async () => {
    const { context, page, log } = await open();
    try {
      await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
      await shoot(page, 'zip-home');
      await page.locator('.site-nav a', { hasText: 'Playbook' }).first().click();
      await page.waitForLoadState('load');
      assert.match(page.url(), /^file:\/\/.*\/playbook\/index\.html$/);
      await page.locator('main .listing a').first().click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('body').getAttribute('data-page-kind'), 'chapter');
      assert.ok(await page.locator('main h1').isVisible());
      await page.locator('.site-nav a', { hasText: 'Courses' }).click();
      await page.waitForLoadState('load');
      await page.locator('main .listing a').first().click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('body').getAttribute('data-page-kind'), 'course');
      await page.locator('#start-link').click();
      await page.waitForLoadState('load');
      assert.equal(await page.locator('body').getAttribute('data-page-kind'), 'course-lesson');
      await shoot(page, 'zip-lesson');
      const lesson = await page.locator('article').getAttribute('data-lesson');
      await page.locator('#complete-toggle').click();
      assert.equal(await page.locator('#complete-toggle').getAttribute('data-done'), 'true');
      assert.ok(await page.locator('#complete-state').isVisible(), 'the lesson shows it is complete');
      // Progress is kept under the key of the site's base path, wherever the folder is.
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('playbook-progress:/')));
      assert.equal(stored.courses[COURSE].lessons[lesson].done, true);
      await page.locator('.breadcrumbs a', { hasText: 'RCCP' }).click();
      await page.waitForLoadState('load');
      await page.waitForFunction(() => /^1 of \d+ lessons complete/.test(document.getElementById('course-progress-text').textContent));
      assert.equal(await page.locator(`li[data-lesson-id="${lesson}"] .done-mark`).count(), 1, 'the course shows the lesson as completed');
      // My learning reads the course list from courses.js, not by fetching courses.json.
      await page.locator('.footer-nav a', { hasText: 'My learning' }).click();
      await page.waitForLoadState('load');
      await page.locator('.my-course a').first().waitFor();
      const continueHref = await page.locator('.my-course a.button').getAttribute('href');
      assert.match(continueHref, /^file:\/\/.*index\.html$/, 'continue links work from disk');
      await page.locator('.my-course a.button').click();
      await page.waitForLoadState('load');
      // The lesson opened last is complete: Continue leads on to the next one (issue 15.9).
      assert.notEqual(await page.locator('article').getAttribute('data-lesson'), lesson, 'Continue reopened the completed lesson');
      assert.equal(await page.locator('#complete-toggle').getAttribute('data-done'), 'false');
      // The theme toggle works and is remembered from disk too.
      await page.locator('#theme-toggle').click();
      await page.reload();
      assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
      assertClean(log);
    } finally {
      await context.close();
    }
  });

  test('search says it cannot work from disk, in the box and on its page', async () => {
    const { context, page, log } = await open();
    try {
      await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
      await page.locator('#search-input').fill('identity');
      await page.locator('#search-listbox .search-unavailable').waitFor();
      assert.equal(await page.locator('#search-listbox').textContent(), FROM_DISK);
      await shoot(page, 'zip-search');
      await page.locator('#search-input').press('Enter');
      await page.waitForLoadState('load');
      assert.match(page.url(), /search\/index\.html\?q=identity$/);
      await page.waitForFunction((t) => document.getElementById('search-status').textContent === t, FROM_DISK);
      await axe(page);
      assertClean(log);
    } finally {
      await context.close();
    }
  });
});

// ---------------------------------------------------------------- the SCORM package in an LMS
describe('the SCORM 1.2 package of a course', () => {
  let server, pkg, lessons;
  before(async () => {
    playbook('export', 'scorm', COURSE, '-o', path.join(tmp, 'course.zip'));
    const lms = path.join(tmp, 'lms');
    pkg = path.join(lms, 'pkg');
    unzip(path.join(tmp, 'course.zip'), pkg);
    fs.copyFileSync(SCORM_AGAIN, path.join(lms, 'scorm12.js'));
    // The LMS's page: scorm-again's runtime, and the package launched in an iframe by the test.
    fs.writeFileSync(path.join(lms, 'host.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS</title><script src="scorm12.js"></script></head><body><main><iframe id="sco" title="Course" style="width:100%;height:90vh"></iframe></main></body></html>');
    lessons = [...fs.readFileSync(path.join(pkg, 'index.html'), 'utf8').matchAll(/data-lesson-id="([^"]+)"/g)].map((m) => m[1]);
    server = await serve(lms, '/lms/');
  });
  after(async () => { await server?.close(); });

  // Opens the LMS page with a fresh runtime (loaded with `saved` cmi data, as an LMS does on a
  // relaunch) and launches the package; commits are recorded in window.commits.
  async function launch(saved) {
    const session = await open();
    await session.page.goto(server.url + 'host.html');
    await session.page.evaluate((saved) => {
      window.API = new window.Scorm12API({ autocommit: false, logLevel: 5 });
      if (saved) window.API.loadFromJSON(saved);
      window.commits = [];
      window.calls = [];
      // Write-only elements (exit, session_time) are seen as the SCO sets them.
      window.sets = {};
      window.API.on('LMSSetValue.cmi.*', (element, value) => { window.sets[element] = value; });
      for (const f of ['LMSInitialize', 'LMSFinish']) window.API.on(f, () => window.calls.push(f));
      window.API.on('LMSCommit', () => window.commits.push({ status: window.API.cmi.core.lesson_status, suspend: window.API.cmi.suspend_data, location: window.API.cmi.core.lesson_location }));
      document.getElementById('sco').src = 'pkg/index.html';
    }, saved);
    const sco = session.page.frameLocator('#sco');
    const course = sco.frameLocator('#scorm-frame');
    return { ...session, sco, course };
  }

  const cmi = (page) => page.evaluate(() => {
    const c = window.API.cmi;
    return {
      status: c.core.lesson_status, location: c.core.lesson_location, exit: window.sets['cmi.core.exit'],
      raw: c.core.score.raw, min: c.core.score.min, max: c.core.score.max,
      suspend: c.suspend_data, session: window.sets['cmi.core.session_time'], calls: window.calls, commits: window.commits,
    };
  });

  async function passQuiz(course) {
    const form = course.locator('form.quiz').first();
    for (const input of await form.locator('input[data-correct]').all()) await input.check();
    await form.locator('button[type="submit"]').click();
    await course.locator('.quiz-result').first().filter({ hasText: 'That passes' }).waitFor();
  }

  test('progress goes to the LMS, survives a relaunch, and completes the course', async () => {
    const first = await launch(null);
    let saved;
    try {
      // No bookmark yet: the course page; start, complete lesson 1, pass lesson 2's quiz.
      await first.course.locator('#start-link').click();
      await first.course.locator(`article[data-lesson="${lessons[0]}"]`).waitFor();
      await first.course.locator('#complete-toggle').click();
      await first.course.locator('a[rel="next"]').click();
      await first.course.locator(`article[data-lesson="${lessons[1]}"]`).waitFor();
      await passQuiz(first.course);
      let c = await cmi(first.page);
      assert.deepEqual(c.calls, ['LMSInitialize'], 'initialized once, not finished yet');
      assert.equal(c.status, 'incomplete');
      assert.equal(c.location, lessons[1], 'the bookmark is the last lesson opened');
      assert.equal(c.raw, String(Math.round(100 / lessons.length)), 'mean of the best scores, untried checks count 0');
      assert.equal(c.min, '0');
      assert.equal(c.max, '100');
      const decoded = decodeSuspend(c.suspend, lessons);
      assert.deepEqual([...decoded.done], [lessons[0]]);
      assert.deepEqual([...decoded.quiz], [[lessons[1], { best: 100, passed: true }]]);
      assert.ok(c.commits.some((k) => k.suspend === c.suspend && k.location === lessons[1]), 'the change was committed');
      // Nothing went to this browser's storage: the LMS's record is the only one.
      assert.equal(await first.course.locator('body').evaluate(() => localStorage.getItem('playbook-progress:/')), null);
      await shoot(first.page, 'scorm-lms');
      // The learner closes the course: LMSFinish once, with the session time and exit=suspend.
      await first.page.evaluate(() => { document.getElementById('sco').src = 'about:blank'; });
      await first.page.waitForFunction(() => window.calls.includes('LMSFinish'));
      c = await cmi(first.page);
      assert.deepEqual(c.calls, ['LMSInitialize', 'LMSFinish']);
      assert.match(c.session, /^\d{4}:\d{2}:\d{2}(\.\d{1,2})?$/);
      assert.equal(c.exit, 'suspend');
      saved = { core: { lesson_status: c.status, lesson_location: c.location, entry: 'resume', score: { raw: c.raw, min: c.min, max: c.max } }, suspend_data: c.suspend };
      assertClean(first.log);
    } finally {
      await first.context.close();
    }

    // A relaunch in a new browser profile: the LMS's record is all there is.
    const again = await launch(saved);
    try {
      await again.course.locator(`article[data-lesson="${lessons[1]}"]`).waitFor();
      // Lesson 1 shows as completed, in the course's list beside the lesson.
      await again.course.locator(`[data-lesson-id="${lessons[0]}"] .done-mark`).first().waitFor();
      assert.equal(await again.course.locator('#complete-toggle').getAttribute('data-done'), 'false');
      // Complete every lesson, from the bookmark on, then lesson 1 stays done.
      await again.course.locator('#complete-toggle').click();
      for (let i = 2; i < lessons.length; i++) {
        await again.course.locator('a[rel="next"]').click();
        await again.course.locator(`article[data-lesson="${lessons[i]}"]`).waitFor();
        await again.course.locator('#complete-toggle').click();
        await again.course.locator('#complete-toggle[data-done="true"]').waitFor();
      }
      const c = await cmi(again.page);
      assert.equal(c.status, 'completed');
      assert.equal(c.exit, '');
      assert.equal(c.location, lessons.at(-1));
      assert.equal(decodeSuspend(c.suspend, lessons).done.size, lessons.length);
      assert.ok(c.suspend.length <= 4096);
      assertClean(again.log);
    } finally {
      await again.context.close();
    }
  });

  // Issue 15.12: inside the LMS the course page shows its module bars and check marks (no
  // TypeError for the certificate link the package does not have), offers no reset (the LMS's
  // record wins), and reflections do not claim to stay in this browser.
  test('inside the LMS: the course page\'s bars and check marks, no reset, reflections kept for the session', async () => {
    const lms = await launch(null);
    try {
      await lms.course.locator('#start-link').click();
      await lms.course.locator(`article[data-lesson="${lessons[0]}"]`).waitFor();
      const note = await lms.course.locator('.reflection-note').first().textContent();
      assert.match(note, /kept only while this course is open/, 'the reflection note inside an LMS');
      assert.doesNotMatch(note, /stays in this browser/);
      await lms.course.locator('.reflection textarea').first().fill('A thought.');
      await lms.course.locator('.reflection-note', { hasText: 'Kept for this session' }).first().waitFor();
      await lms.course.locator('#complete-toggle').click();
      await lms.course.locator('#complete-toggle[data-done="true"]').waitFor();
      await lms.course.locator('#lesson-progress a', { hasText: 'Back to the course' }).click();
      await lms.course.locator('article.course').waitFor();
      await lms.course.locator(`.modules [data-lesson-id="${lessons[0]}"] .done-mark`).waitFor();
      const bars = await lms.course.locator('.module .module-progress').evaluateAll((bs) => bs.map((b) => ({ hidden: b.hidden, value: b.value, visible: b.checkVisibility() })));
      assert.ok(bars.length >= 2, 'module bars');
      assert.ok(bars.every((b) => !b.hidden && b.visible), `module bars hidden: ${JSON.stringify(bars)}`);
      assert.equal(bars[0].value, 1, 'the first module\'s bar counts the completed lesson');
      assert.deepEqual(await lms.course.locator('.modules .done-mark').evaluateAll((ms) => ms.map((m) => m.closest('[data-lesson-id]').dataset.lessonId)), [lessons[0]]);
      assert.match(await lms.course.locator('#course-progress-text').textContent(), new RegExp(`^1 of ${lessons.length} lessons complete`));
      assert.equal(await lms.course.locator('#reset-course').count(), 0, 'a reset is offered inside the LMS');
      assert.equal(await lms.course.locator('#start-link').getAttribute('data-state'), 'continue');
      assertClean(lms.log);
    } finally {
      await lms.context.close();
    }
  });

  test('without an LMS the package keeps progress in the browser', async () => {
    const { context, page, log } = await open();
    try {
      await page.goto(server.url + 'pkg/index.html');
      assert.match(await page.locator('#scorm-status').textContent(), /kept in this browser/);
      const course = page.frameLocator('#scorm-frame');
      await course.locator('#start-link').click();
      await course.locator(`article[data-lesson="${lessons[0]}"]`).waitFor();
      await course.locator('#complete-toggle').click();
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('playbook-progress:/')));
      assert.equal(stored.courses[COURSE].lessons[lessons[0]].done, true);
      await shoot(page, 'scorm-no-lms');
      await axe(page);
      assertClean(log);
    } finally {
      await context.close();
    }
  });

  test('links never leave the package and the search box is gone', async () => {
    const { context, page, log } = await open();
    try {
      await page.goto(server.url + 'pkg/index.html');
      const course = page.frameLocator('#scorm-frame');
      await course.locator('#start-link').waitFor();
      const hrefs = await course.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
      const root = server.url + 'pkg/';
      for (const h of hrefs) if (!h.includes('#') || !h.startsWith(root)) assert.ok(h.startsWith(root) && fs.existsSync(path.join(pkg, decodeURIComponent(new URL(h).pathname.slice('/lms/pkg/'.length)))), `${h} stays in the package`);
      assert.equal(await course.locator('#site-search').count(), 0);
      assertClean(log);
    } finally {
      await context.close();
    }
  });
});
