// Fideliza charts: draws every <figure data-chart> of the page (see templates/_charts.html) with the
// vendored vega-embed, within the Content-Security-Policy (script-src 'self', style-src 'self'):
// - ast: true makes Vega interpret its expressions (vega-embed bundles vega-interpreter) instead of
//   compiling them with new Function, which would need 'unsafe-eval';
// - defaultStyle: false and tooltip.disableDefaultStyle stop vega-embed and vega-tooltip from injecting
//   <style> elements; the same CSS comes from static/vendor/vega/vega-embed.css;
// - actions: false, because the actions menu opens windows and links outside the app.
// Number and date formats (decimal comma, Spanish month names) travel in each spec's config.locale,
// set on the server by core/charts.py for the reader's language.
(function () {
  "use strict";

  var OPTIONS = {
    renderer: "svg",
    actions: false,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
    ast: true
  };

  function showError(canvas, error) {
    var alert = document.createElement("div");
    alert.className = "alert alert-warning small mb-0";
    alert.setAttribute("role", "alert");
    alert.textContent = canvas.dataset.chartError || "The chart could not be drawn.";
    if (error && error.message) {
      var detail = document.createElement("div");
      detail.className = "text-body-secondary mt-1";
      detail.textContent = error.message;
      alert.appendChild(detail);
    }
    canvas.replaceChildren(alert);
    canvas.closest("figure").dataset.chartState = "failed";
    // On the console too: the browser tests fail on console errors, so a broken chart cannot go unnoticed.
    console.error("Chart not drawn:", error);
  }

  function draw(figure) {
    var canvas = figure.querySelector("[data-chart-canvas]");
    var caption = figure.querySelector("figcaption");
    var spec;
    try {
      if (typeof window.vegaEmbed !== "function") { throw new Error("vega-embed is not loaded"); }
      spec = JSON.parse(figure.querySelector("script[data-chart-spec]").textContent);
    } catch (error) {
      showError(canvas, error);
      return;
    }
    // Screen readers announce the drawing with the same description as the caption.
    if (!spec.description && caption) { spec.description = caption.textContent.trim(); }
    window.vegaEmbed(canvas, spec, OPTIONS).then(function (result) {
      figure.dataset.chartState = "drawn";
      figure.vegaView = result.view;
    }).catch(function (error) { showError(canvas, error); });
  }

  function drawAll() {
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
