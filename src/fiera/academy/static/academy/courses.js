// The workshop calendar shows times in the viewer's time zone: on the first visit the
// browser's zone (Intl) is sent once as ?tz=, which the server keeps in a cookie.
document.addEventListener("DOMContentLoaded", () => {
  const shown = document.getElementById("viewer-zone");
  if (!shown || !shown.hasAttribute("data-detect")) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (zone && zone !== shown.dataset.zone) {
    const url = new URL(window.location.href);
    if (url.searchParams.get("tz")) return;
    url.searchParams.set("tz", zone);
    window.location.replace(url.toString());
  }
});
