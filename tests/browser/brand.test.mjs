// A district's brand in headless Chromium (Playwright + axe-core), on a fixture site this file
// builds with a custom `brand` in playbook.yaml: organisation, logo, accent colours (light and
// dark, both passing the build's AA check but not the theme's own), contact and footer links.
// env: PLAYBOOK_BIN (the playbook binary; required).
//      FIXTURE_OVERLAY (optional): a folder copied over the fixture site before it is built, e.g.
//      one holding themes/default/static/style.css with a planted fault, to see the tests fail.
// Checks:
//   a. home, a chapter, a lesson and a course lesson (with a knowledge check, a reflection and a
//      callout), in the light and the dark colour scheme: the brand's colours are the ones in use
//      (computed colour of a link), the logo, contact and footer links are there, and axe-core
//      (WCAG 2.0–2.2 A/AA) finds no violation; no console error, failed request or other host;
//   b. a brand colour that fails contrast is a build error that names the pair and its ratio, and
//      writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { assertClean, assertNoAxeViolations, buildSite, launchBrowser, playbookBin, runBuild, withPage, writeFiles } from './lib/harness.mjs';

playbookBin(import.meta.url);

// ---------------------------------------------------------------- the fixture site
const BASE = '/district/pd/';
const ORG = 'Riverside Unified School District';
// Not the theme's blue (#0a4fc2 / #8ab8ff); both pass AA where the theme uses them.
const ACCENT = '#8a2d0f';      // 8.6:1 on white, 7.9:1 on #f5f6f8, white button text 8.6:1
const ACCENT_DARK = '#f4b183'; // 9.6:1 on #15181d, 8.8:1 on #1e2229, #0b1220 button text 10.9:1
const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

const yaml = (accent = ACCENT) => [
  'title: Riverside Teaching Playbook',
  'description: Guidance and courses for Riverside teachers.',
  'language: en',
  'brand:',
  `  organization: ${ORG}`,
  '  logo: riverside-logo.svg',
  `  accent: "${accent}"`,
  `  accent_dark: "${ACCENT_DARK}"`,
  '  contact: pd@riverside.example',
  '  footer_links:',
  '    - title: District website',
  '      url: https://riverside.example/',
  '    - title: Accessibility statement',
  '      url: https://riverside.example/accessibility/',
  '',
].join('\n');

const FILES = {
  'static/riverside-logo.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32"><circle cx="16" cy="16" r="14" fill="#8a2d0f"/></svg>\n',
  'content/index.md': '---\ntitle: Home\n---\n\nWelcome to the Riverside playbook. Start with [the guide](guide/_index.md).\n',
  'content/guide/_index.md': '---\ntitle: Field guide\nkind: book\nweight: 1\n---\n\nA short guide.\n',
  'content/guide/01-first-weeks.md': '---\ntitle: The first weeks\n---\n\n## Routines\n\nBuild [routines](02-planning.md) early.\n\n> [!NOTE]\n> Routines free attention for learning.\n\n| Week | Focus |\n|---|---|\n| 1 | Names |\n| 2 | Routines |\n',
  'content/guide/02-planning.md': '---\ntitle: Planning\n---\n\nPlan a few goals. See [routines](01-first-weeks.md#routines).\n',
  'content/lessons/_index.md': '---\ntitle: Lessons\nkind: lessons\nweight: 2\n---\n\nShort lessons.\n',
  'content/lessons/01-trust.md': '---\ntitle: Building trust\nid: trust\nduration_minutes: 20\nobjectives:\n  - Name one way trust grows.\n---\n\nTrust grows in small moments.\n\n> [!TIP]\n> Greet every student by name.\n',
  'content/courses/_index.md': '---\ntitle: Courses\nkind: section\nweight: 3\n---\n\nOur courses.\n',
  'content/courses/coaching/_index.md': '---\ntitle: Coaching cycles\nkind: course\nid: coaching\ncomplete_on: manual\n---\n\nA course on coaching.\n',
  'content/courses/coaching/01-basics/_index.md': '---\ntitle: Basics\nid: basics\n---\n\nThe basics.\n',
  'content/courses/coaching/01-basics/01-first-visit.md': [
    '---', 'title: The first visit', 'id: first-visit', 'duration_minutes: 15', 'objectives:', '  - Plan a first visit.', '---', '',
    'Visit the classroom and [listen](../../../lessons/01-trust.md).', '',
    '```quiz', 'questions:', '  - prompt: What comes first in a visit?', '    choices:',
    '      - text: Listening', '        correct: true', '        feedback: Yes, listen first.',
    '      - text: Advice', '        feedback: Not yet; listen first.', '```', '',
    '```reflection', 'prompt: What will you listen for?', '```', ''].join('\n'),
};
const PAGES = {
  home: '',
  chapter: 'guide/first-weeks/',
  lesson: 'lessons/trust/',
  'course-lesson': 'courses/coaching/basics/first-visit/',
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-brand-'));

const writeSite = (root, accent) => writeFiles(root, { 'playbook.yaml': yaml(accent), ...FILES });

let browser, server;
const ROOT = path.join(tmp, 'site');
const OUT = path.join(tmp, 'out');

before(async () => {
  writeSite(ROOT);
  buildSite(ROOT, OUT, BASE);
  server = await serve(OUT, BASE);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- a
for (const [kind, rel] of Object.entries(PAGES)) {
  for (const scheme of ['light', 'dark']) {
    test(`brand: ${kind} (${rel || 'home'}), ${scheme}: the brand's colours, logo and links, and no axe-core violation`, { timeout: 120_000 }, async () => {
      // Requests the browser cancels as the page moves on (net::ERR_ABORTED) are no failure.
      await withPage(browser, server.url + rel, { colorScheme: scheme, ignoreAborted: true }, async ({ page, response, log }) => {
        assert.equal(response.status(), 200);
        assert.equal(await page.evaluate(() => document.body.dataset.pageKind), kind, 'data-page-kind');

        // The brand is what the reader sees: its accent on links in the content, its logo and links.
        const seen = await page.evaluate(() => {
          const link = document.querySelector('main a[href]:not(.heading-anchor)') || document.querySelector('.site-footer a');
          const logo = document.querySelector('img.site-logo');
          return {
            link: getComputedStyle(link).color,
            logo: logo && { alt: logo.alt, loaded: logo.complete && logo.naturalWidth > 0 },
            footer: [...document.querySelectorAll('.site-footer a')].map((a) => a.textContent.trim()),
            brandLine: document.querySelector('.brand-line')?.textContent.replace(/\s+/g, ' ').trim(),
          };
        });
        assert.equal(seen.link, rgb(scheme === 'dark' ? ACCENT_DARK : ACCENT), 'a link is not in the brand colour');
        assert.deepEqual(seen.logo, { alt: ORG, loaded: true }, 'the logo');
        for (const want of ['pd@riverside.example', 'District website', 'Accessibility statement']) {
          assert.ok(seen.footer.includes(want), `the footer lacks "${want}": ${JSON.stringify(seen.footer)}`);
        }
        assert.match(seen.brandLine || '', new RegExp(`published by ${ORG}`));

        // A course lesson's knowledge check, answered, shows feedback in brand colours too.
        if (kind === 'course-lesson') {
          const choice = page.locator('.quiz input').first();
          if (await choice.count()) {
            await choice.check();
            const check = page.locator('.quiz button[type="submit"], .quiz button').first();
            if (await check.count()) await check.click();
          }
        }

        await assertNoAxeViolations(page, `on ${kind} (${scheme})`);
        assertClean(log);
      });
    });
  }
}

// ---------------------------------------------------------------- b
test('brand: a colour that fails contrast is a build error naming the pair, and nothing is written', () => {
  const root = path.join(tmp, 'failing');
  const out = path.join(tmp, 'failing-out');
  writeSite(root, '#d98c5f'); // 2.6:1 on white
  const r = runBuild(root, out, BASE);
  assert.notEqual(r.status, 0, 'the build succeeded with a brand colour that fails contrast');
  const text = r.stderr + r.stdout;
  assert.match(text, /the brand colour fails contrast: `accent` #d98c5f as link text on the page background #ffffff has a contrast of 2\.\d\d:1, below 4\.5:1/);
  assert.match(text, /playbook\.yaml:\d+:\d+/, 'the error does not say where');
  assert.match(text, /hint: choose a darker colour/);
  assert.ok(!fs.existsSync(out), 'a failed build wrote its output folder');
});
