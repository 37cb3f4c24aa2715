// Bulk actions on a list (app/templates/bulk/_macros.html): the "Select all on this page"
// checkbox in a table's header ticks or unticks every row's checkbox of its form, and shows
// itself mixed when only some are ticked. Without this script the rows are ticked one by one.
(function () {
  "use strict";
  document.querySelectorAll("[data-bulk-all]").forEach(function (all) {
    var formId = all.getAttribute("data-bulk-all");
    var rows = Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + formId + '"]')
    );
    if (!rows.length) return;
    function reflect() {
      var ticked = rows.filter(function (box) { return box.checked; }).length;
      all.checked = ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      reflect();
    });
    rows.forEach(function (box) { box.addEventListener("change", reflect); });
    reflect();
  });
})();
