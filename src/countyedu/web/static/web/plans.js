/* Planning and funding pages: the blocks' charts and the catchment map, with the vendored ECharts.
   Data come from json_script blocks; no network access is needed. */
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  // colours come with the data, from census.vocabulary: a stage has one colour in every chart

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Charts in a hidden tab (tabs.js) wait until their tab shows: ECharts needs the element's size.
  var waiting = [];

  function visible(el) { return el.offsetWidth > 0 && el.offsetHeight > 0; }

  function blockCharts(charts) {
    var later = [];
    (charts || []).forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) return;
      if (!visible(el)) { later.push(c); return; }
      if (c.kind === "map") { blockMap(el, c.points, c.palette); return; }
      var share = c.unit === "share";
      var chart = echarts.init(el);
      chart.setOption({
        animation: false,
        textStyle: { fontFamily: FONT },
        title: { text: c.title, left: 0, textStyle: { fontSize: 13 } },
        tooltip: { trigger: "axis", renderMode: "richText" },  // drawn in the canvas: no inline styles (CSP)
        legend: { top: 22 },
        grid: { left: 10, right: 20, top: 60, bottom: 30, containLabel: true },
        xAxis: { type: "category", data: c.x },
        yAxis: { type: "value", axisLabel: share ? { formatter: function (v) { return Math.round(v * 100) + "%"; } } : {} },
        series: Object.keys(c.series).map(function (name, i) {
          return { name: name, type: c.kind === "bar" ? "bar" : "line", data: c.series[name], connectNulls: false,
                   itemStyle: { color: c.colours[i] }, lineStyle: { color: c.colours[i] }, stack: c.stack ? "all" : undefined };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
    waiting = later;
  }

  function blockMap(el, points, palette) {
    if (!points || !points.length) return;
    var schools = points.filter(function (p) { return p.kind === "school"; });
    var colour = {};
    schools.forEach(function (s, i) { colour[s.id] = palette[i % palette.length]; });
    var at = {};
    schools.forEach(function (s) { at[s.id] = [s.lon, s.lat]; });
    var communities = points.filter(function (p) { return p.kind === "community"; });
    var lines = communities.filter(function (p) { return at[p.site_id]; }).map(function (p) {
      return { coords: [[p.lon, p.lat], at[p.site_id]], lineStyle: { color: colour[p.site_id] } };
    });
    var lons = points.map(function (p) { return p.lon; }), lats = points.map(function (p) { return p.lat; });
    var pad = 0.02;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "item", renderMode: "richText",  // drawn in the canvas: no inline styles (CSP)
        formatter: function (x) {
          var p = x.data && x.data.p;
          if (!p) return "";
          if (p.kind === "school") return p.name + "\n" + (p.detail || "");
          return p.name + " → " + p.site_name + "\n" + (p.detail || "");
        }
      },
      grid: { left: 60, right: 30, top: 20, bottom: 40 },
      xAxis: { type: "value", min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad,
               axisLabel: { formatter: function (v) { return v.toFixed(2) + "°"; } }, splitLine: { lineStyle: { color: "#eee" } } },
      yAxis: { type: "value", min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad,
               axisLabel: { formatter: function (v) { return v.toFixed(2) + "°"; } }, splitLine: { lineStyle: { color: "#eee" } } },
      dataZoom: [{ type: "inside", xAxisIndex: 0, filterMode: "none" }, { type: "inside", yAxisIndex: 0, filterMode: "none" }],
      series: [
        { type: "lines", coordinateSystem: "cartesian2d", polyline: false, silent: true, z: 1,
          lineStyle: { width: 1, opacity: 0.6 }, data: lines },
        { type: "scatter", z: 2, symbolSize: 7, data: communities.map(function (p) {
            return { value: [p.lon, p.lat], p: p, itemStyle: { color: colour[p.site_id] || "#999" } }; }) },
        { type: "scatter", z: 3, symbol: "diamond", symbolSize: 16, data: schools.map(function (p) {
            return { value: [p.lon, p.lat], p: p, itemStyle: { color: colour[p.id], borderColor: "#000", borderWidth: 1 } }; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (typeof echarts === "undefined") return;
  document.addEventListener("countyedu:panel-shown", function () { blockCharts(waiting); });
  blockCharts(data("block-charts"));
})();
