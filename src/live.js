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

  // The error overlay is a modal alert dialog: the page behind it is inert (not focusable, hidden
  // from screen readers) while it shows, focus moves to its button, Escape or the button hides
  // it, and focus goes back where it was. A fixed error removes it the same way.
  var before = null;
  function setInert(on) {
    Array.prototype.forEach.call(document.body.children, function (el) {
      if (el.id !== 'playbook-error-overlay') el.inert = on;
    });
  }
  function hide() {
    var box = document.getElementById('playbook-error-overlay');
    if (!box) return;
    box.remove();
    setInert(false);
    if (before && document.contains(before)) before.focus();
    before = null;
  }
  function overlay(text) {
    var box = document.getElementById('playbook-error-overlay');
    if (!text) { hide(); return; }
    if (!box) {
      before = document.activeElement;
      box = document.createElement('div');
      box.id = 'playbook-error-overlay';
      box.setAttribute('role', 'alertdialog');
      box.setAttribute('aria-modal', 'true');
      box.setAttribute('aria-labelledby', 'playbook-error-title');
      box.setAttribute('aria-describedby', 'playbook-error-text');
      var s = box.style;
      s.position = 'fixed'; s.inset = '0'; s.zIndex = '2147483647'; s.overflow = 'auto';
      s.background = 'rgba(20, 22, 26, 0.97)'; s.color = '#fff'; s.padding = '2rem';
      s.font = '15px/1.5 ui-monospace, Menlo, Consolas, monospace';
      var h = document.createElement('h2');
      h.id = 'playbook-error-title';
      h.textContent = 'The site does not build. Fix this and save; the page updates by itself.';
      h.style.font = '600 18px system-ui, sans-serif';
      h.style.margin = '0 0 1rem';
      var pre = document.createElement('pre');
      pre.id = 'playbook-error-text';
      pre.style.whiteSpace = 'pre-wrap';
      var close = document.createElement('button');
      close.type = 'button';
      close.textContent = 'Hide this message';
      close.style.font = '600 16px system-ui, sans-serif';
      close.style.padding = '0.4rem 1rem';
      close.style.outlineOffset = '3px';
      close.addEventListener('click', hide);
      box.addEventListener('keydown', function (e) {
        if (e.key === 'Escape') { e.preventDefault(); hide(); }
        // The only control: Tab stays on it.
        if (e.key === 'Tab') { e.preventDefault(); close.focus(); }
      });
      box.appendChild(h); box.appendChild(pre); box.appendChild(close);
      document.body.appendChild(box);
      setInert(true);
      close.focus();
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
