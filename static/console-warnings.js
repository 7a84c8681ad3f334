// The console's 预警 panel (docs/warnings.md), for the command centre and
// the tenant admin: the early warnings the sweep raised, each with its
// kind, what and where, its facts and its cases (links to the cases), and
// the three ways to handle an open one, each with a reason: 知悉
// (acknowledge), 转为案件 (a case for the root cause), 督办 (supervise
// its open cases). Uses console.js's session, departments, categories and
// grid names; console.js opens it as the queue `warnings`.
"use strict";

I18N.add({
  zh: {
    problem_warning_not_open: "这条预警已处理过，请刷新",
    q_warnings: "预警", w_state: "状态", w_open: "待处理", w_all: "全部", w_kind: "类型", w_what: "事项", w_where: "位置",
    w_case_count: "共 {0} 件", w_raised: "预警时间", w_empty: "没有预警",
    w_kind_recurring: "反复发生", w_kind_repeat: "重复诉求", w_kind_late_risk: "可能超时",
    w_state_open: "待处理", w_state_acknowledged: "已知悉", w_state_case_opened: "已转为案件", w_state_supervised: "已督办",
    w_recurring: "{0} 天内同一微网格 {1} 件", w_repeat_phone: "同一来电人再次反映未解决的诉求",
    w_repeat_place: "同一地点再次反映未解决的诉求", w_repeat_parties: "当事人此前已有纠纷",
    w_late: "该部门同类案件超时率 {0}%（近期办结 {1} 件），办结中位数 {2} 小时，本案时限 {3} 小时",
    w_facts: "预警依据", w_its_cases: "相关案件", w_note: "处理说明", w_acknowledge: "知悉", w_case: "转为案件",
    w_supervise: "督办", w_handled: "处理情况", w_root_case: "根源案件", w_done_acknowledged: "已知悉",
    w_done_case_opened: "已转为案件 {0}", w_done_supervised: "已督办 {0} 件在办案件", w_department: "承办部门",
    w_pick: "选择一条预警", w_by: "{0} · {1}",
  },
  en: {
    problem_warning_not_open: "This warning was already handled: refresh",
    q_warnings: "Warnings", w_state: "State", w_open: "Open", w_all: "All", w_kind: "Kind", w_what: "What", w_where: "Where",
    w_case_count: "{0} cases", w_raised: "Raised", w_empty: "No warnings",
    w_kind_recurring: "Recurring", w_kind_repeat: "Repeat appeal", w_kind_late_risk: "Likely late",
    w_state_open: "Open", w_state_acknowledged: "Acknowledged", w_state_case_opened: "Turned into a case", w_state_supervised: "Supervised",
    w_recurring: "{1} in one micro-grid within {0} days", w_repeat_phone: "The same caller again, the matter unresolved",
    w_repeat_place: "The same place again, the matter unresolved", w_repeat_parties: "A party who disputed before",
    w_late: "The department resolved {0}% of such cases late ({1} closed lately), median {2} h; this case has {3} h",
    w_facts: "Why", w_its_cases: "Its cases", w_note: "Reason", w_acknowledge: "Acknowledge", w_case: "Turn into a case",
    w_supervise: "Supervise", w_handled: "Handled", w_root_case: "Root-cause case", w_done_acknowledged: "Acknowledged",
    w_done_case_opened: "Case {0} opened", w_done_supervised: "{0} open cases supervised", w_department: "Department",
    w_pick: "Pick a warning", w_by: "{0} · {1}",
  },
});

let warningState = "open";
let warningsNext = null;
let warningShown = null; // the id of the warning on show

/** Shows the warnings in place of the case queue (`on`), or the queue again. */
function showWarnings(on) {
  $("#warnings").hidden = !on;
  $(".table-scroll").hidden = on;
  $("#queue-status").hidden = on;
  $("#sort").closest(".row").hidden = on;
  if (on) {
    $("#more").hidden = true;
    $("#bulk").hidden = true;
    $("#select-col").hidden = true;
  }
}

/** Where grid node `id` is: its path below the township (金山社区 › 第1网格 › 1号楼微网格), from the tenant's grid (console.js reads it once). */
async function gridName(id) {
  if (id === null || id === undefined) return t("no_place");
  const nodes = flattenGrid(await gridShapes().catch(() => []));
  const path = [];
  for (let node = nodes.find((n) => n.id === id); node; node = nodes.find((n) => n.id === node.parent_id)) path.unshift(node);
  if (!path.length) return `#${id}`;
  return (path.length > 1 ? path.slice(1) : path).map((n) => n.name).join(" › ");
}

/** Where a warning is: its micro-grid (or the case's grid), and the department behind. */
async function whereText(w) {
  const place = await gridName(w.grid_node_id);
  return w.department_id ? t("w_by", place, departmentName(w.department_id)) : place;
}

/** Why it was raised, in words, from its `details` (codes and numbers). */
function factsText(w) {
  const d = w.details || {};
  if (w.kind === "recurring") return t("w_recurring", d.days, d.count);
  if (w.kind === "repeat") return t(`w_repeat_${d.basis}`);
  const share = Math.round((d.late_share || 0) * 100);
  return t("w_late", share, d.closed, d.median_hours === null || d.median_hours === undefined ? "—" : d.median_hours, d.allowed_hours);
}

async function openWarnings(append = false) {
  if (!append) warningsNext = null;
  const box = $("#warnings");
  const params = new URLSearchParams();
  if (warningState === "open") params.set("state", "open");
  if (append && warningsNext) params.set("after", warningsNext);
  let page;
  try {
    page = await session.call("GET", `/warnings?${params}`);
  } catch (error) {
    box.replaceChildren(h("p", { class: "error", role: "status" }, error.message));
    return;
  }
  warningsNext = page.next_after;
  const rows = await Promise.all(page.warnings.map(async (w) => h("tr", { "data-id": w.id, "data-kind": w.kind, "data-state": w.state },
    h("td", {}, h("a", { href: `#warning/${w.id}` }, t(`w_kind_${w.kind}`))),
    h("td", {}, h("strong", {}, categoryName(w.category)), h("br"), h("span", { class: "muted" }, factsText(w)), h("br"),
      h("span", { class: "case-count" }, t("w_case_count", w.case_count))),
    h("td", {}, await whereText(w)),
    h("td", {}, h("time", { datetime: w.raised_at }, localTime(w.raised_at)), w.state === "open" ? "" : [h("br"), t(`w_state_${w.state}`)]))));
  const filter = h("label", {}, h("span", {}, t("w_state")),
    h("select", { id: "warning-state", onchange: (event) => { warningState = event.target.value; openWarnings(); } },
      h("option", { value: "open", selected: warningState === "open" }, t("w_open")),
      h("option", { value: "all", selected: warningState === "all" }, t("w_all"))));
  const table = h("div", { class: "table-scroll" }, h("table", { class: "queue", id: "warning-list" },
    h("thead", {}, h("tr", {}, ...["w_kind", "w_what", "w_where", "w_raised"].map((k) => h("th", {}, t(k))))),
    h("tbody", {}, ...rows)));
  const more = h("button", { type: "button", hidden: !warningsNext, onclick: () => openWarnings(true) }, t("more"));
  if (append) {
    $("#warning-list tbody").append(...rows);
  } else {
    box.replaceChildren(h("div", { class: "row" }, filter), table,
      h("p", { role: "status", "aria-live": "polite", id: "warnings-status" }, rows.length ? "" : t("w_empty")), more);
  }
}

async function openWarning(id) {
  const body = $("#case-body");
  let w;
  try {
    w = await session.call("GET", `/warnings/${id}`);
  } catch (error) {
    say(body, error.message, "error");
    return;
  }
  current = null;
  warningShown = w.id;
  $("#case-heading").textContent = `${t(`w_kind_${w.kind}`)} · ${categoryName(w.category)}`;
  const handled = w.state === "open" ? null : [
    h("dt", {}, t("w_handled")), h("dd", { id: "warning-handled" }, t(`w_state_${w.state}`),
      w.handled_by_name ? ` · ${w.handled_by_name}` : "", w.note ? ` · ${w.note}` : ""),
    ...(w.root_case_id ? [h("dt", {}, t("w_root_case")), h("dd", {}, h("a", { href: `#case/${w.root_case_id}`, id: "root-case" }, `#${w.root_case_id}`))] : [])];
  body.replaceChildren(h("div", { id: "warning", "data-id": w.id, "data-state": w.state },
    h("dl", {},
      h("dt", {}, t("w_state")), h("dd", { id: "warning-state-now" }, t(`w_state_${w.state}`)),
      h("dt", {}, t("w_what")), h("dd", {}, categoryName(w.category)),
      h("dt", {}, t("w_where")), h("dd", { id: "warning-where" }, await whereText(w)),
      h("dt", {}, t("w_facts")), h("dd", { id: "warning-facts" }, factsText(w)),
      h("dt", {}, t("w_raised")), h("dd", {}, h("time", { datetime: w.raised_at }, localTime(w.raised_at))),
      handled),
    h("h3", {}, t("w_its_cases")),
    h("ul", { id: "warning-cases" }, ...w.cases.map((c) => h("li", { "data-id": c.id },
      h("a", { href: `#case/${c.id}` }, c.tracking_code), " ", categoryName(c.category), " · ",
      h("span", { "data-state": c.state }, stateText(c.state, c.state_label))))),
    w.state === "open" ? warningForm(w) : null,
    h("p", { id: "warning-result", role: "status", "aria-live": "polite" })));
}

/** The reason and the three actions of an open warning. */
function warningForm(w) {
  const form = h("form", { id: "warning-form" },
    h("label", {}, h("span", {}, t("w_note")), h("textarea", { name: "note", required: true, rows: 3, maxlength: 1000 })),
    h("div", { class: "row" },
      h("button", { type: "submit", value: "acknowledge" }, t("w_acknowledge")),
      h("button", { type: "submit", value: "case" }, t("w_case")),
      h("button", { type: "submit", value: "supervise", class: "primary" }, t("w_supervise"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = event.submitter ? event.submitter.value : "acknowledge";
    const out = $("#warning-result");
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    try {
      const done = await session.call("POST", `/warnings/${w.id}/${action}`, { body: { note: new FormData(form).get("note").trim() } });
      const open = done.cases.filter((c) => !["closed", "declined", "archived"].includes(c.state)).length;
      const message = done.state === "case_opened" ? t("w_done_case_opened", `#${done.root_case_id}`)
        : done.state === "supervised" ? t("w_done_supervised", open) : t("w_done_acknowledged");
      await openWarning(w.id);
      say($("#warning-result"), message, "ok");
      openWarnings();
    } catch (error) {
      say(out, error.message, "error");
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    }
  });
  return form;
}

// The warning on show, drawn again in the new language (console.js redraws the list).
onLang(() => { if (warningShown && session.valid && !current) openWarning(warningShown); });

window.addEventListener("hashchange", () => {
  const match = location.hash.match(/^#warning\/(\d+)$/);
  if (match && session.valid) openWarning(Number(match[1])).then(() => $("#case").focus());
});
