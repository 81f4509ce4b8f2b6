/* The /v page (api/templates/verify_link.html): a licence's QR code opens /v#<token>. The token
   is in the URL fragment, which the browser never sends to a server; this script reads it and
   shows the verdict in #verdict-slot. Without a fragment the page offers a box to paste what a
   code holds (a link or a bare ZZ1: token), which becomes the fragment.

   How the verdict is obtained is one function, verdictHtml(token): for now it asks the office
   (POST /v with {"token": ...}, answered with the verdict as HTML, api/templates/_verdict.html).
   Issue 14 can put an in-page check there instead, and the office never sees the token. */
(function () {
  "use strict";
  var slot = document.getElementById("verdict-slot");
  var entry = document.getElementById("token-entry");
  var form = document.getElementById("token-form");
  var input = document.getElementById("token-input");
  if (!slot) {
    return;
  }

  /* The token in the fragment: the link percent-encodes a space and "%" (docs/tokens.md,
     section 10); a fragment that does not decode is passed on as it is (the check refuses it). */
  function tokenFromHash() {
    var raw = window.location.hash.replace(/^#/, "");
    if (!raw) {
      return null;
    }
    try {
      return decodeURIComponent(raw);
    } catch (error) {
      return raw;
    }
  }

  /* The fragment for pasted text: a link's own fragment, or a bare token encoded as links
     encode it. */
  function fragmentFor(text) {
    var trimmed = text.trim();
    var hash = trimmed.indexOf("#");
    if (hash >= 0) {
      return trimmed.slice(hash + 1);
    }
    return trimmed.replace(/%/g, "%25").replace(/ /g, "%20");
  }

  function verdictHtml(token) {
    return window.fetch(slot.getAttribute("data-check-url"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "text/html"},
      body: JSON.stringify({token: token}),
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status >= 500 || response.status === 429) {
        throw new Error("HTTP " + response.status);
      }
      return response.text();
    });
  }

  function place(templateId) {
    var template = document.getElementById(templateId);
    slot.replaceChildren(template.content.cloneNode(true));
  }

  function show() {
    var token = tokenFromHash();
    if (entry) {
      entry.hidden = token !== null;
    }
    if (token === null) {
      slot.replaceChildren();
      return;
    }
    place("verdict-pending");
    verdictHtml(token).then(function (html) {
      slot.innerHTML = html;
      var heading = slot.querySelector("#verdict h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }, function () {
      place("verdict-unreachable");
    });
  }

  if (form && input) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fragment = fragmentFor(input.value);
      if (fragment) {
        window.location.hash = fragment;
      }
    });
  }
  window.addEventListener("hashchange", show);
  show();
}());
