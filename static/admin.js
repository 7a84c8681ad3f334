// The tenant admin's page: the grid (tree, map, import), departments,
// categories, routing rules, people and roles, the working calendar, API
// keys, webhooks, SMS notifications (admin-sms.js), grid days and patrol
// settings (admin-patrols.js) and the audit log. Lists with a "create" form are described
// as data (LISTS) and drawn by one function.
"use strict";

I18N.add({
  en: {
    title: "Township admin", console: "Console", login_heading: "Admin sign-in",
  },
});
I18N.add({
  zh: {
    grid: "网格", departments: "职能部门", categories: "问题类别", rules: "分拨规则", people: "人员与角色", calendar: "工作日历",
    api_keys: "API 密钥", webhooks: "Webhook", audit: "审计日志", code: "代码", name: "名称", retired: "已停用",
    name_zh: "中文名", name_en: "英文名", response_hours: "响应时限（小时）", resolution_hours: "办结时限（小时）",
    default_department_id: "默认部门", login: "账号", display_name: "姓名", role: "角色", phone: "手机号",
    department_id: "所属部门", place_required: "须标明位置", disabled: "已停用", created_at: "创建时间", revoked_at: "吊销时间", url: "地址",
    retired_at: "停用时间", at: "时间", actor: "操作人", action: "操作", target_type: "对象", target_id: "编号",
    add: "新增", saved: "已保存", save: "保存", remove: "删除", revoke: "吊销", retire: "停用", more: "更多",
    key_shown: "新密钥（只显示这一次）：{0}", category: "类别", grid_node_id: "网格（可选，含下级）",
    department: "部门", add_rule: "添加规则", rules_note: "按顺序匹配，第一条匹配的规则生效；没有规则的类别进入指挥中心待研判。",
    import: "导入网格（CSV 或 JSON，全部成功或全部不导入）", import_go: "导入", imported: "已导入 {0} 个网格",
    file: "文件", format: "格式", work_day_start: "上班时间", work_day_end: "下班时间", day: "日期", kind: "类型",
    holiday: "放假", workday: "调休上班", add_day: "添加日期", level: "层级", households: "户数", any: "—",
    township: "街道", community: "社区/村", micro_grid: "微网格", none: "暂无",
    a_change_password: "修改密码", a_create: "新增", a_delete: "删除", a_import: "导入", a_issue: "签发", a_publish: "发布",
    a_retire: "停用", a_revoke: "吊销", a_set_calendar: "设置日历", a_set_grids: "分配网格", a_set_routing_rules: "设置分拨规则",
    a_set_visibility: "设置公示", a_update: "修改", a_withdraw: "撤回", a_approve: "审核通过", a_reject: "审核不通过",
    o_user: "人员", o_agent_point: "代办点", o_category: "问题类别", o_department: "职能部门", o_grid_node: "网格", o_grid: "网格",
    o_webhook: "Webhook", o_api_key: "API 密钥", o_notice: "公告", o_policy: "政策文件", o_policy_answer: "政策问答",
    o_calendar: "工作日历", o_routing_rules: "分拨规则", o_attachment: "附件", o_enterprise: "企业",
    a_set_map_settings: "设置底图", o_map_settings: "底图",
    tiles: "底图（街道地图）", tiles_note: "默认使用天地图（CGCS2000，与手机定位的 WGS-84 一致），需填写天地图密钥（tk）后显示。高德、腾讯地图使用 GCJ-02 坐标，页面会自动换算，服务器始终保存 WGS-84。",
    preset: "地图服务", preset_custom: "自定义", base_url: "底图地址模板", overlay_url: "注记图层地址模板（可选）",
    subdomains: "子域名（{s}）", attribution: "版权说明", crs: "坐标系", key: "密钥（{key}，如天地图 tk）", max_zoom: "最大缩放级别",
    tiles_saved: "底图已保存",
    tenant_admin: "街道管理员", command_centre: "指挥中心", department_staff: "部门人员", grid_worker: "网格员", agent: "代办员", enterprise: "企业",
  },
  en: {
    a_change_password: "Password changed", a_create: "Created", a_delete: "Deleted", a_import: "Imported", a_issue: "Issued",
    a_publish: "Published", a_retire: "Retired", a_revoke: "Revoked", a_set_calendar: "Calendar set", a_set_grids: "Grids assigned",
    a_set_routing_rules: "Routing rules set", a_set_visibility: "Visibility set", a_update: "Updated", a_withdraw: "Withdrawn",
    a_approve: "Approved", a_reject: "Refused",
    o_user: "Person", o_agent_point: "Agent point", o_category: "Category", o_department: "Department", o_grid_node: "Grid",
    o_grid: "Grid", o_webhook: "Webhook", o_api_key: "API key", o_notice: "Notice", o_policy: "Policy", o_policy_answer: "Policy answer",
    o_calendar: "Working calendar", o_routing_rules: "Routing rules", o_attachment: "Attachment", o_enterprise: "Enterprise",
    a_set_map_settings: "Base map set", o_map_settings: "Base map",
    tiles: "Base map (street tiles)", tiles_note: "天地图 by default (CGCS2000, which phones' WGS-84 positions match); it shows once its key (tk) is set. AMap and Tencent draw in GCJ-02: the pages convert, and the server always stores WGS-84.",
    preset: "Map service", preset_custom: "Custom", base_url: "Tile URL template", overlay_url: "Annotation layer template (optional)",
    subdomains: "Subdomains ({s})", attribution: "Attribution", crs: "Coordinate system", key: "Key ({key}, e.g. 天地图's tk)", max_zoom: "Deepest zoom",
    tiles_saved: "Base map saved",
    grid: "Grid", departments: "Departments", categories: "Categories", rules: "Routing rules", people: "People and roles",
    calendar: "Working calendar", api_keys: "API keys", webhooks: "Webhooks", audit: "Audit log", code: "Code", name: "Name",
    retired: "Retired", name_zh: "Chinese name", name_en: "English name", response_hours: "Respond within (h)",
    resolution_hours: "Resolve within (h)", default_department_id: "Default department", login: "Login",
    display_name: "Name", role: "Role", phone: "Mobile", department_id: "Department", place_required: "Place required", disabled: "Disabled",
    created_at: "Created", revoked_at: "Revoked", url: "URL", retired_at: "Retired", at: "At", actor: "Who",
    action: "Action", target_type: "Object", target_id: "Id", add: "Add", saved: "Saved", save: "Save", remove: "Remove",
    revoke: "Revoke", retire: "Retire", more: "More", key_shown: "New key (shown this once): {0}", category: "Category",
    grid_node_id: "Grid (optional, with what is under it)", department: "Department", add_rule: "Add a rule",
    rules_note: "Tried in order, the first match wins; categories without a rule wait in the command centre's triage.",
    import: "Import the grid (CSV or JSON, all or nothing)", import_go: "Import", imported: "Imported {0} grids",
    file: "File", format: "Format", work_day_start: "Work starts", work_day_end: "Work ends", day: "Date", kind: "Kind",
    holiday: "Holiday", workday: "Make-up working day", add_day: "Add a date", level: "Level", households: "Households",
    any: "—", township: "Township", community: "Community", micro_grid: "Micro-grid", none: "None",
    tenant_admin: "Tenant admin", command_centre: "Command centre", department_staff: "Department staff",
    grid_worker: "Grid worker", agent: "Agent", enterprise: "Enterprise",
  },
});

const session = new Session("admin");
// Least powerful first, so a new account starts with the least it could be
// given (docs/permissions.md): a volunteer (grid days only), an agent, a grid worker, a department's staff,
// the command centre, an administrator; companies' accounts last (they
// usually come from the company's own registration).
const ROLES = ["volunteer", "agent", "grid_worker", "department_staff", "command_centre", "tenant_admin", "enterprise"];
let departments = [];
let categories = [];
let gridNodes = [];
let section = "grid";

const departmentOptions = () => [["", t("any")], ...departments.filter((d) => !d.retired).map((d) => [String(d.id), d.name])];
const when = (iso) => (iso ? new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en") : "");

/** The log's account string in words: the person and their department, else the string. */
const actorWords = (e) => (e.actor_name ? [e.actor_name, e.actor_department].filter(Boolean).join(" · ") : e.actor);
/** A word of the log (`prefix_value` in the dictionaries), or the value itself when there is none. */
const inWords = (prefix, value) => {
  const key = `${prefix}_${value}`;
  const said = t(key);
  return said === key ? value : said;
};
/**
 * Lists drawn from one description: `path` lists (answer `items`), `columns`
 * are shown (a function formats a cell), `create` fields make the form
 * (`[name, type, options]`), `row` adds a per-row button ([label, method]).
 */
const LISTS = {
  departments: { path: "/admin/departments", columns: ["code", "name", ["retired", (d) => (d.retired ? "✓" : "")]],
    create: [["code", "text"], ["name", "text"]] },
  categories: { path: "/admin/categories",
    columns: ["code", "name_zh", "name_en", "response_hours", "resolution_hours", ["default_department_id", (c) => departmentName(c.default_department_id)],
      ["place_required", (c) => (c.place_required ? "✓" : "—")]],
    create: [["code", "text"], ["name_zh", "text"], ["name_en", "text"], ["response_hours", "number"], ["resolution_hours", "number"],
      ["default_department_id", "select", departmentOptions], ["place_required", "boolean"]] },
  people: { path: "/admin/users", columns: ["login", "display_name", ["role", (u) => t(u.role)], "phone", ["department_id", (u) => departmentName(u.department_id)], ["disabled", (u) => (u.disabled ? "✓" : "")]],
    create: [["login", "text"], ["display_name", "text"], ["role", "select", () => ROLES.map((r) => [r, t(r)])], ["password", "password"],
      ["phone", "tel", null, true], ["department_id", "select", departmentOptions]] },
  api_keys: { path: "/admin/api-keys", columns: ["name", ["created_at", (k) => when(k.created_at)], ["revoked_at", (k) => when(k.revoked_at)]],
    create: [["name", "text"]], row: ["revoke", "DELETE", (k) => !k.revoked_at], shows: "key" },
  webhooks: { path: "/admin/webhooks", columns: ["url", ["created_at", (w) => when(w.created_at)], ["retired_at", (w) => when(w.retired_at)]],
    create: [["url", "url"]], row: ["retire", "DELETE", (w) => !w.retired_at] },
  audit: { path: "/admin/audit", columns: [["at", (e) => when(e.at)], ["actor", actorWords], ["action", (e) => inWords("a", e.action)],
    ["target_type", (e) => inWords("o", e.target_type)], "target_id"], paged: true },
};
const departmentName = (id) => (id === null || id === undefined ? "" : (departments.find((d) => d.id === id) || { name: `#${id}` }).name);

async function drawList(name, after) {
  const spec = LISTS[name];
  const status = $("#section-status");
  let page;
  try {
    page = await session.call("GET", `${spec.path}${after ? `?after=${after}` : ""}`);
  } catch (error) {
    return say(status, error.message, "error");
  }
  const cell = (item, column) => (Array.isArray(column) ? column[1](item) : item[column] ?? "");
  const rows = page.items.map((item) => h("tr", {}, ...spec.columns.map((c) => h("td", {}, String(cell(item, c)))),
    spec.row ? h("td", {}, spec.row[2](item) ? h("button", { type: "button", onclick: () => rowAction(name, item) }, t(spec.row[0])) : "") : null));
  if (after) {
    $("#list tbody").append(...rows);
  } else {
    $("#section-body").replaceChildren(
      spec.create ? createForm(name) : "",
      h("table", { id: "list" }, h("thead", {}, h("tr", {}, ...spec.columns.map((c) => h("th", {}, t(Array.isArray(c) ? c[0] : c))), spec.row ? h("th", {}) : null)),
        h("tbody", {}, ...rows)));
  }
  $("#list").nextElementSibling?.remove();
  if (spec.paged && page.next_after) $("#list").after(h("button", { type: "button", onclick: () => drawList(name, page.next_after) }, t("more")));
  say(status, page.items.length || after ? "" : t("none"));
}

function field([name, type, options, optional]) {
  // A yes/no setting starts at yes (a category's place is asked for unless the admin says otherwise).
  if (type === "boolean") return h("label", { class: "check" }, h("input", { type: "checkbox", name, checked: true }), " ", t(name));
  const input = type === "select"
    ? h("select", { name }, ...options().map(([value, label]) => h("option", { value }, label)))
    : h("input", { name, type, required: !optional, autocomplete: "off", min: type === "number" ? 1 : null });
  return h("label", {}, h("span", {}, t(name)), input);
}

function createForm(name) {
  const spec = LISTS[name];
  const form = h("form", { class: "row create" }, ...spec.create.map(field), h("button", { type: "submit" }, t("add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {};
    for (const [key, type] of spec.create) {
      const value = data.get(key);
      if (type === "boolean") { body[key] = value === "on"; continue; }
      if (value === "" || value === null) continue;
      body[key] = type === "number" || key.endsWith("_id") ? Number(value) : value;
    }
    try {
      const made = await session.call("POST", spec.path, { body });
      await reference();
      await drawList(name);
      if (spec.shows) say($("#section-status"), t("key_shown", made[spec.shows]), "ok");
      else say($("#section-status"), t("saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  return form;
}

async function rowAction(name, item) {
  const spec = LISTS[name];
  try {
    await session.call(spec.row[1], `${spec.path}/${item.id}`);
    await drawList(name);
  } catch (error) {
    say($("#section-status"), error.message, "error");
  }
}

// ---- the grid: tree, map and import ----
async function drawGrid() {
  const grid = await session.call("GET", "/admin/grid?geometry=true");
  gridNodes = flattenGrid(grid.nodes);
  const tree = (list) => h("ul", {}, ...list.map((n) => h("li", { class: n.retired ? "muted" : "" },
    // A grid code is shown as it was typed (translate="no": not a word of any language).
    `${n.name} `, h("span", { class: "muted" }, h("span", { translate: "no" }, n.code), ` · ${t(n.level)}${n.households ? ` · ${n.households}` : ""}`),
    n.children && n.children.length ? tree(n.children) : null)));
  const box = h("div", { class: "map", id: "grid-map" });
  const form = h("form", { id: "import-form" },
    h("label", {}, h("span", {}, t("format")), h("select", { name: "format" }, h("option", { value: "text/csv" }, "CSV"), h("option", { value: "application/json" }, "JSON"))),
    h("label", {}, h("span", {}, t("file")), h("input", { type: "file", name: "file", accept: ".csv,.json,text/csv,application/json", required: true })),
    h("button", { type: "submit" }, t("import_go")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const file = data.get("file");
      const done = await session.call("POST", "/admin/grid/import", { body: new Blob([await file.arrayBuffer()], { type: data.get("format") }) });
      say($("#section-status"), t("imported", done.created ?? ""), "ok");
      drawGrid();
    } catch (error) {
      // An import's refusal lists its rows (`problems`): each by its line and the column's words.
      const rows = (error.problem && error.problem.problems) || [];
      say($("#section-status"), [error.message, ...rows.slice(0, 10).map((r) => problemRowText(r))].join("\n"), "error");
    }
  });
  $("#section-body").replaceChildren(h("div", { class: "split" }, h("div", {}, tree(grid.nodes)), h("div", {}, box,
    h("h3", {}, t("import")), form, await tilesForm())));
  if (!(await gridMap(box, grid.nodes, { tenant: session.tenant }))) box.replaceWith(h("p", { class: "muted" }, t("map_empty")));
}

// ---- the base map: the tenant's tiles (GET/PUT …/admin/map, docs/maps.md) ----
// Public tile services a township may choose; the key is the tenant's own.
const TILE_PRESETS = {
  tianditu: { base_url: "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
    overlay_url: "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
    subdomains: "01234567", attribution: "© 天地图 · 国家地理信息公共服务平台", crs: "cgcs2000", max_zoom: 18 },
  amap: { base_url: "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
    overlay_url: "", subdomains: "1234", attribution: "© 高德地图", crs: "gcj02", max_zoom: 18 },
  tencent: { base_url: "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&styleid=1000&scene=0",
    overlay_url: "", subdomains: "0123", attribution: "© 腾讯地图", crs: "gcj02", max_zoom: 18 },
};
const PRESET_NAMES = { tianditu: "天地图", amap: "高德地图 (AMap)", tencent: "腾讯地图 (Tencent)" };
async function tilesForm() {
  const tiles = await session.call("GET", "/admin/map");
  const input = (name, attrs = {}) => labelled(name, h("input", { name, value: tiles[name] ?? "", ...attrs }));
  const preset = Object.keys(TILE_PRESETS).find((k) => TILE_PRESETS[k].base_url === tiles.base_url) || "custom";
  const form = h("form", { id: "tiles-form" },
    h("p", { class: "muted" }, t("tiles_note")),
    labelled("preset", h("select", { name: "preset" }, ...[...Object.keys(TILE_PRESETS), "custom"].map((k) =>
      h("option", { value: k, selected: k === preset }, k === "custom" ? t("preset_custom") : PRESET_NAMES[k])))),
    input("key", { autocomplete: "off", maxlength: 100 }),
    input("base_url", { required: true, maxlength: 500, type: "url" }),
    input("overlay_url", { maxlength: 500, type: "url" }),
    input("subdomains", { maxlength: 16 }),
    input("attribution", { required: true, maxlength: 200 }),
    labelled("crs", h("select", { name: "crs" }, ...["cgcs2000", "wgs84", "gcj02"].map((c) =>
      h("option", { value: c, selected: c === tiles.crs }, { cgcs2000: "CGCS2000（天地图）", wgs84: "WGS-84", gcj02: "GCJ-02（高德、腾讯）" }[c])))),
    input("max_zoom", { type: "number", min: 10, max: 22, required: true }),
    h("button", { type: "submit" }, t("save")));
  form.elements.preset.addEventListener("change", () => {
    const chosen = TILE_PRESETS[form.elements.preset.value];
    if (chosen) for (const [key, value] of Object.entries(chosen)) form.elements[key].value = value;
  });
  onSubmit(form, async (data) => {
    const text = (name) => (data.get(name) || "").trim() || null;
    await session.call("PUT", "/admin/map", { body: {
      base_url: text("base_url"), overlay_url: text("overlay_url"), subdomains: text("subdomains"), attribution: text("attribution"),
      crs: data.get("crs"), key: text("key"), max_zoom: Number(data.get("max_zoom")),
    } });
    tileSettings.delete(session.tenant);
  }, async () => { await drawGrid(); say($("#section-status"), t("tiles_saved"), "ok"); });
  return h("section", { "aria-labelledby": "tiles-heading" }, h("h3", { id: "tiles-heading" }, t("tiles")), form);
}

// ---- routing rules: the ordered list, replaced whole ----
async function drawRules() {
  const { rules } = await session.call("GET", "/admin/routing-rules");
  if (!gridNodes.length) gridNodes = flattenGrid((await session.call("GET", "/admin/grid")).nodes);
  const select = (name, options, value) => h("select", { name, "aria-label": t(name) }, ...options.map(([v, label]) => h("option", { value: v, selected: String(value ?? "") === v }, label)));
  const row = (r = {}) => h("tr", {},
    h("td", {}, select("category", categories.map((c) => [c.code, `${c.name_zh} (${c.code})`]), r.category)),
    h("td", {}, select("grid_node_id", [["", t("any")], ...gridNodes.map((n) => [String(n.id), `${n.name} (${n.code})`])], r.grid_node_id)),
    h("td", {}, select("department_id", departmentOptions().slice(1), r.department_id)),
    h("td", {}, h("button", { type: "button", onclick: (e) => e.target.closest("tr").remove() }, t("remove"))));
  const body = h("tbody", {}, ...rules.map(row));
  const form = h("form", {}, h("p", { class: "muted" }, t("rules_note")),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("category")), h("th", {}, t("grid_node_id")), h("th", {}, t("department")), h("th", {}))), body),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => body.append(row()) }, t("add_rule")), h("button", { type: "submit" }, t("save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rules = $$("tr", body).map((tr) => ({
      category: $("[name=category]", tr).value,
      grid_node_id: $("[name=grid_node_id]", tr).value ? Number($("[name=grid_node_id]", tr).value) : null,
      department_id: Number($("[name=department_id]", tr).value),
    }));
    try {
      await session.call("PUT", "/admin/routing-rules", { body: { rules } });
      say($("#section-status"), t("saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  $("#section-body").replaceChildren(form);
}

// ---- the working calendar: hours and the days that depart from Monday to Friday ----
async function drawCalendar() {
  const calendar = await session.call("GET", "/admin/calendar");
  const row = (d = { day: "", kind: "holiday", name: "" }) => h("tr", {},
    h("td", {}, h("input", { type: "date", name: "day", value: d.day, required: true, "aria-label": t("day") })),
    h("td", {}, h("select", { name: "kind", "aria-label": t("kind") }, ...["holiday", "workday"].map((k) => h("option", { value: k, selected: d.kind === k }, t(k))))),
    h("td", {}, h("input", { name: "name", value: d.name, required: true, "aria-label": t("name") })),
    h("td", {}, h("button", { type: "button", onclick: (e) => e.target.closest("tr").remove() }, t("remove"))));
  const body = h("tbody", {}, ...calendar.days.map(row));
  const form = h("form", {},
    h("div", { class: "row" },
      h("label", {}, h("span", {}, t("work_day_start")), h("input", { type: "time", name: "work_day_start", value: calendar.work_day_start, required: true })),
      h("label", {}, h("span", {}, t("work_day_end")), h("input", { type: "time", name: "work_day_end", value: calendar.work_day_end, required: true }))),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, t("day")), h("th", {}, t("kind")), h("th", {}, t("name")), h("th", {}))), body),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => body.append(row()) }, t("add_day")), h("button", { type: "submit" }, t("save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const days = $$("tr", body).map((tr) => ({ day: $("[name=day]", tr).value, kind: $("[name=kind]", tr).value, name: $("[name=name]", tr).value.trim() }));
    try {
      await session.call("PUT", "/admin/calendar", { body: { work_day_start: form.elements.work_day_start.value, work_day_end: form.elements.work_day_end.value, days } });
      say($("#section-status"), t("saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  $("#section-body").replaceChildren(form);
}

const SECTIONS = ["grid", "departments", "categories", "rules", "people", "grid_days", "calendar", "api_keys", "webhooks", "sms", "triage", "warning_rules", "audit"];
async function show(name) {
  section = name;
  $("#sections").replaceChildren(...SECTIONS.map((s) => h("button", { type: "button", id: `s-${s}`, "aria-selected": String(s === name), onclick: () => show(s) }, t(s))));
  $("#section-heading").textContent = t(name);
  say($("#section-status"), "");
  try {
    if (name === "grid") await drawGrid();
    else if (name === "rules") await drawRules();
    else if (name === "calendar") await drawCalendar();
    else if (name === "sms") await drawSms();
    else if (name === "triage") await drawTriage();
    else if (name === "warning_rules") await drawWarningRules();
    else if (name === "grid_days") await drawGridDays();
    else await drawList(name);
  } catch (error) {
    say($("#section-status"), error.message, "error");
  }
}

async function reference() {
  [{ items: departments }, { items: categories }] = await Promise.all([
    session.call("GET", "/admin/departments"), session.call("GET", "/admin/categories")]);
}

async function start() {
  const signedIn = session.valid;
  $("#login-view").hidden = signedIn;
  $("#app-view").hidden = !signedIn;
  $("#logout").hidden = !signedIn;
  $("#me").textContent = signedIn ? `${session.data.name} · ${session.data.tenant_name}` : "";
  if (!signedIn) return;
  await reference().catch((error) => say($("#section-status"), error.message, "error"));
  show(section);
}
$("#logout").addEventListener("click", () => { session.logout(); start(); });
loginForm($("#login-view"), session, start);
I18N.apply();
onLang(() => { if (session.valid) show(section); });
start();
