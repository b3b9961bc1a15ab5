// README screenshots: PNGs of the default site at phone (375 px) and laptop (1280 px) width, in
// headless Chromium, offline. One command, from the repository's root (after `cargo build` and
// `bash tests/browser/install.sh`):
//
//   node tests/browser/screenshots.mjs            # → docs/screenshots/*.png
//
// env: PLAYBOOK_BIN (default target/debug/playbook) builds the repository's site into a temporary
//      folder for /pd/playbook/; or SITE_DIR + BASE_PATH name a site built already;
//      SCREENSHOT_OUT (default docs/screenshots) is where the PNGs go;
//      SCREENSHOT_SCHEME=dark takes every page in the dark theme instead (`<name>-<width>-dark.png`),
//      to look at before a theme change is done (the README shows one of them).
// Pages: the home page, a Playbook chapter, a course lesson (video, exercise), a module page,
// and a Spanish course lesson; each at both widths, the first screenful (`<name>-<width>.png`),
// plus the phone's navigation drawer open and a lesson in the dark theme.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { REPO, launchBrowser, runPlaybook } from './lib/harness.mjs';

const OUT = path.resolve(REPO, process.env.SCREENSHOT_OUT || 'docs/screenshots');
let site = process.env.SITE_DIR && path.resolve(process.env.SITE_DIR);
let base = ('/' + (process.env.BASE_PATH || '/pd/playbook/') + '/').replace(/\/+/g, '/');
let tmp;
if (!site) {
  process.env.PLAYBOOK_BIN ||= path.join(REPO, 'target/debug/playbook');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-shots-'));
  site = path.join(tmp, 'site');
  base = '/pd/playbook/';
  const r = runPlaybook(['build', '--quiet', '--root', REPO, '--out', site, '--base-url', `http://127.0.0.1${base}`]);
  if (r.status !== 0) throw new Error(`playbook build failed:\n${r.stderr}`);
}

const PAGES = [
  ['home', ''],
  ['chapter', 'playbook/results-oriented-cycle-of-inquiry/'],
  ['lesson', 'courses/rccp-foundations/class-and-power/disrupting-inequity/'],
  ['module', 'courses/rccp-foundations/identity/'],
  ['es-lesson', 'es/cursos/fundamentos-rccp/clase-social-y-poder/desarmar-la-desigualdad/'],
];
const WIDTHS = { 375: 812, 1280: 800 };
const SCHEME = process.env.SCREENSHOT_SCHEME || 'light';
if (!['light', 'dark'].includes(SCHEME)) throw new Error(`SCREENSHOT_SCHEME is light or dark, not ${SCHEME}`);
const suffix = SCHEME === 'dark' ? '-dark' : '';

fs.mkdirSync(OUT, { recursive: true });
const server = await serve(site, base);
const browser = await launchBrowser();
const written = [];
try {
  for (const [name, rel] of PAGES) {
    for (const [width, height] of Object.entries(WIDTHS)) {
      const context = await browser.newContext({ viewport: { width: Number(width), height }, colorScheme: SCHEME });
      const page = await context.newPage();
      await page.goto(server.url + rel, { waitUntil: 'networkidle' });
      // A returning learner's home page: one lesson done, the next one opened.
      if (name === 'home') {
        await page.goto(server.url + 'courses/rccp-foundations/identity/who-am-i/', { waitUntil: 'networkidle' });
        await page.locator('#complete-toggle').click();
        await page.goto(server.url + 'courses/rccp-foundations/identity/the-cultural-iceberg/', { waitUntil: 'networkidle' });
        await page.goto(server.url, { waitUntil: 'networkidle' });
        await page.locator('#continue-card.is-filled').waitFor();
      }
      const file = path.join(OUT, `${name}-${width}${suffix}.png`);
      await page.screenshot({ path: file });
      written.push(file);
      if (name === 'lesson' && width === '375') {
        await page.locator('#menu-button').click();
        await page.locator('#nav-drawer[open]').waitFor();
        await page.screenshot({ path: path.join(OUT, `lesson-375-menu${suffix}.png`) });
        written.push(path.join(OUT, `lesson-375-menu${suffix}.png`));
      }
      await context.close();
    }
  }
  if (SCHEME === 'light') {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(server.url + PAGES[2][1] + '#running-a-cycle-of-inquiry-on-equity', { waitUntil: 'networkidle' });
    const file = path.join(OUT, 'lesson-1280-dark.png');
    await page.screenshot({ path: file });
    written.push(file);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(written.map((f) => path.relative(REPO, f)).join('\n'));
