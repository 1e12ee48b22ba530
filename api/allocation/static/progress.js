// Live progress of an allocation run: polls the small JSON beside the page and reloads the
// page once the run has finished. Without JavaScript a <noscript> meta refresh does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-percent]");
  var phase = box.querySelector("[data-phase]");
  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.done) { window.location.reload(); return; }
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + " %"; }
        if (percent) { percent.textContent = data.percent; }
        if (phase) { phase.textContent = data.phase; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 700);
})();
