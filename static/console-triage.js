// Smart triage (研判) in the console: for a case waiting in triage, what the
// tenant's models suggest (GET …/cases/{id}/suggestions): the category and
// the department, each with its confidence and the words of the report that
// decided it. 采用建议 fills the panel's dispatch form with the first
// suggestions; staff confirm, and the console takes the steps the case still
// needs (改类 when the category changes, 受理, 立案, 分拨). docs/triage.md.
"use strict";

I18N.add({
  zh: {
    problem_not_dispatched_by_triage: "这件不是智能分拨派出的，无需撤回",
    tr_heading: "研判建议", tr_category: "事件类型", tr_department: "处置部门", tr_confidence: "置信度 {0}",
    tr_because: "依据：{0}", tr_pick: "群众所选", tr_rule: "分拨规则", tr_none: "暂无建议：还没有学到足够的分拨记录",
    tr_use: "采用建议", tr_confirm: "确认分拨", tr_reason: "改类原因", tr_reason_default: "按研判建议改类",
    tr_done: "已分拨至{0}", tr_failed: "研判建议读取失败：{0}",
  },
  en: {
    problem_not_dispatched_by_triage: "This case was not dispatched by the triage: nothing to undo",
    tr_heading: "Smart triage", tr_category: "Category", tr_department: "Department", tr_confidence: "confidence {0}",
    tr_because: "because of: {0}", tr_pick: "resident's pick", tr_rule: "routing rule", tr_none: "No suggestion yet: too few decided cases learned",
    tr_use: "Use the suggestion", tr_confirm: "Confirm dispatch", tr_reason: "Why the category changes",
    tr_reason_default: "Changed as smart triage suggested", tr_done: "Dispatched to {0}", tr_failed: "Could not read the suggestions: {0}",
  },
});

/** A confidence (0 to 1) as a whole percentage. */
const triagePercent = (confidence) => `${Math.round(confidence * 100)}%`;

/**
 * The triage panel of case `c` (the console's case view), or null when the
 * case is not waiting in triage or the caller does not dispatch. `departments`
 * and `categories` are the console's lists; `reload()` shows the case again.
 */
function triagePanel(session, c, { departments, categories, categoryName, reload }) {
  const centre = ["command_centre", "tenant_admin"].includes(session.role);
  const inTriage = ["reported", "accepted", "registered"].includes(c.state) && (c.department_id === null || c.department_id === undefined);
  if (!centre || !inTriage) return null;
  const section = h("section", { id: "triage", class: "triage", "aria-labelledby": "triage-heading" },
    h("h3", { id: "triage-heading" }, t("tr_heading")));
  const out = h("p", { id: "triage-result", role: "status", "aria-live": "polite" });
  session.call("GET", `/cases/${c.id}/suggestions`).then((s) => {
    if (!s.category.length && !s.department.length) {
      section.append(h("p", { class: "muted" }, t("tr_none")));
      return;
    }
    const form = triageForm(session, c, s, { departments, categories, categoryName, reload, out });
    section.append(
      triageList("triage-categories", t("tr_category"), s.category, (x) => categoryName(x.code), t("tr_pick")),
      triageList("triage-departments", t("tr_department"), s.department, (x) => x.name, t("tr_rule")),
      h("div", { class: "actions" }, h("button", {
        type: "button", id: "triage-use", class: "primary",
        onclick: () => form.fill(s.category[0], s.department.find((d) => !d.retired)),
      }, t("tr_use"))),
      form.element, out);
  }).catch((error) => say(out, t("tr_failed", error.message), "error"));
  section.append(out);
  return section;
}

/** One model's suggestions, best first: name, confidence (a bar and a figure), the deciding words, whether it is the choice already made. */
function triageList(id, heading, items, name, chosenText) {
  return h("div", { class: "triage-list" }, h("h4", {}, heading), h("ol", { id },
    ...items.map((x) => h("li", { "data-code": x.code, "data-chosen": String(x.chosen) },
      h("strong", {}, name(x)), x.chosen ? h("span", { class: "muted" }, ` · ${chosenText}`) : null, " ",
      h("meter", { min: 0, max: 1, value: x.confidence, "aria-label": t("tr_confidence", triagePercent(x.confidence)) }),
      " ", h("span", { class: "confidence" }, t("tr_confidence", triagePercent(x.confidence))),
      // The words that decided matter for a plausible suggestion only.
      x.reasons.length && x.confidence >= 0.05 ? h("div", { class: "muted reasons" }, t("tr_because", x.reasons.map((r) => `“${r}”`).join(t("list_sep")))) : null))));
}

/**
 * The panel's dispatch form: a category and a department (filled by
 * 采用建议, or chosen by hand), the reason for a changed category; on
 * confirm, the steps the case needs to reach its department.
 */
function triageForm(session, c, s, { departments, categories, categoryName, reload, out }) {
  const category = h("select", { name: "category", id: "triage-category", required: true },
    ...categories.filter((x) => !x.retired).map((x) => h("option", { value: x.code, selected: x.code === c.category }, categoryName(x.code))));
  const department = h("select", { name: "department", id: "triage-department", required: true }, choosePrompt(),
    ...departments.filter((d) => !d.retired).map((d) => h("option", { value: d.code }, d.name)));
  const reason = h("input", { name: "reason", id: "triage-reason", maxlength: 2000, value: t("tr_reason_default") });
  const reasonLabel = h("label", { hidden: true }, h("span", {}, t("tr_reason")), reason);
  const showReason = () => { reasonLabel.hidden = category.value === c.category; };
  category.addEventListener("change", showReason);
  const element = h("form", { id: "triage-form", class: "action-form" },
    h("label", {}, h("span", {}, t("tr_category")), category),
    reasonLabel,
    h("label", {}, h("span", {}, t("tr_department")), department),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, t("tr_confirm"))));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("button[type=submit]", element);
    button.disabled = true;
    try {
      let now = c;
      const step = async (body) => { now = await session.call("POST", `/cases/${c.id}/actions`, { body: { version: now.version, ...body } }); };
      if (category.value !== now.category) await step({ action: "recategorise", category: category.value, reason: reason.value.trim() || t("tr_reason_default") });
      if (now.state === "reported") await step({ action: "accept" });
      if (now.state === "accepted") await step({ action: "register" });
      await step({ action: "dispatch", department: department.value });
      await reload();
      say($("#action-result"), t("tr_done", department.selectedOptions[0].textContent), "ok");
    } catch (error) {
      button.disabled = false;
      say(out, error.message, "error");
    }
  });
  return {
    element,
    /** Fills the form with the suggested category and department (staff still confirm). */
    fill(suggestedCategory, suggestedDepartment) {
      if (suggestedCategory && [...category.options].some((o) => o.value === suggestedCategory.code)) category.value = suggestedCategory.code;
      if (suggestedDepartment) department.value = suggestedDepartment.code;
      showReason();
      department.focus();
    },
  };
}
