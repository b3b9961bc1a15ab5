// Light/dark theme: follows the system until the reader chooses, then remembers the choice.
// Loaded in <head> (not deferred) so the stored theme applies before the first paint.
(function () {
  var KEY = 'playbook-theme';
  var root = document.documentElement;
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  var saved = stored();
  if (saved === 'dark' || saved === 'light') root.dataset.theme = saved;

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
    // After the page has loaded, so the worker's first downloads never slow the page down.
    if (document.readyState === 'complete') register(); else window.addEventListener('load', register);

    var note = document.getElementById('offline-note');
    if (note) {
      var sync = function () {
        var offline = navigator.onLine === false;
        note.textContent = offline ? 'You\u2019re offline. Pages you opened before are still here.' : '';
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
        if (p.url === document.body.getAttribute('data-base')) title = 'Home';
        return { url: p.url, title: title };
      }).sort(function (a, b) { return a.title.localeCompare(b.title); });
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
