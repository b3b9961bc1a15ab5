// Course progress in headless Chromium (Playwright + axe-core), on fixture sites this file builds.
// env: PLAYBOOK_BIN (the playbook binary; required: tests/run.sh passes the debug build).
//      FIXTURE_OVERLAY (optional): a folder copied over every fixture site before it is built,
//      e.g. one holding themes/default/static/progress.js with a planted fault, to see tests fail.
// One course, "Listening in the classroom": 2 modules × 2 lessons, a knowledge check of two
// questions (the second takes several answers) and two reflections, built once for each
// `complete_on` (manual, visit, scroll, quiz; pass_mark 50) with
// `PLAYBOOK_BIN build --base-url http://127.0.0.1/a/` and served under /a/ by lib/serve.mjs.
// Each test gets fresh browser contexts, so fresh localStorage, and fails on requests to other
// hosts, failed requests, console errors, page errors and unexpected dialogs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from './lib/serve.mjs';
import { assertNoAxeViolations, buildSite, eventually, launchBrowser, playbookBin, sleep, text, withCleanContext, writeFiles } from './lib/harness.mjs';

playbookBin(import.meta.url);

// ---------------------------------------------------------------- the fixture site
const SITE_TITLE = 'Progress test site';
const COURSE = 'Listening in the classroom';
const KEY = (base) => `playbook-progress:${base}`;
const P = {
  course: 'courses/teach/',
  cert: 'courses/teach/certificate/',
  m1: 'courses/teach/basics/',
  l1: 'courses/teach/basics/first-steps/',
  l2: 'courses/teach/basics/check-understanding/',
  l3: 'courses/teach/practice/listening/',
  l3renamed: 'courses/teach/practice/hearing-every-voice/',
  l4: 'courses/teach/practice/next-steps/',
  my: 'my-learning/',
};
const IDS = ['first-steps', 'check-understanding', 'listening', 'next-steps'];
const PROMPT_1 = 'What does listening look like in your classroom?';

const paragraphs = (n) => Array.from({ length: n }, (_, i) =>
  `Paragraph ${i + 1}. A teacher asks a question she really wants answered, waits, and lets the ` +
  'silence do its work, so that students who rarely speak have time to find their words.').join('\n\n');
const lesson = (id, title, body) =>
  `---\ntitle: ${title}\nid: ${id}\nduration_minutes: 30\nobjectives:\n  - Notice how you listen.\n---\n\n${body}\n`;
const QUIZ = `\`\`\`quiz
questions:
  - prompt: What does a listening classroom start with?
    choices:
      - text: A question the teacher really wants answered
        correct: true
        feedback: Genuine questions invite real answers.
      - text: A worksheet
        feedback: A worksheet can come later.
  - prompt: Which of these help students feel heard? Choose all that apply.
    choices:
      - text: Waiting after asking a question
        correct: true
        feedback: Wait time lets more students answer.
      - text: Repeating a student's idea in their own words
        correct: true
        feedback: It shows the idea was taken seriously.
      - text: Calling only on raised hands
        feedback: Many students never raise a hand.
\`\`\``;

// version 2: lesson `listening` renamed (new file name and title, same id); `next-steps` removed.
function siteFiles({ completeOn, version = 1 }) {
  const files = {
    'playbook.yaml': `title: ${SITE_TITLE}\nbase_url: /\nlanguage: en\n`,
    'content/index.md': '---\ntitle: Home\n---\n\nWelcome.\n',
    'content/courses/_index.md': '---\ntitle: Courses\nkind: section\n---\n\nOur courses.\n',
    'content/courses/teach/_index.md': `---\ntitle: ${COURSE}\nkind: course\nid: teach\n` +
      `complete_on: ${completeOn}\npass_mark: 50\n---\n\nA short course on listening.\n`,
    'content/courses/teach/01-basics/_index.md': '---\ntitle: Basics\nid: basics\n---\n\nThe basics.\n',
    'content/courses/teach/02-practice/_index.md': '---\ntitle: Practice\nid: practice\n---\n\nIn practice.\n',
    'content/courses/teach/01-basics/01-first-steps.md': lesson('first-steps', 'First steps',
      `## Why listen\n\n${paragraphs(30)}\n\n## How to listen\n\n${paragraphs(30)}\n\n` +
      `\`\`\`reflection\nid: my-classroom\nprompt: ${PROMPT_1}\n\`\`\``),
    'content/courses/teach/01-basics/02-check-understanding.md': lesson('check-understanding', 'Check your understanding',
      `Answer the two questions below.\n\n${QUIZ}\n\n\`\`\`reflection\nprompt: Which question will you ask tomorrow?\n\`\`\``),
  };
  if (version === 1) {
    files['content/courses/teach/02-practice/01-listening.md'] = lesson('listening', 'Listening well', 'Listen well.');
    files['content/courses/teach/02-practice/02-next-steps.md'] = lesson('next-steps', 'Next steps', 'What next.');
  } else {
    files['content/courses/teach/02-practice/01-hearing-every-voice.md'] = lesson('listening', 'Hearing every voice', 'Hear everyone.');
  }
  return files;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'playbook-progress-'));

// A course longer than a sidebar shows in full (src/nav.rs SIDEBAR_LIMIT, 60): 2 modules × 31 lessons.
function bigCourseFiles() {
  const files = siteFiles({ completeOn: 'manual' });
  for (const rel of Object.keys(files)) if (/\/0[12]-[a-z-]+\.md$/.test(rel)) delete files[rel];
  for (const m of [1, 2]) {
    const dir = m === 1 ? '01-basics' : '02-practice';
    for (let i = 1; i <= 31; i++) {
      const n = String(i).padStart(2, '0');
      files[`content/courses/teach/${dir}/${n}-lesson-${m}-${n}.md`] = lesson(`lesson-${m}-${n}`, `Lesson ${m}.${n}`, 'Read this.');
    }
  }
  return files;
}

// Writes the fixture site into root (replacing it) and builds it into out for `base`.
function build(root, out, base, opts) {
  fs.rmSync(root, { recursive: true, force: true });
  writeFiles(root, opts.files || siteFiles(opts));
  buildSite(root, out, base);
  for (const rel of ['courses.json', `${P.cert}index.html`, `${P.my}index.html`]) {
    if (!fs.existsSync(path.join(out, rel))) throw new Error(`the build of ${root} wrote no ${rel}`);
  }
}

// A fixture site built for `base` (/a/ unless said) and served there: { url, out, rebuild(opts) }.
async function site(name, opts, base = '/a/') {
  const root = path.join(tmp, name);
  const out = path.join(tmp, `${name}-out`);
  build(root, out, base, opts);
  const server = await serve(out, base);
  servers.push(server);
  return { url: server.url, out, rebuild: (o) => build(root, out, base, o) };
}

let browser;
const servers = [];
const sites = {};

before(async () => {
  for (const completeOn of ['manual', 'visit', 'scroll', 'quiz']) sites[completeOn] = await site(completeOn, { completeOn });
  // At the root of its host: every path starts with the base path `/`, `//evil.example/` too.
  sites.root = await site('root', { completeOn: 'manual' }, '/');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers
// Runs fn({ context, open, log }) in a fresh context (withCleanContext: fails after fn on requests
// to other hosts, failed requests, console errors and page errors; a request cancelled as the test
// navigates on is no failure). open(url) opens a new tab on url. Every tab also records dialogs,
// which must not happen unless onDialog answers them. initScript runs in every document.
async function withContext(opts, fn) {
  const { onDialog, ...contextOpts } = opts;
  return withCleanContext(browser, { acceptDownloads: true, ...contextOpts, ignoreAborted: true }, async ({ context, log, newPage }) => {
    log.dialogs = [];
    const open = async (url) => {
      const page = await newPage();
      page.on('dialog', async (d) => {
        log.dialogs.push(`${d.type()}: ${d.message()}`);
        if (onDialog) await onDialog(d);
        else await d.dismiss();
      });
      await go(page, url);
      return page;
    };
    const result = await fn({ context, open, log });
    if (!onDialog) assert.deepEqual(log.dialogs, [], 'dialogs');
    return result;
  });
}

// Goes to url; pages that read courses.json (My learning, certificate) are waited for until the
// network is idle, so that what they show is what progress.js made of it.
async function go(page, url) {
  await page.goto(url, { waitUntil: 'load' });
  const kind = await page.evaluate(() => document.body.dataset.pageKind);
  if (kind === 'my-learning' || kind === 'certificate') await page.waitForLoadState('networkidle');
}

const visible = (page, sel) => page.locator(sel).isVisible();
// Whether the lesson page shows the lesson as complete (its button's data-done).
const pressed = (page) => page.locator('#complete-toggle').getAttribute('data-done');
// The course page's one call to action: its state (start, continue, complete) and where it leads.
const cta = (page) => page.locator('#start-link').evaluate((a) => ({ state: a.dataset.state, text: a.textContent.trim(), href: a.getAttribute('href') }));
const stored = (page, base = '/a/') => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || 'null'), KEY(base));
const storedText = (page, base = '/a/') => page.evaluate((k) => localStorage.getItem(k), KEY(base));
const seed = (page, state, base = '/a/') =>
  page.evaluate(([k, v]) => localStorage.setItem(k, JSON.stringify(v)), [KEY(base), state]);
// Ids of the lessons that carry a check mark, in the part of the page `scope` selects.
const checked = (page, scope) => page.evaluate((s) => [...document.querySelectorAll(`${s} [data-lesson-id]`)]
  .filter((e) => e.querySelector('.done-mark')).map((e) => e.dataset.lessonId), scope);
const focusedId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

async function expectText(page, sel, pattern, what = sel) {
  await eventually(async () => {
    const t = await text(page, sel);
    assert.match(t, pattern, `${what} says ${JSON.stringify(t)}, which does not match ${pattern}`);
  });
}
async function expectPressed(page, value) {
  await eventually(async () => assert.equal(await pressed(page), String(value), '#complete-toggle data-done'));
}

// Presses Tab until the focused element matches selector.
async function tabTo(page, selector, max = 120) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate((s) => ({ hit: !!document.activeElement?.matches(s),
      desc: document.activeElement?.outerHTML.replace(/>[\s\S]*/, '>').slice(0, 80) }), selector);
    if (f.hit) return;
    seen.push(f.desc);
  }
  assert.fail(`Tab never reached ${selector}; focus went through:\n  ${seen.slice(-15).join('\n  ')}`);
}

async function completeByButton(page) {
  assert.equal(await pressed(page), 'false', 'the lesson was already complete');
  await page.click('#complete-toggle');
  await expectPressed(page, true);
}

// Answers the knowledge check: choices[q] lists the choice numbers (1-based) to select.
async function answerQuiz(page, choices) {
  for (const [q, picks] of choices.entries()) {
    for (const c of picks) await page.check(`#quiz-1-q${q + 1}-c${c}`);
  }
  await page.click('form.quiz button[type="submit"]');
  await eventually(async () => assert.notEqual(await text(page, '.quiz-result'), '', 'quiz result'));
}

// A record in the page's own format, for seeding localStorage.
function record(base, lessons, extra = {}) {
  const at = extra.at || new Date().toISOString();
  const state = { app: 'playbook-progress', schema: 1, site: base, name: extra.name || '', courses: {}, reflections: extra.reflections || {} };
  state.courses.teach = { lessons: Object.fromEntries(lessons.map((id) => [id, { done: true, at, title: id }])) };
  if (extra.last) state.courses.teach.last = { lesson: extra.last, at };
  return state;
}

// ---------------------------------------------------------------- a. complete_on: manual
describe('manual completion', { timeout: 120_000 }, () => {
  test('mark complete: pressed, announced, kept over a reload; undo is announced; sidebar marks follow', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l1);
      assert.ok(await visible(page, '#lesson-progress'), '#lesson-progress is still hidden');
      assert.match(await text(page, '.lesson-rule'), /Mark the lesson complete when you have finished it/);
      assert.equal(await pressed(page), 'false');
      assert.equal(await text(page, '#complete-toggle'), 'Mark lesson complete');
      assert.equal(await text(page, '#complete-state'), 'Not completed yet');
      assert.deepEqual(await checked(page, '.sidebar'), []);

      await page.click('#complete-toggle');
      await expectPressed(page, true);
      // Issue 15.9: a completed lesson's button no longer offers to mark it complete.
      assert.equal(await text(page, '#complete-toggle'), 'Mark as not complete');
      assert.equal(await text(page, '#complete-state'), '✓ Completed');
      assert.equal(await page.locator('#complete-toggle').getAttribute('aria-pressed'), null, 'a button whose words change is no toggle');
      await expectText(page, '#progress-announce', /^Lesson complete\. 1 of 4 lessons done in this course\.$/);
      assert.equal(await page.locator('#progress-announce').getAttribute('role'), 'status');
      assert.deepEqual(await checked(page, '.sidebar'), ['first-steps'], 'check marks in the sidebar');
      assert.match(await text(page, '.sidebar [data-lesson-id="first-steps"]'), /First steps ✓ \(completed\)$/);
      assert.equal(await page.locator('.sidebar [data-lesson-id="first-steps"] .done-mark [aria-hidden="true"]').count(), 1);
      const s = await stored(page);
      assert.equal(s.courses.teach.lessons['first-steps'].done, true);
      assert.equal(s.courses.teach.lessons['first-steps'].title, 'First steps');

      await page.reload({ waitUntil: 'load' });
      await expectPressed(page, true);
      assert.deepEqual(await checked(page, '.sidebar'), ['first-steps'], 'check marks in the sidebar after a reload');
      assert.equal(await text(page, '#progress-announce'), '', 'nothing is announced on a plain reload');

      await page.click('#complete-toggle');
      await expectPressed(page, false);
      await expectText(page, '#progress-announce', /^Lesson marked as not complete\. 0 of 4 lessons done in this course\.$/);
      assert.deepEqual(await checked(page, '.sidebar'), []);
      assert.equal((await stored(page)).courses.teach.lessons['first-steps'].done, false);
      await page.reload({ waitUntil: 'load' });
      await expectPressed(page, false);
    });
  });

  test('course and module pages: <progress> value and text, check marks, Continue opens the last lesson visited', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.course);
      assert.ok(await visible(page, '#course-progress'), '#course-progress is still hidden');
      assert.equal(await text(page, '#course-progress-text'), '0 of 4 lessons complete (0%)');
      assert.deepEqual(await cta(page), { state: 'start', text: 'Start the course', href: `/a/${P.l1}` }, 'before any visit');

      await go(page, url + P.l1);
      await completeByButton(page);
      await go(page, url + P.l3); // visited last, not completed
      await go(page, url + P.course);
      const bar = await page.locator('#course-progress-bar').evaluate((b) => ({ value: b.value, max: b.max, tag: b.tagName }));
      assert.deepEqual(bar, { value: 1, max: 4, tag: 'PROGRESS' });
      assert.equal(await text(page, '#course-progress-text'), '1 of 4 lessons complete (25%)');
      assert.equal(await page.getByRole('progressbar', { name: '1 of 4 lessons complete (25%)', exact: true }).count(), 1,
        'the course progress bar is not named by its text');
      assert.deepEqual(await checked(page, '.modules'), ['first-steps'], 'check marks in the course\'s lesson list');
      const modules = await page.locator('.module-progress').evaluateAll((bs) => bs.map((b) => [b.hidden, b.value, b.max]));
      assert.deepEqual(modules, [[false, 1, 2], [false, 0, 2]], 'module progress bars [hidden, value, max]');
      assert.deepEqual(await cta(page), { state: 'continue', text: 'Continue where you left off', href: `/a/${P.l3}` }, 'after a visit');
      assert.ok(!(await visible(page, '#certificate-link')), 'the certificate link is shown for an incomplete course');

      await go(page, url + P.m1);
      assert.equal(await text(page, '#module-progress-text'), 'Your progress in this module: 1 of 2 lessons');
      assert.equal(await page.locator('#module-progress-bar').evaluate((b) => b.value), 1);
      assert.deepEqual(await checked(page, 'article'), ['first-steps'], 'check marks in the module\'s lesson list');

      await go(page, url + P.course);
      await Promise.all([page.waitForURL(url + P.l3), page.click('#start-link')]);
      assert.equal(await text(page, 'h1'), 'Listening well');
    });
  });

  test('reset: cancelling the confirmation changes nothing; confirming resets lessons and keeps reflections', async () => {
    const { url } = sites.manual;
    let answer = false;
    await withContext({ onDialog: (d) => (answer ? d.accept() : d.dismiss()) }, async ({ open, log }) => {
      const page = await open(url + P.l1);
      await completeByButton(page);
      await page.fill('#my-classroom-answer', 'I wait.');
      await expectText(page, '.reflection-note', /Saved in this browser/);
      await go(page, url + P.course);
      await expectText(page, '#course-progress-text', /^1 of 4/);
      const before = await storedText(page);

      await page.click('#reset-course');
      await sleep(300);
      assert.equal(log.dialogs.length, 1, 'a confirmation is asked');
      assert.match(log.dialogs[0], /^confirm: Reset your progress/);
      assert.equal(await storedText(page), before, 'cancelling the confirmation changed the stored progress');
      assert.equal(await text(page, '#course-progress-text'), '1 of 4 lessons complete (25%)');

      answer = true;
      await page.click('#reset-course');
      await expectText(page, '#course-progress-text', /^0 of 4 lessons complete \(0%\)$/);
      await expectText(page, '#progress-announce', /progress in this course was reset/);
      assert.deepEqual(await checked(page, '.modules'), []);
      assert.equal((await cta(page)).state, 'start', 'Continue is still offered after a reset');
      const s = await stored(page);
      assert.equal(s.courses.teach.last, undefined, 'the continue mark survived the reset');
      assert.ok(Object.values(s.courses.teach.lessons).every((l) => l.done === false), 'a lesson is still complete');
      assert.equal(s.reflections['teach/first-steps/my-classroom'].text, 'I wait.', 'the reset lost a reflection');
      await go(page, url + P.l1);
      await expectPressed(page, false);
      assert.equal(await page.inputValue('#my-classroom-answer'), 'I wait.');
    });
  });

  test('reset forgets quiz scores, as its confirmation says', async () => {
    const { url } = sites.manual;
    await withContext({ onDialog: (d) => d.accept() }, async ({ open, log }) => {
      const page = await open(url + P.l2);
      await answerQuiz(page, [[1], [1, 2]]);
      assert.deepEqual((await stored(page)).courses.teach.lessons['check-understanding'].quiz, { best: 100, passed: true });
      await go(page, url + P.course);
      await page.click('#reset-course');
      await expectText(page, '#progress-announce', /reset/);
      assert.match(log.dialogs[0], /quiz scores in it will be forgotten/);
      const lesson = (await stored(page)).courses.teach.lessons['check-understanding'];
      assert.equal(lesson?.quiz, undefined, `the quiz score was kept after a reset: ${JSON.stringify(lesson)}`);
    });
  });
});

// ---------------------------------------------------------------- b. visit, scroll, quiz
describe('automatic completion', { timeout: 120_000 }, () => {
  test('visit: opening the lesson completes it, and says so', async () => {
    const { url } = sites.visit;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l3);
      assert.match(await text(page, '.lesson-rule'), /complete once you have opened it/);
      await expectPressed(page, true);
      await expectText(page, '#progress-announce', /^Lesson complete \(you opened it\)\. 1 of 4 lessons done in this course\.$/);
      assert.deepEqual(await checked(page, '.sidebar'), ['listening']);
      await go(page, url + P.course);
      assert.equal(await text(page, '#course-progress-text'), '1 of 4 lessons complete (25%)');
    });
  });

  test('scroll: the lesson completes only once its end is reached', async () => {
    const { url } = sites.scroll;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l1);
      const h = await page.evaluate(() => ({ doc: document.scrollingElement.scrollHeight, view: innerHeight }));
      assert.ok(h.doc > 3 * h.view, `the lesson is too short to test scrolling: ${JSON.stringify(h)}`);
      assert.match(await text(page, '.lesson-rule'), /complete when you reach its end/);
      await sleep(800);
      assert.equal(await pressed(page), 'false', 'complete before any scrolling');
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight / 2 - innerHeight));
      await sleep(800);
      assert.equal(await pressed(page), 'false', 'complete after scrolling halfway');
      assert.equal((await stored(page)).courses.teach.lessons['first-steps'], undefined);
      await page.mouse.wheel(0, h.doc);
      await expectPressed(page, true);
      await expectText(page, '#progress-announce', /^Lesson complete \(you reached its end\)\. 1 of 4/);
      assert.equal((await stored(page)).courses.teach.lessons['first-steps'].done, true);
    });
  });

  test('quiz: a fail shows per-answer feedback and does not complete; Try again resets; a pass at pass_mark completes', async () => {
    const { url } = sites.quiz;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l2);
      assert.match(await text(page, '.lesson-rule'), /pass its knowledge check \(50% or more\)/);
      assert.ok(!(await visible(page, '.quiz-answers')), 'the answers are shown before any check');
      assert.ok(!(await visible(page, 'form.quiz button:has-text("Try again")')));
      assert.equal(await page.locator('fieldset[data-multiple="true"] input[type="checkbox"]').count(), 3);

      // Wrong answer to 1; only one of the two right answers to 2 (a subset is wrong).
      await answerQuiz(page, [[2], [1]]);
      assert.equal(await text(page, '.quiz-result'),
        'You answered 0 of 2 correctly (0%). The pass mark is 50%: read the feedback and try again.');
      const fb = (id) => page.locator(`#quiz-1-${id}-feedback`);
      assert.ok(await fb('q1-c2').isVisible(), 'no feedback for the chosen wrong answer');
      // Issue 15.6: the verdict is said once, by the script, before the author's feedback.
      assert.equal(await text(page, '#quiz-1-q1-c2-feedback'), 'Not quite. A worksheet can come later.');
      assert.ok(await fb('q2-c1').isVisible(), 'no feedback for the chosen right answer');
      assert.equal(await text(page, '#quiz-1-q2-c1-feedback'), 'Correct. Wait time lets more students answer.');
      assert.equal(await text(page, 'fieldset[data-question="2"] .quiz-missed'), 'You have not chosen every right answer yet.');
      for (const id of ['q1-c1', 'q2-c2', 'q2-c3']) assert.ok(!(await fb(id).isVisible()), `feedback shown for ${id}, which was not chosen`);
      assert.deepEqual(await page.locator('fieldset.quiz-question').evaluateAll((fs) => fs.map((f) => f.className)),
        ['quiz-question is-wrong', 'quiz-question is-wrong']);
      assert.ok(await visible(page, '.quiz-answers'), 'the answers are not offered after a check');
      await sleep(300);
      assert.equal(await pressed(page), 'false', 'a failed check completed the lesson');
      let lesson = (await stored(page)).courses.teach.lessons['check-understanding'];
      assert.deepEqual({ done: lesson.done, quiz: lesson.quiz }, { done: false, quiz: { best: 0, passed: false } });

      await page.click('form.quiz button:has-text("Try again")');
      assert.equal(await page.locator('form.quiz input:checked').count(), 0, 'answers still ticked after Try again');
      assert.equal(await page.locator('.quiz-feedback:visible').count(), 0, 'feedback still shown after Try again');
      assert.equal(await text(page, '.quiz-result'), '');
      assert.equal(await page.locator('fieldset.is-wrong, fieldset.is-right').count(), 0);
      assert.ok(!(await visible(page, 'form.quiz button:has-text("Try again")')));
      assert.ok(await visible(page, 'form.quiz button[type="submit"]'));

      // Exactly the pass mark: question 1 right, question 2 still a subset.
      await answerQuiz(page, [[1], [1]]);
      assert.equal(await text(page, '.quiz-result'), 'You answered 1 of 2 correctly (50%). That passes (the pass mark is 50%).');
      assert.deepEqual(await page.locator('fieldset.quiz-question').evaluateAll((fs) => fs.map((f) => f.className)),
        ['quiz-question is-right', 'quiz-question is-wrong']);
      await expectPressed(page, true);
      await expectText(page, '#progress-announce', /^Lesson complete \(you passed the knowledge check\)\. 1 of 4/);
      lesson = (await stored(page)).courses.teach.lessons['check-understanding'];
      assert.deepEqual({ done: lesson.done, quiz: lesson.quiz }, { done: true, quiz: { best: 50, passed: true } });
      await page.reload({ waitUntil: 'load' });
      await expectPressed(page, true);
    });
  });

  test('quiz: a lesson without a knowledge check does not tell the reader to pass one', async () => {
    const { url } = sites.quiz;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l3);
      assert.equal(await page.locator('form.quiz').count(), 0, 'the fixture lesson has a quiz');
      const rule = await text(page, '.lesson-rule');
      assert.doesNotMatch(rule, /knowledge check/, `a lesson with no knowledge check says: ${rule}`);
      await completeByButton(page);
    });
  });

  test('quiz: Try again hides the answers again, as before the first check', async () => {
    const { url } = sites.quiz;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l2);
      await answerQuiz(page, [[2], [3]]);
      assert.ok(await visible(page, '.quiz-answers'));
      await page.click('form.quiz button:has-text("Try again")');
      assert.ok(!(await visible(page, '.quiz-answers')), '"Show the answers" is still offered after Try again');
    });
  });
});

// ---------------------------------------------------------------- c. reflections
test('reflection: autosaved, back after a reload, listed on My learning, in the downloaded text file', { timeout: 60_000 }, async () => {
  const { url } = sites.manual;
  const answer = 'I wait ten seconds after each question, even when it feels long.';
  await withContext({}, async ({ open }) => {
    const page = await open(url + P.l1);
    await page.locator('#my-classroom-answer').pressSequentially(answer, { delay: 5 });
    await expectText(page, '.reflection[data-reflection="my-classroom"] .reflection-note', /^Saved in this browser at /);
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.inputValue('#my-classroom-answer'), answer);

    await go(page, url + P.my);
    const item = page.locator('#my-reflections .my-reflection');
    assert.equal(await item.count(), 1, 'reflections listed on My learning');
    assert.equal(await item.locator('h3 a').textContent(), 'First steps');
    assert.equal(new URL(await item.locator('h3 a').evaluate((a) => a.href)).pathname, `/a/${P.l1}`);
    assert.equal(await item.locator('.reflection-prompt').textContent(), PROMPT_1);
    assert.equal(await item.locator('.reflection-text').textContent(), answer);
    assert.equal(await text(page, '#my-courses h3'), COURSE);
    assert.equal(await text(page, '#my-courses label'), '0 of 4 lessons complete (0%) · 2 h');
    assert.equal(await page.getByRole('progressbar', { name: '0 of 4 lessons complete (0%) · 2 h', exact: true }).count(), 1,
      'the course\'s progress bar on My learning has no accessible name');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-reflections')]);
    assert.match(download.suggestedFilename(), /^reflections-\d{4}-\d{2}-\d{2}\.txt$/);
    const doc = fs.readFileSync(await download.path(), 'utf8');
    assert.match(doc, new RegExp(`^My reflections — ${SITE_TITLE}\n`));
    for (const s of ['## First steps', `(/a/${P.l1})`, `Prompt: ${PROMPT_1}`, answer]) assert.ok(doc.includes(s), `${s} is missing from:\n${doc}`);
  });
});

// ---------------------------------------------------------------- d. export and import
describe('export and import', { timeout: 120_000 }, () => {
  test('export, clear the browser, import the file: progress is exactly restored', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l1);
      await completeByButton(page);
      await page.fill('#my-classroom-answer', 'Exported reflection.');
      await expectText(page, '.reflection-note', /Saved/);
      await go(page, url + P.l2);
      await answerQuiz(page, [[2], [1]]);
      await go(page, url + P.l3);
      await go(page, url + P.my);
      const before = await stored(page);
      assert.ok(before.courses.teach.last && before.courses.teach.lessons['check-understanding'].quiz, 'setup incomplete');

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-progress')]);
      assert.match(download.suggestedFilename(), /^progress-127\.0\.0\.1-\d{4}-\d{2}-\d{2}\.json$/);
      await expectText(page, '#import-status', /saved to a file/);
      const file = await download.path();
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), before, 'the exported file is not the stored progress');

      await page.evaluate(() => localStorage.clear());
      await go(page, url + P.my);
      assert.equal(await text(page, '#my-courses'), 'You have not started a course on this site yet.');
      await page.setInputFiles('#import-progress', file);
      await expectText(page, '#import-status', /^Progress imported and merged/);
      assert.deepEqual(await stored(page), before, 'the imported progress differs from the exported one');
      assert.match(await text(page, '#my-courses'), /1 of 4 lessons complete \(25%\)/);
      assert.equal(await page.locator('#my-courses a.button').textContent(), 'Continue where you left off');
      assert.equal(await page.locator('#my-reflections .reflection-text').textContent(), 'Exported reflection.');
      await go(page, url + P.l1);
      await expectPressed(page, true);
    });
  });

  test('bad files are refused with a clear message and change nothing', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open, log }) => {
      const page = await open(url + P.my);
      const mine = record('/a/', ['first-steps'], { last: 'first-steps' });
      await seed(page, mine);
      await go(page, url + P.my);
      await expectText(page, '#my-courses', /1 of 4 lessons complete/);
      const before = await storedText(page);
      const bad = [
        ['malformed JSON', '{"app": "playbook-progress", "schema": 1,', /^That file is not a progress file \(it could not be read\); nothing was changed\.$/],
        ['another site', JSON.stringify(record('/b/', IDS)), /^This file holds progress from another site \(\/b\/\), not from this one\. Nothing was changed\.$/],
        ['a newer schema', JSON.stringify({ ...record('/a/', IDS), schema: 99 }), /newer version.* Nothing was changed\.$/],
        ['another app', JSON.stringify({ ...record('/a/', IDS), app: 'someone-else' }), /not a progress file.* Nothing was changed\.$/],
        ['no schema', JSON.stringify({ ...record('/a/', IDS), schema: undefined }), /does not say which format.* Nothing was changed\.$/],
        ['a damaged lesson', JSON.stringify({ ...record('/a/', IDS), courses: { teach: { lessons: { 'Bad Id': { done: true, at: 'x' } } } } }), /damaged.* Nothing was changed\.$/],
        ['10 MB', JSON.stringify(record('/a/', IDS)).padEnd(10 * 1024 * 1024, ' '), /^That file is too large \(10,240 kB\) to be a progress file; nothing was changed\.$/],
      ];
      for (const [i, [what, body, message]] of bad.entries()) {
        const file = path.join(tmp, `bad-${i}.json`);
        fs.writeFileSync(file, body);
        await page.evaluate(() => { document.getElementById('import-status').textContent = ''; });
        await page.setInputFiles('#import-progress', file);
        await expectText(page, '#import-status', message, `message for ${what}`);
        assert.equal(await storedText(page), before, `importing ${what} changed the stored progress`);
        assert.match(await text(page, '#my-courses'), /1 of 4 lessons complete \(25%\)/, `My learning after ${what}`);
        assert.equal(await page.inputValue('#import-progress'), '', 'the file input keeps the refused file');
      }
      assert.equal(await page.locator('img').count(), 0);
      assert.deepEqual(log.dialogs, []);
    });
  });

  test('HTML in a file\'s strings is shown as text: nothing injected, existing progress kept', async () => {
    const { url } = sites.manual;
    const html = '<img src=x onerror="window.__pwned=1;alert(1)">';
    await withContext({}, async ({ open, log }) => {
      const page = await open(url + P.my);
      await seed(page, record('/a/', ['first-steps']));
      await go(page, url + P.my);
      const file = record('/a/', ['listening'], {
        name: html,
        reflections: { 'teach/first-steps/my-classroom': { text: `${html}<script>window.__pwned=2</script>`, at: new Date().toISOString(), prompt: html, page: html, url: `/a/${P.l1}` } },
      });
      file.courses.teach.lessons['a-retired-lesson'] = { done: true, at: new Date().toISOString(), title: html };
      await page.setInputFiles('#import-progress', { name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
      await expectText(page, '#import-status', /^Progress imported and merged/);
      await sleep(300);
      assert.equal(await page.locator('img').count(), 0, 'an <img> was injected');
      assert.equal(await page.locator('#main script').count(), 0, 'a <script> was injected');
      assert.equal(await page.evaluate(() => window.__pwned), undefined, 'injected script ran');
      assert.deepEqual(log.dialogs, [], 'injected script opened a dialog');
      assert.equal(await page.locator('.retired-note + ul li').textContent(), `${html} (retired)`);
      assert.equal(await page.locator('#my-reflections h3 a').textContent(), html);
      assert.equal(await page.locator('#my-reflections .reflection-prompt').textContent(), html);
      assert.match(await text(page, '#my-courses'), /2 of 4 lessons complete \(50%\)/, 'existing progress was not kept');
      const s = await stored(page);
      assert.deepEqual(Object.keys(s.courses.teach.lessons).sort(), ['a-retired-lesson', 'first-steps', 'listening']);
      // The same strings elsewhere: the lesson page's reflection box and the certificate name.
      await go(page, url + P.l1);
      assert.equal(await page.inputValue('#my-classroom-answer'), `${html}<script>window.__pwned=2</script>`);
      assert.equal(await page.locator('main img').count(), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
    });
  });

  test('a reflection link in an imported file cannot run script (javascript: URL)', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open, log }) => {
      const page = await open(url + P.my);
      const file = record('/a/', [], {
        reflections: { 'teach/first-steps/my-classroom': { text: 'Click my title.', at: new Date().toISOString(), prompt: 'p', page: 'Open me', url: 'javascript:window.__pwned=1;alert(1)' } },
      });
      await page.setInputFiles('#import-progress', { name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
      await eventually(async () => assert.notEqual(await text(page, '#import-status'), ''));
      const hrefs = await page.locator('#my-reflections a').evaluateAll((as) => as.map((a) => a.href));
      for (const h of hrefs) assert.match(h, /^http:\/\/127\.0\.0\.1:\d+\/a\//, `My learning shows a reflection link to ${h}`);
      if (hrefs.length) await page.locator('#my-reflections a').first().click();
      await sleep(300);
      assert.equal(await page.evaluate(() => window.__pwned).catch(() => undefined), undefined, 'the link ran script');
      assert.deepEqual(log.dialogs, []);
    });
  });
});

describe('hostile progress files', { timeout: 120_000 }, () => {
  test('links off the site and times in the future are refused; nothing of them is shown or kept; a good file still imports', async () => {
    const { url } = sites.root;
    const hour = 60 * 60 * 1000;
    const recent = new Date(Date.now() - hour).toISOString();
    await withContext({}, async ({ open, log }) => {
      const page = await open(url + P.my);
      const mine = record('/', ['first-steps'], { at: recent, last: 'first-steps' });
      await seed(page, mine, '/');
      await go(page, url + P.my);
      await expectText(page, '#my-courses', /1 of 4 lessons complete \(25%\)/);
      const before = await storedText(page, '/');
      const reflection = (u) => ({ 'teach/first-steps/my-classroom': { text: 'Continue your course here', at: recent, prompt: 'p', page: 'Continue your course here', url: u } });
      const far = '+275760-09-13T00:00:00.000Z';
      const undo = record('/', [], { at: recent });
      undo.courses.teach.lessons['first-steps'] = { done: false, at: far };
      const lateMark = record('/', ['listening'], { at: recent, last: 'listening' });
      lateMark.courses.teach.last.at = far;
      const lateNote = record('/', [], { reflections: reflection('/courses/teach/') });
      lateNote.reflections['teach/first-steps/my-classroom'].at = new Date(Date.now() + 3 * 24 * hour).toISOString();
      const hostile = [
        ['a protocol-relative link', record('/', ['listening'], { at: recent, reflections: reflection('//evil.example/phish') }), /links to "\/\/evil\.example\/phish", which is not a page of this site\. Nothing was changed\.$/],
        ['a backslash link', record('/', [], { at: recent, reflections: reflection('/\\evil.example/x') }), /not a page of this site\. Nothing was changed\.$/],
        ['a javascript: link', record('/', [], { at: recent, reflections: reflection('javascript:window.__pwned=1') }), /not a page of this site\. Nothing was changed\.$/],
        ['a far-future undo', undo, /lesson “first-steps” is not valid: its time "\+275760-09-13T00:00:00\.000Z" is in the future\. Nothing was changed\.$/],
        ['a far-future continue mark', lateMark, /“continue” mark is not valid: its time .* is in the future\. Nothing was changed\.$/],
        ['a reflection from three days ahead', lateNote, /reflection is not valid: its time .* is in the future\. Nothing was changed\.$/],
        ['a time before progress was kept', record('/', ['listening'], { at: '2001-01-01T00:00:00.000Z' }), /before this site kept progress\. Nothing was changed\.$/],
      ];
      for (const [what, file, message] of hostile) {
        await page.evaluate(() => { document.getElementById('import-status').textContent = ''; });
        await page.setInputFiles('#import-progress', { name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
        await expectText(page, '#import-status', message, `message for ${what}`);
        assert.equal(await storedText(page, '/'), before, `importing ${what} changed the stored progress`);
        assert.match(await text(page, '#my-courses'), /1 of 4 lessons complete \(25%\)/, `My learning after ${what}`);
        assert.doesNotMatch(await text(page, '#main'), /Continue your course here/, `${what}: the hostile reflection is shown`);
        const foreign = await page.locator('#main a[href]').evaluateAll((as) => as.map((a) => a.href).filter((h) => new URL(h).origin !== location.origin));
        assert.deepEqual(foreign, [], `${what}: My learning links off the site`);
      }
      await go(page, url + P.my);
      assert.equal(await storedText(page, '/'), before, 'a reload changed the stored progress');
      assert.match(await text(page, '#my-courses'), /1 of 4 lessons complete \(25%\)/);
      // A good file from this site still imports and merges.
      const good = record('/', ['listening'], { at: new Date().toISOString(), reflections: reflection(`/${P.l1}`) });
      await page.setInputFiles('#import-progress', { name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
      await expectText(page, '#import-status', /^Progress imported and merged/);
      assert.match(await text(page, '#my-courses'), /2 of 4 lessons complete \(50%\)/);
      const link = page.locator('#my-reflections h3 a');
      assert.equal(await link.textContent(), 'Continue your course here');
      assert.equal(await link.getAttribute('href'), `/${P.l1}`);
      const s = await stored(page, '/');
      assert.deepEqual(Object.keys(s.courses.teach.lessons).sort(), ['first-steps', 'listening']);
      assert.equal(s.courses.teach.lessons['first-steps'].done, true);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.deepEqual(log.dialogs, []);
      await assertNoAxeViolations(page, 'My learning after refused and accepted imports');
    });
  });
});

// ---------------------------------------------------------------- e. storage unavailable
describe('storage unavailable', { timeout: 120_000 }, () => {
  const BLOCKERS = {
    'setItem throws': () => {
      const fake = { getItem: () => null, setItem() { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); },
        removeItem() {}, clear() {}, key: () => null, length: 0 };
      Object.defineProperty(window, 'localStorage', { configurable: true, get: () => fake });
    },
    'localStorage itself throws': () => {
      Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); } });
    },
  };
  for (const [name, initScript] of Object.entries(BLOCKERS)) {
    test(`${name}: pages still work and the notice appears once`, async () => {
      const { url } = sites.manual;
      await withContext({ initScript }, async ({ open }) => {
        const notices = (page) => page.locator('#storage-notice').count();
        const page = await open(url + P.l1);
        assert.equal(await notices(page), 1, 'notices on the lesson page');
        assert.match(await text(page, '#storage-notice'), /not letting the site keep your progress/);
        assert.equal(await page.locator('#storage-notice').getAttribute('role'), 'status');
        await page.click('#complete-toggle');
        await expectPressed(page, true);
        await expectText(page, '#progress-announce', /^Lesson complete\. 1 of 4/);
        await page.click('#complete-toggle');
        await expectPressed(page, false);
        await page.fill('#my-classroom-answer', 'Not kept.');
        await expectText(page, '.reflection[data-reflection="my-classroom"] .reflection-note', /^Not saved: this browser is not keeping data/);
        assert.equal(await notices(page), 1, 'notices on the lesson page after using it');

        await go(page, url + P.l2);
        await answerQuiz(page, [[1], [1, 2]]);
        assert.match(await text(page, '.quiz-result'), /2 of 2 correctly/);
        assert.equal(await notices(page), 1, 'notices on the quiz lesson');

        await go(page, url + P.course);
        assert.equal(await notices(page), 1, 'notices on the course page');
        assert.equal(await text(page, '#course-progress-text'), '0 of 4 lessons complete (0%)');

        await go(page, url + P.my);
        assert.equal(await notices(page), 1, 'notices on My learning');
        assert.equal(await text(page, '#my-courses'), 'You have not started a course on this site yet.');
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-progress')]);
        assert.equal(JSON.parse(fs.readFileSync(await download.path(), 'utf8')).site, '/a/');

        await go(page, url + P.cert);
        assert.equal(await notices(page), 1, 'notices on the certificate page');
        assert.match(await text(page, '#certificate-not-yet'), /you have completed 0 of 4/);
      });
    });
  }
});

// ---------------------------------------------------------------- f. renamed and removed lessons
test('a renamed lesson keeps its progress; a removed one is retired and not counted', { timeout: 60_000 }, async () => {
  const s = await site('renamed', { completeOn: 'manual' });
  await withContext({}, async ({ open }) => {
    const page = await open(s.url + P.l1);
    await completeByButton(page);
    await go(page, s.url + P.l3);
    await completeByButton(page);
    await go(page, s.url + P.l4);
    await completeByButton(page);
    await go(page, s.url + P.course);
    assert.equal(await text(page, '#course-progress-text'), '3 of 4 lessons complete (75%)');

    s.rebuild({ completeOn: 'manual', version: 2 });
    await go(page, s.url + P.course);
    assert.equal(await text(page, '#course-progress-text'), '2 of 3 lessons complete (67%)');
    assert.deepEqual(await page.locator('#course-progress-bar').evaluate((b) => [b.value, b.max]), [2, 3]);
    assert.deepEqual(await checked(page, '.modules'), ['first-steps', 'listening']);
    assert.match(await text(page, '.modules [data-lesson-id="listening"]'), /^Hearing every voice ✓ \(completed\)/);
    // The last lesson opened is gone: Continue leads to the first lesson not complete.
    assert.deepEqual(await cta(page), { state: 'continue', text: 'Continue where you left off', href: `/a/${P.l2}` });

    await go(page, s.url + P.my);
    assert.match(await text(page, '#my-courses'), /2 of 3 lessons complete \(67%\)/);
    assert.deepEqual(await page.locator('.retired-note + ul li').allTextContents(), ['Next steps (retired)']);

    await go(page, s.url + P.l3renamed);
    await expectPressed(page, true);
    assert.deepEqual(await checked(page, '.sidebar'), ['first-steps', 'listening']);
  });
});

test('a course longer than the sidebar: the lesson page counts every lesson of the course', { timeout: 60_000 }, async () => {
  // Past 60 lessons the sidebar lists only the current module's lessons.
  const big = await site('big', { files: bigCourseFiles() });
  await withContext({}, async ({ open }) => {
    const page = await open(big.url + 'courses/teach/basics/lesson-1-01/');
    await completeByButton(page);
    await expectText(page, '#progress-announce', /^Lesson complete\. 1 of 62 lessons done in this course\.$/);
    await go(page, big.url + 'courses/teach/practice/lesson-2-01/');
    await completeByButton(page);
    await expectText(page, '#progress-announce', /^Lesson complete\. 2 of 62 lessons done in this course\.$/);
    await go(page, big.url + P.course);
    assert.equal(await text(page, '#course-progress-text'), '2 of 62 lessons complete (3%)');
  });
});

// ---------------------------------------------------------------- g. two sites on one origin
test('two sites on one origin (/a/ and /b/) keep separate progress', { timeout: 60_000 }, async () => {
  const parent = path.join(tmp, 'two-sites');
  build(path.join(tmp, 'two-a'), path.join(parent, 'a'), '/a/', { completeOn: 'manual' });
  build(path.join(tmp, 'two-b'), path.join(parent, 'b'), '/b/', { completeOn: 'manual' });
  const server = await serve(parent, '/');
  servers.push(server);
  await withContext({}, async ({ open }) => {
    const a = await open(`${server.url}a/${P.l1}`);
    await completeByButton(a);
    await a.fill('#my-classroom-answer', 'Only on A.');
    await expectText(a, '.reflection-note', /Saved/);

    const b = await open(`${server.url}b/${P.course}`);
    assert.equal(await text(b, '#course-progress-text'), '0 of 4 lessons complete (0%)');
    assert.equal((await cta(b)).state, 'start', 'site B continues from site A\'s lesson');
    assert.deepEqual(await checked(b, '.modules'), []);
    await go(b, `${server.url}b/${P.my}`);
    assert.equal(await text(b, '#my-courses'), 'You have not started a course on this site yet.');
    assert.equal(await b.locator('#my-reflections .my-reflection').count(), 0, 'site B lists site A\'s reflection');
    await go(b, `${server.url}b/${P.l1}`);
    await expectPressed(b, false);
    assert.equal(await b.inputValue('#my-classroom-answer'), '', 'site B shows site A\'s reflection');

    await go(a, `${server.url}a/${P.course}`);
    assert.equal(await text(a, '#course-progress-text'), '1 of 4 lessons complete (25%)');
    assert.equal((await stored(a, '/a/')).site, '/a/');
    assert.equal((await stored(a, '/b/')).courses.teach?.lessons['first-steps'], undefined);
  });
});

// ---------------------------------------------------------------- h. two tabs
test('two tabs: completing in one updates the other tabs without a reload', { timeout: 60_000 }, async () => {
  const { url } = sites.manual;
  await withContext({}, async ({ open }) => {
    const course = await open(url + P.course);
    const module = await open(url + P.m1);
    const sameLesson = await open(url + P.l1);
    const lesson = await open(url + P.l1);
    for (const p of [course, module, sameLesson]) await p.evaluate(() => { window.__noReload = true; });
    await lesson.bringToFront();
    await completeByButton(lesson);

    await expectText(course, '#course-progress-text', /^1 of 4 lessons complete \(25%\)$/, 'course tab');
    await eventually(async () => assert.deepEqual(await checked(course, '.modules'), ['first-steps']));
    assert.equal(await course.locator('#course-progress-bar').evaluate((b) => b.value), 1);
    await expectText(module, '#module-progress-text', /1 of 2 lessons$/, 'module tab');
    await expectPressed(sameLesson, true);
    await eventually(async () => assert.deepEqual(await checked(sameLesson, '.sidebar'), ['first-steps']));
    for (const p of [course, module, sameLesson]) assert.equal(await p.evaluate(() => window.__noReload), true, 'a tab reloaded');

    await lesson.click('#complete-toggle');
    await expectText(course, '#course-progress-text', /^0 of 4/, 'course tab after the undo');
    await expectPressed(sameLesson, false);
  });
});

// ---------------------------------------------------------------- i. certificate
describe('certificate', { timeout: 120_000 }, () => {
  test('incomplete: says what is left; complete: the name makes the certificate, which survives a reload', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.cert);
      assert.equal(await text(page, '#certificate-not-yet'),
        `Complete every lesson of ${COURSE} to see your certificate here: you have completed 0 of 4.`);
      assert.ok(!(await visible(page, '#certificate-name-form')), 'the name form is shown for an incomplete course');
      assert.ok(!(await visible(page, '#certificate')), 'the certificate is shown for an incomplete course');

      for (const l of [P.l1, P.l2, P.l3]) { await go(page, url + l); await completeByButton(page); }
      await go(page, url + P.cert);
      assert.match(await text(page, '#certificate-not-yet'), /you have completed 3 of 4\.$/);
      assert.ok(!(await visible(page, '#certificate')));

      await go(page, url + P.l4);
      await completeByButton(page);
      await go(page, url + P.course);
      // Issue 15.9: at 100% there is nothing to continue; the call to action is the certificate.
      assert.deepEqual(await cta(page), { state: 'complete', text: 'Your certificate', href: `/a/${P.cert}` }, 'no certificate link on the completed course');
      await Promise.all([page.waitForURL(url + P.cert), page.click('#start-link')]);
      await page.waitForLoadState('networkidle');
      assert.ok(!(await visible(page, '#certificate-not-yet')));
      assert.ok(await visible(page, '#certificate-name-form'), 'no name field on a completed course');
      assert.ok(!(await visible(page, '#certificate')), 'the certificate is shown before a name is given');

      await page.locator('#certificate-name').pressSequentially('Ada Lovelace', { delay: 5 });
      await eventually(async () => assert.ok(await visible(page, '#certificate'), 'the certificate did not appear'));
      assert.equal(await text(page, '#cert-name'), 'Ada Lovelace');
      assert.equal(await text(page, '#certificate-course'), COURSE);
      const lessons = Object.values((await stored(page)).courses.teach.lessons);
      const latest = new Date(Math.max(...lessons.map((l) => Date.parse(l.at))));
      const shown = latest.toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' });
      assert.equal(await text(page, '.cert-details'), `2 h of professional learning in 4 lessons, completed on ${shown}.`);
      assert.ok(await visible(page, '#print-certificate'));

      await page.reload({ waitUntil: 'networkidle' });
      assert.equal(await page.inputValue('#certificate-name'), 'Ada Lovelace');
      assert.ok(await visible(page, '#certificate'));
      assert.equal(await text(page, '#cert-name'), 'Ada Lovelace');

      // Undoing a lesson takes the certificate away again, name or not.
      await go(page, url + P.l4);
      await page.click('#complete-toggle');
      await expectPressed(page, false);
      await go(page, url + P.cert);
      assert.ok(!(await visible(page, '#certificate')), 'the certificate is shown for a course no longer complete');
      assert.ok(!(await visible(page, '#print-certificate')));
      assert.match(await text(page, '#certificate-not-yet'), /you have completed 3 of 4\.$/);
    });
  });

  test('the certificate\'s machine-readable date is the date it shows, in the reader\'s time zone', async () => {
    const { url } = sites.manual;
    // 03:00 UTC on 10 March is 19:00 on 9 March in Los Angeles.
    await withContext({ timezoneId: 'America/Los_Angeles', locale: 'en-US' }, async ({ open }) => {
      const page = await open(url + P.my);
      await seed(page, record('/a/', IDS, { at: '2024-03-10T03:00:00.000Z', name: 'Ada Lovelace' }));
      await go(page, url + P.cert);
      assert.equal(await text(page, '#cert-date'), 'March 9, 2024');
      assert.equal(await page.locator('#cert-date').getAttribute('datetime'), '2024-03-09',
        'the <time datetime> is a different day from the date shown');
    });
  });
});

// ---------------------------------------------------------------- j. keyboard only
describe('keyboard only', { timeout: 120_000 }, () => {
  test('Tab through the quiz and submit with Enter; Tab to the complete button, Space and Enter toggle it', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l2);
      await tabTo(page, '#quiz-1-q1-c1');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'quiz-1-q2-c1', 'Tab from question 1 did not go to question 2');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), 'quiz-1-q2-c2');
      await page.keyboard.press('Space');
      await tabTo(page, 'form.quiz button[type="submit"]', 5);
      await page.keyboard.press('Enter');
      await expectText(page, '.quiz-result', /^You answered 2 of 2 correctly \(100%\)\. That passes/);
      assert.deepEqual(await page.locator('form.quiz input:checked').evaluateAll((is) => is.map((i) => i.id)),
        ['quiz-1-q1-c1', 'quiz-1-q2-c1', 'quiz-1-q2-c2']);

      await tabTo(page, '#complete-toggle');
      await page.keyboard.press('Space');
      await expectPressed(page, true);
      await expectText(page, '#progress-announce', /^Lesson complete\./);
      assert.equal(await focusedId(page), 'complete-toggle', 'focus left the button');
      await page.keyboard.press('Enter');
      await expectPressed(page, false);
      await expectText(page, '#progress-announce', /^Lesson marked as not complete\./);
      await page.keyboard.press('Enter');
      await expectPressed(page, true);
    });
  });

  test('after Try again, focus stays in the quiz', async () => {
    const { url } = sites.manual;
    await withContext({}, async ({ open }) => {
      const page = await open(url + P.l2);
      await tabTo(page, '#quiz-1-q1-c1');
      await page.keyboard.press('ArrowDown'); // selects choice 2, the wrong one
      await tabTo(page, 'form.quiz button[type="submit"]', 6);
      await page.keyboard.press('Enter');
      await expectText(page, '.quiz-result', /0 of 2/);
      await tabTo(page, 'form.quiz button[type="button"]', 4);
      assert.equal(await text(page, 'form.quiz button[type="button"]:focus'), 'Try again');
      await page.keyboard.press('Enter');
      await expectText(page, '.quiz-result', /^$/);
      const where = await page.evaluate(() => document.activeElement.outerHTML.replace(/>[\s\S]*/, '>').slice(0, 100));
      assert.ok(await page.evaluate(() => !!document.activeElement.closest('form.quiz')),
        `after Try again focus is on ${where}, outside the quiz (the focused button was hidden)`);
    });
  });
});

// ---------------------------------------------------------------- k. axe-core
describe('axe-core WCAG 2.2 A/AA with progress shown', { timeout: 180_000 }, () => {
  for (const colorScheme of ['light', 'dark']) {
    test(`course, lesson after a check, My learning, certificate (${colorScheme})`, async () => {
      const { url } = sites.manual;
      await withContext({ colorScheme, bypassCSP: true }, async ({ open }) => {
        const page = await open(url + P.l1);
        await completeByButton(page);
        await page.fill('#my-classroom-answer', 'A reflection for the audit.');
        await expectText(page, '.reflection-note', /Saved/);

        await go(page, url + P.course);
        await expectText(page, '#course-progress-text', /^1 of 4/);
        await assertNoAxeViolations(page, 'on the course page with progress');

        await go(page, url + P.l2);
        await answerQuiz(page, [[2], [1, 3]]);
        assert.ok(await page.locator('.quiz-feedback:visible').count() >= 3, 'feedback is not shown');
        await assertNoAxeViolations(page, 'on a lesson after a quiz check');

        await go(page, url + P.my);
        await expectText(page, '#my-courses', /1 of 4/);
        assert.equal(await page.locator('#my-reflections .my-reflection').count(), 1);
        await assertNoAxeViolations(page, 'on My learning with a course and a reflection');

        await seed(page, record('/a/', IDS, { name: 'Ada Lovelace' }));
        await go(page, url + P.cert);
        assert.ok(await visible(page, '#certificate'), 'the certificate is not shown');
        await assertNoAxeViolations(page, 'on the filled certificate');
      });
    });
  }
});
