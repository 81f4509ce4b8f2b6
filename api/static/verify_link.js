/* The /v page (api/templates/verify_link.html): a licence's QR code opens /v#<token>. The token
   is in the URL fragment, which the browser never sends to a server; this script reads it and
   shows the verdict in #verdict-slot. Without a fragment the page offers a box to paste what a
   code holds (a link or a bare ZZ1: token), which becomes the fragment.

   The verdict is checked IN THE PAGE (issue 14): window.zzLinkCheck, from the offline
   verifier's bundle (api/static/offline/verifier.js, web/offline/src/link.js), verifies the
   token against the signed trust material in #link-trust, so the office never receives it.
   The office is asked (POST /v with {"token": ...}, answered with the verdict as HTML,
   api/templates/_verdict.html) only when the user presses "联网核验" (#check-online), or when the
   in-page check cannot run (no WebCrypto, or the bundle did not load); the page says which. */
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

  /* The office's verdict (the explicit fallback): the token goes to the server. */
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

  function note(templateId) {
    var template = document.getElementById(templateId);
    if (template) {
      slot.appendChild(template.content.cloneNode(true));
    }
  }

  function focusVerdict() {
    var heading = slot.querySelector("#verdict h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function inPageAvailable() {
    return Boolean(window.zzLinkCheck && window.zzLinkCheck.available());
  }

  /* The office's check, shown with a note saying how the result was obtained. */
  function checkOnline(token, noteId) {
    place("verdict-pending");
    verdictHtml(token).then(function (html) {
      slot.innerHTML = html;
      note(noteId);
      focusVerdict();
    }, function () {
      place("verdict-unreachable");
    });
  }

  function checkInPage(token) {
    place("verdict-pending");
    window.zzLinkCheck.check(token).then(function (result) {
      slot.replaceChildren(result.node);
      note("verdict-in-page");
      var button = document.getElementById("check-online");
      if (button) {
        button.addEventListener("click", function () {
          checkOnline(token, "verdict-online");
        });
      }
      focusVerdict();
    }, function () {
      checkOnline(token, "verdict-no-webcrypto");
    });
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
    if (inPageAvailable()) {
      checkInPage(token);
    } else {
      checkOnline(token, "verdict-no-webcrypto");
    }
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
