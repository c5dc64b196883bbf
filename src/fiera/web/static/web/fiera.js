// Fiera's page behaviour, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts. A <select data-autosubmit> sends its form as soon as a value is chosen
// (the language and country pickers); without JavaScript their <noscript> button does it.
(function () {
  "use strict";
  function wire(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) {
          select.form.submit();
        }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
