// The command centre's dashboard: the figures for a period, grid and
// category, a trend chart, spike alerts, hot spots on the grid map (drawn
// from the grids' GeoJSON, no tiles), league tables and exports. Everything
// comes from /api/t/{tenant}/dashboard/…; nothing is computed here but the
// drawing.
"use strict";

I18N.add({
  zh: {
    received: "受理", closed: "办结", closure_rate: "办结率", on_time: "按时率", fixed_on_the_spot: "当场解决",
    avg_resolution: "平均办结（小时）", median_resolution: "办结中位数（小时）", avg_response: "平均响应（小时）",
    satisfaction: "满意率", reopened: "重办", open_now: "在办", overdue_now: "超时在办", no_alerts: "本周没有异常",
    alert: "{0} · {1}：本周 {2} 件，平常每周 {3} 件", loading: "加载中…", count: "{0} 件", none: "—",
    downloaded: "已下载 {0}",
  },
  en: {
    title: "Dashboard", console: "Console", filters: "Scope", from: "From", to: "To", by: "By", by_day: "Day",
    by_week: "Week", by_month: "Month", category: "Category", all: "All", node: "Grid", whole_area: "Whole area",
    show: "Show", figures: "Key figures", trend: "Trend", alerts: "Spike alerts", hotspots: "Hot spots",
    league: "Departments", department: "Department", grid_league: "Grids", grid: "Grid", exports: "Exports",
    export_figures: "Figures CSV", export_departments: "Departments CSV", export_grids: "Grids CSV",
    export_cases: "Cases CSV", export_geojson: "Cases GeoJSON",
    received: "Received", closed: "Closed", closure_rate: "Closure rate", on_time: "On time", fixed_on_the_spot: "Fixed on the spot",
    avg_resolution: "Avg. resolution (h)", median_resolution: "Median resolution (h)", avg_response: "Avg. response (h)",
    satisfaction: "Satisfied", reopened: "Reopened", open_now: "Open now", overdue_now: "Overdue now",
    no_alerts: "No spikes this week", alert: "{0} · {1}: {2} this week, {3} in a usual week", loading: "Loading…",
    count: "{0}", none: "—", avg_hours: "Avg. hours", per_household: "Per household", on_spot: "On the spot",
    downloaded: "Downloaded {0}",
  },
});

const session = new Session("console");
let categories = []; // the tenant's, to name them
const percent = (x) => (x === null || x === undefined ? t("none") : `${Math.round(x * 1000) / 10}%`);
const number = (x) => (x === null || x === undefined ? t("none") : String(x));

/** The query string of the filter form (empty fields left out). */
function query(extra = {}) {
  const data = new FormData($("#filters"));
  const params = new URLSearchParams();
  for (const [key, value] of data) if (value) params.set(key, value);
  // An empty extra value removes the field (the map and grid table cover the whole area).
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
 * that counted something) or none: gaps in time show as gaps.
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

let shownTrend = null; // what the chart shows, drawn again when its width changes

/** Bars of received and closed per period, in SVG at the chart's own width, with the periods' dates beneath and counts above. */
function trend(series, from, to, by) {
  shownTrend = [series, from, to, by];
  const svg = $("#trend");
  const title = $("#trend-title");
  svg.replaceChildren(title);
  const width = Math.round(svg.getBoundingClientRect().width) || 1000, height = 180, pad = 12, axis = 20, above = 16;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const points = periods(series, from, to, by);
  if (!points.length) return;
  const top = Math.max(1, ...points.map((p) => Math.max(p.received, p.closed)));
  const slot = (width - 2 * pad) / points.length;
  const bar = Math.max(1, Math.min(28, slot / 2 - 1));
  const base = height - axis;
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attrs, text) => {
    const el = document.createElementNS(ns, tag);
    for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
    if (text !== undefined) el.textContent = text;
    svg.append(el);
    return el;
  };
  make("line", { x1: pad, x2: width - pad, y1: base, y2: base, class: "axis" });
  // A date under every nth period, so that they never run into each other.
  const every = Math.max(1, Math.ceil(48 / slot));
  points.forEach((point, i) => {
    const middle = pad + (i + 0.5) * slot;
    ["received", "closed"].forEach((key, j) => {
      const tall = ((base - above) * point[key]) / top;
      const x = middle - bar + j * bar;
      const tip = document.createElementNS(ns, "title");
      tip.textContent = `${point.start} ${t(key)} ${point[key]}`;
      make("rect", { x, y: base - tall, width: Math.max(1, bar - 1), height: tall, class: key }).append(tip);
      if (point[key] && slot >= 24) make("text", { x: x + bar / 2, y: base - tall - 3, class: "count", "text-anchor": "middle" }, point[key]);
    });
    if (i % every === 0) make("text", { x: middle, y: height - 5, class: "date", "text-anchor": "middle" }, by === "month" ? point.start.slice(0, 7) : point.start.slice(5));
  });
}

function alerts(answer) {
  const list = $("#alerts");
  if (!answer.alerts.length) return list.replaceChildren(h("li", { class: "muted" }, t("no_alerts")));
  list.replaceChildren(...answer.alerts.map((a) =>
    h("li", { class: "warn" }, t("alert", a.name || a.code, categoryText(categories, a.category), a.this_week, a.weekly_normal))));
}

/** Hot spots: the grids coloured by count on the map, and the ranked list. */
function hotspots(collection) {
  const features = collection.features;
  const nodes = features.filter((f) => f.geometry).map((f) => ({
    code: f.properties.code, name: f.properties.name, level: "grid", geometry: f.geometry,
  }));
  const svg = $("#map");
  drawGridMap(svg, nodes, () => {});
  const top = Math.max(1, ...features.map((f) => f.properties.received));
  for (const f of features) {
    const path = svg.querySelector(`path[data-code="${CSS.escape(f.properties.code)}"]`);
    if (path) path.style.fill = `rgba(198, 40, 40, ${0.08 + (0.8 * f.properties.received) / top})`;
  }
  $("#ranking").replaceChildren(...features.filter((f) => f.properties.received > 0).slice(0, 20).map((f) =>
    h("li", {}, `${f.properties.name} `, h("span", { class: "muted" }, t("count", f.properties.received)))));
}

function leagues(departments, grids) {
  $("#departments").replaceChildren(...departments.map((d) => h("tr", {},
    h("td", {}, d.rank), h("td", {}, d.name || d.code), h("td", {}, d.closed), h("td", {}, percent(d.on_time_rate)),
    h("td", {}, number(d.average_resolution_hours)), h("td", {}, percent(d.satisfaction_rate)))));
  $("#grids").replaceChildren(...grids.filter((g) => g.received > 0).slice(0, 30).map((g) => h("tr", {},
    h("td", {}, g.rank), h("td", {}, g.name), h("td", {}, g.received), h("td", {}, number(g.reports_per_household)),
    h("td", {}, percent(g.on_the_spot_rate)))));
}

async function refresh() {
  const status = $("#status");
  say(status, t("loading"));
  try {
    const q = query();
    const [figures, alertAnswer, spots, departments, grids] = await Promise.all([
      session.call("GET", `/dashboard/figures?${q}`),
      session.call("GET", "/dashboard/alerts"),
      session.call("GET", `/dashboard/hotspots?${query({ node: "" })}`),
      session.call("GET", `/dashboard/league/departments?${q}`),
      session.call("GET", `/dashboard/league/grids?${query({ node: "" })}`),
    ]);
    cards(figures.totals, figures.now);
    trend(figures.series, figures.from, figures.to, $("#filters [name=by]").value);
    alerts(alertAnswer);
    hotspots(spots);
    leagues(departments.departments, grids.grids);
    // Show the period the API chose when none was asked for.
    const form = $("#filters");
    if (!form.from.value) form.from.value = figures.from;
    if (!form.to.value) form.to.value = figures.to;
    say(status, `${figures.from} – ${figures.to}`);
  } catch (error) {
    say(status, error.message, "error");
  }
}

/** Exports need the token, so they are fetched and handed to the browser as a file. */
async function download(button) {
  const extra = button.dataset.format ? { format: button.dataset.format } : {};
  const response = await fetch(tenantPath(session.tenant, `/dashboard/export/${button.dataset.export}?${query(extra)}`),
    { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) return say($("#status"), `${response.status} ${response.statusText}`, "error");
  const name = (response.headers.get("content-disposition") || "").match(/filename="([^"]+)"/)?.[1] || "export";
  const link = h("a", { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
  say($("#status"), t("downloaded", name), "ok");
}

async function fillChoices() {
  const answer = await api("GET", tenantPath(session.tenant, "/admin/categories")).catch(() => ({ items: [] }));
  categories = answer.items || answer.categories || [];
  const select = $("#filters [name=category]");
  for (const c of categories) {
    select.append(h("option", { value: c.code }, I18N.lang === "en" ? c.name_en : c.name_zh));
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
  $("#lang").onclick = () => I18N.toggle();
  $("#logout").onclick = () => { session.logout(); location.reload(); };
  $("#filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
  $$("#exports button").forEach((b) => { b.onclick = () => download(b); });
  if (window.ResizeObserver) new ResizeObserver(() => { if (shownTrend) trend(...shownTrend); }).observe($("#trend"));
  if (session.valid) return start();
  $("#login-view").hidden = false;
  loginForm($("#login-view"), session, start);
});
