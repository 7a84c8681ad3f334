// 巡查记录: the patrols of a township for the command centre and the tenant
// admin (docs/patrols.md): the list, newest first, by period and person
// (paged), and a patrol opened: its summary, its track and visits on the
// map (map.js trackMap), the problems found on it. Tracks are personal
// data: the API shows them only to the worker, the centre and the admin.
// Linked from the dashboard's patrol section (?person= picks one person).
"use strict";

I18N.add({
  zh: {
    time: "时长", distance: "里程", visits: "走访", found: "发现问题", fixed: "当场解决",
    running: "进行中", ended: "已结束", km: "{0} 公里", m: "{0} 米", min: "{0} 分钟", hm: "{0} 小时 {1} 分", none: "没有巡查记录",
    visit_list: "走访记录", problems: "发现的问题", no_track: "没有轨迹点", thinned: "轨迹已按保存期限删除，仅保留小结", simplified: "轨迹点较多，地图上均匀显示其中一部分",
    household: "住户", company: "企业", building: "楼栋", other: "其他", grid_day: "网格日", open_patrol: "查看 {0} 的巡查",
  },
  en: {
    title: "Patrols", dashboard: "Dashboard", console: "Console", patrols: "Patrols", from: "From", to: "To", person: "Person",
    everyone: "Everyone", show: "Show", started: "Started", grid: "Grid", time: "Time", distance: "Distance", visits: "Visits",
    found: "Problems found", fixed: "Fixed on the spot", more: "More", close: "Close",
    private: "Tracks are personal data: only the worker, the command centre and the tenant admin see them.",
    running: "running", ended: "ended", km: "{0} km", m: "{0} m", min: "{0} min", hm: "{0} h {1} min", none: "No patrol",
    visit_list: "Visits", problems: "Problems found", no_track: "No track", thinned: "The track was removed after the retention period; the summary stays", simplified: "A long track: the map shows an even selection of its points",
    household: "Household", company: "Company", building: "Building", other: "Other", grid_day: "Grid day", open_patrol: "Open {0}'s patrol",
  },
});

const session = new Session("console");
let gridNodes = [];
let categories = [];
let next = null;
const distance = (metres) => (metres >= 1000 ? t("km", (metres / 1000).toFixed(2)) : t("m", Math.round(metres)));
const duration = (minutes) => (minutes >= 60 ? t("hm", Math.floor(minutes / 60), minutes % 60) : t("min", minutes));
const at = (iso) => (iso ? new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "");

function query() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData($("#filters"))) if (value) params.set(key, value);
  return params;
}

async function loadList(more = false) {
  const status = $("#status");
  const params = query();
  if (more && next) params.set("after", next);
  try {
    const page = await session.call("GET", `/patrols?${params}`);
    next = page.next;
    const rows = page.items.map((p) => h("tr", { "data-patrol": p.id, class: "opens",
      onclick: () => { if (location.hash === `#patrol/${p.id}`) openPatrol(p.id); else location.hash = `patrol/${p.id}`; } },
      h("td", {}, h("a", { href: `#patrol/${p.id}`, "aria-label": t("open_patrol", p.person.name) }, at(p.started_at))),
      h("td", {}, p.person.name), h("td", {}, p.grid.name), h("td", {}, t(p.state)),
      h("td", {}, duration(p.minutes)), h("td", {}, distance(p.metres)), h("td", {}, String(p.visits)),
      h("td", {}, String(p.problems_found)), h("td", {}, String(p.fixed_on_the_spot))));
    if (more) $("#patrols tbody").append(...rows);
    else $("#patrols tbody").replaceChildren(...rows);
    $("#more").hidden = !next;
    say(status, $("#patrols tbody").children.length ? "" : t("none"));
  } catch (error) {
    say(status, error.message, "error");
  }
}

async function openPatrol(id) {
  const view = $("#patrol-view");
  const body = $("#patrol-body");
  view.hidden = false;
  let p;
  try {
    p = await session.call("GET", `/patrols/${id}`);
  } catch (error) {
    return say(body, error.message, "error");
  }
  view.dataset.id = id;
  $("#patrol-heading").textContent = `${p.person.name} · ${p.grid.name} · ${at(p.started_at)}`;
  const kind = (v) => `${t(v.kind)}${v.note ? ` · ${v.note}` : ""}`;
  const box = h("div", { id: "track-map", class: "map" });
  body.replaceChildren(...[
    h("div", { class: "row patrol-figures" }, ...[["time", duration(p.minutes)], ["distance", distance(p.metres)], ["visits", String(p.visits.length)],
      ["found", String(p.problems_found)], ["fixed", String(p.fixed_on_the_spot)]].map(([key, value]) =>
      h("span", { class: "badge", "data-figure": key }, h("strong", {}, value), " ", h("span", { class: "muted" }, t(key))))),
    h("p", {}, `${t(p.state)}${p.ended_at ? ` · ${at(p.started_at)} – ${at(p.ended_at)}` : ""}${p.grid_day_id ? ` · ${t("grid_day")}` : ""}`),
    p.track_thinned ? h("p", { class: "muted", id: "track-thinned" }, t("thinned")) : (p.track || []).length ? box : h("p", { class: "muted" }, t("no_track")),
    p.track_simplified ? h("p", { class: "muted" }, t("simplified")) : null,
    h("h3", {}, t("visit_list")),
    h("ul", { id: "visits" }, ...(p.visits.length ? p.visits.map((v) => h("li", {}, kind(v), h("span", { class: "muted" }, ` · ${at(v.at)}${v.micro_grid ? ` · ${v.micro_grid.name}` : ""}`)))
      : [h("li", { class: "muted" }, "—")])),
    h("h3", {}, t("problems")),
    h("ul", { id: "problems" }, ...(p.problems.length ? p.problems.map((c) => h("li", {},
      h("a", { href: `/console.html#case/${c.id}`, translate: "no" }, c.tracking_code), ` · ${categoryText(categories, c.category)} · ${stateText(c.state)}`, c.fixed_on_the_spot ? ` · ${t("fixed")}` : ""))
      : [h("li", { class: "muted" }, "—")]))].filter(Boolean));
  if ((p.track || []).length && !p.track_thinned) await trackMap(box, p.track, p.visits, gridNodes, { tenant: session.tenant, visitTitle: kind });
  view.scrollIntoView({ block: "start" });
  view.focus();
}

function route() {
  const match = location.hash.match(/^#patrol\/(\d+)$/);
  if (match) openPatrol(Number(match[1]));
}

async function start() {
  if (!showSignedIn(session)) return;
  const params = new URLSearchParams(location.search);
  const from = new Date(Date.now() - 30 * 86400000);
  const form = $("#filters");
  if (!form.from.value) form.from.value = `${from.getFullYear()}-${String(from.getMonth() + 1).padStart(2, "0")}-${String(from.getDate()).padStart(2, "0")}`;
  try {
    gridNodes = (await session.call("GET", "/admin/grid?geometry=true")).nodes;
    categories = (await session.call("GET", "/admin/categories")).items;
    // The people who patrolled in the period, to pick one.
    const figures = await session.call("GET", `/patrols/figures?from=${form.from.value}`);
    const select = form.person;
    select.replaceChildren(select.options[0], ...figures.by_person.map((p) => h("option", { value: p.id }, p.name)));
    if (params.get("person")) {
      if (![...select.options].some((o) => o.value === params.get("person"))) select.append(h("option", { value: params.get("person") }, `#${params.get("person")}`));
      select.value = params.get("person");
    }
  } catch (error) {
    say($("#status"), error.message, "error");
  }
  await loadList();
  route();
}

$("#filters").addEventListener("submit", (event) => { event.preventDefault(); loadList(); });
$("#more").addEventListener("click", () => loadList(true));
$("#close-patrol").addEventListener("click", () => { $("#patrol-view").hidden = true; history.replaceState(null, "", location.pathname + location.search); });
window.addEventListener("hashchange", route);
$("#logout").addEventListener("click", () => { session.logout(); start(); });
loginForm($("#login-view"), session, start);
I18N.apply();
onLang(() => { if (session.valid) { loadList(); if (!$("#patrol-view").hidden) openPatrol($("#patrol-view").dataset.id); } });
start();
