// The buyer's order page: the time left to pay a pay-later order, ticking down.
// [data-pay-countdown="<seconds>"] holds [data-pay-clock] (MM:SS, or H:MM:SS from an hour);
// at zero its text becomes its data-expired-text and the pay button ([data-pay-button]) is
// disabled: the order is being cancelled. Without JavaScript the page states the deadline
// and the time left when it was served, and the server refuses a late payment anyway.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clock(left) {
    var hours = Math.floor(left / 3600);
    var rest = left % 3600;
    var text = pad(Math.floor(rest / 60)) + ":" + pad(rest % 60);
    return hours ? hours + ":" + text : text;
  }

  function wire(root) {
    root.querySelectorAll("[data-pay-countdown]").forEach(function (box) {
      var end = Date.now() + parseInt(box.getAttribute("data-pay-countdown"), 10) * 1000;
      var shown = box.querySelector("[data-pay-clock]");
      if (!shown) { return; }
      function tick() {
        var left = Math.max(0, Math.round((end - Date.now()) / 1000));
        shown.textContent = clock(left);
        if (left > 0) {
          window.setTimeout(tick, 1000 - (Date.now() % 1000));
          return;
        }
        box.textContent = box.getAttribute("data-expired-text") || "";
        root.querySelectorAll("[data-pay-button]").forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
      }
      tick();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
