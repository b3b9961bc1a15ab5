// HTML validity of every page of a built site: the W3C Nu HTML Checker (vnu.jar, from npm,
// run with the system Java 17+) over all .html files in SITE_DIR, in one run.
// Errors fail the test; warnings are printed only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VNU = path.join(HERE, 'node_modules/vnu-jar/build/dist/vnu.jar');
const SITE_DIR = process.env.SITE_DIR;

test('Nu HTML Checker: no errors in any page', (t) => {
  assert.ok(SITE_DIR && fs.existsSync(path.join(SITE_DIR, 'index.html')), `SITE_DIR must name a built site (got ${SITE_DIR})`);
  const root = path.resolve(SITE_DIR);
  const run = spawnSync('java', ['-jar', VNU, '--format', 'json', '--skip-non-html', root], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.error, undefined, `could not run java: ${run.error}`);
  let messages;
  try {
    ({ messages } = JSON.parse(run.stderr));
  } catch {
    assert.fail(`vnu did not print JSON (exit ${run.status}):\n${run.stderr.slice(0, 2000)}`);
  }
  const where = (m) => `${decodeURIComponent((m.url || '').replace(/^file:/, '')).replace(root + '/', '')}:${m.lastLine ?? '?'}`;
  const show = (m, sep = '\n    ') => `${where(m)}: ${m.message}${m.extract ? sep + m.extract.replace(/\s+/g, ' ').trim() : ''}`;

  for (const m of messages.filter((m) => m.type === 'info' && m.subType === 'warning')) t.diagnostic(`warning ${show(m, ' | ')}`);
  const errors = messages.filter((m) => m.type === 'error' || m.type === 'non-document-error');
  assert.equal(errors.length, 0, `${errors.length} Nu checker error(s):\n${errors.map((m) => show(m)).join('\n')}`);
});
