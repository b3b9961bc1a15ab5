// The launch page of a SCORM 1.2 package made by `playbook export scorm` (one SCO).
//
// A SCO must call LMSInitialize once and LMSFinish once, but a course is many pages. So this
// page is the SCO: it finds the LMS's API object (the SCORM 1.2 run-time's search: up the
// window.parent chain, then the opener's), initializes once, and shows the course's pages in an
// iframe. The pages are of the same origin; their progress.js asks `parent.playbookScorm` for a
// store and gets one backed by the LMS's record instead of localStorage. LMSFinish is called
// when this page goes away. With no API (opened outside an LMS), there is no `playbookScorm`
// and the pages keep progress in the browser as on the website.
//
// What the LMS records (rules documented in the README):
// - cmi.core.lesson_status: `incomplete` from the first launch; `completed` once every lesson
//   is done (never taken back: the LMS's record of a completion stands).
// - cmi.core.score.raw/min/max: the mean of the best score of every knowledge check in the
//   course (one not tried counts 0), 0–100, once one has been tried.
// - cmi.core.lesson_location: the id of the last lesson opened; a relaunch resumes there.
// - cmi.suspend_data: completed lessons and best quiz scores, encoded by `encodeSuspend`
//   (at most `suspendBound(lessons, quizzes)` characters, checked by the export against 4,096).
// - cmi.core.exit `suspend` until complete; cmi.core.session_time as HHHH:MM:SS.SS.
//
// The pure functions are exported for tests; the glue at the end runs only on the launch page.

export const LIMIT = 4096;
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VERSION = '1';

const digit = (n) => DIGITS[n];
const two = (n) => DIGITS[n >> 6] + DIGITS[n & 63];
const value = (c) => DIGITS.indexOf(c);

/** Four base-64 digits (24 bits of FNV-1a) naming a list of lesson ids, so a record made for
 * another version of the course is not read against this one. */
export function fingerprint(ids) {
  let h = 0x811c9dc5;
  for (const ch of ids.join('\n')) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h &= 0xffffff;
  return digit(h >> 18) + digit((h >> 12) & 63) + digit((h >> 6) & 63) + digit(h & 63);
}

/** The longest text `encodeSuspend` makes for `lessons` lessons, `quizzes` with a quiz (the
 * same rule as `scorm::suspend_bound` in the exporter). */
export function suspendBound(lessons, quizzes) {
  return 1 + 4 + 1 + Math.ceil(lessons / 6) + 1 + 4 * quizzes;
}

/**
 * Encodes one course's progress for cmi.suspend_data: `1` (format), the fingerprint of `ids`,
 * `.`, the completed lessons as a bit set in base-64 digits (6 lessons a digit, trailing zeros
 * dropped), `.`, then for each lesson in `quizIds` with a score: its number (2 digits) and
 * best score × 2 + passed (2 digits). `course` is progress.js's `{ lessons: { id: { done, quiz } } }`.
 */
export function encodeSuspend(course, ids, quizIds) {
  const lessons = course?.lessons || {};
  const own = (id) => (Object.hasOwn(lessons, id) ? lessons[id] : undefined);
  let done = '';
  for (let i = 0; i < ids.length; i += 6) {
    let n = 0;
    for (let b = 0; b < 6 && i + b < ids.length; b++) if (own(ids[i + b])?.done) n |= 1 << b;
    done += digit(n);
  }
  done = done.replace(/A+$/, '');
  const quizzes = new Set(quizIds);
  let q = '';
  ids.forEach((id, i) => {
    const quiz = quizzes.has(id) ? own(id)?.quiz : undefined;
    if (!quiz) return;
    const best = Math.max(0, Math.min(100, Math.round(quiz.best)));
    q += two(i) + two(best * 2 + (quiz.passed ? 1 : 0));
  });
  return `${VERSION}${fingerprint(ids)}.${done}.${q}`;
}

/** Reads what `encodeSuspend` wrote: { done: Set of ids, quiz: Map id → { best, passed } }, or
 * null when the text is empty, of another format, or made for another list of lessons. */
export function decodeSuspend(text, ids) {
  if (typeof text !== 'string' || !text.startsWith(VERSION)) return null;
  const [head, done = '', q = ''] = text.split('.');
  if (head !== VERSION + fingerprint(ids)) return null;
  const out = { done: new Set(), quiz: new Map() };
  for (let d = 0; d < done.length; d++) {
    const n = value(done[d]);
    if (n < 0) return null;
    for (let b = 0; b < 6; b++) if (n & (1 << b) && ids[d * 6 + b]) out.done.add(ids[d * 6 + b]);
  }
  for (let i = 0; i + 4 <= q.length; i += 4) {
    const idx = value(q[i]) * 64 + value(q[i + 1]);
    const v = value(q[i + 2]) * 64 + value(q[i + 3]);
    if (!ids[idx] || v < 0 || v > 201) return null;
    out.quiz.set(ids[idx], { best: v >> 1, passed: Boolean(v & 1) });
  }
  return out;
}

/** A duration in SCORM 1.2's CMITimespan: HHHH:MM:SS.SS. */
export function sessionTime(ms) {
  const cs = Math.max(0, Math.round(ms / 10));
  const h = Math.min(9999, Math.floor(cs / 360000));
  const m = Math.floor(cs / 6000) % 60;
  const s = Math.floor(cs / 100) % 60;
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${pad(h, 4)}:${pad(m, 2)}:${pad(s, 2)}.${pad(cs % 100, 2)}`;
}

/** The score rule: the mean of the best score of each knowledge check (0 for one not tried),
 * rounded; null while none has been tried or the course has none. */
export function courseScore(course, quizIds) {
  const lessons = course?.lessons || {};
  const bests = quizIds.map((id) => (Object.hasOwn(lessons, id) ? lessons[id].quiz?.best : undefined));
  if (!bests.some((b) => b !== undefined)) return null;
  return Math.round(bests.reduce((sum, b) => sum + (b ?? 0), 0) / quizIds.length);
}

/**
 * What the LMS should hold for one course's progress: a map of cmi element → value. `status`
 * is the LMS's lesson_status so far (a completion is never taken back).
 */
export function report(course, ids, quizIds, status) {
  const lessons = course?.lessons || {};
  const complete = ids.length > 0 && ids.every((id) => Object.hasOwn(lessons, id) && lessons[id].done);
  const finished = status === 'completed' || status === 'passed';
  const out = {
    'cmi.core.lesson_status': complete || finished ? (finished ? status : 'completed') : 'incomplete',
    'cmi.suspend_data': encodeSuspend(course, ids, quizIds),
  };
  const last = course?.last?.lesson;
  if (last && ids.includes(last)) out['cmi.core.lesson_location'] = last;
  const score = courseScore(course, quizIds);
  if (score !== null) {
    out['cmi.core.score.min'] = '0';
    out['cmi.core.score.max'] = '100';
    out['cmi.core.score.raw'] = String(score);
  }
  return out;
}

/** The SCORM 1.2 run-time's search for the API: this window and its parents (at most 7 up),
 * then the same from the window that opened it. Frames of another origin are skipped. */
export function findAPI(win) {
  const look = (w) => {
    for (let tries = 0; w && tries <= 7; tries++) {
      try { if (w.API) return w.API; } catch { /* another origin */ }
      let up = null;
      try { up = w.parent && w.parent !== w ? w.parent : null; } catch { up = null; }
      w = up;
    }
    return null;
  };
  let found = look(win);
  if (!found) {
    try { if (win.top?.opener) found = look(win.top.opener); } catch { /* another origin */ }
  }
  return found;
}

// ----------------------------------------------------------------------------------- browser

/** The interface text `key` in the launch page's language (`assets/strings.<lang>.js`, which the
 * launch page loads first). */
function t(key) {
  const s = globalThis.PLAYBOOK_STRINGS || { lang: 'en', text: {} };
  return Object.hasOwn(s.text, key) ? String(s.text[key]) : key;
}

function connect(api, meta) {
  const get = (k) => { try { return String(api.LMSGetValue(k) ?? ''); } catch { return ''; } };
  const put = (k, v) => { try { return String(api.LMSSetValue(k, String(v))) === 'true'; } catch { return false; } };
  const commit = () => { try { api.LMSCommit(''); } catch { /* the LMS says so itself */ } };
  const started = Date.now();
  const at = new Date(started).toISOString();
  let status = get('cmi.core.lesson_status');
  // The LMS's record wins: the session starts from it, never from this browser's storage.
  const saved = decodeSuspend(get('cmi.suspend_data'), meta.ids);
  const bookmark = get('cmi.core.lesson_location');
  const lessons = {};
  for (const id of meta.ids) {
    const done = Boolean(saved?.done.has(id));
    const quiz = saved?.quiz.get(id);
    if (done || quiz) lessons[id] = { done, at: done ? at : '1970-01-01T00:00:00.000Z', ...(quiz ? { quiz } : {}) };
  }
  const course = { lessons };
  if (meta.ids.includes(bookmark)) course.last = { lesson: bookmark, at };
  let state = { app: 'playbook-progress', schema: 1, site: meta.site, name: '', courses: { [meta.course]: course }, reflections: {} };
  const sent = {};
  const sync = () => {
    const want = report(state.courses[meta.course], meta.ids, meta.quizIds, status);
    want['cmi.core.exit'] = want['cmi.core.lesson_status'] === 'incomplete' ? 'suspend' : '';
    let ok = true;
    let changed = false;
    for (const [k, v] of Object.entries(want)) {
      if (sent[k] === v) continue;
      if (put(k, v)) sent[k] = v; else ok = false;
      changed = true;
    }
    status = want['cmi.core.lesson_status'];
    if (changed) commit();
    return ok;
  };
  sync();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    sync();
    put('cmi.core.session_time', sessionTime(Date.now() - started));
    commit();
    try { api.LMSFinish(''); } catch { /* nothing more to do */ }
  };
  window.addEventListener('pagehide', finish);
  window.addEventListener('beforeunload', finish);
  const clone = (v) => JSON.parse(JSON.stringify(v));
  return {
    resume: course.last?.lesson || null,
    bridge: {
      /** A store like progress.js's own, kept by the LMS (reflections last this session only). */
      store(site) {
        if (state.site !== site) state.site = site;
        return {
          key: 'playbook-scorm',
          available: true,
          read: () => clone(state),
          write(next) {
            state = clone(next);
            return sync();
          },
        };
      },
      finish,
    },
  };
}

function start() {
  const body = document.body;
  const items = [...document.querySelectorAll('#scorm-lessons [data-lesson-id]')];
  const meta = {
    site: body.dataset.site || '/',
    course: body.dataset.course,
    ids: items.map((li) => li.dataset.lessonId),
    quizIds: items.filter((li) => li.hasAttribute('data-quiz')).map((li) => li.dataset.lessonId),
  };
  const frame = document.getElementById('scorm-frame');
  const status = document.getElementById('scorm-status');
  let page = body.dataset.start;
  const api = findAPI(window);
  let connected = false;
  if (api) {
    try { connected = String(api.LMSInitialize('')) === 'true'; } catch { connected = false; }
  }
  if (connected) {
    const lms = connect(api, meta);
    window.playbookScorm = lms.bridge;
    const resume = items.find((li) => li.dataset.lessonId === lms.resume);
    if (resume) page = resume.dataset.href;
    status.textContent = t('progress.lms_recorded');
  } else {
    status.textContent = t('progress.lms_none');
  }
  frame.src = page;
}

if (typeof document !== 'undefined' && document.body?.classList.contains('scorm-launch')) start();
