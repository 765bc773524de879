/* Programme results: draws each chart from the JSON beside it (Django's json_script); the
   tables under the charts hold the same figures. Chart.js is vendored (static/vendor/chartjs). */
(function () {
  "use strict";

  var COLOURS = ["#0b5cad", "#1e7b34", "#8a5a00", "#b3261e"];

  function datasets(spec) {
    return spec.series.map(function (series, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: colour,
        backgroundColor: spec.type === "bar" ? colour : colour + "33",
        borderWidth: 2,
        pointRadius: spec.labels.length > 40 ? 0 : 3,
        tension: 0.2,
        spanGaps: true
      };
    });
  }

  function figures(spec) {
    // Numbers as the page's language writes them ("12 345,5" / "12,345.5"); a per cent series
    // is sent in per cent (45.5), which Intl writes with the language's sign ("45,5%").
    var lang = document.documentElement.lang || undefined;
    var format = spec.percent
      ? new Intl.NumberFormat(lang, {style: "percent", maximumFractionDigits: 1})
      : new Intl.NumberFormat(lang, {maximumFractionDigits: 2});
    return function (value) {
      return format.format(spec.percent ? value / 100 : value);
    };
  }

  function shorten(label) {
    // Long names crowd the axis; the table beside the chart gives them whole.
    return label.length > 30 ? label.slice(0, 29) + "…" : label;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var figure = canvas.closest("figure");
    if (!spec.labels || spec.labels.length === 0) {
      if (figure) {
        figure.hidden = true; // nothing to draw: the table says so
      }
      return;
    }
    var valueAxis = spec.horizontal ? "x" : "y";
    var show = figures(spec);
    var scales = {};
    // Counts are whole: no "0,5 offers" tick.
    scales[valueAxis] = {beginAtZero: true, ticks: {callback: show, precision: spec.percent ? 1 : 0}};
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels.map(shorten), datasets: datasets(spec)},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: document.documentElement.lang || undefined,
        indexAxis: spec.horizontal ? "y" : "x",
        interaction: {mode: "index", intersect: false},
        plugins: {
          legend: {display: spec.series.length > 1, position: "bottom"},
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + show(item.parsed[valueAxis]);
              }
            }
          }
        },
        scales: scales
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i += 1) {
      draw(canvases[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
