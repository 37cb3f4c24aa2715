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

  // Stripe.js is a third party's script (and the page's heaviest): it is fetched only when the
  // donor reaches the card step, not for everyone who looks at the page.
  var stripe = null;
  var card = null;
  var loading = null;
  function loadStripe() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      if (typeof Stripe !== "undefined") {
        resolve();
        return;
      }
      var script = document.createElement("script");
      script.src = form.dataset.stripeJs;
      script.async = true;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error(form.dataset.msgUnavailable)); };
      document.head.appendChild(script);
    }).then(function () {
      if (typeof Stripe === "undefined") throw new Error(form.dataset.msgUnavailable);
      // localstripe's stand-in for Stripe.js (demo and tests only) declares a global `class
      // Element` that hides the DOM's Element from every script, Bootstrap's menus included.
      // Lend it the two DOM methods Bootstrap calls through `Element.prototype`; with Stripe.js
      // nothing changes.
      /* global Element */
      if (typeof Element === "function" && Element !== window.Element && !Element.prototype.querySelector) {
        Element.prototype.querySelector = window.Element.prototype.querySelector;
        Element.prototype.querySelectorAll = window.Element.prototype.querySelectorAll;
      }
      stripe = Stripe(form.dataset.publishableKey);
      card = stripe.elements().create("card");
      var holder = document.getElementById("card-element");
      holder.textContent = "";
      card.mount(holder);
    }).catch(function (error) {
      say(error.message || form.dataset.msgUnavailable, true);
      button.disabled = true;
      throw error;
    });
    return loading;
  }
  // The card step starts at the donor's name: from there on, the card form is on its way.
  var cardStep = document.getElementById("name");
  function reachesCardStep(target) {
    return target === cardStep ||
      !!(cardStep.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING);
  }
  form.addEventListener("focusin", function (event) {
    if (reachesCardStep(event.target)) loadStripe().catch(function () {});
  });
  form.addEventListener("pointerdown", function (event) {
    if (reachesCardStep(event.target)) loadStripe().catch(function () {});
  });

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
  // One amount at a time, as the donor last chose it: typing an amount selects "Other amount"
  // (so no suggestion still looks, or is announced as, chosen beside it), and picking a
  // suggestion empties the typed amount (which the server would otherwise prefer).
  var other = form.querySelector("input[name=amount][value=custom]");
  custom.addEventListener("input", function () {
    if (other && custom.value.trim()) {
      other.checked = true;
    }
  });
  form.querySelectorAll("input[name=amount]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked && radio !== other && custom.value) {
        custom.value = "";
        custom.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  });

  // The button names the gift as the server will read it ("Donner 50,00 $US"), so a number
  // read another way than the donor meant is seen before anything is charged.
  var locale = custom.dataset.numberLocale || document.documentElement.lang || "en";
  var giveLabel = button.textContent;
  var confirmed = document.getElementById("confirmed_amount");
  function chosenGift() {
    var picked = form.querySelector("input[name=amount]:checked");
    if (!picked) return null;
    if (picked.value === "custom") {
      var typed = window.typedNumbers && window.typedNumbers.understood(custom);
      // Nothing to name when it cannot be a gift: the server explains why next to the field.
      return typed && typed.ok && typed.minor > 0n && typed.text.length <= 40 ? typed.text : null;
    }
    var digits = new Intl.NumberFormat(locale, { style: "currency", currency: currency.value })
      .resolvedOptions().maximumFractionDigits;
    return window.typedNumbers.formatMoney(BigInt(picked.value) * 10n ** BigInt(digits),
      currency.value, locale);
  }
  function nameTheGift() {
    var shown = window.typedNumbers ? chosenGift() : null;
    var monthly = form.querySelector("input[name=frequency]:checked");
    var template = monthly && monthly.value === "monthly" ? form.dataset.msgGiveMonthly : form.dataset.msgGive;
    button.textContent = shown ? template.replace("%s", shown) : giveLabel;
    // A changed gift is a new gift: an earlier "yes", or a question still open, no longer
    // applies to it (the server checks the same: the yes names amount, currency, frequency).
    if (confirmed) confirmed.value = "";
    if (confirmBox && !confirmBox.hidden) {
      confirmBox.hidden = true;
      if (pendingAnswer) pendingAnswer(false);
    }
  }
  var confirmBox = document.getElementById("give-confirm");
  var pendingAnswer = null;
  form.addEventListener("input", nameTheGift);
  form.addEventListener("change", nameTheGift);
  nameTheGift();

  function askOnceMore(question) {
    return new Promise(function (resolve) {
      document.getElementById("give-confirm-text").textContent = question.message;
      var yes = document.getElementById("give-confirm-yes");
      var no = document.getElementById("give-confirm-no");
      yes.textContent = question.yes;
      no.textContent = question.no;
      confirmBox.hidden = false;
      say("", false);
      yes.focus();
      function answer(value) {
        confirmBox.hidden = true;
        yes.onclick = null;
        no.onclick = null;
        pendingAnswer = null;
        resolve(value);
      }
      pendingAnswer = answer;
      yes.onclick = function () { answer(true); };
      no.onclick = function () {
        answer(false);
        (form.querySelector("input[name=amount]:checked[value=custom]") ? custom : currency).focus();
      };
    });
  }

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

  // Each field's sentence goes next to it (and is announced with it); the first one gets focus.
  function markFields(fields) {
    form.querySelectorAll(".give-field-error").forEach(function (old) {
      var input = document.getElementById(old.dataset.for);
      if (input) {
        input.classList.remove("is-invalid");
        input.removeAttribute("aria-invalid");
        input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "")
          .split(" ").filter(function (id) { return id && id !== old.id; }).join(" "));
      }
      old.remove();
    });
    var listed = [];
    Object.keys(fields).forEach(function (name) {
      var input = document.getElementById(name);
      if (!input) return;
      // The server's sentence replaces the page's own hint, so it is not said twice.
      var echo = input.parentElement.querySelector(".number-echo");
      if (echo) echo.textContent = "";
      var line = document.createElement("div");
      line.className = "invalid-feedback d-block give-field-error";
      line.id = name + "-error";
      line.dataset.for = name;
      line.textContent = fields[name].join(" ");
      (input.parentElement.querySelector(".number-echo") || input).insertAdjacentElement("afterend", line);
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby",
        ((input.getAttribute("aria-describedby") || "") + " " + line.id).trim());
      listed.push({ target: input.id, text: fieldError(input, line.textContent) });
    });
    return listed;
  }

  // "Your name: This field is required." The field's label, or its group's question.
  function fieldError(input, message) {
    var fieldset = input.closest("fieldset");
    var label = fieldset && input.type === "radio" ? fieldset.querySelector("legend")
      : document.querySelector("label[for='" + input.id + "']");
    var name = label ? label.textContent.replace("*", "").trim() : "";
    return name ? form.dataset.msgFieldError.replace("%1", name).replace("%2", message) : message;
  }

  // GOV.UK's error summary at the top of the page, as macros/forms.html draws it on the other
  // pages: one link per field to fix, read first, and "Error:" at the start of the title.
  var summary = document.getElementById("give-errors");
  var title = document.title;
  function showProblems(problems) {
    var list = summary.querySelector("ul");
    list.textContent = "";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      if (problem.target) {
        var link = document.createElement("a");
        link.href = "#" + problem.target;
        link.textContent = problem.text;
        item.appendChild(link);
      } else {
        item.textContent = problem.text;
      }
      list.appendChild(item);
    });
    summary.hidden = problems.length === 0;
    document.title = problems.length ? form.dataset.msgErrorTitle + " " + title : title;
    if (problems.length) summary.focus();
  }
  if (window.errorSummary) window.errorSummary.wire(summary);

  function problem(data) {
    var error = (data && data.error) || {};
    var problems = markFields(error.fields || {});
    if (!problems.length) problems.push({ target: null, text: error.message || form.dataset.msgError });
    return problems;
  }

  function Problems(problems) {
    this.problems = problems;
  }
  function cardProblem(message) {
    var holder = document.getElementById("card-element");
    return new Problems([{ target: holder.id, text: fieldError(holder, message || form.dataset.msgError) }]);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!card) {
      // Sent before the card step (Enter in the amount): open the card form and go there.
      loadStripe().then(function () {
        var first = document.querySelector("#card-element input, #card-element iframe");
        (first || document.getElementById("card-element")).focus();
      }).catch(function () {});
      return;
    }
    showProblems([]);
    markFields({});
    button.disabled = true;
    say(form.dataset.msgWorking, false);
    var name = document.getElementById("name").value;
    var email = document.getElementById("email").value;
    // Until the server starts the payment: each time it asks about a large gift, the donor
    // answers; a "no" (or a change to the form) stops here with nothing saved.
    function start() {
      return post(form.action, new FormData(form)).then(function (started) {
        if (!started.ok || !started.data.confirm) return started;
        return askOnceMore(started.data.confirm).then(function (yes) {
          if (!yes) return null;
          confirmed.value = started.data.confirm.key;
          say(form.dataset.msgWorking, false);
          return start();
        });
      });
    }
    start()
      .then(function (started) {
        if (started === null) {
          return null;
        }
        if (!started.ok) {
          throw new Problems(problem(started.data));
        }
        return stripe
          .confirmCardSetup(started.data.client_secret, {
            payment_method: { card: card, billing_details: { name: name, email: email } },
          })
          .then(function (setup) {
            if (setup.error) {
              throw cardProblem(setup.error.message);
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
        if (confirmed === null) {
          return null;
        }
        if (!confirmed.ok) {
          throw new Problems(problem(confirmed.data));
        }
        var result = confirmed.data;
        if (result.status === "failed") {
          throw cardProblem(result.message);
        }
        if (result.status === "requires_action") {
          // The card's bank asks the donor to authenticate (3-D Secure).
          return stripe.confirmCardPayment(result.client_secret).then(function (auth) {
            if (auth.error) {
              throw cardProblem(auth.error.message);
            }
            return result;
          });
        }
        return result;
      })
      .then(function (result) {
        if (result === null) {
          // The donor chose to change the amount: nothing was saved or charged.
          button.disabled = false;
          return;
        }
        window.location.assign(result.thanks_url);
      })
      .catch(function (error) {
        say("", false);
        showProblems(error instanceof Problems ? error.problems
          : [{ target: null, text: form.dataset.msgError }]);
        button.disabled = false;
      });
  });
})();
