// The dashboard's patrol section (docs/patrols.md): for the dashboard's
// period, the on-the-spot rate (settled on the spot ÷ problems found on
// patrols), patrol hours and distance in all, per worker and per grid, each
// grid day's totals; and coverage: how many micro-grids no one visited in 7
// and in 30 days, drawn on a map of the micro-grids coloured by their last
// visit, with a legend. From …/patrols/figures, …/patrols/coverage and
// …/grid-days; dashboard.js calls refreshPatrols(from, to) after its own
// figures and drawPatrols() when the language changes. A patrol's track is
// on patrols.html (linked from here).
"use strict";

I18N.add({
  zh: {
    patrols: "巡查与网格日", patrol_records: "巡查记录与轨迹", on_the_spot_rate: "当场解决率", pt_patrols: "巡查次数", pt_hours: "巡查时长（小时）",
    pt_km: "巡查里程（公里）", pt_visits: "走访", pt_found: "巡查发现问题", pt_fixed: "当场解决", coverage: "巡查覆盖",
    cov_micro_grids: "微网格", cov_not_7: "7 天未巡查", cov_not_30: "30 天未巡查", cov_within_7: "7 天内", cov_7_30: "7–30 天",
    cov_over_30: "30 天以上", cov_never: "从未巡查", cov_label: "巡查覆盖地图：{0} 个微网格，{1} 个 7 天未巡查，{2} 个 30 天未巡查",
    cov_no_shapes: "微网格没有边界数据，覆盖地图无法显示。", cov_days: "{0} 天前", cov_today: "今天",
    by_person: "按人员", by_grid: "按网格", person: "人员", pt_grid_days: "网格日", gd_date: "日期", gd_title: "名称",
    gd_people: "签到人数", pt_none_yet: "本期没有巡查", cov_late: "7 天未巡查的微网格", cov_all_visited: "所有微网格 7 天内都有巡查", cov_more: "另有 {0} 个", pt_failed: "巡查数据未能加载：{0}",
  },
  en: {
    patrols: "Patrols and grid days", patrol_records: "Patrols and their tracks", on_the_spot_rate: "On-the-spot rate", pt_patrols: "Patrols",
    pt_hours: "Patrol hours", pt_km: "Patrol distance (km)", pt_visits: "Visits", pt_found: "Problems found on patrol", pt_fixed: "Fixed on the spot",
    coverage: "Coverage", cov_micro_grids: "Micro-grids", cov_not_7: "Not visited in 7 days", cov_not_30: "Not visited in 30 days",
    cov_within_7: "Within 7 days", cov_7_30: "7–30 days", cov_over_30: "Over 30 days", cov_never: "Never",
    cov_label: "Coverage map: {0} micro-grids, {1} not visited in 7 days, {2} not in 30", cov_no_shapes: "The micro-grids have no shapes; no coverage map.",
    cov_days: "{0} days ago", cov_today: "today",
    by_person: "By person", by_grid: "By grid", person: "Person", pt_grid_days: "Grid days", gd_date: "Date", gd_title: "Title",
    gd_people: "Signed in", pt_none_yet: "No patrol in this period", cov_late: "Micro-grids not visited in 7 days", cov_all_visited: "Every micro-grid was visited in the last 7 days", cov_more: "{0} more", pt_failed: "The patrol figures did not load: {0}",
  },
});

const COVERAGE_COLOURS = { within_7: "#2e7d32", "7_30": "#f9a825", over_30: "#c62828", never: "#9e9e9e" };
let patrolShown = null;

async function refreshPatrols(from, to) {
  const status = $("#patrol-status");
  try {
    const q = `from=${from}&to=${to}`;
    const [figures, coverage, days, grid] = await Promise.all([
      session.call("GET", `/patrols/figures?${q}`),
      session.call("GET", "/patrols/coverage"),
      session.call("GET", `/grid-days?${q}`),
      patrolShown && patrolShown.grid ? Promise.resolve(patrolShown.grid) : session.call("GET", "/admin/grid?geometry=true"),
    ]);
    patrolShown = { figures, coverage, days: days.items, grid };
    drawPatrols();
    say(status, "");
  } catch (error) {
    say(status, t("pt_failed", error.message), "error");
  }
}

function drawPatrols() {
  if (!patrolShown) return;
  const { figures: f, coverage, days } = patrolShown;
  const card = (key, value) => h("div", { class: "card", "data-figure": key }, h("div", { class: "value" }, value), h("div", { class: "name" }, t(key)));
  const hours = (minutes) => (minutes / 60).toFixed(1);
  const km = (metres) => (metres / 1000).toFixed(2);
  $("#patrol-cards").replaceChildren(
    card("on_the_spot_rate", percent(f.on_the_spot_rate)), card("pt_found", number(f.problems_found)), card("pt_fixed", number(f.fixed_on_the_spot)),
    card("pt_patrols", number(f.patrols)), card("pt_hours", hours(f.minutes)), card("pt_km", km(f.metres)), card("pt_visits", number(f.visits)));
  $("#coverage-cards").replaceChildren(
    card("cov_micro_grids", number(coverage.micro_grids)), card("cov_not_7", number(coverage.not_visited_7)), card("cov_not_30", number(coverage.not_visited_30)));
  const rows = (tbody, list, name) => {
    const heads = headsOf(tbody);
    // The longest on patrol first, numbered (a phone shows the number beside the name).
    const ranked = list.slice().sort((a, b) => b.minutes - a.minutes || b.metres - a.metres);
    tbody.replaceChildren(...(ranked.length ? ranked.map((x, i) => leagueRow(heads, [i + 1, name(x), number(x.patrols), hours(x.minutes), km(x.metres),
      number(x.visits), number(x.problems_found), number(x.fixed_on_the_spot)])) : [h("tr", {}, h("td", { colspan: heads.length, class: "muted" }, t("pt_none_yet")))]));
  };
  rows($("#patrol-people"), f.by_person, (p) => h("a", { href: `/patrols.html?person=${p.id}` }, p.name));
  rows($("#patrol-grids"), f.by_grid, (g) => g.name);
  const dayBody = $("#patrol-days");
  const dayHeads = headsOf(dayBody);
  dayBody.replaceChildren(...(days.length ? days.map((d) => {
    const x = d.totals || {};
    return leagueRow(dayHeads, [d.date, d.title, number(x.people_signed_in), number(x.patrols), hours(x.minutes || 0), km(x.metres || 0),
      number(x.visits), number(x.problems_found), number(x.fixed_on_the_spot)], { "data-day": d.id });
  }) : [h("tr", {}, h("td", { colspan: dayHeads.length, class: "muted" }, t("none")))]));
  coverageMap();
  unvisitedList();
}

/** The class of a micro-grid by its last visit: within 7 days, 7 to 30, over 30, never. */
function coverageClass(lastVisit, now = Date.now()) {
  if (!lastVisit) return "never";
  const days = (now - new Date(lastVisit)) / 86400000;
  return days <= 7 ? "within_7" : days <= 30 ? "7_30" : "over_30";
}

/** The micro-grids' shapes, each coloured by its last visit, named with it, and a legend of the four classes. */
function coverageMap() {
  const el = $("#coverage-map");
  const { coverage, grid } = patrolShown;
  const shapes = new Map(flattenGrid(grid.nodes).filter((n) => n.geometry && n.geometry.type !== "Point").map((n) => [n.id, n]));
  const drawn = coverage.nodes.filter((n) => shapes.has(n.id));
  const note = $("#coverage-note");
  if (note) note.remove();
  if (!drawn.length) {
    chart(el).clear();
    el.hidden = true;
    el.after(h("p", { id: "coverage-note", class: "muted" }, t("cov_no_shapes")));
    return;
  }
  el.hidden = false;
  const classes = ["within_7", "7_30", "over_30", "never"];
  const features = drawn.map((n) => ({ type: "Feature", geometry: shapes.get(n.id).geometry, properties: { name: String(n.id) } }));
  echarts.registerMap(`coverage-${session.tenant}`, { type: "FeatureCollection", features });
  const names = new Map(drawn.map((n) => [String(n.id), n]));
  const ago = (n) => {
    if (!n.last_visit_at) return t("cov_never");
    const days = Math.floor((Date.now() - new Date(n.last_visit_at)) / 86400000);
    return days < 1 ? t("cov_today") : t("cov_days", days);
  };
  chart(el).setOption({
    animation: false,
    visualMap: {
      type: "piecewise", orient: "horizontal", left: "center", bottom: 0, itemWidth: 16, itemHeight: 12, itemGap: 10, textStyle: { fontSize: 12 },
      pieces: classes.map((c, i) => ({ value: i, label: t(`cov_${c}`), color: COVERAGE_COLOURS[c] })),
    },
    series: [{
      type: "map", map: `coverage-${session.tenant}`, roam: false, selectedMode: false,
      layoutCenter: ["50%", "45%"], layoutSize: "86%",
      aspectScale: Math.cos((middleLatitude(features) * Math.PI) / 180),
      data: drawn.map((n) => ({ name: String(n.id), value: classes.indexOf(coverageClass(n.last_visit_at)) })),
      itemStyle: { borderColor: "#555", borderWidth: 1 },
      // A micro-grid is small: its last visit in it, its name in the list beneath (names that would overlap are left out).
      label: { show: drawn.length <= 60, fontSize: 12, color: "#1b1b1b", textBorderColor: "#fff", textBorderWidth: 3,
        formatter: (p) => { const n = names.get(p.name); return n ? ago(n) : ""; } },
      labelLayout: { hideOverlap: true },
      emphasis: { label: { show: true, fontWeight: "bold" }, itemStyle: { areaColor: "#90caf9" } },
      tooltip: { show: false },
    }],
  }, true);
  el.setAttribute("aria-label", t("cov_label", coverage.micro_grids, coverage.not_visited_7, coverage.not_visited_30));
}

/** The micro-grids no one visited in 7 days, longest unvisited first (never first of all), each with its grid: where to send people. */
function unvisitedList() {
  const { coverage } = patrolShown;
  const byId = new Map(coverage.nodes.map((n) => [n.id, n]));
  const parents = new Map(flattenGrid(patrolShown.grid.nodes).map((n) => [n.id, n]));
  const late = coverage.nodes.filter((n) => coverageClass(n.last_visit_at) !== "within_7")
    .sort((a, b) => (a.last_visit_at || "").localeCompare(b.last_visit_at || ""));
  const shown = late.slice(0, 30);
  const parent = (n) => (parents.get(n.parent_id) || byId.get(n.parent_id) || {}).name;
  $("#coverage-late").replaceChildren(...(late.length ? [
    ...shown.map((n) => h("li", { "data-class": coverageClass(n.last_visit_at) }, h("span", { class: `swatch cov-${coverageClass(n.last_visit_at)}` }),
      [parent(n), n.name].filter(Boolean).join(" · "), h("span", { class: "muted" }, ` · ${n.last_visit_at ? t("cov_days", Math.floor((Date.now() - new Date(n.last_visit_at)) / 86400000)) : t("cov_never")}`))),
    late.length > shown.length ? h("li", { class: "muted" }, t("cov_more", late.length - shown.length)) : null].filter(Boolean)
    : [h("li", { class: "muted" }, t("cov_all_visited"))]));
}

document.addEventListener("DOMContentLoaded", () => {
  if (!window.ResizeObserver) return;
  new ResizeObserver(() => { const c = echarts.getInstanceByDom($("#coverage-map")); if (c) c.resize(); }).observe($("#coverage-map"));
});
