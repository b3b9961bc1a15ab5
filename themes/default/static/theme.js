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
  });
})();
