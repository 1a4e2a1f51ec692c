// Progressive enhancement: an element with data-refresh-seconds (a running job, an account being provisioned)
// is fetched again every few seconds and swapped in place, until the new copy no longer asks to be refreshed.
// Without JavaScript the page shows a plain "Refresh" link instead.
(function () {
  "use strict";
  var live = document.querySelector("[data-refresh-seconds]");
  if (!live || !live.id || !window.fetch || !window.DOMParser) return;

  function schedule(element) {
    var seconds = parseInt(element.getAttribute("data-refresh-seconds"), 10) || 3;
    window.setTimeout(refresh, seconds * 1000);
  }

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var current = document.getElementById(live.id);
        var replacement = fresh.getElementById(live.id);
        if (!current || !replacement) { window.location.reload(); return; }
        // Parts of the page outside the live region (status badge in the heading, actions) change too.
        var heading = document.querySelector(".page-header");
        var freshHeading = fresh.querySelector(".page-header");
        if (heading && freshHeading) heading.replaceWith(document.importNode(freshHeading, true));
        current.replaceWith(document.importNode(replacement, true));
        live = document.getElementById(live.id);
        if (live && live.hasAttribute("data-refresh-seconds")) schedule(live);
      })
      .catch(function () { window.setTimeout(refresh, 10000); });
  }

  schedule(live);
})();
