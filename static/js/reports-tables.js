// Loads a chart's table when its <details> opens; sorting and paging links reload it in place.
// Its texts come from the message catalog (base.html loads it first).
(function () {
  function load(box, url) {
    box.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { box.innerHTML = html; box.dataset.loaded = "true"; })
      .catch(function () { box.textContent = gettext("The table could not be loaded: reload the page."); })
      .finally(function () { box.removeAttribute("aria-busy"); });
  }
  document.querySelectorAll("details.report-table").forEach(function (details) {
    var box = details.querySelector("[data-table-url]");
    if (!box) { return; }
    details.addEventListener("toggle", function () {
      if (details.open && box.dataset.loaded !== "true") { load(box, box.dataset.tableUrl); }
    });
    box.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      var href = link && link.getAttribute("href");
      if (!href || href.charAt(0) !== "?") { return; }
      event.preventDefault();
      load(box, href);
    });
  });
})();
