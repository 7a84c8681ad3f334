// The mediation centre's one window (矛调中心 一站式窗口): a dispute taken in
// with its parties and documents; the list; a dispute with its parties
// (contact details are the centre's only), sessions, outcome and case flow;
// the centre's figures. The dispute is the API's /mediation/…, its flow the
// routing component's /cases/{id}; nothing is decided here.
"use strict";

I18N.add({
  zh: {
    side_applicant: "申请人", side_respondent: "被申请人", person: "个人", organisation: "单位", party_kind: "类型",
    name: "姓名或名称", phone: "联系电话", address: "地址", remove: "移除", side: "身份",
    code: "查询码", kind: "纠纷类型", subject: "纠纷事项", state: "状态", outcome: "调解结果", taken_in_at: "受理时间",
    amount: "争议金额", window: "受理窗口", priority: "优先级", lead: "牵头部门", none: "—", empty: "还没有纠纷",
    uploading: "正在上传材料…", taken_in: "已受理，查询码 {0}", parties: "当事人（联系方式仅中心可见）",
    documents: "材料", no_documents: "没有材料", add_documents: "补充材料", document: "材料 {0}",
    sessions: "调解安排", no_sessions: "还没有安排调解", scheduled_for: "安排时间", place: "地点",
    schedule: "安排调解", held_at: "举行时间", participants: "参加人员（用顿号或逗号分隔）", agreed: "议定事项",
    record: "登记调解情况", record_held: "登记一次未预先安排的调解", took_part: "参加人员",
    outcome_kind: "结果", outcome_text: "协议内容（不予受理时写明理由）", outcome_documents: "协议书、起诉引导或撤回材料",
    record_outcome: "登记调解结果", o_agreement: "调解成功", o_judicial_confirmation: "申请司法确认",
    o_litigation: "引导诉讼", o_withdrawn: "撤回", o_not_accepted: "不予受理",
    flow: "办理流程", actions: "可办理的操作", timeline: "办理过程", saved: "已保存",
    taken: "受理", resolved_n: "化解", rate: "化解率", all: "合计", by_kind: "按纠纷类型", by_department: "按牵头部门",
    by_month: "按月份", month: "月份",
    low: "不急", normal: "一般", high: "较急", urgent: "紧急",
  },
  en: {
    title: "Mediation centre · one-stop window", console: "Console", tab_list: "Disputes", tab_intake: "Take in",
    tab_figures: "Figures", more: "More", kind: "Kind of dispute", subject: "Subject", amount: "Amount in dispute",
    amount_field: "Amount in dispute (yuan, optional)",
    window: "Window", priority: "Priority", p_normal: "Normal", p_high: "High", p_urgent: "Urgent", p_low: "Low",
    lead: "Lead department", by_rules: "By the routing rules or the command centre's triage",
    parties: "Parties (contact details: the centre only)", add_applicant: "Add applicant", add_respondent: "Add respondent",
    documents: "Documents", documents_field: "Documents (photos, scans or PDFs, uploaded first)", take_in: "Take in",
    side_applicant: "Applicant", side_respondent: "Respondent", person: "Person", organisation: "Organisation",
    party_kind: "Kind", name: "Name", phone: "Phone", address: "Address", remove: "Remove", side: "Side",
    code: "Code", state: "State", outcome: "Outcome", taken_in_at: "Taken in", none: "—", empty: "No disputes yet",
    uploading: "Uploading documents…", taken_in: "Taken in: tracking code {0}",
    no_documents: "No documents", add_documents: "Add documents", document: "Document {0}",
    sessions: "Sessions", no_sessions: "No session yet", scheduled_for: "Scheduled for", place: "Place",
    schedule: "Schedule a session", held_at: "Held at", participants: "Who took part (separated by commas)",
    agreed: "What was agreed", record: "Record the session", record_held: "Record a session held without notice",
    took_part: "Took part", outcome_kind: "Outcome", outcome_text: "The agreement (or why it is not accepted)",
    outcome_documents: "Agreement, referral or withdrawal papers", record_outcome: "Record the outcome",
    o_agreement: "Agreement", o_judicial_confirmation: "Judicial confirmation", o_litigation: "Referred to court",
    o_withdrawn: "Withdrawn", o_not_accepted: "Not accepted", flow: "Case flow", actions: "Steps you can take",
    timeline: "Timeline", saved: "Saved", taken: "Taken in", resolved_n: "Resolved", rate: "Resolution rate", all: "All",
    by_kind: "By kind", by_department: "By lead department", by_month: "By month", month: "Month",
    low: "Low", normal: "Normal", high: "High", urgent: "Urgent",
  },
});

// The window is staffed by the command centre and department staff: the console's sign-in.
const session = new Session("console");
const OUTCOMES = ["agreement", "judicial_confirmation", "litigation", "withdrawn", "not_accepted"];
// A dispute's papers: photos and scans, or PDFs (IOUs, contracts, agreements; never public).
const PAPERS = "image/*,application/pdf";
let kinds = [];
let departments = [];
let categories = [];

const kindName = (kind) => kindText(kinds, kind);
const departmentName = (id) => (departments.find((d) => d.id === id) || { name: id ? `#${id}` : "—" }).name;
const splitNames = (text) => text.split(/[、,，;；\n]/).map((x) => x.trim()).filter(Boolean);

/** Submits `form` with `send(data)`, then shows the dispute again and says so. */
const sendThenShow = (form, send) => onSubmit(form, send, async () => {
  await openDispute(Number(form.dataset.dispute));
  say($("#dispute-result"), t("saved"), "ok");
});

// ---- intake ----
function partyRow(side) {
  return h("fieldset", { class: "party", "data-side": side },
    h("legend", { "data-t": `side_${side}` }, t(`side_${side}`)),
    h("div", { class: "row" },
      labelled("party_kind", h("select", { name: "party_kind" },
        ...["person", "organisation"].map((k) => h("option", { value: k, "data-t": k }, t(k))))),
      labelled("name", h("input", { name: "party_name", required: true, maxlength: 200 })),
      labelled("phone", h("input", { name: "party_phone", type: "tel", inputmode: "tel", maxlength: 30, autocomplete: "off" })),
      labelled("address", h("input", { name: "party_address", maxlength: 300, autocomplete: "off" })),
      h("button", { type: "button", class: "link", "data-t": "remove", onclick: (event) => event.target.closest(".party").remove() }, t("remove"))));
}

function resetParties() {
  $("#party-rows").replaceChildren(partyRow("applicant"), partyRow("respondent"));
}

$("#add-applicant").addEventListener("click", () => $("#party-rows").append(partyRow("applicant")));
$("#add-respondent").addEventListener("click", () => $("#party-rows").append(partyRow("respondent")));

$("#intake-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const out = $("#intake-result");
  const value = (row, name) => $(`[name=${name}]`, row).value.trim() || undefined;
  const parties = $$("#party-rows .party").map((row) => ({
    side: row.dataset.side, kind: value(row, "party_kind"), name: value(row, "party_name") || "",
    phone: value(row, "party_phone"), address: value(row, "party_address"),
  }));
  const button = $("button[type=submit]", form);
  button.disabled = true;
  try {
    say(out, t("uploading"));
    const documents = await uploadFiles(session, data.getAll("documents"));
    const amount = data.get("amount");
    const dispute = await session.call("POST", "/mediation/disputes", { body: {
      kind: data.get("kind"), subject: data.get("subject").trim(), window: data.get("window").trim(),
      amount_in_dispute: amount === "" ? undefined : Number(amount), priority: data.get("priority"),
      parties, document_ids: documents, handling: data.get("department") ? { department: data.get("department") } : undefined,
    } });
    form.reset();
    resetParties();
    say(out, t("taken_in", dispute.tracking_code), "ok");
    location.hash = `#dispute/${dispute.case_id}`;
  } catch (error) {
    say(out, error.message, "error");
  } finally {
    button.disabled = false;
  }
});

// ---- the list ----
const loadList = pagedList(session, "/mediation/disputes", "disputes", (items) =>
  $("#disputes").replaceChildren(dataTable([t("code"), t("kind"), t("subject"), t("state"), t("outcome"), t("taken_in_at")],
    items.map((d) => [h("a", { href: `#dispute/${d.case_id}` }, d.tracking_code), kindName(d.kind), d.subject,
      stateText(d.state, d.state_label), d.outcome ? t(`o_${d.outcome.outcome}`) : "—", localTime(d.taken_in_at)]), { id: "dispute-list" })));

// ---- one dispute ----
async function openDispute(id) {
  const body = $("#dispute-body");
  let dispute, kase;
  try {
    [dispute, kase] = await Promise.all([
      session.call("GET", `/mediation/disputes/${id}`),
      session.call("GET", `/cases/${id}`).catch((error) => ({ error })),
    ]);
  } catch (error) {
    return say(body, error.message, "error");
  }
  const d = dispute;
  $("#dispute-heading").textContent = `${d.tracking_code} · ${kindName(d.kind)}`;
  const ended = ["closed", "archived", "declined"].includes(d.state);
  body.replaceChildren(h("div", {},
    h("dl", {},
      h("dt", {}, t("state")), h("dd", { id: "dispute-state", "data-state": d.state }, stateText(d.state, d.state_label)),
      h("dt", {}, t("subject")), h("dd", {}, d.subject),
      h("dt", {}, t("amount")), h("dd", {}, d.amount_in_dispute === null ? "—" : `¥${d.amount_in_dispute}`),
      h("dt", {}, t("window")), h("dd", {}, d.window),
      h("dt", {}, t("priority")), h("dd", {}, t(d.priority)),
      h("dt", {}, t("lead")), h("dd", {}, departmentName(d.department_id)),
      h("dt", {}, t("taken_in_at")), h("dd", {}, localTime(d.taken_in_at)),
      h("dt", {}, t("outcome")), h("dd", { id: "dispute-outcome", "data-outcome": d.outcome ? d.outcome.outcome : "" },
        d.outcome ? [h("strong", {}, t(`o_${d.outcome.outcome}`)), ` · ${localTime(d.outcome.at)}`, d.outcome.text ? h("div", {}, d.outcome.text) : null] : "—")),
    h("p", { id: "dispute-result", role: "status", "aria-live": "polite" }),
    h("h3", {}, t("parties")),
    dataTable([t("side"), t("party_kind"), t("name"), t("phone"), t("address")],
      d.parties.map((p) => [t(`side_${p.side}`), t(p.kind), p.name, p.phone || "—", p.address || "—"]), { id: "parties" }),
    h("h3", {}, t("sessions")),
    sessionList(d),
    ended ? null : [scheduleForm(d), recordForm(d, null)],
    // The outcome, once recorded, is shown above; the form only while it can be.
    ended ? null : [h("h3", {}, t("outcome")), outcomeForm(d)],
    h("h3", {}, t("documents")),
    documentList(d),
    ended ? null : documentsForm(d),
    h("h3", {}, t("flow")),
    kase.error ? h("p", { class: "error" }, kase.error.message)
      : [...caseSteps(session, kase, { departments, categories, reload: () => openDispute(id) }), h("h3", {}, t("timeline")), timelineList(kase, departments, categories)]));
}

function sessionList(d) {
  if (!d.sessions.length) return h("p", { class: "muted", id: "sessions" }, t("no_sessions"));
  return h("ol", { id: "sessions" }, ...d.sessions.map((s) => h("li", { "data-recorded": String(!!s.held_at) },
    s.scheduled_for ? h("div", {}, `${t("scheduled_for")}: ${localTime(s.scheduled_for)}`, s.place ? ` · ${s.place}` : "") : null,
    s.held_at ? h("div", { class: "held" }, `${t("held_at")}: ${localTime(s.held_at)} · ${t("took_part")}: ${s.participants.join("、")}`,
      s.agreed ? h("div", {}, `${t("agreed")}: ${s.agreed}`) : null) : recordForm(d, s))));
}

function scheduleForm(d) {
  const form = h("form", { id: "schedule-form", class: "row", "data-dispute": d.case_id },
    labelled("scheduled_for", h("input", { name: "scheduled_for", type: "datetime-local", required: true })),
    labelled("place", h("input", { name: "place", maxlength: 200 })),
    h("button", { type: "submit" }, t("schedule")));
  return sendThenShow(form, (data) => session.call("POST", `/mediation/disputes/${d.case_id}/sessions`, {
    body: { scheduled_for: new Date(data.get("scheduled_for")).toISOString(), place: data.get("place").trim() || undefined },
  }));
}

/** The record of session `s` once held; with no `s`, a session held without being scheduled. */
function recordForm(d, s) {
  const heldAt = h("input", { name: "held_at", type: "datetime-local", step: 1, required: true, value: inputTime() });
  // The value as the browser keeps it: it drops ":00" seconds, so comparing
  // with the string it was given would take an untouched field for a chosen
  // minute, and that minute's start can fall before the dispute's intake.
  const drawn = heldAt.value;
  const form = h("form", { class: "record-form", "data-dispute": d.case_id },
    s ? null : h("h4", {}, t("record_held")),
    labelled("held_at", heldAt),
    labelled("participants", h("input", { name: "participants", required: true, maxlength: 1000 })),
    labelled("agreed", h("textarea", { name: "agreed", rows: 2, maxlength: 4000 })),
    h("button", { type: "submit" }, t("record")));
  const base = `/mediation/disputes/${d.case_id}/sessions`;
  return sendThenShow(form, (data) => {
    // Left as drawn, it means "just now": the moment it is sent, not the second the form was drawn.
    const held = data.get("held_at") === drawn ? new Date() : new Date(data.get("held_at"));
    const body = { held_at: held.toISOString(), participants: splitNames(data.get("participants")), agreed: data.get("agreed").trim() || undefined };
    return s ? session.call("PUT", `${base}/${s.id}`, { body }) : session.call("POST", base, { body });
  });
}

function outcomeForm(d) {
  const form = h("form", { id: "outcome-form", "data-dispute": d.case_id },
    labelled("outcome_kind", h("select", { name: "outcome" }, ...OUTCOMES.map((o) => h("option", { value: o }, t(`o_${o}`))))),
    labelled("outcome_text", h("textarea", { name: "text", rows: 3, maxlength: 4000 })),
    labelled("outcome_documents", h("input", { name: "files", type: "file", accept: PAPERS, multiple: true })),
    h("button", { type: "submit" }, t("record_outcome")));
  return sendThenShow(form, async (data) => session.call("POST", `/mediation/disputes/${d.case_id}/outcome`, {
    body: { outcome: data.get("outcome"), text: data.get("text").trim() || undefined, document_ids: await uploadFiles(session, data.getAll("files")) },
  }));
}

/** The dispute's papers, one to a line: a thumbnail (a photo) or a PDF mark, its name (a PDF's saves it) and when it came. */
function documentList(d) {
  if (!d.documents.length) return h("p", { class: "muted", id: "documents" }, t("no_documents"));
  const ul = h("ul", { class: "files", id: "documents" });
  d.documents.forEach((doc, i) => {
    const name = t("document", i + 1);
    const paper = doc.kind === "document";
    const preview = h("span", { class: "preview", "aria-hidden": "true" }, paper ? "PDF" : "");
    ul.append(h("li", { "data-id": doc.id, "data-kind": doc.kind }, preview,
      h("span", {}, paper ? paperLink(session, doc.id, name, (message) => say($("#dispute-result"), message, "error")) : name,
        h("br"), h("time", { class: "muted", datetime: doc.uploaded_at }, localTime(doc.uploaded_at)))));
    if (!paper) blobUrl(session, doc.id).then(({ url }) => preview.replaceWith(h("img", { src: url, alt: name }))).catch(() => {});
  });
  return ul;
}

function documentsForm(d) {
  const form = h("form", { class: "row", id: "documents-form", "data-dispute": d.case_id },
    labelled("add_documents", h("input", { name: "files", type: "file", accept: PAPERS, multiple: true, required: true })),
    h("button", { type: "submit" }, t("add_documents")));
  return sendThenShow(form, async (data) => session.call("POST", `/mediation/disputes/${d.case_id}/documents`, {
    body: { document_ids: await uploadFiles(session, data.getAll("files")) },
  }));
}

// ---- figures ----
const showFigures = figuresView(session, "/mediation/figures", (f) => {
  const heads = (first) => [first, t("taken"), t("resolved_n"), t("rate")];
  const row = (name, x) => [name, String(x.taken_in), String(x.resolved), rateText(x.resolution_rate)];
  return [
    dataTable(heads(""), [row(t("all"), f.total)], { id: "figures-total" }),
    h("h3", {}, t("by_kind")), dataTable(heads(t("kind")), f.by_kind.map((k) => row(kindName(k.kind), k.figures)), { id: "figures-kind" }),
    h("h3", {}, t("by_department")), dataTable(heads(t("lead")), f.by_department.map((x) => row(x.name || `#${x.department_id}`, x.figures))),
    h("h3", {}, t("by_month")), dataTable(heads(t("month")), f.by_month.map((x) => row(x.month, x.figures)))];
});

// ---- start ----
async function loadReference() {
  let me;
  [{ kinds }, { items: departments }, { items: categories }, me] = await Promise.all([
    session.call("GET", "/mediation/kinds").catch(() => ({ kinds: [] })),
    session.call("GET", "/admin/departments").catch(() => ({ items: [] })),
    api("GET", tenantPath(session.tenant, "/admin/categories")).catch(() => ({ items: [] })),
    session.call("GET", "/auth/me").catch(() => ({})),
  ]);
  fillKindChoice($("#intake-form [name=kind]"), kinds);
  const lead = $("#intake-form [name=department]");
  lead.append(...departments.filter((d) => !d.retired).map((d) => h("option", { value: d.code }, d.name)));
  // A department's staff at the window lead what they take in, unless they choose otherwise.
  if (me.department) lead.value = me.department.code;
}

resetParties();
runViews(session, ["list", "intake", "figures", "dispute"], {
  load: loadReference,
  open: (name, id) => {
    if (name === "list") loadList();
    if (name === "figures") showFigures();
    if (name === "dispute") openDispute(Number(id)).then(() => $("#dispute").focus());
  },
  relabel: () => fillKindChoice($("#intake-form [name=kind]"), kinds),
});
