// Taxonomy autocomplete for the household form (progressive enhancement: without this file
// the server normalizes each typed title on save and shows the code it chose).
// A combobox per [data-lookup] field: type 2+ letters, arrows move, Enter picks, Escape closes.
(function () {
  "use strict";
  var form = document.querySelector(".household-form");
  if (!form) { return; }
  var codeTemplate = form.dataset.codeTemplate || "{code} · {label}";

  function setup(box) {
    var input = box.querySelector("input[role=combobox]");
    var list = box.querySelector("[role=listbox]");
    var code = box.querySelector("[data-code]");
    var picked = box.querySelector("[data-picked]");
    var shown = box.querySelector("[data-code-shown]");
    var items = [], active = -1, timer = null, asked = "";

    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function show(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (el, i) { el.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      }
    }
    function pick(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.label; code.value = item.code; picked.value = item.label;
      shown.textContent = codeTemplate.replace("{code}", item.code).replace("{label}", item.label);
      close();
    }
    function render() {
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i; li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var title = document.createElement("span"); title.textContent = item.label;
        var tag = document.createElement("span"); tag.className = "code"; tag.textContent = item.code;
        li.appendChild(title); li.appendChild(tag);
        // mousedown, not click: it fires before the input loses focus and closes the list.
        li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
    }
    function ask() {
      var q = input.value.trim();
      if (q.length < 2) { items = []; render(); return; }
      if (q === asked) { return; }
      asked = q;
      var url = "/app/taxonomy/suggest?kind=" + box.dataset.lookup + "&q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (input.value.trim() === q) { items = data.items || []; render(); } })
        .catch(function () { items = []; render(); });
    }
    input.addEventListener("input", function () {
      // A changed title no longer has the picked code: the server normalizes it on save.
      if (input.value.trim() !== picked.value.trim()) { code.value = ""; shown.textContent = ""; }
      window.clearTimeout(timer); timer = window.setTimeout(ask, 180);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { if (event.key === "ArrowDown") { asked = ""; ask(); } return; }
      if (event.key === "ArrowDown") { event.preventDefault(); show(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); show(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); pick(active); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }
  form.querySelectorAll("[data-lookup]").forEach(setup);
})();
