/* Draws the page's chart from the JSON in #dash-chart-data with the vendored ECharts. */
(function () {
  "use strict";
  var holder = document.getElementById("dash-chart");
  var source = document.getElementById("dash-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var spec = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  var percent = !!spec.percent;
  function formatValue(v) { return v == null ? "—" : (percent ? (v * 100).toFixed(1) + "%" : v); }
  // The tooltip is built as elements, not HTML text: ECharts' own markup carries style="" attributes,
  // which the Content-Security-Policy refuses; styles set through the DOM (CSSOM) are allowed.
  function tooltip(params) {
    var box = document.createElement("div");
    var head = document.createElement("div");
    head.className = "chart-tip-head";
    head.textContent = params.length ? params[0].axisValueLabel : "";
    box.appendChild(head);
    params.forEach(function (p) {
      var row = document.createElement("div");
      var marker = document.createElement("span");
      marker.className = "chart-tip-marker";
      marker.style.backgroundColor = typeof p.color === "string" ? p.color : "#888";
      var name = document.createElement("span");
      name.textContent = p.seriesName + " ";
      var value = document.createElement("strong");
      value.textContent = formatValue(Array.isArray(p.value) ? p.value[1] : p.value);
      row.appendChild(marker);
      row.appendChild(name);
      row.appendChild(value);
      box.appendChild(row);
    });
    return box;
  }
  chart.setOption({
    tooltip: { trigger: "axis", formatter: tooltip },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 70 },
    xAxis: { type: "category", data: spec.labels, axisLabel: { rotate: spec.labels.length > 12 ? 45 : 0 } },
    yAxis: { type: "value", max: percent ? 1 : null, axisLabel: { formatter: function (v) { return percent ? Math.round(v * 100) + "%" : v; } } },
    dataZoom: spec.labels.length > 30 ? [{ type: "slider", bottom: 0 }] : [],
    series: spec.series.map(function (s) { return { name: s.name, type: s.type || "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
