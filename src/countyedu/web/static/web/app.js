// Behaviour every page shares. The Content-Security-Policy runs scripts from the app only, so pages
// hold no inline script or handler: elements ask for behaviour through data- attributes.
(function () {
  function ready() {
    // <select data-submit> submits its form when changed (the language menu)
    document.querySelectorAll("select[data-submit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    // data-width="40%": a width computed by the server (progress bars), set here, not in a style attribute
    document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = el.dataset.width; });
    // <button data-print> prints the page (the plaque list)
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
