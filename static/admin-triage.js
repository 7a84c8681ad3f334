// The admin page's smart triage section (docs/triage.md): automatic
// dispatch by the triage (智能分拨), off unless switched on, above the
// confidence the admin sets; says what the model has learned and whether
// it acts yet (30 decided cases, 10 for the department it suggests), and
// what it did so far. admin.js shows it as a section.
"use strict";

I18N.add({
  zh: {
    triage: "智能研判",
    tr_note: "研判模型从指挥中心的分拨、转办和改类中学习。开启后，没有分拨规则的新上报事件，若模型对处置部门的把握达到下面的置信度，由系统直接分拨（时间线记为“智能分拨”），指挥中心可撤销并说明原因，模型随即忘掉这件事。",
    tr_rule: "模型学满 {0} 件已分拨案件、所建议部门至少 {1} 件后才会自动分拨。",
    tr_learned: "已学习：事件类型 {0} 件，处置部门 {1} 件",
    tr_ready: "模型已可自动分拨", tr_not_ready: "模型学习的案件还不够，暂不自动分拨",
    tr_enabled: "开启智能分拨", tr_threshold: "置信度门槛（0.50–0.99）",
    tr_counts: "累计智能分拨 {0} 件，被撤销 {1} 件", tr_saved: "智能研判设置已保存",
  },
  en: {
    triage: "Smart triage",
    tr_note: "The model learns from the command centre's dispatches, transfers and re-categorisations. Switched on, a new report no routing rule takes is dispatched by the platform when the model is at least as sure of the department as the threshold below (the timeline says “Smart triage”); the command centre may undo it with a reason, and the model then forgets the case.",
    tr_rule: "It dispatches only once the model has learned {0} dispatched cases, and {1} for the department it suggests.",
    tr_learned: "Learned: {0} cases' categories, {1} cases' departments",
    tr_ready: "The model may dispatch on its own", tr_not_ready: "The model has not learned enough cases yet: nothing is dispatched on its own",
    tr_enabled: "Dispatch automatically", tr_threshold: "Confidence threshold (0.50–0.99)",
    tr_counts: "Dispatched automatically: {0}; undone: {1}", tr_saved: "Smart triage settings saved",
  },
});

async function drawTriage() {
  const s = await session.call("GET", "/admin/triage");
  const form = h("form", { id: "triage-settings" },
    h("p", { class: "muted" }, t("tr_note")),
    h("p", { class: "muted" }, t("tr_rule", s.min_cases, s.min_department_cases)),
    h("p", { id: "triage-learned" }, t("tr_learned", s.learned.category, s.learned.department)),
    h("p", { id: "triage-ready", class: s.ready ? "ok" : "warn", role: "status" }, t(s.ready ? "tr_ready" : "tr_not_ready")),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "auto_dispatch", checked: s.auto_dispatch }), " ", t("tr_enabled")),
    h("label", {}, h("span", {}, t("tr_threshold")),
      h("input", { type: "number", name: "threshold", min: 0.5, max: 0.99, step: 0.01, required: true, value: s.threshold })),
    h("p", { id: "triage-counts" }, t("tr_counts", s.auto_dispatched, s.undone)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const e = form.elements;
    try {
      await session.call("PUT", "/admin/triage", { body: { auto_dispatch: e.auto_dispatch.checked, threshold: Number(e.threshold.value) } });
      await drawTriage();
      say($("#section-status"), t("tr_saved"), "ok");
    } catch (error) {
      say($("#section-status"), error.message, "error");
    }
  });
  $("#section-body").replaceChildren(form);
}
