/* The /verify upload form (api/templates/upload.html): the file input is hidden behind a
   label styled as a button (the browser's own "Choose File" text is English on a Chinese page),
   so this shows the chosen file's name beside it. */
(function () {
  "use strict";
  var input = document.getElementById("pdf-file");
  var name = document.getElementById("pdf-file-name");
  if (!input || !name) {
    return;
  }
  input.addEventListener("change", function () {
    if (input.files && input.files.length) {
      name.textContent = input.files[0].name;
    }
  });
}());
