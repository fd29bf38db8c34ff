// Live regions (elements with sse-connect): a small "Live" / "Reconnecting…" status, a watchdog
// that reconnects when nothing (not even the server's heartbeat, every 15 s) has arrived for
// 35 s, as when a connection dies without closing, and a brief highlight of what changed.
// No inline script (CSP): loaded by base.html after htmx and its SSE extension.
(function () {
  "use strict";
  var watchdogMs = (parseInt(document.body.getAttribute("data-live-watchdog"), 10) || 35) * 1000;
  var regions = new Map(); // sse-connect element -> {source, last, timer}

  function setStatus(elt, state) {
    var status = elt.querySelector("[data-live-status]");
    if (!status) return;
    if (status.getAttribute("data-state") === state) return;
    status.setAttribute("data-state", state);
    status.querySelector(".live-text").textContent = state === "live"  // the page's language, from the template
      ? (status.dataset.textLive || "Live") : (status.dataset.textReconnecting || "Reconnecting…");
  }

  function check(elt) {
    var region = regions.get(elt);
    if (!region || !document.contains(elt)) {
      if (region) clearInterval(region.timer);
      regions.delete(elt);
      return;
    }
    if (Date.now() - region.last < watchdogMs || !region.source) return;
    // Silent too long: close it and let the SSE extension reconnect the way it does after an error.
    var source = region.source;
    region.source = null;
    region.last = Date.now();
    setStatus(elt, "reconnecting");
    source.close();
    if (typeof source.onerror === "function") source.onerror(new Event("error"));
  }

  function touch(elt) {
    var region = regions.get(elt);
    if (region) region.last = Date.now();
  }

  function flash(elt) {
    elt.classList.remove("just-changed");
    void elt.offsetWidth; // restart the animation
    elt.classList.add("just-changed");
  }

  document.addEventListener("htmx:sseOpen", function (evt) {
    var elt = evt.target, source = evt.detail && evt.detail.source;
    var region = regions.get(elt);
    if (!region) {
      region = {source: null, last: Date.now(), timer: setInterval(function () { check(elt); }, 1000)};
      regions.set(elt, region);
    }
    region.source = source;
    region.last = Date.now();
    if (source) source.addEventListener("heartbeat", function () { touch(elt); });
    setStatus(elt, "live");
  });

  document.addEventListener("htmx:sseError", function (evt) {
    setStatus(evt.target, "reconnecting");
  });

  document.addEventListener("htmx:sseMessage", function (evt) {
    var target = evt.target;
    var connected = target.closest("[sse-connect]");
    if (connected) {
      touch(connected);
      setStatus(connected, "live");
    }
    // A part of a view (the grid's changed days) comes to an element that swaps nothing itself;
    // its elements are swapped by id (hx-swap-oob) and highlighted once settled (below).
    if (target.getAttribute("hx-swap") === "none") return;
    // The first message is the snapshot of what the page already shows; later ones that differ
    // (a change, or what a reconnect caught up on) get a brief highlight.
    // A stream opened at the page's own event id (`after=` in sse-connect) sends no snapshot: its
    // first message is already news.
    var data = evt.detail && evt.detail.data;
    var fromPage = connected && /[?&]after=/.test(connected.getAttribute("sse-connect") || "");
    var before = target.__liveData !== undefined ? target.__liveData : (fromPage ? null : undefined);
    if (before !== undefined && data !== undefined && before !== data) flash(target);
    target.__liveData = data;
  });

  // Out-of-band parts carry data-news; htmx gives a swapped element its old attributes until it
  // settles, so they are found (and highlighted, all of them news) only then.
  document.addEventListener("htmx:afterSettle", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-news]"), function (elt) {
      elt.removeAttribute("data-news");
      flash(elt);
    });
  });

  document.addEventListener("animationend", function (evt) {
    if (evt.target.classList) evt.target.classList.remove("just-changed");
  });
})();
