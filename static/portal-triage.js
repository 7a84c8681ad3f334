// The resident's pick checked (研判 on the portal): once a category is
// picked and the description written, the tenant's triage model says
// whether the pick looks wrong (POST …/triage/check, anonymous, braked) and
// which public category it looks like: "这看起来像：占道经营？" with 改为… and
// 保持原选择. The answer names a category and nothing else. docs/triage.md.
"use strict";

I18N.add({
  zh: { tc_looks_like: "这看起来像：{0}？", tc_change: "改为{0}", tc_keep: "保持原选择" },
  en: { tc_looks_like: "This looks like: {0}?", tc_change: "Change to {0}", tc_keep: "Keep my choice" },
});

/** Fewer characters than this say too little to check. */
const TRIAGE_CHECK_MIN_CHARS = 4;
/** Picks the resident chose to keep, with the text they kept them for. */
const triageKept = new Set();
let triageTimer = null;
let triageAsked = 0;

/** The hint under the description, made once. */
function triageHint() {
  let hint = $("#triage-hint");
  if (!hint) {
    hint = h("div", { id: "triage-hint", class: "notice", role: "status", "aria-live": "polite", hidden: true });
    reportForm.elements.description.closest("label").after(hint);
  }
  return hint;
}

/** Asks the tenant's model about the pick and the text as they stand now. */
async function checkTriage() {
  const pick = reportForm.elements.category && reportForm.elements.category.value;
  const description = reportForm.elements.description.value.trim();
  const hint = triageHint();
  if (!pick || description.length < TRIAGE_CHECK_MIN_CHARS || triageKept.has(`${pick}\n${description}`)) {
    hint.hidden = true;
    return;
  }
  const asked = ++triageAsked;
  let answer;
  try {
    answer = await api("POST", tenantPath(tenant(), "/triage/check"), { body: { category: pick, description } });
  } catch {
    return; // a hint, never in the way of a report
  }
  if (asked !== triageAsked) return; // a later question is under way
  const like = answer.looks_like;
  if (!like) {
    hint.hidden = true;
    return;
  }
  const name = I18N.lang === "en" ? like.name_en : like.name_zh;
  hint.replaceChildren(
    h("p", {}, t("tc_looks_like", name)),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "triage-change", onclick: () => {
        const radio = $$("#categories input[name=category]").find((r) => r.value === like.code);
        if (radio) {
          radio.checked = true;
          radio.dispatchEvent(new Event("change", { bubbles: true }));
        }
        hint.hidden = true;
      } }, t("tc_change", name)),
      h("button", { type: "button", id: "triage-keep", onclick: () => {
        triageKept.add(`${pick}\n${description}`);
        hint.hidden = true;
      } }, t("tc_keep"))));
  hint.hidden = false;
}

/** Checks again a moment after the resident stops typing or picks again. */
function scheduleTriageCheck() {
  clearTimeout(triageTimer);
  triageTimer = setTimeout(checkTriage, 600);
}

reportForm.elements.description.addEventListener("input", scheduleTriageCheck);
$("#categories").addEventListener("change", scheduleTriageCheck);
