// What every page shares: the language switch, calls to the API, the
// session of a signed-in person, small DOM helpers, time left on a clock,
// the phone's position. (The maps are map.js's.) No framework: each page
// must load fast on a cheap phone.
"use strict";

// ---- DOM ----
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** h("button", {type: "button", onclick: f}, "text", child) */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** Shows a message in a live region: `kind` is "error", "ok" or "". */
function say(el, text, kind = "") {
  el.className = kind;
  el.textContent = text;
}

// ---- language: zh-CN first; the HTML carries the Chinese, dictionaries the rest ----
const I18N = {
  lang: localStorage.getItem("lang") === "en" ? "en" : "zh",
  dict: { zh: {}, en: {} },
  listeners: [],
  original: new Map(),
  add(dict) {
    for (const lang of ["zh", "en"]) Object.assign(this.dict[lang], dict[lang] || {});
  },
  apply() {
    document.documentElement.lang = this.lang === "zh" ? "zh-CN" : "en";
    $$("[data-i18n]").forEach((el) => {
      if (!this.original.has(el)) this.original.set(el, el.textContent);
      el.textContent = this.lang === "en" ? this.dict.en[el.dataset.i18n] || this.original.get(el) : this.original.get(el);
    });
    // What a script draws names its key in data-t and is named again on every switch.
    $$("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    const button = $("#lang");
    if (button) button.textContent = this.lang === "zh" ? "English" : "中文";
    this.listeners.forEach((f) => f(this.lang));
  },
  toggle() {
    this.lang = this.lang === "zh" ? "en" : "zh";
    localStorage.setItem("lang", this.lang);
    this.apply();
  },
};
function t(key, ...args) {
  let text = I18N.dict[I18N.lang][key] || I18N.dict.zh[key] || I18N.dict.en[key] || key;
  args.forEach((arg, i) => { text = text.replace(`{${i}}`, arg); });
  return text;
}
function onLang(f) { I18N.listeners.push(f); }

I18N.add({
  zh: {
    error_network: "网络不可用，请稍后再试。", signed_out: "已退出登录", left: "剩余 {0}", late: "已超时 {0}",
    paused: "已暂停", minutes: "{0} 分钟", hours: "{0} 小时 {1} 分", days: "{0} 天 {1} 小时",
    map_hint: "点击地图选择位置", map_empty: "暂无网格边界数据", map_label: "网格地图",
    tenant: "街道/乡镇代码", user: "账号或手机号", password: "密码", sign_in: "登录", logout: "退出", login_heading: "登录",
    state: "状态", reported: "上报", accepted: "受理", registered: "立案", declined: "不予立案", dispatched: "分拨",
    signed_for: "签收", in_progress: "处置", awaiting_reporter: "待补充", resolved: "办结反馈",
    verified: "核查通过", closed: "结案", archived: "归档",
  },
  en: {
    error_network: "No network; please try again later.", signed_out: "Signed out", left: "{0} left", late: "{0} overdue",
    paused: "paused", minutes: "{0} min", hours: "{0} h {1} min", days: "{0} d {1} h",
    map_hint: "Click the map to pick the place", map_empty: "No grid shapes yet", map_label: "Grid map",
    tenant: "Township code", user: "User name or mobile", password: "Password", sign_in: "Sign in", logout: "Sign out", login_heading: "Sign in",
    state: "State",
    // states, as the API names them (the API sends Chinese labels)
    reported: "Reported", accepted: "Accepted", registered: "Registered", declined: "Declined",
    dispatched: "Dispatched", signed_for: "Signed for", in_progress: "In progress",
    awaiting_reporter: "Waiting for reporter", resolved: "Resolved", verified: "Verified",
    closed: "Closed", archived: "Archived",
  },
});

// ---- a case's flow: a button for each step the API lists, the forms of the steps that need more, the timeline ----
const ACTION_NAMES = {
  zh: {
    report: "上报", accept: "受理", decline: "不予立案", register: "立案", dispatch: "分拨", transfer: "转办",
    recategorise: "改类", sign_for: "签收", return: "退单", request_extension: "申请延期", grant_extension: "同意延期",
    refuse_extension: "驳回延期", start_work: "开始处置", await_reporter: "待补充材料", reporter_replied: "已补充",
    resolve: "办结反馈", verify: "核查通过", reject_verification: "核查不通过", close: "结案", reopen: "重新办理",
    archive: "归档", fixed_on_the_spot: "当场解决", undo_triage: "撤销智能分拨", comment: "备注", rating: "评价",
    mediation_session_scheduled: "安排调解", mediation_session_held: "召开调解会议", agent_passed_up: "代办事项上交",
    escalate: "督办", assist_done: "联办部门完成", reporter_information: "群众补充信息", open311_update: "外部系统更新",
  },
  en: {
    report: "Report", accept: "Accept", decline: "Decline", register: "Register", dispatch: "Dispatch", transfer: "Transfer",
    recategorise: "Re-categorise", sign_for: "Sign for", return: "Return", request_extension: "Ask for more time",
    grant_extension: "Grant extension", refuse_extension: "Refuse extension", start_work: "Start work",
    await_reporter: "Wait for reporter", reporter_replied: "Reporter replied", resolve: "Resolve", verify: "Verify",
    reject_verification: "Send back", close: "Close", reopen: "Reopen", archive: "Archive",
    fixed_on_the_spot: "Fixed on the spot", undo_triage: "Undo smart dispatch", comment: "Comment", rating: "Rating",
    mediation_session_scheduled: "Session scheduled", mediation_session_held: "Session held", agent_passed_up: "Passed up",
    escalate: "Escalated", assist_done: "Assisting part done", reporter_information: "Reporter added information",
    open311_update: "Open311 update",
  },
};
const actionName = (a) => ACTION_NAMES[I18N.lang][a] || a;
I18N.add({
  zh: {
    department: "承办部门", category: "类别", reason: "理由", answer: "答复意见", result_photos: "办理结果照片",
    confirm: "确定", cancel: "取消", assisting: "联办部门（可选）", part: "承担的工作",
    choose: "请选择", no_actions: "当前没有可办理的操作", stale: "案件已被他人更新，已刷新，请再试一次",
  },
  en: {
    department: "Department", category: "Category", reason: "Reason", answer: "Answer", result_photos: "Photos of the result",
    confirm: "Confirm", cancel: "Cancel", assisting: "Assisting departments (optional)", part: "their part",
    choose: "Please choose", no_actions: "No step to take now", stale: "Someone else changed the case; it is reloaded, try again",
  },
});

/**
 * The first option of a choice nobody should make by default (a department
 * to dispatch to, a role): empty, so a required select refuses to submit
 * until a real choice is made.
 */
const choosePrompt = () => h("option", { value: "", "data-t": "choose" }, t("choose"));

/**
 * The steps of case `c` (as GET …/cases/{id} gives it) for `session`: a
 * button for each step the API lists now, the form of a step that needs
 * more (`departments` and `categories` fill its choices, `categoryName`
 * names a category), and a status line. After a step, or when someone else
 * changed the case first (`version_conflict`), `reload()` shows the case again.
 */
function caseSteps(session, c, { departments = [], categories = [], categoryName = (code) => categoryText(categories, code), reload }) {
  const result = h("p", { id: "action-result", role: "status", "aria-live": "polite" });
  const holder = h("div", { id: "action-form" });
  const act = async (action, fields) => {
    try {
      await session.call("POST", `/cases/${c.id}/actions`, { body: { version: c.version, action, ...fields } });
      await reload();
      say($("#action-result"), `${actionName(action)} ✓`, "ok");
    } catch (error) {
      // Someone else took a step first: the case is shown again as it is now.
      if (error.code !== "version_conflict") return say($("#action-result"), error.message, "error");
      await reload();
      say($("#action-result"), t("stale"), "error");
    }
  };
  /** The form of `step` (from the API's `allowed_steps`: its fields, whether the result needs photos). */
  const open = ({ action, fields, photos_required }) => {
    const live = departments.filter((d) => !d.retired);
    const form = h("form", { class: "action-form", "data-action": action },
      ...fields.map((f) => {
        if (f === "department") return h("label", {}, h("span", {}, t("department")), h("select", { name: f, required: true }, choosePrompt(), ...live.map((d) => h("option", { value: d.code }, d.name))));
        if (f === "category") return h("label", {}, h("span", {}, t("category")), h("select", { name: f, required: true }, choosePrompt(), ...categories.filter((x) => !x.retired).map((x) => h("option", { value: x.code }, categoryName(x.code)))));
        if (f === "attachment_ids") return h("label", {}, h("span", {}, t("result_photos")), h("input", { name: "files", type: "file", accept: "image/*", multiple: true, required: photos_required }));
        return h("label", {}, h("span", {}, t(f)), h("textarea", { name: f, required: true, rows: 2, maxlength: 2000 }));
      }),
      // 联办: assisting departments for a dispatch, each with its part (optional).
      action === "dispatch" ? h("fieldset", { class: "assisting" }, h("legend", {}, t("assisting")),
        ...live.map((d) => h("div", { class: "row" },
          h("label", { class: "check" }, h("input", { type: "checkbox", name: "assist", value: d.code }), " ", d.name),
          h("input", { name: `part:${d.code}`, "aria-label": `${d.name} ${t("part")}`, placeholder: t("part"), maxlength: 500 })))) : null,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, `${t("confirm")}: ${actionName(action)}`),
        h("button", { type: "button", onclick: () => holder.replaceChildren() }, t("cancel"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = {};
      try {
        for (const f of fields) {
          if (f === "attachment_ids") body.attachment_ids = await uploadFiles(session, data.getAll("files"));
          else body[f] = data.get(f).trim();
        }
        const assisting = data.getAll("assist").filter((code) => code !== body.department)
          .map((code) => ({ department: code, part: (data.get(`part:${code}`) || "").trim() }));
        if (assisting.length) body.assisting = assisting;
      } catch (error) {
        return say(result, error.message, "error");
      }
      act(action, body);
    });
    holder.replaceChildren(form);
    $("textarea, select, input", form).focus();
  };
  // 当场解决 is only taken at intake, by the grid worker reporting it.
  const steps = (c.allowed_steps || []).filter((s) => s.action !== "fixed_on_the_spot");
  const buttons = steps.length ? h("div", { class: "actions" }, ...steps.map((s) => h("button", {
    type: "button", class: s.action === "resolve" || s.action === "dispatch" ? "primary" : "", "data-action": s.action,
    onclick: () => (s.fields.length ? open(s) : act(s.action, {})),
  }, actionName(s.action)))) : h("p", { class: "muted" }, t("no_actions"));
  return [buttons, holder, result];
}

// Who took a step when it is no person the API names: a case's source, the
// reporter, the platform's routing rules and deadline sweep, an Open311
// partner; a person's role when their account is not found.
I18N.add({
  zh: {
    actor_resident: "群众", actor_reporter: "上报人", actor_grid_worker: "网格员", actor_volunteer: "志愿者", actor_enterprise: "企业",
    actor_mediation: "矛调中心", actor_agent: "代办员", actor_user: "工作人员", actor_tenant_admin: "管理员",
    actor_command_centre: "指挥中心", actor_department_staff: "职能部门", actor_routing: "分拨规则",
    actor_sweep: "系统督办", actor_system: "平台", actor_open311: "Open311 合作方", actor_triage: "智能分拨",
    dispatch_triage: "{0}（置信度 {1}）",
    dispatch_assisting: "{0}（联办：{1}）", transfer_to: "转至{0}：{1}", recategorise_to: "改为{0}：{1}", list_sep: "、",
    escalation_warned: "预警", escalation_overdue: "超时督办", escalation_raised_higher: "提级督办", escalation_summoned: "约谈",
    escalation_supervised: "预警督办",
  },
  en: {
    actor_resident: "Resident", actor_reporter: "Reporter", actor_grid_worker: "Grid worker", actor_volunteer: "Volunteer", actor_enterprise: "Enterprise",
    actor_mediation: "Mediation centre", actor_agent: "Agent", actor_user: "Staff", actor_tenant_admin: "Administrator",
    actor_command_centre: "Command centre", actor_department_staff: "Department", actor_routing: "Routing rules",
    actor_sweep: "Deadline sweep", actor_system: "Platform", actor_open311: "Open311 partner", actor_triage: "Smart triage",
    dispatch_triage: "{0} (confidence {1})",
    dispatch_assisting: "{0} (assisting: {1})", transfer_to: "to {0}: {1}", recategorise_to: "to {0}: {1}", list_sep: ", ",
    escalation_warned: "Warned", escalation_overdue: "Overdue", escalation_raised_higher: "Raised to the higher level",
    escalation_summoned: "Summoned", escalation_supervised: "Supervised on an early warning",
  },
});

/** Who took step `e`: the person the API names (with their department or agent point), else what the actor string is. */
function actorText(e) {
  const unit = e.actor_department || e.actor_agent_point;
  if (e.actor_name) return unit ? `${e.actor_name} · ${unit}` : e.actor_name;
  // The platform's own steps: the routing rules dispatch, the sweep escalates.
  if (e.actor_kind === "system") return t(e.action === "escalate" ? "actor_sweep" : "actor_routing");
  return e.actor_kind ? known(`actor_${e.actor_kind}`, e.actor) : e.actor;
}

/** The words of `key`, or `fallback` when the dictionaries have none. */
const known = (key, fallback) => (I18N.dict.zh[key] ? t(key) : fallback);

/** A category's name in the current language, from the API's list of `categories`; its code when unknown. */
function categoryText(categories, code) {
  const c = (categories || []).find((x) => x.code === code);
  return c ? (I18N.lang === "en" ? c.name_en : c.name_zh) : code;
}

/**
 * The note of step `e` as people read it, from its `details` (the API's
 * structured data: codes), never from the note's words: a dispatch names
 * its department and the assisting ones, a transfer its department and
 * reason, a re-categorisation its category and reason, an assisting part
 * its department and answer, an escalation its level, all in words.
 */
function noteText(e, departments, categories = []) {
  const name = (code) => (departments.find((d) => d.code === code) || { name: code }).name;
  const d = e.details || {};
  const note = e.note || "";
  // The smart triage's own dispatch (智能分拨) says how sure it was.
  if (e.action === "dispatch" && d.department && typeof d.confidence === "number") {
    return t("dispatch_triage", name(d.department), `${Math.round(d.confidence * 100)}%`);
  }
  if (e.action === "dispatch" && d.department) {
    return (d.assisting || []).length ? t("dispatch_assisting", name(d.department), d.assisting.map(name).join(t("list_sep"))) : name(d.department);
  }
  if (e.action === "transfer" && d.department) return t("transfer_to", name(d.department), d.reason);
  if (e.action === "recategorise" && d.category) return t("recategorise_to", categoryText(categories, d.category), d.reason);
  if (e.action === "assist_done" && d.department) return `${name(d.department)}: ${note}`;
  // A supervision on an early warning (docs/warnings.md) carries the centre's reason.
  if (e.action === "escalate" && d.level && d.warning) return `${known(`escalation_${d.level}`, d.level)} · ${note}`;
  if (e.action === "escalate" && d.level) return known(`escalation_${d.level}`, d.level);
  return note;
}

/**
 * A case's timeline, oldest first: when, the step, the state it led to (when
 * it changed and reads other than the step: not "受理 → 受理"), who, the note
 * (`departments` and `categories`, as GET …/admin/departments and
 * …/admin/categories list them, name the departments and categories notes
 * name).
 */
function timelineList(c, departments = [], categories = []) {
  const moved = (e) => e.to_state && e.to_state !== e.from_state && stateText(e.to_state) !== actionName(e.action);
  return h("ol", { class: "timeline", id: "timeline" }, ...(c.timeline || []).map((e) => h("li", { "data-action": e.action },
    h("time", { datetime: e.at }, localTime(e.at)), " ",
    h("strong", {}, actionName(e.action)), moved(e) ? ` → ${stateText(e.to_state)}` : "", " · ",
    h("span", { class: "actor", "data-actor": e.actor }, actorText(e)),
    e.note ? h("div", { class: "note" }, noteText(e, departments, categories)) : null)));
}

/** A moment from the API as people here read it; "—" when there is none. */
const localTime = (iso) => (iso ? new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en") : "—");

/** A moment as a datetime-local input with `step: 1` shows it (the device's time zone, to the second). */
const inputTime = (date = new Date()) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 19);

/** A label whose text is named by `key` (and named again on a language switch) around `control`. */
const labelled = (key, control) => h("label", {}, h("span", { "data-t": key }, t(key)), control);

/**
 * On submit, sends `form` with `send(formData)` (its button disabled
 * meanwhile), then runs `after()`; a failure is said in a status line at the
 * form's end. Returns the form.
 */
function onSubmit(form, send, after) {
  const out = h("p", { role: "status", "aria-live": "polite" });
  form.append(out);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      await send(new FormData(form));
      await after();
    } catch (error) {
      say(out, error.message, "error");
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The non-empty fields of `form` as a query string. */
function formQuery(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value) params.set(key, value);
  return params.toString();
}

/**
 * A page of views: shows the section (`data-view`) that the hash names
 * (`#name` or `#name/arg`; the first of `names` by default), marks its tab
 * in `nav.tabs`, and calls `open(name, arg)`.
 */
function showView(names, open) {
  const [view, arg] = (location.hash.slice(1) || names[0]).split("/");
  const name = names.includes(view) ? view : names[0];
  $$("[data-view]").forEach((section) => { section.hidden = section.id !== name; });
  $$("nav.tabs a").forEach((a) => (a.getAttribute("href") === `#${name}` ? a.setAttribute("aria-current", "page") : a.removeAttribute("aria-current")));
  open(name, arg);
}

/**
 * A page of views for a signed-in person: the sign-in form until signed in,
 * then `load()` once, and `showView(views, open)` at once, on every hash
 * change and on a language switch (after `relabel()`).
 */
function runViews(session, views, { load, open, relabel = () => {} }) {
  const route = () => { if (session.valid) showView(views, open); };
  const start = async () => {
    if (!showSignedIn(session)) return;
    await load();
    route();
  };
  window.addEventListener("hashchange", route);
  $("#logout").addEventListener("click", () => { session.logout(); start(); });
  loginForm($("#login-view"), session, start);
  I18N.apply();
  onLang(() => { if (session.valid) { relabel(); route(); } });
  start();
}

/** A kind of dispute or matter, from the API's list of `kinds`, in the current language. */
function kindText(kinds, kind) {
  const k = kinds.find((x) => x.kind === kind);
  return k ? (I18N.lang === "en" ? k.name_en : k.name_zh) : kind;
}

/** Fills `select` with `kinds`, keeping what was chosen. */
function fillKindChoice(select, kinds) {
  const chosen = select.value;
  select.replaceChildren(...kinds.map((k) => h("option", { value: k.kind }, kindText(kinds, k.kind))));
  if (chosen) select.value = chosen;
}

/**
 * A list the API pages newest first (`before`, `next_before`) at `path`, its
 * items under `key`: the returned function loads the first page (or, with
 * `more`, the next) and `draw(items)` shows all loaded so far; #more asks
 * for the next page, #list-status says when there is nothing.
 */
function pagedList(session, path, key, draw) {
  let items = [];
  let next = null;
  const load = async (more = false) => {
    const params = new URLSearchParams({ limit: "20" });
    if (more && next) params.set("before", next);
    try {
      const page = await session.call("GET", `${path}?${params}`);
      items = more ? items.concat(page[key]) : page[key];
      next = page.next_before;
    } catch (error) {
      return say($("#list-status"), error.message, "error");
    }
    $("#more").hidden = !next;
    say($("#list-status"), items.length ? "" : t("empty"));
    draw(items);
  };
  $("#more").addEventListener("click", () => load(true));
  return load;
}

I18N.add({
  zh: { from: "起始日期", to: "截止日期", show: "查看", figures_period: "统计期间 {0} 至 {1}", figures_forbidden: "统计需要指挥中心或管理员的账号。" },
  en: { from: "From", to: "To", show: "Show", figures_period: "From {0} to {1}", figures_forbidden: "The figures need the command centre's or an admin's account." },
});

/**
 * The figures of a period at `path` (`from`, `to`; the API's default: this
 * year to date) in the `#figures` section: a period form, then
 * `draw(figures)` returns what to show; a refusal says who may see them.
 * Returns the function that (re)loads them.
 */
function figuresView(session, path, draw) {
  const form = h("form", { class: "row" },
    labelled("from", h("input", { name: "from", type: "date" })),
    labelled("to", h("input", { name: "to", type: "date" })),
    h("button", { type: "submit", "data-t": "show" }, t("show")));
  const body = h("div", { id: "figures-body" });
  const status = h("p", { id: "figures-status", role: "status", "aria-live": "polite" });
  $("#figures").append(form, body, status);
  const show = async () => {
    try {
      const figures = await session.call("GET", `${path}?${formQuery(form)}`);
      say(status, t("figures_period", figures.period.from, figures.period.to));
      body.replaceChildren(...[draw(figures)].flat());
    } catch (error) {
      body.replaceChildren();
      say(status, error.status === 403 ? t("figures_forbidden") : error.message, "error");
    }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); show(); });
  return show;
}

/**
 * A table of `heads` (column titles) and `rows` (arrays of cells: text or
 * elements), scrolled sideways on its own when a phone is too narrow for it.
 */
function dataTable(heads, rows, attrs = {}) {
  return h("div", { class: "table-scroll" }, h("table", attrs, h("thead", {}, h("tr", {}, ...heads.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, ...rows.map((cells) => h("tr", {}, ...cells.map((c) => h("td", {}, c)))))));
}

/** A rate from the API (0 to 1, or null when nothing was counted) as a percentage. */
const rateText = (x) => (x === null || x === undefined ? "—" : `${Math.round(x * 1000) / 10}%`);

/** A case's state in the current language (the API's Chinese label for zh). */
function stateText(state, labelZh) {
  return I18N.lang === "zh" && labelZh ? labelZh : t(state);
}

/** Working minutes left on a clock, as people read it. */
function timeLeft(minutes, paused) {
  if (minutes === null || minutes === undefined) return "";
  const m = Math.abs(minutes);
  const span = m < 60 ? t("minutes", m)
    : m < 60 * 24 ? t("hours", Math.floor(m / 60), m % 60)
      : t("days", Math.floor(m / 1440), Math.floor((m % 1440) / 60));
  const text = minutes < 0 ? t("late", span) : t("left", span);
  return paused ? `${text} (${t("paused")})` : text;
}

// ---- the API ----
/**
 * A refused call: `status`, the `problem` body, its `code` (what a page
 * switches on: "version_conflict", "duplicate_nearby", …), the seconds of
 * `Retry-After` (`retryAfter`, or null), and as `message` what the page
 * says for it, in the page's language (`problemText`). The server's English
 * `detail` is kept for developers (`detail`), never shown on a Chinese page.
 */
class ApiError extends Error {
  constructor(status, problem, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.problem = problem;
    this.code = (problem && problem.code) || null;
    this.detail = (problem && problem.detail) || null;
    this.retryAfter = retryAfter;
  }
}

// What each problem `code` of the API (docs/api.md, the OpenAPI document's
// enum) tells the page's people to do. The codes of a wait are followed by
// the wait that `Retry-After` says ("请 4 分钟后再试").
I18N.add({
  zh: {
    problem_invalid_input: "填写的内容有误，请检查后重试。", problem_malformed_json: "请求格式有误，请刷新页面后重试。",
    problem_not_signed_in: "请先登录。", problem_not_allowed: "您的账号无权进行此操作。",
    problem_not_found: "要找的内容不存在，可能已被删除，请刷新后重试。", problem_method_not_allowed: "不支持此操作，请刷新页面后重试。",
    problem_conflict: "与已有数据冲突（可能已被占用，或已被他人修改），请核对后重试。",
    problem_step_not_allowed: "案件当前的状态不能办理此操作，请刷新案件后再试。", problem_gone: "该内容已不存在。",
    problem_too_large: "提交的内容太大，请减少后重试。", problem_unprocessable: "填写的内容不符合要求，请检查后重试。",
    problem_unsupported_media_type: "不支持此文件或内容的类型。", problem_too_many_requests: "操作太频繁",
    problem_internal_error: "系统出错了，请稍后再试。", problem_unavailable: "服务暂时不可用",
    problem_unknown_tracking_code: "查询码不存在，请核对后重试。", problem_unknown_tenant: "没有这个街道/乡镇代码，请核对后重试。",
    problem_wrong_reporter_secret: "密钥不正确，请核对提交时显示的密钥。", problem_reporter_secret_required: "请输入提交时显示的密钥。",
    problem_wrong_login: "账号或密码不正确，或账号尚未启用，请核对后重试。", problem_wrong_password: "当前密码不正确，请重新输入。",
    problem_session_expired: "登录已过期，请重新登录。", problem_too_many_logins: "登录失败次数过多",
    problem_too_many_lookups: "查询不存在的查询码次数过多", problem_version_conflict: "案件已被他人更新，请刷新后再试。",
    problem_duplicate_nearby: "附近已有相同的问题正在处理：可以加入它，或确认仍要上报。",
    problem_case_not_open: "该事件已结束办理，请重新上报。", problem_not_editable: "已不能修改此反映，请改为补充信息。",
    problem_not_closed_yet: "事件结案后才能评价。", problem_unknown_category: "请从列表中选择问题类别。",
    problem_outside_area: "该位置不在本街道/乡镇的范围内，请重新选择位置。", problem_place_required: "请在地图上选择位置，或选择网格、填写地址。",
    problem_evidence_photo_required: "当场解决需要上传一张处理结果的照片。", problem_result_photo_required: "办结需要至少上传一张处理结果的照片。",
    problem_file_too_large: "文件太大，请换一个较小的文件。", problem_file_type_not_accepted: "不支持此文件类型，请上传照片、视频或录音。",
    problem_other: "操作未成功（{0}），请稍后再试。", problem_at_field: "{0}（{1}）",
    problem_row: "第 {0} 行有误", problem_row_field: "第 {0} 行：{1}有误",
    retry_minutes: "请 {0} 分钟后再试", retry_seconds: "请 {0} 秒后再试", retry_later: "请稍后再试", retry_join: "{0}，{1}。",
  },
  en: {
    problem_invalid_input: "Something you entered is not valid; check it and try again.", problem_malformed_json: "The request was malformed; reload the page and try again.",
    problem_not_signed_in: "Please sign in.", problem_not_allowed: "Your account may not do this.",
    problem_not_found: "Not found: it may have been removed; reload and try again.", problem_method_not_allowed: "This is not possible; reload the page and try again.",
    problem_conflict: "This conflicts with what is stored (already taken, or changed by someone else); check and try again.",
    problem_step_not_allowed: "The case's state does not allow this step now; reload the case and try again.", problem_gone: "It no longer exists.",
    problem_too_large: "What you sent is too large; make it smaller and try again.", problem_unprocessable: "What you entered cannot be accepted; check it and try again.",
    problem_unsupported_media_type: "This type of file or content is not accepted.", problem_too_many_requests: "Too many requests",
    problem_internal_error: "Something went wrong on our side; please try again later.", problem_unavailable: "The service is unavailable",
    problem_unknown_tracking_code: "No case has this tracking code; check it and try again.", problem_unknown_tenant: "No township has this code; check it and try again.",
    problem_wrong_reporter_secret: "The secret is wrong; check the one shown when you reported.", problem_reporter_secret_required: "Enter the secret shown when you reported.",
    problem_wrong_login: "Wrong user name or password, or the account is not active; check and try again.", problem_wrong_password: "The current password is wrong; enter it again.",
    problem_session_expired: "Your session has ended; please sign in again.", problem_too_many_logins: "Too many failed sign-ins",
    problem_too_many_lookups: "Too many look-ups of codes that do not exist", problem_version_conflict: "Someone else changed the case; reload it and try again.",
    problem_duplicate_nearby: "The same problem nearby is already being handled: join it, or report yours anyway.",
    problem_case_not_open: "This case is no longer open; report it anew.", problem_not_editable: "This report can no longer be changed; add information instead.",
    problem_not_closed_yet: "A case can be rated once it is closed.", problem_unknown_category: "Choose a category from the list.",
    problem_outside_area: "This place is outside the township's area; pick another place.", problem_place_required: "Pick the place on the map, or choose the grid or give the address.",
    problem_evidence_photo_required: "Fixed on the spot needs a photo of the result.", problem_result_photo_required: "Resolving needs at least one photo of the result.",
    problem_file_too_large: "The file is too large; choose a smaller one.", problem_file_type_not_accepted: "This type of file is not accepted: send a photo, video or voice recording.",
    problem_other: "That did not work ({0}); please try again later.", problem_at_field: "{0} ({1})",
    problem_row: "line {0} is wrong", problem_row_field: "line {0}: {1} is wrong",
    retry_minutes: "try again in {0} min", retry_seconds: "try again in {0} s", retry_later: "try again later", retry_join: "{0}; {1}.",
  },
});

/** The codes whose words are general, so that the field at fault is named beside them. */
const PROBLEM_AT_FIELD = ["invalid_input", "unprocessable", "not_found", "conflict", "too_large"];

/**
 * What the page says for a refused call, in its language, from the
 * problem's `code` (and its `status` when a code is new to the page): for
 * a general refusal the field at fault by the label the page gives it
 * (the control named so in `root`, else the page's `field_<name>` words;
 * unnamed on a Chinese page otherwise), for a wait the minutes or seconds
 * of `retryAfter` ("请 4 分钟后再试"). Never the server's English `detail`.
 */
function problemText(status, problem, retryAfter, root = document) {
  const code = (problem && problem.code) || "";
  const own = code && I18N.dict.zh[`problem_${code}`];
  let text = own ? t(`problem_${code}`) : t("problem_other", status);
  if (status === 429 || status === 503) {
    const seconds = Number(retryAfter);
    const wait = !(seconds > 0) ? t("retry_later") : seconds >= 60 ? t("retry_minutes", Math.ceil(seconds / 60)) : t("retry_seconds", Math.ceil(seconds));
    text = own ? t("retry_join", text, wait) : t("retry_join", text.replace(/[。.]$/, ""), wait);
  }
  const field = problem && problem.field;
  if (field && (!own || PROBLEM_AT_FIELD.includes(code))) {
    const label = fieldLabel(field, root);
    if (label) text = t("problem_at_field", text.replace(/[。.]$/, ""), label) + (I18N.lang === "zh" ? "。" : ".");
  }
  return text;
}

/** A row of an import the API refused (`problems` of the body: `line`, `field`), in the page's words. */
const problemRowText = (row) => {
  const label = fieldLabel(row.field, null);
  return label ? t("problem_row_field", row.line, label) : t("problem_row", row.line);
};

/** The words a page gives field `name`: its control's label in `root`, its `field_<name>` words, or (in English only) the name. */
function fieldLabel(name, root = document) {
  const control = root && root.querySelector && [...root.querySelectorAll("[name]")].find((el) => el.getAttribute("name") === name);
  const label = control && ((control.labels && control.labels[0]) || control.closest("label"));
  const words = label ? ($("span", label) || label).textContent.trim() : control && control.getAttribute("aria-label");
  if (words) return words;
  if (I18N.dict[I18N.lang][`field_${name}`]) return t(`field_${name}`);
  return I18N.lang === "en" ? name : "";
}

/**
 * Calls the API. `body` is JSON unless it is FormData or a Blob (sent raw);
 * `token` signs the call; `headers` adds more; `cache` is fetch's cache
 * mode ("no-cache" revalidates what the API lets browsers keep). Throws ApiError (status 0
 * when the network failed).
 */
async function api(method, path, { body, token, headers = {}, cache } = {}) {
  const raw = body instanceof FormData || body instanceof Blob;
  const all = { ...headers };
  if (body !== undefined && !raw) all["content-type"] = "application/json";
  if (body instanceof Blob && !(body instanceof File && body.type)) all["content-type"] = "application/octet-stream";
  if (token) all.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers: all, cache, body: raw ? body : body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, null, t("error_network"));
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = response.headers.get("retry-after");
    throw new ApiError(response.status, data, problemText(response.status, data, retryAfter), retryAfter === null ? null : Number(retryAfter));
  }
  return data;
}

/** Paths of one tenant's API. */
const tenantPath = (tenant, rest) => `/api/t/${encodeURIComponent(tenant)}${rest}`;

// ---- a signed-in person, one per page kind (worker, console, admin) ----
class Session {
  constructor(kind) { this.key = `session:${kind}`; this.data = JSON.parse(localStorage.getItem(this.key) || "null"); }
  get token() { return this.data && this.data.token; }
  get tenant() { return this.data && this.data.tenant; }
  get role() { return this.data && this.data.role; }
  get valid() { return !!(this.data && (!this.data.expires_at || new Date(this.data.expires_at) > new Date())); }
  async login(tenant, login, password) {
    const answer = await api("POST", tenantPath(tenant, "/auth/login"), { body: { login, password } });
    const me = await api("GET", tenantPath(tenant, "/auth/me"), { token: answer.token });
    this.data = { tenant, token: answer.token, role: answer.role, expires_at: answer.expires_at, login: me.login, name: me.display_name, tenant_name: me.tenant.name,
      department: me.department || null, grids: me.grids || [] };
    localStorage.setItem(this.key, JSON.stringify(this.data));
  }
  logout() {
    if (this.token) api("POST", tenantPath(this.tenant, "/auth/logout"), { token: this.token }).catch(() => {});
    this.data = null;
    localStorage.removeItem(this.key);
  }
  /**
   * A call to this tenant's API with this person's token. A 401 means the
   * server no longer takes the token (it expired, was signed out elsewhere,
   * or the password changed): the session ends here too, and the page's
   * sign-in form comes back saying so (`loginForm`).
   */
  call(method, rest, options = {}) {
    return api(method, tenantPath(this.tenant, rest), { ...options, token: this.token }).catch((error) => {
      if (error.status === 401 && this.data) this.ended();
      throw error;
    });
  }
  ended() {
    this.data = null;
    localStorage.removeItem(this.key);
    window.dispatchEvent(new CustomEvent("session-ended", { detail: { key: this.key } }));
  }
}

/**
 * Shows the sign-in form (#login-view) or the page (#app-view), the sign-out
 * button (#logout) and who is signed in (#me); true when signed in.
 */
function showSignedIn(session) {
  const signedIn = session.valid;
  $("#login-view").hidden = signedIn;
  $("#app-view").hidden = !signedIn;
  $("#logout").hidden = !signedIn;
  $("#me").textContent = signedIn ? `${session.data.name} · ${session.data.tenant_name}` : "";
  return signedIn;
}

/**
 * Draws the sign-in form into `view` (its heading from `data-heading`) and
 * wires it to a session; `onDone` runs once signed in.
 */
function loginForm(view, session, onDone) {
  // Chinese in the markup, as in the pages' HTML; I18N.apply() translates.
  const zh = (key) => I18N.dict.zh[key];
  const field = (key, attrs) => h("label", {}, h("span", { "data-i18n": key }, zh(key)), h("input", { required: true, ...attrs }));
  const form = h("form", { id: "login-form" },
    field("tenant", { name: "tenant", value: localStorage.getItem("tenant") || "demo", autocomplete: "organization" }),
    field("user", { name: "login", autocomplete: "username" }),
    field("password", { name: "password", type: "password", autocomplete: "current-password" }),
    h("button", { type: "submit", "data-i18n": "sign_in" }, zh("sign_in")),
    h("p", { role: "alert" }));
  view.replaceChildren(h("section", { "aria-labelledby": "login-heading" },
    h("h2", { id: "login-heading", "data-i18n": "login_heading" }, view.dataset.heading || zh("sign_in")), form));
  window.addEventListener("session-ended", (event) => {
    if (event.detail.key !== session.key) return;
    onDone();
    say($("[role=alert]", form), t("problem_session_expired"), "error");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const out = $("[role=alert]", form);
    localStorage.setItem("tenant", data.get("tenant").trim());
    try {
      await session.login(data.get("tenant").trim(), data.get("login").trim(), data.get("password"));
      form.reset();
      onDone();
    } catch (error) {
      // The page's words for the problem's code (a wrong password, the wait after too many, an unknown township).
      say(out, problemText(error.status, error.problem, error.retryAfter, form), "error");
    }
  });
}

/** An attachment fetched with the token (img src cannot carry one). */
async function blobUrl(session, id) {
  const response = await fetch(tenantPath(session.tenant, `/attachments/${id}`), { headers: session.token ? { authorization: `Bearer ${session.token}` } : {} });
  if (!response.ok) throw new ApiError(response.status, null, problemText(response.status, null, null));
  return { url: URL.createObjectURL(await response.blob()), type: response.headers.get("content-type") || "" };
}

/**
 * A PDF paper (attachment kind "document") as a link, never a thumbnail: on
 * the first click it is fetched with the token, then saved as `name`.pdf.
 * A failure is said with `onError(message)`.
 */
function paperLink(session, id, name, onError) {
  const link = h("a", { href: `#document/${id}`, class: "document", download: `${name}.pdf` }, `${name} (PDF)`);
  link.addEventListener("click", async (event) => {
    if (link.dataset.ready) return;
    event.preventDefault();
    try {
      link.href = (await blobUrl(session, id)).url;
      link.dataset.ready = "1";
      link.click();
    } catch (error) {
      onError(error.message);
    }
  });
  return link;
}

// ---- the photo viewer: a photo full size on tap, with the others of its list ----
I18N.add({
  zh: { viewer: "查看照片", viewer_prev: "上一张", viewer_next: "下一张", viewer_close: "关闭", viewer_count: "第 {0} 张，共 {1} 张", viewer_open: "{0}（点击查看大图）" },
  en: { viewer: "Photo", viewer_prev: "Previous", viewer_next: "Next", viewer_close: "Close", viewer_count: "{0} of {1}", viewer_open: "{0} (tap to enlarge)" },
});

/**
 * Makes every photo in `container` open full size on tap, click or Enter,
 * in one viewer with the container's other photos (previous and next by
 * button, arrow key or swipe; Esc or 关闭 closes). Photos added later count
 * too: the viewer reads the container's `img` elements when it opens.
 */
function photoViewer(container) {
  const photos = () => $$("img", container).filter((img) => !img.closest(".no-viewer"));
  const prepare = () => photos().forEach((img) => {
    if (img.dataset.viewer) return;
    img.dataset.viewer = "1";
    img.tabIndex = 0;
    img.setAttribute("role", "button");
    img.title = t("viewer_open", img.alt || t("viewer"));
  });
  new MutationObserver(prepare).observe(container, { childList: true, subtree: true });
  prepare();
  const openAt = (img) => showPhotos(photos(), photos().indexOf(img));
  container.addEventListener("click", (event) => {
    const img = event.target.closest("img[data-viewer]");
    if (img) openAt(img);
  });
  container.addEventListener("keydown", (event) => {
    const img = event.target.closest("img[data-viewer]");
    if (img && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); openAt(img); }
  });
  return container;
}

/** The viewer over `imgs`, showing the `at`-th; one dialog per page, made on first use. */
function showPhotos(imgs, at) {
  let dialog = $("#photo-viewer");
  if (!dialog) {
    dialog = h("dialog", { id: "photo-viewer", class: "viewer", "aria-label": t("viewer") },
      h("figure", {}, h("img", { alt: "" }), h("figcaption", {})),
      h("div", { class: "viewer-bar" },
        h("button", { type: "button", class: "prev" }, t("viewer_prev")),
        h("span", { class: "count", "aria-live": "polite" }),
        h("button", { type: "button", class: "next" }, t("viewer_next")),
        h("button", { type: "button", class: "close" }, t("viewer_close"))));
    document.body.append(dialog);
    $(".close", dialog).addEventListener("click", () => dialog.close());
    // A tap on the backdrop (outside the figure and the bar) closes too.
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  }
  let index = Math.max(0, at);
  const show = () => {
    const img = imgs[index];
    $("figure img", dialog).src = img.src;
    $("figure img", dialog).alt = img.alt;
    $("figcaption", dialog).textContent = img.alt;
    $(".count", dialog).textContent = t("viewer_count", index + 1, imgs.length);
    $(".prev", dialog).disabled = index === 0;
    $(".next", dialog).disabled = index === imgs.length - 1;
  };
  const step = (by) => { index = Math.min(imgs.length - 1, Math.max(0, index + by)); show(); };
  $(".prev", dialog).onclick = () => step(-1);
  $(".next", dialog).onclick = () => step(1);
  dialog.onkeydown = (event) => {
    if (event.key === "ArrowLeft") step(-1);
    if (event.key === "ArrowRight") step(1);
  };
  let startX = null;
  dialog.onpointerdown = (event) => { startX = event.clientX; };
  dialog.onpointerup = (event) => {
    if (startX !== null && Math.abs(event.clientX - startX) > 50) step(event.clientX < startX ? 1 : -1);
    startX = null;
  };
  show();
  if (!dialog.open) dialog.showModal();
  $(".close", dialog).focus();
}

/** Uploads files (photos shrunk first) one by one; their attachment ids, in order. */
async function uploadFiles(session, files) {
  const ids = [];
  for (const file of files) if (file.size) ids.push((await session.call("POST", "/attachments", { body: await shrinkPhoto(file) })).id);
  return ids;
}

// ---- the grid: its tree (the maps are map.js's) ----
/** Every node of a nested tree, parents first. */
function flattenGrid(nodes, out = []) {
  for (const node of nodes || []) {
    out.push(node);
    flattenGrid(node.children, out);
  }
  return out;
}

/**
 * A phone's photo made small enough for a slow network: over 1 MB, redrawn
 * at most 1600 px on its longer side as a JPEG (which also drops its EXIF,
 * the camera's position among it). Anything that fails keeps the original.
 */
async function shrinkPhoto(file) {
  if (!file.type.startsWith("image/") || file.size < 1024 * 1024 || !window.createImageBitmap) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
    return blob && blob.size < file.size ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file;
  } catch (error) {
    return file;
  }
}

I18N.add({
  zh: { locate_0: "此设备不能定位", locate_1: "未允许使用位置信息，请在浏览器设置中允许", locate_2: "暂时无法确定位置，请到开阔处再试", locate_3: "定位超时，请再试一次" },
  en: { locate_0: "this device cannot locate", locate_1: "the location was not allowed; allow it in the browser's settings", locate_2: "the position is unavailable; try again in the open", locate_3: "locating took too long; try again" },
});

/** Why the position could not be had, in the page's words (from a GeolocationPositionError's `code`; 0: no geolocation at all). */
const locateErrorText = (e) => t(`locate_${(e && e.code) || 0}`);

/** The phone's position, or an error whose message says why in the page's words. */
function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error(locateErrorText(null)));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: +p.coords.latitude.toFixed(6), longitude: +p.coords.longitude.toFixed(6) }),
      (e) => reject(new Error(locateErrorText(e))),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const button = $("#lang");
  if (button) button.addEventListener("click", () => I18N.toggle());
});
