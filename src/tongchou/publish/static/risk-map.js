/* The bulletin's drillable risk map: outlines loaded level by level from script files
   (assets/maps/<level>.js, which call tongchouMap()), coloured by risk level, cumulative
   cases or incidence, with province outlines over finer units and the South China Sea
   islands in an inset. bulletin.js hands it the page's data and helpers. */
window.tongchouRiskMap = function (page) {
  "use strict";
  const { data, table, rowOf, parentOf, t, fmt, escape, name, press, numberFormat, riskColours,
          riskLabel } = page;
  const palette = window.tongchouPalette;
  const SEQUENTIAL = palette.sequential;
  const NO_DATA = palette.noData;
  const UNDECIDED = palette.undecided;
  let lang = page.lang();

  const outlines = {};
  const waiting = {};
  window.tongchouMap = function (level, scale, features) {
    outlines[level] = features.map((f) => ({ code: f[0], adcode: f[1], label: f[2], parent: f[3], polygons: f[4], scale }));
    (waiting[level] || []).forEach((callback) => callback());
    delete waiting[level];
  };
  function loadOutlines(level, callback) {
    if (outlines[level]) { callback(); return; }
    if (waiting[level]) { waiting[level].push(callback); return; }
    waiting[level] = [callback];
    const script = document.createElement("script");
    script.src = data.map.files[level].file;
    document.head.appendChild(script);
  }
  function decodeRing(ring, scale) {
    const points = [];
    let x = 0;
    let y = 0;
    for (let k = 0; k < ring.length; k += 2) {
      x += ring[k];
      y += ring[k + 1];
      points.push([x / scale, y / scale]);
    }
    points.push(points[0]);
    return points;
  }
  function inside(code, ancestor) {
    let current = code;
    for (let guard = 0; current && guard < 12; guard += 1) {
      if (current === ancestor) return true;
      current = parentOf.get(current);
    }
    return false;
  }
  // In a national map, islands far to the south (the South China Sea islands) are drawn in an
  // inset, as national maps draw them, so that the mainland keeps its size.
  const INSET_LATITUDE = 15.5;
  const registered = new Map();
  function mapNames(level, area) {
    const key = `${level}:${area}`;
    if (!registered.has(key)) {
      const national = area === data.scope.code && data.scope.depth === 0;
      const main = [];
      const inset = [];
      outlines[level].filter((f) => inside(f.parent, area)).forEach((f) => {
        const polygons = f.polygons.map((p) => p.map((r) => decodeRing(r, f.scale)));
        const south = (p) => p[0].every((point) => point[1] < INSET_LATITUDE);
        const properties = { name: f.code || `~${f.adcode}`, code: f.code, label: f.label };
        const near = national ? polygons.filter((p) => !south(p)) : polygons;
        const far = national ? polygons.filter(south) : [];
        if (near.length) main.push({ type: "Feature", properties, geometry: { type: "MultiPolygon", coordinates: near } });
        if (far.length) inset.push({ type: "Feature", properties, geometry: { type: "MultiPolygon", coordinates: far } });
      });
      echarts.registerMap(key, { type: "FeatureCollection", features: main });
      if (inset.length) echarts.registerMap(`${key}:inset`, { type: "FeatureCollection", features: inset });
      registered.set(key, { main: key, inset: inset.length ? `${key}:inset` : null, count: main.length + inset.filter((f) => !main.some((m) => m.properties.name === f.properties.name)).length });
    }
    return registered.get(key);
  }

  const mapState = { level: null, area: data.scope.code, layer: null };
  let mapChart = null;
  let mapReady = false;

  function levelIndex(level) { return data.map.levels.findIndex((l) => l.id === level); }

  function layerValue(code) {
    const i = rowOf.get(code);
    if (i === undefined) return null;
    if (mapState.layer === "risk") {
      if (table.risk[i] !== null) return table.risk[i];
      return table.confirmed[i] === null ? null : -1;
    }
    return table[mapState.layer][i];
  }
  function visualMap() {
    if (mapState.layer === "risk") {
      const colours = riskColours();
      const pieces = data.zones.levels.map((lv, k) => ({ value: k, label: lv[lang], color: colours[k] })).reverse();
      pieces.push({ value: -1, label: t("undecided"), color: UNDECIDED });
      return legendOf(pieces);
    }
    const bins = mapState.layer === "confirmed" ? [0, 1, 10, 100, 500, 1000, 10000] : [0, 0.01, 1, 5, 10, 50, 100];
    const pieces = [{ value: 0, label: "0", color: "#fbfbf6" }];
    for (let k = 1; k < bins.length; k += 1) {
      const lo = bins[k];
      const hi = bins[k + 1];
      const f = (v) => (mapState.layer === "confirmed" ? numberFormat(0).format(v) : numberFormat(v < 1 ? 2 : 0).format(v));
      // counts in whole-number bins (1–9, 10–99 ...), rates in half-open ones
      const upper = mapState.layer === "confirmed" ? f(hi - 1) : f(hi);
      const piece = hi === undefined ? { min: lo, label: `≥ ${f(lo)}` } : { min: lo, lt: hi, label: `${f(lo)} – ${upper}` };
      if (k === 1 && mapState.layer !== "confirmed") { piece.gt = 0; delete piece.min; piece.label = `< ${f(hi)}`; }
      piece.color = SEQUENTIAL[Math.min(k - 1, SEQUENTIAL.length - 1)];
      pieces.push(piece);
    }
    return legendOf(pieces.reverse());
  }
  function legendOf(pieces) {
    const capital = (text) => (lang === "en" ? text.charAt(0).toUpperCase() + text.slice(1) : text);
    return { type: "piecewise", pieces: pieces.map((p) => Object.assign(p, { label: capital(p.label) })),
             left: "center", bottom: 6, orient: "horizontal", itemWidth: 16, itemHeight: 11, itemGap: 12,
             textStyle: { color: "#1b2430" } };
  }
  function mapTooltip(params) {
    const code = params.data ? params.data.code : null;
    const title = code ? escape(name(code)) : escape(params.name.startsWith("~") ? (params.data && params.data.label) || "" : params.name);
    const i = code ? rowOf.get(code) : undefined;
    if (i === undefined) return `${title}<br><span style="color:#5b6675">${t("noData")}</span>`;
    const lines = [`<b>${title}</b>`];
    if (data.zones) {
      const level = table.risk[i];
      lines.push(`${t("level")}: ${level === null ? (table.confirmed[i] === null ? t("noData") : t("undecided")) : escape(riskLabel(level))}`);
      const reason = lang === "zh" ? table.risk_reason_zh[i] : table.risk_reason_en[i];
      if (reason) lines.push(`<span style="display:inline-block;max-width:320px;white-space:normal;color:#5b6675">${escape(reason)}</span>`);
    }
    if (table.confirmed[i] === null) {
      lines.push(t("noData"));
    } else {
      lines.push(`${t("new_confirmed")}: ${fmt(table.new_confirmed[i], "count")}`);
      lines.push(`${t("incidence")}: ${fmt(table.incidence_14d_per_100k[i], "per_100k")}`);
      lines.push(`${t("confirmed")}: ${fmt(table.confirmed[i], "count")} · ${t("active")}: ${fmt(table.active[i], "count")}`);
      if (table.rt[i] !== null) lines.push(`Rt: ${fmt(table.rt[i], "ratio")} (${fmt(table.rt_lower[i], "ratio")}–${fmt(table.rt_upper[i], "ratio")})`);
    }
    return lines.join("<br>");
  }
  function drillable(code) {
    const next = data.map.levels[levelIndex(mapState.level) + 1];
    return next && table.code.some((c, i) => table.parent[i] === code && table.depth[i] === next.depth);
  }
  // the outlines of the units right below the area are drawn over finer ones, for bearings
  function overlay(level) {
    const areaDepth = table.depth[rowOf.get(mapState.area)];
    const frame = data.map.levels.find((l) => l.depth === areaDepth + 1);
    return frame && frame.id !== level ? frame.id : null;
  }
  function drawMap() {
    lang = page.lang();
    const level = mapState.level;
    const over = overlay(level);
    loadOutlines(level, () => (over ? loadOutlines(over, () => paintMap(level, over)) : paintMap(level, null)));
  }
  function paintMap(level, over) {
    const names = mapNames(level, mapState.area);
    const features = echarts.getMap(names.main).geoJSON.features.concat(
      names.inset ? echarts.getMap(names.inset).geoJSON.features : []);
    const seen = new Set();
    const values = [];
    features.forEach((f) => {
      if (seen.has(f.properties.name)) return;
      seen.add(f.properties.name);
      values.push({ name: f.properties.name, code: f.properties.code, label: f.properties.label, value: f.properties.code ? layerValue(f.properties.code) : null });
    });
    const box = names.inset ? { left: 8, right: "14%", top: 12, bottom: 44 } : { left: 8, right: 8, top: 12, bottom: 44 };
    const style = {
      label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: null, borderColor: "#0f2f55", borderWidth: 1.6 } },
      itemStyle: { areaColor: NO_DATA, borderColor: "#c3cbd5", borderWidth: level === "county" ? 0.3 : 0.5 },
      nameProperty: "name", selectedMode: false, data: values, aspectScale: 0.82,
    };
    const series = [Object.assign({ type: "map", map: names.main, roam: false }, box, style)];
    if (over) {
      series.push(Object.assign({ type: "map", map: mapNames(over, mapState.area).main, roam: false, silent: true, z: 3, data: [],
        aspectScale: 0.82, label: { show: false }, tooltip: { show: false },
        itemStyle: { areaColor: "rgba(0,0,0,0)", borderColor: "#3d4a5a", borderWidth: 1.1 }, emphasis: { disabled: true } }, box));
    }
    const graphic = [];
    if (names.inset) {
      const dom = mapChart.getDom();
      const width = Math.max(64, Math.min(0.12 * dom.clientWidth, 150));
      const height = width * 1.45;
      const left = dom.clientWidth - width - 12;
      const top = dom.clientHeight - height - 44;
      series.push(Object.assign({ type: "map", map: names.inset, roam: false, left: left + 10, top: top + 10,
        width: width - 20, height: height - 34 }, style));
      graphic.push({ type: "rect", left, top, shape: { width, height }, silent: true,
        style: { fill: "rgba(255,255,255,0)", stroke: "#9aa6b2", lineWidth: 1 } });
      graphic.push({ type: "text", left: left + 5, top: top + height - (lang === "zh" ? 18 : 30), silent: true,
        style: { text: lang === "zh" ? "南海诸岛" : "South China Sea Islands", fill: "#5b6675", fontSize: 10,
                 width: width - 10, overflow: "break", lineHeight: 12 } });
    }
    mapChart.setOption({
      aria: { enabled: true }, animation: false,
      tooltip: { trigger: "item", confine: true, formatter: mapTooltip },
      visualMap: Object.assign(visualMap(), { seriesIndex: series.map((x, k) => k).filter((k) => !(over && k === 1)) }),
      series, graphic,
    }, true);
    drawCrumbs();
    const drawn = values.filter((v) => v.value !== null).length;
    const note = document.getElementById("map-note");
    note.textContent = lang === "zh"
      ? `本图共${values.length}个地区，其中${drawn}个有数据；灰色为无本级数据。`
      : `${values.length} areas, ${drawn} with data; grey: no data at this level.`;
    mapChart.getDom().dataset.features = String(values.length);
    mapChart.getDom().dataset.coloured = String(drawn);
    if (!mapReady) { mapReady = true; page.onReady(); }
  }
  function drawCrumbs() {
    const crumbs = document.getElementById("map-crumbs");
    const chain = [];
    for (let code = mapState.area; code; code = parentOf.get(code)) {
      chain.unshift(code);
      if (code === data.scope.code) break;
    }
    crumbs.innerHTML = chain.map((code, k) => (k === chain.length - 1
      ? `<strong>${escape(code === data.scope.code && data.scope.depth === 0 ? t("nation") : name(code))}</strong>`
      : `<button type="button" data-area="${code}">${escape(code === data.scope.code && data.scope.depth === 0 ? t("nation") : name(code))}</button><span class="sep">›</span>`)).join("");
    crumbs.querySelectorAll("button").forEach((button) => button.addEventListener("click", () => {
      const code = button.dataset.area;
      const depth = table.depth[rowOf.get(code)];
      const level = data.map.levels.find((l) => l.depth === depth + 1) || data.map.levels[0];
      setMap({ area: code, level: level.id });
    }));
  }
  function setMap(change) {
    Object.assign(mapState, change);
    press(document.getElementById("map-levels"), document.querySelector(`#map-levels [data-level="${mapState.level}"]`));
    press(document.getElementById("map-layers"), document.querySelector(`#map-layers [data-layer="${mapState.layer}"]`));
    drawMap();
  }
  function setupMap() {
    const element = document.getElementById("map-chart");
    if (!element || !data.map) { mapReady = true; return; }
    const levels = data.map.levels.map((l) => l.id);
    // Open where the data are: the prefecture level in a national bulletin, else the first level.
    mapState.level = data.scope.depth === 0 && levels.includes("prefecture") ? "prefecture" : levels[0];
    // both files the first view needs start loading at once
    [mapState.level, overlay(mapState.level)].filter(Boolean).forEach((level) => loadOutlines(level, () => {}));
    mapChart = page.makeChart(element);
    mapState.layer = data.map.layers[0].id;
    document.querySelectorAll("#map-levels button").forEach((button) => button.addEventListener("click", () => {
      const level = data.map.levels.find((l) => l.id === button.dataset.level);
      const areaDepth = table.depth[rowOf.get(mapState.area)];
      setMap({ level: level.id, area: areaDepth < level.depth ? mapState.area : data.scope.code });
    }));
    document.querySelectorAll("#map-layers button").forEach((button) => button.addEventListener("click", () => setMap({ layer: button.dataset.layer })));
    mapChart.on("click", (params) => {
      const code = params.data && params.data.code;
      if (!code || !drillable(code)) return;
      const next = data.map.levels[levelIndex(mapState.level) + 1];
      setMap({ area: code, level: next.id });
    });
    page.renders.push(() => setMap({}));
  }

  return {
    setup: setupMap,
    ready: () => mapReady,
    resize: () => { if (mapChart && mapReady) drawMap(); },
  };
};
