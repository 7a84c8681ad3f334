// The public board (晒): a case looked up by its tracking code (deep link
// board.html?code=…), the figures over 7, 30 and 365 days, the grid-level
// map of open and resolved cases, recent cases with their outcomes, and
// community notices. No account; everything is what the status component
// publishes, shown as it comes.
"use strict";

I18N.add({
  en: {
    title: "Case board · Public oversight", lookup: "Track a case", figures: "Figures", map: "Cases by grid",
    board: "Recent cases", notices: "Community notices", tenant: "Township code", code: "Tracking code", search: "Search",
    figure: "Figure", days_7: "Last 7 days", days_30: "Last 30 days", days_365: "Last year", legend_open: "open cases",
    legend_resolved: "all resolved", grid: "Grid", open: "Open", resolved: "Resolved", category: "Category",
    community: "Community", status: "Status", all: "All", declined_cases: "Declined", show: "Show", more: "More",
    portal: "Residents' appeals", enterprise: "Enterprise services",
  },
});
I18N.add({
  zh: {
    received: "受理", resolved_count: "办结", closure_rate: "办结率", on_time_rate: "按时办结率",
    average_days_to_resolve: "平均办理天数", satisfaction_rate: "满意率", average_rating: "平均评分",
    as_of: "统计时间 {0}", none: "—", empty: "暂无案件", no_notices: "暂无公告", no_cells: "暂无可在地图上显示的案件",
    reported_at: "反映时间", place: "位置", answer: "处理结果", timeline: "办理过程", result_photo: "处理结果照片",
    evidence_photo: "反映时照片", deadline_kept: "按时办结", deadline_missed: "超时办结", deadline_overdue: "已超时",
    deadline_pending: "办理中", fixed: "当场解决", me_too: "另有 {0} 人反映", link: "查看详情",
    cell: "{0}：在办 {1}，已办结 {2}", rating: "评分 {0} / 5", category: "问题类别", status: "办理情况",
  },
  en: {
    received: "Received", resolved_count: "Resolved", closure_rate: "Closure rate (办结率)", on_time_rate: "Resolved on time",
    average_days_to_resolve: "Average days to resolve", satisfaction_rate: "Satisfied", average_rating: "Average rating",
    as_of: "As of {0}", none: "—", empty: "No cases", no_notices: "No notices", no_cells: "No cases to show on the map",
    reported_at: "Reported", place: "Place", answer: "Outcome", timeline: "Timeline", result_photo: "Result",
    evidence_photo: "Reported", deadline_kept: "Resolved on time", deadline_missed: "Resolved late",
    deadline_overdue: "Overdue", deadline_pending: "In hand", fixed: "Fixed on the spot",
    me_too: "{0} others reported it too", link: "Details", cell: "{0}: {1} open, {2} resolved", rating: "Rated {0} / 5",
  },
});

const lookupForm = $("#lookup-form");
const params = new URLSearchParams(location.search);
lookupForm.elements.tenant.value = params.get("tenant") || localStorage.getItem("tenant") || "demo";
lookupForm.elements.code.value = params.get("code") || "";
const tenant = () => lookupForm.elements.tenant.value.trim();
const call = (rest) => api("GET", tenantPath(tenant(), rest));
const words = (w) => (w ? (I18N.lang === "en" ? w.en : w.zh) : "");
const plain = (x) => (x === null || x === undefined ? t("none") : String(Math.round(x * 10) / 10));
let categories = [];
let cursor = null;

/** A deep link to one case on this page. */
const caseLink = (code) => `?${new URLSearchParams({ tenant: tenant(), code })}`;

// ---- one case, as the board lists it (outcome) or the look-up shows it (with its timeline) ----
function caseView(c) {
  const resolution = c.deadlines && c.deadlines.resolution;
  const photos = (c.attachments || []).filter((a) => a.kind === "photo");
  return h("article", { class: "case", "data-code": c.tracking_code, "data-outcome": c.outcome },
    h("div", { class: "case-head" },
      h("a", { class: "code", href: caseLink(c.tracking_code), onclick: (event) => { event.preventDefault(); lookUp(c.tracking_code); } }, c.tracking_code),
      h("span", { class: `badge outcome-${c.outcome}`, "data-state": c.state }, words(c.status))),
    h("dl", {},
      h("dt", {}, t("category")), h("dd", {}, words(c.category_name)),
      c.place ? [h("dt", {}, t("place")), h("dd", {}, c.place.label)] : null,
      h("dt", {}, t("reported_at")), h("dd", {}, localTime(c.reported_at)),
      resolution && resolution.status !== "not_set" ? [h("dt", {}, t("status")), h("dd", { class: resolution.status === "kept" ? "ok" : resolution.status === "pending" ? "" : "late" },
        t(`deadline_${resolution.status}`), c.fixed_on_the_spot ? ` · ${t("fixed")}` : "")] : null),
    c.me_too_count ? h("p", { class: "muted" }, t("me_too", c.me_too_count)) : null,
    c.rating ? h("p", {}, t("rating", c.rating)) : null,
    c.answer ? h("p", { class: "answer" }, h("strong", {}, t("answer"), "："), c.answer) : null,
    c.timeline ? [h("h3", {}, t("timeline")), h("ol", { class: "timeline", id: "lookup-timeline" }, ...c.timeline.map((e) => h("li", {},
      h("time", { datetime: e.at }, localTime(e.at)), " ", words(e.label) || e.action, e.by ? h("span", { class: "muted" }, ` · ${e.by}`) : null,
      e.note ? h("div", {}, e.note) : null)))] : null,
    photos.length ? photoViewer(h("ul", { class: "thumbs" }, ...photos.map((a) => {
      const label = t(a.purpose === "result" ? "result_photo" : "evidence_photo");
      return h("li", { "data-purpose": a.purpose }, h("img", { src: a.url, alt: label, loading: "lazy" }), label);
    }))) : null);
}

// ---- look-up by tracking code; the address bar keeps it, so the view can be shared ----
async function lookUp(code, scroll = true) {
  const out = $("#lookup-result");
  code = code.trim().toUpperCase();
  lookupForm.elements.code.value = code;
  history.replaceState(null, "", caseLink(code));
  try {
    const found = await call(`/status/${encodeURIComponent(code)}`);
    out.className = "";
    out.replaceChildren(caseView(found));
    if (scroll) {
      // Keyboard and screen-reader users land on what they asked for.
      const shown = $("article", out);
      shown.tabIndex = -1;
      shown.focus();
    }
  } catch (error) {
    say(out, error.message, "error");
  }
}
lookupForm.addEventListener("submit", (event) => { event.preventDefault(); lookUp(lookupForm.elements.code.value); });

// ---- the figures: one row per figure, one column per window ----
const FIGURES = [
  ["received", "received", plain], ["resolved_count", "resolved", plain], ["closure_rate", "closure_rate", rateText],
  ["on_time_rate", "on_time_rate", rateText], ["average_days_to_resolve", "average_days_to_resolve", plain],
  ["satisfaction_rate", "satisfaction_rate", rateText], ["average_rating", "average_rating", plain],
];
async function loadFigures() {
  try {
    const answer = await call("/board/figures");
    const windows = [7, 30, 365].map((days) => answer.windows.find((w) => w.days === days) || {});
    $("#figures").replaceChildren(...FIGURES.map(([label, key, format]) => h("tr", { "data-figure": key },
      h("th", { scope: "row" }, t(label)), ...windows.map((w) => h("td", { "data-window": w.days }, format(w[key]))))));
    say($("#figures-status"), t("as_of", localTime(answer.as_of)), "muted");
  } catch (error) {
    say($("#figures-status"), error.message, "error");
  }
}

// ---- the map: one dot per grid, red while any case there is open, sized by the count ----
async function loadMap() {
  const box = $("#map");
  try {
    const { features } = await call("/board/map");
    const nodes = features.map((f) => ({ ...f.properties, level: "grid", geometry: f.geometry }));
    const top = Math.max(1, ...nodes.map((n) => n.open + n.resolved));
    // A picture, not a place picker: a dot per grid, red while any case there is open, sized by the count.
    const drawn = await gridMap(box, nodes, { tenant: tenant(), marks: {
      radius: (n) => 10 + (20 * (n.open + n.resolved)) / top,
      className: (n) => (n.open ? "open" : "resolved"),
      title: (n) => t("cell", n.name, n.open, n.resolved),
    } });
    box.hidden = !drawn;
    $("#cells").replaceChildren(...(nodes.length ? nodes : []).map((n) => h("tr", { "data-code": n.code },
      h("td", {}, n.name), h("td", {}, n.open), h("td", {}, n.resolved))));
    if (!nodes.length) $("#cells").replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "muted" }, t("no_cells"))));
  } catch (error) {
    box.hidden = true;
    $("#cells").replaceChildren(h("tr", {}, h("td", { colspan: 3, class: "error" }, error.message)));
  }
}

// ---- recent cases, filtered by category, community (from the public grid tree) and status ----
let casesAsked = 0; // only the answer to the latest filters is shown
async function loadCases(append = false) {
  const query = new URLSearchParams(formQuery($("#filters")));
  if (append && cursor) query.set("cursor", cursor);
  const status = $("#board-status");
  const asked = ++casesAsked;
  try {
    const page = await call(`/board?${query}`);
    if (asked !== casesAsked) return;
    cursor = page.next_cursor;
    $("#more").hidden = !cursor;
    const items = page.cases.map((c) => h("li", {}, caseView(c)));
    if (append) $("#cases").append(...items);
    else $("#cases").replaceChildren(...items);
    say(status, $("#cases").children.length ? "" : t("empty"));
  } catch (error) {
    say(status, error.message, "error");
  }
}
async function loadCommunities() {
  let communities = [];
  try {
    const { nodes } = await call("/admin/grid");
    communities = flattenGrid(nodes).filter((n) => n.level === "community" && !n.retired);
  } catch (error) {
    communities = [];
  }
  const select = $("#filters [name=community]");
  const chosen = select.value;
  select.replaceChildren(select.options[0], ...communities.map((c) => h("option", { value: c.code, selected: c.code === chosen }, c.name)));
}
async function loadCategories() {
  try {
    ({ items: categories } = await call("/admin/categories"));
  } catch (error) {
    categories = [];
  }
  const select = $("#filters [name=category]");
  const chosen = select.value;
  select.replaceChildren(select.options[0], ...categories.map((c) => h("option", { value: c.code, selected: c.code === chosen }, I18N.lang === "en" ? c.name_en : c.name_zh)));
}
$("#filters").addEventListener("submit", (event) => { event.preventDefault(); loadCases(); });
$("#more").addEventListener("click", () => loadCases(true));

// ---- notices in force ----
async function loadNotices() {
  try {
    const { notices } = await call("/notices");
    $("#notice-list").replaceChildren(...(notices.length ? notices.map((n) => h("li", {},
      h("strong", {}, n.title), " ", h("span", { class: "muted" }, [n.place && n.place.name, localTime(n.published_at)].filter(Boolean).join(" · ")),
      h("div", {}, n.body))) : [h("li", { class: "muted" }, t("no_notices"))]));
  } catch (error) {
    $("#notice-list").replaceChildren(h("li", { class: "error" }, error.message));
  }
}

function loadAll() {
  localStorage.setItem("tenant", tenant());
  loadFigures();
  loadMap();
  loadCategories();
  loadCommunities();
  loadCases();
  loadNotices();
  if (lookupForm.elements.code.value) lookUp(lookupForm.elements.code.value, false);
}
lookupForm.elements.tenant.addEventListener("change", loadAll);
I18N.apply();
onLang(() => { loadFigures(); loadMap(); loadCategories(); loadCases(); if (lookupForm.elements.code.value) lookUp(lookupForm.elements.code.value, false); });
loadAll();
