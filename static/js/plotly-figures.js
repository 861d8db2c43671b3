// Draws every [data-plotly-figure] element from the JSON figure in the <script> it names.
(function () {
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.plotlyFigure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    });
  });
})();
