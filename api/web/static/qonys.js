// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen-reader and keyboard users hear it first.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // A form sends once: a second tap on a slow connection would post it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () { form.dataset.sent = ""; }, 8000);
  });
  // <details data-reveal-when="name=value">: opened when a radio with that value is chosen.
  document.querySelectorAll("[data-reveal-when]").forEach(function (box) {
    var parts = box.dataset.revealWhen.split("=");
    document.querySelectorAll('input[name="' + parts[0] + '"]').forEach(function (input) {
      input.addEventListener("change", function () { box.open = input.checked && input.value === parts[1]; });
    });
  });
})();
