// Sub-menus whose tabs do not fit on one line keep the first ones and put the rest into their "More" dropdown
// (a Bootstrap dropdown: Enter or Space opens it, the arrow keys move through it, Escape closes it).
// Without scripts the tabs simply wrap.
(function () {
  "use strict";

  function fit(nav) {
    var bar = nav.querySelector("ul.nav");
    var tabs = Array.prototype.slice.call(bar.querySelectorAll(":scope > [data-subnav-tab]"));
    var more = bar.querySelector(":scope > [data-subnav-more]");
    var items = more.querySelectorAll("[data-subnav-item]");
    bar.classList.remove("flex-wrap");
    bar.classList.add("flex-nowrap");
    tabs.forEach(function (tab) { tab.classList.remove("d-none"); });
    Array.prototype.forEach.call(items, function (item) { item.classList.add("d-none"); });
    more.classList.add("d-none");
    if (bar.scrollWidth <= bar.clientWidth) { return; }
    more.classList.remove("d-none");
    // Hide tabs from the end until the bar fits; the first one always stays.
    var hidden = 0;
    for (var i = tabs.length - 1; i > 0 && bar.scrollWidth > bar.clientWidth; i--) {
      tabs[i].classList.add("d-none");
      items[i].classList.remove("d-none");
      hidden++;
    }
    var toggle = more.querySelector(".dropdown-toggle");
    var currentHidden = more.querySelector("[data-subnav-item]:not(.d-none) .active") !== null;
    toggle.classList.toggle("active", currentHidden);
    if (hidden === 0) { more.classList.add("d-none"); }
  }

  function fitAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-subnav]"), fit);
  }

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fitAll(); });
  });
  document.addEventListener("DOMContentLoaded", fitAll);
})();
