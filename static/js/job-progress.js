// Polls each .job-progress element's JSON endpoint until the job has finished.
// The texts come from the server (already in the page's language) or the message catalog.
(function () {
  function poll(el) {
    fetch(el.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var bar = el.querySelector(".progress-bar");
        bar.style.width = data.percent + "%";
        bar.textContent = data.percent + "%";
        el.querySelector(".progress").setAttribute("aria-valuenow", data.percent);
        el.querySelector(".job-status").textContent = data.status_label || data.status;
        el.querySelector(".job-message").textContent = data.message;
        if (data.finished) {
          bar.classList.remove("progress-bar-striped", "progress-bar-animated");
          bar.classList.add(data.status === "failed" ? "bg-danger" : "bg-success");
          el.dataset.finished = "true";
          if (el.dataset.reloadOnFinish !== "false") { window.location.reload(); }
        } else {
          setTimeout(function () { poll(el); }, 1000);
        }
      })
      .catch(function () {
        el.querySelector(".job-message").textContent =
          gettext("No answer from the server: trying again…");
        setTimeout(function () { poll(el); }, 3000);
      });
  }
  document.querySelectorAll(".job-progress").forEach(function (el) {
    if (el.dataset.finished !== "true") { poll(el); }
  });
})();
