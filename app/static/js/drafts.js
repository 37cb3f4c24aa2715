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
    var delay = parseInt(status.getAttribute("data-autosave-delay"), 10) || 3000;
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

    function send(leaving) {
      var data = new FormData(form);
      data.set("then", "stay");
      // keepalive: the request outlives the page, so a draft is saved when the person goes to
      // another page, switches to another app or the phone takes the tab back (fresh eyes: what
      // was typed in the last seconds before leaving was lost).
      return fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        keepalive: leaving,
        headers: { "X-Autosave": "1", "Accept": "application/json" }
      });
    }

    function saveOnLeaving() {
      if (!autosave || !dirty || stopped || saving) return;
      if (timer) clearTimeout(timer);
      timer = null;
      dirty = false;
      send(true).catch(function () { dirty = true; });
    }

    function save(then) {
      timer = null;
      if (saving) { if (then) setTimeout(function () { save(then); }, 200); else schedule(); return; }
      if (!dirty || stopped) { if (then) then(); return; }
      saving = true;
      dirty = false;
      send(false).then(function (response) {
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
        else if (then) then();
      });
    }

    // Going to another page of the app by a link: save first, then go, so the next page is
    // read after the save (read before it, its form would carry the older version and its own
    // save would be refused as a conflict with oneself).
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || !autosave || !dirty || stopped || event.defaultPrevented) return;
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || link.target) {
        return;
      }
      if (link.origin !== window.location.origin || link.getAttribute("href").charAt(0) === "#") {
        return;
      }
      event.preventDefault();
      if (timer) clearTimeout(timer);
      save(function () { window.location.href = link.href; });
    });
    // Switching to another app, or the phone taking the tab back: saved with a request that
    // outlives the page. (Not while the page is being left: the next page may be read first.)
    var unloading = false;
    window.addEventListener("pageshow", function () { unloading = false; });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && !unloading) saveOnLeaving();
    });
    form.addEventListener("input", function () { dirty = true; unloading = false; schedule(); });
    form.addEventListener("change", function () { dirty = true; schedule(); });
    var waitingSubmitter;  // undefined: no save button waiting for an autosave
    form.addEventListener("submit", function (event) {
      if (navigator.onLine === false) {
        // Sent now, the form would be replaced by the browser's error page and what was typed
        // lost (fresh eyes, on a phone that lost its signal): it stays here instead.
        event.preventDefault();
        say(status.getAttribute("data-offline-message") || "");
        status.focus();
        return;
      }
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
      unloading = true;
      if (!dirty && !saving) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  // A count that starts at "0": focusing it selects the 0, so typing 35 gives 35, not 035.
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.tagName === "INPUT" && input.value === "0" && input.closest("[data-draft-form]")) {
      input.select();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-draft-status]").forEach(function (status) {
      var form = status.closest("form");
      if (form) form.setAttribute("data-draft-form", "");
    });
    document.querySelectorAll("[data-add-row]").forEach(setupAddRow);
    document.querySelectorAll("[data-draft-status]").forEach(setupDraft);
  });
})();
