// Tests for lib/serve.mjs, the static server the browser tests stand on:
// sub-path mount, index.html + 301 for directories, content types, 404.html, no escape from the root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { serve } from './lib/serve.mjs';

let tmp, site, server;

// A raw GET, so the path is sent exactly as written (fetch would normalise `..`).
function get(pathname) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-test-'));
  site = path.join(tmp, 'site');
  const files = {
    'index.html': '<p>home</p>',
    '404.html': '<p>custom not found</p>',
    'a/index.html': '<p>page a</p>',
    'style.css': 'p{}',
    'app.js': '1',
    'mod.mjs': '1',
    'data.json': '{}',
    'logo.svg': '<svg/>',
    'img.png': 'x',
    'atom.xml': '<feed/>',
    'font.woff2': 'x',
    'robots.txt': 'x',
  };
  for (const [name, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(site, name)), { recursive: true });
    fs.writeFileSync(path.join(site, name), body);
  }
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  server = await serve(site, '/pd/playbook/');
});
after(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('url is on 127.0.0.1 under the sub-path', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/pd\/playbook\/$/);
});

test('directories serve index.html; a directory without slash redirects', async () => {
  assert.match((await get('/pd/playbook/')).body, /home/);
  assert.match((await get('/pd/playbook/a/')).body, /page a/);
  for (const [from, to] of [['/pd/playbook/a', '/pd/playbook/a/'], ['/pd/playbook', '/pd/playbook/']]) {
    const r = await get(from);
    assert.equal(r.status, 301, from);
    assert.equal(r.headers.location, to);
  }
});

test('content types', async () => {
  const want = {
    'index.html': 'text/html', 'style.css': 'text/css', 'app.js': 'text/javascript',
    'mod.mjs': 'text/javascript', 'data.json': 'application/json', 'logo.svg': 'image/svg+xml',
    'img.png': 'image/png', 'atom.xml': 'application/xml', 'font.woff2': 'font/woff2',
    'robots.txt': 'text/plain',
  };
  for (const [file, type] of Object.entries(want)) {
    const r = await get('/pd/playbook/' + file);
    assert.equal(r.status, 200, file);
    assert.equal(r.headers['content-type'].split(';')[0], type, file);
  }
});

test("missing paths get the site's 404.html with status 404", async () => {
  for (const p of ['/pd/playbook/nope', '/pd/playbook/a/b/c/missing/']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.match(r.body, /custom not found/, p);
  }
  for (const p of ['/elsewhere/index.html', '/pd/playbooX/index.html']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.body, /home/, p);
  }
});

test('paths outside the root are refused', async () => {
  for (const p of ['/pd/playbook/../secret.txt', '/pd/playbook/..%2fsecret.txt', '/pd/playbook/%2e%2e/secret.txt']) {
    const r = await get(p);
    assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
    assert.doesNotMatch(r.body, /secret/, p);
  }
});
