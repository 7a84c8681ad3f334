// The console of the command centre and the departments: work queues, a
// case with its timeline and clock, a button for each step the API lists,
// and bulk dispatch of triage cases for the command centre.
"use strict";

const ACTION_NAMES = {
  zh: {
    report: "上报", accept: "受理", decline: "不予立案", register: "立案", dispatch: "分拨", transfer: "转办",
    recategorise: "改类", sign_for: "签收", return: "退单", request_extension: "申请延期", grant_extension: "同意延期",
    refuse_extension: "驳回延期", start_work: "开始处置", await_reporter: "待补充材料", reporter_replied: "已补充",
    resolve: "办结反馈", verify: "核查通过", reject_verification: "核查不通过", close: "结案", reopen: "重新办理",
    archive: "归档", fixed_on_the_spot: "当场解决", comment: "备注", rating: "评价",
  },
  en: {
    report: "Report", accept: "Accept", decline: "Decline", register: "Register", dispatch: "Dispatch", transfer: "Transfer",
    recategorise: "Re-categorise", sign_for: "Sign for", return: "Return", request_extension: "Ask for more time",
    grant_extension: "Grant extension", refuse_extension: "Refuse extension", start_work: "Start work",
    await_reporter: "Wait for reporter", reporter_replied: "Reporter replied", resolve: "Resolve", verify: "Verify",
    reject_verification: "Send back", close: "Close", reopen: "Reopen", archive: "Archive",
    fixed_on_the_spot: "Fixed on the spot", comment: "Comment", rating: "Rating",
  },
};
I18N.add({
  en: {
    title: "Grid governance console", admin: "Admin",
    sort: "Sort", sort_due: "By deadline",
    sort_oldest: "Oldest", sort_newest: "Newest", clock: "Clock", clock_all: "All", clock_soon: "Due soon",
    clock_over: "Overdue", refresh: "Refresh", bulk_to: "Dispatch selected to", bulk_go: "Dispatch selected",
    select: "Select", code: "Code", case: "Case", state: "State", due: "Time left", more: "More", pick_case: "Pick a case",
  },
});
I18N.add({
  zh: {
    q_triage: "待研判", q_open: "办理中", q_overdue: "已超时", q_escalated: "已督办", q_unassigned: "未分拨", q_inbox: "本部门待办",
    empty: "队列为空", category: "类别", description: "描述", priority: "优先级", department: "承办部门", grid: "网格",
    response: "响应时限", resolution: "办结时限", escalation: "督办", timeline: "办理过程", attachments: "附件",
    no_attachments: "没有附件", result_photo: "处理结果", evidence_photo: "上报材料", actions: "可办理的操作", no_actions: "当前没有可办理的操作",
    reason: "理由", answer: "答复意见", result_photos: "办理结果照片", confirm: "确定", cancel: "取消", assists: "联办部门", assisting: "联办部门（可选）", part: "承担的工作", part_done: "本部门工作已完成，答复",
    comment: "备注", public: "公开（群众可见）", add_comment: "添加备注", done: "已完成", bulk_none: "请先勾选待研判案件",
    bulk_done: "已分拨 {0} 件", bulk_failed: "{0}：{1}", stale: "案件已被他人更新，已刷新，请再试一次",
    me_too: "我也遇到 {0}", fixed: "当场解决", source: "来源", select_case: "选择 {0}",
  },
  en: {
    q_triage: "Triage", q_open: "Open", q_overdue: "Overdue", q_escalated: "Escalated", q_unassigned: "Unassigned", q_inbox: "My department",
    empty: "Nothing in this queue", category: "Category", description: "Description", priority: "Priority", department: "Department",
    grid: "Grid", response: "Respond by", resolution: "Resolve by", escalation: "Escalation", timeline: "Timeline",
    attachments: "Attachments", no_attachments: "No files",
    result_photo: "Result", evidence_photo: "Evidence", actions: "Steps you can take",
    no_actions: "No step to take now", reason: "Reason", answer: "Answer", result_photos: "Photos of the result",
    confirm: "Confirm", cancel: "Cancel", assists: "Assisting departments", assisting: "Assisting departments (optional)", part: "their part", part_done: "Our part is done; answer", comment: "Comment", public: "Public (residents see it)",
    add_comment: "Add comment", done: "done", bulk_none: "Tick triage cases first", bulk_done: "Dispatched {0}",
    bulk_failed: "{0}: {1}", stale: "Someone else changed the case; it is reloaded, try again", me_too: "{0} others too",
    fixed: "Fixed on the spot", source: "Source", select_case: "Select {0}",
  },
});
const actionName = (a) => ACTION_NAMES[I18N.lang][a] || a;

/** What each step asks for besides the version. */
const FIELDS = {
  decline: ["reason"], dispatch: ["department"], transfer: ["department", "reason"], recategorise: ["category", "reason"],
  return: ["reason"], resolve: ["answer", "attachment_ids"], reject_verification: ["reason"], reopen: ["reason"],
};

const session = new Session("console");
const centre = () => ["command_centre", "tenant_admin"].includes(session.role);
let departments = [];
let categories = [];
let queue = null;
let nextAfter = null;
let current = null; // the case on show

// ---- queues ----
function queuesFor() {
  return centre() ? ["triage", "open", "overdue", "escalated", "unassigned"] : ["inbox"];
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

function queueRow(c, selectable) {
  const left = c.state === "dispatched" ? c.response_minutes_left : c.resolution_minutes_left;
  return h("tr", { "data-id": c.id, "data-code": c.tracking_code },
    selectable ? h("td", {}, h("input", { type: "checkbox", class: "pick", value: c.id, "aria-label": t("select_case", c.tracking_code) })) : null,
    h("td", {}, h("a", { href: `#case/${c.id}` }, c.tracking_code)),
    h("td", {}, h("strong", {}, categoryName(c.category)), h("br"), (c.description || "").slice(0, 60)),
    h("td", { "data-state": c.state }, stateText(c.state, c.state_label)),
    h("td", { class: left < 0 ? "late" : "" }, timeLeft(left, c.paused)));
}

const categoryName = (code) => {
  const c = categories.find((x) => x.code === code);
  return c ? (I18N.lang === "en" ? c.name_en : c.name_zh) : code;
};
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
      h("dt", {}, t("priority")), h("dd", {}, c.priority),
      h("dt", {}, t("department")), h("dd", {}, departmentName(c.department_id)),
      h("dt", {}, t("source")), h("dd", {}, c.source, c.fixed_on_the_spot ? ` · ${t("fixed")}` : "", c.me_too_count ? ` · ${t("me_too", c.me_too_count)}` : ""),
      h("dt", {}, t("response")), h("dd", { id: "response-left" }, clock(c.response_minutes_left)),
      h("dt", {}, t("resolution")), h("dd", { id: "resolution-left" }, clock(c.resolution_minutes_left)),
      c.escalation && c.escalation !== "none" ? [h("dt", {}, t("escalation")), h("dd", { class: "late" }, c.escalation)] : null),
    h("h3", {}, t("actions")),
    actionButtons(c),
    h("div", { id: "action-form" }),
    h("p", { id: "action-result", role: "status", "aria-live": "polite" }),
    c.assists && c.assists.length ? [h("h3", {}, t("assists")), h("ul", { id: "assists" }, ...c.assists.map((a) => h("li", {},
      `${departmentName(a.department_id)}: ${a.part}`, a.done_at ? ` — ${t("done")}: ${a.answer}` : assistForm(c, a))))] : null,
    h("h3", {}, t("attachments")),
    attachmentList(c),
    h("h3", {}, t("timeline")),
    h("ol", { class: "timeline", id: "timeline" }, ...(c.timeline || []).map((e) => h("li", {},
      h("time", { datetime: e.at }, new Date(e.at).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en")), " ",
      h("strong", {}, actionName(e.action)), e.to_state ? ` → ${stateText(e.to_state)}` : "", " · ", e.actor,
      e.note ? h("div", {}, e.note) : null))),
    commentForm(c)));
}

/** Each step the API lists for this case now, as a button. */
function actionButtons(c) {
  // 当场解决 is only taken at intake, by the grid worker reporting it.
  const actions = (c.allowed_actions || []).filter((a) => a !== "fixed_on_the_spot");
  if (!actions.length) return h("p", { class: "muted" }, t("no_actions"));
  return h("div", { class: "actions" }, ...actions.map((a) => h("button", {
    type: "button", class: a === "resolve" || a === "dispatch" ? "primary" : "", "data-action": a,
    onclick: () => (FIELDS[a] ? actionForm(a) : act(a, {})),
  }, actionName(a))));
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

/** 联办: assisting departments for a dispatch, each with its part (optional). */
function assistingFields() {
  return h("fieldset", { class: "assisting" }, h("legend", {}, t("assisting")),
    ...departments.filter((d) => !d.retired).map((d) => h("div", { class: "row" },
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "assist", value: d.code }), " ", d.name),
      h("input", { name: `part:${d.code}`, "aria-label": `${d.name} ${t("part")}`, placeholder: t("part"), maxlength: 500 }))));
}

function actionForm(action) {
  const fields = FIELDS[action];
  const form = h("form", { class: "action-form", "data-action": action },
    ...fields.map((f) => {
      if (f === "department") return h("label", {}, h("span", {}, t("department")), h("select", { name: f, required: true }, ...departments.filter((d) => !d.retired).map((d) => h("option", { value: d.code }, d.name))));
      if (f === "category") return h("label", {}, h("span", {}, t("category")), h("select", { name: f, required: true }, ...categories.filter((c) => !c.retired).map((c) => h("option", { value: c.code }, categoryName(c.code)))));
      if (f === "attachment_ids") return h("label", {}, h("span", {}, t("result_photos")), h("input", { name: "files", type: "file", accept: "image/*", multiple: true, required: true }));
      return h("label", {}, h("span", {}, t(f)), h("textarea", { name: f, required: true, rows: 2, maxlength: 2000 }));
    }),
    action === "dispatch" ? assistingFields() : null,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, `${t("confirm")}: ${actionName(action)}`),
      h("button", { type: "button", onclick: () => $("#action-form").replaceChildren() }, t("cancel"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {};
    try {
      for (const f of fields) {
        if (f === "attachment_ids") {
          body.attachment_ids = [];
          for (const file of data.getAll("files")) body.attachment_ids.push((await session.call("POST", "/attachments", { body: await shrinkPhoto(file) })).id);
        } else body[f] = data.get(f).trim();
      }
      const assisting = data.getAll("assist").filter((code) => code !== body.department)
        .map((code) => ({ department: code, part: (data.get(`part:${code}`) || "").trim() }));
      if (assisting.length) body.assisting = assisting;
    } catch (error) {
      return say($("#action-result"), error.message, "error");
    }
    act(action, body);
  });
  $("#action-form").replaceChildren(form);
  $("textarea, select, input", form).focus();
}

async function act(action, fields) {
  const out = $("#action-result");
  try {
    await session.call("POST", `/cases/${current.id}/actions`, { body: { version: current.version, action, ...fields } });
    await openCase(current.id);
    say($("#action-result"), `${actionName(action)} ✓`, "ok");
    openQueue(queue);
  } catch (error) {
    if (error.status === 409) {
      await openCase(current.id);
      return say($("#action-result"), `${t("stale")} (${error.message})`, "error");
    }
    say(out, error.message, "error");
  }
}

/**
 * The case's files, as the staff case view lists them (hidden ones too);
 * from an older API without the list, the public ones from the look-up.
 */
function attachmentList(c) {
  if (c.attachments && !c.attachments.length) return h("p", { class: "muted", id: "attachments" }, t("no_attachments"));
  const ul = h("ul", { class: "thumbs", id: "attachments" });
  const show = (list) => {
    if (!list.length) return ul.replaceWith(h("p", { class: "muted", id: "attachments" }, t("no_attachments")));
    for (const a of list) {
      const li = h("li", { "data-kind": a.kind }, t(a.purpose === "result" ? "result_photo" : "evidence_photo"));
      ul.append(li);
      blobUrl(session, a.id).then(({ url, type }) => li.prepend(type.startsWith("image/")
        ? h("img", { src: url, alt: `${a.kind} ${a.id}` })
        : type.startsWith("audio/") || a.kind === "voice" ? h("audio", { src: url, controls: true })
          : h("video", { src: url, controls: true, width: 160 }))).catch(() => {});
    }
  };
  if (c.attachments) show(c.attachments);
  else api("GET", tenantPath(session.tenant, `/status/${encodeURIComponent(c.tracking_code)}`), { cache: "no-cache" })
    .then((found) => show(found.attachments || []), () => show([]));
  return ul;
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
  $("#bulk select").replaceChildren(...departments.filter((d) => !d.retired).map((d) => h("option", { value: d.code }, d.name)));
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
  openQueue(queuesFor()[0]);
  route();
}
window.addEventListener("hashchange", route);
$("#refresh").addEventListener("click", () => openQueue(queue));
$("#sort").addEventListener("change", () => openQueue(queue));
$("#clock").addEventListener("change", () => openQueue(queue));
$("#more").addEventListener("click", () => openQueue(queue, true));
$("#logout").addEventListener("click", () => { session.logout(); start(); });
loginForm($("#login-view"), session, start);
onLang(() => { if (session.valid && queue) { openQueue(queue); if (current) openCase(current.id); } });
I18N.apply();
start();
