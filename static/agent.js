// The agent desk (代办员) of a village agent point (民情民访代办): a resident's
// matter taken with their consent; its needs, task and time lists; passed up
// to the township or the district with a reason; the point's matters with
// their levels; the case's timeline (and, for the centre, its steps); the
// figures by level. Everything is the API's /agent/… (the steps: /cases/{id}/actions).
"use strict";

I18N.add({
  zh: {
    code: "查询码", kind: "事项类型", level: "办理层级", state: "状态", began_on: "受理日期", done: "已办结", open: "办理中",
    village: "村（社区）级", township: "镇（街道）级", district: "区级", point: "代办点", empty: "本点还没有代办事项", my_point: "本代办点：{0}",
    taken: "已受理，查询码 {0}", resident: "委托群众", consent_at: "同意代办时间", needs: "需求清单",
    tasks: "任务清单", task: "任务", owner: "责任人", due_on: "完成期限", done_at: "完成时间", mark_done: "标记完成",
    mark_done_of: "标记完成：{0}", add_task: "添加任务", no_tasks: "还没有任务",
    promises: "时间清单（对群众的承诺）", promise: "承诺事项", promised_on: "承诺日期", add_promise: "添加承诺", no_promises: "还没有承诺",
    levels: "办理层级记录", pass_up: "上交办理", to_level: "上交到", to_point: "接收代办点（可不选）", any_point: "不指定代办点",
    reason: "上交理由", by: "经办", saved: "已保存", name: "姓名", phone: "电话", address: "住址",
    taken_n: "受理", done_n: "办结", rate: "办结率", all: "合计",
    timeline: "办理过程", flow: "办理流程",
    low: "不急", normal: "一般", high: "较急", urgent: "紧急",
  },
  en: {
    title: "Agent desk", tab_list: "My point's matters", tab_take: "Take a matter", tab_figures: "Figures", more: "More",
    kind: "Kind of matter", resident: "The resident", resident_name: "Name", resident_phone: "Phone",
    resident_address: "Address", consent: "The resident agrees that the agent acts for them", needs_field: "What they need (one per line)",
    priority: "Priority", p_normal: "Normal", p_high: "High", p_urgent: "Urgent", p_low: "Low", take: "Take the matter",
    code: "Code", level: "Level", state: "State", began_on: "Began", done: "Done", open: "Open",
    village: "Village", township: "Township", district: "District", point: "Agent point", empty: "No matters at this point yet", my_point: "Your agent point: {0}",
    taken: "Taken: tracking code {0}", consent_at: "Consent given", needs: "Needs",
    tasks: "Tasks", task: "Task", owner: "Who", due_on: "Due", done_at: "Done at", mark_done: "Mark done",
    mark_done_of: "Mark done: {0}", add_task: "Add task", no_tasks: "No task yet",
    promises: "Time list (promised to the resident)", promise: "Promise", promised_on: "Date", add_promise: "Add promise",
    no_promises: "No promise yet", levels: "Levels", pass_up: "Pass up", to_level: "Pass up to",
    to_point: "Agent point (optional)", any_point: "Any point of that level", reason: "Why", by: "By", saved: "Saved",
    name: "Name", phone: "Phone", address: "Address", taken_n: "Taken", done_n: "Done", rate: "Completion rate", all: "All",
    timeline: "Timeline", flow: "Case flow",
    low: "Low", normal: "Normal", high: "High", urgent: "Urgent",
  },
});

const session = new Session("agent");
const LEVELS = ["village", "township", "district"];
let kinds = [];
let myPoint = null; // the agent's own point, from auth/me (none for the centre and admins)
let points = [];
let departments = []; // for the case-flow steps of the centre and admins (agents take none)
let categories = [];

const kindName = (kind) => kindText(kinds, kind);
const pointName = (id) => (points.find((p) => p.id === id) || { name: id ? `#${id}` : "—" }).name;
const lines = (text) => text.split("\n").map((x) => x.trim()).filter(Boolean);

/** Submits `form` with `send(data)`, then shows the matter again and says so. */
const sendThenShow = (form, send) => onSubmit(form, send, async () => {
  await openMatter(Number(form.dataset.matter));
  say($("#matter-result"), t("saved"), "ok");
});

// ---- taking a matter ----
$("#take-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const out = $("#take-result");
  try {
    const matter = await session.call("POST", "/agent/matters", { body: {
      kind: data.get("kind"), consent: data.get("consent") === "on", needs: lines(data.get("needs")), priority: data.get("priority"),
      resident: { name: data.get("name").trim(), phone: data.get("phone").trim() || undefined, address: data.get("address").trim() || undefined },
    } });
    form.reset();
    say(out, t("taken", matter.tracking_code), "ok");
    location.hash = `#matter/${matter.case_id}`;
  } catch (error) {
    say(out, error.message, "error");
  }
});

// ---- the point's matters ----
const loadList = pagedList(session, "/agent/matters", "matters", (items) =>
  $("#matters").replaceChildren(
    myPoint ? h("p", { id: "my-point" }, t("my_point", myPoint.name)) : "",
    dataTable([t("code"), t("kind"), t("point"), t("level"), t("state"), t("began_on")],
    items.map((m) => [h("a", { href: `#matter/${m.case_id}` }, m.tracking_code), kindName(m.kind), pointName(m.agent_point_id),
      h("span", { "data-level": m.level }, t(m.level)), m.done ? t("done") : stateText(m.state, m.state_label), m.began_on]), { id: "matter-list" })));

// ---- one matter ----
async function openMatter(id) {
  const body = $("#matter-body");
  let m;
  try {
    m = await session.call("GET", `/agent/matters/${id}`);
  } catch (error) {
    return say(body, error.message, "error");
  }
  $("#matter-heading").textContent = `${m.tracking_code} · ${kindName(m.kind)}`;
  body.replaceChildren(h("div", {},
    h("dl", {},
      h("dt", {}, t("state")), h("dd", { id: "matter-state", "data-state": m.state }, m.done ? t("done") : stateText(m.state, m.state_label)),
      h("dt", {}, t("level")), h("dd", { id: "matter-level", "data-level": m.level }, t(m.level), m.level_agent_point_id ? ` · ${pointName(m.level_agent_point_id)}` : ""),
      h("dt", {}, t("point")), h("dd", {}, pointName(m.agent_point_id)),
      h("dt", {}, t("began_on")), h("dd", {}, m.began_on),
      h("dt", {}, t("resident")), h("dd", {}, [m.resident.name, m.resident.phone, m.resident.address].filter(Boolean).join(" · ")),
      h("dt", {}, t("consent_at")), h("dd", {}, localTime(m.resident.consent_at))),
    h("p", { id: "matter-result", role: "status", "aria-live": "polite" }),
    h("h3", {}, t("needs")),
    h("ul", { id: "needs" }, ...m.needs.map((n) => h("li", {}, n))),
    h("h3", {}, t("tasks")),
    m.tasks.length ? dataTable([t("task"), t("owner"), t("due_on"), t("done_at")], m.tasks.map((task) => [task.task, task.owner, task.due_on,
      task.done_at ? `${localTime(task.done_at)} · ${actorText({ actor: task.done_by, actor_name: task.done_by_name })}` : doneButton(m, task)]), { id: "tasks" }) : h("p", { class: "muted", id: "tasks" }, t("no_tasks")),
    m.done ? null : taskForm(m),
    h("h3", {}, t("promises")),
    m.promises.length ? h("ul", { id: "promises" }, ...m.promises.map((p) => h("li", {}, `${p.promised_on} · ${p.promise}`)))
      : h("p", { class: "muted", id: "promises" }, t("no_promises")),
    m.done ? null : promiseForm(m),
    h("h3", {}, t("levels")),
    h("ol", { id: "levels" }, ...m.levels.map((l) => h("li", { "data-level": l.level }, `${t(l.level)} · ${pointName(l.agent_point_id)} · ${localTime(l.at)} · ${actorText({ actor: l.by, actor_name: l.by_name })}`,
      l.reason ? h("div", {}, `${t("reason")}: ${l.reason}`) : null))),
    m.done || m.level === "district" ? null : passUpForm(m),
    // The case flow: the steps the API offers this person (none to an agent), and the timeline.
    m.allowed_actions.length ? [h("h3", {}, t("flow")),
      ...caseSteps(session, { ...m, id: m.case_id }, { departments, categories, reload: () => openMatter(m.case_id) })] : null,
    h("h3", {}, t("timeline")),
    timelineList(m, departments, categories)));
}

function doneButton(m, task) {
  return h("button", { type: "button", "data-task": task.id, "aria-label": t("mark_done_of", task.task), onclick: async (event) => {
    event.target.disabled = true;
    try {
      await session.call("POST", `/agent/matters/${m.case_id}/tasks/${task.id}/done`, { body: {} });
      await openMatter(m.case_id);
      say($("#matter-result"), t("saved"), "ok");
    } catch (error) {
      event.target.disabled = false;
      say($("#matter-result"), error.message, "error");
    }
  } }, t("mark_done"));
}

/** A date input that cannot lie before the matter began (the API says so too). */
const dateFrom = (m, name) => h("input", { name, type: "date", required: true, min: m.began_on, value: m.began_on });

function taskForm(m) {
  const form = h("form", { id: "task-form", class: "row", "data-matter": m.case_id },
    labelled("task", h("input", { name: "task", required: true, maxlength: 500 })),
    labelled("owner", h("input", { name: "owner", required: true, maxlength: 100, value: session.data.name || "" })),
    labelled("due_on", dateFrom(m, "due_on")),
    h("button", { type: "submit" }, t("add_task")));
  return sendThenShow(form, (data) => session.call("POST", `/agent/matters/${m.case_id}/tasks`, {
    body: { task: data.get("task").trim(), owner: data.get("owner").trim(), due_on: data.get("due_on") },
  }));
}

function promiseForm(m) {
  const form = h("form", { id: "promise-form", class: "row", "data-matter": m.case_id },
    labelled("promise", h("input", { name: "promise", required: true, maxlength: 500 })),
    labelled("promised_on", dateFrom(m, "promised_on")),
    h("button", { type: "submit" }, t("add_promise")));
  return sendThenShow(form, (data) => session.call("POST", `/agent/matters/${m.case_id}/promises`, {
    body: { promise: data.get("promise").trim(), promised_on: data.get("promised_on") },
  }));
}

function passUpForm(m) {
  const higher = LEVELS.slice(LEVELS.indexOf(m.level) + 1);
  const form = h("form", { id: "level-form", "data-matter": m.case_id },
    h("h4", {}, t("pass_up")),
    labelled("to_level", h("select", { name: "level" }, ...higher.map((l) => h("option", { value: l }, t(l))))),
    labelled("to_point", h("select", { name: "agent_point_id" }, h("option", { value: "" }, t("any_point")),
      ...points.filter((p) => higher.includes(p.level)).map((p) => h("option", { value: p.id }, `${p.name} (${t(p.level)})`)))),
    labelled("reason", h("textarea", { name: "reason", required: true, rows: 2, maxlength: 2000 })),
    h("button", { type: "submit" }, t("pass_up")));
  return sendThenShow(form, (data) => session.call("POST", `/agent/matters/${m.case_id}/level`, {
    body: { level: data.get("level"), reason: data.get("reason").trim(), agent_point_id: data.get("agent_point_id") ? Number(data.get("agent_point_id")) : undefined },
  }));
}

// ---- figures ----
const showFigures = figuresView(session, "/agent/figures", (f) => {
  const row = (name, x) => [name, String(x.taken), String(x.done), rateText(x.completion_rate)];
  return [dataTable([t("level"), t("taken_n"), t("done_n"), t("rate")],
    [...LEVELS.map((l) => row(t(l), f.by_level[l] || { taken: 0, done: 0, completion_rate: null })), row(t("all"), f.total)], { id: "figures-level" })];
});

// ---- start ----
async function loadReference() {
  let me;
  [{ kinds }, { items: points }, { items: departments }, { items: categories }, me] = await Promise.all([
    session.call("GET", "/agent/kinds").catch(() => ({ kinds: [] })),
    session.call("GET", "/admin/agent-points").catch(() => ({ items: [] })),
    session.call("GET", "/admin/departments").catch(() => ({ items: [] })),
    api("GET", tenantPath(session.tenant, "/admin/categories")).catch(() => ({ items: [] })),
    session.call("GET", "/auth/me").catch(() => ({})),
  ]);
  fillKindChoice($("#take-form [name=kind]"), kinds);
  myPoint = me.agent_point ? points.find((p) => p.id === me.agent_point.id) || me.agent_point : null;
}

runViews(session, ["list", "take", "figures", "matter"], {
  load: loadReference,
  open: (name, id) => {
    if (name === "list") loadList();
    if (name === "figures") showFigures();
    if (name === "matter") openMatter(Number(id)).then(() => $("#matter").focus());
  },
  relabel: () => fillKindChoice($("#take-form [name=kind]"), kinds),
});
