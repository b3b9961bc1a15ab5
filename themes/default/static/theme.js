// Light/dark theme: follows the system until the reader chooses, then remembers the choice.
// Loaded in <head> (not deferred), so what it decides applies before the first paint:
// - the stored theme (`data-theme` on <html>);
// - `js` on <html>: the controls only scripts make work (menu button, theme toggle, search box,
//   progress boxes) get their room from the first paint, so showing them moves nothing;
// - `has-progress` on <html> when this browser holds course progress for this site, so the home
//   page keeps room for "Continue" (progress.js fills it in).
(function () {
  var KEY = 'playbook-theme';
  var root = document.documentElement;
  root.classList.add('js');
  // Phones get a navigation drawer (nav.js) where <dialog> works; elsewhere the links stay put.
  if (typeof HTMLDialogElement === 'function' && 'showModal' in HTMLDialogElement.prototype) root.classList.add('has-drawer');
  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  var saved = stored(KEY);
  if (saved === 'dark' || saved === 'light') root.dataset.theme = saved;
  var progressKey = root.getAttribute('data-progress-key');
  if (progressKey && /"last":/.test(stored(progressKey) || '')) root.classList.add('has-progress');

  /** The interface text `key` in the page's language (assets/strings.<lang>.js, loaded first),
   * each `{name}` filled from `vars`. */
  function t(key, vars) {
    var s = window.PLAYBOOK_STRINGS || { lang: 'en', text: {} };
    var text = Object.prototype.hasOwnProperty.call(s.text, key) ? s.text[key] : key;
    if (text && typeof text === 'object') text = text.other;
    return String(text).replace(/\{(\w+)\}/g, function (m, k) {
      return vars && Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m;
    });
  }

  function effective() {
    if (root.dataset.theme) return root.dataset.theme;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.getElementById('theme-toggle');
    if (toggle) {
      var sync = function () { toggle.setAttribute('aria-pressed', effective() === 'dark' ? 'true' : 'false'); };
      toggle.hidden = false;
      sync();
      toggle.addEventListener('click', function () {
        var next = effective() === 'dark' ? 'light' : 'dark';
        root.dataset.theme = next;
        try { localStorage.setItem(KEY, next); } catch (e) { /* storage off: the choice lasts this page only */ }
        sync();
      });
      if (window.matchMedia) {
        var mq = window.matchMedia('(prefers-color-scheme: dark)');
        if (mq.addEventListener) mq.addEventListener('change', sync);
      }
    }
    var print = document.getElementById('print-button');
    if (print) {
      print.hidden = false;
      print.addEventListener('click', function () { window.print(); });
    }
    offlineReading();
  });

  // Offline reading: the build puts data-sw on <body> only when the site keeps pages offline
  // (`offline` in playbook.yaml), never in `playbook serve`. Service workers need http(s): a site
  // opened from files on disk works without one.
  function offlineReading() {
    var body = document.body;
    var worker = body.getAttribute('data-sw');
    if (!worker || !('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
    var register = function () {
      navigator.serviceWorker.register(worker, { scope: body.getAttribute('data-base') || '/' })
        .catch(function () { /* no worker: the site works online as before */ });
    };
    // After the page has loaded and been painted, so the worker's first downloads (its precache
    // list) never compete with the page: on a fast connection `load` can come before the first
    // frame, which then waited behind the worker's start-up on a busy phone.
    var later = function () { requestAnimationFrame(function () { setTimeout(register, 0); }); };
    if (document.readyState === 'complete') later(); else window.addEventListener('load', later);

    var note = document.getElementById('offline-note');
    if (note) {
      var sync = function () {
        var offline = navigator.onLine === false;
        note.textContent = offline ? t('offline.note') : '';
        root.classList.toggle('is-offline', offline);
      };
      sync();
      window.addEventListener('online', sync);
      window.addEventListener('offline', sync);
    }
    listSavedPages();
  }

  // On the offline page: the pages saved on this device, asked of the worker that served it.
  function listSavedPages() {
    var section = document.getElementById('saved-pages');
    var list = document.getElementById('saved-pages-list');
    var controller = navigator.serviceWorker.controller;
    if (!section || !list || !controller || typeof MessageChannel === 'undefined') return;
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      var pages = Array.isArray(event.data) ? event.data : [];
      var at = document.title.indexOf(' \u00b7 ');
      var suffix = at >= 0 ? document.title.slice(at) : '';
      var parser = new DOMParser();
      var items = pages.map(function (p) {
        // The title as written in the page's HTML: decode its entities without running anything.
        var title = parser.parseFromString('<!doctype html><title>' + p.title + '</title>', 'text/html').title || p.url;
        if (suffix && title.length > suffix.length && title.slice(-suffix.length) === suffix) title = title.slice(0, -suffix.length);
        if (p.url === document.body.getAttribute('data-base')) title = t('nav.home');
        return { url: p.url, title: title };
      }).sort(function (a, b) { return a.title.localeCompare(b.title, root.lang || undefined); });
      if (!items.length) return;
      items.forEach(function (p) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = p.url;
        a.textContent = p.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      section.hidden = false;
    };
    controller.postMessage({ type: 'saved-pages' }, [channel.port2]);
  }
})();
