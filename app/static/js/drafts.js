// Draft forms (the application's sections): rows added in the page, a warning before leaving
// with unsaved changes, and drafts saved automatically a few seconds after the last change.
// Everything here is an extra: without JavaScript the form saves with its buttons and a save
// gives more empty rows. No inline script (CSP).
(function () {
  "use strict";

  // --- Rows added without a round trip -----------------------------------------------------
  // The new row is a copy of the table's last row with its index and its number moved on
  // ("lines-2-unit_cost" -> "lines-3-unit_cost", "Unit cost on line 3" -> "... line 4") and
  // its values and error marks cleared.
  function renumber(text, oldIndex, newIndex) {
    return text.replace(new RegExp("-" + oldIndex + "-", "g"), "-" + newIndex + "-");
  }

  function renumberLabel(text, oldNumber, newNumber) {
    return text.replace(new RegExp("(^|\\D)" + oldNumber + "(?=\\D|$)"), "$1" + newNumber);
  }

  function addRow(body) {
    var rows = body.querySelectorAll("tr");
    var last = rows[rows.length - 1];
    var named = last.querySelector("[name]");
    var match = named && /-(\d+)-/.exec(named.getAttribute("name"));
    if (!match) return null;
    var oldIndex = parseInt(match[1], 10);
    var newIndex = oldIndex + 1;
    var row = last.cloneNode(true);
    row.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    row.querySelectorAll("*").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attribute) {
        var value = el.getAttribute(attribute);
        if (value) el.setAttribute(attribute, renumber(value, oldIndex, newIndex));
      });
      var label = el.getAttribute("aria-label");
      if (label) el.setAttribute("aria-label", renumberLabel(label, rows.length, rows.length + 1));
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      el.classList.remove("is-invalid");
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") el.value = "";
    });
    row.querySelectorAll(".budget-amount").forEach(function (cell) { cell.textContent = ""; });
    body.appendChild(row);
    return row;
  }

  function setupAddRow(button) {
    var body = document.getElementById(button.getAttribute("data-add-row"));
    if (!body) return;
    button.classList.remove("d-none");
    var hint = document.getElementById(button.getAttribute("data-no-script-hint"));
    if (hint) hint.classList.add("d-none");
    button.addEventListener("click", function () {
      var row = addRow(body);
      if (!row) return;
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      // Totals and the unsaved-changes warning listen to "input" on the form.
      body.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // --- Unsaved changes and autosave ----------------------------------------------------------
  function setupDraft(status) {
    var form = status.closest("form");
    if (!form) return;
    var delay = parseInt(status.getAttribute("data-autosave-delay"), 10) || 5000;
    var autosave = status.hasAttribute("data-autosave");
    var dirty = false;
    var saving = false;
    var stopped = false;
    var timer = null;

    function say(text) { status.textContent = text; }

    function schedule() {
      if (!autosave || stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, delay);
    }

    function save() {
      timer = null;
      if (saving) { schedule(); return; }
      if (!dirty || stopped) return;
      saving = true;
      dirty = false;
      var data = new FormData(form);
      data.set("then", "stay");
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Autosave": "1", "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      }).then(function (answer) {
        if (answer.version) {
          var version = form.querySelector("input[name=version]");
          if (version) version.value = answer.version;
        }
        if (!answer.saved) {
          dirty = true;  // still to be saved by the buttons
          if (answer.stop) stopped = true;
        }
        say(answer.message || "");
      }).catch(function () {
        dirty = true;
        say(status.getAttribute("data-failed-message") || "");
      }).then(function () {
        saving = false;
        if (waitingSubmitter !== undefined) submitWaiting();
      });
    }

    form.addEventListener("input", function () { dirty = true; schedule(); });
    form.addEventListener("change", function () { dirty = true; schedule(); });
    var waitingSubmitter;  // undefined: no save button waiting for an autosave
    form.addEventListener("submit", function (event) {
      if (timer) clearTimeout(timer);
      stopped = true;
      if (saving) {
        // An autosave is on its way: the button's save waits for it and sends the version it
        // answers with, or the person would be told that they themselves saved in between.
        event.preventDefault();
        waitingSubmitter = event.submitter || null;
        return;
      }
      dirty = false;
    });
    function submitWaiting() {
      if (waitingSubmitter === undefined) return;
      var submitter = waitingSubmitter;
      waitingSubmitter = undefined;
      dirty = false;
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    }
    // The browser's own "Leave site? Changes you made may not be saved." (its text cannot be
    // set); shown only while something typed is neither saved nor being saved.
    window.addEventListener("beforeunload", function (event) {
      if (!dirty && !saving) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-add-row]").forEach(setupAddRow);
    document.querySelectorAll("[data-draft-status]").forEach(setupDraft);
  });
})();
