/* Every page: the 中文 / English toggle (a file, not an onclick attribute: the
   Content-Security-Policy allows no inline script). */
(function () {
  "use strict";
  var toggle = document.getElementById("lang-toggle");
  if (!toggle) {
    return;
  }
  toggle.addEventListener("click", function () {
    var html = document.documentElement;
    var english = html.classList.toggle("lang-en");
    html.classList.toggle("lang-zh", !english);
    html.lang = english ? "en" : "zh-CN";
  });
}());
