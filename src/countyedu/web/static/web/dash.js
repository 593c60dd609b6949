/* Dashboard charts with the vendored ECharts: sparklines and the key-target trend on the county
   page, the school map. Data come from json_script blocks; no network access is needed. */
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  // axis tooltips drawn in the canvas: ECharts's default HTML tooltip writes style attributes, which the
  // Content-Security-Policy (style-src 'self') refuses
  var RICH = "richText";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 10000) / 100; }

  function sparklines(d) {
    d.rows.forEach(function (s) {
      var el = document.getElementById(s.id);
      if (!el) return;
      var values = s.percent ? s.values.map(pct) : s.values;
      echarts.init(el, null, { renderer: "svg" }).setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 4 },
        xAxis: { type: "category", show: false, data: d.years },
        yAxis: { type: "value", show: false, scale: true },
        tooltip: { trigger: "axis", confine: true, renderMode: RICH, textStyle: { fontSize: 11, fontFamily: FONT },
                   valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + (s.percent ? "%" : ""); } },
        series: [{ type: "line", data: values, symbol: "circle", symbolSize: 4, showSymbol: values.length < 3,
                   lineStyle: { width: 1.5, color: "#1f4e79" }, itemStyle: { color: "#1f4e79" } }]
      });
    });
  }

  function trendChart(d) {
    var el = document.getElementById("trend-chart");
    if (!el || !d.series.length) return;
    var chart = echarts.init(el);
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "axis", renderMode: RICH, valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
      legend: { top: 0, left: 0, right: 0 },
      grid: { left: 50, right: 30, top: 100, bottom: 30 },
      xAxis: { type: "category", data: d.years.map(String) },
      yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: d.series.map(function (s) {
        var line = { type: "line", name: s.name, data: s.values.map(pct), connectNulls: true, symbolSize: 7 };
        if (s.target !== null) {
          line.markLine = { symbol: "none", silent: true, lineStyle: { type: "dashed" },
                            label: { position: "insideEndTop", formatter: d.labels.target + " " + pct(s.target) + "%", fontSize: 11 },
                            data: [{ yAxis: pct(s.target) }] };
        }
        return line;
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function bounds(points, el) {
    // a plain lon/lat frame with equal ground distances on both axes (degrees of longitude shrink by cos(lat))
    var lons = points.map(function (p) { return p.lon; }), lats = points.map(function (p) { return p.lat; });
    var x0 = Math.min.apply(null, lons), x1 = Math.max.apply(null, lons);
    var y0 = Math.min.apply(null, lats), y1 = Math.max.apply(null, lats);
    var k = Math.cos((y0 + y1) / 2 * Math.PI / 180);
    var w = Math.max(el.clientWidth - 110, 100), h = Math.max(el.clientHeight - 100, 100);
    var sx = Math.max((x1 - x0) * k, 0.01) * 1.15, sy = Math.max(y1 - y0, 0.01) * 1.15;
    if (sx / sy > w / h) { sy = sx * h / w; } else { sx = sy * w / h; }
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return { x0: cx - sx / k / 2, x1: cx + sx / k / 2, y0: cy - sy / 2, y1: cy + sy / 2 };
  }

  function schoolMap(d) {
    var el = document.getElementById("map");
    if (!el) return;
    var chart = echarts.init(el);
    var geo = !!d.geo;
    if (geo) echarts.registerMap("outlines", d.geo);
    var series = ["pass", "fail", "none"].map(function (k) {
      return {
        name: d.labels[k], type: "scatter", coordinateSystem: geo ? "geo" : "cartesian2d",
        symbolSize: 11, itemStyle: { color: d.colours[k], borderColor: "#fff", borderWidth: 1 },
        emphasis: { scale: 1.6 },
        data: d.points.filter(function (p) { return p.status === k; })
                      .map(function (p) { return { name: p.name, value: [p.lon, p.lat], p: p }; })
      };
    });
    var option = {
      textStyle: { fontFamily: FONT },
      legend: { top: 0 },
      tooltip: {
        trigger: "item", renderMode: RICH,  // text drawn in the canvas; a click on the point opens the school
        formatter: function (x) {
          var p = x.data && x.data.p;
          if (!p) return x.name || "";
          return p.name + "\n" + p.type + " · " + p.township + "\n" + p.status_label + "\n" + d.labels.open;
        }
      },
      series: series
    };
    if (geo) {
      // the county's outline (unlabelled, a heavier line) and the townships' (labelled), under the schools
      var county = d.geo.features.filter(function (f) { return f.properties.kind === "county"; });
      option.geo = { map: "outlines", roam: true, top: 40, bottom: 20,
                     label: { show: true, color: "#1f4e79", fontFamily: FONT },
                     itemStyle: { areaColor: "#f3f6fa", borderColor: "#1f4e79", borderWidth: 1.2 },
                     emphasis: { label: { show: true }, itemStyle: { areaColor: "#e3ecf7" } },
                     regions: county.map(function (f) {
                       return { name: f.properties.name, label: { show: false }, emphasis: { label: { show: false } },
                                itemStyle: { areaColor: "#f3f6fa", borderColor: "#1f4e79", borderWidth: 2.5 } };
                     }) };
    } else if (d.points.length) {
      var b = bounds(d.points, el);
      var deg = function (v) { return v.toFixed(2) + "°"; };
      option.grid = { left: 70, right: 40, top: 40, bottom: 60 };
      option.xAxis = { type: "value", name: d.labels.lon, nameLocation: "middle", nameGap: 30, min: b.x0, max: b.x1,
                       axisLabel: { formatter: deg, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eee" } } };
      option.yAxis = { type: "value", name: d.labels.lat, nameLocation: "middle", nameGap: 50, min: b.y0, max: b.y1,
                       axisLabel: { formatter: deg, showMinLabel: false, showMaxLabel: false }, splitLine: { lineStyle: { color: "#eee" } } };
      option.dataZoom = [{ type: "inside", xAxisIndex: 0, filterMode: "none" }, { type: "inside", yAxisIndex: 0, filterMode: "none" }];
    }
    chart.setOption(option);
    chart.on("click", function (x) { if (x.data && x.data.p) window.location.href = x.data.p.url; });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (typeof echarts === "undefined") return;
  var charts = data("chart-data");
  if (charts) { sparklines(charts.sparks); trendChart(charts.trend); }
  var map = data("map-data");
  if (map) schoolMap(map);
})();
