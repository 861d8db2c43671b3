// Draws every [data-plotly-figure] element from the JSON figure in the <script> it names.
// Plotly's own texts (the mode bar's buttons, hints, month names on date axes) come from the
// message catalog (base.html loads it first), as a Plotly locale named after the page's.
(function () {
  if (typeof Plotly === "undefined") { return; }

  // English is Plotly's own; another language is registered from the catalog.
  var locale = document.documentElement.lang || "en";
  if (locale !== "en") { register(locale); }

  function register(name) {
  // Plotly's English text → ours (the context "chart" keeps them apart from the product's).
  var dictionary = {
    "Download plot as a PNG": pgettext("chart", "Download plot as a PNG"),
    "Download plot": pgettext("chart", "Download plot"),
    "Share chart...": pgettext("chart", "Share chart..."),
    "Zoom": pgettext("chart", "Zoom"),
    "Pan": pgettext("chart", "Pan"),
    "Zoom in": pgettext("chart", "Zoom in"),
    "Zoom out": pgettext("chart", "Zoom out"),
    "Autoscale": pgettext("chart", "Autoscale"),
    "Reset axes": pgettext("chart", "Reset axes"),
    "Reset": pgettext("chart", "Reset"),
    "Reset view": pgettext("chart", "Reset view"),
    "Box Select": pgettext("chart", "Box Select"),
    "Lasso Select": pgettext("chart", "Lasso Select"),
    "Toggle Spike Lines": pgettext("chart", "Toggle Spike Lines"),
    "Show closest data on hover": pgettext("chart", "Show closest data on hover"),
    "Compare data on hover": pgettext("chart", "Compare data on hover"),
    "Toggle show closest data on hover": pgettext("chart", "Toggle show closest data on hover"),
    "Double-click to zoom back out": pgettext("chart", "Double-click to zoom back out"),
    "Double-click on legend to isolate one trace": pgettext("chart", "Double-click on legend to isolate one trace"),
    "trace": pgettext("chart", "trace"),
  };

  Plotly.register({
    moduleType: "locale",
    name: name,
    dictionary: dictionary,
    format: {
      months: [
        pgettext("month", "January"), pgettext("month", "February"),
        pgettext("month", "March"), pgettext("month", "April"), pgettext("month", "May"),
        pgettext("month", "June"), pgettext("month", "July"), pgettext("month", "August"),
        pgettext("month", "September"), pgettext("month", "October"),
        pgettext("month", "November"), pgettext("month", "December"),
      ],
      shortMonths: [
        pgettext("abbrev. month", "Jan"), pgettext("abbrev. month", "Feb"),
        pgettext("abbrev. month", "Mar"), pgettext("abbrev. month", "Apr"),
        pgettext("abbrev. month", "May"), pgettext("abbrev. month", "Jun"),
        pgettext("abbrev. month", "Jul"), pgettext("abbrev. month", "Aug"),
        pgettext("abbrev. month", "Sep"), pgettext("abbrev. month", "Oct"),
        pgettext("abbrev. month", "Nov"), pgettext("abbrev. month", "Dec"),
      ],
    },
  });
  }

  document.querySelectorAll("[data-plotly-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.plotlyFigure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      locale: locale,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    });
  });
})();
