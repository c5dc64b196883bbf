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
  // A menu (<details data-closes-outside>: the account menu) closes on a click elsewhere
  // or on Escape, as menus do; without JavaScript its summary still opens and closes it.
  function closeMenus(except) {
    document.querySelectorAll("details[data-closes-outside][open]").forEach(function (menu) {
      if (!except || !menu.contains(except)) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) { closeMenus(event.target); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
