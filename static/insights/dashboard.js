// The brand dashboard's charts: one Chart.js chart per spec in #dashboard-charts.
// A click on a point, bar or slice opens the mention stream with that filter; if
// Chart.js could not load, every chart's table is shown instead.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-charts");
  if (!node) return;
  var specs = JSON.parse(node.textContent);
  if (!window.Chart) {
    document.querySelectorAll(".dashboard-chart .chart-box").forEach(function (box) { box.hidden = true; });
    document.querySelectorAll(".dashboard-chart .chart-table").forEach(function (d) { d.open = true; });
    return;
  }
  var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var round = spec.type === "doughnut";
    var type = spec.type === "hbar" ? "bar" : spec.type;
    var datasets = spec.datasets.map(function (d) {
      return {
        label: d.label,
        data: d.data,
        borderColor: d.color,
        backgroundColor: round ? d.colors : (d.colors && !spec.stacked && spec.datasets.length === 1 ? d.colors : d.color),
        tension: 0.25,
        pointRadius: spec.labels.length > 60 ? 0 : 2,
        fill: false
      };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduced ? false : {},
      interaction: { mode: round ? "nearest" : "index", intersect: round },
      plugins: { legend: { display: round || spec.datasets.length > 1 } },
      onHover: function (event, elements) {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
      onClick: function (event, elements, chart) {
        var hit = chart.getElementsAtEventForMode(event, "nearest", { intersect: true }, true);
        if (!hit.length) hit = elements;
        if (!hit.length) return;
        var row = spec.links[hit[0].datasetIndex] || spec.links[0] || [];
        var url = row[hit[0].index];
        if (url) window.location.href = url;
      }
    };
    if (!round) {
      options.indexAxis = spec.type === "hbar" ? "y" : "x";
      options.scales = {
        x: { stacked: spec.stacked, ticks: { maxTicksLimit: 10, maxRotation: 0 } },
        y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
      };
      if (spec.unit === "%") options.scales.y.max = 100;
    }
    new Chart(canvas, { type: type, data: { labels: spec.labels, datasets: datasets }, options: options });
    canvas.dataset.rendered = "true";
  });
})();
