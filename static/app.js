// The resident portal (智慧金开): report a problem with photos, a voice note
// and a place; get the tracking code; look a case up; rate the outcome.
"use strict";

I18N.add({
  en: {
    title: "Smart Grid · Residents' appeals", report: "Report a problem", tenant: "Township code",
    category: "Category", description: "What is wrong?", media: "Photos and voice (optional)",
    camera: "Take a photo", gallery: "From the gallery", voice_start: "Record voice", voice_stop: "Stop recording",
    place: "Place", use_location: "Use my location", address: "Address or landmark (optional)",
    contact: "Contact (optional, never public)", name: "Name", phone: "Mobile",
    submit: "Submit", lookup: "Track a case", code: "Tracking code", search: "Search",
    rate: "Rate the outcome", secret_label: "Secret (shown when you reported)", score: "Satisfaction",
    s5: "very satisfied", s4: "satisfied", s3: "acceptable", s2: "unsatisfied", s1: "very unsatisfied",
    comment: "Comment (optional)", reopen: "Not solved: handle it again", send_rating: "Send rating",
    notices: "Community notices", worker_app: "Grid workers", console: "Staff console", admin: "Admin",
    received: "Received. Your tracking code:", secret: "Your secret (to add information or rate; shown once):",
    saved_here: "Both are kept on this phone under “My reports”.", state: "State", reported_at: "Reported",
    duplicate: "A similar problem was already reported nearby:", join: "Add my support to {0}",
    insist: "Mine is different: submit anyway", joined: "Thank you: your support was added.",
    already_joined: "You have already said this affects you: it is counted once.",
    located: "Location: {0}, {1}", locating: "Locating…", no_location: "Could not get the location: {0}",
    picked: "Picked on the map: {0}", recording: "Recording… {0} s", voice_note: "Voice note",
    remove: "Remove", my_reports: "My reports", rated: "Thank you. The case is now: {0}", sending: "Sending…",
    pick_category: "Choose a category", result_photo: "Result", evidence_photo: "Reported",
  },
  zh: {
    received: "已受理，您的查询码：", secret: "密钥（用于补充材料和评价，仅显示一次）：",
    saved_here: "查询码和密钥已保存在本机“我的反映”中。", state: "状态", reported_at: "反映时间",
    duplicate: "附近已有类似问题：", join: "为 {0} 点“我也遇到”", insist: "我的问题不同，继续提交",
    joined: "谢谢，已记录您的反映。", already_joined: "您已反映过此问题，每人只计一次。", located: "位置：{0}, {1}", locating: "正在定位…",
    no_location: "无法获取位置：{0}", picked: "已在地图上选择：{0}", recording: "正在录音… {0} 秒",
    voice_start: "录语音", voice_stop: "停止录音", voice_note: "语音", remove: "删除", my_reports: "我的反映",
    rated: "感谢评价。案件当前状态：{0}", sending: "正在提交…", pick_category: "请选择问题类别",
    result_photo: "处理结果", evidence_photo: "反映时照片", category: "问题类别", code: "查询码", rate: "评价", place: "位置", score: "满意度",
  },
});

const reportForm = $("#report-form");
const tenant = () => reportForm.elements.tenant.value.trim();
const files = []; // {blob, name, url}
let place = null; // {latitude, longitude} or {grid_node_id}
let categories = [];

// ---- categories of this tenant, as big radio buttons ----
async function loadCategories() {
  const box = $("#categories");
  try {
    ({ items: categories } = await api("GET", tenantPath(tenant(), "/admin/categories")));
  } catch (error) {
    categories = [];
    box.replaceChildren(h("p", { class: "error" }, error.message));
    return;
  }
  const chosen = reportForm.elements.category && reportForm.elements.category.value;
  // Categories a desk reserves (enterprise, mediation, agent) are not residents' to report under.
  box.replaceChildren(...categories.filter((c) => !c.retired && !c.desk).map((c) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "category", value: c.code, required: true, checked: c.code === chosen, onchange: showExtraFields }),
    " ", I18N.lang === "en" ? c.name_en : c.name_zh)));
  showExtraFields();
}

/** A category's own questions (e.g. how much rubbish). */
function showExtraFields() {
  const code = reportForm.elements.category && reportForm.elements.category.value;
  const category = categories.find((c) => c.code === code);
  $("#extra-fields").replaceChildren(...((category && category.extra_fields) || []).map((f) => {
    const label = I18N.lang === "en" ? f.label_en : f.label_zh;
    const input = f.kind === "choice"
      ? h("select", { name: `extra:${f.key}` }, h("option", { value: "" }, "—"), ...f.choices.map((c) => h("option", { value: c }, c)))
      : h("input", { name: `extra:${f.key}`, type: f.kind === "number" ? "number" : "text", maxlength: 500 });
    return h("label", {}, h("span", {}, label), input);
  }));
}

// ---- photos from the camera or the gallery, with previews ----
async function addFiles(list) {
  for (const original of list) {
    const file = await shrinkPhoto(original);
    files.push({ blob: file, name: file.name, url: URL.createObjectURL(file) });
  }
  showFiles();
}
function showFiles() {
  $("#files").replaceChildren(...files.map((f, i) => h("li", {},
    f.blob.type.startsWith("image/") ? h("img", { src: f.url, alt: f.name }) : h("span", { class: "voice" }, t("voice_note")),
    h("button", { type: "button", class: "link", onclick: () => { URL.revokeObjectURL(f.url); files.splice(i, 1); showFiles(); } }, t("remove")))));
}
for (const name of ["camera", "gallery"]) {
  reportForm.elements[name].addEventListener("change", async (event) => { await addFiles([...event.target.files]); event.target.value = ""; });
}

// ---- a voice note, recorded in the browser (the intake reads the type from the bytes) ----
(function voiceNote() {
  const button = $("#voice");
  if (!window.MediaRecorder || !navigator.mediaDevices) return;
  button.hidden = false;
  let recorder = null, timer = null;
  button.addEventListener("click", async () => {
    if (recorder) { recorder.stop(); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      say($("#report-result"), error.message, "error");
      return;
    }
    const type = ["audio/ogg;codecs=opus", "audio/mp4", "audio/webm;codecs=opus"].find((m) => MediaRecorder.isTypeSupported(m)) || "";
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks = [];
    const started = Date.now();
    recorder.ondataavailable = (e) => chunks.push(e.data);
    recorder.onstop = () => {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
      const blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
      files.push({ blob, name: "voice", url: URL.createObjectURL(blob) });
      recorder = null;
      button.textContent = t("voice_start");
      button.setAttribute("aria-pressed", "false");
      showFiles();
    };
    recorder.start();
    button.setAttribute("aria-pressed", "true");
    timer = setInterval(() => { button.textContent = `${t("voice_stop")} (${Math.round((Date.now() - started) / 1000)}s)`; }, 500);
    button.textContent = t("voice_stop");
    setTimeout(() => recorder && recorder.state === "recording" && recorder.stop(), 60000);
  });
})();

// ---- the place: the phone's position, or a pick on the grid map ----
$("#locate").addEventListener("click", async () => {
  const out = $("#place");
  out.textContent = t("locating");
  try {
    place = await locate();
    out.textContent = t("located", place.latitude, place.longitude);
  } catch (error) {
    out.textContent = t("no_location", error.message);
  }
});

/** The grid map (the tree is public), when the tenant's grid has shapes. */
async function loadMap() {
  const svg = $("#map");
  try {
    const grid = await api("GET", tenantPath(tenant(), "/admin/grid?geometry=true"));
    svg.setAttribute("aria-label", t("map_hint"));
    svg.toggleAttribute("hidden", !drawGridMap(svg, grid.nodes, (pick) => {
      place = pick.node ? { latitude: pick.latitude, longitude: pick.longitude } : null;
      $("#place").textContent = t("picked", pick.node ? pick.node.name : `${pick.latitude.toFixed(5)}, ${pick.longitude.toFixed(5)}`);
    }));
  } catch (error) {
    svg.setAttribute("hidden", "");
  }
}

// ---- submitting: one multipart request with the report and its files ----
function reportBody(insist) {
  const data = new FormData(reportForm);
  const extra = {};
  for (const [key, value] of data) {
    if (key.startsWith("extra:") && value !== "") {
      const field = key.slice(6);
      const spec = (categories.find((c) => c.code === data.get("category")) || { extra_fields: [] }).extra_fields.find((f) => f.key === field);
      extra[field] = spec && spec.kind === "number" ? Number(value) : value;
    }
  }
  const report = { category: data.get("category"), description: data.get("description").trim(), extra, insist };
  for (const key of ["address", "name", "phone"]) if (data.get(key)) report[key] = data.get(key).trim();
  if (place) Object.assign(report, place);
  const body = new FormData();
  body.append("report", JSON.stringify(report));
  files.forEach((f, i) => body.append("files", f.blob, f.name || `file${i}`));
  return body;
}

async function submit(insist) {
  const out = $("#report-result");
  if (!reportForm.elements.category || !reportForm.elements.category.value) {
    say(out, t("pick_category"), "error");
    return;
  }
  say(out, t("sending"));
  const button = $("button[type=submit]", reportForm);
  button.disabled = true;
  try {
    const receipt = await api("POST", tenantPath(tenant(), "/reports"), { body: reportBody(insist) });
    remember({ tenant: tenant(), code: receipt.tracking_code, secret: receipt.reporter_secret });
    out.className = "ok receipt";
    out.replaceChildren(h("div", {},
      h("p", {}, t("received"), " ", h("strong", { class: "code", id: "tracking-code" }, receipt.tracking_code)),
      receipt.reporter_secret ? h("p", {}, t("secret"), " ", h("code", { id: "reporter-secret" }, receipt.reporter_secret)) : null,
      h("p", {}, t("saved_here"))));
    reportForm.reset();
    files.splice(0).forEach((f) => URL.revokeObjectURL(f.url));
    showFiles();
    place = null;
    $("#place").textContent = "";
    $("#lookup-form").elements.code.value = receipt.tracking_code;
    $("#rate-form").elements.code.value = receipt.tracking_code;
    if (receipt.reporter_secret) $("#rate-form").elements.secret.value = receipt.reporter_secret;
  } catch (error) {
    const duplicates = (error.problem && error.problem.duplicates) || [];
    if (error.code === "duplicate_nearby" && duplicates.length) {
      out.className = "error";
      out.replaceChildren(h("p", {}, t("duplicate")), ...duplicates.map((d) => h("p", {},
        h("button", { type: "button", onclick: () => meToo(d.tracking_code) }, t("join", d.tracking_code)))),
      h("p", {}, h("button", { type: "button", onclick: () => submit(true) }, t("insist"))));
    } else {
      say(out, error.message, "error");
    }
  } finally {
    button.disabled = false;
  }
}
reportForm.addEventListener("submit", (event) => { event.preventDefault(); submit(false); });

// A random id kept on this phone, so that "me too" counts it once even
// when it changes networks (the server also counts each address once).
function deviceId() {
  let id = localStorage.getItem("device-id");
  if (!id) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    localStorage.setItem("device-id", id);
  }
  return id;
}

async function meToo(code) {
  try {
    const pressed = await api("POST", tenantPath(tenant(), `/reports/${encodeURIComponent(code)}/me-too`), { body: {}, headers: { "device-id": deviceId() } });
    say($("#report-result"), t(pressed.counted ? "joined" : "already_joined"), "ok");
  } catch (error) {
    say($("#report-result"), error.message, "error");
  }
}

// ---- my reports, kept on this phone ----
function mine() { return JSON.parse(localStorage.getItem("my-reports") || "[]"); }
function remember(entry) {
  localStorage.setItem("my-reports", JSON.stringify([entry, ...mine().filter((e) => e.code !== entry.code)].slice(0, 20)));
  showMine();
}
function showMine() {
  const list = mine().filter((e) => e.tenant === tenant());
  $("#my-reports").replaceChildren(...(list.length ? [h("li", { class: "muted" }, t("my_reports"))] : []), ...list.map((e) => h("li", {},
    h("button", { type: "button", class: "link", onclick: () => { $("#lookup-form").elements.code.value = e.code; lookUp(); } }, e.code),
    e.secret ? h("button", { type: "button", class: "link", onclick: () => { $("#rate-form").elements.code.value = e.code; $("#rate-form").elements.secret.value = e.secret; $("#rate-heading").scrollIntoView(); } }, t("rate")) : null)));
}

// ---- look-up: the public view, and the reporter's own with the secret kept on this phone ----
const words = (w) => (w ? (I18N.lang === "en" ? w.en : w.zh) : "");
const when = (iso) => new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en");
async function lookUp() {
  const out = $("#lookup-result");
  const code = $("#lookup-form").elements.code.value.trim().toUpperCase();
  const known = mine().find((e) => e.code === code && e.tenant === tenant());
  try {
    const found = await api("GET", tenantPath(tenant(), `/status/${encodeURIComponent(code)}`), {
      cache: "no-cache", headers: known && known.secret ? { "reporter-secret": known.secret } : {},
    });
    // The look-up names its category in both languages (`category_name`); `category` is the code.
    const category = found.category_name || {};
    out.className = "";
    out.replaceChildren(h("div", {},
      h("dl", {},
        h("dt", {}, t("code")), h("dd", { class: "code" }, found.tracking_code),
        h("dt", {}, t("category")), h("dd", {}, (I18N.lang === "en" ? category.en : category.zh) || found.category),
        h("dt", {}, t("state")), h("dd", { id: "lookup-state", "data-state": found.state }, words(found.status) || stateText(found.state)),
        h("dt", {}, t("reported_at")), h("dd", {}, when(found.reported_at)),
        found.place ? [h("dt", {}, t("place")), h("dd", {}, found.place.label || "")] : null,
        found.rating ? [h("dt", {}, t("score")), h("dd", {}, `${found.rating} / 5`)] : null),
      h("ol", { class: "timeline" }, ...(found.timeline || []).map((e) => h("li", {},
        h("time", { datetime: e.at }, when(e.at)), " ", words(e.label) || e.action, e.note ? h("div", {}, e.note) : null))),
      h("ul", { class: "thumbs" }, ...(found.attachments || []).filter((a) => a.kind === "photo").map((a) => h("li", {},
        h("img", { src: a.url, alt: t(a.purpose === "result" ? "result_photo" : "evidence_photo"), loading: "lazy" }),
        t(a.purpose === "result" ? "result_photo" : "evidence_photo"))))));
  } catch (error) {
    say(out, error.message, "error");
  }
}
$("#lookup-form").addEventListener("submit", (event) => { event.preventDefault(); lookUp(); });

// ---- community notices (the status component's, public) ----
async function loadNotices() {
  try {
    const { notices } = await api("GET", tenantPath(tenant(), "/notices"));
    $("#notices").hidden = !notices.length;
    $("#notice-list").replaceChildren(...notices.slice(0, 5).map((n) => h("li", {},
      h("strong", {}, n.title), " ", h("span", { class: "muted" }, [n.place && n.place.name, when(n.published_at)].filter(Boolean).join(" · ")),
      h("div", {}, n.body))));
  } catch (error) {
    $("#notices").hidden = true;
  }
}

// ---- rating, with the reporter's secret ----
$("#rate-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  const out = $("#rate-result");
  const code = data.get("code").trim().toUpperCase();
  try {
    const body = { score: Number(data.get("score")), reopen: data.get("reopen") === "on" };
    if (data.get("comment")) body.comment = data.get("comment").trim();
    const rated = await api("POST", tenantPath(tenant(), `/reports/${encodeURIComponent(code)}/rating`), { body, headers: { "reporter-secret": data.get("secret").trim() } });
    say(out, t("rated", stateText(rated.state)), "ok");
  } catch (error) {
    say(out, error.message, "error");
  }
});

reportForm.elements.tenant.addEventListener("change", () => { loadCategories(); loadMap(); showMine(); loadNotices(); });
onLang(() => { loadCategories(); showFiles(); showMine(); });
I18N.apply();
loadMap();
showMine();
loadNotices();
