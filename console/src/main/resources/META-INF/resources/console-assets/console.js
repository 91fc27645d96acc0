// Herald console: the little JavaScript it needs. Pages work without it (except the live refresh).
(function () {
  'use strict';
  // Live panels: <div data-refresh="/console/…" data-every="5000"> is replaced by a fresh rendering.
  document.querySelectorAll('[data-refresh]').forEach(function (panel) {
    var every = parseInt(panel.getAttribute('data-every'), 10) || 5000;
    setInterval(function () {
      fetch(panel.getAttribute('data-refresh'), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
        .then(function (r) {
          if (r.redirected || r.status === 401) { window.location.reload(); return null; }
          return r.ok ? r.text() : null;
        })
        .then(function (html) { if (html !== null) { panel.innerHTML = html; } })
        .catch(function () { /* the next tick tries again */ });
    }, every);
  });
  // "Select all" checkboxes: <input type="checkbox" data-select-all="name-of-the-others">
  document.querySelectorAll('[data-select-all]').forEach(function (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name="' + all.getAttribute('data-select-all') + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
})();
