// The command centre's dashboard: the figures for a period, grid and
// category, the trend and the hot-spot map drawn by Apache ECharts
// (vendored, /vendor/echarts-6.0.0/: bars, the map, a piecewise legend),
// spike alerts, league tables and exports; patrols and coverage are
// dashboard-patrols.js's. Everything comes from
// /api/t/{tenant}/dashboard/…; nothing is computed here but the drawing.
// The grid tables end with the 未定位 row the API sends (reports no grid
// holds) and a total, so that their rows add up to the figures'.
"use strict";

I18N.add({
  zh: {
    received: "受理", closed: "办结", closure_rate: "办结率", on_time: "按时率", fixed_on_the_spot: "当场解决",
    avg_resolution: "平均办结（小时）", median_resolution: "办结中位数（小时）", avg_response: "平均响应（小时）",
    satisfaction: "满意率", reopened: "重办", open_now: "在办", overdue_now: "超时在办", no_alerts: "本周没有异常",
    alert: "{0} · {1}：本周 {2} 件，平常每周 {3} 件", loading: "加载中…", count: "{0} 件", none: "—",
    downloaded: "已下载 ", unplaced: "未定位", others: "其余 {0} 个网格", total: "合计",
    trend_label: "趋势图：{0} 至 {1}，受理 {2} 件，办结 {3} 件", map_label: "热点地图：{0} 个网格，最多 {1} 件",
    no_shapes: "网格没有边界数据，地图无法显示；见下表。", export_failed: "导出失败（{0}），请稍后再试",
  },
  en: {
    title: "Dashboard", console: "Console", filters: "Scope", from: "From", to: "To", by: "By", by_day: "Day",
    by_week: "Week", by_month: "Month", category: "Category", all: "All", node: "Grid", whole_area: "Whole area",
    show: "Show", figures: "Key figures", trend: "Trend", alerts: "Spike alerts", hotspots: "Hot spots",
    league: "Departments", department: "Department", grid_league: "Grids", grid: "Grid", exports: "Exports",
    export_figures: "Figures CSV", export_departments: "Departments CSV", export_grids: "Grids CSV",
    export_cases: "Cases CSV", export_geojson: "Cases GeoJSON", ranking: "Hot spots ranked",
    tap_for_value: "(tap a bar for its value)",
    received: "Received", closed: "Closed", closure_rate: "Closure rate", on_time: "On time", fixed_on_the_spot: "Fixed on the spot",
    avg_resolution: "Avg. resolution (h)", median_resolution: "Median resolution (h)", avg_response: "Avg. response (h)",
    satisfaction: "Satisfied", reopened: "Reopened", open_now: "Open now", overdue_now: "Overdue now",
    no_alerts: "No spikes this week", alert: "{0} · {1}: {2} this week, {3} in a usual week", loading: "Loading…",
    count: "{0}", none: "—", avg_hours: "Avg. hours", per_household: "Per household", on_spot: "On the spot",
    downloaded: "Downloaded ", unplaced: "No place", others: "{0} other grids", total: "Total",
    trend_label: "Trend: {0} to {1}, {2} received, {3} closed", map_label: "Hot-spot map: {0} grids, at most {1}",
    no_shapes: "The grids have no shapes to draw; see the table.", export_failed: "The export failed ({0}); try again later",
  },
});

const session = new Session("console");
let categories = []; // the tenant's, to name them
let shown = null; // the answers drawn, drawn again when the language changes
const percent = (x) => (x === null || x === undefined ? t("none") : `${Math.round(x * 1000) / 10}%`);
const number = (x) => (x === null || x === undefined ? t("none") : String(x));
const COLOURS = { received: "#7f9fc8", closed: "#2e7d32", low: "#fde0dc", high: "#b71c1c", none: "#eef1f4" };

/** The query string of the filter form (empty fields left out). */
function query(extra = {}) {
  const data = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const [key, value] of data) if (value) params.set(key, value);
  for (const [key, value] of Object.entries(extra)) value ? params.set(key, value) : params.delete(key);
  return params.toString();
}

function cards(figures, now) {
  const items = [
    ["received", number(figures.received)], ["closed", number(figures.closed)],
    ["closure_rate", percent(figures.closure_rate)], ["on_time", percent(figures.on_time_rate)],
    ["fixed_on_the_spot", number(figures.fixed_on_the_spot)], ["avg_response", number(figures.average_response_hours)],
    ["avg_resolution", number(figures.average_resolution_hours)], ["median_resolution", number(figures.median_resolution_hours)],
    ["satisfaction", percent(figures.satisfaction_rate)], ["reopened", number(figures.reopened)],
    ["open_now", number(now.open)], ["overdue_now", number(now.overdue)],
  ];
  $("#cards").replaceChildren(...items.map(([key, value]) =>
    h("div", { class: "card", "data-figure": key }, h("div", { class: "value" }, value), h("div", { class: "name" }, t(key)))));
}

/**
 * Every period from `from` to `to` (dates) by `by` (day, week from Monday,
 * month), each with its figures from `series` (the API lists only periods
 * that counted something) or zeros: gaps in time show as gaps.
 */
function periods(series, from, to, by) {
  if (!from || !to) return series;
  const known = new Map(series.map((p) => [p.start, p]));
  const day = (text) => new Date(`${text}T00:00:00Z`);
  const d = day(from);
  if (by === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (by === "month") d.setUTCDate(1);
  const out = [];
  while (d <= day(to) && out.length < 400) {
    const start = d.toISOString().slice(0, 10);
    out.push(known.get(start) || { start, received: 0, closed: 0 });
    if (by === "month") d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCDate(d.getUTCDate() + (by === "week" ? 7 : 1));
  }
  return series.every((p) => out.some((x) => x.start === p.start)) ? out : series;
}

/**
 * The ECharts instance drawing into `el`, made anew when the language
 * changed (ECharts takes its locale when it starts).
 */
function chart(el) {
  const locale = I18N.lang === "en" ? "EN" : "ZH";
  let instance = echarts.getInstanceByDom(el);
  if (instance && el.dataset.locale !== locale) {
    instance.dispose();
    instance = null;
  }
  if (!instance) {
    instance = echarts.init(el, null, { renderer: "canvas", locale });
    el.dataset.locale = locale;
  }
  return instance;
}

/** Bars of received and closed per period, with the dates beneath, a count axis, and the counts above (those that would overlap hidden; a tap shows any). */
function trend(series, from, to, by) {
  const el = $("#trend");
  const points = periods(series, from, to, by);
  const bar = (key) => ({
    name: t(key), type: "bar", data: points.map((p) => p[key]), itemStyle: { color: COLOURS[key] },
    barGap: "0%", barCategoryGap: "25%",
    label: { show: true, position: "top", fontSize: 11, color: "#37474f", formatter: (p) => (p.value ? String(p.value) : "") },
    labelLayout: { hideOverlap: true },
    emphasis: { label: { show: true, position: "top", fontSize: 13, fontWeight: "bold" } },
  });
  chart(el).setOption({
    animation: false,
    grid: { left: 36, right: 8, top: 24, bottom: 28 },
    xAxis: { type: "category", data: points.map((p) => (by === "month" ? p.start.slice(0, 7) : p.start.slice(5))), axisTick: { alignWithLabel: true } },
    yAxis: { type: "value", minInterval: 1 },
    series: [bar("received"), bar("closed")],
  }, true);
  const sum = (key) => points.reduce((n, p) => n + p[key], 0);
  el.setAttribute("aria-label", t("trend_label", from, to, sum("received"), sum("closed")));
}

/** Integer pieces of the map's legend: 0 alone, then four equal runs up to `top`. */
function pieces(top) {
  const step = Math.max(1, Math.ceil(top / 4));
  const out = [{ value: 0, label: "0", color: COLOURS.none }];
  for (let low = 1; low <= Math.max(1, top); low += step) {
    const high = low + step - 1;
    out.push({ gte: low, lte: high, label: low === high ? `${low}` : `${low}–${high}` });
  }
  return out;
}

/** The latitude midway up the shapes: a degree of longitude there is cos(latitude) of one of latitude. */
function middleLatitude(features) {
  let low = 90;
  let high = -90;
  const walk = (c) => {
    if (typeof c[0] === "number") [low, high] = [Math.min(low, c[1]), Math.max(high, c[1])];
    else c.forEach(walk);
  };
  features.forEach((f) => walk(f.geometry.coordinates));
  return (low + high) / 2;
}

/** The hot-spot map: the grids' shapes coloured by count, each named with its count, and a legend of counts. */
function hotmap(collection) {
  const el = $("#hotmap");
  const grids = collection.features.filter((f) => !f.properties.unplaced);
  const drawn = grids.filter((f) => f.geometry);
  const note = $("#hotmap-note");
  if (note) note.remove();
  if (!drawn.length) {
    chart(el).clear();
    el.hidden = true;
    el.after(h("p", { id: "hotmap-note", class: "muted" }, t("no_shapes")));
    return;
  }
  el.hidden = false;
  const top = Math.max(0, ...grids.map((f) => f.properties.received));
  const names = new Map(grids.map((f) => [f.properties.code, f.properties.name]));
  echarts.registerMap(`grids-${session.tenant}`, {
    type: "FeatureCollection",
    features: drawn.map((f) => ({ type: "Feature", geometry: f.geometry, properties: { name: f.properties.code } })),
  });
  const labelled = drawn.length <= 40;
  chart(el).setOption({
    animation: false,
    visualMap: {
      type: "piecewise", pieces: pieces(top), inRange: { color: [COLOURS.low, COLOURS.high] }, outOfRange: { color: COLOURS.none },
      orient: "horizontal", left: "center", bottom: 0, itemWidth: 16, itemHeight: 12, itemGap: 6, textStyle: { fontSize: 12 },
    },
    series: [{
      type: "map", map: `grids-${session.tenant}`, roam: false, selectedMode: false,
      // A square of 86% of the box's shorter side, above the legend: the shapes keep their proportions and fit.
      layoutCenter: ["50%", "45%"], layoutSize: "86%",
      aspectScale: Math.cos((middleLatitude(drawn) * Math.PI) / 180),
      data: drawn.map((f) => ({ name: f.properties.code, value: f.properties.received })),
      itemStyle: { borderColor: "#555", borderWidth: 1 },
      label: { show: labelled, fontSize: 12, color: "#1b1b1b", textBorderColor: "#fff", textBorderWidth: 3, formatter: (p) => `${names.get(p.name) || p.name}\n${t("count", p.value ?? 0)}` },
      emphasis: { label: { show: true, fontWeight: "bold" }, itemStyle: { areaColor: "#ffcc80" } },
    }],
  }, true);
  el.setAttribute("aria-label", t("map_label", drawn.length, top));
}

/** A table row whose cells carry their column's name, shown beside each value on a phone. */
function leagueRow(heads, cells, attrs = {}) {
  return h("tr", attrs, ...cells.map((c, i) => h("td", { "data-label": heads[i] }, c)));
}

/** Column names of a league table, from its head, in the current language. */
const headsOf = (tbody) => $$("th", tbody.closest("table")).map((th) => th.textContent);

/**
 * The busiest grids, then one row for the rest, the 未定位 row and the
 * total: the rows add up to what the figures counted.
 */
function ranking(collection) {
  const tbody = $("#ranking tbody");
  const heads = headsOf(tbody);
  const grids = collection.features.map((f) => f.properties).filter((p) => !p.unplaced && p.received > 0);
  const unplaced = collection.features.map((f) => f.properties).find((p) => p.unplaced) || { received: 0, closed: 0 };
  const shownRows = grids.slice(0, 10);
  const rest = grids.slice(10);
  const rows = shownRows.map((p) => leagueRow(heads, [p.rank, p.name, p.received, p.closed]));
  if (rest.length) {
    const sum = (key) => rest.reduce((n, p) => n + p[key], 0);
    rows.push(leagueRow(heads, ["", t("others", rest.length), sum("received"), sum("closed")], { class: "others" }));
  }
  rows.push(leagueRow(heads, ["", t("unplaced"), unplaced.received, unplaced.closed], { class: "unplaced", "data-row": "unplaced" }));
  rows.push(leagueRow(heads, ["", t("total"), collection.total.received, collection.total.closed], { class: "total", "data-row": "total" }));
  tbody.replaceChildren(...rows);
}

function leagues(departments, grids) {
  const tbody = $("#departments");
  const heads = headsOf(tbody);
  tbody.replaceChildren(...departments.map((d) => leagueRow(heads, [
    d.rank, d.name || d.code, d.closed, percent(d.on_time_rate), number(d.average_resolution_hours), percent(d.satisfaction_rate)])));
  const gridBody = $("#grids");
  const gridHeads = headsOf(gridBody);
  const placed = grids.grids.filter((g) => !g.unplaced && g.received > 0);
  const unplaced = grids.grids.find((g) => g.unplaced) || { received: 0 };
  const rows = placed.slice(0, 30).map((g) => leagueRow(gridHeads, [
    g.rank, g.name, g.received, number(g.reports_per_household), percent(g.on_the_spot_rate)]));
  const rest = placed.slice(30);
  if (rest.length) rows.push(leagueRow(gridHeads, ["", t("others", rest.length), rest.reduce((n, g) => n + g.received, 0), "", ""], { class: "others" }));
  rows.push(leagueRow(gridHeads, ["", t("unplaced"), unplaced.received, t("none"), percent(unplaced.on_the_spot_rate)], { class: "unplaced", "data-row": "unplaced" }));
  rows.push(leagueRow(gridHeads, ["", t("total"), grids.total.received, "", ""], { class: "total", "data-row": "total" }));
  gridBody.replaceChildren(...rows);
}

function alerts(answer) {
  const list = $("#alerts");
  if (!answer.alerts.length) return list.replaceChildren(h("li", { class: "muted" }, t("no_alerts")));
  list.replaceChildren(...answer.alerts.map((a) =>
    h("li", { class: "warn" }, t("alert", a.name || a.code, categoryText(categories, a.category), a.this_week, a.weekly_normal))));
}

/** Draws what the API answered (again after a change of language or width). */
function draw() {
  if (!shown) return;
  const { figures, alertAnswer, spots, departments, grids, by } = shown;
  cards(figures.totals, figures.now);
  trend(figures.series, figures.from, figures.to, by);
  alerts(alertAnswer);
  hotmap(spots);
  ranking(spots);
  leagues(departments.departments, grids);
  drawPatrols(); // dashboard-patrols.js
  drawWarnings(); // dashboard-warnings.js
}

async function refresh() {
  const status = $("#status");
  say(status, t("loading"));
  try {
    const q = query();
    const [figures, alertAnswer, spots, departments, grids] = await Promise.all([
      session.call("GET", `/dashboard/figures?${q}`),
      session.call("GET", "/dashboard/alerts"),
      session.call("GET", `/dashboard/hotspots?${q}`),
      session.call("GET", `/dashboard/league/departments?${q}`),
      session.call("GET", `/dashboard/league/grids?${q}`),
    ]);
    shown = { figures, alertAnswer, spots, departments, grids, by: $("#filters [name=by]").value };
    draw();
    // Show the period the API chose when none was asked for.
    const form = $("#filters");
    if (!form.from.value) form.from.value = figures.from;
    if (!form.to.value) form.to.value = figures.to;
    say(status, `${figures.from} – ${figures.to}`);
    refreshPatrols(figures.from, figures.to); // dashboard-patrols.js: its own status line
    refreshWarnings(); // dashboard-warnings.js: its own status line
  } catch (error) {
    say(status, error.message, "error");
  }
}

/** Exports need the token, so they are fetched and handed to the browser as a file. */
async function download(button) {
  const extra = button.dataset.format ? { format: button.dataset.format } : {};
  const response = await fetch(tenantPath(session.tenant, `/dashboard/export/${button.dataset.export}?${query(extra)}`),
    { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) return say($("#status"), t("export_failed", response.status), "error");
  const name = (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "export";
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // The file's name as the server gave it (no word of the page's language).
  const status = $("#status");
  say(status, t("downloaded"), "ok");
  status.append(h("span", { translate: "no" }, name));
}

async function fillChoices() {
  const answer = await api("GET", tenantPath(session.tenant, "/admin/categories")).catch(() => ({ items: [] }));
  categories = answer.items || answer.categories || [];
  const select = $("#filters [name=category]");
  for (const c of categories) {
    select.append(h("option", { value: c.code, "data-zh": c.name_zh, "data-en": c.name_en }, I18N.lang === "en" ? c.name_en : c.name_zh));
  }
  const tree = await session.call("GET", "/admin/grid").catch(() => ({ nodes: [] }));
  const nodes = flattenGrid(tree.nodes || tree.roots || []).filter((n) => n.level !== "micro_grid");
  const nodeSelect = $("#filters [name=node]");
  for (const n of nodes) nodeSelect.append(h("option", { value: n.id }, `${n.name} (${n.code})`));
}

function start() {
  $("#login-view").hidden = true;
  $("#app-view").hidden = false;
  $("#logout").hidden = false;
  $("#me").textContent = session.data.name || session.data.login;
  fillChoices().finally(refresh);
}

document.addEventListener("DOMContentLoaded", () => {
  I18N.apply();
  // common.js turns the language switch; the charts and tables are drawn again in the new language.
  onLang(() => {
    $$("#filters [name=category] option[data-zh]").forEach((o) => { o.textContent = I18N.lang === "en" ? o.dataset.en : o.dataset.zh; });
    draw();
  });
  $("#logout").onclick = () => { session.logout(); location.reload(); };
  $("#filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  $$("#exports button").forEach((b) => { b.onclick = () => download(b); });
  if (window.ResizeObserver) {
    let width = 0;
    new ResizeObserver(([entry]) => {
      const now = Math.round(entry.contentRect.width);
      if (now === width) return;
      width = now;
      for (const el of [$("#trend"), $("#hotmap")]) echarts.getInstanceByDom(el)?.resize();
      if (shown) trend(shown.figures.series, shown.figures.from, shown.figures.to, shown.by);
    }).observe($("#app-view"));
  }
  if (session.valid) return start();
  $("#login-view").hidden = false;
  loginForm($("#login-view"), session, start);
});
