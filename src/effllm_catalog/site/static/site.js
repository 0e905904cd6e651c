/* effllm site: search as you type, filters and sorting on node pages, copy buttons.
 * Pages work without this script; it only adds. Catalog text is only ever set with textContent. */
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";

  /* ------------------------------------------------------------ search */
  var MAX_RESULTS = 20;
  var engine = null;
  var docs = null;
  var loading = false;
  var pending = null; // what to run once the index is ready: only the latest keystroke matters

  function loadScript(src, done) {
    var s = document.createElement("script");
    s.src = root + src;
    s.onload = done;
    s.onerror = function () { setStatus("The search index could not be loaded."); };
    document.head.appendChild(s);
  }

  function setStatus(text) {
    var status = document.getElementById("search-status");
    if (status) status.textContent = text;
  }

  function ensureEngine(then) {
    if (engine) { then(); return; }
    pending = then;
    if (loading) return;
    loading = true;
    setStatus("Loading the search index…");
    loadScript("assets/minisearch.js", function () {
      loadScript("assets/search-data.js", function () {
        docs = window.EFFLLM_SEARCH.docs;
        engine = new window.MiniSearch({
          fields: ["t", "n", "s", "a"],
          idField: "id",
          // Words are runs of letters and digits: "<b>Inference</b>" and "LLM.int8()" split too.
          tokenize: function (text) { return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean); },
          searchOptions: { boost: { n: 3, t: 2 }, prefix: true, fuzzy: 0.2, combineWith: "AND" }
        });
        engine.addAll(docs);
        setStatus("");
        pending();
      });
    });
  }

  function render(query) {
    var list = document.getElementById("search-results");
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!query.trim()) { list.hidden = true; setStatus(""); return; }
    var hits = engine.search(query);
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var doc = docs[hit.id];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + doc.p;
      a.textContent = doc.t;
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = [doc.n, doc.a, (doc.v || "no venue") + " " + doc.y].filter(Boolean).join(" · ");
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
    setStatus(hits.length === 0 ? "No paper matches." :
      hits.length + (hits.length === 1 ? " paper" : " papers") +
      (hits.length > MAX_RESULTS ? ", first " + MAX_RESULTS + " shown" : ""));
  }

  function setupSearch() {
    var input = document.getElementById("q");
    if (!input) return;
    var form = input.form;
    input.addEventListener("focus", function () { ensureEngine(function () {}); });
    input.addEventListener("input", function () {
      ensureEngine(function () { render(input.value); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = document.querySelector("#search-results a");
      if (first) window.location.href = first.href;
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { input.value = ""; render(""); }
      if (event.key === "ArrowDown") {
        var first = document.querySelector("#search-results a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    // Arrow keys move between results (and back to the box); Enter follows the focused link.
    document.getElementById("search-results").addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var links = Array.prototype.slice.call(this.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      event.preventDefault();
      if (event.key === "ArrowDown" && at < links.length - 1) links[at + 1].focus();
      if (event.key === "ArrowUp") (at > 0 ? links[at - 1] : input).focus();
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("q")) {
      input.value = params.get("q");
      ensureEngine(function () { render(input.value); });
    }
  }

  /* ------------------------------------------------------------ node filters */
  function setupFilters() {
    var form = document.getElementById("filters");
    var list = document.getElementById("papers");
    if (!form || !list) return;
    form.hidden = false;
    var items = Array.prototype.slice.call(list.children);
    var count = document.getElementById("paper-count");
    var status = document.getElementById("filter-status");
    function value(id) { var el = document.getElementById(id); return el ? el.value : ""; }
    function checked(id) { var el = document.getElementById(id); return el ? el.checked : false; }
    function apply() {
      var from = parseInt(value("f-from"), 10), to = parseInt(value("f-to"), 10);
      var venue = value("f-venue"), metric = value("f-metric");
      var code = checked("f-code"), published = checked("f-published");
      var shown = 0;
      items.forEach(function (li) {
        var year = parseInt(li.getAttribute("data-year"), 10);
        var ok = (isNaN(from) || year >= from) && (isNaN(to) || year <= to) &&
          (!venue || li.getAttribute("data-venue") === venue) &&
          (!metric || (" " + li.getAttribute("data-metrics") + " ").indexOf(" " + metric + " ") >= 0) &&
          (!code || li.getAttribute("data-code") === "1") &&
          (!published || li.getAttribute("data-published") === "1");
        li.hidden = !ok;
        if (ok) shown += 1;
      });
      var sort = value("f-sort");
      var sorted = items.slice().sort(function (a, b) {
        var ya = parseInt(a.getAttribute("data-year"), 10), yb = parseInt(b.getAttribute("data-year"), 10);
        var ta = a.getAttribute("data-title"), tb = b.getAttribute("data-title");
        if (sort === "title") return ta < tb ? -1 : ta > tb ? 1 : 0;
        if (ya !== yb) return sort === "year-asc" ? ya - yb : yb - ya;
        return ta < tb ? -1 : ta > tb ? 1 : 0;
      });
      sorted.forEach(function (li) { list.appendChild(li); });
      count.textContent = String(shown);
      status.textContent = shown === items.length ? "" : shown + " of " + items.length + " shown";
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  /* ------------------------------------------------------------ copy buttons */
  function copyText(text, done) {
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function setupCopy() {
    Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(target.textContent, function (ok) {
          button.textContent = ok ? "Copied" : "Select and copy";
          window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
        });
      });
    });
  }

  function start() { setupSearch(); setupFilters(); setupCopy(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
