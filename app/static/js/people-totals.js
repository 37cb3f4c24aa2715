// The report form's people assisted (grants/_people_form.html): while the grantee types, each
// form of exploitation's summary and the line below them show how many people are counted so
// far. Counts are whole numbers, so group separators are skipped; the server reads every count
// again and is the only authority. Without this script the form works the same. No inline
// script (CSP).
(function () {
  "use strict";
  var live = document.querySelector("[data-people-live]");
  if (!live) return;
  var template = live.getAttribute("data-template") || "";
  function read(input) {
    var text = String(input.value || "").replace(/[\s\u00a0\u202f.,'\u066c]/g, "");
    return /^\d+$/.test(text) ? parseInt(text, 10) : 0;
  }
  function update() {
    var fresh = 0;
    var continuing = 0;
    document.querySelectorAll("[data-people-count]").forEach(function (input) {
      if (/-new$/.test(input.name)) fresh += read(input);
      else continuing += read(input);
    });
    live.textContent = template
      .replace("{total}", String(fresh + continuing))
      .replace("{new}", String(fresh))
      .replace("{continuing}", String(continuing));
    live.hidden = false;
  }
  document.addEventListener("input", function (event) {
    if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-people-count")) {
      update();
    }
  });
  update();
})();
