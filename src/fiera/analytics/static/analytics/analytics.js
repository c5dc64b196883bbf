// The analytics dashboard's behaviour, kept out of the HTML (the Content-Security-Policy
// forbids inline scripts). Without JavaScript the page works: the filters submit, the CSV
// and SVG links download; only the PNG buttons stay hidden.
// - [data-png-src]: draws that chart's standalone SVG (same origin, colours as attributes)
//   onto a canvas at twice its size and saves it as a PNG named [data-png-name].
// - the period select and the custom dates: a date typed chooses "custom"; another preset
//   clears the dates.
(function () {
  "use strict";

  function savePng(button) {
    var img = new Image();
    img.onload = function () {
      var scale = 2;
      var canvas = document.createElement("canvas");
      canvas.width = (img.naturalWidth || 600) * scale;
      canvas.height = (img.naturalHeight || 300) * scale;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) { return; }
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-png-name") || "chart.png";
        document.body.appendChild(link);
        link.click();
        window.setTimeout(function () {
          URL.revokeObjectURL(link.href);
          link.remove();
        }, 1000);
      }, "image/png");
    };
    img.src = button.getAttribute("data-png-src");
  }

  function ready() {
    document.querySelectorAll("[data-png-src]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { savePng(button); });
    });
    var form = document.querySelector("[data-analytics-filters]");
    if (!form) { return; }
    var period = form.querySelector("select[name=period]");
    var dates = form.querySelectorAll("input[type=date]");
    dates.forEach(function (input) {
      input.addEventListener("change", function () {
        if (input.value && period) { period.value = "custom"; }
      });
    });
    if (period) {
      period.addEventListener("change", function () {
        if (period.value !== "custom") {
          dates.forEach(function (input) { input.value = ""; });
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
