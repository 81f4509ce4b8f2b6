/* Every page: the 中文 / English toggle (a file, not an onclick attribute: the
   Content-Security-Policy allows no inline script).

   The choice persists: it goes into the zz_lang cookie, which the server reads when a link
   does not say ?lang= (api.web_session.lang_of), so the next page is rendered in it. The page
   as the server rendered it is the truth on load: a ?lang=en link sets the cookie too. On a
   switch, the address bar and this page's own links and forms that carry ?lang= follow, so a
   reload or a click does not switch back. */
(function () {
  "use strict";
  var COOKIE = "zz_lang";
  var html = document.documentElement;

  function current() {
    return html.classList.contains("lang-en") ? "en" : "zh";
  }

  function remember(lang) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + lang + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
  }

  function stored() {
    var match = document.cookie.match(/(?:^|;\s*)zz_lang=(en|zh)(?:;|$)/);
    return match ? match[1] : null;
  }

  /* The same URL with its lang parameter set to ``lang`` when it has one (same origin only). */
  function relabel(address, lang) {
    var url;
    try {
      url = new URL(address, window.location.href);
    } catch (error) {
      return null;
    }
    if (url.origin !== window.location.origin || !url.searchParams.has("lang")) {
      return null;
    }
    url.searchParams.set("lang", lang);
    return url.pathname + url.search + url.hash;
  }

  function follow(lang) {
    var here = relabel(window.location.href, lang);
    if (here !== null) {
      window.history.replaceState(window.history.state, "", here);
    }
    document.querySelectorAll("a[href]").forEach(function (link) {
      var next = relabel(link.getAttribute("href"), lang);
      if (next !== null) {
        link.setAttribute("href", next);
      }
    });
    document.querySelectorAll("form[action]").forEach(function (form) {
      var next = relabel(form.getAttribute("action"), lang);
      if (next !== null) {
        form.setAttribute("action", next);
      }
    });
  }

  function show(lang) {
    html.classList.toggle("lang-en", lang === "en");
    html.classList.toggle("lang-zh", lang !== "en");
    html.lang = lang === "en" ? "en" : "zh-CN";
  }

  if (stored() !== current()) {
    remember(current());
  }
  var toggle = document.getElementById("lang-toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("click", function () {
    var lang = current() === "en" ? "zh" : "en";
    show(lang);
    remember(lang);
    follow(lang);
  });
}());
