// Unit tests of the pure parts of themes/default/static/blocks.js (remembering a tab choice,
// picking the tab to show) and nav.js (the section being read). No browser:
// tests/browser/blocks.test.mjs and reading.test.mjs drive the pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickTab, rememberTab, storedTab, groupOf } from '../../themes/default/static/blocks.js';
import { currentSection } from '../../themes/default/static/nav.js';

const memory = () => {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) };
};
const broken = { getItem() { throw new Error('SecurityError'); }, setItem() { throw new Error('QuotaExceededError'); } };

test('a choice is kept per group, and globally for sets without one', () => {
  const s = memory();
  assert.ok(rememberTab(s, 'os', 'macos'));
  assert.ok(rememberTab(s, '', 'python'));
  assert.equal(storedTab(s, 'os'), 'macos');
  assert.equal(storedTab(s, ''), 'python');
  assert.equal(storedTab(s, 'other'), null);
  assert.notEqual(groupOf('*'), groupOf(''), 'a group named "*" is not the global choice');
});

test('storage that throws or holds rubbish breaks nothing', () => {
  assert.equal(rememberTab(broken, 'os', 'windows'), false);
  assert.equal(storedTab(broken, 'os'), null);
  const s = memory();
  s.setItem('playbook-tabs', '[1,2');
  assert.equal(storedTab(s, 'os'), null);
  assert.ok(rememberTab(s, 'os', 'linux'));
  assert.equal(storedTab(s, 'os'), 'linux');
});

test('the stored tab is shown when the set has it, else the first', () => {
  assert.equal(pickTab(['windows', 'macos', 'linux'], 'linux'), 2);
  assert.equal(pickTab(['windows', 'macos'], 'linux'), 0);
  assert.equal(pickTab(['windows', 'macos'], null), 0);
});

test('the section being read is the last heading at or above the line', () => {
  assert.equal(currentSection([100, 600, 1200], 200), 0);
  assert.equal(currentSection([-500, -10, 400], 200), 1);
  assert.equal(currentSection([-900, -500, -10], 200), 2);
  assert.equal(currentSection([300, 900], 200), 0);
});
