// The admin page's early-warning rules (docs/warnings.md): when the sweep
// raises a recurring problem, a repeat appeal and a case likely to run
// late. Each rule is a whole number whose range the server holds
// (GET/PUT …/admin/warning-rules); a value out of range is refused with
// the field named. admin.js shows it as a section.
"use strict";

I18N.add({
  zh: {
    warning_rules: "预警规则",
    wr_note: "系统每次巡检时按下列规则发出预警，由指挥中心知悉、转为案件或督办。",
    wr_recurring: "反复发生", wr_repeat: "重复诉求", wr_late: "可能超时",
    wr_recurring_count: "同一微网格同类事件达到（件）", wr_recurring_days: "在多少天内",
    wr_repeat_metres: "视为同一地点的距离（米）", wr_repeat_days: "往前追溯多少天", wr_repeat_low_rating: "评价不高于此分视为未解决（1–4）",
    wr_late_share_percent: "部门同类案件超时比例达到（%）", wr_late_min_closed: "至少已办结多少件才评判", wr_late_window_days: "统计最近多少天",
    wr_saved: "预警规则已保存",
  },
  en: {
    warning_rules: "Warning rules",
    wr_note: "The sweep raises warnings by these rules; the command centre acknowledges them, turns them into cases or supervises.",
    wr_recurring: "Recurring problems", wr_repeat: "Repeat appeals", wr_late: "Likely to run late",
    wr_recurring_count: "Cases of a category in one micro-grid", wr_recurring_days: "Within days",
    wr_repeat_metres: "Same place within (metres)", wr_repeat_days: "Looking back (days)", wr_repeat_low_rating: "A rating at or below this leaves it unsettled (1–4)",
    wr_late_share_percent: "A department's late share of the category (%)", wr_late_min_closed: "Judged on at least this many closed cases", wr_late_window_days: "Over the last days",
    wr_saved: "Warning rules saved",
  },
});

/** The rules, grouped by the warning they shape. */
const WARNING_RULE_GROUPS = [
  ["wr_recurring", ["recurring_count", "recurring_days"]],
  ["wr_repeat", ["repeat_metres", "repeat_days", "repeat_low_rating"]],
  ["wr_late", ["late_share_percent", "late_min_closed", "late_window_days"]],
];

async function drawWarningRules() {
  const rules = await session.call("GET", "/admin/warning-rules");
  const number = (name) => h("label", {}, h("span", {}, t(`wr_${name}`)),
    h("input", { type: "number", name, step: 1, min: 1, required: true, value: rules[name], inputmode: "numeric" }));
  const form = h("form", { id: "warning-rules" },
    h("p", { class: "muted" }, t("wr_note")),
    ...WARNING_RULE_GROUPS.map(([heading, names]) => h("fieldset", {}, h("legend", {}, t(heading)), ...names.map(number))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [, names] of WARNING_RULE_GROUPS) for (const name of names) body[name] = Number(form.elements[name].value);
    try {
      await session.call("PUT", "/admin/warning-rules", { body });
      await drawWarningRules();
      say($("#section-status"), t("wr_saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  $("#section-body").replaceChildren(form);
}
