/* Tabs over a long page, as progressive enhancement: the page holds every section and an index of
   anchor links to them (<div data-tabs> with <nav> and .tab-panel children), which works without
   scripts. Here the index becomes tabs: one panel shows at a time, the first (the summary) unless the
   address names another panel or anything inside one (#planning.seats); links to such anchors switch
   tabs, and the back button too (the address keeps the hash). A panel just shown is announced with the
   event "countyedu:panel-shown" so that charts inside it are drawn at their real size. */
(function () {
  "use strict";

  function setUp(box) {
    var nav = box.querySelector("nav");
    var panels = Array.prototype.slice.call(box.querySelectorAll(".tab-panel"));
    if (!nav || !panels.length) return;
    var links = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
    box.classList.add("tabbed");
    nav.setAttribute("role", "tablist");
    links.forEach(function (a) {
      a.setAttribute("role", "tab");
      a.setAttribute("aria-controls", a.getAttribute("href").slice(1));
    });
    panels.forEach(function (p) { p.setAttribute("role", "tabpanel"); });

    function target() {
      var id = decodeURIComponent(location.hash.slice(1));
      return id ? document.getElementById(id) : null;
    }

    function show(scroll) {
      var el = target();
      var panel = el && box.contains(el) ? (el.classList.contains("tab-panel") ? el : el.closest(".tab-panel")) : null;
      if (!panel) { panel = panels[0]; el = null; }
      panels.forEach(function (p) { p.hidden = p !== panel; });
      links.forEach(function (a) {
        var on = a.getAttribute("href").slice(1) === panel.id;
        a.setAttribute("aria-selected", on ? "true" : "false");
        a.classList.toggle("active", on);
      });
      document.dispatchEvent(new CustomEvent("countyedu:panel-shown", { detail: { panel: panel } }));
      if (scroll) (el && el !== panel ? el : box).scrollIntoView({ block: "start" });
    }

    window.addEventListener("hashchange", function () { show(true); });
    show(!!target());
  }

  // loaded at the end of <body>: the sections are there already, and are set up before any chart is drawn
  document.querySelectorAll("[data-tabs]").forEach(setUp);
})();
