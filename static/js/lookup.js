// Cashier screen: one scan field, usable with a keyboard (or a keyboard-wedge scanner) alone.
//
// The field is a plain GET form: a scanner types the code and presses Enter, the browser
// submits it. There is deliberately no live search while typing: a scanner types faster than
// any debounce, and a request started mid-scan could answer after the Enter.
(function () {
  "use strict";
  var input = document.getElementById("lookup-q");
  if (!input) { return; }
  var form = input.form;

  function results() {
    return Array.prototype.slice.call(document.querySelectorAll("#lookup-results a"));
  }

  // Ready for the next scan: focused, with the last code selected so that it is replaced.
  function ready() {
    input.focus();
    input.select();
  }
  ready();
  // Coming back with the browser's Back button restores the page from its cache.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { ready(); } });

  // Trim what was typed; an empty field does not submit.
  form.addEventListener("submit", function (event) {
    input.value = input.value.trim();
    if (!input.value) { event.preventDefault(); }
  });

  function move(from, step) {
    var links = results();
    if (!links.length) { return false; }
    var i = links.indexOf(from);
    var next = i + step;
    if (from === input) { next = step > 0 ? 0 : links.length - 1; }
    if (next < 0 || next >= links.length) { input.focus(); input.select(); return true; }
    links[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) { return; }
    var target = event.target;
    var inList = target.closest && target.closest("#lookup-results");
    if ((target === input || inList) && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      if (move(target, event.key === "ArrowDown" ? 1 : -1)) { event.preventDefault(); }
      return;
    }
    if (inList && event.key === "Escape") {
      event.preventDefault();
      ready();
      return;
    }
    // A scan (or typing) while focus is elsewhere, e.g. on a match: start a new search in the
    // field instead of losing the characters. The field is cleared by the first character.
    if (target !== input && event.key.length === 1 && !isEditable(target)) {
      event.preventDefault();
      input.focus();
      input.value = event.key;
    }
  });

  function isEditable(el) {
    return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }
})();
