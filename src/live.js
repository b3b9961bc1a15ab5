// Live reload for `playbook serve` (never part of a built site). Listens to the server's
// events: reloads this page only when it changed, keeping the scroll position; swaps
// stylesheets without a reload; shows build errors in an overlay until they are fixed.
(function () {
  'use strict';
  var script = document.currentScript;
  var root = script ? script.src.replace(/__playbook\/live\.js.*$/, '') : '/';
  var KEY = 'playbook-live-scroll:' + location.pathname;

  var saved = null;
  try { saved = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { /* no storage */ }
  if (saved !== null) {
    var y = Number(saved);
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', restore); else restore();
    window.addEventListener('load', restore);
  }

  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) { /* no storage */ }
    location.reload();
  }

  function overlay(text) {
    var box = document.getElementById('playbook-error-overlay');
    if (!text) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement('div');
      box.id = 'playbook-error-overlay';
      box.setAttribute('role', 'alert');
      var s = box.style;
      s.position = 'fixed'; s.inset = '0'; s.zIndex = '2147483647'; s.overflow = 'auto';
      s.background = 'rgba(20, 22, 26, 0.96)'; s.color = '#fff'; s.padding = '2rem';
      s.font = '15px/1.5 ui-monospace, Menlo, Consolas, monospace';
      var h = document.createElement('h2');
      h.textContent = 'The site does not build. Fix this and save; the page updates by itself.';
      h.style.font = '600 18px system-ui, sans-serif';
      h.style.margin = '0 0 1rem';
      var pre = document.createElement('pre');
      pre.style.whiteSpace = 'pre-wrap';
      var close = document.createElement('button');
      close.type = 'button';
      close.textContent = 'Hide';
      close.addEventListener('click', function () { box.remove(); });
      box.appendChild(h); box.appendChild(pre); box.appendChild(close);
      document.body.appendChild(box);
    }
    box.querySelector('pre').textContent = text;
  }

  var events = new EventSource(root + '__playbook/events');
  events.addEventListener('reload', function (e) {
    var d = JSON.parse(e.data);
    if (d.all || (d.paths || []).indexOf(location.pathname) >= 0) reload();
  });
  events.addEventListener('css', function (e) {
    var paths = JSON.parse(e.data).paths || [];
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var u = new URL(link.href);
      if (paths.indexOf(u.pathname) >= 0) { u.searchParams.set('v', Date.now()); link.href = u.href; }
    });
  });
  events.addEventListener('asset', function (e) {
    var paths = JSON.parse(e.data).paths || [];
    var used = Array.prototype.some.call(document.querySelectorAll('[src],[href]'), function (el) {
      var u = new URL(el.getAttribute('src') || el.getAttribute('href'), location.href);
      return paths.indexOf(u.pathname) >= 0;
    });
    if (used) reload();
  });
  events.addEventListener('errors', function (e) { overlay(JSON.parse(e.data).text); });
})();
