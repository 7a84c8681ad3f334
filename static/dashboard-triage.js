// The dashboard's smart triage figures (智能分拨, docs/triage.md): the
// reports the triage dispatched on intake and those the command centre
// undid, counted apart from the case figures (GET …/dashboard/triage), and
// whether automatic dispatch is on. Drawn in its own section after the
// figures, again whenever the figures are drawn again (a new period) and
// on a language switch.
"use strict";

I18N.add({
  zh: {
    td_heading: "智能分拨", td_auto: "智能分拨", td_undone: "被撤销", td_kept: "采纳率", td_on: "已开启，置信度门槛 {0}",
    td_off: "未开启（在管理后台“智能研判”中设置）", td_failed: "智能分拨数据未能加载：{0}",
  },
  en: {
    td_heading: "Smart dispatch", td_auto: "Dispatched by the triage", td_undone: "Undone", td_kept: "Kept", td_on: "On, threshold {0}",
    td_off: "Off (set under Smart triage in the admin page)", td_failed: "The smart dispatch figures did not load: {0}",
  },
});

let triageFigures = null;

function triageSection() {
  let section = $("#triage-section");
  if (!section) {
    section = h("section", { id: "triage-section", "aria-labelledby": "triage-heading" },
      h("h2", { id: "triage-heading", "data-t": "td_heading" }, t("td_heading")),
      h("div", { id: "triage-cards", class: "cards" }),
      h("p", { id: "triage-status", role: "status", "aria-live": "polite" }));
    $("#cards").closest("section").after(section);
  }
  return section;
}

async function refreshTriage() {
  triageSection();
  try {
    triageFigures = await session.call("GET", "/dashboard/triage");
    drawTriageFigures();
  } catch (error) {
    say($("#triage-status"), t("td_failed", error.message), "error");
  }
}

function drawTriageFigures() {
  if (!triageFigures) return;
  const f = triageFigures;
  const card = (id, key, value) => h("div", { class: "card", id },
    h("div", { class: "value" }, value), h("div", { class: "name" }, t(key)));
  const kept = f.auto_dispatched ? `${Math.round(((f.auto_dispatched - f.undone) / f.auto_dispatched) * 100)}%` : "—";
  $("#triage-cards").replaceChildren(
    card("triage-auto", "td_auto", String(f.auto_dispatched)),
    card("triage-undone", "td_undone", String(f.undone)),
    card("triage-kept", "td_kept", kept));
  say($("#triage-status"), f.auto_dispatch ? t("td_on", f.threshold.toFixed(2)) : t("td_off"));
}

// The figures are drawn again for each period: so are these.
new MutationObserver(() => { if (session.valid) refreshTriage(); }).observe($("#cards"), { childList: true });
onLang(drawTriageFigures);
