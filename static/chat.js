// balcao: small helpers for the live chat pages (the panel's conversation and
// the simulator's phone). No inline script anywhere: the CSP forbids it.
(function () {
  "use strict";

  // An action the server refused still answers with a fragment that explains
  // why (marked by X-Balcao-Fragment); htmx would drop a 4xx answer otherwise.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("X-Balcao-Fragment")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  // Chat logs ([data-scroll-end]) stay scrolled to the newest message, unless
  // the reader scrolled up to read older ones.
  function nearBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 80; }
  function toBottom(el) { el.scrollTop = el.scrollHeight; }
  var stick = new WeakMap();
  function isLog(el) { return el && el.matches && el.matches("[data-scroll-end]"); }
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (isLog(e.detail.target)) { stick.set(e.detail.target, nearBottom(e.detail.target)); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (isLog(e.detail.target) && stick.get(e.detail.target) !== false) { toBottom(e.detail.target); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-scroll-end]").forEach(toBottom);
  });

  // A resposta pronta chosen in select[data-quick-reply] goes into the reply
  // box named by the attribute, where the clerk may still change it.
  document.addEventListener("change", function (e) {
    var sel = e.target;
    if (!sel.matches || !sel.matches("select[data-quick-reply]") || sel.value === "") { return; }
    var box = document.getElementById(sel.getAttribute("data-quick-reply"));
    if (box) { box.value = sel.value; box.focus(); }
    sel.value = "";
  });
})();
