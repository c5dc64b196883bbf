// Festival pages' behaviour, kept out of the HTML (the Content-Security-Policy forbids
// inline scripts). Without JavaScript the pages show what the server rendered.
// - [data-countdown="<seconds>"]: ticks the days and HH:MM:SS down every second.
// - [data-live-url]: the live dashboard polls that JSON (GET /api/v1/festivals/<slug>/live,
//   the session signs it) every 3 s and redraws the figures, the merchant countries, the
//   merchants, the buyer countries and the chart; times in the festival's zone
//   ([data-time-zone], as the server renders them), labelled with it.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function countdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (box) {
      var end = Date.now() + parseInt(box.getAttribute("data-countdown"), 10) * 1000;
      var days = box.querySelector("[data-countdown-days]");
      var clock = box.querySelector("[data-countdown-clock]");
      function tick() {
        var left = Math.max(0, Math.round((end - Date.now()) / 1000));
        days.textContent = String(Math.floor(left / 86400));
        clock.textContent = pad(Math.floor(left % 86400 / 3600)) + ":" +
          pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
        if (left > 0) { window.setTimeout(tick, 1000 - (Date.now() % 1000)); }
      }
      if (days && clock) { tick(); }
    });
  }

  function usd(minor) {
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: "USD" }).format(minor / 100);
    } catch (e) { return "US$" + (minor / 100).toFixed(2); }
  }
  function num(n) {
    try { return new Intl.NumberFormat(lang).format(n); } catch (e) { return String(n); }
  }
  function percent(share) {
    try {
      return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 2 }).format(share);
    } catch (e) { return (share * 100).toFixed(2) + "%"; }
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

  function cell(text, numeric) {
    var td = document.createElement("td");
    if (numeric) { td.className = "num"; }
    td.textContent = text;
    return td;
  }

  function drawChart(root, minutes, data) {
    var svg = root.querySelector("svg[data-chart-width]");
    var line = root.querySelector('[data-live="chart"]');
    if (!svg || !line) { return; }
    var w = +svg.getAttribute("data-chart-width"), h = +svg.getAttribute("data-chart-height");
    var p = +svg.getAttribute("data-chart-pad");
    var end = Math.floor(Date.now() / 60000) * 60000, start = end - minutes * 60000;
    var slots = {}, top = 0, i;
    data.forEach(function (m) {
      var slot = Math.floor((Date.parse(m.minute) - start) / 60000);
      if (slot >= 0 && slot <= minutes) { slots[slot] = (slots[slot] || 0) + m.gmv_usd_minor; }
    });
    for (i = 0; i <= minutes; i++) { top = Math.max(top, slots[i] || 0); }
    var iw = w - 2 * p, ih = h - 2 * p, pts = [];
    for (i = 0; i <= minutes; i++) {
      var y = p + ih - (top ? ih * (slots[i] || 0) / top : 0);
      pts.push((p + iw * i / minutes).toFixed(1) + "," + y.toFixed(1));
    }
    line.setAttribute("points", pts.join(" "));
    set(root, "chart-top", usd(top));
  }

  function rows(root, key, items, build) {
    // Replace a ranking's rows (kept as rendered when the payload has none yet).
    var body = root.querySelector('[data-live="' + key + '"]');
    if (!body || !items || !items.length) { return; }
    var frag = document.createDocumentFragment();
    items.forEach(function (item) {
      var tr = document.createElement("tr");
      build(item).forEach(function (td) { tr.appendChild(td); });
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
  }

  function clock(date, zone, withSeconds) {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (withSeconds) { options.second = "2-digit"; }
    try { options.timeZone = zone; return new Intl.DateTimeFormat(lang, options).format(date); }
    catch (e) { return date.toISOString().slice(11, withSeconds ? 19 : 16) + " UTC"; }
  }

  function stamp(root, minutes) {
    var zone = root.getAttribute("data-time-zone") || "UTC";
    var now = new Date();
    var status = root.querySelector("[data-live-status]");
    var template = root.getAttribute("data-updated-template");
    if (status && template) { status.textContent = template.replace("{time}", clock(now, zone, true)); }
    var since = new Date(Math.floor(now.getTime() / 60000) * 60000 - minutes * 60000);
    set(root, "chart-window", clock(since, zone) + " – " + clock(now, zone) + " (" + zone + ")");
  }

  function redraw(root, minutes, data) {
    var t = data.totals;
    set(root, "gmv", usd(t.gmv.amount_minor));
    set(root, "orders", num(t.orders));
    set(root, "units", num(t.units));
    set(root, "merchants", num(t.merchants));
    set(root, "growth", data.growth.growth === null ? "–" : percent(parseFloat(data.growth.growth)));
    set(root, "baseline", usd(data.growth.baseline_gmv.amount_minor));
    rows(root, "countries", data.countries, function (c) {
      return [cell(String(c.rank)), cell(country(c.country)), cell(usd(c.gmv.amount_minor), true),
        cell(num(c.orders), true), cell(num(c.merchants), true)];
    });
    rows(root, "top-merchants", data.merchants, function (m) {
      return [cell(String(m.rank)), cell(m.name), cell(country(m.country)),
        cell(usd(m.gmv.amount_minor), true), cell(num(m.orders), true)];
    });
    rows(root, "buyer-countries", data.buyer_countries, function (c) {
      return [cell(String(c.rank)), cell(country(c.country)), cell(usd(c.gmv.amount_minor), true),
        cell(num(c.orders), true)];
    });
    drawChart(root, minutes, data.last_minutes);
    stamp(root, minutes);
  }

  function poll(root) {
    var url = root.getAttribute("data-live-url");
    var minutes = parseInt(root.getAttribute("data-chart-minutes"), 10) || 60;
    var delay = 3000;
    function once() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) { redraw(root, minutes, data); root.classList.remove("stale"); })
        .catch(function () { root.classList.add("stale"); })
        .then(function () { window.setTimeout(once, document.hidden ? delay * 5 : delay); });
    }
    window.setTimeout(once, delay);
  }

  function wire(root) {
    countdowns(root);
    root.querySelectorAll("[data-live-url]").forEach(poll);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wire(document); });
  } else {
    wire(document);
  }
})();
