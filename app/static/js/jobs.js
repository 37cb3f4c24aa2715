// The job page: asks how far the job got every few seconds and shows it, then the download
// link (no inline script: the CSP forbids it). Without JavaScript, a <meta refresh> in a
// <noscript> reloads the page instead.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-job-url");
  var every = (parseInt(box.getAttribute("data-refresh"), 10) || 2) * 1000;
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");
  var download = document.getElementById("job-download");
  var link = document.getElementById("job-download-link");
  var kept = document.getElementById("job-kept");

  function show(state) {
    if (state.percent !== null && state.percent !== undefined) {
      bar.value = state.percent;
      bar.textContent = state.percent + " %";
      percent.textContent = state.percent + " %";
    }
    if (message.textContent !== state.message) {
      message.textContent = state.message;
    }
    if (state.download_url) {
      link.href = state.download_url;
      link.textContent = state.link_text;
      download.hidden = false;
      if (state.kept_until) {
        kept.textContent = state.kept_until;
        kept.hidden = false;
      }
      link.focus();
    }
  }

  function ask() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(ask, every);
        }
      })
      .catch(function () {
        window.setTimeout(ask, every * 3); // a passing failure: ask again, less often
      });
  }

  window.setTimeout(ask, every);
})();
