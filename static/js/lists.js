// Lists: copy buttons for links, and checkbox lists with a filter box (instead of Ctrl-click multi-selects).
// No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      // The asynchronous clipboard refuses now and then (the window lost focus, a permission prompt): the old
      // way below still works from the click that asked.
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(text); });
    }
    return copyBySelection(text);  // plain HTTP (an intranet)
  }

  function copyBySelection(text) {
    // Select a temporary field and copy it.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "position-fixed top-0 start-0 opacity-0";
    document.body.appendChild(field);
    field.select();
    var done = document.execCommand("copy");
    document.body.removeChild(field);
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy-target]");
    if (!button) { return; }
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) { return; }
    copyText(source.value || source.textContent).then(function () {
      var label = button.querySelector("[data-copy-label]");
      if (!button.dataset.copyText) { button.dataset.copyText = label.textContent; }
      label.textContent = button.dataset.copied;
      button.classList.add("btn-success");
      button.classList.remove("btn-outline-secondary");
      window.setTimeout(function () {
        label.textContent = button.dataset.copyText;
        button.classList.remove("btn-success");
        button.classList.add("btn-outline-secondary");
      }, 2000);
    }, function () {
      source.select();  // the reader copies it with the keyboard
    });
  });

  function countChosen(fieldset) {
    var count = fieldset.querySelector("[data-filter-count]");
    if (!count) { return; }
    var chosen = fieldset.querySelectorAll("input[type=checkbox]:checked").length;
    count.textContent = chosen ? count.dataset.template.replace("{n}", chosen) : "";
  }

  function filterChoices(fieldset, text) {
    var words = text.trim().toLowerCase();
    var shown = 0;
    fieldset.querySelectorAll("[data-filter-item]").forEach(function (item) {
      var match = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
      item.classList.toggle("d-none", !match);
      if (match) { shown += 1; }
    });
    var empty = fieldset.querySelector("[data-filter-empty]");
    if (empty) { empty.classList.toggle("d-none", shown > 0); }
  }

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-filter-input]")) { return; }
    filterChoices(event.target.closest("[data-checkbox-filter]"), event.target.value);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in the filter box filters; it does not send the invitation form.
    if (event.key === "Enter" && event.target.matches("[data-filter-input]")) { event.preventDefault(); }
  });
  document.addEventListener("change", function (event) {
    var fieldset = event.target.closest("[data-checkbox-filter]");
    if (fieldset) { countChosen(fieldset); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-checkbox-filter]").forEach(countChosen);
  });
})();
