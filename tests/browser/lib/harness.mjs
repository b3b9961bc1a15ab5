// What the Chromium test files stand on (Node built-ins, playwright-core and axe-core only):
// launching Debian's Chromium so that nothing leaves 127.0.0.1, pages that record what went
// wrong on them (console errors, page errors, failed requests, requests to other hosts), axe-core
// with the WCAG 2.0–2.2 A/AA tags, polling, and running the `playbook` binary (PLAYBOOK_BIN) to
// build fixture sites. lib/serve.mjs is the static server; this module never serves anything.
// usage:
//   const browser = await launchBrowser();
//   await withPage(browser, url, { colorScheme: 'dark' }, async ({ page, response, log }) => {
//     await assertNoAxeViolations(page, '(dark)');
//     assertClean(log);
//   });
// Options of the helpers that open pages (openContext, openPage, withPage, withCleanContext): any of
// browser.newContext's (the viewport is 1280 × 800 unless given), and
//   expect404          a URL whose 404 is the point (the not-found page): not a failed request;
//   ignoreAborted      true: a request cancelled by the browser (net::ERR_ABORTED) is no failure;
//                      or a function of the request that says so for each one;
//   ignoreRootFavicon  (default true) a 404 for /favicon.ico at the server root is no failure;
//   allowFiles         file:// requests are not requests to another host;
//   initScript         a script for context.addInitScript;
//   timeout            each page's default timeout (15 s).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// The repository's root folder.
export const REPO = path.resolve(HERE, '../../..');
export const AXE = path.join(HERE, '../node_modules/axe-core/axe.min.js');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Headless, and every host name but 127.0.0.1 and localhost resolves to nothing: the tests run
// offline, and a request to another host fails even if a route let it through.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];
// A folder copied over every fixture site before it is built (env FIXTURE_OVERLAY), e.g. one
// holding a theme file with a planted fault, to see the tests fail; undefined when not set.
export const FIXTURE_OVERLAY = process.env.FIXTURE_OVERLAY && path.resolve(process.env.FIXTURE_OVERLAY);

// ---------------------------------------------------------------- small things
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Retries fn until it returns a truthy `ok`, for up to ms; returns its last result.
export async function poll(fn, ms = 5000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (r.ok || Date.now() > end) return r;
    await sleep(every);
  }
}

// Retries an async assertion until it passes or ms run out (then its last error is thrown).
export async function eventually(fn, ms = 5000, every = 100) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    await sleep(every);
  }
}

// The text of the first element matching sel, its white space folded.
export const text = (page, sel) => page.locator(sel).evaluate((e) => e.textContent.replace(/\s+/g, ' ').trim());

// The built site under test (env SITE_DIR), resolved; throws unless it holds `needs`, a file
// that says it is `what` (e.g. 'search/index.json.gz', 'a built site with a search index').
export function siteDirFromEnv(needs = 'index.html', what = 'a built site') {
  const dir = process.env.SITE_DIR && path.resolve(process.env.SITE_DIR);
  if (!dir || !fs.existsSync(path.join(dir, needs))) {
    throw new Error(`SITE_DIR must name ${what} (got ${JSON.stringify(process.env.SITE_DIR)})`);
  }
  return dir;
}

// The sub-path the site under test was built for (env BASE_PATH), as `/a/b/` (`/` when unset).
export const basePathFromEnv = () => ('/' + (process.env.BASE_PATH || '/') + '/').replace(/\/+/g, '/');

// ---------------------------------------------------------------- the playbook binary
// The playbook binary named by PLAYBOOK_BIN, resolved; throws, naming the test file (its
// import.meta.url), when it is not set or names no file.
export function playbookBin(testUrl) {
  if (!process.env.PLAYBOOK_BIN) {
    const file = testUrl ? `tests/browser/${path.basename(fileURLToPath(testUrl))}` : 'tests/browser/';
    throw new Error('PLAYBOOK_BIN must name the playbook binary to test, e.g. ' +
      `PLAYBOOK_BIN=target/debug/playbook node --test ${file} (tests/run.sh sets it)`);
  }
  const bin = path.resolve(process.env.PLAYBOOK_BIN);
  if (!fs.existsSync(bin)) throw new Error(`PLAYBOOK_BIN names no file: ${bin} (run \`cargo build\` first)`);
  return bin;
}

// Runs `playbook ARGS…` to its end without colour; returns spawnSync's result (status, stdout, stderr).
export const runPlaybook = (args) =>
  spawnSync(playbookBin(), args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

// Writes files ({ 'relative/path': text }) under root, making folders as needed.
export function writeFiles(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

// Copies FIXTURE_OVERLAY over root, then runs `playbook build --quiet` on it into out for
// http://127.0.0.1<base> (`args`, e.g. ['--drafts'], go right after `build`); returns spawnSync's result.
export function runBuild(root, out, base, args = []) {
  if (FIXTURE_OVERLAY) fs.cpSync(FIXTURE_OVERLAY, root, { recursive: true });
  return runPlaybook(['build', ...args, '--quiet', '--root', root, '--out', out, '--base-url', `http://127.0.0.1${base}`]);
}

// runBuild, throwing with playbook's output when the build fails.
export function buildSite(root, out, base, args = []) {
  const r = runBuild(root, out, base, args);
  if (r.status !== 0) throw new Error(`playbook build of ${root} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
}

// ---------------------------------------------------------------- Chromium
// Launches Debian's Chromium (or CHROME_PATH) headless, with CHROMIUM_ARGS.
export const launchBrowser = () =>
  chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });

// Chromium fetches /favicon.ico at the server root by itself; that is the host's, not the site's.
export const isRootFavicon = (u) => new URL(u).pathname === '/favicon.ico';

// Makes page record into log, and sets its default timeout; returns page. See the options above.
export function watchPage(page, log, opts = {}) {
  const { expect404 = null, ignoreAborted = false, ignoreRootFavicon = true, timeout = 15_000 } = opts;
  const hostFavicon = (u) => ignoreRootFavicon && isRootFavicon(u);
  page.setDefaultTimeout(timeout);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    if (/status of 404/.test(m.text()) && where && (where === expect404 || hostFavicon(where))) return;
    log.consoleErrors.push(`${m.text()} (at ${where})`);
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e?.stack || e)));
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText;
    if (error === 'net::ERR_ABORTED' && (ignoreAborted === true || (ignoreAborted && ignoreAborted(r)))) return;
    // Chromium cancels a video's request once it has what preload="metadata" asks for (more
    // often now that the test server answers ranges); a missing video is still an HTTP 404 below.
    if (error === 'net::ERR_ABORTED' && r.resourceType() === 'media') return;
    // The browser fetches the favicon on its own after the page loads and cancels it when a test
    // navigates or reloads first (a faster search made that race visible); a missing favicon is
    // still an HTTP 404 below.
    if (error === 'net::ERR_ABORTED' && /\/assets\/favicon\.[0-9a-f]+\.svg$/.test(r.url())) return;
    if (!log.offHost.includes(r.url())) log.failedRequests.push(`${r.url()}: ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !(r.status() === 404 && r.url() === expect404) && !hostFavicon(r.url())) {
      log.failedRequests.push(`${r.url()}: HTTP ${r.status()}`);
    }
  });
  return page;
}

// A fresh context that aborts, and logs, every request to a host but 127.0.0.1:
// { context, log, newPage() } where newPage opens a tab that records into log (watchPage).
export async function openContext(browser, opts = {}) {
  const { expect404, ignoreAborted, ignoreRootFavicon, allowFiles = false, initScript, timeout, ...contextOptions } = opts;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const log = { consoleErrors: [], pageErrors: [], failedRequests: [], offHost: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    const u = new URL(url);
    if (u.hostname === '127.0.0.1' || (allowFiles && u.protocol === 'file:')) return route.continue();
    log.offHost.push(url);
    return route.abort('blockedbyclient');
  });
  if (initScript) await context.addInitScript(initScript);
  const watch = { expect404, ignoreAborted, ignoreRootFavicon, timeout };
  const newPage = async () => watchPage(await context.newPage(), log, watch);
  return { context, log, newPage };
}

// openContext with one tab open in it: { context, page, log, newPage }.
export async function openPage(browser, opts = {}) {
  const opened = await openContext(browser, opts);
  return { ...opened, page: await opened.newPage() };
}

// Opens url in a fresh context (openPage; with expectStatus: 404 its 404 is expected), runs
// fn({ context, page, response, log }) and closes the context. prepare(page, log), if given,
// runs before the page goes to url. Checking the log is fn's business (assertClean).
export async function withPage(browser, url, opts, fn) {
  const { expectStatus = 200, prepare, ...rest } = opts;
  const { context, page, log } = await openPage(browser, { ...rest, expect404: expectStatus === 404 ? new URL(url).href : null });
  try {
    if (prepare) prepare(page, log);
    const response = await page.goto(url, { waitUntil: 'load' });
    return await fn({ context, page, response, log });
  } finally {
    await context.close();
  }
}

// Runs fn({ context, log, newPage }) in a fresh context (openContext), then fails on anything
// its tabs recorded (assertClean), and closes it.
export async function withCleanContext(browser, opts, fn) {
  const { context, log, newPage } = await openContext(browser, opts);
  try {
    const result = await fn({ context, log, newPage });
    assertClean(log);
    return result;
  } finally {
    await context.close();
  }
}

// Fails on any request to another host, failed request, console error or page error in log.
export function assertClean(log) {
  assert.deepEqual(log.offHost, [], 'requests to hosts other than 127.0.0.1');
  assert.deepEqual(log.failedRequests, [], 'failed requests');
  assert.deepEqual(log.consoleErrors, [], 'console errors');
  assert.deepEqual(log.pageErrors, [], 'uncaught page errors');
}

// ---------------------------------------------------------------- axe-core
// Runs axe-core (loaded once per document) with WCAG_TAGS on the page; returns the violations as
// [{ id, impact, help, nodes: [{ target, html }] }]. options go to axe.run (e.g. { preload: false }).
export async function axeViolations(page, options = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async ([tags, options]) => {
    const r = await globalThis.axe.run(document, { ...options, runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html })) }));
  }, [WCAG_TAGS, options]);
}

// Violations as axeViolations gives them, one indented block each, for an assertion message.
export const formatViolations = (vs) =>
  vs.map((v) => `  ${v.id} [${v.impact}] ${v.help}\n` +
    v.nodes.map((n) => `    at ${n.target}\n       ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`).join('\n')).join('\n');

// Fails, listing them, when axe-core finds a violation: "axe-core violations <what>:".
export async function assertNoAxeViolations(page, what, options = {}) {
  const violations = await axeViolations(page, options);
  assert.equal(violations.length, 0, `axe-core violations ${what}:\n${formatViolations(violations)}`);
}

// ---------------------------------------------------------------- screenshots
// With SCREENSHOT_DIR set: PNGs of the viewport at 375 and 1280 px, SCREENSHOT_DIR/<name>-<width>.png.
export async function shoot(page, name) {
  const dir = process.env.SCREENSHOT_DIR && path.resolve(process.env.SCREENSHOT_DIR);
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}
