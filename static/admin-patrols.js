// The admin page's grid-day section (docs/patrols.md): schedule a 网格日 (a
// date, a title, the grids from the grid tree, the grid workers and
// volunteers who go), list the days with their totals and who signed in,
// edit or delete one (deleting only before the day), and the tenant's
// track retention (tracks older than it are thinned to their summary).
// admin.js shows it as a section.
"use strict";

I18N.add({
  zh: {
    problem_grid_day_started: "已有人签到：日期、网格和已签到的人员不能再改，只能改标题或增加",
    grid_days: "网格日", volunteer: "志愿者", gd_new: "安排网格日", gd_edit: "修改网格日：{0}", gd_date: "日期", gd_title: "名称",
    gd_grids: "网格（可多选）", gd_grid_col: "网格", gd_members: "参加人员（网格员、志愿者）", gd_none_members: "还没有网格员或志愿者账号：请先在“人员与角色”中添加",
    gd_list: "已安排的网格日", gd_none: "还没有安排网格日", gd_people: "签到人数", gd_patrols: "巡查", gd_hours: "时长",
    gd_km: "里程", gd_visits: "走访", gd_found: "发现问题", gd_fixed: "当场解决", gd_saved: "网格日已保存", gd_deleted: "网格日已删除",
    gd_edit_button: "修改", gd_delete: "删除", gd_cancel: "取消修改", gd_signed_in: "已签到", gd_not_signed_in: "未签到",
    gd_pick_grid: "请至少选择一个网格", gd_retention: "巡查轨迹保存期限", gd_retention_days: "保存天数（7–3650）",
    gd_retention_note: "轨迹属于个人信息：仅本人、指挥中心和街道管理员可见；超过保存期限的轨迹只保留小结（时长、里程、走访、问题）。",
    gd_retention_saved: "保存期限已设置", gd_select_all: "全选", gd_grid_count: "{0} 个网格", gd_hours_value: "{0} 小时", gd_km_value: "{0} 公里",
    gd_who: "签到情况",
  },
  en: {
    problem_grid_day_started: "People have signed in: the date, the grids and who signed in stay; change the title or add only",
    grid_days: "Grid days", volunteer: "Volunteer", gd_new: "Schedule a grid day", gd_edit: "Edit the grid day: {0}", gd_date: "Date", gd_title: "Title",
    gd_grids: "Grids (choose any)", gd_grid_col: "Grids", gd_members: "Who goes (grid workers, volunteers)", gd_none_members: "No grid worker or volunteer account yet: add them under People and roles",
    gd_list: "Scheduled grid days", gd_none: "No grid day yet", gd_people: "Signed in", gd_patrols: "Patrols", gd_hours: "Time",
    gd_km: "Distance", gd_visits: "Visits", gd_found: "Problems found", gd_fixed: "Fixed on the spot", gd_saved: "Grid day saved", gd_deleted: "Grid day deleted",
    gd_edit_button: "Edit", gd_delete: "Delete", gd_cancel: "Cancel editing", gd_signed_in: "signed in", gd_not_signed_in: "not signed in",
    gd_pick_grid: "Choose at least one grid", gd_retention: "Patrol track retention", gd_retention_days: "Days kept (7–3650)",
    gd_retention_note: "Tracks are personal data: only the worker, the command centre and the tenant admin see them; past the retention only their summary (time, distance, visits, problems) stays.",
    gd_retention_saved: "Retention saved", gd_select_all: "All", gd_grid_count: "{0} grids", gd_hours_value: "{0} h", gd_km_value: "{0} km",
    gd_who: "Who signed in",
  },
});

const GRID_DAY_ROLES = ["grid_worker", "volunteer"];
const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
const daysFromNow = (n) => { const d = new Date(); d.setDate(d.getDate() + n); return isoDay(d); };

/** Every account of the tenant (the list is paged). */
async function allUsers() {
  const users = [];
  let after = null;
  for (let i = 0; i < 50; i++) {
    const page = await session.call("GET", `/admin/users${after ? `?after=${after}` : ""}`);
    users.push(...page.items);
    after = page.next_after;
    if (!after) break;
  }
  return users;
}

async function drawGridDays(editing = null) {
  const [grid, users, { items: days }, settings] = await Promise.all([
    session.call("GET", "/admin/grid"), allUsers(),
    session.call("GET", `/grid-days?from=${daysFromNow(-60)}&to=${daysFromNow(365)}`),
    session.call("GET", "/admin/patrol-settings"),
  ]);
  const day = editing ? await session.call("GET", `/grid-days/${editing}`) : null;
  const chosenGrids = new Set(day ? day.grids.map((g) => g.id) : []);
  const chosenMembers = new Set(day ? day.members.map((m) => m.id) : []);
  const signedIn = new Map(day ? day.members.map((m) => [m.id, m.signed_in]) : []);
  const members = users.filter((u) => GRID_DAY_ROLES.includes(u.role) && !u.disabled);

  // The grids to pick, under their communities: a grid, and its micro-grids indented beneath it.
  const communities = grid.nodes.flatMap((township) => township.children || []).filter((c) => !c.retired);
  const gridBox = (n) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "grid_ids", value: n.id, checked: chosenGrids.has(n.id) }), " ", n.name, " ",
    h("span", { class: "muted", translate: "no" }, n.code));
  const live = (list) => (list || []).filter((n) => !n.retired);
  const gridPicker = h("fieldset", { id: "gd-grids" }, h("legend", {}, t("gd_grids")),
    h("ul", {}, ...communities.map((c) => h("li", {}, h("strong", {}, c.name),
      h("ul", {}, ...live(c.children).map((g) => h("li", {}, gridBox(g),
        live(g.children).length ? h("ul", {}, ...live(g.children).map((m) => h("li", {}, gridBox(m)))) : null)))))));
  const memberPicker = h("fieldset", { id: "gd-members" }, h("legend", {}, t("gd_members")),
    ...(members.length ? members.map((u) => h("label", { class: "check" },
      h("input", { type: "checkbox", name: "member_ids", value: u.id, checked: chosenMembers.has(u.id) }), " ", u.display_name,
      h("span", { class: "muted" }, ` · ${t(u.role)}`),
      signedIn.has(u.id) ? h("span", { class: signedIn.get(u.id) ? "ok" : "muted" }, ` · ${t(signedIn.get(u.id) ? "gd_signed_in" : "gd_not_signed_in")}`) : null))
      : [h("p", { class: "muted" }, t("gd_none_members"))]));
  const form = h("form", { id: "grid-day-form", "data-editing": editing || "" },
    h("h3", {}, day ? t("gd_edit", `${day.date} ${day.title}`) : t("gd_new")),
    h("div", { class: "row" },
      h("label", {}, h("span", {}, t("gd_date")), h("input", { type: "date", name: "date", required: true, value: day ? day.date : "" })),
      h("label", {}, h("span", {}, t("gd_title")), h("input", { name: "title", required: true, maxlength: 60, value: day ? day.title : "" }))),
    h("div", { class: "split" }, gridPicker, memberPicker),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("save")),
      day ? h("button", { type: "button", onclick: () => drawGridDays() }, t("gd_cancel")) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      date: data.get("date"), title: data.get("title").trim(),
      grid_ids: data.getAll("grid_ids").map(Number), member_ids: data.getAll("member_ids").map(Number),
    };
    if (!body.grid_ids.length) return say($("#section-status"), t("gd_pick_grid"), "error");
    try {
      if (editing) await session.call("PUT", `/grid-days/${editing}`, { body });
      else await session.call("POST", "/grid-days", { body });
      await drawGridDays();
      say($("#section-status"), t("gd_saved"), "ok");
    } catch (error) {
      say($("#section-status"), problemText(error.status, error.problem, error.retryAfter, form), "error");
    }
  });

  const today = isoDay(new Date());
  const heads = ["gd_date", "gd_title", "gd_grid_col", "gd_people", "gd_patrols", "gd_hours", "gd_km", "gd_visits", "gd_found", "gd_fixed", null];
  const rows = days.map((d) => {
    const x = d.totals || {};
    return h("tr", { "data-day": d.id },
      h("td", {}, d.date), h("td", {}, d.title), h("td", {}, t("gd_grid_count", d.grids.length)),
      h("td", {}, String(x.people_signed_in ?? 0)),
      h("td", {}, String(x.patrols ?? 0)), h("td", {}, t("gd_hours_value", ((x.minutes || 0) / 60).toFixed(1))),
      h("td", {}, t("gd_km_value", ((x.metres || 0) / 1000).toFixed(2))), h("td", {}, String(x.visits ?? 0)),
      h("td", {}, String(x.problems_found ?? 0)), h("td", {}, String(x.fixed_on_the_spot ?? 0)),
      h("td", { class: "actions" }, h("button", { type: "button", "data-edit": d.id, onclick: () => drawGridDays(d.id) }, t("gd_edit_button")),
        d.date > today ? h("button", { type: "button", "data-delete": d.id, onclick: () => deleteGridDay(d.id) }, t("gd_delete")) : null));
  });
  const table = rows.length
    ? h("div", { class: "table-scroll" }, h("table", { id: "grid-days", class: "nowrap" },
      h("thead", {}, h("tr", {}, ...heads.map((k) => h("th", {}, k ? t(k) : "")))), h("tbody", {}, ...rows)))
    : h("p", { class: "muted" }, t("gd_none"));

  const retention = h("form", { id: "retention-form", class: "row" },
    h("label", {}, h("span", {}, t("gd_retention_days")),
      h("input", { type: "number", name: "track_retention_days", min: 7, max: 3650, required: true, value: settings.track_retention_days })),
    h("button", { type: "submit" }, t("save")));
  retention.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await session.call("PUT", "/admin/patrol-settings", { body: { track_retention_days: Number(retention.elements.track_retention_days.value) } });
      say($("#section-status"), t("gd_retention_saved"), "ok");
    } catch (error) {
      say($("#section-status"), problemText(error.status, error.problem, error.retryAfter, retention), "error");
    }
  });

  $("#section-body").replaceChildren(form, h("h3", {}, t("gd_list")), table,
    h("div", { role: "group", "aria-labelledby": "retention-heading" }, h("h3", { id: "retention-heading" }, t("gd_retention")),
      h("p", { class: "muted" }, t("gd_retention_note")), retention));
  if (editing) form.scrollIntoView({ block: "start" });
}

async function deleteGridDay(id) {
  try {
    await session.call("DELETE", `/grid-days/${id}`);
    await drawGridDays();
    say($("#section-status"), t("gd_deleted"), "ok");
  } catch (error) {
    say($("#section-status"), error.message, "error");
  }
}
