/* Draws the page's chart from the JSON in #dash-chart-data with the vendored ECharts. */
(function () {
  "use strict";
  var holder = document.getElementById("dash-chart");
  var source = document.getElementById("dash-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var spec = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  var percent = !!spec.percent;
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : (percent ? (v * 100).toFixed(1) + "%" : v); } },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 70 },
    xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 12 ? 45 : 0 } },
    yAxis: { type: "value", max: percent ? 1 : null, axisLabel: { formatter: function (v) { return percent ? Math.round(v * 100) + "%" : v; } } },
    dataZoom: spec.labels.length > 30 ? [{ type: "slider", bottom: 0 }] : [],
    series: spec.series.map(function (s) { return { name: s.name, type: s.type || "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
