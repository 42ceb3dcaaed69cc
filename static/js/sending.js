// Follows the sending of a wave's links (templates/surveys/_sending.html): while the queue sends, asks the server
// for the status again and puts it in place, so "3 sent, 5 left" moves without reloading the page. The status
// lives in the database, so any server answers; it stops once the sending is done or failed.
(function () {
  "use strict";
  var INTERVAL = 2000;

  function follow(box) {
    var url = box.dataset.sendingUrl;
    if (!url) { return; }
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (response.status !== 200) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("sending");
          if (!next) { return; }
          box.replaceWith(next);
          follow(next);
        })
        .catch(function () { window.setTimeout(function () { follow(box); }, INTERVAL * 2); });
    }, INTERVAL);
  }

  var box = document.getElementById("sending");
  if (box) { follow(box); }
})();
