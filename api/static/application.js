/* The applicant's application page: while a material is being checked (or the application is
   being processed), ask status.json about once a second and reload the page when something it
   shows has changed. No framework, no CDN. Polling slows to every 5 s after a minute. */
(function () {
  "use strict";
  var root = document.getElementById("application");
  if (!root || root.getAttribute("data-busy") !== "1" || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-status-url") + window.location.search;
  var version = root.getAttribute("data-version");
  var polls = 0;

  function later() {
    polls += 1;
    window.setTimeout(poll, polls < 60 ? 1000 : 5000);
  }

  function poll() {
    window.fetch(url, {credentials: "same-origin", cache: "no-store",
                       headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.version !== version) {
          window.location.reload();
        } else if (status && status.busy) {
          later();
        }
      })
      .catch(later);
  }

  later();
}());
