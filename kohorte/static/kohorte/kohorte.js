// Small enhancements only: every page works without this file.
(function () {
  "use strict";
  // A form marked data-once cannot be sent twice by a double click; the server is
  // idempotent anyway, this only spares the second request.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
  });
  // Move focus to the error summary so screen readers announce it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("fehler");
    if (summary) { summary.focus(); }
  });
})();
