/* The applicant's application page.

   While a material is being checked (or the application is being processed), ask status.json
   about once a second; when something the page shows has changed, fetch the page again and
   swap the #application node in place (no full reload: focus, scroll position and whatever the
   applicant is typing elsewhere stay), then announce the result in the aria-live region
   #announce. Polling slows to every 5 s after a minute. Without fetch or DOMParser the page
   falls back to a reload.

   The file inputs are hidden behind a styled label (no browser "Choose File" text on a Chinese
   page): the chosen file's name is shown beside it. No framework, no CDN. */
(function () {
  "use strict";
  var polls = 0;
  var version = null;

  function root() {
    return document.getElementById("application");
  }

  function lang() {
    return document.documentElement.classList.contains("lang-en") ? "en" : "zh";
  }

  function wireFileInputs(scope) {
    var inputs = scope.querySelectorAll("input[type=file].file-input");
    Array.prototype.forEach.call(inputs, function (input) {
      input.addEventListener("change", function () {
        var form = input.form;
        var chosen = form ? form.querySelector(".file-chosen") : null;
        if (chosen && input.files && input.files.length) {
          chosen.textContent = input.files[0].name;
        }
      });
    });
  }

  function announce(node) {
    var live = document.getElementById("announce");
    if (!live || !node) {
      return;
    }
    var text = node.getAttribute("data-announce-" + lang()) || "";
    var state = document.getElementById("state");
    if (state) {
      var visible = state.querySelector("." + lang());
      text = (text ? text + " · " : "") + (visible ? visible.textContent : "");
    }
    live.textContent = text;
  }

  function swap(html) {
    var doc = new window.DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("application");
    var current = root();
    if (!fresh || !current) {
      window.location.reload();
      return null;
    }
    var active = document.activeElement;
    var focusId = active && active.id && current.contains(active) ? active.id : null;
    var typed = {};
    /* Keep what the applicant is typing in the correction inputs. */
    Array.prototype.forEach.call(current.querySelectorAll("form.correct"), function (form) {
      var field = form.querySelector("input[name=field]");
      var value = form.querySelector("input[name=value]");
      if (field && value && value.value !== value.defaultValue) {
        typed[field.value] = value.value;
      }
    });
    current.replaceWith(fresh);
    Array.prototype.forEach.call(fresh.querySelectorAll("form.correct"), function (form) {
      var field = form.querySelector("input[name=field]");
      var value = form.querySelector("input[name=value]");
      if (field && value && Object.prototype.hasOwnProperty.call(typed, field.value)) {
        value.value = typed[field.value];
      }
    });
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) {
        again.focus({preventScroll: true});
      }
    }
    wireFileInputs(fresh);
    announce(fresh);
    return fresh;
  }

  function later() {
    polls += 1;
    window.setTimeout(poll, polls < 60 ? 1000 : 5000);
  }

  function refresh() {
    return window.fetch(window.location.href, {credentials: "same-origin", cache: "no-store",
                                               headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) {
          later();
          return;
        }
        var fresh = swap(html);
        if (fresh) {
          version = fresh.getAttribute("data-version");
          if (fresh.getAttribute("data-busy") === "1") {
            later();
          }
        }
      });
  }

  function poll() {
    var node = root();
    if (!node) {
      return;
    }
    var url = node.getAttribute("data-status-url") + window.location.search;
    window.fetch(url, {credentials: "same-origin", cache: "no-store",
                       headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.version !== version) {
          return refresh();
        }
        if (status && status.busy) {
          later();
        }
        return null;
      })
      .catch(later);
  }

  var start = root();
  if (!start) {
    return;
  }
  wireFileInputs(start);
  if (start.getAttribute("data-busy") !== "1") {
    return;
  }
  if (!window.fetch || !window.DOMParser) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
    return;
  }
  version = start.getAttribute("data-version");
  later();
}());
