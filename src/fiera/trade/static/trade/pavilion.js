// The pavilion landing page's live results, kept out of the HTML (the Content-Security-Policy
// forbids inline scripts). Without JavaScript the page shows what the server rendered.
// [data-live-url]: polls that JSON (GET /api/v1/trade/pavilions/<slug>/stats, public) every
// 5 s and redraws the figures [data-live="<key>"]; numbers, money and country names in the
// page's language (Intl).
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var EVERY = 5000;

  function num(n) {
    try { return new Intl.NumberFormat(lang).format(n); } catch (e) { return String(n); }
  }
  var digits = { JPY: 0, KRW: 0, VND: 0 };
  function money(minor, currency) {
    var d = digits.hasOwnProperty(currency) ? digits[currency] : 2;
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(minor / Math.pow(10, d));
    } catch (e) { return currency + " " + (minor / Math.pow(10, d)).toFixed(d); }
  }
  var regions = null;
  try { regions = new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { regions = null; }
  function country(code) {
    try { return (regions && regions.of(code)) || code; } catch (e) { return code; }
  }
  function set(root, key, text) {
    var el = root.querySelector('[data-live="' + key + '"]');
    if (el) { el.textContent = text; }
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function start(root) {
    var url = root.getAttribute("data-live-url");
    var template = root.getAttribute("data-updated-template") || "{time}";
    var status = root.querySelector("[data-live-status]");
    function draw(s) {
      set(root, "admitted", num(s.admitted));
      set(root, "quota", num(s.quota));
      set(root, "listings", num(s.listings));
      set(root, "inquiries", num(s.inquiries));
      set(root, "quotes", num(s.quotes));
      set(root, "deals", num(s.deals));
      set(root, "value", money(s.deal_value_minor, s.currency));
      set(root, "countries", num(s.buyer_countries.length));
      set(root, "country-names", s.buyer_countries.map(country).join(", "));
      if (status) {
        var now = new Date();
        status.textContent = template.replace("{time}",
          pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()));
      }
    }
    function poll() {
      if (document.hidden) { window.setTimeout(poll, EVERY); return; }
      var xhr = new XMLHttpRequest();
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.onload = function () {
        if (xhr.status === 200) {
          try { draw(JSON.parse(xhr.responseText)); } catch (e) { /* keep the last figures */ }
        }
        window.setTimeout(poll, EVERY);
      };
      xhr.onerror = function () { window.setTimeout(poll, EVERY * 2); };
      xhr.send();
    }
    window.setTimeout(poll, EVERY);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".pavilion-live[data-live-url]").forEach(start);
  });
})();
