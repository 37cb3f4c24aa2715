// The Give page: save the card with Stripe.js (SetupIntent), then let our server charge it.
// Money is recorded only when Stripe's webhook arrives; the thank-you page says so.
(function () {
  "use strict";
  var form = document.getElementById("give-form");
  if (!form) {
    return;
  }
  var status = document.getElementById("give-status");
  var button = form.querySelector("button[type=submit]");

  function say(text, isError) {
    status.textContent = text || "";
    status.className = "mb-3" + (text ? (isError ? " alert alert-danger" : " alert alert-info") : "");
  }

  if (typeof Stripe === "undefined") {
    say(form.dataset.msgUnavailable, true);
    button.disabled = true;
    return;
  }

  // localstripe's stand-in for Stripe.js (demo and tests only) declares a global `class Element`
  // that hides the DOM's Element from every script, Bootstrap's menus included. Lend it the two
  // DOM methods Bootstrap calls through `Element.prototype`; with Stripe.js nothing changes.
  /* global Element */
  if (typeof Element === "function" && Element !== window.Element && !Element.prototype.querySelector) {
    Element.prototype.querySelector = window.Element.prototype.querySelector;
    Element.prototype.querySelectorAll = window.Element.prototype.querySelectorAll;
  }

  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");

  var presets = {};
  try {
    presets = JSON.parse(form.dataset.presets || "{}");
  } catch (e) {
    presets = {};
  }
  var currency = document.getElementById("currency");
  var custom = document.getElementById("custom_amount");

  // Suggested amounts follow the currency (3 000 yen, not 25 yen).
  function relabel() {
    var values = presets[currency.value] || [];
    var options = form.querySelectorAll("input[name=amount]");
    var shown = 0;
    options.forEach(function (radio) {
      if (radio.value === "custom") {
        return;
      }
      var holder = radio.parentElement;
      if (shown < values.length) {
        radio.value = String(values[shown]);
        holder.querySelector("label").textContent =
          values[shown].toLocaleString(document.documentElement.lang) + " " + currency.value;
        holder.hidden = false;
      } else {
        holder.hidden = true;
        if (radio.checked) {
          radio.checked = false;
        }
      }
      shown += 1;
    });
  }
  currency.addEventListener("change", relabel);
  relabel();
  custom.addEventListener("input", function () {
    var other = form.querySelector("input[name=amount][value=custom]");
    if (other && custom.value) {
      other.checked = true;
    }
  });

  function csrfHeaders(extra) {
    var token = form.querySelector("input[name=csrf_token]");
    var headers = { Accept: "application/json", "X-CSRFToken": token ? token.value : "" };
    Object.keys(extra || {}).forEach(function (key) {
      headers[key] = extra[key];
    });
    return headers;
  }

  function post(url, body, headers) {
    return fetch(url, {
      method: "POST",
      body: body,
      headers: csrfHeaders(headers),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        return { ok: response.ok, data: data };
      });
    });
  }

  function problem(data) {
    var error = (data && data.error) || {};
    var fields = error.fields || {};
    var parts = [];
    Object.keys(fields).forEach(function (name) {
      var input = document.getElementById(name);
      var label = input ? form.querySelector("label[for=" + name + "]") : null;
      parts.push((label ? label.textContent.trim() + ": " : "") + fields[name].join(" "));
    });
    return [error.message || form.dataset.msgError].concat(parts).join(" ");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    say(form.dataset.msgWorking, false);
    var name = document.getElementById("name").value;
    var email = document.getElementById("email").value;
    post(form.action, new FormData(form))
      .then(function (started) {
        if (!started.ok) {
          throw new Error(problem(started.data));
        }
        return stripe
          .confirmCardSetup(started.data.client_secret, {
            payment_method: { card: card, billing_details: { name: name, email: email } },
          })
          .then(function (setup) {
            if (setup.error) {
              throw new Error(setup.error.message || form.dataset.msgError);
            }
            say(form.dataset.msgCharging, false);
            return post(
              started.data.confirm_url,
              JSON.stringify({ setup_intent: setup.setupIntent.id }),
              { "Content-Type": "application/json" }
            );
          });
      })
      .then(function (confirmed) {
        if (!confirmed.ok) {
          throw new Error(problem(confirmed.data));
        }
        var result = confirmed.data;
        if (result.status === "failed") {
          throw new Error(result.message || form.dataset.msgError);
        }
        if (result.status === "requires_action") {
          // The card's bank asks the donor to authenticate (3-D Secure).
          return stripe.confirmCardPayment(result.client_secret).then(function (auth) {
            if (auth.error) {
              throw new Error(auth.error.message || form.dataset.msgError);
            }
            return result;
          });
        }
        return result;
      })
      .then(function (result) {
        window.location.assign(result.thanks_url);
      })
      .catch(function (error) {
        say(error.message || form.dataset.msgError, true);
        button.disabled = false;
      });
  });
})();
