// The teaching blocks' behaviour, on pages that have them (the Markdown stage writes their HTML,
// which reads well without this script and in print):
// - "Show all solutions" / "Hide all solutions" for facilitators; printing opens every solution
//   and hint, and closes them again afterwards;
// - tab sets as WAI-ARIA tabs (tablist, tabs, tabpanels; arrow keys, Home and End, one tab stop),
//   the reader's choice kept across the site in localStorage by the tab's key, per
//   `data-tab-group` or for every set without one (nothing breaks when storage is off);
// - a video's chapter buttons seek it and play.
// The pure parts (remembering a choice, picking a tab) are exported for tests.

const TABS_KEY = 'playbook-tabs';

/** The interface text `key` in the page's language (`assets/strings.<lang>.js`, loaded first). */
function t(key) {
  const s = globalThis.PLAYBOOK_STRINGS || { lang: 'en', text: {} };
  return Object.hasOwn(s.text, key) ? String(s.text[key]) : key;
}

/** The name a tab set's choice is kept under: its group, or `*` for sets without one. */
export const groupOf = (group) => (group ? `g:${group}` : '*');

/** Of the tab keys of a set, the index to show: the stored choice when the set has it, else 0. */
export function pickTab(keys, stored) {
  const i = stored ? keys.indexOf(stored) : -1;
  return i < 0 ? 0 : i;
}

/** The stored choices ({ group: key }), or {} when storage is unavailable or holds no object. */
function readChoices(storage) {
  try {
    const v = JSON.parse(storage.getItem(TABS_KEY) || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch { return {}; }
}

/** Keeps `key` as the choice of `group`; false when storage is unavailable (the choice then
 * lasts this page only). */
export function rememberTab(storage, group, key) {
  try {
    const all = readChoices(storage);
    all[groupOf(group)] = key;
    storage.setItem(TABS_KEY, JSON.stringify(all));
    return true;
  } catch { return false; }
}

export function storedTab(storage, group) {
  const v = readChoices(storage)[groupOf(group)];
  return typeof v === 'string' ? v : null;
}

function storage() {
  try { return window.localStorage; } catch { return null; }
}

// ---------------------------------------------------------------------------------- solutions

function solutions() {
  const all = [...document.querySelectorAll('details.solution')];
  const button = document.getElementById('toggle-solutions');
  if (button && all.length) {
    const sync = () => {
      const open = all.every((d) => d.open);
      button.textContent = t(open ? 'block.hide_all_solutions' : 'block.show_all_solutions');
      button.dataset.open = String(open);
    };
    button.hidden = false;
    button.addEventListener('click', () => {
      const open = button.dataset.open !== 'true';
      all.forEach((d) => { d.open = open; });
      sync();
    });
    all.forEach((d) => d.addEventListener('toggle', sync));
    sync();
  }
  // Print shows what a facilitator hands out: every solution and hint open.
  let closed = [];
  window.addEventListener('beforeprint', () => {
    closed = [...document.querySelectorAll('details.solution:not([open]), details.hint:not([open])')];
    closed.forEach((d) => { d.open = true; });
  });
  window.addEventListener('afterprint', () => {
    closed.forEach((d) => { d.open = false; });
    closed = [];
  });
}

// ---------------------------------------------------------------------------------------- tabs

const sets = [];

function enhanceTabs(root, index) {
  const panels = [...root.querySelectorAll(':scope > .tab-panel[data-tab]')];
  if (!panels.length) return;
  const group = root.dataset.tabGroup || '';
  const list = document.createElement('div');
  list.setAttribute('role', 'tablist');
  list.className = 'tablist';
  const tabs = panels.map((panel, i) => {
    const label = panel.querySelector(':scope > .tab-label');
    const base = label?.id || `tabs-${index}-${i}`;
    if (!panel.id) panel.id = `${base}-panel`;
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.id = `${base}-tab`;
    tab.className = 'tab';
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-controls', panel.id);
    tab.textContent = label ? label.textContent : panel.dataset.tab;
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', tab.id);
    panel.tabIndex = 0;
    list.append(tab);
    return tab;
  });
  const keys = panels.map((p) => p.dataset.tab);
  const set = { root, group, keys, tabs, panels };
  const select = (i, focus) => {
    tabs.forEach((tab, j) => {
      const on = i === j;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      panels[j].hidden = !on;
    });
    if (focus) tabs[i].focus();
  };
  set.select = select;
  // A reader's choice: shown here and in every set of the same group on the page, and kept.
  const choose = (i) => {
    select(i, true);
    const key = keys[i];
    for (const other of sets) {
      if (other !== set && other.group === group) {
        const j = other.keys.indexOf(key);
        if (j >= 0) other.select(j, false);
      }
    }
    const s = storage();
    if (s) rememberTab(s, group, key);
  };
  list.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) choose(tabs.indexOf(tab));
  });
  list.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    const n = tabs.length;
    const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    choose(to);
  });
  root.prepend(list);
  const s = storage();
  select(pickTab(keys, s && storedTab(s, group)), false);
  root.classList.add('is-enhanced');
  sets.push(set);
}

// --------------------------------------------------------------------------------------- media

function media() {
  document.querySelectorAll('figure.media').forEach((figure) => {
    const player = figure.querySelector('video, audio');
    if (!player) return;
    figure.querySelectorAll('button.chapter[data-seek]').forEach((b) => {
      b.addEventListener('click', () => {
        const at = Number(b.dataset.seek);
        if (!Number.isFinite(at)) return;
        player.currentTime = at;
        const played = player.play();
        if (played && played.catch) played.catch(() => {});
      });
    });
  });
}

if (typeof document !== 'undefined') {
  const run = () => {
    for (const f of [solutions, () => document.querySelectorAll('.tabs[data-tabs]').forEach(enhanceTabs), media]) {
      try { f(); } catch (e) { console.warn('blocks:', e); }
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run); else run();
}
