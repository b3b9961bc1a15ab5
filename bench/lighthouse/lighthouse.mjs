#!/usr/bin/env node
// Lighthouse on the default site, served the way a district would serve it: the README's nginx
// config (tests/nginx/playbook.conf.template, which compresses text with gzip) in a real nginx.
// Lighthouse's default settings (a mobile phone,
// simulated slow 4G and a 4x slower CPU) on the home page and a course lesson, RUNS times each;
// prints the four category scores of every run, the median, and for the median run the
// performance metrics, the audits not passed and the bytes transferred.
//
//   node bench/lighthouse/lighthouse.mjs [--runs 3] [--site DIR] [--json OUT_DIR] [--min 100]
//
// --site     a site built for BASE_PATH (default: builds the repository's site with PLAYBOOK_BIN,
//            default target/debug/playbook, into a temporary folder)
// --runs     runs per page (default 3; the median by performance score is reported)
// --json     also write each run's Lighthouse JSON report into OUT_DIR
// --min      exit 1 when a median category score is below this (default: report only)
// env: CHROME_PATH (default /usr/bin/chromium, Debian's; bash tests/browser/install.sh installs
//      it and nginx), NGINX_BIN (default /usr/sbin/nginx), BASE_PATH (default /pd/playbook/).
// Lighthouse (pinned in package-lock.json here) is installed with `npm ci` when missing.
// Its simulated throttling still depends on this machine's CPU: the script prints the load
// average, and figures taken on a busy machine are lower than on an idle one.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const PAGES = { home: '', lesson: 'courses/rccp-foundations/identity/who-am-i/' };
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

function args() {
  const out = { runs: 3, site: null, json: null, min: null };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    const key = a[i].replace(/^--/, '');
    if (!(key in out) || a[i + 1] === undefined) throw new Error(`usage: lighthouse.mjs [--runs N] [--site DIR] [--json OUT_DIR] [--min SCORE] (bad: ${a[i]})`);
    out[key] = ['runs', 'min'].includes(key) ? Number(a[++i]) : path.resolve(a[++i]);
  }
  return out;
}

// npm ci when node_modules lacks the locked lighthouse (no install scripts: nothing to download).
function ensureLighthouse() {
  const want = JSON.parse(fs.readFileSync(path.join(HERE, 'package-lock.json'), 'utf8')).packages['node_modules/lighthouse'].version;
  let have;
  try { have = JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/lighthouse/package.json'), 'utf8')).version; } catch {}
  if (have === want) return;
  console.error(`lighthouse.mjs: npm ci (lighthouse ${have ?? 'missing'}, want ${want})`);
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: HERE, stdio: 'inherit' });
}

function buildSite(base) {
  const bin = path.resolve(REPO, process.env.PLAYBOOK_BIN || 'target/debug/playbook');
  if (!fs.existsSync(bin)) throw new Error(`no ${bin}: run \`cargo build\` first, or pass --site DIR`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-lh-site-'));
  execFileSync(bin, ['build', '--base-url', `https://district.example${base}`, '--out', out], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on('error', reject);
});

async function startNginx(site, base) {
  const bin = process.env.NGINX_BIN || '/usr/sbin/nginx';
  if (!fs.existsSync(bin)) throw new Error(`no nginx at ${bin} (bash tests/browser/install.sh installs it)`);
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-lh-nginx-'));
  const port = await freePort();
  const conf = fs.readFileSync(path.join(REPO, 'tests/nginx/playbook.conf.template'), 'utf8')
    .replaceAll('{{PORT}}', String(port)).replaceAll('{{ROOT}}', site).replaceAll('{{SUB_PATH}}', base.slice(0, -1));
  if (!conf.includes('gzip on;')) throw new Error('the nginx template no longer compresses (no `gzip on;`): the figures would not be what a district serves');
  fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
  const proc = spawn(bin, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(origin + base)).ok) break; } catch {}
    if (i > 100) throw new Error('nginx did not answer');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { origin, stop: () => { proc.kill('SIGTERM'); fs.rmSync(prefix, { recursive: true, force: true }); } };
}

const median = (runs) => [...runs].sort((a, b) => a.scores.performance - b.scores.performance)[Math.floor(runs.length / 2)];
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

// What the median run says about performance: metrics, audits not passed, bytes.
function describe(lhr) {
  const lines = [];
  const a = lhr.audits;
  const metric = (id) => `${a[id].title} ${a[id].displayValue} (score ${a[id].score})`;
  lines.push(`  metrics: ${['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'].map(metric).join('; ')}`);
  const perfIds = new Set(lhr.categories.performance.auditRefs.map((r) => r.id));
  const shown = Object.values(a).filter((x) => perfIds.has(x.id) && typeof x.score === 'number' && x.score < 1
    && !['informative', 'notApplicable', 'manual', 'error'].includes(x.scoreDisplayMode));
  lines.push(shown.length ? '  performance audits not passed (only the five metrics above weigh in the score):' : '  every performance audit passed');
  for (const x of shown) {
    const items = (x.details?.items || []).slice(0, 4).map((it) => it.url || it.node?.snippet || it.label || it.groupLabel || '').filter(Boolean);
    lines.push(`    ${x.id}: ${x.displayValue || ''} (score ${x.score})${items.length ? ' — ' + items.join(', ') : ''}`);
  }
  const lcp = a['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet;
  if (lcp) lines.push(`  LCP element: ${lcp}`);
  const reqs = a['network-requests']?.details?.items || [];
  lines.push(`  transferred: ${kb(reqs.reduce((s, r) => s + (r.transferSize || 0), 0))} in ${reqs.length} requests (${reqs.map((r) => `${r.url.replace(/^.*\//, '') || 'page'} ${kb(r.transferSize || 0)}`).join(', ')})`);
  return lines.join('\n');
}

async function main() {
  const opt = args();
  ensureLighthouse();
  const { default: lighthouse } = await import(pathToFileURL(path.join(HERE, 'node_modules/lighthouse/core/index.js')));
  const chromeLauncher = await import(pathToFileURL(path.join(HERE, 'node_modules/chrome-launcher/dist/index.js')));
  const base = ('/' + (process.env.BASE_PATH || '/pd/playbook/') + '/').replace(/\/+/g, '/');
  const site = opt.site || buildSite(base);
  const nginx = await startNginx(site, base);
  const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  console.log(`# Lighthouse ${JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules/lighthouse/package.json'), 'utf8')).version}, ${chromePath}, mobile defaults, ${opt.runs} run(s) per page; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
  const medians = {};
  try {
    for (const [name, rel] of Object.entries(PAGES)) {
      const url = nginx.origin + base + rel;
      const runs = [];
      for (let i = 0; i < opt.runs; i++) {
        // A fresh browser (and profile) per run: nothing cached from the run before.
        const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
        try {
          const { lhr, report } = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error' });
          if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
          const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(lhr.categories[c].score * 100)]));
          runs.push({ lhr, scores });
          console.log(`${name} run ${i + 1}: ${CATEGORIES.map((c) => scores[c]).join('/')}  load ${os.loadavg()[0].toFixed(2)}`);
          if (opt.json) { fs.mkdirSync(opt.json, { recursive: true }); fs.writeFileSync(path.join(opt.json, `${name}-${i + 1}.json`), report); }
        } finally {
          await chrome.kill();
        }
      }
      const m = median(runs);
      medians[name] = m.scores;
      console.log(`${name} (${url}) median: ${CATEGORIES.map((c) => `${c} ${m.scores[c]}`).join(', ')}\n${describe(m.lhr)}`);
    }
  } finally {
    nginx.stop();
    if (!opt.site) fs.rmSync(site, { recursive: true, force: true });
  }
  console.log(`# load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opt.min !== null) {
    const low = Object.entries(medians).flatMap(([n, s]) => CATEGORIES.filter((c) => s[c] < opt.min).map((c) => `${n} ${c} ${s[c]}`));
    if (low.length) { console.error(`below ${opt.min}: ${low.join(', ')}`); process.exit(1); }
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
