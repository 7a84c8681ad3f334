// The resident portal (智慧金开): report a problem with photos, a voice note
// and a place; get the tracking code; look a case up; rate the outcome.
// The tenant comes from the address the township publishes, /t/{tenant}/.
"use strict";

I18N.add({
  en: {
    title: "Smart Grid · Residents' appeals", report: "Report a problem", tenant: "Township code",
    category: "Category", description: "What is wrong?", media: "Photos and voice (optional)",
    camera: "Take a photo", gallery: "From the gallery", voice_start: "Record voice", voice_stop: "Stop recording",
    place: "Place", use_location: "Use my location", address: "Address or landmark",
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

I18N.add({
  en: {
    choose_heading: "Open the address your township publishes", go: "Go", board: "Public board",
    choose_text: "Use the address your township publishes (like /t/code/), or type its code below.",
    no_such_tenant: "No township has the code “{0}”.",
    have_secret: "Have the secret? See your own report and rate it", my_reports_note: "Kept on this phone; only you see them.",
    place_needed: "This kind of problem needs its place: use your location, tap the map, or type the address.",
    place_optional: "The place is optional for this kind of problem.",
    ask_place: "Where is it? Use your location, tap the map, or type the address, then submit again.",
    done_title: "Received", done_text: "Keep the tracking code to follow your report, and the secret to add information or rate it.",
    copy: "Copy", copy_both: "Copy both", copied: "Copied", copy_failed: "Select the text and copy it by hand",
    saved_mine: "Saved on this phone under “My reports”.", track_it: "Track it", report_another: "Report another problem",
    copied_both: "Tracking code {0}, secret {1}",
    view: "View", forget: "Remove", secret_keep: "Secret (keep it; shown only now)",
    rating_open: "Rate how it was handled", your_rating: "Your rating: {0} / 5 (you may change it)",
    rating_after_resolution: "You can rate it once the case is closed. The department is due to resolve it by {0}.",
    rating_after_resolution_late: "You can rate it once the case is closed. It was due to be resolved by {0} and is being chased.",
    rating_after_dispatch: "You can rate it once the case is closed; its deadline is set when it is assigned to a department.",
    rating_after_verification: "It has been handled; you can rate it once the command centre has checked and closed it.",
    rating_never: "This report was not taken up, so it is not rated.",
    rating_needs_secret: "To rate it, open “Have the secret?” above and enter the secret shown when you reported.",
  },
  zh: {
    no_such_tenant: "没有代码为“{0}”的街道/乡镇。", my_reports_note: "保存在本机，只有您能看到。",
    place_needed: "此类问题需要位置：请使用定位、在地图上点选，或填写地址。", place_optional: "此类问题可以不填位置。",
    ask_place: "问题在哪里？请使用定位、在地图上点选，或填写地址，然后再次提交。",
    done_title: "已受理", done_text: "请保存查询码用于查询进度，密钥用于补充材料和评价。",
    copy: "复制", copy_both: "全部复制", copied: "已复制", copy_failed: "请长按选中后手动复制",
    saved_mine: "已保存到本机“我的反映”。", track_it: "查看办理进度", report_another: "再反映一个问题",
    copied_both: "查询码 {0}，密钥 {1}",
    view: "查看", forget: "删除", secret_label: "密钥（提交时显示）", secret_keep: "密钥（请保存，仅显示这一次）",
    rating_open: "请评价办理结果", your_rating: "您的评价：{0} / 5（可以修改）",
    rating_after_resolution: "案件办结后即可评价。承办部门应在 {0} 前办理完毕。",
    rating_after_resolution_late: "案件办结后即可评价。办理时限 {0} 已过，正在督办。",
    rating_after_dispatch: "案件办结后即可评价。派给承办部门后将确定办理时限。",
    rating_after_verification: "已办理完毕，指挥中心核查并结案后即可评价。",
    rating_never: "此反映不予立案，无需评价。",
    rating_needs_secret: "如需评价，请展开上方“有密钥？”并输入提交时显示的密钥。",
  },
});

const reportForm = $("#report-form");
/**
 * This page's tenant: the one the address names (/t/{tenant}/, the address
 * a township publishes); at any other address, the one this phone last
 * used here, else the demo's. A tenant that does not exist is asked for.
 */
const TENANT = (() => {
  const named = location.pathname.match(/^\/t\/([^/]+)/);
  if (named) {
    // A mangled address (`/t/%E4/`) names no township: it is asked for, like an unknown one.
    let code = named[1];
    try { code = decodeURIComponent(code); } catch (error) { return code; }
    localStorage.setItem("portal-tenant", code);
    return code;
  }
  return localStorage.getItem("portal-tenant") || "demo";
})();
const tenant = () => TENANT;
const files = []; // {blob, name, url}
let place = null; // {latitude, longitude} or {grid_node_id}
let categories = [];

// ---- categories of this tenant, as big radio buttons ----
async function loadCategories() {
  const box = $("#categories");
  try {
    ({ items: categories } = await api("GET", tenantPath(tenant(), "/admin/categories")));
  } catch (error) {
    if (error.code === "unknown_tenant") return chooseTenant();
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

/** The chosen category, from the tenant's catalogue; undefined before a choice. */
function chosenCategory() {
  const code = reportForm.elements.category && reportForm.elements.category.value;
  return categories.find((c) => c.code === code);
}

/**
 * Whether the catalogue says reports of the chosen category need a place
 * (`place_required`), said beside the place; the intake refuses them
 * without one, naming `latitude`.
 */
function showPlaceRule() {
  const category = chosenCategory();
  const hint = $("#place-hint");
  hint.textContent = category ? t(category.place_required ? "place_needed" : "place_optional") : "";
  $("#place-fieldset").classList.toggle("required", !!(category && category.place_required));
}

/** Whether the report says where: a point (the phone's or the map's) or an address. */
const hasPlace = () => !!place || !!reportForm.elements.address.value.trim();

/** Asks for the place: said, the place marked, the locate button focused. */
function askForPlace() {
  const box = $("#place-fieldset");
  box.classList.add("missing");
  box.setAttribute("aria-invalid", "true");
  say($("#report-result"), t("ask_place"), "error");
  box.scrollIntoView({ block: "center" });
  $("#locate").focus();
}
function placeGiven() {
  const box = $("#place-fieldset");
  box.classList.remove("missing");
  box.removeAttribute("aria-invalid");
}
reportForm.elements.address.addEventListener("input", () => { if (hasPlace()) placeGiven(); });

/** At an address that names no tenant we know: the township's code, then its own address. */
function chooseTenant() {
  if (location.pathname.startsWith("/t/")) localStorage.removeItem("portal-tenant");
  $$("main > section").forEach((section) => { section.hidden = section.id !== "choose-tenant"; });
  $("nav.tabs").hidden = true;
  const form = $("#choose-form");
  if (location.pathname.startsWith("/t/")) say($("#choose-text-error") || form.appendChild(h("p", { id: "choose-text-error" })), t("no_such_tenant", TENANT), "error");
  form.onsubmit = (event) => {
    event.preventDefault();
    location.assign(`/t/${encodeURIComponent(form.elements.tenant.value.trim())}/`);
  };
}

/** A category's own questions (e.g. how much rubbish), and whether it needs a place. */
function showExtraFields() {
  const category = chosenCategory();
  showPlaceRule();
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

// ---- the place: the phone's position, or a pick on the grid map (map.js) ----
let gridMapHandle = null;
let gridNodes = [];
$("#locate").addEventListener("click", async () => {
  const out = $("#place");
  out.textContent = t("locating");
  try {
    // On the map when there is one: the marker goes there and the grid is named.
    const found = gridMapHandle ? await gridMapHandle.useMyLocation() : { ...(await locate()), node: null };
    if (!gridMapHandle) Object.assign(found, findPlace(gridNodes, found));
    place = { latitude: found.latitude, longitude: found.longitude };
    out.textContent = found.node ? t("you_are_at", found.text) : t("outside_grid");
  } catch (error) {
    out.textContent = t("no_location", error.message);
  }
});

/** The grid map (the tree and the tiles are public), when the tenant's grid has shapes. */
async function loadMap() {
  const box = $("#map");
  try {
    const grid = await api("GET", tenantPath(tenant(), "/admin/grid?geometry=true"));
    gridNodes = grid.nodes;
    gridMapHandle = await gridMap(box, grid.nodes, {
      tenant: tenant(),
      onPick: (pick) => {
        place = pick.node ? { latitude: pick.latitude, longitude: pick.longitude } : null;
        $("#place").textContent = pick.node ? t("picked", pick.text) : t("outside_grid");
      },
    });
    box.hidden = !gridMapHandle;
  } catch (error) {
    box.hidden = true;
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
  const category = chosenCategory();
  if (category && category.place_required && !hasPlace()) return askForPlace();
  say(out, t("sending"));
  const button = $("button[type=submit]", reportForm);
  button.disabled = true;
  try {
    const receipt = await api("POST", tenantPath(tenant(), "/reports"), { body: reportBody(insist) });
    remember({ tenant: tenant(), code: receipt.tracking_code, secret: receipt.reporter_secret, category: category && category.code, at: new Date().toISOString() });
    say(out, "");
    reportForm.reset();
    files.splice(0).forEach((f) => URL.revokeObjectURL(f.url));
    showFiles();
    place = null;
    if (gridMapHandle) gridMapHandle.setPlace(null);
    $("#place").textContent = "";
    showPlaceRule();
    $("#lookup-form").elements.code.value = receipt.tracking_code;
    $("#lookup-form").elements.secret.value = receipt.reporter_secret || "";
    showReceipt(receipt);
  } catch (error) {
    if (error.problem && ["latitude", "longitude"].includes(error.problem.field) && !hasPlace()) return askForPlace();
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
// A place picked on the map or found from the phone is named in #place: the request for one is answered.
new MutationObserver(() => { if (hasPlace()) placeGiven(); }).observe($("#place"), { childList: true, characterData: true, subtree: true });

// ---- the success screen: the code and the secret, each copied with one tap ----
/** Puts `text` on the clipboard (the Clipboard API where the page may use it, else the selection's copy). */
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = h("textarea", { class: "visually-hidden", readonly: true, "aria-hidden": "true" }, text);
  document.body.append(field);
  field.select();
  const done = document.execCommand("copy");
  field.remove();
  if (!done) throw new Error(t("copy_failed"));
}
function copyButton(id, text, label = "copy") {
  const button = h("button", { type: "button", id, class: "copy", "data-t": label }, t(label));
  button.addEventListener("click", async () => {
    const status = $("#copy-status");
    try {
      await copyText(text);
      say(status, `${t("copied")}: ${text}`, "ok");
      button.classList.add("done");
    } catch (error) {
      say(status, t("copy_failed"), "error");
    }
  });
  return button;
}

/** In the form's place: received, the code and the secret with their copy buttons, kept under "my reports". */
function showReceipt(receipt) {
  const code = receipt.tracking_code, secret = receipt.reporter_secret;
  const box = $("#receipt");
  box.replaceChildren(
    h("h3", { class: "done-title" }, h("span", { "aria-hidden": "true" }, "✓ "), h("span", { "data-t": "done_title" }, t("done_title"))),
    h("p", { "data-t": "done_text" }, t("done_text")),
    h("dl", { class: "receipt-codes" },
      h("dt", { "data-t": "code" }, t("code")),
      h("dd", {}, h("strong", { class: "code", id: "tracking-code", translate: "no" }, code), " ", copyButton("copy-code", code)),
      secret ? [h("dt", { "data-t": "secret_keep" }, t("secret_keep")),
        h("dd", {}, h("code", { id: "reporter-secret", translate: "no" }, secret), " ", copyButton("copy-secret", secret))] : null),
    secret ? h("p", {}, copyButton("copy-both", t("copied_both", code, secret), "copy_both")) : null,
    h("p", { id: "copy-status", role: "status", "aria-live": "polite" }),
    h("p", { class: "ok", id: "saved-mine", "data-t": "saved_mine" }, t("saved_mine")),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", id: "track-it", "data-t": "track_it", onclick: () => { lookUp(); $("#lookup-heading").scrollIntoView(); } }, t("track_it")),
      h("button", { type: "button", id: "report-another", "data-t": "report_another", onclick: () => {
        box.hidden = true;
        reportForm.hidden = false;
        $("#report-heading").scrollIntoView();
      } }, t("report_another"))));
  reportForm.hidden = true;
  box.hidden = false;
  box.scrollIntoView({ block: "start" });
  box.focus();
}

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
function forget(code) {
  localStorage.setItem("my-reports", JSON.stringify(mine().filter((e) => e.code !== code)));
  showMine();
}
/** This tenant's reports made on this phone, newest first: each opens its look-up (with its secret). */
function showMine() {
  const list = mine().filter((e) => e.tenant === tenant());
  $("#my-reports-box").hidden = !list.length;
  $("#my-reports").replaceChildren(...list.map((e) => h("li", { "data-code": e.code },
    h("button", { type: "button", class: "view", onclick: () => {
      $("#lookup-form").elements.code.value = e.code;
      $("#lookup-form").elements.secret.value = e.secret || "";
      lookUp();
    } }, h("strong", { class: "code", translate: "no" }, e.code), " ",
    h("span", { class: "muted" }, [e.category && categoryText(categories, e.category), e.at && when(e.at)].filter(Boolean).join(" · ")),
    " ", h("span", { class: "go" }, t("view"))),
    h("button", { type: "button", class: "link forget", "aria-label": `${t("forget")} ${e.code}`, onclick: () => forget(e.code) }, t("forget")))));
}

// ---- look-up: the public view, and the reporter's own with the secret kept on this phone ----
const words = (w) => (w ? (I18N.lang === "en" ? w.en : w.zh) : "");
const when = (iso) => new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en");
async function lookUp() {
  const out = $("#lookup-result");
  const form = $("#lookup-form");
  const code = form.elements.code.value.trim().toUpperCase();
  const known = mine().find((e) => e.code === code && e.tenant === tenant());
  // The secret typed in, else the one kept on this phone with the code.
  if (!form.elements.secret.value.trim() && known && known.secret) form.elements.secret.value = known.secret;
  const secret = form.elements.secret.value.trim();
  say($("#rate-result"), "");
  try {
    const found = await api("GET", tenantPath(tenant(), `/status/${encodeURIComponent(code)}`), {
      cache: "no-cache", headers: secret ? { "reporter-secret": secret } : {},
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
        t(a.purpose === "result" ? "result_photo" : "evidence_photo")))),
      rating(found, secret)));
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

// ---- rating: the form the look-up offers once the case is closed, and until then when it will be ----
I18N.add({
  zh: { s5: "非常满意", s4: "满意", s3: "基本满意", s2: "不满意", s1: "非常不满意", comment: "意见（可选）", reopen: "问题没有解决，要求重新办理", send_rating: "提交评价" },
});

/**
 * The rating part of the look-up `found`: with the reporter's secret, the
 * form its `rating_form` offers when it is `open`, else what must happen
 * first (`opens_after`) and by when (`expected_by`, the resolution
 * deadline); without the secret, where to give it once the case is closed.
 */
function rating(found, secret) {
  const form = found.reporter && found.reporter.rating_form;
  if (!form) return found.outcome === "resolved" ? h("p", { class: "muted", id: "rating-wait" }, t("rating_needs_secret")) : null;
  if (!form.open) {
    const late = found.deadlines && found.deadlines.resolution && found.deadlines.resolution.status === "overdue";
    const key = form.opens_after === "verification" ? "rating_after_verification"
      : form.opens_after === "resolution" ? (form.expected_by ? (late ? "rating_after_resolution_late" : "rating_after_resolution") : "rating_after_dispatch")
        : "rating_never";
    return h("p", { class: "rating-wait", id: "rating-wait", "data-opens-after": form.opens_after || "never" },
      t(key, form.expected_by ? when(form.expected_by) : ""));
  }
  const scores = (form.scores || [1, 2, 3, 4, 5]).slice().reverse();
  const rate = h("form", { id: "rate-form" },
    h("fieldset", {}, h("legend", {}, t("rating_open")),
      form.score ? h("p", { class: "muted" }, t("your_rating", form.score)) : null,
      h("div", { class: "choices stars" }, ...scores.map((n) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "score", value: String(n), required: true, checked: n === form.score }), ` ${n} `, t(`s${n}`))))),
    h("label", {}, h("span", {}, t("comment")), h("textarea", { name: "comment", rows: 2, maxlength: 1000 }, form.comment || "")),
    form.can_reopen ? h("label", { class: "check" }, h("input", { type: "checkbox", name: "reopen" }), " ", t("reopen")) : null,
    h("button", { type: "submit", class: "primary" }, t("send_rating")));
  rate.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(rate);
    const out = $("#rate-result");
    try {
      const body = { score: Number(data.get("score")), reopen: data.get("reopen") === "on" };
      if (data.get("comment")) body.comment = data.get("comment").trim();
      const rated = await api(form.submit.method, form.submit.href, { body, headers: { "reporter-secret": secret } });
      await lookUp();
      say(out, t("rated", stateText(rated.state)), "ok");
    } catch (error) {
      say(out, error.message, "error");
    }
  });
  return rate;
}

$("#board-link").href = `/board.html?${new URLSearchParams({ tenant: tenant() })}`;
photoViewer($("#lookup-result"));
onLang(() => { loadCategories(); showFiles(); showMine(); });
I18N.apply();
loadMap();
showMine();
loadNotices();
