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

  document.addEventListener("DOMContentLoaded", setUpConfirmations);
})();

// Selects marked data-autosubmit send their form when changed (filters that need no button).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});
