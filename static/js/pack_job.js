// Follows an evidence-pack job (templates/evidence/job.html): polls its state, moves the progress bar and
// shows the download link when the pack is ready. The state lives in the database, so any server answers.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-state-url]");
  if (!box) { return; }
  var bar = box.querySelector("[data-job-bar]");

  function show(state) {
    box.dataset.state = state.state;
    box.querySelector("[data-job-step]").textContent = state.step || "";
    var percent = Math.max(0, Math.min(100, state.progress || 0));
    // The same steps as the width_class template filter: full only at 100, empty only at 0.
    var step = Math.round(percent / 5) * 5;
    if (percent > 0 && percent < 100) { step = Math.min(Math.max(step, 5), 95); }
    bar.className = bar.className.replace(/\bpct-\d+\b/, "pct-" + step);
    bar.textContent = percent + " %";
    bar.parentElement.setAttribute("aria-valuenow", String(percent));
    if (state.download) {
      var link = box.querySelector("[data-job-download]");
      link.href = state.download;
      box.querySelector("[data-job-done]").classList.remove("d-none");
    }
    if (state.state === "failed") {
      box.querySelector("[data-job-error]").textContent = state.error || "";
      box.querySelector("[data-job-failed]").classList.remove("d-none");
    }
  }

  function poll() {
    fetch(box.dataset.jobStateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        show(state);
        if (state.state === "queued" || state.state === "running") { window.setTimeout(poll, 700); }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }

  if (box.dataset.state === "queued" || box.dataset.state === "running") { poll(); }
})();
