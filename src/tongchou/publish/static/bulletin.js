/* The bulletin page of tongchou: charts and the table of every region, drawn with Apache
   ECharts from the JSON the page carries; the risk map is risk-map.js. */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("bulletin-data").textContent);
  const root = document.documentElement;
  const table = data.table;
  const rowOf = new Map(table.code.map((code, i) => [code, i]));
  const parentOf = new Map(table.code.map((code, i) => [code, table.parent[i]]));

  const palette = window.tongchouPalette;
  const C = palette.series;

  const UI = {
    zh: {
      new_confirmed: "新增确诊", mean7: "7日均值", confirmed: "累计确诊", active: "现有确诊",
      cured: "累计治愈", dead: "累计死亡", rt: "Rt", band: "95%可信区间", median: "中位数",
      range50: "50%区间", range90: "90%区间", observed: "实际", today: "当日", name: "地区",
      level: "风险等级", noData: "无数据", undecided: "数据不足", incidence: "14天每10万",
      flagged: "需审慎解读", search: "查找地区", noRows: "没有符合条件的地区", nation: "全国",
    },
    en: {
      new_confirmed: "New confirmed", mean7: "7-day mean", confirmed: "Cumulative", active: "Active",
      cured: "Cured", dead: "Deaths", rt: "Rt", band: "95% credible interval", median: "Median",
      range50: "50% range", range90: "90% range", observed: "Observed", today: "on the day", name: "Region",
      level: "Risk level", noData: "No data", undecided: "Too few data", incidence: "14-day /100k",
      flagged: "read with care", search: "Find a region", noRows: "No region matches", nation: "Nation",
    },
  };

  let lang = data.lang === "en" ? "en" : "zh";
  const renders = [];
  const charts = [];
  // Charts below the fold are drawn when they come near the window (and before printing),
  // so that the page answers at once; each is drawn again when the language changes.
  const pending = new Map();
  const watcher = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    entries.forEach((entry) => {
      if (!entry.isIntersecting) return;
      const draw = pending.get(entry.target);
      pending.delete(entry.target);
      watcher.unobserve(entry.target);
      if (draw) draw();
    });
  }, { rootMargin: "300px 0px" }) : null;
  function whenSeen(element, draw) {
    let seen = !watcher;
    const guarded = () => { seen = true; draw(); };
    renders.push(() => {
      if (seen) draw();
      else if (!pending.has(element)) { pending.set(element, guarded); watcher.observe(element); }
    });
  }
  window.addEventListener("beforeprint", () => {
    pending.forEach((draw) => draw());
    pending.clear();
  });
  const t = (key) => UI[lang][key];
  const name = (code) => {
    const i = rowOf.get(code);
    if (i !== undefined) return lang === "zh" ? table.name_zh[i] : table.name_en[i];
    const n = data.names[code];
    return n ? n[lang] : code;
  };

  // --- numbers ---------------------------------------------------------------------------
  const formats = {};
  function numberFormat(digits) {
    const key = lang + digits;
    if (!formats[key]) {
      formats[key] = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-GB", {
        minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: true,
      });
    }
    return formats[key];
  }
  function fmt(value, kind) {
    if (value === null || value === undefined || Number.isNaN(value)) return "";
    switch (kind) {
      case "proportion": return numberFormat(1).format(100 * value) + "%";
      case "ratio": return numberFormat(2).format(value);
      case "per_100k": return numberFormat(value < 10 ? 2 : 1).format(value);
      case "mean": return numberFormat(1).format(value);
      case "days": return numberFormat(0).format(value);
      default: return numberFormat(0).format(value);
    }
  }
  const kindOf = Object.fromEntries(data.numbers.map((n) => [n.key, n.kind]));
  const labelOf = (key) => {
    const n = data.numbers.find((x) => x.key === key);
    return n ? n.label[lang] : key;
  };
  const escape = (text) => String(text).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);

  // --- charts ----------------------------------------------------------------------------
  function makeChart(element) {
    const chart = echarts.init(element, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }
  const axisDates = data.charts.dates;
  const focus = data.charts.focus || 0;
  const zoom = [{ type: "inside", startValue: focus, endValue: axisDates.length - 1 },
                { type: "slider", startValue: focus, endValue: axisDates.length - 1, height: 14, bottom: 4,
                  showDetail: false, brushSelect: false, borderColor: "#dde3ea", fillerColor: "rgba(29,79,134,0.12)" }];
  const zoomGrid = Object.assign({}, { left: 52, right: 16, top: 36, bottom: 44 });
  const baseGrid = { left: 52, right: 16, top: 36, bottom: 28, containLabel: false };
  const dateAxis = (dates) => ({
    type: "category", data: dates, boundaryGap: true,
    axisLabel: { formatter: (v) => shortDate(v), hideOverlap: true, color: "#5b6675" },
    axisTick: { alignWithLabel: true }, axisLine: { lineStyle: { color: "#b8c2cc" } },
  });
  const valueAxis = (extra) => Object.assign({
    type: "value", splitLine: { lineStyle: { color: "#edf0f4" } },
    axisLabel: { color: "#5b6675", formatter: (v) => compact(v) },
  }, extra || {});
  function shortDate(iso) {
    const [, m, d] = iso.split("-").map(Number);
    return lang === "zh" ? `${m}月${d}日` : `${d} ${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]}`;
  }
  function longDate(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return lang === "zh" ? `${y}年${m}月${d}日` : `${shortDate(iso)} ${y}`;
  }
  function compact(v) {
    const digits = (x) => (Number.isInteger(x) ? 0 : Number.isInteger(x * 10) ? 1 : 2);
    if (lang === "zh" && Math.abs(v) >= 1e4) return numberFormat(digits(v / 1e4)).format(v / 1e4) + "万";
    if (lang === "en" && Math.abs(v) >= 1e3) return numberFormat(digits(v / 1e3)).format(v / 1e3) + "k";
    return numberFormat(digits(v)).format(v);
  }
  const RT_CEILING = 4;
  function niceCeil(x) {
    const power = 10 ** Math.floor(Math.log10(x));
    return [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * power).find((v) => v >= x);
  }
  const tooltip = (extra) => Object.assign({
    trigger: "axis", confine: true, valueFormatter: (v) => (v === null || v === undefined ? "—" : numberFormat(v % 1 ? 2 : 0).format(v)),
  }, extra || {});
  const legend = { top: 0, left: 0, itemWidth: 16, itemHeight: 10, textStyle: { color: "#1b2430" } };

  let trendIndex = 0;
  function seriesOf(key, index) { return data.charts.series[key][index]; }

  function drawTrends() {
    const i = trendIndex;
    chartNew.setOption({
      aria: { enabled: true }, animation: false, grid: zoomGrid, legend, tooltip: tooltip(), dataZoom: zoom,
      xAxis: dateAxis(axisDates), yAxis: valueAxis(),
      series: [
        { name: t("new_confirmed"), type: "bar", data: seriesOf("new_confirmed", i), itemStyle: { color: C.bar }, barCategoryGap: "15%" },
        { name: t("mean7"), type: "line", data: seriesOf("new_confirmed_7d_mean", i), showSymbol: false, lineStyle: { width: 2.5, color: C.navy }, itemStyle: { color: C.navy } },
      ],
    }, true);
    chartCumulative.setOption({
      aria: { enabled: true }, animation: false, grid: zoomGrid, legend, tooltip: tooltip(), dataZoom: zoom,
      xAxis: dateAxis(axisDates), yAxis: valueAxis(),
      series: [
        line(t("confirmed"), seriesOf("confirmed", i), C.blue, "solid"),
        line(t("active"), seriesOf("active", i), C.vermillion, "solid"),
        line(t("cured"), seriesOf("cured", i), C.green, "dashed"),
        line(t("dead"), seriesOf("dead", i), C.ink, "dotted"),
      ],
    }, true);
    const rt = seriesOf("rt", i);
    const lower = seriesOf("rt_lower", i);
    const upper = seriesOf("rt_upper", i);
    const flagged = seriesOf("rt_window_has_jump", i).map((jump, k) => jump || seriesOf("rt_few_cases", i)[k]);
    // Rt far above the threshold (early weeks, when testing spread fast) would flatten the
    // part that matters: the scale stops at RT_CEILING and the note says so.
    const shown = rt.slice(focus).filter((v) => v !== null);
    const highest = Math.max(2, ...shown);
    const top = Math.min(RT_CEILING, highest);
    const clipped = document.getElementById("rt-clipped");
    if (clipped) clipped.hidden = highest <= RT_CEILING;
    chartRt.setOption({
      aria: { enabled: true }, animation: false, grid: zoomGrid, dataZoom: zoom, legend: Object.assign({}, legend, { data: [t("rt"), t("band")] }),
      tooltip: tooltip({ formatter: (params) => rtTooltip(params, rt, lower, upper, flagged) }),
      xAxis: dateAxis(axisDates), yAxis: valueAxis({ max: highest > RT_CEILING ? RT_CEILING : niceCeil(top * 1.1), min: 0 }),
      series: [
        { name: "lower", type: "line", data: lower, stack: "band", lineStyle: { opacity: 0 }, showSymbol: false, silent: true, tooltip: { show: false } },
        { name: t("band"), type: "line", data: upper.map((u, k) => (u === null || lower[k] === null ? null : u - lower[k])), stack: "band",
          lineStyle: { opacity: 0 }, areaStyle: { color: C.sky, opacity: 0.35 }, showSymbol: false, itemStyle: { color: C.sky } },
        { name: t("rt"), type: "line", data: rt.map((v, k) => ({ value: v, symbol: flagged[k] ? "emptyCircle" : "none", symbolSize: 5 })),
          lineStyle: { color: C.blue, width: 2.5 }, itemStyle: { color: C.blue }, showSymbol: true,
          markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }], lineStyle: { type: "dashed", color: "#5b6675" }, label: { formatter: "Rt = 1", position: "insideEndTop", color: "#5b6675" } } },
      ],
    }, true);
  }
  function line(name, values, color, type) {
    return { name, type: "line", data: values, showSymbol: false, lineStyle: { color, width: 2.2, type }, itemStyle: { color } };
  }
  function rtTooltip(params, rt, lower, upper, flagged) {
    const k = params[0].dataIndex;
    if (rt[k] === null) return `${longDate(axisDates[k])}<br>—`;
    const note = flagged[k] ? `<br><span style="color:#b3262d">${t("flagged")}</span>` : "";
    return `${longDate(axisDates[k])}<br>Rt ${fmt(rt[k], "ratio")} (${fmt(lower[k], "ratio")}–${fmt(upper[k], "ratio")})${note}`;
  }

  let chartNew, chartCumulative, chartRt;
  function setupTrends() {
    const section = document.getElementById("trends");
    chartNew = makeChart(document.getElementById("chart-new"));
    chartCumulative = makeChart(document.getElementById("chart-cumulative"));
    chartRt = makeChart(document.getElementById("chart-rt"));
    [chartNew, chartCumulative, chartRt].forEach((chart) => { chart.group = "trends"; });
    echarts.connect("trends");
    const group = document.getElementById("trend-regions");
    if (group) {
      group.querySelectorAll("button").forEach((button, k) => {
        button.addEventListener("click", () => { trendIndex = k; press(group, button); drawTrends(); });
      });
      press(group, group.querySelector("button"));
    }
    whenSeen(section, drawTrends);
  }

  function setupSmallMultiples() {
    const small = data.charts.small;
    document.querySelectorAll("[data-small]").forEach((element) => {
      const k = Number(element.dataset.small);
      const chart = makeChart(element);
      const code = data.charts.top[k];
      const draw = () => {
        const values = small.new_confirmed[k];
        chart.setOption({
          animation: false, grid: { left: 4, right: 4, top: 8, bottom: 4, containLabel: true },
          dataZoom: [{ type: "inside", startValue: focus, endValue: axisDates.length - 1, zoomLock: true, zoomOnMouseWheel: false, moveOnMouseMove: false }],
          tooltip: tooltip(), xAxis: Object.assign(dateAxis(axisDates), { axisLabel: { show: false }, axisTick: { show: false } }),
          yAxis: valueAxis({ splitNumber: 2, axisLabel: { color: "#5b6675", fontSize: 10, formatter: (v) => compact(v) } }),
          series: [
            { name: t("new_confirmed"), type: "bar", data: values, itemStyle: { color: C.bar }, barCategoryGap: "10%" },
            { name: t("mean7"), type: "line", data: small.new_confirmed_7d_mean[k], showSymbol: false, lineStyle: { color: C.navy, width: 1.8 }, itemStyle: { color: C.navy } },
          ],
        }, true);
        const figure = document.querySelector(`.multiple-figure[data-code="${code}"]`);
        const today = values[values.length - 1];
        if (figure) figure.textContent = today === null ? "—" : `${t("today")} +${fmt(today, "count")}`;
      };
      whenSeen(element, draw);
    });
  }

  function setupForecast() {
    const element = document.getElementById("chart-forecast");
    if (!element || !data.forecast) return;
    const chart = makeChart(element);
    const bedsElement = document.getElementById("chart-beds");
    const beds = bedsElement ? makeChart(bedsElement) : null;
    const code = data.charts.main[0];
    const entry = data.forecast.regions[code];
    const past = 28;
    const observed = data.charts.series.new_confirmed[0].slice(-past);
    const mean = data.charts.series.new_confirmed_7d_mean[0].slice(-past);
    const dates = axisDates.slice(-past).concat(data.forecast.dates);
    const ahead = new Array(data.forecast.dates.length).fill(null);
    const pad = (values) => new Array(observed.length).fill(null).concat(values);
    const diff = (a, b) => a.map((v, k) => (v === null || b[k] === null ? null : v - b[k]));
    const band = (name, values, colour, opacity) => ({
      name, type: "line", data: pad(values), stack: "fan", showSymbol: false, lineStyle: { opacity: 0 },
      areaStyle: { color: colour, opacity }, itemStyle: { color: colour }, tooltip: { show: false },
    });
    // A single day of late reports (a reporting jump) would flatten the fan: the scale follows
    // the 7-day mean and the forecast, and a taller bar is cut and labelled with its value.
    const ceiling = 1.25 * Math.max(...mean.filter((v) => v !== null), ...entry.q95.filter((v) => v !== null), 1);
    const bars = observed.map((v) => (v !== null && v > ceiling
      ? { value: ceiling, real: v, label: { show: true, position: "insideTop", color: "#1b2430", fontSize: 10, formatter: () => compact(v) } }
      : v));
    const draw = () => {
      chart.setOption({
        aria: { enabled: true }, animation: false, grid: baseGrid, legend: Object.assign({}, legend, { data: [t("observed"), t("mean7"), t("median"), t("range50"), t("range90")] }),
        tooltip: tooltip({ formatter: (params) => fanTooltip(params, dates, observed, entry) }),
        xAxis: dateAxis(dates), yAxis: valueAxis({ max: niceCeil(ceiling) }),
        series: [
          { name: t("observed"), type: "bar", data: bars.concat(ahead), itemStyle: { color: C.bar } },
          { name: "base", type: "line", data: pad(entry.q5), stack: "fan", showSymbol: false, lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
          band(t("range90"), diff(entry.q25, entry.q5), C.orange, 0.25),
          band(t("range50"), diff(entry.q75, entry.q25), C.orange, 0.55),
          band(`${t("range90")} `, diff(entry.q95, entry.q75), C.orange, 0.25),
          { name: t("median"), type: "line", data: pad(entry.q50), showSymbol: false, lineStyle: { color: C.vermillion, width: 2.5, type: "dashed" }, itemStyle: { color: C.vermillion } },
          { name: t("mean7"), type: "line", data: mean.concat(ahead), showSymbol: false, lineStyle: { color: C.navy, width: 2 }, itemStyle: { color: C.navy } },
        ],
      }, true);
      if (!beds) return;
      beds.setOption({
        aria: { enabled: true }, animation: false, grid: baseGrid, legend: Object.assign({}, legend, { data: [t("median"), t("range90")] }),
        tooltip: tooltip(), xAxis: dateAxis(data.forecast.dates), yAxis: valueAxis(),
        series: [
          { name: "base", type: "line", data: entry.beds_q5, stack: "beds", showSymbol: false, lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
          { name: t("range90"), type: "line", data: diff(entry.beds_q95, entry.beds_q5), stack: "beds", showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { color: C.sky, opacity: 0.4 }, itemStyle: { color: C.sky }, tooltip: { show: false } },
          { name: t("median"), type: "line", data: entry.beds_q50, showSymbol: false, lineStyle: { color: C.blue, width: 2.5 }, itemStyle: { color: C.blue } },
        ],
      }, true);
    };
    whenSeen(element, draw);
  }
  function fanTooltip(params, dates, observed, entry) {
    const k = params[0].dataIndex;
    if (k < observed.length) return `${longDate(dates[k])}<br>${t("observed")}: ${fmt(observed[k], "count")}`;
    const j = k - observed.length;
    return `${longDate(dates[k])}<br>${t("median")}: ${fmt(entry.q50[j], "count")}<br>${t("range50")}: ${fmt(entry.q25[j], "count")}–${fmt(entry.q75[j], "count")}<br>${t("range90")}: ${fmt(entry.q5[j], "count")}–${fmt(entry.q95[j], "count")}`;
  }

  function riskColours() { return palette.risk(data.zones.levels.length); }
  function riskLabel(index) { return index === null || index === undefined ? null : data.zones.levels[index][lang]; }
  const map = window.tongchouRiskMap({
    data, table, rowOf, parentOf, t, fmt, escape, name, press, numberFormat, riskColours,
    riskLabel, makeChart, renders, lang: () => lang, onReady: () => ready(),
  });

  // --- the table -------------------------------------------------------------------------
  const COLUMNS = [
    { key: "name", kind: "text" },
    ...(data.zones ? [{ key: "risk", kind: "risk" }] : []),
    { key: "new_confirmed" }, { key: "new_confirmed_7d_mean" }, { key: "confirmed" }, { key: "active" },
    { key: "cured" }, { key: "dead" }, { key: "incidence_14d_per_100k" }, { key: "rt" },
    { key: "cure_rate" }, { key: "naive_fatality_rate" },
  ];
  const tableState = { depth: null, sort: data.zones ? "risk" : "new_confirmed", descending: true, search: "" };
  function columnLabel(column) {
    if (column.key === "name") return t("name");
    if (column.key === "risk") return t("level");
    return labelOf(column.key);
  }
  function cell(column, i) {
    const key = column.key;
    if (key === "name") {
      const parent = table.parent[i];
      const context = parent && parent !== data.scope.code && rowOf.has(parent) ? `<span class="sub"> ${escape(name(parent))}</span>` : "";
      const placeholder = table.kind[i] === "placeholder" ? ` <span class="sub">*</span>` : "";
      return `<td>${escape(name(table.code[i]))}${placeholder}${context}</td>`;
    }
    if (key === "risk") {
      const level = table.risk[i];
      if (level === null) return `<td class="level"><span class="sub">${table.confirmed[i] === null ? "" : t("undecided")}</span></td>`;
      const colour = riskColours()[level];
      const dark = level === 0 || level === data.zones.levels.length - 1;
      return `<td class="level"><span class="pill" style="background:${colour};color:${dark ? "#fff" : "#1b2430"}">${escape(riskLabel(level))}</span></td>`;
    }
    const value = table[key][i];
    if (key === "rt" && value !== null) {
      const flag = table.rt_window_has_jump[i] || table.rt_few_cases[i] ? ` <span class="flag" title="${t("flagged")}">*</span>` : "";
      return `<td>${fmt(value, "ratio")}<span class="sub"> ${fmt(table.rt_lower[i], "ratio")}–${fmt(table.rt_upper[i], "ratio")}</span>${flag}</td>`;
    }
    return `<td>${fmt(value, kindOf[key])}</td>`;
  }
  function sortValue(i) {
    const key = tableState.sort;
    if (key === "name") return name(table.code[i]);
    return table[key][i];
  }
  function drawTable() {
    const element = document.getElementById("regions-table");
    const head = COLUMNS.map((column) => {
      const sorted = tableState.sort === column.key ? (tableState.descending ? "descending" : "ascending") : "none";
      return `<th scope="col" aria-sort="${sorted}"><button type="button" data-sort="${column.key}">${escape(columnLabel(column))}</button></th>`;
    }).join("");
    element.tHead.innerHTML = `<tr>${head}</tr>`;
    const search = tableState.search.trim().toLowerCase();
    let rows = [];
    for (let i = 0; i < table.code.length; i += 1) {
      if (search) {
        const text = `${table.name_zh[i]} ${table.name_en[i]} ${table.code[i]}`.toLowerCase();
        if (!text.includes(search)) continue;
      } else if (table.depth[i] !== tableState.depth) {
        continue;
      }
      if (table.code[i] === data.scope.code) continue;
      rows.push(i);
    }
    const direction = tableState.descending ? -1 : 1;
    const collator = new Intl.Collator(lang === "zh" ? "zh-CN" : "en");
    rows.sort((a, b) => {
      const x = sortValue(a);
      const y = sortValue(b);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      const order = typeof x === "string" ? collator.compare(x, y) : x - y;
      return order === 0 ? (table.confirmed[b] || 0) - (table.confirmed[a] || 0) : direction * order;
    });
    const body = rows.map((i) => `<tr data-code="${table.code[i]}">${COLUMNS.map((column) => cell(column, i)).join("")}</tr>`).join("");
    element.tBodies[0].innerHTML = body || `<tr><td colspan="${COLUMNS.length}">${t("noRows")}</td></tr>`;
    element.tHead.querySelectorAll("button").forEach((button) => button.addEventListener("click", () => {
      const key = button.dataset.sort;
      tableState.descending = tableState.sort === key ? !tableState.descending : key !== "name";
      tableState.sort = key;
      drawTable();
    }));
  }
  function setupTable() {
    const group = document.getElementById("table-levels");
    const buttons = group ? Array.from(group.querySelectorAll("button")) : [];
    tableState.depth = buttons.length ? Number(buttons[0].dataset.depth) : data.scope.depth + 1;
    buttons.forEach((button) => button.addEventListener("click", () => {
      tableState.depth = Number(button.dataset.depth);
      press(group, button);
      drawTable();
    }));
    if (buttons.length) press(group, buttons[0]);
    const input = document.getElementById("table-search");
    input.addEventListener("input", () => { tableState.search = input.value; drawTable(); });
    renders.push(() => {
      input.placeholder = t("search");
      drawTable();
    });
  }

  // --- language, controls, start ---------------------------------------------------------
  function press(group, active) {
    if (!group) return;
    group.querySelectorAll("button").forEach((button) => button.setAttribute("aria-pressed", String(button === active)));
  }
  function paintSwatches() {
    if (!data.zones) return;
    const colours = riskColours();
    colours.forEach((colour, k) => root.style.setProperty(`--level-${k}`, colour));
    document.querySelectorAll(".swatch[data-level-index], .measure[data-level-index]").forEach((element) => {
      const colour = colours[Number(element.dataset.levelIndex)];
      if (element.classList.contains("swatch")) element.style.background = colour;
      else element.style.borderTopColor = colour;
    });
  }
  let started = false;
  function ready() {
    if (!started || !map.ready() || root.dataset.ready) return;
    root.dataset.ready = "true";
    if (performance.mark) performance.mark("tongchou-ready");
  }

  const language = window.tongchouLanguage(lang, data.titles, (next) => {
    lang = next;
    renders.forEach((render) => render());
  });
  window.addEventListener("resize", () => {
    charts.forEach((chart) => chart.resize());
    map.resize();
  });
  paintSwatches();
  map.setup();
  setupTrends();
  setupForecast();
  setupSmallMultiples();
  setupTable();
  language.set(language.get());
  started = true;
  ready();
})();
