// The console of the command centre and the departments: work queues, a
// case with its timeline and clock, a button for each step the API lists,
// and bulk dispatch of triage cases for the command centre.
"use strict";

I18N.add({
  en: {
    title: "Grid governance console", admin: "Admin",
    sort: "Sort", sort_due: "By deadline",
    sort_oldest: "Oldest", sort_newest: "Newest", clock: "Clock", clock_all: "All", clock_soon: "Due soon",
    clock_over: "Overdue", refresh: "Refresh", bulk_to: "Dispatch selected to", bulk_go: "Dispatch selected",
    select: "Select", code: "Code", case: "Case", state: "State", due: "Time left", more: "More", pick_case: "Pick a case",
    kind_photo: "Photo", kind_voice: "Voice note", kind_video: "Video", kind_document: "PDF",
    shown_publicly: "Public", hidden_publicly: "Hidden from the public", hide_publicly: "Hide from the public",
    show_publicly: "Show publicly again", never_public: "Papers are never public", file_name: "{0} · {1}",
  },
});
I18N.add({
  zh: {
    q_triage: "待研判", q_open: "办理中", q_overdue: "已超时", q_escalated: "已督办", q_unassigned: "未分拨", q_inbox: "本部门待办",
    q_verification: "待核查", triage_left: "派单时限", place: "位置", address: "地址", grid_path: "所属网格", no_place: "未定位",
    reporter: "反映人", call: "拨打 {0}", no_contact: "未留联系方式", coordinates: "{0}, {1}",
    empty: "队列为空", description: "描述", priority: "优先级", grid: "网格",
    response: "响应时限", resolution: "办结时限", escalation: "督办", timeline: "办理过程", attachments: "附件",
    no_attachments: "没有附件", result_photo: "处理结果", evidence_photo: "上报材料", actions: "可办理的操作",
    assists: "联办部门", part_done: "本部门工作已完成，答复",
    comment: "备注", public: "公开（群众可见）", add_comment: "添加备注", done: "已完成", bulk_none: "请先勾选待研判案件",
    bulk_done: "已分拨 {0} 件", bulk_failed: "{0}：{1}",
    me_too: "我也遇到 {0}", fixed: "当场解决", source: "来源", select_case: "选择 {0}",
    priority_low: "不急", priority_normal: "一般", priority_high: "较急", priority_urgent: "紧急",
    source_resident: "群众上报", source_grid_worker: "网格员上报", source_enterprise: "企业诉求", source_mediation: "矛调中心",
    source_agent: "代办",
    kind_photo: "照片", kind_voice: "语音", kind_video: "视频", kind_document: "PDF",
    shown_publicly: "公示中", hidden_publicly: "不公示", hide_publicly: "从公示中隐藏", show_publicly: "恢复公示",
    never_public: "材料不公示", file_name: "{0} · {1}",
  },
  en: {
    q_triage: "Triage", q_open: "Open", q_overdue: "Overdue", q_escalated: "Escalated", q_unassigned: "Unassigned", q_inbox: "My department",
    q_verification: "To verify", triage_left: "Dispatch by", place: "Place", address: "Address", grid_path: "Grid", no_place: "No place given",
    reporter: "Reporter", call: "Call {0}", no_contact: "No contact left", coordinates: "{0}, {1}",
    empty: "Nothing in this queue", description: "Description", priority: "Priority",
    grid: "Grid", response: "Respond by", resolution: "Resolve by", escalation: "Escalation", timeline: "Timeline",
    attachments: "Attachments", no_attachments: "No files",
    result_photo: "Result", evidence_photo: "Evidence", actions: "Steps you can take",
    assists: "Assisting departments", part_done: "Our part is done; answer", comment: "Comment", public: "Public (residents see it)",
    add_comment: "Add comment", done: "done", bulk_none: "Tick triage cases first", bulk_done: "Dispatched {0}",
    bulk_failed: "{0}: {1}", me_too: "{0} others too",
    fixed: "Fixed on the spot", source: "Source", select_case: "Select {0}",
    priority_low: "Low", priority_normal: "Normal", priority_high: "High", priority_urgent: "Urgent",
    source_resident: "Resident's report", source_grid_worker: "Grid worker's report", source_enterprise: "Enterprise request",
    source_mediation: "Mediation centre", source_agent: "Agent service",
  },
});
const session = new Session("console");
const centre = () => ["command_centre", "tenant_admin"].includes(session.role);
let departments = [];
let categories = [];
let queue = null;
let nextAfter = null;
let current = null; // the case on show

// ---- queues ----
function queuesFor() {
  return centre() ? ["triage", "verification", "open", "overdue", "escalated", "unassigned", "warnings"] : ["inbox"];
}

function showQueueTabs() {
  $("#queues").replaceChildren(...queuesFor().map((q) => h("button", {
    type: "button", id: `q-${q}`, "aria-selected": String(q === queue), onclick: () => openQueue(q),
  }, t(`q_${q}`))));
}

async function openQueue(name, append = false) {
  queue = name;
  if (!append) nextAfter = null;
  showQueueTabs();
  $("#queue-heading").textContent = t(`q_${name}`);
  showWarnings(name === "warnings"); // console-warnings.js
  if (name === "warnings") return openWarnings();
  const bulk = centre() && name === "triage";
  $("#bulk").hidden = !bulk;
  $("#select-col").hidden = !bulk;
  const params = new URLSearchParams({ sort: $("#sort").value });
  if ($("#clock").value) params.set("clock", $("#clock").value);
  if (append && nextAfter) params.set("after", nextAfter);
  const status = $("#queue-status");
  try {
    const page = await session.call("GET", `/queues/${name}?${params}`);
    nextAfter = page.next_after;
    $("#more").hidden = !nextAfter;
    const rows = page.cases.map((c) => queueRow(c, bulk));
    if (append) $("#queue").append(...rows);
    else $("#queue").replaceChildren(...rows);
    say(status, $("#queue").children.length ? "" : t("empty"));
  } catch (error) {
    say(status, error.message, "error");
  }
}

/** The clock that runs now: triage's until dispatched, then the response's until signed for, then the resolution's. */
function clockNow(c) {
  if (c.triage_minutes_left !== null && c.triage_minutes_left !== undefined) return c.triage_minutes_left;
  return c.state === "dispatched" ? c.response_minutes_left : c.resolution_minutes_left;
}

function queueRow(c, selectable) {
  const left = clockNow(c);
  return h("tr", { "data-id": c.id, "data-code": c.tracking_code },
    selectable ? h("td", {}, h("input", { type: "checkbox", class: "pick", value: c.id, "aria-label": t("select_case", c.tracking_code) })) : null,
    // A click on the case already open reloads it (the hash does not change then).
    h("td", {}, h("a", { href: `#case/${c.id}`, onclick: () => { if (current && current.id === c.id) openCase(c.id); } }, c.tracking_code)),
    h("td", {}, h("div", { class: "what" }, h("strong", {}, categoryName(c.category)), h("br"), (c.description || "").slice(0, 60))),
    h("td", { "data-state": c.state }, stateText(c.state, c.state_label)),
    h("td", { class: left < 0 ? "late" : "" }, timeLeft(left, c.paused)));
}

const categoryName = (code) => categoryText(categories, code);
const departmentName = (id) => (departments.find((d) => d.id === id) || { name: id === null || id === undefined ? "—" : `#${id}` }).name;

// ---- one case ----
async function openCase(id) {
  const body = $("#case-body");
  try {
    current = await session.call("GET", `/cases/${id}`);
  } catch (error) {
    say(body, error.message, "error");
    return;
  }
  const c = current;
  $("#case-heading").textContent = `${c.tracking_code} · ${categoryName(c.category)}`;
  const clock = (minutes) => h("span", { class: minutes < 0 ? "late" : "" }, timeLeft(minutes, c.paused) || "—");
  body.replaceChildren(h("div", {},
    h("dl", {},
      h("dt", {}, t("state")), h("dd", { id: "case-state", "data-state": c.state }, stateText(c.state, c.state_label)),
      h("dt", {}, t("description")), h("dd", {}, c.description),
      c.triage_minutes_left !== null && c.triage_minutes_left !== undefined ? [h("dt", {}, t("triage_left")), h("dd", { id: "triage-left" }, clock(c.triage_minutes_left))] : null,
      h("dt", {}, t("priority")), h("dd", { id: "case-priority" }, t(`priority_${c.priority}`)),
      h("dt", {}, t("department")), h("dd", {}, departmentName(c.department_id)),
      h("dt", {}, t("source")), h("dd", { id: "case-source" }, t(`source_${c.source}`), c.fixed_on_the_spot ? ` · ${t("fixed")}` : "", c.me_too_count ? ` · ${t("me_too", c.me_too_count)}` : ""),
      h("dt", {}, t("response")), h("dd", { id: "response-left" }, clock(c.response_minutes_left)),
      h("dt", {}, t("resolution")), h("dd", { id: "resolution-left" }, clock(c.resolution_minutes_left)),
      c.escalation && c.escalation !== "none" ? [h("dt", {}, t("escalation")), h("dd", { class: "late" }, t(`escalation_${c.escalation}`))] : null),
    placeView(c),
    triagePanel(session, c, { departments, categories, categoryName, reload: () => { openQueue(queue); return openCase(c.id); } }),
    h("h3", {}, t("actions")),
    caseSteps(session, c, { departments, categories, categoryName, reload: () => { openQueue(queue); return openCase(c.id); } }),
    c.assists && c.assists.length ? [h("h3", {}, t("assists")), h("ul", { id: "assists" }, ...c.assists.map((a) => h("li", {},
      `${departmentName(a.department_id)}: ${a.part}`, a.done_at ? ` — ${t("done")}: ${a.answer}` : assistForm(c, a))))] : null,
    h("h3", {}, t("attachments")),
    attachmentList(c),
    h("h3", {}, t("timeline")),
    timelineList(c, departments, categories),
    commentForm(c)));
}

/**
 * Where the problem is and who to call: the grid path down to the
 * micro-grid, the address as typed, the pin on the map (map.js), and the
 * reporter's contact when the API sends it (those who may call back).
 */
function placeView(c) {
  const p = c.place || {};
  const path = (p.grid_path || []).map((n) => n.name).join(" › ");
  const pinned = p.latitude !== null && p.latitude !== undefined;
  const contact = c.contact;
  const section = h("section", { id: "case-place", "aria-label": t("place") },
    h("dl", {},
      h("dt", {}, t("grid_path")), h("dd", { id: "case-grid-path" }, path || t("no_place")),
      p.address ? [h("dt", {}, t("address")), h("dd", { id: "case-address" }, p.address)] : null,
      pinned ? [h("dt", {}, t("place")), h("dd", { class: "muted" }, t("coordinates", p.latitude.toFixed(5), p.longitude.toFixed(5)))] : null,
      contact ? [h("dt", {}, t("reporter")), h("dd", { id: "case-contact" },
        contact.name || "", contact.name && contact.phone ? " · " : "",
        contact.phone ? h("a", { href: `tel:${contact.phone}`, "aria-label": t("call", contact.phone) }, contact.phone) : "",
        !contact.name && !contact.phone ? t("no_contact") : "")] : null));
  if (pinned) {
    const holder = h("div", { class: "leaflet-map small", id: "case-map" });
    section.append(holder);
    gridShapes().then((nodes) => placeMap(holder, { latitude: p.latitude, longitude: p.longitude }, nodes, { tenant: session.tenant })).catch(() => holder.remove());
  }
  return section;
}

/** The tenant's grid with its shapes, read once per page. */
let gridShapesRead = null;
function gridShapes() {
  gridShapesRead = gridShapesRead || api("GET", tenantPath(session.tenant, "/admin/grid?geometry=true")).then((tree) => tree.nodes);
  return gridShapesRead;
}

/** An assisting department's part reported done (by that department, or the centre for it). */
function assistForm(c, assist) {
  const code = (departments.find((d) => d.id === assist.department_id) || {}).code;
  const form = h("form", { class: "row assist-form" },
    h("label", {}, h("span", {}, t("part_done")), h("input", { name: "answer", required: true, maxlength: 2000 })),
    h("button", { type: "submit" }, t("confirm")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await session.call("POST", `/cases/${c.id}/assists`, { body: { answer: new FormData(form).get("answer").trim(), department: code } });
      openCase(c.id);
    } catch (error) {
      say($("#action-result"), error.message, "error");
    }
  });
  return form;
}

/** The case's files, as the staff case view lists them (hidden ones too). */
function attachmentList(c) {
  if (!c.attachments.length) return h("p", { class: "muted", id: "attachments" }, t("no_attachments"));
  return photoViewer(h("ul", { class: "files", id: "attachments" }, ...c.attachments.map(attachmentRow)));
}

/**
 * One file: its preview (a photo drawn, a voice note or video played), what
 * it is and when it came, and whether the public sees it, with the switch
 * (faces and plates are the uploader's duty, and any staff member may hide
 * a file from the status page and the board). A PDF paper is never public.
 */
function attachmentRow(a) {
  const name = t("file_name", t(a.purpose === "result" ? "result_photo" : "evidence_photo"), t(`kind_${a.kind}`));
  const paper = a.kind === "document";
  const preview = h("span", { class: "preview", "aria-hidden": "true" }, t(`kind_${a.kind}`));
  const text = h("span", {}, paper ? paperLink(session, a.id, name, (message) => say($("#action-result"), message, "error")) : name,
    h("br"), h("time", { class: "muted", datetime: a.uploaded_at }, localTime(a.uploaded_at)));
  const li = h("li", { "data-id": a.id, "data-kind": a.kind, "data-public": String(!!a.public) }, preview, text);
  if (!paper) {
    blobUrl(session, a.id).then(({ url, type }) => {
      if (type.startsWith("image/")) preview.replaceWith(h("img", { src: url, alt: name }));
      else text.append(h("br"), type.startsWith("audio/") || a.kind === "voice"
        ? h("audio", { src: url, controls: true, "aria-label": name })
        : h("video", { src: url, controls: true, width: 200, "aria-label": name }));
    }).catch(() => {});
  }
  li.append(paper ? h("span", { class: "muted visibility" }, t("never_public")) : visibilitySwitch(a, li));
  return li;
}

/** Whether file `a` (the row `li`) is public, and the button that turns it. */
function visibilitySwitch(a, li) {
  const button = h("button", { type: "button", class: "link", "data-visibility": a.public ? "hide" : "show" },
    t(a.public ? "hide_publicly" : "show_publicly"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const turned = await session.call("PATCH", `/attachments/${a.id}`, { body: { public: !a.public } });
      li.replaceWith(attachmentRow({ ...a, public: turned.public }));
    } catch (error) {
      say($("#action-result"), error.message, "error");
      button.disabled = false;
    }
  });
  return h("span", { class: "visibility" },
    h("span", { class: a.public ? "ok" : "muted" }, t(a.public ? "shown_publicly" : "hidden_publicly")), " ", button);
}

function commentForm(c) {
  const form = h("form", { id: "comment-form" },
    h("label", {}, h("span", {}, t("comment")), h("textarea", { name: "text", required: true, rows: 2, maxlength: 2000 })),
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "public" }), " ", t("public")),
    h("button", { type: "submit" }, t("add_comment")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await session.call("POST", `/cases/${c.id}/comments`, { body: { text: data.get("text").trim(), public: data.get("public") === "on" } });
      openCase(c.id);
    } catch (error) {
      say($("#action-result"), error.message, "error");
    }
  });
  return form;
}

// ---- bulk dispatch: several triage cases to one department, each through accept and register ----
$("#bulk").addEventListener("submit", async (event) => {
  event.preventDefault();
  const out = $("#bulk-result");
  const ids = $$("#queue input.pick:checked").map((box) => Number(box.value));
  if (!ids.length) return say(out, t("bulk_none"), "error");
  const department = new FormData(event.target).get("department");
  const failures = [];
  let done = 0;
  for (const id of ids) {
    try {
      const next = { reported: "accept", accepted: "register", registered: "dispatch" };
      let c = await session.call("GET", `/cases/${id}`);
      while (next[c.state]) {
        const step = next[c.state];
        c = await session.call("POST", `/cases/${id}/actions`, { body: { version: c.version, action: step, ...(step === "dispatch" ? { department } : {}) } });
      }
      done += 1;
    } catch (error) {
      failures.push(t("bulk_failed", id, error.message));
    }
  }
  say(out, [t("bulk_done", done), ...failures].join("；"), failures.length ? "error" : "ok");
  openQueue(queue);
});

// ---- start ----
async function loadReference() {
  [{ items: departments }, { items: categories }] = await Promise.all([
    session.call("GET", "/admin/departments").catch(() => ({ items: [] })),
    api("GET", tenantPath(session.tenant, "/admin/categories")).catch(() => ({ items: [] })),
  ]);
  $("#bulk select").replaceChildren(choosePrompt(), ...departments.filter((d) => !d.retired).map((d) => h("option", { value: d.code }, d.name)));
}

function route() {
  const match = location.hash.match(/^#case\/(\d+)$/);
  if (match && session.valid) openCase(Number(match[1])).then(() => $("#case").focus());
}

async function start() {
  const signedIn = session.valid;
  $("#login-view").hidden = signedIn;
  $("#app-view").hidden = !signedIn;
  $("#logout").hidden = !signedIn;
  $("#admin-link").hidden = !(signedIn && session.role === "tenant_admin");
  $("#me").textContent = signedIn ? `${session.data.name} · ${session.data.tenant_name}` : "";
  if (!signedIn) return;
  await loadReference();
  openQueue(location.hash === "#warnings" && centre() ? "warnings" : queuesFor()[0]);
  route();
}
window.addEventListener("hashchange", route);
// 刷新 reloads the queue and the case on show: a stale case offers steps that are gone.
$("#refresh").addEventListener("click", () => { openQueue(queue); if (current) openCase(current.id); });
$("#sort").addEventListener("change", () => openQueue(queue));
$("#clock").addEventListener("change", () => openQueue(queue));
$("#more").addEventListener("click", () => openQueue(queue, true));
$("#logout").addEventListener("click", () => { session.logout(); start(); });
loginForm($("#login-view"), session, start);
onLang(() => { if (session.valid && queue) { openQueue(queue); if (current) openCase(current.id); } });
I18N.apply();
start();
