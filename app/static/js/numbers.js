// Numbers typed the way the reader's language writes them ("1 234,56" in French, "1,234.56" in
// English), read with the same grammar as the server (app/platform/typed_numbers.py), so the page
// can show what will be saved before anything is sent. The server reads the text again and is
// the only authority: this script only shows. No inline script (CSP).
(function () {
  "use strict";

  var SPACES = /[\s\u00a0\u202f\u2009]/g;

  function escapeForRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // {negative, whole: "1234", fraction: "56"} or null when a reader could not be sure.
  function read(text, decimal, group) {
    var t = String(text || "")
      .trim()
      .replace(/[\u200e\u200f\u061c]/g, "")
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x660); })
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x6f0); })
      .replace(/[\uff10-\uff19]/g, function (d) { return String(d.charCodeAt(0) - 0xff10); })
      .replace(/\uff0e/g, ".")
      .replace(/\uff0c/g, ",")
      .replace(/\u066b/g, decimal)
      .replace(/\u066c/g, group)
      .replace(SPACES, " ");
    if (t === "" || t.length > 40) return null;
    var negative = false;
    if (t[0] === "-" || t[0] === "\u2212") {
      negative = true;
      t = t.slice(1).trim();
    } else if (t[0] === "+") {
      t = t.slice(1).trim();
    }
    var at = t.indexOf(decimal);
    var whole = at < 0 ? t : t.slice(0, at);
    var fraction = at < 0 ? "" : t.slice(at + decimal.length);
    if (at >= 0 && !/^\d+$/.test(fraction)) return null;
    if (whole === "" && at < 0) return null;
    if (whole !== "" && !/^\d+$/.test(whole)) {
      var mark = whole.replace(/\d/g, "")[0];
      if (mark !== group && mark !== " ") return null;
      var grouped = new RegExp("^\\d{1,3}(?:" + escapeForRegExp(mark) + "\\d{3})+$");
      if (!grouped.test(whole)) return null;
      whole = whole.split(mark).join("");
    }
    return { negative: negative, whole: whole.replace(/^0+(?=\d)/, "") || "0", fraction: fraction };
  }

  // Minor units as a BigInt, or null when there are more decimals than the currency has.
  function toMinor(number, exponent) {
    if (number.fraction.length > exponent) return null;
    var minor = BigInt(number.whole + number.fraction.padEnd(exponent, "0"));
    return number.negative ? -minor : minor;
  }

  function currencyDigits(currency, locale) {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency: currency })
        .resolvedOptions().maximumFractionDigits;
    } catch (e) {
      return 2;
    }
  }

  function formatNumber(number, locale) {
    var parts = new Intl.NumberFormat(locale).formatToParts(1.5);
    var decimal = ".";
    parts.forEach(function (p) { if (p.type === "decimal") decimal = p.value; });
    return (number.negative ? "-" : "") + new Intl.NumberFormat(locale).format(BigInt(number.whole)) +
      (number.fraction ? decimal + number.fraction : "");
  }

  // "USD 50,00" for (5000n, "USD", "fr"), as the server's money filter writes it (the ISO code:
  // a bare "$" is ambiguous), exactly: BigInt for the whole part, never a float.
  function formatMoney(minor, currency, locale) {
    var exponent = currencyDigits(currency, locale);
    var negative = minor < 0n;
    var value = negative ? -minor : minor;
    var scale = 10n ** BigInt(exponent);
    var fraction = exponent ? (value % scale).toString().padStart(exponent, "0") : "";
    return currency + "\u00a0" + formatNumber(
      { negative: negative, whole: (value / scale).toString(), fraction: fraction }, locale);
  }

  function inputCurrency(input) {
    var fieldId = input.dataset.numberCurrencyField;
    if (fieldId) {
      var field = document.getElementById(fieldId);
      return field ? field.value : "";
    }
    return input.dataset.numberCurrency || "";
  }

  // What an input will be saved as, in words a person reads: {text, ok}.
  function understood(input) {
    var locale = input.dataset.numberLocale || document.documentElement.lang || "en";
    var number = read(input.value, input.dataset.numberDecimal || ".", input.dataset.numberGroup || ",");
    if (input.value.trim() === "") return null;
    if (number === null) return { ok: false, text: input.dataset.numberHint || "" };
    var currency = inputCurrency(input);
    if (currency) {
      var minor = toMinor(number, currencyDigits(currency, locale));
      if (minor === null) return { ok: false, text: input.dataset.numberHint || "" };
      return { ok: true, minor: minor, currency: currency, text: formatMoney(minor, currency, locale) };
    }
    return { ok: true, text: formatNumber(number, locale) };
  }

  // A line under each number field that asks for it: "Saved as 1 200,50 $US".
  function echo(input) {
    var line = document.createElement("div");
    line.className = "form-text number-echo";
    line.id = input.id + "-understood";
    line.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", line);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(line.id);
    input.setAttribute("aria-describedby", described.join(" "));
    function update() {
      var result = understood(input);
      line.textContent = result === null ? "" : result.ok
        ? (input.dataset.numberSavedAs || "").replace("%s", result.text) : result.text;
      line.classList.toggle("text-danger", result !== null && !result.ok);
    }
    input.addEventListener("input", update);
    var currencyField = input.dataset.numberCurrencyField &&
      document.getElementById(input.dataset.numberCurrencyField);
    if (currencyField) currencyField.addEventListener("change", update);
    update();
  }

  window.typedNumbers = { read: read, toMinor: toMinor, formatMoney: formatMoney, understood: understood };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-number-echo]").forEach(echo);
  });
})();
