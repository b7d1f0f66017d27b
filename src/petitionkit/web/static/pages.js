// The workspace pages' own script (no inline script: the CSP forbids it). Progressive enhancement only:
// every page works without it.
(function () {
  "use strict";
  // the printable slip's "print" button
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      window.print();
    }
  });
  // the report's charts: each box carries its Plotly figure as JSON; plotly.js is served by the workspace
  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") { return; }
    root.querySelectorAll("[data-figure]").forEach(function (box) {
      if (box.dataset.drawn) { return; }
      var figure = JSON.parse(box.dataset.figure);
      var layout = figure.layout || {};
      layout.autosize = true;
      window.Plotly.newPlot(box, figure.data || [], layout, {displaylogo: false, displayModeBar: false, responsive: true});
      box.dataset.drawn = "1";
    });
  }
  function ready() { drawCharts(document); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  // a form shown again with errors: move the keyboard focus to the list of errors
  function focusErrors() {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("htmx:afterSettle", focusErrors);
})();
