// Self-hosting, end to end: the README's nginx config (tests/nginx/playbook.conf.template) in a
// real nginx, serving the built site under its sub-path, with headless Chromium, offline.
// env: SITE_DIR, BASE_PATH (a sub-path, e.g. /pd/playbook/), as for site.test.mjs;
//      NGINX_BIN (optional, default /usr/sbin/nginx; tests/browser/install.sh installs Debian's nginx);
//      NGINX_TEMPLATE (optional): another template, e.g. a copy with a planted fault, to see tests fail.
// nginx runs as a child process: `nginx -p TMP -c TMP/nginx.conf -g 'daemon off;'` on 127.0.0.1 and
// a free port, pid, logs and temp folders in TMP. For this test only, the config also sends a
// Content-Security-Policy-Report-Only copy of the policy with `report-uri /csp-report`, and nginx
// logs the body of every report it receives to TMP/csp-reports.log.
// Checks:
//   a. the README: one policy everywhere in "Hosting your own copy", and its nginx block is the template's;
//   b. HTTP: every page 200, text/html, the README's Content-Security-Policy exactly, revalidated
//      (Cache-Control no-cache / short), not cached long; missing URLs 404 with the site's 404 page;
//      assets/ and search/t/ cached for a year or more, with the right types; redirects to `dir/`;
//   c. Chromium, every page kind: HTTP status, the header, CSS, its data-page-kind; the 404 page
//      from a deep missing URL with its CSS;
//   d. Chromium, every page: no CSP violation, console error or failed request;
//   e. clicking links from the home page through the playbook and a course;
//   f. search: "/" and typing a word opens results (shards come with a long cache), a click opens one;
//   g. progress: #complete-toggle on a course lesson stays pressed after a reload;
//   h. the service worker: sw.js revalidated (not cached long) with a JavaScript type and the policy;
//      in Chromium it registers under the README's policy, activates (its precache fetched through
//      nginx) and controls the pages, with no CSP violation;
//   i. nginx received no CSP violation report (from pages or the worker).
// Every browser check fails on a request to another host (aborted), a failed request, a console
// error, an uncaught page error, or a `securitypolicyviolation` event (recorded by an init script
// into window.__cspViolations; nothing is injected into the pages and CSP is never bypassed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO, basePathFromEnv, launchBrowser, openPage, siteDirFromEnv, sleep } from './lib/harness.mjs';

const README = path.join(REPO, 'README.md');
const TEMPLATE = path.resolve(process.env.NGINX_TEMPLATE || path.join(REPO, 'tests/nginx/playbook.conf.template'));
const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';
const MISSING_PATH = 'a/b/c/missing/'; // where the not-found page is loaded, to catch relative asset URLs
const SEARCH_WORD = 'inquiry';
const YEAR = 365 * 24 * 3600;
const SHORT = 600; // the longest max-age that still counts as "not cached long" for pages

const SITE_DIR = siteDirFromEnv();
const BASE_PATH = basePathFromEnv();
const SUB_PATH = BASE_PATH.slice(0, -1); // /pd/playbook
if (!SUB_PATH) throw new Error('BASE_PATH must be a sub-path such as /pd/playbook/: the config under test serves one');
if (!fs.existsSync(NGINX)) throw new Error(`no nginx at ${NGINX} (bash tests/browser/install.sh installs it)`);

// ---------------------------------------------------------------- what the README says
const readme = fs.readFileSync(README, 'utf8');
const hosting = readme.split(/^## /m).find((s) => s.startsWith('Hosting your own copy'));
if (!hosting) throw new Error('README.md has no "## Hosting your own copy" section');
const CSP = hosting.match(/^Content-Security-Policy: *(.+?) *$/m)?.[1];
if (!CSP) throw new Error('README.md "Hosting your own copy" shows no `Content-Security-Policy: …` header line');
const template = fs.readFileSync(TEMPLATE, 'utf8');

// ---------------------------------------------------------------- the site's pages
function files(dir, rel = '') {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? files(dir, r) : [r];
  });
}
const allFiles = files(SITE_DIR).sort();
const pages = allFiles.filter((rel) => rel.endsWith('.html')).map((rel) => {
  const html = fs.readFileSync(path.join(SITE_DIR, rel), 'utf8');
  return { rel, kind: html.match(/<body\b[^>]*\sdata-page-kind\s*=\s*["']?([^"'\s>]*)/i)?.[1] ?? null };
});
const firstOfKind = new Map();
for (const p of pages) if (p.kind && !firstOfKind.has(p.kind)) firstOfKind.set(p.kind, p);
const hashed = allFiles.filter((rel) => rel.startsWith('assets/') || rel.startsWith('search/t/'));

let nginx, browser, origin, siteUrl; // origin http://127.0.0.1:PORT, siteUrl origin + BASE_PATH
const relUrl = (rel) => rel.replace(/(^|\/)index\.html$/, '$1');
const urlOf = (p) => siteUrl + (p.kind === 'not-found' ? MISSING_PATH : relUrl(p.rel));
const kindAt = (href) => {
  const u = new URL(href, siteUrl);
  if (u.origin !== origin || !u.pathname.startsWith(BASE_PATH)) return undefined;
  let rel = decodeURIComponent(u.pathname.slice(BASE_PATH.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  return pages.find((p) => p.rel === rel)?.kind;
};

// ---------------------------------------------------------------- nginx
// The template with its placeholders filled in, plus what only this test needs: the
// Report-Only copy of the policy and a /csp-report location that logs each report's body (nginx
// only reads a body it passes on, hence the proxy_pass to a location of its own that says 204).
function nginxConf(port) {
  let conf = template.replaceAll('{{PORT}}', String(port)).replaceAll('{{ROOT}}', SITE_DIR)
    .replaceAll('{{SUB_PATH}}', SUB_PATH);
  const left = conf.match(/\{\{[A-Z_]+\}\}/);
  if (left) throw new Error(`${TEMPLATE}: unknown placeholder ${left[0]}`);
  const insert = (re, what, text) => {
    if (!re.test(conf)) throw new Error(`${TEMPLATE}: no ${what} to add the CSP report set-up to`);
    conf = conf.replace(re, (m) => `${m}\n${text}\n`);
  };
  insert(/^\s*http\s*\{/m, '`http {`', "    log_format csp_report escape=json '$request_body';");
  insert(/^\s*server\s*\{/m, '`server {`', [
    '        location = /csp-report {',
    '            access_log csp-reports.log csp_report;',
    '            client_body_in_single_buffer on;',
    '            client_body_buffer_size 64k;',
    `            proxy_pass http://127.0.0.1:${port}/csp-report-sink;`,
    '        }',
    '        location = /csp-report-sink { access_log off; return 204; }'].join('\n'));
  const siteLocation = new RegExp(`^\\s*location\\s+${SUB_PATH.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\s*\\{`, 'm');
  insert(siteLocation, `\`location ${SUB_PATH}/ {\``,
    `            add_header Content-Security-Policy-Report-Only "${CSP}; report-uri /csp-report" always;`);
  return conf;
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const canConnect = (port) => new Promise((resolve) => {
  const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
  c.once('error', () => resolve(false));
});

async function startNginx() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-nginx-'));
  // As root, nginx's workers would run as `nobody`, who cannot read a site in a private temp
  // folder (tests/run.sh builds into one): keep them as root then.
  const globals = 'daemon off;' + (process.getuid?.() === 0 ? ' user root;' : '');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const confPath = path.join(dir, 'nginx.conf');
    fs.writeFileSync(confPath, nginxConf(port));
    const child = spawn(NGINX, ['-p', dir + '/', '-c', confPath, '-g', globals], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '', exited = null;
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exit = new Promise((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(); }));
    const end = Date.now() + 10_000;
    while (!exited && Date.now() < end && !(await canConnect(port))) await sleep(50);
    if (!exited && (await canConnect(port))) {
      process.once('exit', () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM'));
      return { dir, port, child, exit };
    }
    if (!exited) child.kill('SIGKILL');
    await exit;
    if (/Address already in use/.test(output) && attempt < 5) continue;
    const errorLog = fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
    throw new Error(`nginx did not start (${JSON.stringify(exited)}), config ${confPath}:\n${output}\n${errorLog}`);
  }
}

before(async () => {
  nginx = await startNginx();
  origin = `http://127.0.0.1:${nginx.port}`;
  siteUrl = origin + BASE_PATH;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  if (nginx) {
    nginx.child.kill('SIGTERM');
    await Promise.race([nginx.exit, sleep(5000)]);
    if (nginx.child.exitCode === null && nginx.child.signalCode === null) nginx.child.kill('SIGKILL');
    fs.rmSync(nginx.dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------- HTTP helpers
const get = (url, init = {}) => fetch(new URL(url, siteUrl), { redirect: 'manual', ...init });
const maxAge = (h) => {
  const m = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(h.get('cache-control') || '');
  return m ? Number(m[1]) : null;
};
const cacheDesc = (h) => `Cache-Control: ${h.get('cache-control')}, Expires: ${h.get('expires')}`;
// Cached a year or more: max-age (what `expires max` sends too), or else Expires a year ahead.
function cachedLong(h) {
  const cc = (h.get('cache-control') || '').toLowerCase();
  if (/no-cache|no-store|private/.test(cc)) return false;
  const age = maxAge(h);
  if (age !== null) return age >= YEAR;
  const expires = Date.parse(h.get('expires') || ''), date = Date.parse(h.get('date') || '') || Date.now();
  return expires - date >= YEAR * 1000;
}
// Revalidated or kept briefly. A page without Cache-Control would be cached by heuristics (a tenth
// of its age), so the header must be there.
function cachedShort(h) {
  const cc = (h.get('cache-control') || '').toLowerCase();
  if (!cc || /immutable/.test(cc)) return false;
  if (/no-cache|no-store/.test(cc)) return true;
  const age = maxAge(h);
  return age !== null && age <= SHORT;
}

// ---------------------------------------------------------------- browser helpers
// A fresh context whose page (openPage) records console errors, page errors, failed requests,
// requests to any host but 127.0.0.1 (aborted) and every response (log.responses), and, in every
// document, CSP violation events. A request still running when the page navigates away, or an
// icon fetch, that Chromium cancels (net::ERR_ABORTED) is not a failure of the site; nor is a
// video's, which Chromium cancels once it has read what `preload="metadata"` asks for (a
// missing video still fails: its response is a 404).
async function open(expect404 = null) {
  let documents = 0;
  const startedIn = new WeakMap();
  const { context, page, log } = await openPage(browser, {
    expect404,
    initScript: recordCspViolations,
    ignoreAborted: (r) => startedIn.get(r) < documents || r.resourceType() === 'media' || /\/assets\/favicon\.[0-9a-f]+\.svg$/.test(new URL(r.url()).pathname),
  });
  log.responses = [];
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents++;
    startedIn.set(r, documents);
  });
  page.on('response', (r) => log.responses.push(r));
  return { context, page, log };
}

// An init script: records every securitypolicyviolation event of the document in window.__cspViolations.
function recordCspViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push({ disposition: e.disposition, directive: e.effectiveDirective,
      blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}`, sample: e.sample });
  }, true);
}

async function withPage(url, opts, fn) {
  const { expectStatus = 200 } = opts;
  const { context, page, log } = await open(expectStatus === 404 ? new URL(url, siteUrl).href : null);
  try {
    const response = await page.goto(url, { waitUntil: 'load' });
    return await fn({ page, response, log });
  } finally {
    await context.close();
  }
}

// Fails on anything the current document or the context recorded, listing all of it.
async function assertClean(page, log, what) {
  const violations = await page.evaluate(() => window.__cspViolations ?? null);
  assert.ok(Array.isArray(violations), `${what}: the securitypolicyviolation recorder did not run`);
  const problems = Object.entries({ cspViolations: violations, consoleErrors: log.consoleErrors,
    pageErrors: log.pageErrors, failedRequests: log.failedRequests, offHostRequests: log.offHost })
    .filter(([, list]) => list.length);
  assert.deepEqual(Object.fromEntries(problems), {}, `${what}: ${problems.map(([k]) => k).join(', ')}`);
}

function assertDocument(response, status, what) {
  assert.ok(response, `${what}: no response`);
  assert.equal(response.status(), status, `${what}: HTTP status of ${response.url()}`);
  assert.equal(response.headers()['content-security-policy'], CSP, `${what}: Content-Security-Policy of ${response.url()}`);
}

// Clicks locator and waits for the document it opens; returns the document's response.
async function clickThrough(page, locator, what) {
  assert.ok(await locator.count() > 0, `${what}: no link to click`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame()),
    locator.first().click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

// The first link in main#main to a page of `kind` (not the current page).
async function linkToKind(page, kind) {
  const hrefs = await page.$$eval('main#main a[href]', (as) => as.map((a) => a.href));
  const href = hrefs.find((h) => h.split('#')[0] !== page.url().split('#')[0] && kindAt(h) === kind);
  assert.ok(href, `no link in main on ${page.url()} leads to a page of kind ${kind}`);
  return page.locator(`main#main a[href="${new URL(href).pathname}"]`);
}

const sheetRules = (page) => page.evaluate(() =>
  [...document.styleSheets].map((s) => { try { return s.cssRules.length; } catch { return 0; } }));

// ---------------------------------------------------------------- a. the README
test('README: one Content-Security-Policy throughout "Hosting your own copy", and its nginx block is the tested template', () => {
  const policies = hosting.split('\n').filter((l) => /Content-Security-Policy/.test(l) && /default-src/.test(l))
    .map((l) => l.match(/(default-src[^"]*?)\s*(?:"|$)/)[1]);
  assert.ok(policies.length >= 2, `expected the policy in the header line and the configs, found ${policies.length}`);
  for (const p of policies) assert.equal(p, CSP, 'a policy in "Hosting your own copy" differs from the header line');

  const block = hosting.match(/```nginx\n([\s\S]*?)```/)?.[1];
  assert.ok(block, 'no ```nginx block in "Hosting your own copy"');
  const root = block.match(/^\s*alias\s+(\S+?)\/?;/m)?.[1];
  assert.ok(root, 'the README nginx block has no `alias`');
  const tmpl = new Set(template.split('\n').map((l) => l.trim()));
  const missing = block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#') && l !== '}')
    .map((l) => l.replaceAll(root, '{{ROOT}}').replaceAll('/pd/playbook', '{{SUB_PATH}}'))
    .filter((l) => !tmpl.has(l));
  assert.deepEqual(missing, [], `README nginx lines not in ${path.relative(process.cwd(), TEMPLATE)}`);
});

// ---------------------------------------------------------------- b. HTTP
test(`HTTP: all ${pages.length} pages: 200, text/html, the README's Content-Security-Policy, revalidated`, async () => {
  const bad = [];
  for (const p of pages) {
    const r = await get(relUrl(p.rel));
    await r.arrayBuffer();
    const h = r.headers;
    const why = [];
    if (r.status !== 200) why.push(`HTTP ${r.status}`);
    if (!/^text\/html\b/.test(h.get('content-type') || '')) why.push(`Content-Type: ${h.get('content-type')}`);
    if (h.get('content-security-policy') !== CSP) why.push(`Content-Security-Policy: ${h.get('content-security-policy')}`);
    if (!cachedShort(h)) why.push(`cached too long: ${cacheDesc(h)}`);
    if (why.length) bad.push(`${relUrl(p.rel) || '(home)'}: ${why.join('; ')}`);
  }
  assert.deepEqual(bad, [], `pages served wrong:\n  ${bad.join('\n  ')}`);

  // Text is compressed on the way, as the README's config says: pages and the style sheet.
  const zipped = await get('', { headers: { 'Accept-Encoding': 'gzip' } });
  const html = await zipped.text();
  assert.equal(zipped.headers.get('content-encoding'), 'gzip', 'the home page is not sent compressed');
  const sheet = html.match(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/)?.[1];
  assert.ok(sheet, 'the home page links no style sheet');
  const css = await get(new URL(sheet, siteUrl).href, { headers: { 'Accept-Encoding': 'gzip' } });
  await css.arrayBuffer();
  assert.equal(css.headers.get('content-encoding'), 'gzip', `${sheet} is not sent compressed`);

  // no-cache is cheap: a revalidation is a 304.
  const first = await get('');
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  assert.ok(etag || first.headers.get('last-modified'), 'the home page has neither ETag nor Last-Modified');
  const again = await get('', { headers: etag ? { 'If-None-Match': etag } : { 'If-Modified-Since': first.headers.get('last-modified') } });
  assert.equal(again.status, 304, 'a conditional request for an unchanged page');

  // The test's own addition is in place, or check h would prove nothing.
  assert.equal(first.headers.get('content-security-policy-report-only'), `${CSP}; report-uri /csp-report`,
    'the Report-Only header this test adds');
});

test('HTTP: missing URLs under the sub-path get 404 with the site\'s 404 page and the policy', async () => {
  const notFound = fs.readFileSync(path.join(SITE_DIR, '404.html'), 'utf8');
  for (const rel of [MISSING_PATH, 'missing.html', 'playbook/no-such-chapter/', 'assets/missing.0123456789.css', 'search/t/missing.bin.gz']) {
    const r = await get(rel);
    const body = await r.text();
    assert.equal(r.status, 404, `HTTP status of ${BASE_PATH}${rel}`);
    assert.equal(body, notFound, `${BASE_PATH}${rel} is not the site's 404.html`);
    assert.match(r.headers.get('content-type') || '', /^text\/html\b/, `Content-Type of ${BASE_PATH}${rel}`);
    assert.equal(r.headers.get('content-security-policy'), CSP, `Content-Security-Policy of ${BASE_PATH}${rel}`);
  }
});

test('HTTP: assets/ and search/t/ are cached for a year or more, with their types; pages, search index and fragments are not', async () => {
  assert.ok(hashed.some((r) => r.startsWith('assets/')) && hashed.some((r) => r.startsWith('search/t/')),
    'the site has no assets/ or no search/t/ files');
  const TYPES = { css: /^text\/css\b/, js: /^(text|application)\/javascript\b/, svg: /^image\/svg\+xml\b/, gz: /^application\/(gzip|x-gzip|octet-stream)\b/ };
  const bad = [];
  for (const rel of hashed) {
    const r = await get(rel);
    await r.arrayBuffer();
    const type = TYPES[rel.split('.').pop()];
    if (r.status !== 200) bad.push(`${rel}: HTTP ${r.status}`);
    else if (!cachedLong(r.headers)) bad.push(`${rel}: not cached long: ${cacheDesc(r.headers)}`);
    else if (type && !type.test(r.headers.get('content-type') || '')) bad.push(`${rel}: Content-Type ${r.headers.get('content-type')}`);
  }
  assert.deepEqual(bad, [], `hashed files served wrong:\n  ${bad.join('\n  ')}`);

  // Files whose names stay the same from build to build must not be cached long.
  const unhashed = allFiles.filter((rel) => !hashed.includes(rel) && !rel.endsWith('.html'));
  for (const rel of unhashed.filter((r) => r.startsWith('search/')).slice(0, 5).concat(unhashed.filter((r) => !r.startsWith('search/')))) {
    const r = await get(rel);
    await r.arrayBuffer();
    assert.equal(r.status, 200, `HTTP status of ${rel}`);
    assert.ok(!cachedLong(r.headers), `${rel} keeps its name across builds but is cached long: ${cacheDesc(r.headers)}`);
  }
});

test('HTTP: the bare sub-path and folders without a slash redirect (relative Location) to the slash', async () => {
  for (const [from, to] of [[SUB_PATH, BASE_PATH], [BASE_PATH + 'playbook', BASE_PATH + 'playbook/']]) {
    const r = await fetch(origin + from, { redirect: 'manual' });
    assert.equal(r.status, 301, `HTTP status of ${from}`);
    assert.equal(r.headers.get('location'), to, `Location of ${from}`);
  }
});

// ---------------------------------------------------------------- c. every page kind
for (const [kind, p] of firstOfKind) {
  const status = kind === 'not-found' ? 404 : 200;
  test(`Chromium: ${kind} (${kind === 'not-found' ? MISSING_PATH : p.rel}) loads with HTTP ${status}, the policy and its CSS`, async () => {
    await withPage(urlOf(p), { expectStatus: status }, async ({ page, response, log }) => {
      await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
      assertDocument(response, status, kind);
      assert.equal(await page.evaluate(() => document.body.dataset.pageKind), kind, 'data-page-kind');
      const css = log.responses.filter((r) => r.request().resourceType() === 'stylesheet');
      assert.ok(css.length > 0, 'no style sheet was requested');
      for (const r of css) assert.equal(r.status(), 200, `HTTP status of ${r.url()}`);
      const rules = await sheetRules(page);
      assert.ok(rules.some((n) => n > 0), `no CSS applied (rules per sheet: ${JSON.stringify(rules)})`);
      await assertClean(page, log, kind);
    });
  });
}

// ---------------------------------------------------------------- d. every page
test(`Chromium: all ${pages.length} pages load without a CSP violation, console error or failed request`, async () => {
  const { context, page, log } = await open();
  try {
    for (const p of pages) {
      const response = await page.goto(siteUrl + relUrl(p.rel), { waitUntil: 'load' });
      await sleep(100);
      assertDocument(response, 200, p.rel);
      await assertClean(page, log, p.rel);
    }
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- e. navigation
test('Chromium: clicking links goes home → playbook → chapter → next chapter → courses → course → module → lesson → home', async () => {
  const { context, page, log } = await open();
  try {
    let response = await page.goto(siteUrl, { waitUntil: 'load' });
    assertDocument(response, 200, 'home');
    await assertClean(page, log, 'home');
    const steps = [
      ['book', () => page.locator(`#site-nav a[href="${BASE_PATH}playbook/"]`)],
      ['chapter', () => linkToKind(page, 'chapter')],
      ['chapter', () => page.locator('a[rel~="next"]')],
      ['section', () => page.locator(`#site-nav a[href="${BASE_PATH}courses/"]`)],
      ['course', () => linkToKind(page, 'course')],
      ['module', () => linkToKind(page, 'module')],
      ['course-lesson', () => linkToKind(page, 'course-lesson')],
      ['home', () => page.locator(`a.site-title[href="${BASE_PATH}"]`)],
    ];
    for (const [kind, link] of steps) {
      const from = page.url();
      response = await clickThrough(page, await link(), `from ${from} to a ${kind} page`);
      const what = `clicked from ${from} to ${page.url()}`;
      assert.notEqual(page.url(), from, `${what}: the URL did not change`);
      assert.ok(new URL(page.url()).pathname.startsWith(BASE_PATH), `${what}: left ${BASE_PATH}`);
      assertDocument(response, 200, what);
      assert.equal(await page.evaluate(() => document.body.dataset.pageKind), kind, `${what}: data-page-kind`);
      await assertClean(page, log, what);
    }
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- f. search
test(`Chromium: "/" then typing "${SEARCH_WORD}" shows results; a click opens one`, async () => {
  // An English chapter: each language searches its own index, and the word is English.
  const start = pages.find((p) => p.kind === 'chapter' && !p.rel.startsWith('es/')) ?? firstOfKind.get('home');
  await withPage(urlOf(start), {}, async ({ page, response, log }) => {
    assertDocument(response, 200, start.rel);
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input', '"/" did not focus #search-input');
    await page.keyboard.type(SEARCH_WORD, { delay: 60 });
    const options = page.locator('#search-listbox [role="option"]');
    await page.waitForFunction(() => {
      const list = document.getElementById('search-listbox');
      return !list.hidden && list.querySelectorAll('[role="option"]').length > 1;
    }, null, { timeout: 10_000 }).catch(() => {});
    const state = await page.evaluate(() => ({
      hidden: document.getElementById('search-listbox').hidden,
      options: [...document.querySelectorAll('#search-listbox [role="option"]')].map((o) => ({ text: o.textContent.trim().slice(0, 80), href: o.dataset.href })),
    }));
    assert.ok(!state.hidden && state.options.length > 1, `no results for "${SEARCH_WORD}": ${JSON.stringify(state)}`);
    assert.ok(state.options[0].href?.startsWith(BASE_PATH), `the first result links to ${state.options[0].href}`);

    // What search fetched: the manifest (revalidated) and shards (cached long).
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
    const fetched = log.responses.filter((r) => new URL(r.url()).pathname.startsWith(BASE_PATH + 'search/'));
    const shards = fetched.filter((r) => new URL(r.url()).pathname.startsWith(BASE_PATH + 'search/t/'));
    assert.ok(shards.length > 0, `search fetched no shard: ${fetched.map((r) => r.url()).join(', ')}`);
    for (const r of fetched) {
      const h = new Headers(await r.allHeaders());
      const isShard = shards.includes(r);
      assert.equal(r.status(), 200, `HTTP status of ${r.url()}`);
      assert.equal(cachedLong(h), isShard, `${r.url()}: ${isShard ? 'a shard should be' : 'should not be'} cached long: ${cacheDesc(h)}`);
    }
    await assertClean(page, log, `search for "${SEARCH_WORD}"`);

    const to = await clickThrough(page, options.first(), 'the first result');
    assertDocument(to, 200, `the first result (${page.url()})`);
    assert.equal(new URL(page.url()).pathname, new URL(state.options[0].href, siteUrl).pathname, 'the first result opened another page');
    await assertClean(page, log, `the first result (${page.url()})`);
  });
});

// ---------------------------------------------------------------- g. progress
test('Chromium: progress: #complete-toggle on a course lesson stays pressed after a reload', async () => {
  const lesson = firstOfKind.get('course-lesson');
  assert.ok(lesson, 'the site has no course-lesson page');
  await withPage(urlOf(lesson), {}, async ({ page, response, log }) => {
    assertDocument(response, 200, lesson.rel);
    const toggle = page.locator('#complete-toggle');
    await toggle.waitFor({ state: 'visible' });
    assert.equal(await toggle.getAttribute('data-done'), 'false', 'the lesson starts complete');
    await toggle.click();
    await page.waitForFunction(() => document.getElementById('complete-toggle')?.getAttribute('data-done') === 'true', null, { timeout: 5000 }).catch(() => {});
    assert.equal(await toggle.getAttribute('data-done'), 'true', 'aria-pressed after a click');
    await assertClean(page, log, `${lesson.rel}, after the click`);

    const again = await page.reload({ waitUntil: 'load' });
    // A reload revalidates: 304 from nginx may show as such.
    assert.ok([200, 304].includes(again.status()), `HTTP status of the reload: ${again.status()}`);
    await page.waitForFunction(() => document.getElementById('complete-toggle')?.getAttribute('data-done') === 'true', null, { timeout: 5000 }).catch(() => {});
    assert.equal(await toggle.getAttribute('data-done'), 'true', 'aria-pressed after a reload');
    await assertClean(page, log, `${lesson.rel}, after the reload`);
  });
});

// ---------------------------------------------------------------- h. the service worker
test('offline reading: sw.js is revalidated, and the worker registers and controls pages under the README\'s policy', async () => {
  const r = await get('sw.js');
  const body = await r.text();
  assert.equal(r.status, 200, 'HTTP status of sw.js');
  assert.match(r.headers.get('content-type') || '', /^(text|application)\/javascript\b/, 'Content-Type of sw.js');
  assert.ok(cachedShort(r.headers) && !cachedLong(r.headers), `sw.js must be revalidated: ${cacheDesc(r.headers)}`);
  assert.equal(r.headers.get('content-security-policy'), CSP, 'Content-Security-Policy of sw.js');
  assert.match(body, /^const SETTINGS = \{"version":"[0-9a-f]+","enabled":true/m, 'sw.js is the enabled worker');

  const { context, page, log } = await open();
  try {
    const first = await page.goto(siteUrl, { waitUntil: 'load' });
    assertDocument(first, 200, 'home');
    let state;
    for (let end = Date.now() + 30_000; Date.now() < end; await sleep(200)) {
      state = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return { scope: reg?.scope, active: reg?.active?.state, controlled: !!navigator.serviceWorker.controller };
      });
      if (state.active === 'activated' && state.controlled) break;
    }
    assert.deepEqual(state, { scope: siteUrl, active: 'activated', controlled: true }, 'the worker under nginx');
    await assertClean(page, log, 'home, with the worker');
    // A page under the worker: from the network (network first), with the header, styled, clean.
    const chapter = firstOfKind.get('chapter');
    const response = await page.goto(urlOf(chapter), { waitUntil: 'load' });
    assertDocument(response, 200, `${chapter.rel} through the worker`);
    assert.ok(response.fromServiceWorker(), `${chapter.rel} did not go through the worker`);
    assert.ok((await sheetRules(page)).some((n) => n > 0), `${chapter.rel}: no CSS through the worker`);
    await assertClean(page, log, `${chapter.rel}, through the worker`);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- i. reports
test('nginx received no CSP violation report', async () => {
  await sleep(1000); // reports are sent after the violation, asynchronously
  const file = path.join(nginx.dir, 'csp-reports.log');
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  // Each line is a report's body, JSON-escaped by `log_format … escape=json`.
  const reports = lines.map((l) => {
    try {
      const r = JSON.parse(JSON.parse(`"${l}"`))['csp-report'];
      return `${r['document-uri']}: ${r['effective-directive']} blocked ${r['blocked-uri']} at ${r['source-file']}:${r['line-number']}`;
    } catch {
      return l;
    }
  });
  assert.deepEqual(reports, [], 'CSP violation reports nginx received (report-uri /csp-report)');
});
