// Application pages: live budget totals and the print button. No inline script (CSP).
// Money is computed in integer minor units with BigInt, never in floating point; the server
// recomputes everything when the form is saved.
(function () {
  "use strict";

  // What an input holds, read as the page's language writes numbers ("1 200,50" in French) with
  // the server's grammar (numbers.js), as minor units; 0n when empty, null when unreadable.
  function toMinor(input, exponent) {
    if (input.value.trim() === "") return 0n;
    var number = window.typedNumbers.read(input.value, input.dataset.numberDecimal || ".",
      input.dataset.numberGroup || ",");
    if (number === null || number.negative) return null;
    return window.typedNumbers.toMinor(number, exponent);
  }

  function format(minor, exponent, currency, locale) {
    var negative = minor < 0n;
    var value = negative ? -minor : minor;
    var scale = 10n ** BigInt(exponent);
    var whole = value / scale;
    var fraction = (value % scale).toString().padStart(exponent, "0");
    var parts = new Intl.NumberFormat(locale).formatToParts(1.5);
    var decimal = ".";
    parts.forEach(function (p) { if (p.type === "decimal") decimal = p.value; });
    var text = new Intl.NumberFormat(locale).format(whole) + (exponent ? decimal + fraction : "");
    return (negative ? "-" : "") + currency + " " + text;
  }

  // rate "0.13" -> [13n, 100n]
  function ratio(rate) {
    var match = /^(\d*)(?:\.(\d*))?$/.exec(rate);
    if (!match) return [0n, 1n];
    var decimals = (match[2] || "").length;
    return [BigInt((match[1] || "0") + (match[2] || "")), 10n ** BigInt(decimals)];
  }

  function setupBudget(form) {
    var exponent = parseInt(form.dataset.exponent, 10) || 0;
    var currency = form.dataset.currency;
    var locale = form.dataset.locale || "en";
    var rate = ratio(form.dataset.pscRate || "0");
    var cap = BigInt(form.dataset.maxAmount || "0");
    var totalCell = document.getElementById("budget-total");
    var pscCell = document.getElementById("budget-psc");
    var grandCell = document.getElementById("budget-grand-total");
    var warning = document.getElementById("budget-cap-warning");

    function recompute() {
      var total = 0n;
      form.querySelectorAll("tr.budget-line").forEach(function (row) {
        var quantityInput = row.querySelector(".budget-quantity");
        var quantity = quantityInput.value.trim() === "" ? 1n : toMinor(quantityInput, 0);
        var unit = toMinor(row.querySelector(".budget-unit-cost"), exponent);
        var cell = row.querySelector(".budget-amount");
        var hasItem = row.querySelector("input[type=text]").value.trim() !== "";
        if (quantity === null || unit === null) {
          cell.textContent = "?";
          return;
        }
        var amount = quantity * unit;
        cell.textContent = hasItem || amount > 0n ? format(amount, exponent, currency, locale) : "";
        if (hasItem) total += amount;
      });
      // Half up, as the server does: (total * num * 2 + den) / (2 * den)
      var psc = (total * rate[0] * 2n + rate[1]) / (2n * rate[1]);
      totalCell.textContent = format(total, exponent, currency, locale);
      pscCell.textContent = format(psc, exponent, currency, locale);
      grandCell.textContent = format(total + psc, exponent, currency, locale);
      warning.classList.toggle("d-none", !(cap > 0n && total > cap));
    }

    form.addEventListener("input", recompute);
    recompute();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var budget = document.getElementById("budget-form");
    if (budget) setupBudget(budget);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
