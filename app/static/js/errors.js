// The error summary (macros/forms.html): read first, and each of its links puts the focus in
// the field to fix with the field's label or question in view, not just scrolled to its box.
(function () {
  "use strict";

  function fieldOf(target) {
    var id = target.getAttribute("href").slice(1);
    return id ? document.getElementById(id) : null;
  }

  function focusField(target) {
    // A box that holds the field (the card form of the Give page): its first input.
    var input = target.matches("input, select, textarea, button, a[href], [tabindex]") ? target
      : target.querySelector("input, select, textarea, iframe") || target;
    var legend = input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
    var label = legend || (input.labels && input.labels[0]) || input;
    input.focus({ preventScroll: true });
    label.scrollIntoView({ block: "start" });
  }

  function wire(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && fieldOf(link);
      if (!input) return;
      event.preventDefault();
      focusField(input);
    });
  }

  window.errorSummary = { wire: wire, focusField: focusField };

  var summary = document.querySelector(".error-summary:not([hidden])");
  if (!summary) return;
  wire(summary);
  // `autofocus` does it already in most browsers; this covers the others.
  if (document.activeElement === document.body || document.activeElement === null) {
    summary.focus();
  }
})();
