// The enterprise portal (企业服务): anyone searches the policy Q&A and reads
// policies with their files; a company registers with its credit code and,
// once approved, signs in, files requests (the closest published answers
// shown before it asks), follows each one's state and public timeline, and
// adds colleagues; before approval, signing in shows where its registration
// stands (awaiting approval, or refused and why). Department staff and
// tenant admins sign in on the same page to approve registrations and
// publish policies and answers (naming the company that asked and the
// policies an answer rests on). The API
// decides everything (the credit code's check, who may do what); the page
// shows its answers and names the field at fault.
"use strict";

I18N.add({
  en: {
    title: "Enterprise services", qa: "Policy Q&A", policies: "Policies", register: "Register a company",
    requests: "My requests", registrations: "Registrations", new_request: "New request", kind: "Kind",
    request_title: "Title", request_description: "Details (for a policy inquiry: your question)", priority: "Priority",
    p_normal: "Normal", p_high: "High", p_urgent: "Urgent", p_low: "Low",
    similar_hint: "These published answers may already answer your question:", submit: "Submit", code: "Code",
    state: "State", department: "Department", company: "Our company", add_colleague: "Add a colleague's account",
    login: "User name", display_name: "Name", phone: "Mobile (optional)", new_password: "Password (8 characters or more)",
    add: "Add", show_status: "Show", s_pending: "Awaiting approval", s_approved: "Approved", s_rejected: "Rejected",
    publish_policy: "Publish a policy", policy_title: "Title", issuer: "Issued by", effective_from: "In force from",
    effective_to: "In force until (optional)", tags: "Tags (comma-separated)", policy_body: "Text",
    policy_files: "Files (PDF, Word, Excel, OFD or a scan)", publish: "Publish", publish_answer: "Publish to the policy Q&A",
    answer_hint: "With a resolved policy inquiry's number, the question and answer default to that case's; for one written directly, choose the company that asked. That company's name, credit code and its people's names and phones are masked; runs of 7 or more digits and e-mail addresses always are. Remove short forms and nicknames yourself.",
    case_id: "Policy inquiry case number (optional)", question: "Question", answer: "Answer", qa_search: "Search published answers",
    asking_company: "Company that asked (for an answer written directly)", no_company: "No particular company",
    cited_policies: "Policies it rests on (choose any)",
    search: "Search", policy_search: "Search policies", in_force: "In force only", company_fields: "Company",
    credit_code: "Unified social credit code (18 characters)", company_name: "Company name", address: "Address",
    industry: "Industry", contact: "Contact person", mobile: "Mobile", first_account: "First account (signs in once approved)",
    register_submit: "Register", login_hint: "A company signs in once its registration is approved; department staff and admins sign in here to approve companies and publish policies and answers.",
    portal: "Residents' appeals", board: "Case board", console: "Staff console",
  },
});
I18N.add({
  zh: {
    registered_wait: "注册已提交，{0} 正在等待审核。审核通过后，账号 {1} 即可登录。", status: "审核状态",
    pending: "待审核", approved: "已通过", rejected: "未通过", approve: "通过", reject: "不通过", note: "审核意见（可选）",
    decided: "{0}：{1}", no_registrations: "没有这类注册", submitted: "已提交，查询码 {0}", no_requests: "还没有诉求",
    no_answers: "没有找到相关问答", no_policies: "没有找到政策", files: "附件", no_files: "无附件",
    effective: "有效期 {0} 至 {1}", open_ended: "长期", superseded: "已被新政策替代", policy_link: "政策 #{0}",
    read: "查看", timeline: "办理过程", response_due: "响应时限", resolution_due: "办结时限", submitted_at: "提交时间",
    users: "账号", disabled: "（未启用）", added: "已添加 {0}", published: "已发布 #{0}", uploading: "正在上传 {0}…",
    credit: "信用代码", company_name: "企业名称", contact_line: "联系人", staff_only: "此账号不能审核企业或发布政策。", no_department: "待分派",
    me_company: "{0} · {1}", basis: "依据的政策：", no_basis: "未注明依据的政策", pending_here: "本机于 {2} 提交了 {0} 的注册，审核通过前账号 {1} 无法登录。", already_registered: "这个统一社会信用代码已经注册过，请直接登录或联系本企业已有账号的同事。",
    field_credit_code: "统一社会信用代码有误：应为 18 位数字或大写字母（不含 I、O、S、V、Z），最后一位是校验码，请逐位核对营业执照。",
    status_pending: "{0} 的注册于 {2} 提交，正在等待审核；审核通过后账号 {1} 即可登录。",
    status_rejected: "{0} 的注册未通过审核（{1}），原因：{2}。请按意见补正后重新注册（同一信用代码即可）。如有疑问，请联系街道/乡镇。", no_reason: "未说明",
    status_disabled: "{0} 已通过审核，但账号 {1} 已停用，请联系本企业的同事或街道/乡镇。",
    superseded_since: "（已被替代）", list_sep: "、",
  },
  en: {
    registered_wait: "Registered: {0} awaits approval. Once approved, {1} can sign in.", status: "Status",
    pending: "Awaiting approval", approved: "Approved", rejected: "Rejected", approve: "Approve", reject: "Reject",
    note: "Note (optional)", decided: "{0}: {1}", no_registrations: "No registrations of this kind", submitted: "Submitted: code {0}",
    no_requests: "No requests yet", no_answers: "No answers found", no_policies: "No policies found", files: "Files",
    no_files: "No files", effective: "In force {0} to {1}", open_ended: "until further notice", superseded: "Superseded",
    policy_link: "Policy #{0}", read: "Read", timeline: "Timeline", response_due: "Respond by", resolution_due: "Resolve by",
    submitted_at: "Submitted", users: "Accounts", disabled: " (not enabled)", added: "Added {0}", published: "Published #{0}",
    uploading: "Uploading {0}…", credit: "Credit code", contact_line: "Contact", staff_only: "This account cannot approve companies or publish policies.",
    no_department: "not yet assigned", me_company: "{0} · {1}", basis: "Rests on: ", no_basis: "No policy named",
    pending_here: "{0} was registered from this device on {2}; {1} can sign in once it is approved.",
    already_registered: "This credit code is registered already: sign in, or ask a colleague who has an account.",
    field_credit_code: "The credit code is wrong: 18 digits or capital letters (no I, O, S, V, Z), the last a check character; compare it with the business licence character by character.",
    status_pending: "{0} registered on {2} and awaits approval; {1} can sign in once it is approved.",
    status_rejected: "{0}'s registration was refused ({1}), because: {2}. Put it right and register again (with the same credit code). Ask the township if anything is unclear.", no_reason: "no reason given",
    status_disabled: "{0} is approved, but the account {1} is disabled: ask a colleague or the township.",
    superseded_since: " (superseded)", list_sep: ", ",
  },
});

/** Where the registration of an account refused at sign-in stands, as the API said. */
let checked = null;
/**
 * A company's account cannot sign in before its registration is approved,
 * so a refused sign-in asks the API where the registration stands, with
 * the same login and password; when it is the company's, the page says so
 * (showRegistration) instead of "wrong password". Any other refusal stays.
 */
class CompanySession extends Session {
  async login(tenant, login, password) {
    checked = null;
    showRegistration();
    try {
      await super.login(tenant, login, password);
    } catch (error) {
      if (error.status !== 401) throw error;
      const found = await api("POST", tenantPath(tenant, "/enterprise/registration-status"), { body: { login, password } }).catch(() => null);
      if (!found || (found.enterprise.status === "approved" && !found.account.disabled)) throw error;
      checked = found;
      $("#login-form [role=alert]").textContent = "";
    }
  }
}
const session = new CompanySession("enterprise");
const registerForm = $("#register-form");
registerForm.elements.tenant.value = new URLSearchParams(location.search).get("tenant") || localStorage.getItem("tenant") || "demo";
/** The tenant: the signed-in person's, or the one typed for registering and searching. */
const tenant = () => (session.valid ? session.tenant : registerForm.elements.tenant.value.trim());
const desk = (rest) => tenantPath(tenant(), `/enterprise${rest}`);
const named = (item) => (I18N.lang === "en" ? item.name_en : item.name_zh);

/** Clears what `failed` marked on `form`. */
function unmark(form) {
  $$("[aria-invalid]", form).forEach((el) => { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
  $$(".field-error", form).forEach((el) => el.remove());
}
/**
 * Shows a failed call: the message in `out`, and at the field the API names
 * (`credit_code`, `contact.phone`, …: the forms name their inputs so) the
 * message again, in the page's words where it has them (`field_<name>`),
 * with the field marked invalid, described by it, and focused.
 */
function failed(form, out, error) {
  unmark(form);
  const name = error.problem && error.problem.field;
  const hint = name && t(`field_${name}`) !== `field_${name}` ? t(`field_${name}`) : "";
  say(out, hint || error.message, "error");
  const field = name && form.elements[name];
  if (!field || !field.focus) return;
  // The server's English detail only as a tooltip for developers, never as the page's words.
  const note = h("p", { class: "error field-error", id: `${form.id}-${name}-error`.replace(/\W/g, "-"), title: error.detail || undefined },
    hint || error.message);
  (field.closest("label") || field).after(note);
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", note.id);
  field.focus();
}
/** A form's fields as JSON; names with a dot nest (`contact.phone`); empty ones are left out. */
function formBody(form, skip = []) {
  const body = {};
  for (const [name, value] of new FormData(form)) {
    if (skip.includes(name) || typeof value !== "string" || value.trim() === "") continue;
    const path = name.split(".");
    let at = body;
    for (const key of path.slice(0, -1)) at = at[key] = at[key] || {};
    at[path[path.length - 1]] = name.endsWith("password") ? value : value.trim();
  }
  return body;
}
/** Sends `form` with `send(body)`; on success `done(answer)`, else the field at fault is shown. */
function sendForm(form, out, send, done) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      const answer = await send();
      unmark(form);
      done(answer);
    } catch (error) {
      failed(form, out, error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- registering a company (no account yet) ----
sendForm(registerForm, $("#register-result"),
  () => api("POST", desk("/registrations"), { body: formBody(registerForm, ["tenant"]) }).catch((error) => {
    if (error.status === 409) error.message = t("already_registered");
    throw error;
  }),
  ({ enterprise, account }) => {
    const here = tenant();
    localStorage.setItem("tenant", here);
    localStorage.setItem("enterprise-registration", JSON.stringify({ tenant: here, name: enterprise.name, login: account.login, at: enterprise.registered_at }));
    showRegistration();
    const out = $("#register-result");
    out.className = "ok";
    out.replaceChildren(h("p", { id: "registered", "data-status": enterprise.status }, t("registered_wait", enterprise.name, account.login)),
      h("p", {}, `${t("status")}: `, h("span", { class: "badge" }, t(enterprise.status))));
    registerForm.reset();
    registerForm.elements.tenant.value = here;
  });

/**
 * Where a company's registration stands while its account cannot sign in:
 * as the API said when it tried (`checked`), or else the registration made
 * on this device, until its account signs in.
 */
function showRegistration() {
  let saved = JSON.parse(localStorage.getItem("enterprise-registration") || "null");
  const login = session.valid ? session.data.login : checked && checked.account.login;
  if (saved && saved.login === login) {
    localStorage.removeItem("enterprise-registration");
    saved = null;
  }
  const note = $("#pending");
  note.hidden = session.valid || !(checked || saved);
  note.className = checked && checked.enterprise.status !== "pending" ? "error" : "warn";
  note.dataset.status = checked ? checked.enterprise.status : "";
  if (checked) {
    const { enterprise: e, account } = checked;
    note.textContent = e.status === "pending" ? t("status_pending", e.name, account.login, localTime(e.registered_at))
      : e.status === "rejected" ? t("status_rejected", e.name, localTime(e.decided_at), e.decision_note || t("no_reason"))
      : t("status_disabled", e.name, account.login);
  } else if (saved) {
    note.textContent = t("pending_here", saved.name, saved.login, localTime(saved.at));
  }
}

// ---- the policy Q&A, and the closest answers before a company asks ----
/** A published answer with links to the policies it rests on. */
function answerItem(a) {
  const cited = a.policies || [];
  return h("li", { "data-id": a.id }, h("strong", {}, a.question), h("p", {}, a.answer),
    h("p", { class: "muted policies" }, cited.length ? [t("basis"), ...cited.flatMap((p, i) => [i ? t("list_sep") : "",
      h("button", { type: "button", class: "link", "data-policy": p.id, onclick: () => openPolicy(p.id) }, p.title),
      p.superseded ? t("superseded_since") : ""])] : t("no_basis")));
}
let searched = 0; // searches may overlap: only the latest one's answer is shown
async function searchAnswers() {
  const q = new FormData($("#qa-form")).get("q").trim();
  const asked = ++searched;
  try {
    const { answers } = await api("GET", desk(`/qa?${new URLSearchParams({ q })}`));
    if (asked !== searched) return;
    $("#qa-results").replaceChildren(...answers.map(answerItem));
    say($("#qa-status"), answers.length ? "" : t("no_answers"));
  } catch (error) {
    say($("#qa-status"), error.message, "error");
  }
}
$("#qa-form").addEventListener("submit", (event) => { event.preventDefault(); searchAnswers(); });

let suggesting = null;
function suggest() {
  clearTimeout(suggesting);
  suggesting = setTimeout(async () => {
    const form = $("#request-form");
    const question = `${form.elements.title.value} ${form.elements.description.value}`.trim();
    if (question.length < 4) return ($("#similar").hidden = true);
    try {
      const { answers } = await api("GET", desk(`/similar-answers?${new URLSearchParams({ question })}`));
      if (question !== `${form.elements.title.value} ${form.elements.description.value}`.trim()) return; // typed on since
      $("#similar-list").replaceChildren(...answers.map(answerItem));
      $("#similar").hidden = !answers.length;
    } catch (error) {
      $("#similar").hidden = true;
    }
  }, 400);
}

// ---- policies and their files ----
let policiesSearched = 0;
async function searchPolicies() {
  const asked = ++policiesSearched;
  try {
    const { policies } = await api("GET", desk(`/policies?${formQuery($("#policy-search"))}`));
    if (asked !== policiesSearched) return;
    $("#policy-list").replaceChildren(...(policies.length ? policies.map((p) => h("li", { "data-id": p.id },
      h("button", { type: "button", class: "link", onclick: () => openPolicy(p.id) }, p.title), " ",
      h("span", { class: "muted" }, `${p.issuer} · ${p.effective_from}`), p.superseded ? h("span", { class: "badge" }, t("superseded")) : null))
      : [h("li", { class: "muted" }, t("no_policies"))]));
  } catch (error) {
    $("#policy-list").replaceChildren(h("li", { class: "error" }, error.message));
  }
}
/** What is open on the page, drawn again in the other language. */
const opened = { policy: null, request: null };
async function openPolicy(id, focus = true) {
  opened.policy = id;
  const out = $("#policy-detail");
  try {
    const p = await api("GET", desk(`/policies/${id}`));
    out.replaceChildren(h("article", { class: "policy", "data-id": p.id },
      h("h3", {}, p.title),
      h("p", { class: "muted" }, p.issuer, " · ", t("effective", p.effective_from, p.effective_to || t("open_ended")),
        p.superseded ? [" · ", h("span", { class: "badge" }, t("superseded")), p.superseded_by ? h("button", { type: "button", class: "link", onclick: () => openPolicy(p.superseded_by) }, t("policy_link", p.superseded_by)) : null] : null),
      (p.tags || []).length ? h("p", {}, ...p.tags.map((tag) => h("span", { class: "badge" }, tag)), " ") : null,
      h("p", { class: "pre-wrap" }, p.body),
      h("h4", {}, t("files")),
      p.files.length ? h("ul", { id: "policy-files" }, ...p.files.map((f) => h("li", {},
        h("a", { href: f.url, download: f.name }, f.name), ` (${Math.max(1, Math.round(f.size / 1024))} KB)`))) : h("p", { class: "muted" }, t("no_files"))));
    if (focus) out.focus();
  } catch (error) {
    say(out, error.message, "error");
  }
}
$("#policy-search").addEventListener("submit", (event) => { event.preventDefault(); searchPolicies(); });

// ---- a signed-in company: its requests, their timelines, its colleagues ----
async function loadKinds() {
  const { kinds } = await api("GET", desk("/request-kinds"));
  const select = $("#request-form [name=kind]");
  const chosen = select.value;
  select.replaceChildren(...kinds.map((k) => h("option", { value: k.code, selected: k.code === chosen }, named(k))));
}
sendForm($("#request-form"), $("#request-result"),
  () => session.call("POST", "/enterprise/requests", { body: formBody($("#request-form")) }),
  (request) => {
    say($("#request-result"), t("submitted", request.tracking_code), "ok");
    $("#request-form").reset();
    $("#similar").hidden = true;
    loadRequests().then(() => openRequest(request.id));
  });
for (const name of ["title", "description"]) $(`#request-form [name=${name}]`).addEventListener("input", suggest);

async function loadRequests() {
  try {
    const { requests } = await session.call("GET", "/enterprise/requests");
    $("#requests").replaceChildren(...requests.map((r) => h("tr", { "data-id": r.id, "data-code": r.tracking_code },
      h("td", {}, h("a", { href: `#request/${r.id}`, onclick: (event) => { event.preventDefault(); openRequest(r.id); } }, r.tracking_code)),
      h("td", {}, named(r.kind)), h("td", {}, r.title),
      h("td", { "data-state": r.state }, stateText(r.state, r.state_label)), h("td", {}, r.department || t("no_department")))));
    say($("#requests-status"), requests.length ? "" : t("no_requests"));
  } catch (error) {
    say($("#requests-status"), error.message, "error");
  }
}
async function openRequest(id, focus = true) {
  opened.request = id;
  const out = $("#request-detail");
  try {
    const r = await session.call("GET", `/enterprise/requests/${id}`);
    out.replaceChildren(h("article", { "data-id": r.id },
      h("h3", {}, `${r.tracking_code} · ${r.title}`),
      h("dl", {},
        h("dt", {}, t("state")), h("dd", { id: "request-state", "data-state": r.state }, stateText(r.state, r.state_label)),
        h("dt", {}, t("department")), h("dd", {}, r.department || t("no_department")),
        h("dt", {}, t("submitted_at")), h("dd", {}, localTime(r.submitted_at)),
        h("dt", {}, t("response_due")), h("dd", {}, localTime(r.response_due_at)),
        h("dt", {}, t("resolution_due")), h("dd", {}, localTime(r.resolution_due_at))),
      h("p", { class: "pre-wrap" }, r.description),
      h("h4", {}, t("timeline")),
      h("ol", { class: "timeline", id: "request-timeline" }, ...(r.timeline || []).map((e) => h("li", {},
        h("time", { datetime: e.at }, localTime(e.at)), " ", e.state ? stateText(e.state) : e.action, e.note ? h("div", {}, e.note) : null)))));
    if (focus) out.focus();
  } catch (error) {
    say(out, error.message, "error");
  }
}

async function loadCompany() {
  const c = await session.call("GET", "/enterprise/me");
  $("#me").textContent = t("me_company", session.data.name, c.name);
  $("#company").replaceChildren(h("dl", {},
    h("dt", {}, t("company_name")), h("dd", {}, c.name),
    h("dt", {}, t("credit")), h("dd", {}, c.credit_code),
    h("dt", {}, t("status")), h("dd", { "data-status": c.status }, t(c.status)),
    h("dt", {}, t("contact_line")), h("dd", {}, `${c.contact.name} ${c.contact.phone}`),
    h("dt", {}, t("users")), h("dd", {}, h("ul", { id: "colleagues" }, ...c.users.map((u) => h("li", {}, `${u.display_name} (${u.login})`, u.disabled ? t("disabled") : ""))))));
}
sendForm($("#colleague-form"), $("#colleague-result"),
  () => session.call("POST", "/enterprise/me/users", { body: formBody($("#colleague-form")) }),
  (user) => { say($("#colleague-result"), t("added", user.login), "ok"); $("#colleague-form").reset(); loadCompany(); });

// ---- staff: registrations to decide, policies and answers to publish ----
async function loadRegistrations() {
  const status = $("#registration-status").value;
  const out = $("#registrations-status");
  try {
    const { enterprises } = await session.call("GET", `/enterprise/registrations?status=${status}`);
    $("#registrations").replaceChildren(...enterprises.map(registrationItem));
    say(out, enterprises.length ? "" : t("no_registrations"));
  } catch (error) {
    say(out, error.status === 403 ? t("staff_only") : error.message, "error");
  }
}
function registrationItem(e) {
  const note = h("input", { name: "note", maxlength: 500, "aria-label": `${t("note")}: ${e.name}`, placeholder: t("note") });
  const decide = async (approve) => {
    try {
      const decided = await session.call("POST", `/enterprise/registrations/${e.id}/decision`, { body: { approve, note: note.value.trim() || undefined } });
      await loadRegistrations();
      say($("#registrations-status"), t("decided", decided.name, t(decided.status)), "ok");
      answerChoices();
    } catch (error) {
      say($("#registrations-status"), error.message, "error");
    }
  };
  return h("li", { "data-id": e.id, "data-credit-code": e.credit_code },
    h("strong", {}, e.name), " ", h("span", { class: "code" }, e.credit_code), " ", h("span", { class: "badge" }, t(e.status)),
    h("div", { class: "muted" }, `${e.industry} · ${e.address} · ${t("contact_line")} ${e.contact.name} ${e.contact.phone} · ${localTime(e.registered_at)}`),
    e.decision_note ? h("div", {}, e.decision_note) : null,
    e.status === "pending" ? h("div", { class: "row" }, note,
      h("button", { type: "button", class: "primary", "data-decision": "approve", onclick: () => decide(true) }, t("approve")),
      h("button", { type: "button", "data-decision": "reject", onclick: () => decide(false) }, t("reject"))) : null);
}
$("#registration-status").addEventListener("change", loadRegistrations);

/**
 * The answer form's choices: the tenant's companies (the one that asked a
 * question answered directly is masked like an inquiry's) and its policies
 * (the ones an answer rests on), what was chosen kept.
 */
async function loadAnswerChoices() {
  const form = $("#answer-form");
  const companies = [];
  for (let after = null; ;) {
    const page = await session.call("GET", `/enterprise/registrations?limit=200${after ? `&after=${after}` : ""}`);
    companies.push(...page.enterprises);
    if (!page.next_after) break;
    after = page.next_after;
  }
  const company = form.elements.enterprise_id;
  const chosen = company.value;
  company.replaceChildren(company.options[0], ...companies.map((e) =>
    h("option", { value: e.id, selected: String(e.id) === chosen }, `${e.name}（${e.credit_code}）`)));
  const { policies } = await session.call("GET", "/enterprise/policies?superseded=true&limit=200");
  const cited = form.elements.policies;
  const picked = new Set([...cited.selectedOptions].map((o) => o.value));
  cited.replaceChildren(...policies.map((p) => h("option", { value: p.id, selected: picked.has(String(p.id)) },
    `${p.title}${p.superseded ? t("superseded_since") : ""}`)));
}
const answerChoices = () => loadAnswerChoices().catch((error) => say($("#answer-result"), error.message, "error"));

sendForm($("#policy-form"), $("#policy-result"), async () => {
  const form = $("#policy-form");
  const body = formBody(form, ["files", "tags"]);
  body.tags = (form.elements.tags.value || "").split(/[,，、]/).map((s) => s.trim()).filter(Boolean);
  body.files = [];
  for (const file of form.elements.files.files) {
    say($("#policy-result"), t("uploading", file.name));
    body.files.push((await session.call("POST", `/enterprise/policy-files?${new URLSearchParams({ name: file.name })}`, { body: file })).id);
  }
  return session.call("POST", "/enterprise/policies", { body });
}, (policy) => { say($("#policy-result"), t("published", policy.id), "ok"); $("#policy-form").reset(); searchPolicies(); answerChoices(); });

sendForm($("#answer-form"), $("#answer-result"), () => {
  const form = $("#answer-form");
  const body = formBody(form, ["enterprise_id", "policies"]);
  if (body.case_id) body.case_id = Number(body.case_id);
  if (form.elements.enterprise_id.value) body.enterprise_id = Number(form.elements.enterprise_id.value);
  body.policies = [...form.elements.policies.selectedOptions].map((o) => Number(o.value));
  return session.call("POST", "/enterprise/qa", { body });
}, (answer) => { say($("#answer-result"), t("published", answer.id), "ok"); $("#answer-form").reset(); searchAnswers(); });

// ---- who is here ----
function start() {
  const signedIn = session.valid;
  const company = signedIn && session.role === "enterprise";
  showSignedIn(session);
  $$(".signed-out").forEach((el) => { el.hidden = signedIn; });
  $$(".company").forEach((el) => { el.hidden = !company; });
  $$(".staff").forEach((el) => { el.hidden = !signedIn || company; });
  $("#company-view").hidden = !company;
  $("#staff-view").hidden = !signedIn || company;
  if (company) {
    loadKinds().catch((error) => say($("#request-result"), error.message, "error"));
    loadCompany().catch((error) => say($("#requests-status"), error.message, "error"));
    loadRequests();
  } else if (signedIn) {
    loadRegistrations();
    answerChoices();
  }
  showRegistration();
  searchAnswers();
  searchPolicies();
}
$("#logout").addEventListener("click", () => {
  session.logout();
  checked = null;
  opened.request = null;
  $("#request-detail").replaceChildren();
  start();
});
registerForm.elements.tenant.addEventListener("change", () => { searchAnswers(); searchPolicies(); });
loginForm($("#login-view"), session, start);
I18N.apply();
onLang(() => {
  start();
  if (opened.policy) openPolicy(opened.policy, false);
  if (opened.request && session.valid) openRequest(opened.request, false);
});
start();
