// Live updates for pages that declare data-live="URL" on an element with an id: every two
// seconds the small JSON at URL is read; when its "version" changes, the page is fetched again
// and that element is replaced by its new rendering (server-rendered and escaped, like the
// first). Open <details> stay open. No framework, no build step.
(function () {
  "use strict";
  var live = document.querySelectorAll("[data-live]");
  if (!live.length || !window.fetch || !window.DOMParser) return;
  var seen = null;
  var status = document.getElementById("live-status");
  function say(text) { if (status) status.textContent = text; }
  function refresh() {
    return fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html");
        live.forEach(function (el) {
          var next = fresh.getElementById(el.id);
          if (!next) return;
          var open = Array.prototype.map.call(el.querySelectorAll("details[open]"), function (d) { return d.id; });
          el.replaceWith(next);
          open.forEach(function (id) { var d = id && document.getElementById(id); if (d) d.open = true; });
        });
        live = document.querySelectorAll("[data-live]");
      });
  }
  function poll() {
    var url = live[0] && live[0].getAttribute("data-live");
    if (!url) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) {
        if (seen !== null && body.version !== seen) {
          seen = body.version;
          return refresh().then(function () { say("Updated " + new Date().toLocaleTimeString()); });
        }
        seen = body.version;
        say("Live");
      })
      .catch(function () { say("Live updates paused (no answer)"); })
      .then(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
