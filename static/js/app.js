// Fideliza page behaviour. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  // Forms marked data-confirm ask in a dialog before they are sent (deactivate, delete, close…).
  function setUpConfirmations() {
    var modalElement = document.getElementById("confirm-modal");
    if (!modalElement || !window.bootstrap) { return; }
    var modal = bootstrap.Modal.getOrCreateInstance(modalElement);
    var pending = null;
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches("form[data-confirm]") || form.dataset.confirmed === "yes") { return; }
      event.preventDefault();
      pending = form;
      modalElement.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
      modal.show();
    });
    modalElement.querySelector("[data-confirm-accept]").addEventListener("click", function () {
      if (!pending) { return; }
      pending.dataset.confirmed = "yes";
      modal.hide();
      pending.requestSubmit();
    });
  }

  // A table wider than its box scrolls sideways: keyboard users reach it with Tab and scroll it with the arrows,
  // and screen readers name it by its table's label or the nearest heading (WCAG 2.1.1). Only where it scrolls,
  // so a table that fits adds no stop to the tab order.
  function makeScrollingTablesReachable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var table = box.querySelector("table");
        var heading = box.closest("section, .card, main");
        heading = heading && heading.querySelector("h1, h2, h3");
        var name = (table && (table.getAttribute("aria-label") || (table.caption && table.caption.textContent))) ||
          (heading && heading.textContent);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (name) { box.setAttribute("aria-label", name.trim()); }
        box.dataset.scrollReachable = "yes";
      } else if (!scrolls && box.dataset.scrollReachable === "yes") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollReachable;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", setUpConfirmations);
  document.addEventListener("DOMContentLoaded", makeScrollingTablesReachable);
  window.addEventListener("resize", makeScrollingTablesReachable);
})();

// Selects marked data-autosubmit send their form when changed (filters that need no button).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});
