// Finding one's way on a page and across the site, on every page:
// - phones: the menu button opens a navigation drawer (a modal <dialog>: the site's sections, the
//   collection's sidebar with the current page scrolled into view, the theme toggle). Focus stays
//   inside while it is open; Escape, the close button or a click outside close it and give
//   focus back to the menu button. Without this script the same links are in the page itself.
// - "On this page": beside the text on wide screens with the section being read marked; on
//   narrower ones a button shows and hides it.
// - wide tables: their scrolling region takes keyboard focus only when it does scroll.
// The DOM glue is thin; `currentSection` is exported for tests.

/** Of headings' tops (px from the top of the viewport, in page order), the index of the section
 * being read: the last heading at or above `line`, or 0. */
export function currentSection(tops, line) {
  let current = 0;
  for (let i = 0; i < tops.length; i++) if (tops[i] <= line) current = i;
  return current;
}

function drawer() {
  const button = document.getElementById('menu-button');
  const dialog = document.getElementById('nav-drawer');
  if (!button || !dialog || typeof dialog.showModal !== 'function') return;
  const body = dialog.querySelector('.drawer-body');
  const wide = window.matchMedia('(min-width: 60rem)');
  // The parts the drawer borrows, each with a marker where it goes back.
  let borrowed = [];
  const open = () => {
    const parts = [document.getElementById('site-nav'), document.querySelector('.layout > .sidebar'), document.getElementById('theme-toggle')];
    borrowed = parts.filter(Boolean).map((el) => {
      const mark = document.createComment('drawer');
      el.before(mark);
      body.append(el);
      return [el, mark];
    });
    dialog.showModal();
    button.setAttribute('aria-expanded', 'true');
    // The current page in view, so the reader sees where they are.
    const current = body.querySelector('.sidebar [aria-current="page"]');
    if (current) current.scrollIntoView({ block: 'center' });
    else body.scrollTop = 0;
  };
  const restore = () => {
    for (const [el, mark] of borrowed) { mark.replaceWith(el); }
    borrowed = [];
    button.setAttribute('aria-expanded', 'false');
  };
  button.hidden = false;
  button.addEventListener('click', open);
  dialog.addEventListener('close', () => {
    restore();
    button.focus();
  });
  // Tab from the last control goes to the first, Shift+Tab from the first to the last: focus
  // never leaves the drawer for the page behind it or the browser's own controls.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const all = [...dialog.querySelectorAll('a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex="-1"])')]
      .filter((el) => el.getClientRects().length);
    if (!all.length) return;
    const first = all[0];
    const last = all[all.length - 1];
    if (e.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) { e.preventDefault(); last.focus(); } else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  });
  dialog.addEventListener('click', (e) => {
    // The backdrop (a click on the dialog box itself, outside its contents) or the close button.
    if (e.target === dialog || e.target.closest('[data-close]')) dialog.close();
  });
  const onWide = () => { if (wide.matches && dialog.open) dialog.close(); };
  if (wide.addEventListener) wide.addEventListener('change', onWide);
}

function outline() {
  const nav = document.querySelector('.page-outline');
  if (!nav) return;
  const toggle = nav.querySelector('.outline-toggle');
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      nav.classList.toggle('is-open', open);
    });
  }
  const links = [...nav.querySelectorAll('a[href^="#"]')];
  const targets = links.map((a) => document.getElementById(decodeURIComponent(a.hash.slice(1))));
  if (!links.length || targets.some((t) => !t)) return;
  let shown = -1;
  let queued = false;
  const update = () => {
    queued = false;
    const i = currentSection(targets.map((t) => t.getBoundingClientRect().top), window.innerHeight * 0.25);
    if (i === shown) return;
    if (shown >= 0) links[shown].removeAttribute('aria-current');
    links[i].setAttribute('aria-current', 'location');
    shown = i;
  };
  const queue = () => { if (!queued) { queued = true; requestAnimationFrame(update); } };
  window.addEventListener('scroll', queue, { passive: true });
  window.addEventListener('resize', queue);
  update();
}

// A table region takes focus (so keyboard readers can scroll it) only while it scrolls.
function tables() {
  const wraps = [...document.querySelectorAll('.table-wrap[tabindex]')];
  if (!wraps.length || typeof ResizeObserver === 'undefined') return;
  const sync = (w) => {
    const scrolls = w.scrollWidth > w.clientWidth + 1;
    w.tabIndex = scrolls ? 0 : -1;
    w.classList.toggle('is-scrollable', scrolls);
  };
  const ro = new ResizeObserver((entries) => entries.forEach((e) => sync(e.target)));
  wraps.forEach((w) => { sync(w); ro.observe(w); });
}

if (typeof document !== 'undefined') {
  const run = () => {
    for (const f of [drawer, outline, tables]) {
      try { f(); } catch (e) { console.warn('nav:', e); }
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run); else run();
}
