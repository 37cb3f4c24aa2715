// The filter box above a list of country checkboxes (macros/forms.html, country_checkboxes):
// typing hides the countries whose name does not contain the text, and the regions left empty.
// Without this script the box stays hidden and every checkbox works as usual.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
  }
  document.querySelectorAll("[data-country-filter]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-country-filter"));
    var input = box.querySelector("input");
    var shown = box.querySelector("[aria-live]");
    if (!list || !input) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll(".form-check"));
    var names = items.map(function (item) {
      return fold(item.textContent || "");
    });
    function apply() {
      var query = fold(input.value.trim());
      var count = 0;
      items.forEach(function (item, index) {
        var visible = !query || names[index].indexOf(query) !== -1;
        item.hidden = !visible;
        if (visible) {
          count += 1;
        }
      });
      list.querySelectorAll("[data-region]").forEach(function (region) {
        region.hidden = !region.querySelector(".form-check:not([hidden])");
      });
      shown.textContent = query ? box.getAttribute("data-shown").replace("{count}", String(count)) : "";
    }
    input.addEventListener("input", apply);
    // Enter in the filter box would submit the whole form; it moves to the first match instead.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = list.querySelector(".form-check:not([hidden]) input");
        if (first) {
          first.focus();
        }
      }
    });
    box.hidden = false;
  });
})();
