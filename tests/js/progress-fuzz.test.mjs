// Fuzzing the progress import (themes/default/static/progress.js) with random and mutated JSON
// files: `validate` never throws, answers { state } or { error }, and whatever it lets through
// is safe (links on the site, times in bounds, ids that are ids, no prototype pollution) and
// survives merging, percentages and a second validation unchanged.
// Time: PLAYBOOK_FUZZ_SECS (default 10); PLAYBOOK_FUZZ_SEED replays a run (the seed is printed).
// A case slower than CASE_MS is a finding (a regular expression gone quadratic, say).
// Run: node --test tests/js/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP, NEVER, EARLIEST, SKEW_MS, emptyState, validate, merge, courseProgress, sameSiteUrl,
} from '../../themes/default/static/progress.js';

const SECS = Number(process.env.PLAYBOOK_FUZZ_SECS) || 10;
const SEED = Number(process.env.PLAYBOOK_FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const CASE_MS = 1000;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ORIGIN = 'https://district.example';

// mulberry32: small, seeded, good enough to pick from lists.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '', 'x', 'who-am-i', 'Bad Id', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '//evil.example/phish', '/\\evil.example/x', '/\t/evil.example', 'javascript:alert(1)', 'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>', 'https://evil.example/', '/pd/playbook/', '/pd/playbook/courses/c/l/',
  '/pd/playbook/../../x', '/pd/playbook/%2e%2e/x', '/pd/other/', '/', '#x', '?q', 'mailto:a@b',
  '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '9999-12-31T23:59:59.999Z', NEVER, EARLIEST,
  '2026-11-25T10:00:00.000Z', '2026-11-25', '2001-01-01T00:00:00.000Z', 'yesterday', '2026-13-45T99:99:99Z',
  '<img src=x onerror=alert(1)>', '\u0000', '\u202e', '\ud800', 'é'.repeat(50), 'a'.repeat(301), 'a'.repeat(20001),
  APP, 'playbook-progress ', '1', 'true', 'null',
];
const KEYS = ['app', 'schema', 'site', 'name', 'courses', 'reflections', 'lessons', 'last', 'lesson', 'at', 'done',
  'title', 'quiz', 'best', 'passed', 'text', 'prompt', 'page', 'url', '__proto__', 'constructor', 'prototype',
  'c', 'l', 'who-am-i', 'teach', 'Bad Id', 'x'.repeat(101)];

// JSON text, so that keys like "__proto__" arrive as JSON.parse makes them: own properties.
function randomJson(r, depth = 0) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const n = r();
  if (depth > 4 || n < 0.35) {
    const k = r();
    if (k < 0.5) return JSON.stringify(pick(STRINGS));
    if (k < 0.7) return pick(['0', '-0', '1', '50', '100', '101', '-1', '1.5', '1e308', '-1e308', '1e-7', '12345678901234567890']);
    return pick(['true', 'false', 'null']);
  }
  if (n < 0.5) return `[${Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1)).join(',')}]`;
  const entries = Array.from({ length: Math.floor(r() * 5) }, () => `${JSON.stringify(pick(KEYS))}:${randomJson(r, depth + 1)}`);
  return `{${entries.join(',')}}`;
}

const SITE = '/pd/playbook/';
const NOW = Date.parse('2026-12-01T00:00:00.000Z');

// A valid record, then one random change somewhere in it (as JSON text).
function mutated(r) {
  const s = emptyState(r() < 0.2 ? '/' : SITE);
  s.name = 'Ada';
  s.courses.teach = {
    lessons: { 'who-am-i': { done: true, at: '2026-11-25T10:01:00.000Z', title: 'Who' }, quizzed: { done: false, at: NEVER, quiz: { best: 50, passed: false } } },
    last: { lesson: 'who-am-i', at: '2026-11-25T10:02:00.000Z' },
  };
  s.reflections['teach/who-am-i/r'] = { text: 'Mine.', at: '2026-11-25T10:03:00.000Z', prompt: 'p', page: 'P', url: `${s.site}courses/teach/who-am-i/` };
  const paths = [];
  const walk = (o, p) => {
    for (const [k, v] of Object.entries(o)) {
      paths.push([...p, k]);
      if (v && typeof v === 'object') walk(v, [...p, k]);
    }
  };
  walk(s, []);
  const text = JSON.stringify(s);
  const marker = '"__FUZZ__"';
  const path = paths[Math.floor(r() * paths.length)];
  let target = s;
  for (const k of path.slice(0, -1)) target = target[k];
  const action = r();
  if (action < 0.6) target[path.at(-1)] = '__FUZZ__';
  else if (action < 0.8) delete target[path.at(-1)];
  else target[`__NEW__${Math.floor(r() * 1e6)}`] = '__FUZZ__';
  const changed = JSON.stringify(s).replace(/"__NEW__\d+"/g, () => JSON.stringify(KEYS[Math.floor(r() * KEYS.length)]));
  return changed.includes(marker) ? changed.replace(marker, randomJson(r)) : changed || text;
}

/** What is wrong with a record that `validate` let through (an empty list: nothing). */
export function problems(state, site, now) {
  const out = [];
  const time = (t, where) => {
    if (t === NEVER) return;
    const ms = Date.parse(t);
    if (typeof t !== 'string' || Number.isNaN(ms) || ms < Date.parse(EARLIEST) || ms > now + SKEW_MS) out.push(`${where}: time ${JSON.stringify(t)}`);
  };
  const proto = (o, where) => {
    const p = Object.getPrototypeOf(o);
    if (p !== Object.prototype && p !== null) out.push(`${where}: prototype replaced`);
  };
  proto(state, 'record');
  proto(state.courses, 'courses');
  proto(state.reflections, 'reflections');
  if (state.site !== site) out.push(`site ${JSON.stringify(state.site)}`);
  for (const [cid, c] of Object.entries(state.courses)) {
    if (!ID.test(cid)) out.push(`course id ${JSON.stringify(cid)}`);
    proto(c.lessons, `course ${cid}`);
    for (const [lid, l] of Object.entries(c.lessons)) {
      if (!ID.test(lid)) out.push(`lesson id ${JSON.stringify(lid)}`);
      if (typeof l.done !== 'boolean') out.push(`lesson ${lid}: done`);
      time(l.at, `lesson ${lid}`);
      if (l.quiz && !(l.quiz.best >= 0 && l.quiz.best <= 100)) out.push(`lesson ${lid}: quiz`);
    }
    if (c.last) {
      if (!ID.test(c.last.lesson)) out.push('continue mark: lesson');
      time(c.last.at, 'continue mark');
    }
  }
  for (const [key, r] of Object.entries(state.reflections)) {
    time(r.at, `reflection ${key}`);
    if (r.url !== '') {
      const u = new URL(r.url, ORIGIN + site);
      if (u.origin !== ORIGIN || !u.pathname.startsWith(site) || sameSiteUrl(r.url, site) !== r.url) out.push(`reflection ${key}: link ${JSON.stringify(r.url)}`);
    }
  }
  return out;
}

function checkCase(text, now) {
  let raw;
  try { raw = JSON.parse(text); } catch { return []; }
  const site = raw && typeof raw === 'object' && typeof raw.site === 'string' && raw.site.startsWith('/') ? raw.site : SITE;
  const v = validate(raw, site, { now });
  const found = [];
  if (Boolean(v.state) === Boolean(v.error)) found.push('validate gave both or neither of state and error');
  if (v.error !== undefined && (typeof v.error !== 'string' || !v.error || v.error.length > 500)) found.push(`error ${JSON.stringify(v.error).slice(0, 80)}`);
  if (v.state) {
    found.push(...problems(v.state, site, now));
    const again = validate(JSON.parse(JSON.stringify(v.state)), site, { now });
    assert.deepEqual(again.state, v.state, 'validating a validated record again changed it');
    const merged = merge(merge(emptyState(site), v.state), v.state);
    found.push(...problems(merged, site, now).map((p) => `after merging: ${p}`));
    for (const cid of Object.keys(v.state.courses)) {
      const p = courseProgress(v.state, cid, [{ id: 'who-am-i' }, { id: 'other' }]);
      if (!(p.percent >= 0 && p.percent <= 100)) found.push(`percent ${p.percent}`);
    }
  }
  for (const probe of [{}, Object.prototype]) {
    for (const k of ['polluted', 'lessons', 'text', 'at']) if (k in probe && !Object.hasOwn(Object.prototype, k)) found.push(`Object.prototype polluted with ${k}`);
  }
  return found;
}

test(`fuzz the progress import (seed ${SEED}: PLAYBOOK_FUZZ_SEED=${SEED} replays it; ${SECS} s)`, { timeout: (SECS + 60) * 1000 }, () => {
  const r = rng(SEED);
  const deadline = Date.now() + SECS * 1000;
  const findings = [];
  let cases = 0;
  let accepted = 0;
  while (Date.now() < deadline && findings.length < 20) {
    const text = r() < 0.7 ? mutated(r) : randomJson(r);
    const now = r() < 0.5 ? NOW : Date.now();
    const start = performance.now();
    let found;
    try {
      found = checkCase(text, now);
    } catch (e) {
      found = [`threw ${e && e.message}`];
    }
    const ms = performance.now() - start;
    if (ms > CASE_MS) found.push(`slow: ${Math.round(ms)} ms`);
    if (found.length) findings.push(`${found.join('; ')}\n    in ${text.slice(0, 400)}`);
    try { if (validate(JSON.parse(text), SITE, { now }).state) accepted++; } catch { /* not JSON */ }
    cases++;
  }
  console.log(`progress import fuzz: ${cases} cases, ${accepted} accepted, seed ${SEED}`);
  assert.ok(cases > 100, `only ${cases} cases in ${SECS} s`);
  assert.deepEqual(findings, [], `seed ${SEED}`);
});

test('the fuzz checker can fail: it finds what a broken validate would let through', () => {
  const s = emptyState(SITE);
  s.courses['Bad Id'] = { lessons: { 'who-am-i': { done: 'yes', at: '+275760-09-13T00:00:00.000Z' } }, last: { lesson: 'x', at: '2001-01-01T00:00:00.000Z' } };
  s.reflections.k = { text: 't', at: NEVER, prompt: '', page: '', url: '//evil.example/phish' };
  s.reflections.j = { text: 't', at: NEVER, prompt: '', page: '', url: '/\\evil.example/x' };
  const found = problems(s, SITE, NOW).join('\n');
  for (const p of [/course id "Bad Id"/, /lesson who-am-i: done/, /lesson who-am-i: time/, /continue mark: time/, /reflection k: link/, /reflection j: link/]) {
    assert.match(found, p);
  }
  assert.deepEqual(problems(validate(JSON.parse(mutated(rng(1))), SITE, { now: NOW }).state || emptyState(SITE), SITE, NOW), []);
});
