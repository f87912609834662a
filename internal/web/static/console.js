// The console's live updates (internal/web/console.go): every two seconds it reads
// GET /api/sync; when anything but the clock moved, it fetches the page again and
// swaps its live part in, so the server's template stays the one view. A file of the
// server, not an inline script: the Content-Security-Policy allows only 'self'.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) {
    return;
  }
  var last = "";
  var every = 2000;
  // A running backfill is watched closer: its bar is what the firm is looking at.
  var backfilling = 1000;

  // fingerprint is the answer without what changes by itself as time passes.
  function fingerprint(v) {
    var c = JSON.parse(JSON.stringify(v));
    c.lag_seconds = 0;
    if (c.backfill) {
      c.backfill.per_minute = 0;
      c.backfill.seconds_left = 0;
    }
    return JSON.stringify(c);
  }

  function ago(seconds) {
    if (seconds < 90) {
      return seconds + " seconds ago";
    }
    if (seconds < 5400) {
      return Math.round(seconds / 60) + " minutes ago";
    }
    return Math.round(seconds / 3600) + " hours ago";
  }

  function swap() {
    return fetch(location.pathname, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (next) {
          live.innerHTML = next.innerHTML;
          live.setAttribute("data-updated", String(Date.now()));
        }
      });
  }

  function poll() {
    fetch("/api/sync", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (v) {
        if (!v) {
          return null;
        }
        every = v.backfill && v.backfill.status === "running" ? backfilling : 2000;
        var lag = document.getElementById("lag");
        if (lag && v.lag_seconds > 0) {
          lag.textContent = ago(v.lag_seconds);
        }
        var f = fingerprint(v);
        if (f === last) {
          return null;
        }
        last = f;
        return swap();
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();
