// Teaching blocks in headless Chromium (issue 13), on a small course built for the test and on
// the default site:
//   a. exercises: solutions and hints collapsed by default, opened with the keyboard, their state
//      in the accessibility tree; "Show all solutions" opens and closes every one, saying which;
//   b. tab sets: the ARIA tabs pattern by keyboard (arrows, Home, End, one Tab stop), the choice
//      remembered on another page and after a reload;
//   c. video: the captions track loads, chapters seek, the transcript is found by search;
//   d. `complete_on: watch`: a seek to the end completes nothing; playing 90% completes the lesson;
//   e. facilitator notes are on no learner page (fixture and default site);
// with axe-core at 375 and 1280 px, light and dark, blocks closed and open.
// env: SITE_DIR (the built default site), BASE_PATH (its sub-path), PLAYBOOK_BIN.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import {
  REPO, assertClean, assertNoAxeViolations, basePathFromEnv, buildSite, launchBrowser, playbookBin, poll, siteDirFromEnv,
  withCleanContext, writeFiles,
} from './lib/harness.mjs';

playbookBin(import.meta.url);
const SITE_DIR = siteDirFromEnv();
const BASE = basePathFromEnv();
const PHONE = { width: 375, height: 740 };
const LAPTOP = { width: 1280, height: 800 };
const T = { timeout: 180_000 };
const MARKER = 'FACILITATOR-ONLY-MARKER-7731';
const TRANSCRIPT_WORD = 'quetzalcoatlus';
const MEDIA = path.join(REPO, 'content/courses/rccp-foundations/04-class-and-power/media');

const lesson = (id, title, body) =>
  `---\ntitle: ${title}\nid: ${id}\nduration_minutes: 10\nobjectives:\n  - Try the blocks.\n---\n\n${body}\n`;
const TABS = '::::: tabs\n:::: tab Windows\nOpen the Start menu and type *Terminal*.\n::::\n:::: tab macOS\nOpen Spotlight and type *Terminal*.\n::::\n' +
  ':::: tab Linux\nPress Ctrl+Alt+T.\n::::\n:::::\n';

function fixture() {
  const f = {
    'playbook.yaml': 'title: Blocks test site\nbase_url: /\nlanguage: en\n',
    'content/index.md': '---\ntitle: Home\n---\n\nWelcome.\n',
    'content/courses/_index.md': '---\ntitle: Courses\nkind: section\n---\n\nOur courses.\n',
    'content/courses/watch/_index.md': '---\ntitle: Terminal basics\nkind: course\nid: watch\ncomplete_on: watch\n---\n\nA short course.\n',
    'content/courses/watch/01-start/_index.md': '---\ntitle: Getting started\nid: start\n---\n\nThe start.\n',
    'content/courses/watch/01-start/01-setup.md': lesson('setup', 'Setting up',
      `## Open a terminal\n\n${TABS}\n## Practice\n\n::: exercise Find your home folder\nType \`pwd\` and read the answer.\n\n::: hint\nIt starts with a slash.\n:::\n\n` +
      '::: solution\nThe folder you are in, e.g. `/home/ana`.\n:::\n:::\n\n::: exercise List the files\nType `ls`.\n\n::: solution\nThe names of the files in the folder.\n:::\n:::\n\n' +
      `::: facilitator\nAsk who has used a terminal before. ${MARKER}\n:::\n\nThe end of the lesson.\n`),
    'content/courses/watch/01-start/02-video.md': lesson('video', 'The cycle on video',
      `## Watch\n\n::: video media/roci.webm\n:captions: media/roci.en.vtt\n:poster: media/roci-poster.png\n:chapters: media/roci.chapters.vtt\n\n` +
      `The cycle, said in the video: learn, plan, act, reflect, adjust. ${TRANSCRIPT_WORD}.\n:::\n\n## Open a terminal again\n\n${TABS}`),
  };
  return f;
}

let tmp, server, browser, origin;
before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-blocks-'));
  const root = path.join(tmp, 'site');
  writeFiles(root, fixture());
  const media = path.join(root, 'content/courses/watch/01-start/media');
  fs.mkdirSync(media, { recursive: true });
  for (const f of ['roci.webm', 'roci.en.vtt', 'roci-poster.png', 'roci.chapters.vtt']) fs.copyFileSync(path.join(MEDIA, f), path.join(media, f));
  buildSite(root, path.join(tmp, 'out'), '/b/');
  server = await serve(path.join(tmp, 'out'), '/b/');
  origin = new URL(server.url).origin;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});
const SETUP = 'courses/watch/start/setup/';
const VIDEO = 'courses/watch/start/video/';

async function withFixturePage(rel, opts, fn) {
  return withCleanContext(browser, { ignoreAborted: true, ...opts }, async ({ newPage, log }) => {
    const page = await newPage();
    await page.goto(server.url + rel, { waitUntil: 'load' });
    return fn({ page, log, newPage });
  });
}

// The accessibility tree's view of a node (Chromium's own, over CDP): { role, name, expanded }.
async function axNode(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const n = nodes.find((x) => !x.ignored) ?? nodes[0];
    const prop = (name) => n.properties?.find((p) => p.name === name)?.value?.value;
    return { role: n.role?.value, name: n.name?.value, expanded: prop('expanded') };
  } finally {
    await cdp.detach();
  }
}

// ---------------------------------------------------------------- a. solutions
describe('a. exercises: solutions and hints', T, () => {
  test('collapsed by default; Tab and Enter open one; the tree says collapsed, then expanded', T, async () => {
    await withFixturePage(SETUP, { viewport: LAPTOP }, async ({ page }) => {
      const solutions = page.locator('details.solution');
      assert.equal(await solutions.count(), 2);
      assert.deepEqual(await solutions.evaluateAll((ds) => ds.map((d) => d.open)), [false, false], 'solutions open at first');
      assert.equal(await page.locator('details.hint').evaluate((d) => d.open), false, 'the hint is open at first');
      assert.ok(!(await page.locator('details.solution').first().locator('p').first().isVisible()), 'a solution\'s text shows');
      const first = 'details.solution summary';
      assert.deepEqual(await axNode(page, first), { ...(await axNode(page, first)), expanded: false }, 'collapsed in the tree');
      let reached = false;
      for (let i = 0; i < 80 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.matches('details.solution summary'));
      }
      assert.ok(reached, 'Tab never reaches the first solution');
      await page.keyboard.press('Enter');
      assert.equal(await solutions.first().evaluate((d) => d.open), true, 'Enter does not open the solution');
      assert.equal((await axNode(page, first)).expanded, true, 'the tree does not say it is expanded');
      assert.ok(await solutions.first().locator('code').isVisible());
      await page.keyboard.press(' ');
      assert.equal(await solutions.first().evaluate((d) => d.open), false, 'Space does not close it');
    });
  });

  test('"Show all solutions" opens every solution, then says "Hide all solutions" and closes them', T, async () => {
    await withFixturePage(SETUP, { viewport: PHONE }, async ({ page, log }) => {
      const button = page.locator('#toggle-solutions');
      await button.waitFor({ state: 'visible' });
      assert.equal((await button.textContent()).trim(), 'Show all solutions');
      await button.focus();
      await page.keyboard.press('Enter');
      assert.deepEqual(await page.locator('details.solution').evaluateAll((ds) => ds.map((d) => d.open)), [true, true]);
      assert.equal((await button.textContent()).trim(), 'Hide all solutions');
      await page.keyboard.press('Enter');
      assert.deepEqual(await page.locator('details.solution').evaluateAll((ds) => ds.map((d) => d.open)), [false, false]);
      assert.equal((await button.textContent()).trim(), 'Show all solutions');
      // Opening every solution one by one says so too.
      for (const s of await page.locator('details.solution summary').all()) await s.click();
      // The label follows each details' `toggle` event, which the browser fires in a task of
      // its own after the click: wait for it (a busy machine fires it later).
      await page.waitForFunction(() => document.getElementById('toggle-solutions').textContent.trim() === 'Hide all solutions', null, { timeout: 5000 }).catch(() => {});
      assert.equal((await button.textContent()).trim(), 'Hide all solutions');
      assertClean(log);
    });
  });

  for (const [width, viewport] of [[375, PHONE], [1280, LAPTOP]]) {
    for (const colorScheme of ['light', 'dark']) {
      test(`axe-core with every block closed, then open (${width} px, ${colorScheme})`, T, async () => {
        await withFixturePage(SETUP, { viewport, colorScheme }, async ({ page }) => {
          await assertNoAxeViolations(page, `blocks closed (${width} px, ${colorScheme})`);
          await page.locator('details').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
          await assertNoAxeViolations(page, `blocks open (${width} px, ${colorScheme})`);
        });
        await withFixturePage(VIDEO, { viewport, colorScheme }, async ({ page }) => {
          await page.locator('details').evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
          await assertNoAxeViolations(page, `the video lesson, transcript open (${width} px, ${colorScheme})`);
        });
      });
    }
  }
});

// ---------------------------------------------------------------- b. tabs
describe('b. tab sets', T, () => {
  test('arrows, Home and End by keyboard, one Tab stop; the choice is remembered on another page and after a reload', T, async () => {
    await withFixturePage(SETUP, { viewport: LAPTOP }, async ({ page, log }) => {
      const tabs = page.locator('[role="tablist"] [role="tab"]');
      assert.deepEqual(await tabs.allTextContents(), ['Windows', 'macOS', 'Linux']);
      const state = () => page.evaluate(() => ({
        selected: [...document.querySelectorAll('[role="tab"]')].map((t) => t.getAttribute('aria-selected')),
        stops: [...document.querySelectorAll('[role="tab"]')].map((t) => t.tabIndex),
        shown: [...document.querySelectorAll('[role="tabpanel"]')].map((p) => !p.hidden && p.getClientRects().length > 0),
        focus: document.activeElement?.getAttribute('role') === 'tab' ? document.activeElement.textContent.trim() : null,
      }));
      assert.deepEqual(await state(), { selected: ['true', 'false', 'false'], stops: [0, -1, -1], shown: [true, false, false], focus: null });
      let reached = false;
      for (let i = 0; i < 60 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.getAttribute('role') === 'tab');
      }
      assert.ok(reached, 'Tab never reaches the tabs');
      await page.keyboard.press('ArrowRight');
      assert.deepEqual(await state(), { selected: ['false', 'true', 'false'], stops: [-1, 0, -1], shown: [false, true, false], focus: 'macOS' });
      await page.keyboard.press('End');
      assert.equal((await state()).focus, 'Linux');
      await page.keyboard.press('ArrowRight');
      assert.equal((await state()).focus, 'Windows', 'ArrowRight on the last tab goes to the first');
      await page.keyboard.press('ArrowLeft');
      assert.equal((await state()).focus, 'Linux', 'ArrowLeft on the first tab goes to the last');
      await page.keyboard.press('Home');
      assert.equal((await state()).focus, 'Windows');
      await page.keyboard.press('ArrowRight');
      // Tab from the selected tab goes into its panel, not to the other tabs.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'tabpanel');
      assert.match(await page.locator('[role="tabpanel"]:not([hidden])').textContent(), /Spotlight/);
      await assertNoAxeViolations(page, 'tabs, macOS chosen');

      // Another page with the same tabs shows macOS; so does this one after a reload.
      await page.goto(server.url + VIDEO, { waitUntil: 'load' });
      assert.equal(await page.locator('[role="tab"][aria-selected="true"]').textContent(), 'macOS', 'the choice is not remembered on another page');
      await page.goto(server.url + SETUP, { waitUntil: 'load' });
      assert.equal(await page.locator('[role="tab"][aria-selected="true"]').textContent(), 'macOS', 'the choice is not remembered after a reload');
      assertClean(log);
    });
  });

  test('without scripts, every tab reads as a section with its heading', T, async () => {
    await withFixturePage(SETUP, { viewport: LAPTOP, javaScriptEnabled: false }, async ({ page }) => {
      assert.equal(await page.locator('[role="tab"]').count(), 0);
      for (const words of ['Start menu', 'Spotlight', 'Ctrl+Alt+T']) assert.ok(await page.getByText(words).isVisible(), `${words} is hidden without scripts`);
    });
  });
});

// ---------------------------------------------------------------- c, d. video
describe('c/d. video, captions, transcript and complete_on: watch', T, () => {
  test('the captions track loads; a chapter seeks; the transcript is found by search', T, async () => {
    await withFixturePage(VIDEO, { viewport: LAPTOP }, async ({ page, log }) => {
      const video = page.locator('video[data-media]');
      assert.equal(await video.getAttribute('controls'), '');
      const track = await page.evaluate(async () => {
        const v = document.querySelector('video[data-media]');
        const el = v.querySelector('track[kind="captions"]');
        el.track.mode = 'showing';
        for (let i = 0; i < 100 && el.readyState !== 2; i++) await new Promise((r) => setTimeout(r, 50));
        return { ready: el.readyState, cues: el.track.cues?.length ?? 0, first: el.track.cues?.[0]?.text, lang: el.srclang };
      });
      assert.deepEqual(track, { ready: 2, cues: 6, first: 'The Results-Oriented Cycle of Inquiry\nis how adults learn a new practice.', lang: 'en' });
      const chapter = page.locator('[data-seek]').nth(1);
      const to = Number(await chapter.getAttribute('data-seek'));
      await video.evaluate((v) => { v.muted = true; });
      await chapter.click();
      // It seeks to the chapter's start and plays from there.
      const at = await video.evaluate((v) => { v.pause(); return v.currentTime; });
      assert.ok(at >= to - 0.1 && at < to + 3, `the chapter button does not seek to ${to} s: the video is at ${at} s`);
      assert.match(await page.locator('details.transcript').textContent(), new RegExp(TRANSCRIPT_WORD));
      // Search finds the lesson by a word said only in its transcript.
      await page.goto(`${server.url}search/?q=${TRANSCRIPT_WORD}`, { waitUntil: 'load' });
      await page.locator('.search-results a').first().waitFor();
      assert.deepEqual(await page.locator('.search-results a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname)).then((ps) => ps.filter((p) => p.endsWith(VIDEO))), [`/b/${VIDEO}`]);
      assertClean(log);
    });
  });

  test('a seek to the end completes nothing; playing 90% of the video completes the lesson', T, async () => {
    await withFixturePage(VIDEO, { viewport: LAPTOP }, async ({ page, log }) => {
      const toggle = page.locator('#complete-toggle');
      await page.locator('.lesson-rule').waitFor();
      assert.match(await page.locator('.lesson-rule').textContent(), /watch/i);
      const video = page.locator('video[data-media]');
      const seen = await video.evaluate(async (v) => {
        if (!(v.readyState >= 1)) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
        const events = [];
        for (const e of ['seeking', 'seeked', 'playing', 'timeupdate', 'pause', 'ended', 'durationchange']) v.addEventListener(e, () => events.push(`${e}@${v.currentTime.toFixed(2)}/${v.duration}`));
        v.muted = true;
        v.currentTime = v.duration - 0.3;
        await new Promise((r) => v.addEventListener('seeked', r, { once: true }));
        const ended = new Promise((r) => v.addEventListener('ended', r, { once: true }));
        await v.play();
        await ended;
        return events.join(' ');
      });
      assert.equal(await toggle.getAttribute('data-done'), 'false', `skipping to the end completed the lesson: ${seen}`);
      const duration = await video.evaluate(async (v) => {
        v.currentTime = 0;
        v.playbackRate = 4;
        await v.play();
        await new Promise((r) => v.addEventListener('ended', r, { once: true }));
        return v.duration;
      });
      assert.ok(duration > 5, `the video is ${duration} s`);
      await poll(async () => ({ ok: (await toggle.getAttribute('data-done')) === 'true' }), 5000);
      assert.equal(await toggle.getAttribute('data-done'), 'true', 'watching the whole video did not complete the lesson');
      assert.match(await page.locator('#progress-announce').textContent(), /you watched the video/);
      assertClean(log);
    });
  });
});

// ---------------------------------------------------------------- e. facilitator notes
describe('e. facilitator notes are not on learner pages', T, () => {
  test('the fixture: the marker is in no page, the lesson shows no facilitator block', T, async () => {
    const out = path.join(tmp, 'out');
    const hits = [];
    const walk = (d) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (fs.readFileSync(p).includes(MARKER)) hits.push(path.relative(out, p));
      }
    };
    walk(out);
    assert.deepEqual(hits, [], 'files of the learner site holding the facilitator marker');
    await withFixturePage(SETUP, { viewport: LAPTOP }, async ({ page }) => {
      assert.doesNotMatch(await page.locator('body').innerText(), new RegExp(MARKER));
      assert.equal(await page.locator('.facilitator, [data-audience="facilitator"]').count(), 0);
    });
  });

  test('the default site: the facilitator note of "Disrupting inequity" is not on its page, in either language', T, async () => {
    const s = await serve(SITE_DIR, BASE);
    try {
      await withCleanContext(browser, { viewport: LAPTOP, ignoreAborted: true }, async ({ newPage }) => {
        const page = await newPage();
        for (const rel of ['courses/rccp-foundations/class-and-power/disrupting-inequity/', 'es/cursos/fundamentos-rccp/clase-social-y-poder/desarmar-la-desigualdad/']) {
          await page.goto(s.url + rel, { waitUntil: 'load' });
          const body = await page.locator('body').innerText();
          assert.doesNotMatch(body, /rehearse the interrupting phrases|realistic comment written on a card|frases para interrumpir dos veces|escrito en una tarjeta/, `a facilitator note on ${rel}`);
          assert.ok(body.length > 1000, `${rel} has its text`);
        }
      });
    } finally {
      await s.close();
    }
  });
});
