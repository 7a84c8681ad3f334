// The dashboard's early warnings (预警, docs/warnings.md): how many are open
// of each kind now, from `GET …/warnings` (its `open` counts), each count a
// link to the console's 预警 panel, where the command centre handles them.
// dashboard.js calls refreshWarnings() after its own figures and
// drawWarnings() when the language changes.
"use strict";

I18N.add({
  zh: {
    warnings: "预警", w_kind_recurring: "反复发生", w_kind_repeat: "重复诉求", w_kind_late_risk: "可能超时",
    w_open_count: "{0} 条待处理", w_to_console: "到工作台处理", w_failed: "预警未能加载：{0}",
  },
  en: {
    warnings: "Early warnings", w_kind_recurring: "Recurring", w_kind_repeat: "Repeat appeals", w_kind_late_risk: "Likely late",
    w_open_count: "{0} open", w_to_console: "Handle them in the console", w_failed: "The warnings did not load: {0}",
  },
});

let openWarningCounts = null;

async function refreshWarnings() {
  try {
    openWarningCounts = (await session.call("GET", "/warnings?state=open&limit=1")).open;
    drawWarnings();
  } catch (error) {
    say($("#warning-counts-status"), t("w_failed", error.message), "error");
  }
}

function drawWarnings() {
  if (!openWarningCounts) return;
  $("#warning-counts").replaceChildren(...["recurring", "repeat", "late_risk"].map((kind) =>
    h("a", { class: "card", href: "/console.html#warnings", "data-kind": kind,
      "aria-label": `${t(`w_kind_${kind}`)}: ${t("w_open_count", openWarningCounts[kind] || 0)}` },
    h("div", { class: "value" }, String(openWarningCounts[kind] || 0)),
    h("div", { class: "name" }, t(`w_kind_${kind}`)))));
  say($("#warning-counts-status"), "");
}
