// Unit tests of the pure functions of themes/default/static/progress.js: migration, validation
// of stored and imported records, merging two records, the updates a page makes (completion,
// visits, quiz scores), course percentages, quiz scoring and the reflections document.
// No browser: tests/browser/progress.test.mjs drives the pages.
// Run: node --test tests/js/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  APP, SCHEMA, MAX_IMPORT_BYTES, NEVER, EARLIEST, SKEW_MS, storageKey, emptyState, migrate, validate, merge,
  setLesson, recordVisit, recordQuiz, courseProgress, scoreQuiz, reflectionsDocument, sameSiteUrl,
  resumeLesson, lessonPlace, playMeter, t, percent,
} from '../../themes/default/static/progress.js';
import { readTable, useStrings } from './strings.mjs';

useStrings('en');

const SITE = '/pd/playbook/';
// Times in the format's lifetime (it was first published on 2026-11-23).
const T = (minute) => new Date(Date.UTC(2026, 10, 25, 10, minute)).toISOString();
const clone = (v) => JSON.parse(JSON.stringify(v));

// A full, valid record: two courses, a quiz score, a "continue" mark, a reflection.
function sample() {
  const s = emptyState(SITE);
  s.name = 'Ada Lovelace';
  s.courses['rccp-foundations'] = {
    lessons: {
      'who-am-i': { done: true, at: T(1), title: 'Who am I?' },
      'the-iceberg': { done: false, at: T(2), title: 'The cultural iceberg', quiz: { best: 50, passed: false } },
    },
    last: { lesson: 'the-iceberg', at: T(3) },
  };
  s.courses['second-course'] = { lessons: { intro: { done: true, at: T(4) } } };
  s.reflections['rccp-foundations/who-am-i/reflection-1'] = {
    text: 'My answer.', at: T(5), prompt: 'Who are you?', page: 'Who am I?', url: `${SITE}courses/rccp/who-am-i/`,
  };
  return s;
}
const ok = (raw, site = SITE) => {
  const v = validate(raw, site);
  assert.equal(v.error, undefined, `validate refused a valid record: ${v.error}`);
  return v.state;
};
const refused = (raw, pattern, site = SITE) => {
  const v = validate(raw, site);
  assert.ok(v.error, `validate accepted what it should refuse: ${JSON.stringify(raw).slice(0, 300)}`);
  assert.equal(v.state, undefined, 'a refusal carries no state');
  if (pattern) assert.match(v.error, pattern);
  return v.error;
};
const withLesson = (lesson, lid = 'a-lesson') => {
  const s = emptyState(SITE);
  s.courses.course = { lessons: { [lid]: lesson } };
  return s;
};

// ---------------------------------------------------------------- basics
test('storage key and the empty record name the site', () => {
  assert.equal(storageKey('/a/'), 'playbook-progress:/a/');
  assert.notEqual(storageKey('/a/'), storageKey('/b/'));
  assert.deepEqual(emptyState('/a/'), { app: APP, schema: SCHEMA, site: '/a/', name: '', courses: {}, reflections: {} });
  assert.equal(APP, 'playbook-progress');
  assert.equal(SCHEMA, 1);
  assert.ok(MAX_IMPORT_BYTES >= 64 * 1024 && MAX_IMPORT_BYTES < 10 * 1024 * 1024, `MAX_IMPORT_BYTES is ${MAX_IMPORT_BYTES}`);
});

// ---------------------------------------------------------------- migrate
describe('migrate', () => {
  test('refuses what is not a record of this app', () => {
    for (const raw of [null, undefined, 0, 'playbook-progress', [], {}, { app: 'other-app', schema: 1 }, { schema: 1 }]) {
      const m = migrate(raw);
      assert.ok(m.error, `accepted ${JSON.stringify(raw)}`);
      assert.match(m.error, /not a progress file/);
      assert.equal(m.state, undefined);
    }
  });
  test('refuses a record that does not say its schema, or says it badly', () => {
    for (const schema of [undefined, null, 0, -1, 1.5, '1', true]) {
      const m = migrate({ app: APP, schema, site: SITE, courses: {}, reflections: {} });
      assert.ok(m.error, `accepted schema ${JSON.stringify(schema)}`);
      assert.match(m.error, /format/);
    }
  });
  test('refuses a record from a newer schema, saying so', () => {
    const m = migrate({ ...emptyState(SITE), schema: SCHEMA + 1 });
    assert.ok(m.error);
    assert.match(m.error, /newer version/);
  });
  test('accepts the current schema unchanged', () => {
    const s = sample();
    const m = migrate(s);
    assert.equal(m.error, undefined);
    assert.deepEqual(m.state, sample());
  });
});

// ---------------------------------------------------------------- validate
describe('validate', () => {
  test('a full record passes and comes back equal', () => {
    assert.deepEqual(ok(sample()), sample());
  });

  test('a record survives a JSON round trip (export, then import)', () => {
    assert.deepEqual(ok(JSON.parse(JSON.stringify(sample(), null, 2))), sample());
  });

  test('refuses a record from another site, naming it', () => {
    const err = refused({ ...sample(), site: '/other/' }, /another site/);
    assert.match(err, /\/other\//);
    refused({ ...sample(), site: undefined }, /another site/);
    // Long foreign site names are cut short in the message.
    const long = refused({ ...sample(), site: '/' + 'x'.repeat(500) + '/' });
    assert.ok(long.length < 300, `message is ${long.length} characters`);
  });

  test('passes migration errors through', () => {
    refused({ ...sample(), schema: SCHEMA + 1 }, /newer version/);
    refused({ ...sample(), app: 'nope' }, /not a progress file/);
  });

  test('refuses damaged containers', () => {
    for (const patch of [{ courses: [] }, { courses: null }, { reflections: [] }, { reflections: 'x' }, { name: 5 },
      { name: 'n'.repeat(301) }]) {
      refused({ ...sample(), ...patch }, /damaged/);
    }
  });

  test('course and lesson ids: lowercase words joined by single hyphens, at most 100 characters', () => {
    for (const bad of ['Bad', 'bad_id', 'a--b', '-a', 'a-', '', 'a b', 'é', '__proto__', 'x'.repeat(101)]) {
      const c = emptyState(SITE);
      c.courses = { [bad]: { lessons: {} } }; // a computed key: an own property even for "__proto__"
      refused(c, /course/);
      refused(withLesson({ done: true, at: T(1) }, bad), /lesson/);
    }
    for (const good of ['a', 'a-b', 'lesson-2', '2025', 'x'.repeat(100)]) {
      const c = emptyState(SITE);
      c.courses[good] = { lessons: {} };
      ok(c);
      ok(withLesson({ done: true, at: T(1) }, good));
    }
  });

  test('times must be dates in strings of at most 40 characters', () => {
    for (const at of [undefined, null, 12345, '', 'yesterday', 'not a date', '2025-13-45T99:99:99Z', `${T(1)}${' '.repeat(40)}`]) {
      refused(withLesson({ done: true, at }), /lesson/);
    }
    ok(withLesson({ done: true, at: T(1) }));
    ok(withLesson({ done: true, at: '2026-11-25' }));
    const s = sample();
    s.courses['rccp-foundations'].last.at = 'soon';
    refused(s, /continue/);
    const r = sample();
    r.reflections['rccp-foundations/who-am-i/reflection-1'].at = 'never';
    refused(r, /reflection/);
  });

  test('a lesson needs a boolean done; the continue mark needs a valid lesson id', () => {
    for (const done of [undefined, 'true', 1, null]) refused(withLesson({ done, at: T(1) }), /lesson/);
    for (const last of [null, 'who-am-i', { lesson: 'Bad Id', at: T(1) }, { at: T(1) }, { lesson: 'who-am-i' }]) {
      const s = sample();
      s.courses['rccp-foundations'].last = last;
      refused(s, /continue/);
    }
  });

  test('lengths: titles up to 300 characters, reflection text up to 20,000', () => {
    ok(withLesson({ done: true, at: T(1), title: 't'.repeat(300) }));
    refused(withLesson({ done: true, at: T(1), title: 't'.repeat(301) }), /lesson/);
    refused(withLesson({ done: true, at: T(1), title: 42 }), /lesson/);
    const key = 'c/l/reflection-1';
    const refl = (patch) => { const s = emptyState(SITE); s.reflections[key] = { text: 'x', at: T(1), prompt: 'p', page: 'P', url: `${SITE}u/`, ...patch }; return s; };
    ok(refl({ text: 'x'.repeat(20000) }));
    refused(refl({ text: 'x'.repeat(20001) }), /reflection/);
    refused(refl({ text: undefined }), /reflection/);
    refused(refl({ prompt: 'p'.repeat(20001) }), /reflection/);
    refused(refl({ page: 'p'.repeat(301) }), /reflection/);
    refused(refl({ url: '/' + 'u'.repeat(300) }), /reflection/);
    const longKey = emptyState(SITE);
    longKey.reflections['k'.repeat(301)] = { text: 'x', at: T(1) };
    refused(longKey, /reflection/);
    // Optional strings default to ''.
    const bare = emptyState(SITE);
    bare.reflections[key] = { text: 'x', at: T(1) };
    assert.deepEqual(ok(bare).reflections[key], { text: 'x', at: T(1), prompt: '', page: '', url: '' });
  });

  test('quiz scores: { best: 0..100, passed: boolean }', () => {
    for (const quiz of [null, [], 'passed', { best: 50 }, { passed: true }, { best: -1, passed: false },
      { best: 101, passed: true }, { best: '50', passed: false }, { best: NaN, passed: false },
      { best: Infinity, passed: true }, { best: 50, passed: 'yes' }]) {
      refused(withLesson({ done: false, at: T(1), quiz }), /lesson/);
    }
    for (const quiz of [{ best: 0, passed: false }, { best: 100, passed: true }, { best: 66.5, passed: false }]) {
      assert.deepEqual(ok(withLesson({ done: false, at: T(1), quiz })).courses.course.lessons['a-lesson'].quiz, quiz);
    }
  });

  test('more than 5,000 entries (lessons and reflections together) are refused', () => {
    const many = (lessons, reflections) => {
      const s = emptyState(SITE);
      s.courses.c = { lessons: {} };
      for (let i = 0; i < lessons; i++) s.courses.c.lessons[`l${i}`] = { done: true, at: T(1) };
      for (let i = 0; i < reflections; i++) s.reflections[`c/l/r${i}`] = { text: 'x', at: T(1) };
      return s;
    };
    ok(many(5000, 0));
    ok(many(4000, 1000));
    refused(many(5001, 0), /more entries/);
    refused(many(4999, 2), /more entries/);
    refused(many(0, 5001), /more entries/);
    // Such a file still fits under the import size limit, so this check is what stops it.
    assert.ok(JSON.stringify(many(5001, 0)).length < MAX_IMPORT_BYTES);
  });

  test('keeps only known fields, in their expected shape', () => {
    const s = sample();
    s.extra = 'x';
    s.courses['rccp-foundations'].extra = 'x';
    s.courses['rccp-foundations'].lessons['who-am-i'].extra = 'x';
    s.courses['rccp-foundations'].lessons['the-iceberg'].quiz.extra = 'x';
    s.courses['rccp-foundations'].last.extra = 'x';
    s.reflections['rccp-foundations/who-am-i/reflection-1'].extra = 'x';
    assert.deepEqual(ok(s), sample());
  });

  test('HTML in strings is kept as the same plain string (never parsed, never dropped)', () => {
    const html = '<img src=x onerror="alert(1)"><script>alert(2)</script>&amp;';
    const s = withLesson({ done: true, at: T(1), title: html });
    s.name = html;
    s.reflections['c/l/r'] = { text: html, at: T(1), prompt: html, page: html, url: `${SITE}u/` };
    const v = ok(s);
    assert.equal(v.courses.course.lessons['a-lesson'].title, html);
    assert.equal(v.name, html);
    assert.deepEqual(v.reflections['c/l/r'], { text: html, at: T(1), prompt: html, page: html, url: `${SITE}u/` });
  });

  const POLLUTING = [
    JSON.stringify({ app: APP, schema: 1, site: SITE, name: '', courses: {}, reflections: {} }).slice(0, -1) + ',"__proto__":{"polluted":"top"}}',
    `{"app":"${APP}","schema":1,"site":"${SITE}","name":"","reflections":{},` +
      '"courses":{"__proto__":{"lessons":{"x":{"done":true,"at":"2026-11-25"}},"polluted":"course"}}}',
    `{"app":"${APP}","schema":1,"site":"${SITE}","name":"","reflections":{},` +
      '"courses":{"c":{"lessons":{"__proto__":{"done":true,"at":"2026-11-25","polluted":"lesson"}}}}}',
    `{"app":"${APP}","schema":1,"site":"${SITE}","name":"","courses":{},` +
      '"reflections":{"__proto__":{"text":"t","at":"2026-11-25","polluted":"reflection"}}}',
    `{"app":"${APP}","schema":1,"site":"${SITE}","name":"","courses":{},` +
      '"reflections":{"constructor":{"text":"t","at":"2026-11-25"},"prototype":{"text":"t","at":"2026-11-25"}}}',
    `{"__proto__":{"app":"${APP}","schema":1,"site":"${SITE}","courses":{},"reflections":{}}}`,
  ];

  test('"__proto__", "constructor" and "prototype" keys in a file do not pollute Object.prototype', () => {
    for (const f of POLLUTING) {
      const v = validate(JSON.parse(f), SITE);
      if (v.state) {
        const m = merge(emptyState(SITE), v.state);
        merge(m, v.state);
      }
      for (const probe of [{}, Object.prototype, emptyState(SITE).courses, emptyState(SITE).reflections]) {
        assert.equal(probe.polluted, undefined, `Object.prototype polluted by ${f}`);
        assert.equal(probe.text, undefined, `Object.prototype polluted by ${f}`);
        assert.equal(probe.lessons, undefined, `Object.prototype polluted by ${f}`);
      }
    }
    // Ids with "__proto__" are not ids; a file wrapped in "__proto__" is not taken for a record.
    refused(JSON.parse(POLLUTING[1]), /course/);
    refused(JSON.parse(POLLUTING[2]), /lesson/);
    refused(JSON.parse(POLLUTING.at(-1)), /not a progress file/);
  });

  test('a reflection keyed "__proto__" is kept as data or refused, never made the prototype of the record', () => {
    for (const f of POLLUTING.slice(3, 5)) {
      const v = validate(JSON.parse(f), SITE);
      if (v.error) continue;
      for (const o of [v.state, v.state.courses, v.state.reflections]) {
        const proto = Object.getPrototypeOf(o);
        assert.ok(proto === Object.prototype || proto === null, `a container's prototype was replaced by ${f}: ${JSON.stringify(proto)}`);
      }
      assert.deepEqual(ok(JSON.parse(JSON.stringify(v.state))), v.state, `not a stable round trip: ${f}`);
    }
  });

  test('a reflection link must be a page of this site, not a javascript: or foreign URL', () => {
    // My learning turns each reflection's url into a link: an imported file must not be able to
    // make that link run script or lead off the site.
    for (const url of ['javascript:alert(document.domain)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'https://evil.example/', '//evil.example/']) {
      const s = emptyState(SITE);
      s.reflections['c/l/r'] = { text: 'x', at: T(1), prompt: 'p', page: 'P', url };
      const v = validate(s, SITE);
      const kept = v.state?.reflections['c/l/r']?.url;
      assert.ok(v.error || kept === '' || kept?.startsWith(SITE),
        `validate kept the reflection link ${JSON.stringify(kept)}; it must refuse it or keep only a path under ${SITE}`);
    }
    const good = emptyState(SITE);
    good.reflections['c/l/r'] = { text: 'x', at: T(1), prompt: 'p', page: 'P', url: `${SITE}courses/c/l/` };
    assert.equal(ok(good).reflections['c/l/r'].url, `${SITE}courses/c/l/`);
  });
});

// ---------------------------------------------------------------- hostile imports
describe('hostile imports', () => {
  // Links in a record are parsed as URLs, never compared by prefix: with the base path `/`, every
  // string that starts with `/` passed the old check, `//evil.example/phish` included.
  const HOSTILE_URLS = [
    '//evil.example/phish', '/\\evil.example/x', '\\\\evil.example/x', '/\t/evil.example/x', ' //evil.example/x',
    'https://evil.example/', 'http://evil.example/pd/playbook/', 'javascript:alert(1)',
    'JaVaScRiPt:alert(1)', 'data:text/html,x', 'blob:https://evil.example/x', 'mailto:a@evil.example',
    'https://user:pass@evil.example/',
  ];
  // Same origin, but out of a sub-path site.
  const OUT_OF_SUBPATH = ['/%2e%2e/evil', '/pd/playbook/../../evil/', '/pd/playbook/%2E%2E/x/', '/'];
  const reflectionWith = (url, site) => {
    const s = emptyState(site);
    s.reflections['c/l/r'] = { text: 'x', at: T(1), prompt: 'p', page: 'P', url };
    return s;
  };

  for (const site of ['/', SITE]) {
    test(`a reflection link that leaves the site is refused (base path ${site})`, () => {
      for (const url of site === '/' ? HOSTILE_URLS : [...HOSTILE_URLS, ...OUT_OF_SUBPATH]) {
        assert.equal(sameSiteUrl(url, site), null, `sameSiteUrl accepted ${JSON.stringify(url)} under ${site}`);
        refused(reflectionWith(url, site), /not a page of this site/, site);
      }
    });
    test(`a reflection link to a page of the site is kept, as a path (base path ${site})`, () => {
      for (const [url, kept] of [[`${site}lessons/x/`, `${site}lessons/x/`], [`${site}a/?q=1#h`, `${site}a/?q=1#h`], [site, site], ['', '']]) {
        assert.equal(sameSiteUrl(url, site), kept);
        assert.equal(ok(reflectionWith(url, site), site).reflections['c/l/r'].url, kept);
      }
    });
  }
  test('a link to another sub-path of the same host is not this site', () => {
    assert.equal(sameSiteUrl('/pd/other/', SITE), null);
    assert.equal(sameSiteUrl('/pd/playbookx/', SITE), null);
    refused(reflectionWith('/pd/other/', SITE), /not a page of this site/);
  });

  // Found by tests/js/progress-fuzz.test.mjs: what validate keeps must validate again, unchanged.
  test('regression: a continue mark whose lesson is a number, not an id string, is refused', () => {
    for (const lesson of [0, -0, 5, true]) {
      const s = sample();
      s.courses['rccp-foundations'].last.lesson = lesson;
      refused(s, /continue/);
    }
  });
  test('regression: a quiz score of -0 comes back as 0, so a record survives a JSON round trip', () => {
    const v = ok(withLesson({ done: false, at: T(1), quiz: { best: -0, passed: false } }));
    assert.ok(Object.is(v.courses.course.lessons['a-lesson'].quiz.best, 0));
    assert.deepEqual(ok(clone(v)), v);
  });
  test('regression: a link that grows past 300 characters when parsed (percent-encoding) is refused', () => {
    const url = `${SITE}${'é'.repeat(60)}/`;
    assert.ok(url.length <= 300);
    assert.equal(sameSiteUrl(url, SITE), null);
    refused(reflectionWith(url, SITE), /not a page of this site/);
  });

  const FAR = '+275760-09-13T00:00:00.000Z';
  const NOW = Date.parse(T(30));
  const at = (ms) => new Date(ms).toISOString();
  test('a time in the future (beyond a day of clock skew) is refused everywhere a record has one', () => {
    for (const t of [FAR, '9999-12-31T23:59:59.999Z', at(NOW + SKEW_MS + 60_000), at(NOW + 30 * SKEW_MS)]) {
      const lesson = withLesson({ done: false, at: t });
      assert.match(validate(lesson, SITE, { now: NOW }).error, /lesson .* in the future/);
      const last = sample();
      last.courses['rccp-foundations'].last.at = t;
      assert.match(validate(last, SITE, { now: NOW }).error, /continue.* in the future/);
      const refl = reflectionWith(`${SITE}u/`, SITE);
      refl.reflections['c/l/r'].at = t;
      assert.match(validate(refl, SITE, { now: NOW }).error, /reflection.* in the future/);
    }
    // Another device's clock may be a little ahead.
    assert.equal(validate(withLesson({ done: true, at: at(NOW + SKEW_MS - 60_000) }), SITE, { now: NOW }).error, undefined);
  });
  test('a time before the format existed is refused, except the "never" of a quiz-only lesson', () => {
    for (const t of ['2026-11-22T23:59:59.999Z', '2001-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '1970-01-01T00:00:00.001Z']) {
      assert.match(validate(withLesson({ done: true, at: t }), SITE, { now: NOW }).error, /before this site kept progress/);
    }
    assert.equal(validate(withLesson({ done: true, at: EARLIEST }), SITE, { now: NOW }).error, undefined);
    // recordQuiz gives a lesson without a completion the time NEVER; such records export and import.
    const quizOnly = recordQuiz(emptyState(SITE), 'c', 'l', 50, false, T(1));
    assert.equal(quizOnly.courses.c.lessons.l.at, NEVER);
    assert.deepEqual(validate(clone(quizOnly), SITE, { now: NOW }).state, quizOnly);
  });
  test('a far-future undo cannot take a finished lesson away', () => {
    const mine = setLesson(emptyState(SITE), 'c', 'l', true, T(1));
    const hostile = setLesson(emptyState(SITE), 'c', 'l', false, FAR);
    const v = validate(clone(hostile), SITE, { now: NOW });
    assert.ok(v.error, 'the hostile file was accepted');
    assert.equal(v.state, undefined);
    assert.equal(mine.courses.c.lessons.l.done, true);
  });
  test('this browser\'s own record keeps old times, and a future time in it stops winning merges', () => {
    const stored = setLesson(emptyState(SITE), 'c', 'l', false, FAR);
    setLesson(stored, 'c', 'old', true, '2024-03-10T03:00:00.000Z');
    const v = validate(clone(stored), SITE, { now: NOW, stored: true });
    assert.equal(v.error, undefined);
    assert.equal(v.state.courses.c.lessons.l.at, NEVER);
    assert.equal(v.state.courses.c.lessons.old.at, '2024-03-10T03:00:00.000Z');
    const later = setLesson(emptyState(SITE), 'c', 'l', true, T(2));
    assert.equal(merge(v.state, later).courses.c.lessons.l.done, true);
  });
});

// ---------------------------------------------------------------- merge
describe('merge', () => {
  const lessonOf = (s, lid = 'l1', cid = 'c') => s.courses[cid]?.lessons[lid];
  const one = (lesson, lid = 'l1', cid = 'c') => {
    const s = emptyState(SITE);
    s.courses[cid] = { lessons: { [lid]: lesson } };
    return s;
  };

  test('the newest change of each lesson wins, whichever side it is on', () => {
    const a = one({ done: true, at: T(1), title: 'Old' });
    const b = one({ done: true, at: T(2), title: 'New' });
    assert.equal(lessonOf(merge(a, b)).title, 'New');
    assert.equal(lessonOf(merge(b, a)).title, 'New');
    // Per lesson, not per course or per file.
    a.courses.c.lessons.l2 = { done: true, at: T(9), title: 'A newer' };
    b.courses.c.lessons.l2 = { done: false, at: T(8), title: 'B older' };
    for (const m of [merge(a, b), merge(b, a)]) {
      assert.equal(lessonOf(m).title, 'New');
      assert.deepEqual(lessonOf(m, 'l2'), { done: true, at: T(9), title: 'A newer' });
    }
  });

  test('an undo newer than the completion wins; a completion newer than the undo wins', () => {
    const done = one({ done: true, at: T(1) });
    const undone = one({ done: false, at: T(2) });
    assert.equal(lessonOf(merge(done, undone)).done, false);
    assert.equal(lessonOf(merge(undone, done)).done, false);
    const redone = one({ done: true, at: T(3) });
    assert.equal(lessonOf(merge(undone, redone)).done, true);
    assert.equal(lessonOf(merge(redone, undone)).done, true);
  });

  test('times are compared as times, not as strings', () => {
    const a = one({ done: true, at: '2026-11-25T10:00:00.000Z' });
    const b = one({ done: false, at: '2026-11-25T09:30:00.000-01:00' }); // 10:30 UTC: newer
    assert.equal(lessonOf(merge(a, b)).done, false);
    assert.equal(lessonOf(merge(b, a)).done, false);
  });

  test('reflections: the newest text wins, whichever side it is on; others are kept', () => {
    const a = emptyState(SITE);
    const b = emptyState(SITE);
    a.reflections.k = { text: 'old', at: T(1), prompt: '', page: '', url: '' };
    b.reflections.k = { text: 'new', at: T(2), prompt: '', page: '', url: '' };
    a.reflections.onlyA = { text: 'a', at: T(1), prompt: '', page: '', url: '' };
    b.reflections.onlyB = { text: 'b', at: T(1), prompt: '', page: '', url: '' };
    for (const m of [merge(a, b), merge(b, a)]) {
      assert.equal(m.reflections.k.text, 'new');
      assert.equal(m.reflections.onlyA.text, 'a');
      assert.equal(m.reflections.onlyB.text, 'b');
    }
  });

  test('disjoint courses and lessons are all kept; the newest continue mark wins', () => {
    const a = one({ done: true, at: T(1) }, 'l1', 'course-a');
    a.courses['course-a'].last = { lesson: 'l1', at: T(5) };
    a.courses.shared = { lessons: { x: { done: true, at: T(1) } }, last: { lesson: 'x', at: T(1) } };
    const b = one({ done: true, at: T(2) }, 'l9', 'course-b');
    b.courses.shared = { lessons: { y: { done: true, at: T(1) } }, last: { lesson: 'y', at: T(2) } };
    for (const m of [merge(a, b), merge(b, a)]) {
      assert.deepEqual(Object.keys(m.courses).sort(), ['course-a', 'course-b', 'shared']);
      assert.deepEqual(lessonOf(m, 'l1', 'course-a'), { done: true, at: T(1) });
      assert.deepEqual(lessonOf(m, 'l9', 'course-b'), { done: true, at: T(2) });
      assert.deepEqual(Object.keys(m.courses.shared.lessons).sort(), ['x', 'y']);
      assert.deepEqual(m.courses['course-a'].last, { lesson: 'l1', at: T(5) });
      assert.deepEqual(m.courses.shared.last, { lesson: 'y', at: T(2) });
      assert.equal(m.courses['course-b'].last, undefined);
      ok(m);
    }
  });

  test('merging a record with an empty one gives it back exactly (export, clear, import)', () => {
    assert.deepEqual(merge(emptyState(SITE), ok(clone(sample()))), sample());
    assert.deepEqual(merge(sample(), emptyState(SITE)), sample());
    assert.deepEqual(merge(sample(), sample()), sample());
  });

  test('does not change its inputs', () => {
    const a = sample();
    const b = one({ done: false, at: T(30) }, 'who-am-i', 'rccp-foundations');
    const m = merge(a, b);
    assert.deepEqual(a, sample());
    assert.deepEqual(b, one({ done: false, at: T(30) }, 'who-am-i', 'rccp-foundations'));
    setLesson(m, 'rccp-foundations', 'new-one', true, T(31));
    recordVisit(m, 'rccp-foundations', 'new-one', T(31));
    assert.deepEqual(a, sample());
  });

  test('keeps lessons and reflections whose ids are also Object.prototype names', () => {
    // "constructor" is a valid id (lowercase letters); a lookup on a plain object finds
    // Object.prototype.constructor when the key is missing on one side.
    const b = one({ done: true, at: T(2), title: 'Constructor lesson' }, 'constructor');
    b.reflections.constructor = { text: 'kept', at: T(2), prompt: '', page: '', url: '' };
    const m = merge(emptyState(SITE), ok(clone(b)));
    assert.deepEqual(m.courses.c.lessons.constructor, { done: true, at: T(2), title: 'Constructor lesson' });
    assert.deepEqual(m.reflections.constructor, { text: 'kept', at: T(2), prompt: '', page: '', url: '' });
    assert.deepEqual(ok(JSON.parse(JSON.stringify(m))), m);
  });

  test('a quiz attempt on another device is not an undo of a completion', () => {
    // Device A: the lesson is marked complete. Device B (later): the reader only tries the
    // knowledge check and never touches completion. Importing B's file into A must not
    // un-complete the lesson, since nobody undid it.
    const a = setLesson(emptyState(SITE), 'c', 'l1', true, T(1), 'Lesson');
    const b = recordQuiz(emptyState(SITE), 'c', 'l1', 50, false, T(2), 'Lesson');
    assert.equal(lessonOf(merge(a, b)).done, true, 'import from B un-completed the lesson');
    assert.equal(lessonOf(merge(b, a)).done, true, 'import from A into B left the lesson not complete');
  });
});

// ---------------------------------------------------------------- updates
describe('setLesson, recordVisit, recordQuiz', () => {
  test('setLesson marks complete and not complete with the time, keeping title and quiz', () => {
    const s = emptyState(SITE);
    assert.equal(setLesson(s, 'c', 'l1', true, T(1), 'Lesson one'), s, 'returns the same record');
    assert.deepEqual(s.courses.c.lessons.l1, { done: true, at: T(1), title: 'Lesson one' });
    recordQuiz(s, 'c', 'l1', 100, true, T(2));
    setLesson(s, 'c', 'l1', false, T(3));
    assert.deepEqual(s.courses.c.lessons.l1, { done: false, at: T(3), title: 'Lesson one', quiz: { best: 100, passed: true } });
    setLesson(s, 'c', 'l1', true, T(4), 'Renamed');
    assert.equal(s.courses.c.lessons.l1.title, 'Renamed');
    assert.equal(s.courses.c.lessons.l1.at, T(4));
    ok(s);
  });

  test('recordVisit sets the continue mark without touching lessons', () => {
    const s = recordVisit(emptyState(SITE), 'c', 'l2', T(1));
    assert.deepEqual(s.courses.c, { lessons: {}, last: { lesson: 'l2', at: T(1) } });
    recordVisit(s, 'c', 'l3', T(2));
    assert.deepEqual(s.courses.c.last, { lesson: 'l3', at: T(2) });
    ok(s);
  });

  test('recordQuiz keeps the best score; passing is sticky; completion is untouched', () => {
    const s = emptyState(SITE);
    recordQuiz(s, 'c', 'l1', 50, false, T(1), 'Quiz lesson');
    assert.deepEqual(s.courses.c.lessons.l1.quiz, { best: 50, passed: false });
    assert.equal(s.courses.c.lessons.l1.done, false);
    assert.equal(s.courses.c.lessons.l1.title, 'Quiz lesson');
    recordQuiz(s, 'c', 'l1', 100, true, T(2));
    assert.deepEqual(s.courses.c.lessons.l1.quiz, { best: 100, passed: true });
    recordQuiz(s, 'c', 'l1', 0, false, T(3));
    assert.deepEqual(s.courses.c.lessons.l1.quiz, { best: 100, passed: true });
    setLesson(s, 'c', 'l2', true, T(4));
    recordQuiz(s, 'c', 'l2', 20, false, T(5));
    assert.equal(s.courses.c.lessons.l2.done, true, 'a failed attempt un-completed a completed lesson');
    ok(s);
  });

  test('every record the updates produce passes validate (stored records are re-validated on read)', () => {
    const s = emptyState(SITE);
    setLesson(s, 'c', 'l1', true, T(1), 'A title');
    recordVisit(s, 'c', 'l1', T(2));
    recordQuiz(s, 'c', 'l2', 33.3, false, T(3), 'Another');
    setLesson(s, 'c', 'l2', false, T(4));
    ok(clone(s));
  });

  test('a lesson id that is also an Object.prototype name ("constructor") still gives a valid record', () => {
    // The build accepts `id: constructor`. If a quiz attempt on that lesson produced an invalid
    // lesson entry, the next read would refuse the whole stored record (all progress lost).
    const s = emptyState(SITE);
    recordQuiz(s, 'c', 'constructor', 50, false, T(1), 'Constructor');
    const l = s.courses.c.lessons.constructor;
    assert.deepEqual({ done: l.done, title: l.title, quiz: l.quiz }, { done: false, title: 'Constructor', quiz: { best: 50, passed: false } });
    ok(clone(s));
    const t = emptyState(SITE);
    setLesson(t, 'constructor', 'l1', true, T(1));
    assert.equal(Object.prototype.hasOwnProperty.call(t.courses, 'constructor'), true);
    assert.equal(Object.lessons, undefined, 'the global Object constructor was written to');
    ok(clone(t));
  });

  test('a lesson title longer than 300 characters (which the build accepts) does not make the record invalid', () => {
    // The page stores the lesson's <h1> as its title; validate refuses titles over 300
    // characters, and a refused stored record is read as empty: every lesson would be lost.
    const s = emptyState(SITE);
    setLesson(s, 'c', 'l1', true, T(1), 'Long '.repeat(70));
    recordQuiz(s, 'c', 'l2', 100, true, T(2), 'Long '.repeat(70));
    ok(clone(s));
  });
});

// ---------------------------------------------------------------- courseProgress
describe('courseProgress', () => {
  const L = (...ids) => ids.map((id) => ({ id, title: id.toUpperCase(), url: `/c/${id}/` }));
  function state() {
    const s = emptyState(SITE);
    setLesson(s, 'c', 'a', true, T(1), 'Lesson A');
    setLesson(s, 'c', 'b', true, T(7), 'Lesson B');
    setLesson(s, 'c', 'gone', true, T(3), 'Retired lesson');
    setLesson(s, 'c', 'gone-undone', false, T(3), 'Undone retired');
    s.courses.c.lessons['no-title'] = { done: true, at: T(2) };
    setLesson(s, 'c', 'undone', true, T(4));
    setLesson(s, 'c', 'undone', false, T(9));
    return s;
  }

  test('percent is counted against the current lesson list only', () => {
    const p = courseProgress(state(), 'c', L('a', 'b', 'undone', 'new'));
    assert.equal(p.done, 2);
    assert.equal(p.total, 4);
    assert.equal(p.percent, 50);
    assert.equal(p.complete, false);
    assert.equal(p.completedAt, null);
    assert.equal(courseProgress(state(), 'c', L('a', 'b', 'x')).percent, 67);
    assert.equal(courseProgress(state(), 'c', L('a', 'x', 'y')).percent, 33);
  });

  test('retired lessons (completed, no longer in the course) are reported with their titles and not counted', () => {
    const p = courseProgress(state(), 'c', L('a', 'b'));
    assert.deepEqual(p.retired.sort((x, y) => x.id.localeCompare(y.id)),
      [{ id: 'gone', title: 'Retired lesson' }, { id: 'no-title', title: 'no-title' }]);
    assert.equal(p.done, 2);
    assert.equal(p.total, 2);
    assert.equal(p.percent, 100);
    assert.equal(p.complete, true);
  });

  test('completedAt is the time of the latest completion of a current lesson', () => {
    const p = courseProgress(state(), 'c', L('a', 'b'));
    assert.equal(p.completedAt, T(7));
    // A lesson undone later, or a retired one completed later, does not move it.
    const s = state();
    setLesson(s, 'c', 'gone', true, T(40));
    assert.equal(courseProgress(s, 'c', L('a', 'b')).completedAt, T(7));
    assert.equal(courseProgress(s, 'c', L('a')).completedAt, T(1));
  });

  test('the continue mark is given only for a lesson still in the course', () => {
    const s = state();
    recordVisit(s, 'c', 'b', T(10));
    assert.equal(courseProgress(s, 'c', L('a', 'b')).last, 'b');
    recordVisit(s, 'c', 'gone', T(11));
    assert.equal(courseProgress(s, 'c', L('a', 'b')).last, null);
  });

  test('a course never started, or with no lessons', () => {
    const p = courseProgress(emptyState(SITE), 'c', L('a', 'b'));
    assert.deepEqual(p, { done: 0, total: 2, percent: 0, complete: false, completedAt: null, last: null, retired: [], started: false });
    const e = courseProgress(state(), 'c', []);
    assert.equal(e.percent, 0);
    assert.equal(e.complete, false);
    assert.equal(e.completedAt, null);
    assert.equal(courseProgress(recordVisit(emptyState(SITE), 'c', 'a', T(1)), 'c', L('a')).started, true);
    assert.equal(courseProgress(state(), 'other', L('a')).started, false);
  });
});

// ---------------------------------------------------------------- scoreQuiz
describe('scoreQuiz', () => {
  const q = (selected, correct) => ({ selected, correct });

  test('a multi-answer question needs exactly the set of correct answers, in any order', () => {
    const score = (selected) => scoreQuiz([q(selected, ['1', '2'])], 100).right;
    assert.equal(score(['1', '2']), 1);
    assert.equal(score(['2', '1']), 1);
    assert.equal(score(['1']), 0, 'a subset is not right');
    assert.equal(score(['1', '2', '3']), 0, 'a superset is not right');
    assert.equal(score(['1', '3']), 0);
    assert.equal(score(['1', '1']), 0, 'a repeated answer is not the set');
    assert.equal(score([]), 0);
  });

  test('percent, right and total; passing at the pass mark', () => {
    assert.deepEqual(scoreQuiz([q(['1'], ['1']), q(['2'], ['1'])], 50), { right: 1, total: 2, percent: 50, passed: true });
    assert.deepEqual(scoreQuiz([q(['1'], ['1']), q(['2'], ['1'])], 51), { right: 1, total: 2, percent: 50, passed: false });
    assert.deepEqual(scoreQuiz([q(['1'], ['1']), q(['1', '2'], ['1', '2'])], 80), { right: 2, total: 2, percent: 100, passed: true });
    assert.deepEqual(scoreQuiz([q([], ['1'])], 80), { right: 0, total: 1, percent: 0, passed: false });
    assert.deepEqual(scoreQuiz([], 80), { right: 0, total: 0, percent: 0, passed: false });
  });

  test('rounding the shown percent never lets a score below the pass mark pass', () => {
    // 2 of 3 is 66.67%, shown as 67%: it does not reach a pass mark of 67%.
    const two = [q(['1'], ['1']), q(['1'], ['1']), q([], ['1'])];
    assert.equal(scoreQuiz(two, 66).passed, true);
    assert.equal(scoreQuiz(two, 67).passed, false, '66.67% passed a 67% pass mark');
  });
});

// ---------------------------------------------------------------- reflectionsDocument
describe('reflectionsDocument', () => {
  test('a plain-text document: title, date, each reflection with its page, link, prompt and text, by page', () => {
    const s = emptyState(SITE);
    s.reflections['c/b/r'] = { text: '  Second answer.\n  ', at: T(1), prompt: 'Prompt B?', page: 'B page', url: '/pd/b/' };
    s.reflections['c/a/r'] = { text: 'First <b>answer</b>.', at: T(2), prompt: 'Prompt A?', page: 'A page', url: '/pd/a/' };
    s.reflections['c/z/r'] = { text: '   ', at: T(3), prompt: 'Empty', page: 'Z page', url: '/pd/z/' };
    s.reflections['c/n/r'] = { text: 'No page.', at: T(3), prompt: 'P', page: '', url: '' };
    const doc = reflectionsDocument(s, 'Partners Playbook', '2025-01-15T10:00:00.000Z');
    const lines = doc.split('\n');
    assert.equal(lines[0], 'My reflections — Partners Playbook');
    assert.equal(lines[1], 'Exported 2025-01-15');
    assert.ok(doc.includes('## A page\n(/pd/a/)\n\nPrompt: Prompt A?\n\nFirst <b>answer</b>.'), doc);
    assert.ok(doc.includes('## B page\n(/pd/b/)\n\nPrompt: Prompt B?\n\nSecond answer.\n'), doc);
    assert.ok(doc.includes('## A page') && doc.indexOf('## A page') < doc.indexOf('## B page'));
    assert.ok(doc.includes('## A page\n') && doc.includes('No page.'));
    assert.ok(!doc.includes('Z page'), 'a blank reflection is listed');
    assert.ok(!doc.includes('No reflections'), doc);
  });

  test('says so when there is nothing to export', () => {
    const s = emptyState(SITE);
    s.reflections.k = { text: ' \n ', at: T(1), prompt: 'p', page: 'P', url: '/' };
    assert.match(reflectionsDocument(s, 'Site', T(1)), /\(No reflections written yet\.\)/);
    assert.match(reflectionsDocument(emptyState(SITE), 'Site', T(1)), /\(No reflections written yet\.\)/);
  });
});

// ---------------------------------------------------------------- continuing, watching, texts
describe('resumeLesson: where "Continue" leads', () => {
  const L = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];
  const state = (done, last) => {
    const s = emptyState(SITE);
    for (const id of done) setLesson(s, 'c1', id, true, T(1));
    if (last) recordVisit(s, 'c1', last, T(2));
    return s;
  };
  test('the last lesson opened, while it is not complete', () => {
    assert.equal(resumeLesson(state(['a'], 'c'), 'c1', L)?.id, 'c');
  });
  test('a completed last lesson leads to the next one not complete', () => {
    assert.equal(resumeLesson(state(['a', 'b'], 'b'), 'c1', L)?.id, 'c');
    assert.equal(resumeLesson(state(['a', 'b', 'c'], 'b'), 'c1', L)?.id, 'd');
  });
  test('past the end it wraps to the first lesson not complete', () => {
    assert.equal(resumeLesson(state(['b', 'c', 'd'], 'd'), 'c1', L)?.id, 'a');
  });
  test('nothing at 100%, nothing before any visit', () => {
    assert.equal(resumeLesson(state(['a', 'b', 'c', 'd'], 'd'), 'c1', L), null);
    assert.equal(resumeLesson(emptyState(SITE), 'c1', L), null);
  });
  test('an imported record with completions but no visit leads to the first not complete', () => {
    assert.equal(resumeLesson(state(['a'], null), 'c1', L)?.id, 'b');
  });
  test('lessonPlace numbers module and lesson from 1', () => {
    const modules = [{ lessons: [{ id: 'a' }, { id: 'b' }] }, { lessons: [{ id: 'c' }, { id: 'd' }, { id: 'e' }] }];
    assert.deepEqual(lessonPlace(modules, 'e'), { module: 2, lesson: 3 });
    assert.equal(lessonPlace(modules, 'x'), null);
  });
});

describe('playMeter: complete_on watch counts time played, not seeks', () => {
  test('playing at normal speed counts every step', () => {
    const m = playMeter();
    for (let i = 0; i <= 40; i++) m.tick(i * 0.25, i * 250, 1);
    assert.equal(m.played, 10);
  });
  test('a seek to the end adds nothing', () => {
    const m = playMeter();
    m.tick(0, 0, 1);
    m.tick(0.25, 250, 1);
    m.tick(17.9, 500, 1);
    assert.equal(m.played, 0.25);
  });
  test('a faster playback rate counts what it played', () => {
    const m = playMeter();
    for (let i = 0; i <= 10; i++) m.tick(i, i * 250, 4);
    assert.equal(m.played, 10);
  });
  test('after a pause the next step is not measured from before it', () => {
    const m = playMeter();
    m.tick(1, 0, 1);
    m.pause();
    m.tick(1.1, 60_000, 1);
    assert.equal(m.played, 0);
  });
});

describe('interface text', () => {
  test('t fills names, writes numbers and picks the plural form by n', () => {
    useStrings('en');
    assert.equal(t('progress.course_text', { done: 1, n: 1, percent: percent(100) }), '1 of 1 lesson complete (100%)');
    assert.equal(t('progress.course_text', { done: 3, n: 12, percent: percent(25) }), '3 of 12 lessons complete (25%)');
    useStrings('es');
    assert.equal(t('progress.course_text', { done: 3, n: 12, percent: percent(25) }), '3 de 12 lecciones completadas (25\u00a0%)');
    assert.match(validate({ app: 'x' }, SITE).error, /no es un archivo de progreso/);
    useStrings('en');
  });
  test('every text the scripts ask for is in the English and the Spanish table', () => {
    const dir = new URL('../../themes/default/static/', import.meta.url);
    const used = new Set();
    for (const f of ['progress.js', 'theme.js', 'scorm.js', 'nav.js', 'blocks.js']) {
      const src = fs.readFileSync(new URL(f, dir), 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-z_]+\.[a-z_]+)'/g)) used.add(m[1]);
      for (const m of src.matchAll(/'((?:progress|quiz|learning|reflection|block|nav|offline|certificate)\.[a-z_]+)'/g)) used.add(m[1]);
    }
    assert.ok(used.size > 40, `only ${used.size} texts found in the scripts`);
    for (const lang of ['en', 'es']) {
      const table = readTable(lang);
      const missing = [...used].filter((k) => !(k in table));
      assert.deepEqual(missing, [], `texts the scripts use that ${lang}.yaml lacks`);
    }
  });
  test('no script holds an English sentence of its own', () => {
    const dir = new URL('../../themes/default/static/', import.meta.url);
    for (const f of ['progress.js', 'theme.js', 'scorm.js', 'nav.js', 'blocks.js']) {
      const code = fs.readFileSync(new URL(f, dir), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l)).join('\n');
      // A quoted text of three or more words starting with a capital letter is a sentence.
      const sentences = [...code.matchAll(/(['`])([A-Z][a-z]+(?: [a-z’']+){2,}[^'`]*)\1/g)].map((m) => m[2]);
      assert.deepEqual(sentences, [], `${f} holds English text`);
    }
  });
});
