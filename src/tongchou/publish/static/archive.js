/* The archive's index page: a timeline of the epidemic and of the zones, each day linked to
   its bulletin. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("archive-data").textContent);
  const palette = window.tongchouPalette;
  const C = palette.series;
  const days = data.days;
  const dates = days.map((d) => d.date);
  const words = {
    zh: { new: "新增确诊", active: "现有确诊", rt: "Rt", undecided: "数据不足" },
    en: { new: "New confirmed", active: "Active", rt: "Rt", undecided: "Too few data" },
  };
  const charts = [];
  const make = (id) => {
    const element = document.getElementById(id);
    if (!element) return null;
    const chart = echarts.init(element);
    chart.on("click", (params) => { location.href = `${dates[params.dataIndex]}/index.html`; });
    charts.push(chart);
    return chart;
  };
  const cases = make("timeline-cases");
  const zones = make("timeline-zones");
  const rt = make("timeline-rt");
  function label(iso, lang) {
    const [, m, d] = iso.split("-").map(Number);
    return lang === "zh" ? `${m}月${d}日` : `${d}/${m}`;
  }
  function draw(lang) {
    const w = words[lang];
    const axis = { type: "category", data: dates, axisLabel: { formatter: (v) => label(v, lang), hideOverlap: true } };
    const base = { animation: false, aria: { enabled: true }, grid: { left: 56, right: 16, top: 36, bottom: 28 },
                   legend: { top: 0, left: 0 }, tooltip: { trigger: "axis", confine: true }, xAxis: axis };
    cases.setOption(Object.assign({}, base, {
      yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: w.new, type: "bar", data: days.map((d) => d.new), itemStyle: { color: C.bar } },
        { name: w.active, type: "line", yAxisIndex: 1, data: days.map((d) => d.active), showSymbol: false, lineStyle: { color: C.vermillion, width: 2.2 }, itemStyle: { color: C.vermillion } },
      ],
    }), true);
    if (zones) {
      const colours = palette.risk(data.levels.length);
      const series = data.levels.map((lv, k) => ({
        name: lv[lang], type: "line", stack: "zones", areaStyle: { color: colours[k], opacity: 0.9 }, lineStyle: { width: 0 },
        showSymbol: false, itemStyle: { color: colours[k] }, data: days.map((d) => (d.zones ? d.zones[lv.id] : null)),
      })).reverse();
      series.push({ name: w.undecided, type: "line", stack: "zones", areaStyle: { color: palette.undecided, opacity: 0.9 }, lineStyle: { width: 0 },
        showSymbol: false, itemStyle: { color: palette.undecided }, data: days.map((d) => (d.zones ? d.zones.undecided : null)) });
      zones.setOption(Object.assign({}, base, { yAxis: { type: "value" }, series }), true);
    }
    if (rt) {
      rt.setOption(Object.assign({}, base, { yAxis: { type: "value", min: 0 },
        series: [{ name: w.rt, type: "line", data: days.map((d) => d.rt), showSymbol: false, lineStyle: { color: C.blue, width: 2.2 },
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }], lineStyle: { type: "dashed" } } }] }), true);
    }
  }
  const language = window.tongchouLanguage(data.lang, data.titles, draw);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  language.set(language.get());
  document.documentElement.dataset.ready = "true";
})();
