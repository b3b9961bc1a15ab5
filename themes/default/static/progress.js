// Course progress, kept in the reader's own browser (localStorage), never sent anywhere.
//
// One record per site, under a key that includes the site's base path, so two copies hosted on
// one domain never mix. Lessons are keyed by course id and lesson id (not by file or URL), so
// renaming or moving a file keeps progress; percentages come from the current build's lesson
// list (courses.json or the page itself). Every change carries its time: an import merges the
// newest change of each lesson, and undoing a completion is a change like any other.
//
// Where the record is kept is a seam (`openStore`): this browser's localStorage, or, when the
// page runs inside a SCORM package's launch page, the LMS's record through that page's
// `playbookScorm` bridge (scorm.js). A relative copy of the site (`playbook export zip`, opened
// from disk) keeps the key of the site it was built from: `<body data-site>` holds that base
// path, and `data-base` the way to its root from this page.
//
// The pure functions (state, migration, validation, merge, percentages, quiz scoring, URL
// mapping) are exported for tests; the DOM glue at the end only runs in a browser.

export const APP = 'playbook-progress';
export const SCHEMA = 1;
/** Imports larger than this are refused before they are read. */
export const MAX_IMPORT_BYTES = 1024 * 1024;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const LIMITS = { id: 100, title: 300, text: 20000, entries: 5000 };
/** A time older than any real change: what a record says before anything happened. */
export const NEVER = '1970-01-01T00:00:00.000Z';
/** The day this format (schema 1) was first published: no real change is older. */
export const EARLIEST = '2026-11-23T00:00:00.000Z';
/** How far ahead of this browser's clock a time may be: another device's clock may run fast. */
export const SKEW_MS = 24 * 60 * 60 * 1000;
/** The origin a site URL is resolved against to check it (any origin of our own would do). */
const HOME = 'https://playbook.invalid';

/** `o[k]` if `o` has its own `k`: never a property inherited from Object.prototype. */
export const own = (o, k) => (o && Object.hasOwn(o, k) ? o[k] : undefined);

export function storageKey(base) { return `playbook-progress:${base}`; }

/**
 * The interface text `key` in the page's language, from the string tables the page loads first
 * (`assets/strings.<lang>.js`, `globalThis.PLAYBOOK_STRINGS`): each `{name}` filled from `vars`,
 * numbers written as the language writes them (Intl), and with `vars.n` the form for that count.
 * A key the tables lack comes back as itself (a theme bug the tests catch).
 */
export function t(key, vars = {}) {
  const s = globalThis.PLAYBOOK_STRINGS || { lang: 'en', text: {} };
  let text = Object.hasOwn(s.text, key) ? s.text[key] : key;
  if (text && typeof text === 'object') text = vars.n !== undefined && new Intl.PluralRules(s.lang).select(vars.n) === 'one' ? text.one : text.other;
  return String(text).replace(/\{(\w+)\}/g, (m, k) => {
    if (!Object.hasOwn(vars, k)) return m;
    return typeof vars[k] === 'number' ? new Intl.NumberFormat(s.lang).format(vars[k]) : String(vars[k]);
  });
}

/** A whole percentage (0–100) as the page's language writes it: "80%", "80 %". */
export function percent(p) {
  const lang = (globalThis.PLAYBOOK_STRINGS || {}).lang || 'en';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(p / 100);
}

export function emptyState(site) {
  return { app: APP, schema: SCHEMA, site, name: '', courses: {}, reflections: {} };
}

// Each step upgrades a record from schema N to N+1; schema 1 is the first, so there are none
// yet. A record from a newer playbook is refused rather than damaged.
const MIGRATIONS = {};

/** Brings a stored or imported record up to the current schema: { state } or { error }. */
export function migrate(raw) {
  if (!raw || typeof raw !== 'object' || raw.app !== APP) return { error: t('learning.err_not_progress') };
  let s = raw;
  if (!Number.isInteger(s.schema) || s.schema < 1) return { error: t('learning.err_no_format') };
  if (s.schema > SCHEMA) return { error: t('learning.err_newer') };
  while (s.schema < SCHEMA) s = MIGRATIONS[s.schema](s);
  return { state: s };
}

const isText = (v, max) => typeof v === 'string' && v.length <= max;
const isPlain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `url` as a link to a page of the site whose base path is `site`, or null if it is not one.
 * The URL is parsed (never compared by prefix): it must resolve, from a page of the site, to
 * the site's own origin and to a path under `site`; what comes back is that path (with its
 * query and fragment), so `//evil.example/x`, `/\evil.example/x`, `javascript:…` and
 * `/pd/../elsewhere/` are all refused. `''` (no link) stays `''`.
 */
export function sameSiteUrl(url, site) {
  if (url === '') return '';
  if (typeof url !== 'string' || url.length > LIMITS.title) return null;
  let u;
  let base;
  try {
    base = new URL(site, HOME);
    u = new URL(url, base);
  } catch { return null; }
  if (u.origin !== HOME || !u.pathname.startsWith(base.pathname) || u.username || u.password) return null;
  const path = u.pathname + u.search + u.hash;
  return path.length <= LIMITS.title ? path : null;
}

/**
 * Checks time `v` of a record made no later than `now` (milliseconds): a date in a string of at
 * most 40 characters, between `EARLIEST` and `now` + `SKEW_MS` (or `NEVER`). Returns the time to
 * keep, or null. A `stored` record (this browser's own) keeps older times, and a time in the
 * future becomes `NEVER`, so it can no longer win every merge; an imported one is refused.
 */
function checkTime(v, now, stored) {
  if (typeof v !== 'string' || v.length > 40) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  if (v === NEVER) return v;
  if (t > now + SKEW_MS) return stored ? NEVER : null;
  if (t < Date.parse(EARLIEST) && !stored) return null;
  return v;
}

const shown = (v) => JSON.stringify(String(v).slice(0, 40));

/**
 * Checks a record in full (shapes, ids, lengths, times, links) before it is trusted: { state } or
 * { error } with a sentence for the reader. `site` is this site's base path. Options: `now`, the
 * time it is checked (milliseconds, default this moment), and `stored`, true for the record this
 * browser keeps itself (see `checkTime`); an imported file is checked strictly.
 */
export function validate(raw, site, { now = Date.now(), stored = false } = {}) {
  const m = migrate(raw);
  if (m.error) return m;
  const time = (v) => checkTime(v, now, stored);
  const when = (v) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) && v.length <= 40
    ? t(Date.parse(v) > now ? 'learning.time_future' : 'learning.time_past', { time: shown(v) })
    : t('learning.time_not_date'));
  const s = m.state;
  if (s.site !== site) return { error: t('learning.err_other_site', { site: String(s.site).slice(0, 80) }) };
  if (!isPlain(s.courses) || !isPlain(s.reflections) || !isText(s.name ?? '', LIMITS.title)) return { error: t('learning.err_parts') };
  const out = emptyState(site);
  out.name = s.name || '';
  let count = 0;
  for (const [cid, c] of Object.entries(s.courses)) {
    if (!ID.test(cid) || cid.length > LIMITS.id || !isPlain(c) || !isPlain(c.lessons ?? {})) return { error: t('learning.err_course', { id: cid.slice(0, 40) }) };
    const course = { lessons: {} };
    for (const [lid, l] of Object.entries(c.lessons ?? {})) {
      count++;
      const quizOk = l?.quiz === undefined || (isPlain(l.quiz) && typeof l.quiz.passed === 'boolean' && Number.isFinite(l.quiz.best) && l.quiz.best >= 0 && l.quiz.best <= 100);
      if (!ID.test(lid) || lid.length > LIMITS.id || !isPlain(l) || typeof l.done !== 'boolean' || !isText(l.title ?? '', LIMITS.title) || !quizOk) {
        return { error: t('learning.err_lesson', { id: String(lid).slice(0, 40) }) };
      }
      const at = time(l.at);
      if (at === null) return { error: t('learning.err_lesson_when', { id: lid, why: when(l.at) }) };
      course.lessons[lid] = { done: l.done, at, ...(l.title ? { title: l.title } : {}), ...(l.quiz ? { quiz: { best: l.quiz.best + 0, passed: l.quiz.passed } } : {}) };
    }
    if (c.last !== undefined) {
      if (!isPlain(c.last) || typeof c.last.lesson !== 'string' || !ID.test(c.last.lesson)) return { error: t('learning.err_mark') };
      const at = time(c.last.at);
      if (at === null) return { error: t('learning.err_mark_when', { why: when(c.last.at) }) };
      course.last = { lesson: c.last.lesson, at };
    }
    out.courses[cid] = course;
  }
  for (const [key, r] of Object.entries(s.reflections)) {
    count++;
    if (key === '__proto__' || key.length > 300 || !isPlain(r) || !isText(r.text, LIMITS.text) || !isText(r.prompt ?? '', LIMITS.text) || !isText(r.page ?? '', LIMITS.title) || !isText(r.url ?? '', LIMITS.title)) {
      return { error: t('learning.err_reflection') };
    }
    const url = sameSiteUrl(r.url ?? '', site);
    if (url === null) return { error: t('learning.err_reflection_url', { url: shown(r.url) }) };
    const at = time(r.at);
    if (at === null) return { error: t('learning.err_reflection_when', { why: when(r.at) }) };
    Object.defineProperty(out.reflections, key, { value: { text: r.text, at, prompt: r.prompt || '', page: r.page || '', url }, enumerable: true, writable: true, configurable: true });
  }
  if (count > LIMITS.entries) return { error: t('learning.err_too_many') };
  return { state: out };
}

const newer = (a, b) => (!a ? b : !b ? a : Date.parse(b.at) > Date.parse(a.at) ? b : a);

/** Quiz results merge on their own: the best score, passed if either passed. */
function mergeQuiz(a, b) {
  if (!a || !b) return a || b;
  return { best: Math.max(a.best, b.best), passed: a.passed || b.passed };
}

function mergeLesson(a, b) {
  const base = newer(a, b);
  if (!base) return base;
  const quiz = mergeQuiz(a?.quiz, b?.quiz);
  const out = { ...base };
  if (quiz) out.quiz = quiz;
  return out;
}

const set = (o, k, v) => Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** Merges two valid records of one site: for each lesson, reflection and mark, the newest wins. */
export function merge(a, b) {
  const out = emptyState(a.site);
  out.name = b.name || a.name;
  for (const cid of new Set([...Object.keys(a.courses), ...Object.keys(b.courses)])) {
    const ca = own(a.courses, cid) || { lessons: {} };
    const cb = own(b.courses, cid) || { lessons: {} };
    const lessons = {};
    for (const lid of new Set([...Object.keys(ca.lessons), ...Object.keys(cb.lessons)])) set(lessons, lid, mergeLesson(own(ca.lessons, lid), own(cb.lessons, lid)));
    const last = newer(ca.last, cb.last);
    set(out.courses, cid, last ? { lessons, last } : { lessons });
  }
  for (const key of new Set([...Object.keys(a.reflections), ...Object.keys(b.reflections)])) set(out.reflections, key, newer(own(a.reflections, key), own(b.reflections, key)));
  return out;
}

function courseOf(state, cid) {
  return own(state.courses, cid) || set(state.courses, cid, { lessons: {} })[cid];
}

const clip = (t) => (t ? String(t).slice(0, LIMITS.title) : '');

/** Marks a lesson complete or not (at time `now`), keeping its title for when it is retired. */
export function setLesson(state, cid, lid, done, now, title) {
  const c = courseOf(state, cid);
  const prev = own(c.lessons, lid) || {};
  set(c.lessons, lid, { ...prev, done, at: now, ...(title ? { title: clip(title) } : {}) });
  return state;
}

/** Forgets a course's completions and quiz scores (a change at `now`, so it merges too). */
export function resetCourse(state, cid, now) {
  const c = own(state.courses, cid);
  if (!c) return state;
  for (const [lid, l] of Object.entries(c.lessons)) set(c.lessons, lid, { done: false, at: now, ...(l.title ? { title: l.title } : {}) });
  delete c.last;
  return state;
}

export function recordVisit(state, cid, lid, now) {
  courseOf(state, cid).last = { lesson: lid, at: now };
  return state;
}

/** Records a knowledge-check attempt. It is not a completion change: a lesson without one yet
 * gets the oldest possible time, so an attempt never outranks a completion when merging. */
export function recordQuiz(state, cid, lid, percent, passed, now, title) {
  const c = courseOf(state, cid);
  const prev = own(c.lessons, lid) || { done: false, at: NEVER };
  const best = Math.max(prev.quiz?.best ?? 0, percent);
  set(c.lessons, lid, { ...prev, ...(title ? { title: clip(title) } : {}), quiz: { best, passed: Boolean(prev.quiz?.passed) || passed } });
  return state;
}

/**
 * Progress of one course against the current lesson list `lessons` ([{id, title, url}]):
 * done and total counts, percent, the last lesson visited, whether it is complete and when,
 * and lessons completed earlier that the course no longer has ("retired").
 */
export function courseProgress(state, cid, lessons) {
  const c = own(state.courses, cid) || { lessons: {} };
  const current = new Set(lessons.map((l) => l.id));
  const doneIds = lessons.filter((l) => own(c.lessons, l.id)?.done).map((l) => l.id);
  const total = lessons.length;
  const done = doneIds.length;
  const times = doneIds.map((id) => Date.parse(own(c.lessons, id).at));
  const retired = Object.entries(c.lessons).filter(([id, l]) => !current.has(id) && l.done).map(([id, l]) => ({ id, title: l.title || id }));
  const last = c.last && current.has(c.last.lesson) ? c.last.lesson : null;
  return {
    done,
    total,
    percent: total ? Math.round((done / total) * 100) : 0,
    complete: total > 0 && done === total,
    completedAt: total > 0 && done === total ? new Date(Math.max(...times)).toISOString() : null,
    last,
    retired,
    started: Object.keys(c.lessons).length > 0 || Boolean(c.last),
  };
}

/**
 * The lesson "Continue" leads to, of `lessons` ([{id, …}] in course order): the last lesson the
 * reader opened if it is not complete, else the next one after it that is not (wrapping to the
 * start); with no lesson opened yet but some complete (an imported record), the first that is
 * not. Null when every lesson is complete, or nothing was started.
 */
export function resumeLesson(state, cid, lessons) {
  const c = own(state.courses, cid) || { lessons: {} };
  const done = (l) => Boolean(own(c.lessons, l.id)?.done);
  const todo = lessons.filter((l) => !done(l));
  if (!todo.length) return null;
  const at = c.last ? lessons.findIndex((l) => l.id === c.last.lesson) : -1;
  if (at < 0) return lessons.some(done) ? todo[0] : null;
  for (let i = 0; i < lessons.length; i++) {
    const l = lessons[(at + i) % lessons.length];
    if (!done(l)) return l;
  }
  return null;
}

/** Where `id` sits in a course of `modules` ([{lessons: [{id}]}]): its module's number and its
 * own number in that module (from 1), or null. */
export function lessonPlace(modules, id) {
  for (let m = 0; m < modules.length; m++) {
    const l = modules[m].lessons.findIndex((x) => x.id === id);
    if (l >= 0) return { module: m + 1, lesson: l + 1 };
  }
  return null;
}

/**
 * `complete_on: watch`: how much of a video was actually played. `tick(time, now, rate)` is
 * called at each `timeupdate` while the video plays (`time` its position in seconds, `now` a clock
 * in milliseconds, `rate` its playback rate); a step forward counts only when it is no longer
 * than the time that passed at that rate (plus half a second of slack), so a seek forward,
 * say to the end, adds nothing. `pause()` after a pause or seek, so the next step is not
 * measured from before it. `played` is the seconds counted.
 */
export function playMeter() {
  let last = null;
  return {
    played: 0,
    tick(time, now, rate = 1) {
      if (last) {
        const step = time - last.time;
        const allowed = ((now - last.now) / 1000) * Math.max(rate, 0.0625) + 0.5;
        if (step > 0 && step <= allowed) this.played += step;
      }
      last = { time, now };
    },
    pause() { last = null; },
  };
}

/**
 * A site URL (`site` + path, as the build writes them in courses.json and records) as a link
 * from this copy, whose root folder is at `root` (an absolute URL). From disk (`file`), a
 * folder gets its `index.html`. Other URLs are returned as they are.
 */
export function localHref(url, site, root, file) {
  if (typeof url !== 'string' || !url.startsWith(site)) return url;
  const rest = url.slice(site.length);
  const cut = rest.search(/[?#]/);
  const [path, tail] = cut < 0 ? [rest, ''] : [rest.slice(0, cut), rest.slice(cut)];
  return new URL((file && (path === '' || path.endsWith('/')) ? path + 'index.html' : path) + tail, root).href;
}

/** The reverse of `localHref`: this copy's URL `href` as a site URL (`site` + path). */
export function siteUrl(href, site, root) {
  const u = new URL(href);
  u.hash = '';
  u.search = '';
  const s = u.href;
  if (!s.startsWith(root)) return site;
  return site + s.slice(root.length).replace(/(^|\/)index\.html$/, '$1');
}

/** Scores a knowledge check: `answers` is [{ selected: [..], correct: [..] }] per question. */
export function scoreQuiz(answers, passMark) {
  const right = answers.filter((a) => a.selected.length === a.correct.length && a.correct.every((c) => a.selected.includes(c))).length;
  const exact = answers.length ? (right / answers.length) * 100 : 0;
  return { right, total: answers.length, percent: Math.round(exact), passed: exact >= passMark };
}

/** The reader's reflections as a plain-text document. */
export function reflectionsDocument(state, siteTitle, now) {
  const lines = [t('learning.doc_title', { site: siteTitle }), t('learning.doc_exported', { date: now.slice(0, 10) }), ''];
  const entries = Object.values(state.reflections).filter((r) => r.text.trim()).sort((a, b) => a.page.localeCompare(b.page));
  if (!entries.length) lines.push(t('learning.doc_none'));
  for (const r of entries) lines.push(`## ${r.page || t('learning.doc_page')}`, r.url ? `(${r.url})` : '', '', t('learning.doc_prompt', { prompt: r.prompt }), '', r.text.trim(), '', '');
  return lines.join('\n');
}

// ----------------------------------------------------------------------------------- browser

/** This copy of the site: its identity (`site`, the base path it was built for), the URL of its
 * root folder, and whether it is read from disk. */
function here() {
  const d = document.body.dataset;
  const site = d.site || d.base || '/';
  return { site, root: new URL(d.base || '/', location.href).href, file: location.protocol === 'file:' };
}

/** The store of progress: the LMS's record inside a SCORM package (marked `lms`), else this
 * browser's. */
function openStore(site) {
  try {
    const bridge = window.parent !== window ? window.parent.playbookScorm : undefined;
    if (bridge && typeof bridge.store === 'function') {
      const store = bridge.store(site);
      store.lms = true;
      return store;
    }
  } catch { /* a parent page of another origin: not a package of ours */ }
  return browserStore(site);
}

function browserStore(base) {
  const key = storageKey(base);
  let available = true;
  let memory = null;
  try { localStorage.setItem(key + ':probe', '1'); localStorage.removeItem(key + ':probe'); } catch { available = false; }
  return {
    key,
    lms: false,
    get available() { return available; },
    read() {
      if (!available) return memory || emptyState(base);
      let text = null;
      try {
        text = localStorage.getItem(key);
        const raw = JSON.parse(text || 'null');
        const v = raw && validate(raw, base, { stored: true });
        if (!raw || v.state) return v ? v.state : emptyState(base);
      } catch { /* unreadable: kept aside below */ }
      // Never let a record this page cannot read be overwritten: keep it aside first.
      try { if (text && !localStorage.getItem(key + ':unreadable')) localStorage.setItem(key + ':unreadable', text); } catch { /* full */ }
      return emptyState(base);
    },
    write(state) {
      memory = state;
      if (!available) return false;
      try {
        localStorage.setItem(key, JSON.stringify(state));
        if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
        return true;
      } catch { available = false; return false; }
    },
  };
}

function notice(main) {
  if (document.getElementById('storage-notice')) return;
  const p = document.createElement('p');
  p.id = 'storage-notice';
  p.className = 'storage-notice';
  p.setAttribute('role', 'status');
  p.textContent = t('progress.storage_blocked');
  main.prepend(p);
}

const now = () => new Date().toISOString();
const pageLang = () => (globalThis.PLAYBOOK_STRINGS || {}).lang || document.documentElement.lang || undefined;

function mark(link, done) {
  link.querySelector('.done-mark')?.remove();
  if (!done) return;
  const span = document.createElement('span');
  span.className = 'done-mark';
  const icon = document.createElement('span');
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = ' ✓';
  const text = document.createElement('span');
  text.className = 'visually-hidden';
  text.textContent = ' ' + t('progress.completed_mark');
  span.append(icon, text);
  link.append(span);
}

/** Puts checks beside completed lessons wherever the page lists them. */
function markLessons(state, cid) {
  const lessons = own(state.courses, cid)?.lessons || {};
  document.querySelectorAll('[data-lesson-id]').forEach((el) => {
    const link = el.tagName === 'A' ? el : el.querySelector('a');
    if (link) mark(link, Boolean(own(lessons, el.dataset.lessonId)?.done));
  });
}

/** A link's own text, without the check a previous render put in it. */
function linkText(a) {
  const copy = a.cloneNode(true);
  copy.querySelector('.done-mark')?.remove();
  return copy.textContent.trim();
}

function lessonsOnPage(root) {
  const seen = new Set();
  return [...root.querySelectorAll('[data-lesson-id]')].filter((li) => !seen.has(li.dataset.lessonId) && seen.add(li.dataset.lessonId)).map((li) => {
    const a = li.tagName === 'A' ? li : li.querySelector('a');
    return { id: li.dataset.lessonId, title: a ? linkText(a) : li.dataset.lessonId, url: a ? a.getAttribute('href') : '' };
  });
}

function setupReflections(store, scope, pageTitle, render) {
  document.querySelectorAll('.reflection[data-reflection]').forEach((box) => {
    const area = box.querySelector('textarea');
    const label = box.querySelector('label');
    const note = box.querySelector('.reflection-note');
    // Inside an LMS, reflections are kept for the session only (the LMS's record has no room).
    if (store.lms && note) note.textContent = t('reflection.note_lms');
    const key = `${scope}/${box.dataset.reflection}`;
    const saved = own(store.read().reflections, key);
    if (saved) area.value = saved.text;
    let timer;
    area.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const s = store.read();
        const w = here();
        set(s.reflections, key, { text: area.value.slice(0, LIMITS.text), at: now(), prompt: label ? label.textContent.slice(0, LIMITS.text) : '', page: clip(pageTitle), url: siteUrl(location.href, w.site, w.root).slice(0, LIMITS.title) });
        const ok = store.write(s);
        const time = new Date().toLocaleTimeString(pageLang(), { hour: 'numeric', minute: '2-digit' });
        if (note) note.textContent = !ok ? t('reflection.not_saved') : t(store.lms ? 'reflection.saved_lms' : 'reflection.saved_at', { time });
        if (render) render();
      }, 400);
    });
  });
}

function setupQuizzes(onScored, passMark) {
  document.querySelectorAll('form.quiz').forEach((form) => {
    const answers = form.querySelector('.quiz-answers');
    if (answers) answers.hidden = true;
    const result = document.createElement('p');
    result.className = 'quiz-result';
    result.setAttribute('role', 'status');
    const check = document.createElement('button');
    check.type = 'submit';
    check.className = 'button-secondary';
    check.textContent = t('quiz.check');
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'button-secondary';
    retry.textContent = t('quiz.retry');
    retry.hidden = true;
    const row = document.createElement('p');
    row.className = 'quiz-actions';
    row.append(check, ' ', retry);
    form.append(row, result);
    form.classList.add('is-ready');
    const questions = [...form.querySelectorAll('fieldset.quiz-question')];
    const clear = () => {
      form.querySelectorAll('.quiz-feedback').forEach((f) => { f.hidden = true; f.querySelector('.verdict')?.remove(); });
      form.querySelectorAll('.question-mark, .quiz-missed').forEach((e) => e.remove());
      questions.forEach((q) => q.classList.remove('is-right', 'is-wrong'));
    };
    const reset = () => {
      form.reset();
      clear();
      result.textContent = '';
      retry.hidden = true;
      check.hidden = false;
      if (answers) { answers.hidden = true; answers.open = false; }
      // The button that had focus is gone: give it to the first answer, not to the page.
      form.querySelector('input')?.focus();
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      clear();
      const scored = questions.map((q) => {
        const inputs = [...q.querySelectorAll('input')];
        // The script says the verdict, once, before the author's feedback (which has none).
        inputs.forEach((i) => {
          const fb = document.getElementById(i.id + '-feedback');
          if (!fb) return;
          fb.hidden = !i.checked;
          if (i.checked) {
            const v = document.createElement('strong');
            v.className = 'verdict';
            v.textContent = t(i.dataset.correct ? 'quiz.right' : 'quiz.wrong');
            fb.prepend(v, ' ');
          }
        });
        const a = { selected: inputs.filter((i) => i.checked).map((i) => i.value), correct: inputs.filter((i) => i.dataset.correct).map((i) => i.value) };
        const ok = scoreQuiz([a], 100).passed;
        q.classList.toggle('is-right', ok);
        q.classList.toggle('is-wrong', !ok);
        // A mark beside the question for the eye; its words are the feedback's.
        const legend = q.querySelector('legend');
        if (legend) {
          const m = document.createElement('span');
          m.className = 'question-mark';
          m.setAttribute('aria-hidden', 'true');
          m.textContent = ok ? ' ✓' : ' ✗';
          legend.append(m);
        }
        // Every answer chosen was right, but not every right answer was chosen: say so, or
        // the reader sees only "Correct." and wonders why the question is not right.
        if (!ok && a.selected.length && a.selected.every((v) => a.correct.includes(v))) {
          const p = document.createElement('p');
          p.className = 'quiz-missed';
          p.textContent = t('quiz.missed');
          q.append(p);
        }
        return a;
      });
      const s = scoreQuiz(scored, passMark);
      const mark = percent(passMark);
      result.textContent = t('quiz.result', { right: s.right, total: s.total, percent: percent(s.percent) }) + ' ' + t(s.passed ? 'quiz.passes' : 'quiz.not_passed', { mark });
      form.classList.add('is-scored');
      if (answers) answers.hidden = false;
      retry.hidden = false;
      onScored(s, form);
    });
    retry.addEventListener('click', () => { form.classList.remove('is-scored'); reset(); });
  });
}

/**
 * `complete_on: watch`: calls `onWatched` once every video of the lesson has been played for
 * 90% of its length (time played, see `playMeter`). Returns false when the lesson has no video
 * (its button then works as in `manual`).
 */
function watchVideos(article, onWatched) {
  const videos = [...article.querySelectorAll('video[data-media]')];
  if (!videos.length) return false;
  const meters = videos.map(() => playMeter());
  let fired = false;
  const check = () => {
    if (fired) return;
    if (videos.every((v, i) => v.duration > 0 && Number.isFinite(v.duration) && meters[i].played >= 0.9 * v.duration)) {
      fired = true;
      onWatched();
    }
  };
  videos.forEach((v, i) => {
    const m = meters[i];
    v.addEventListener('timeupdate', () => {
      if (v.paused) return;
      m.tick(v.currentTime, performance.now(), v.playbackRate);
      check();
    });
    v.addEventListener('playing', () => m.tick(v.currentTime, performance.now(), v.playbackRate));
    v.addEventListener('pause', () => { m.tick(v.currentTime, performance.now(), v.playbackRate); m.pause(); check(); });
    v.addEventListener('ended', () => { m.tick(v.currentTime, performance.now(), v.playbackRate); check(); });
  });
  return true;
}

function setupLesson(store, article, main) {
  const cid = article.dataset.course;
  const lid = article.dataset.lesson;
  const rule = article.dataset.completeOn || 'manual';
  const passMark = Number(article.dataset.passMark) || 80;
  const title = document.querySelector('h1')?.textContent.trim() || lid;
  const toggle = document.getElementById('complete-toggle');
  const announce = document.getElementById('progress-announce');
  const section = document.getElementById('lesson-progress');
  const state = document.getElementById('complete-state');
  // The sidebar of a long course lists only part of it: count from the build's list instead.
  let courseLessons = lessonsOnPage(document.querySelector('.sidebar') || document);
  const coursesUrl = document.body.dataset.courses;
  if (coursesUrl) loadCourses(coursesUrl).then((all) => { const c = all.find((x) => x.id === cid); if (c) courseLessons = flat(c); }).catch(() => {});
  const isDone = (s) => Boolean(own(own(s.courses, cid)?.lessons, lid)?.done);
  // The button says what it will do; the line beside it says what is (one state, said once).
  const render = () => {
    const s = store.read();
    const done = isDone(s);
    toggle.textContent = t(done ? 'progress.mark_not_complete' : 'progress.mark_complete');
    toggle.dataset.done = String(done);
    if (state) {
      state.textContent = t(done ? 'progress.completed' : 'progress.not_completed');
      state.classList.toggle('is-done', done);
    }
    section.classList.toggle('is-done', done);
    markLessons(s, cid);
  };
  const setDone = (done, why) => {
    const s = store.read();
    if (isDone(s) === done) return;
    setLesson(s, cid, lid, done, now(), title);
    if (!store.write(s)) notice(main);
    render();
    const p = courseProgress(s, cid, courseLessons.length ? courseLessons : [{ id: lid }]);
    const first = !done ? t('progress.lesson_undone') : why ? t('progress.lesson_done_why', { why: t(why) }) : t('progress.lesson_done');
    announce.textContent = first + ' ' + t('progress.course_count', { done: p.done, n: p.total });
  };
  section.hidden = false;
  const s = recordVisit(store.read(), cid, lid, now());
  if (!store.write(s)) notice(main);
  toggle.addEventListener('click', () => setDone(toggle.dataset.done !== 'true'));
  if (rule === 'visit') setDone(true, 'progress.why_visit');
  if (rule === 'scroll' && 'IntersectionObserver' in window) {
    const end = document.getElementById('lesson-end');
    const seen = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); setDone(true, 'progress.why_scroll'); } });
    seen.observe(end);
  }
  if (rule === 'watch') watchVideos(article, () => setDone(true, 'progress.why_watch'));
  setupQuizzes((score) => {
    const st = store.read();
    recordQuiz(st, cid, lid, score.percent, score.passed, now(), title);
    if (!store.write(st)) notice(main);
    if (rule === 'quiz' && score.passed) setDone(true, 'progress.why_quiz');
  }, passMark);
  setupReflections(store, `${cid}/${lid}`, title);
  window.addEventListener('storage', (e) => { if (e.key === store.key) render(); });
  render();
}

function setupCourse(store, article, main) {
  const cid = article.dataset.course;
  const lessons = lessonsOnPage(article.querySelector('.modules'));
  const box = document.getElementById('course-progress');
  const bar = document.getElementById('course-progress-bar');
  const text = document.getElementById('course-progress-text');
  const cta = document.getElementById('start-link');
  const startHref = cta?.getAttribute('href');
  const startText = cta?.textContent;
  // Links a package turned into text (the certificate is not in a SCORM package) are absent.
  const cert = document.getElementById('certificate-link');
  const reset = document.getElementById('reset-course');
  const announce = document.getElementById('progress-announce');
  const render = () => {
    const s = store.read();
    const p = courseProgress(s, cid, lessons);
    bar.value = p.done;
    text.textContent = t('progress.course_text', { done: p.done, n: p.total, percent: percent(p.percent) });
    const next = resumeLesson(s, cid, lessons);
    // One call to action: start, continue with the next lesson not yet complete, or (all done)
    // the certificate, where there is one.
    if (cta) {
      if (next) { cta.href = next.url; cta.textContent = t('progress.continue'); } else if (p.complete && cert) { cta.href = cert.getAttribute('href'); cta.textContent = t('progress.certificate'); } else { cta.href = startHref; cta.textContent = startText; }
      cta.dataset.state = next ? 'continue' : p.complete ? 'complete' : 'start';
    }
    if (cert) cert.hidden = !p.complete || Boolean(cta);
    article.querySelectorAll('.module').forEach((m) => {
      const mp = courseProgress(s, cid, lessonsOnPage(m));
      const mbar = m.querySelector('.module-progress');
      if (mbar) { mbar.hidden = false; mbar.value = mp.done; }
    });
    markLessons(s, cid);
  };
  box.hidden = false;
  // Inside an LMS its record wins: nothing here could reset it.
  if (store.lms && reset) reset.closest('p').remove();
  else if (reset) {
    reset.addEventListener('click', () => {
      if (!window.confirm(t('progress.reset_confirm'))) return;
      const s = resetCourse(store.read(), cid, now());
      if (!store.write(s)) notice(main);
      render();
      announce.textContent = t('progress.reset_done');
    });
  }
  if (!store.available) notice(main);
  window.addEventListener('storage', (e) => { if (e.key === store.key) render(); });
  render();
}

function setupModule(store, article, main) {
  if (!store.available) notice(main);
  const cid = article.dataset.course;
  // When the module's own text lists its lessons, the page has no list of its own: the build
  // names them in data-lessons ("id url …") and the text's links get their checks.
  const pairs = (article.dataset.lessons || '').trim().split(/\s+/).filter(Boolean);
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    article.querySelectorAll('.prose a[href]').forEach((a) => {
      if (a.getAttribute('href') === pairs[i + 1] && !a.closest('[data-lesson-id]')) a.dataset.lessonId = pairs[i];
    });
  }
  const lessons = pairs.length
    ? Array.from({ length: pairs.length / 2 }, (_, i) => ({ id: pairs[2 * i], url: pairs[2 * i + 1] }))
    : lessonsOnPage(article);
  const row = article.querySelector('.module-progress-row');
  const render = () => {
    const s = store.read();
    const p = courseProgress(s, cid, lessons);
    document.getElementById('module-progress-bar').value = p.done;
    document.getElementById('module-progress-text').textContent = t('progress.module_text', { done: p.done, n: p.total });
    markLessons(s, cid);
  };
  if (row) row.hidden = false;
  window.addEventListener('storage', (e) => { if (e.key === store.key) render(); });
  render();
}

/** The build's course list. From disk a script cannot fetch, so it loads the same list as a
 * script (`courses.js`, written by `playbook export zip`) instead. */
async function loadCourses(url) {
  if (location.protocol === 'file:') {
    if (!window.playbookCourses) {
      await new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = url.replace(/\.json$/, '.js');
        script.onload = resolve;
        script.onerror = () => reject(new Error('courses.js missing'));
        document.head.append(script);
      });
    }
    return window.playbookCourses.courses;
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error('courses.json missing');
  return (await res.json()).courses;
}

const flat = (course) => course.modules.flatMap((m) => m.lessons);

function el(tag, props = {}, ...children) {
  const n = document.createElement(tag);
  Object.assign(n, props);
  n.append(...children);
  return n;
}

/** The home page of a returning learner: the course they were taking, and where to go on. The
 * card's room is kept from the first paint (theme.js marks <html> when a record exists), so
 * filling it in moves nothing. */
async function setupHome(store) {
  const card = document.getElementById('continue-card');
  if (!card || !document.documentElement.classList.contains('has-progress')) return;
  const slot = card.querySelector('.continue-body');
  const s = store.read();
  const courses = await loadCourses(card.dataset.courses);
  const w = here();
  const link = (u) => (document.body.dataset.site ? localHref(u, w.site, w.root, w.file) : u);
  // The course most recently opened.
  const taken = courses
    .map((c) => ({ c, last: own(s.courses, c.id)?.last }))
    .filter((x) => x.last)
    .sort((a, b) => Date.parse(b.last.at) - Date.parse(a.last.at))[0];
  if (!taken) { document.documentElement.classList.remove('has-progress'); return; }
  const { c } = taken;
  const lessons = flat(c);
  const p = courseProgress(s, c.id, lessons);
  const next = resumeLesson(s, c.id, lessons);
  const course = el('p', { className: 'continue-course' }, el('a', { href: link(c.url), textContent: c.title }));
  const meta = el('p', { className: 'continue-meta' }, t('progress.course_text', { done: p.done, n: p.total, percent: percent(p.percent) }));
  const bar = el('progress', { max: p.total, value: p.done });
  bar.setAttribute('aria-label', c.title);
  const action = el('p', { className: 'continue-action' });
  if (next) {
    const place = lessonPlace(c.modules, next.id);
    action.append(el('a', { className: 'button', href: link(next.url) },
      place ? t('progress.continue_lesson', place) : t('progress.continue'),
      el('span', { className: 'visually-hidden', textContent: ' — ' }),
      el('span', { className: 'continue-lesson', textContent: next.title })));
  } else if (p.complete) {
    action.append(t('progress.course_done', { course: c.title }), ' ', el('a', { href: link(c.certificate), textContent: t('progress.certificate') }));
  }
  slot.replaceChildren(course, meta, bar, action);
  card.classList.add('is-filled');
}

async function setupMyLearning(store, article, main) {
  const courses = await loadCourses(article.dataset.courses);
  const list = document.getElementById('my-courses');
  const status = document.getElementById('import-status');
  const refl = document.getElementById('my-reflections');
  const siteTitle = document.querySelector('.site-title')?.textContent.trim() || t('learning.this_site');
  const w = here();
  // Only an exported, relative copy (with data-site) maps the build's URLs to itself.
  const link = (u) => (document.body.dataset.site ? localHref(u, w.site, w.root, w.file) : u);
  const render = () => {
    const s = store.read();
    const started = courses.filter((c) => courseProgress(s, c.id, flat(c)).started);
    list.replaceChildren();
    if (!started.length) list.append(el('p', { textContent: t('learning.none') }));
    for (const c of started) {
      const lessons = flat(c);
      const p = courseProgress(s, c.id, lessons);
      const id = `progress-${c.id}`;
      const card = el('section', { className: 'my-course' });
      card.setAttribute('aria-labelledby', id + '-title');
      const h = el('h3', { id: id + '-title' }, el('a', { href: link(c.url), textContent: c.title }));
      const label = el('label', { htmlFor: id, textContent: t('learning.course_line', { done: p.done, n: p.total, percent: percent(p.percent), duration: c.duration }) });
      const bar = el('progress', { id, max: p.total, value: p.done });
      card.append(h, el('p', {}, label), bar);
      const actions = el('p', { className: 'course-actions' });
      const next = resumeLesson(s, c.id, lessons);
      if (next) actions.append(el('a', { className: 'button', href: link(next.url), textContent: t('learning.continue') }), ' ');
      if (p.complete) actions.append(el('a', { href: link(c.certificate), textContent: t('learning.certificate') }));
      card.append(actions);
      if (p.retired.length) {
        card.append(el('p', { className: 'retired-note', textContent: t('learning.retired_lede') }));
        card.append(el('ul', {}, ...p.retired.map((r) => el('li', { textContent: t('learning.retired', { title: r.title }) }))));
      }
      list.append(card);
    }
    const entries = Object.values(s.reflections).filter((r) => r.text.trim());
    // Links only to pages of this site, whatever an imported file said.
    const safe = (u) => link(sameSiteUrl(u, s.site) || s.site);
    refl.replaceChildren(...entries.map((r) => el('article', { className: 'my-reflection' }, el('h3', {}, el('a', { href: safe(r.url), textContent: r.page })), el('p', { className: 'reflection-prompt', textContent: r.prompt }), el('p', { className: 'reflection-text', textContent: r.text }))));
    if (!entries.length) refl.append(el('p', { textContent: t('learning.no_reflections') }));
  };
  const download = (name, type, text) => {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  document.getElementById('export-progress').addEventListener('click', () => {
    download(`progress-${location.hostname || 'site'}-${now().slice(0, 10)}.json`, 'application/json', JSON.stringify(store.read(), null, 2));
    status.textContent = t('learning.exported');
  });
  document.getElementById('download-reflections').addEventListener('click', () => download(`reflections-${now().slice(0, 10)}.txt`, 'text/plain', reflectionsDocument(store.read(), siteTitle, now())));
  document.getElementById('print-reflections').addEventListener('click', () => { document.body.classList.add('print-reflections'); window.print(); document.body.classList.remove('print-reflections'); });
  document.getElementById('import-progress').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      const size = new Intl.NumberFormat(pageLang(), { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(file.size / 1024);
      status.textContent = t('learning.too_large', { size });
      return;
    }
    let raw;
    try { raw = JSON.parse(await file.text()); } catch { status.textContent = t('learning.unreadable'); return; }
    const v = validate(raw, store.read().site);
    if (v.error) { status.textContent = v.error + ' ' + t('learning.nothing_changed'); return; }
    const merged = merge(store.read(), v.state);
    if (!store.write(merged)) { notice(main); status.textContent = t('learning.storage_off'); return; }
    render();
    status.textContent = t('learning.imported');
  });
  if (!store.available) notice(main);
  window.addEventListener('storage', (e) => { if (e.key === store.key) render(); });
  render();
}

async function setupCertificate(store, article, main) {
  const courses = await loadCourses(article.dataset.courses);
  const course = courses.find((c) => c.id === article.dataset.course);
  if (!course) return;
  const form = document.getElementById('certificate-name-form');
  const input = document.getElementById('certificate-name');
  const render = () => {
    const s = store.read();
    const p = courseProgress(s, course.id, flat(course));
    const notYet = document.getElementById('certificate-not-yet');
    notYet.hidden = p.complete;
    if (!p.complete) notYet.textContent = t('certificate.not_yet_count', { course: course.title, done: p.done, n: p.total });
    form.hidden = !p.complete;
    document.getElementById('certificate').hidden = !p.complete || !s.name;
    document.getElementById('print-certificate').hidden = !p.complete || !s.name;
    document.getElementById('cert-name').textContent = s.name;
    const date = document.getElementById('cert-date');
    if (p.completedAt) {
      // The reader's own calendar day, in the attribute and in the text alike.
      const d = new Date(p.completedAt);
      date.dateTime = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      date.textContent = d.toLocaleDateString(pageLang(), { year: 'numeric', month: 'long', day: 'numeric' });
    }
    if (document.activeElement !== input) input.value = s.name;
  };
  input.addEventListener('input', () => { const s = store.read(); s.name = input.value.slice(0, LIMITS.title); if (!store.write(s)) notice(main); render(); });
  form.addEventListener('submit', (e) => e.preventDefault());
  document.getElementById('print-certificate').addEventListener('click', () => window.print());
  if (!store.available) notice(main);
  window.addEventListener('storage', (e) => { if (e.key === store.key) render(); });
  render();
}

if (typeof document !== 'undefined') {
  const store = openStore(here().site);
  const main = document.getElementById('main');
  const kind = document.body.dataset.pageKind;
  const article = main && main.querySelector('article');
  try {
    if (kind === 'course-lesson') setupLesson(store, article, main);
    else if (kind === 'course') setupCourse(store, article, main);
    else if (kind === 'module') setupModule(store, article, main);
    else if (kind === 'home') setupHome(store).catch(() => document.documentElement.classList.remove('has-progress'));
    else if (kind === 'lesson') {
      const title = document.querySelector('h1')?.textContent.trim() || '';
      setupReflections(store, `lessons/${article.dataset.lesson || location.pathname}`, title);
      setupQuizzes(() => {}, 80);
      if (!store.available && document.querySelector('.reflection')) notice(main);
    } else if (kind === 'my-learning') setupMyLearning(store, article, main).catch(() => {});
    else if (kind === 'certificate') setupCertificate(store, article, main).catch(() => {});
  } catch (e) {
    // Progress is a convenience: whatever goes wrong, the page itself stays readable.
    console.warn('progress:', e);
  }
}
