// The campaign page's KPI charts: per KPI, the value to date against its plan.
// If Chart.js could not load, every chart's table is shown instead.
(function () {
  "use strict";
  var node = document.getElementById("campaign-charts");
  if (!node) return;
  var specs = JSON.parse(node.textContent);
  if (!window.Chart) {
    document.querySelectorAll(".kpi-chart").forEach(function (box) { box.hidden = true; });
    document.querySelectorAll(".kpi-card .chart-table").forEach(function (d) { d.open = true; });
    return;
  }
  var reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [
          { label: "Actual", data: spec.actual, borderColor: "#4f46e5", backgroundColor: "#4f46e5", tension: 0.2, pointRadius: spec.labels.length > 60 ? 0 : 2, spanGaps: true },
          { label: "Plan", data: spec.plan, borderColor: "#9ca3af", backgroundColor: "#9ca3af", borderDash: [6, 4], pointRadius: 0, spanGaps: true }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : {},
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } }, y: { beginAtZero: spec.unit !== "percent" } }
      }
    });
    canvas.dataset.rendered = "true";
  });
})();
