// Unit tests of the pure functions of themes/default/static/scorm.js (the SCORM 1.2 launch
// page): the cmi.suspend_data encoding and its length bound, session time, the score and status
// rules, the API search; and of progress.js's URL mapping for relative copies of the site.
// No browser: tests/browser/export.test.mjs runs the package under a real LMS runtime.
// Run: node --test tests/js/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIMIT, fingerprint, suspendBound, encodeSuspend, decodeSuspend, sessionTime, courseScore, report, findAPI,
} from '../../themes/default/static/scorm.js';
import { localHref, siteUrl } from '../../themes/default/static/progress.js';

const ids = (n) => Array.from({ length: n }, (_, i) => `lesson-${i + 1}`);
const done = (list) => ({ lessons: Object.fromEntries(list.map((id) => [id, { done: true, at: '2025-01-01T00:00:00.000Z' }])) });

describe('suspend_data', () => {
  test('round-trips completed lessons and quiz bests', () => {
    const all = ids(14);
    const course = done([all[0], all[5], all[6], all[13]]);
    course.lessons[all[2]] = { done: false, at: '1970-01-01T00:00:00.000Z', quiz: { best: 67, passed: false } };
    course.lessons[all[13]].quiz = { best: 100, passed: true };
    const text = encodeSuspend(course, all, [all[2], all[13]]);
    const back = decodeSuspend(text, all);
    assert.deepEqual([...back.done].sort(), [all[0], all[13], all[5], all[6]].sort());
    assert.deepEqual(back.quiz.get(all[2]), { best: 67, passed: false });
    assert.deepEqual(back.quiz.get(all[13]), { best: 100, passed: true });
  });

  test('nothing done is short, and an empty or foreign record reads as nothing', () => {
    const all = ids(3);
    assert.equal(encodeSuspend({ lessons: {} }, all, []), `1${fingerprint(all)}..`);
    assert.equal(decodeSuspend('', all), null);
    assert.equal(decodeSuspend('{"some":"other SCO"}', all), null);
  });

  test('a record made for another list of lessons is not read against this one', () => {
    const text = encodeSuspend(done(['a']), ['a', 'b'], []);
    assert.ok(decodeSuspend(text, ['a', 'b']));
    assert.equal(decodeSuspend(text, ['b', 'a']), null, 'reordered');
    assert.equal(decodeSuspend(text, ['a', 'b', 'c']), null, 'a lesson added');
  });

  test('the longest record is exactly the bound the exporter checks against 4,096', () => {
    // Every lesson done and every knowledge check tried: the worst case.
    for (const [n, q] of [[1, 0], [6, 6], [7, 3], [500, 500], [1000, 1000]]) {
      const all = ids(n);
      const course = done(all);
      for (const id of all.slice(0, q)) course.lessons[id].quiz = { best: 100, passed: true };
      assert.equal(encodeSuspend(course, all, all.slice(0, q)).length, suspendBound(n, q), `${n} lessons, ${q} checks`);
    }
    // The same numbers as scorm::suspend_bound in Rust (src/scorm.rs tests).
    assert.equal(suspendBound(0, 0), 7);
    assert.equal(suspendBound(6, 0), 8);
    assert.equal(suspendBound(7, 2), 17);
    assert.ok(suspendBound(1000, 1000) > LIMIT);
  });

  test('only lessons named as knowledge checks are encoded with a score', () => {
    const course = { lessons: { a: { done: false, at: '1970-01-01T00:00:00.000Z', quiz: { best: 50, passed: false } } } };
    assert.equal(decodeSuspend(encodeSuspend(course, ['a'], []), ['a']).quiz.size, 0);
  });
});

describe('what the LMS is told', () => {
  test('session time is HHHH:MM:SS.SS', () => {
    assert.equal(sessionTime(0), '0000:00:00.00');
    assert.equal(sessionTime(3_723_450), '0001:02:03.45');
    assert.equal(sessionTime(-5), '0000:00:00.00');
  });

  test('score: the mean of the best of every check, untried ones count 0; none while none tried', () => {
    const course = { lessons: { a: { done: true, at: 'x', quiz: { best: 80, passed: true } }, b: { done: false, at: 'x', quiz: { best: 40, passed: false } } } };
    assert.equal(courseScore(course, ['a', 'b', 'c']), 40);
    assert.equal(courseScore({ lessons: {} }, ['a']), null);
    assert.equal(courseScore(course, []), null);
  });

  test('status: incomplete until every lesson is done; a completion is never taken back', () => {
    const all = ['a', 'b'];
    assert.equal(report(done(['a']), all, [], 'not attempted')['cmi.core.lesson_status'], 'incomplete');
    assert.equal(report(done(all), all, [], 'incomplete')['cmi.core.lesson_status'], 'completed');
    assert.equal(report(done(['a']), all, [], 'completed')['cmi.core.lesson_status'], 'completed');
    assert.equal(report(done(['a']), all, [], 'passed')['cmi.core.lesson_status'], 'passed');
  });

  test('bookmark: the last lesson opened, if the course still has it', () => {
    assert.equal(report({ lessons: {}, last: { lesson: 'b', at: 'x' } }, ['a', 'b'], [], '')['cmi.core.lesson_location'], 'b');
    assert.equal(report({ lessons: {}, last: { lesson: 'gone', at: 'x' } }, ['a'], [], '')['cmi.core.lesson_location'], undefined);
  });
});

describe('finding the API', () => {
  const win = (props = {}) => { const w = { ...props }; w.parent = w; return w; };
  test('in a parent frame', () => {
    const api = {};
    const lms = win({ API: api });
    const wrapper = { parent: lms };
    assert.equal(findAPI(wrapper), api);
  });

  test('through the opener of a pop-up, skipping a frame of another origin', () => {
    const api = {};
    const lms = win({ API: api });
    const foreign = { get API() { throw new Error('SecurityError'); }, get parent() { throw new Error('SecurityError'); } };
    const popup = win({ opener: lms });
    popup.top = popup;
    assert.equal(findAPI(popup), api);
    assert.equal(findAPI(foreign), null);
  });

  test('none when nothing up the chain has one', () => {
    const top = win();
    top.top = top;
    assert.equal(findAPI({ parent: top, top }), null);
  });
});

describe('links in a relative copy (progress.js)', () => {
  const root = 'file:///home/me/site/';
  test('a site URL becomes a file in this copy; a folder its index.html on disk', () => {
    assert.equal(localHref('/pd/courses/c/', '/pd/', root, true), 'file:///home/me/site/courses/c/index.html');
    assert.equal(localHref('/pd/', '/pd/', root, true), 'file:///home/me/site/index.html');
    assert.equal(localHref('/pd/courses/c/#m', '/pd/', 'https://lms.example/p/1/', false), 'https://lms.example/p/1/courses/c/#m');
    assert.equal(localHref('https://elsewhere.example/', '/pd/', root, true), 'https://elsewhere.example/');
  });

  test('and back, so a reflection links to its page from any copy', () => {
    assert.equal(siteUrl('file:///home/me/site/lessons/x/index.html?a#b', '/pd/', root), '/pd/lessons/x/');
    assert.equal(siteUrl('file:///home/me/site/index.html', '/pd/', root), '/pd/');
    assert.equal(siteUrl('file:///elsewhere/x.html', '/pd/', root), '/pd/');
  });
});
