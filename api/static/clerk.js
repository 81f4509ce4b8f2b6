/* The clerk's decision form: a comment becomes required when "reject" or "return for
   correction" is chosen (the server refuses those without one as well). A file, not inline
   script: the Content-Security-Policy allows none. */
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  var comment = document.getElementById("comment");
  if (!form || !comment) {
    return;
  }
  function update() {
    var chosen = form.querySelector("input[name=decision]:checked");
    comment.required = Boolean(chosen && chosen.getAttribute("data-needs-comment") === "1");
  }
  form.addEventListener("change", update);
  update();
}());
