// 金开通, the grid worker's app: report in a few taps, "fixed on the spot"
// with a photo, my reports and their state. Reports go through an outbox in
// IndexedDB: made without a signal, they wait on the phone and are sent when
// the network returns, each with its own Idempotency-Key so that a resend
// (after a lost answer) never makes a second case. The patrol mode (巡查,
// and a volunteer's grid days) is patrol.js's; a report made while a patrol
// runs is linked to it.
"use strict";

I18N.add({
  en: {
    title: "Jinkaitong · Grid worker",
    report: "Report", mine: "My reports",
    grids: "My grids", category: "Category", description: "What did you find?", photo: "Photo",
    use_location: "Locate", grid_node: "Grid", by_location: "From the location", fixed: "Needs a photo of the result",
    submit: "Report", outbox: "Waiting to send", refresh: "Refresh", code: "Code", state: "State", due: "Time left",
    grids_note: "The township's grids (those with shapes can be picked on the map when reporting).",
    my_grid: "mine",
  },
  zh: {},
});
I18N.add({
  zh: {
    photo: "照片", my_grid: "我的", online: "在线", offline: "离线", queued: "已保存，联网后自动发送", sent: "已上报，查询码 {0}", sending: "正在发送…",
    needs_photo: "当场解决需要附照片", failed: "未发送：{0}", duplicate: "附近已有类似问题：{0}", send_anyway: "仍然上报",
    discard: "删除", waiting: "等待网络", photos: "{0} 张照片", none: "暂无", located: "位置 {0}, {1}",
    no_location: "无法定位：{0}", picked: "地图选点：{0}", pick_category: "请选择问题类别", login_again: "登录已过期，请重新登录",
  },
  en: {
    online: "Online", offline: "Offline", queued: "Saved; it will be sent when the network returns", sent: "Reported: code {0}",
    sending: "Sending…", needs_photo: "Fixed on the spot needs a photo", failed: "Not sent: {0}",
    duplicate: "A similar case is open nearby: {0}", send_anyway: "Report anyway", discard: "Delete", waiting: "waiting for network",
    photos: "{0} photo(s)", none: "None yet", located: "Location {0}, {1}", no_location: "Could not locate: {0}",
    picked: "Picked on the map: {0}", pick_category: "Choose a category", login_again: "Session expired; please sign in again",
  },
});

I18N.add({
  zh: {
    submit: "上报", submit_fixed: "记录当场解决", fixed_title: "当场解决", fixed_on: "当场解决：请拍一张处理后的照片作为凭证。",
    needs_place: "此类问题需要位置：请定位、在地图上点选，或选择所在网格。",
    close_case: "返回列表", open_case: "查看 {0}", place: "位置", grid_path: "所在网格", address: "地址",
    description: "情况说明", resolution_left: "办理时限", case_photos: "照片", case_timeline: "办理经过", steps: "可办理的操作",
    no_place: "未定位", evidence_photo: "上报时照片", result_photo: "处理结果",
  },
  en: {
    fixed_title: "Fixed on the spot", submit_fixed: "Record as fixed", fixed_on: "Fixed on the spot: take a photo of the result as evidence.",
    needs_place: "This kind of problem needs its place: locate, tap the map, or choose the grid.",
    close_case: "Back to the list", open_case: "Open {0}", place: "Place", grid_path: "Grid", address: "Address",
    description: "What was found", resolution_left: "Time to resolve", case_photos: "Photos", case_timeline: "What was done", steps: "Steps",
    no_place: "No place", evidence_photo: "Reported", result_photo: "Result",
  },
});

const session = new Session("worker");
const form = $("#report-form");
let photos = [];
let place = null;
let categories = [];

// ---- the outbox: IndexedDB, one record per report, keyed by its idempotency key ----
const outbox = {
  db: null,
  open() {
    if (this.db) return Promise.resolve(this.db);
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("worker-outbox", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("reports", { keyPath: "key" });
      request.onsuccess = () => resolve((this.db = request.result));
      request.onerror = () => reject(request.error);
    });
  },
  async run(mode, f) {
    const db = await this.open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("reports", mode);
      const result = f(tx.objectStore("reports"));
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  },
  all() { return this.run("readonly", (s) => s.getAll()); },
  put(record) { return this.run("readwrite", (s) => s.put(record)); },
  remove(key) { return this.run("readwrite", (s) => s.delete(key)); },
};

/** A fresh idempotency key (crypto.randomUUID needs a secure context; this does not). */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "wk-" + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

let flushing = null;
let again = false;
/** Sends every waiting report, one at a time; safe to call at any moment
 * (a call during a run makes one more run after it). */
function flush() {
  if (flushing) {
    again = true;
    return flushing;
  }
  flushing = sendAll().finally(async () => {
    flushing = null;
    await showOutbox();
    await showSendState();
    if (again) {
      again = false;
      flush();
    }
  });
  return flushing;
}

async function sendAll() {
  for (const record of (await outbox.all()).sort((a, b) => a.created_at.localeCompare(b.created_at))) {
    if (record.state === "held" || !session.valid || record.tenant !== session.tenant) continue;
    if (!withPatrol(record)) continue; // found on a patrol the server has no id for yet (patrol.js)
    try {
      // Photos first, each id kept at once: a resend carries the same body,
      // which the Idempotency-Key requires.
      while (record.attachment_ids.length < record.photos.length) {
        const uploaded = await session.call("POST", "/attachments", { body: record.photos[record.attachment_ids.length] });
        record.attachment_ids.push(uploaded.id);
        await outbox.put(record);
      }
      const receipt = await session.call("POST", "/reports", {
        body: { ...record.report, attachment_ids: record.attachment_ids },
        headers: { "idempotency-key": record.key },
      });
      await outbox.remove(record.key);
      const out = $("#report-result");
      say(out, t("sent", receipt.tracking_code), "ok");
      if (out.dataset.waiting === record.key) delete out.dataset.waiting;
      document.dispatchEvent(new CustomEvent("report-sent", { detail: receipt }));
    } catch (error) {
      if (error.status === 0) return; // no network: try again when it returns
      if (error.status === 401) { say($("#report-result"), t("login_again"), "error"); return; }
      if (photosGone(error) && !record.uploaded_again) {
        // The server deletes photos left unused for a day (a report held
        // that long): upload them again, as a new request with a new key.
        await outbox.remove(record.key);
        await outbox.put({ ...record, key: newKey(), attachment_ids: [], uploaded_again: true });
        again = true;
        continue;
      }
      record.state = "held";
      const duplicates = (error.problem && error.problem.duplicates) || [];
      record.error = error.code === "duplicate_nearby" && duplicates.length
        ? t("duplicate", duplicates.map((d) => d.tracking_code).join(", "))
        : t("failed", error.message);
      record.duplicate = error.code === "duplicate_nearby" && duplicates.length > 0;
      await outbox.put(record);
    }
  }
}

async function showOutbox() {
  const records = await outbox.all();
  $("#outbox").replaceChildren(...(records.length ? records : []).map((r) => h("li", { class: "outbox-item", "data-state": r.state },
    h("strong", {}, r.report.description.slice(0, 40)), " · ", t("photos", r.photos.length), " · ",
    r.state === "held" ? h("span", { class: "error" }, r.error) : h("span", { class: "muted" }, t("waiting")),
    r.duplicate ? h("button", { type: "button", class: "link", onclick: () => resend(r) }, t("send_anyway")) : null,
    r.state === "held" ? h("button", { type: "button", class: "link", onclick: () => outbox.remove(r.key).then(showOutbox) }, t("discard")) : null)));
  if (!records.length) $("#outbox").replaceChildren(h("li", { class: "muted" }, t("none")));
}

/** Whether the server refused a report because one of its photos is gone. */
const photosGone = (error) => error.status === 404 && /^attachment_ids/.test((error.problem && error.problem.field) || "");

/** "Report anyway" after a duplicate warning: a new request, so a new key. */
async function resend(record) {
  await outbox.remove(record.key);
  await outbox.put({ ...record, key: newKey(), state: "queued", error: null, duplicate: false, uploaded_again: false, report: { ...record.report, insist: true } });
  flush();
}

// ---- the report form ----
async function loadCategories() {
  try {
    ({ items: categories } = await api("GET", tenantPath(session.tenant, "/admin/categories")));
    localStorage.setItem(`categories:${session.tenant}`, JSON.stringify(categories));
  } catch (error) {
    categories = JSON.parse(localStorage.getItem(`categories:${session.tenant}`) || "[]"); // offline: the last list seen
  }
  const chosen = form.elements.category && form.elements.category.value;
  $("#categories").replaceChildren(...categories.filter((c) => !c.retired && !c.desk).map((c) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "category", value: c.code, required: true, checked: c.code === chosen }), " ",
    I18N.lang === "en" ? c.name_en : c.name_zh)));
}

function showPhotos() {
  $("#photos").replaceChildren(...photos.map((p, i) => h("li", {}, h("img", { src: p.url, alt: `${t("photo")} ${i + 1}` }),
    h("button", { type: "button", class: "link", onclick: () => { URL.revokeObjectURL(p.url); photos.splice(i, 1); showPhotos(); } }, t("discard")))));
}
form.elements.photo.addEventListener("change", async (event) => {
  for (const original of [...event.target.files]) {
    const file = await shrinkPhoto(original);
    photos.push({ blob: file, url: URL.createObjectURL(file) });
  }
  event.target.value = "";
  showPhotos();
});

let gridMapHandle = null;
let gridNodes = [];
/** A place picked on the map or found from the phone: kept, its grid chosen in the list and named. */
function showPick(pick, words) {
  place = { latitude: pick.latitude, longitude: pick.longitude };
  const select = form.elements.grid_node_id;
  if (pick.node) select.value = pick.node.level === "grid" || pick.node.level === "micro_grid" ? pick.node.id : "";
  $("#place").textContent = pick.node ? t(words, pick.text) : t("outside_grid");
}
$("#locate").addEventListener("click", async () => {
  try {
    // On the map when there is one: the marker goes there and the grid is picked.
    const found = gridMapHandle ? await gridMapHandle.useMyLocation() : { ...(await locate()) };
    showPick(gridMapHandle ? found : { ...found, ...findPlace(gridNodes, found) }, "you_are_at");
  } catch (error) {
    $("#place").textContent = t("no_location", error.message);
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const out = $("#report-result");
  if (!data.get("category")) return say(out, t("pick_category"), "error");
  const fixed = data.get("fixed_on_the_spot") === "on";
  if (fixed && !photos.length) return say(out, t("needs_photo"), "error");
  // The catalogue says whether the category needs a place (checked here too: a report waits offline).
  const category = categories.find((c) => c.code === data.get("category"));
  if (category && category.place_required && !place && !data.get("grid_node_id")) return say(out, t("needs_place"), "error");
  const report = { category: data.get("category"), description: data.get("description").trim(), fixed_on_the_spot: fixed };
  if (data.get("grid_node_id")) report.grid_node_id = Number(data.get("grid_node_id"));
  if (place) Object.assign(report, place);
  const key = newKey();
  // While a patrol runs, what is reported was found on it (patrol.js links it and counts it).
  const patrolKey = currentPatrolKey();
  await outbox.put({ key, tenant: session.tenant, report, photos: photos.map((p) => p.blob), attachment_ids: [], state: "queued", created_at: new Date().toISOString(), patrol_key: patrolKey });
  form.reset();
  showFixed();
  photos.forEach((p) => URL.revokeObjectURL(p.url));
  photos = [];
  place = null;
  if (gridMapHandle) gridMapHandle.setPlace(null);
  $("#place").textContent = "";
  showPhotos();
  say(out, navigator.onLine ? t("sending") : t("queued"));
  out.dataset.waiting = key;
  await showOutbox();
  document.dispatchEvent(new CustomEvent("report-queued", { detail: { patrol_key: patrolKey, report } }));
  flush();
});

/**
 * The status line after a run of the outbox, for the report it last spoke
 * of: sent, it already says so (with its code); still waiting for the
 * network, it says it is saved and will be sent; refused, why.
 */
async function showSendState() {
  const out = $("#report-result");
  const key = out.dataset.waiting;
  if (!key) return;
  const record = (await outbox.all()).find((r) => r.key === key);
  if (record && record.state === "queued") return say(out, t("queued"));
  delete out.dataset.waiting;
  if (record) say(out, record.error, "error");
}

// ---- 当场解决: the switch at the top of the form ----
function showFixed() {
  const fixed = form.elements.fixed_on_the_spot.checked;
  form.classList.toggle("fixed", fixed);
  $("#fixed-toggle").classList.toggle("on", fixed);
  const button = $("#submit-report");
  button.dataset.t = fixed ? "submit_fixed" : "submit";
  button.textContent = t(button.dataset.t);
  $("#fixed-hint").hidden = !fixed;
}
form.elements.fixed_on_the_spot.addEventListener("change", showFixed);

// ---- my reports (queue `mine`) ----
async function loadMine() {
  const status = $("#mine-status");
  try {
    const { cases } = await session.call("GET", "/queues/mine?sort=newest");
    const names = Object.fromEntries(categories.map((c) => [c.code, I18N.lang === "en" ? c.name_en : c.name_zh]));
    // A row opens its case: a tap anywhere on it, or its code's button from the keyboard.
    $("#mine").replaceChildren(...cases.map((c) => h("tr", { "data-code": c.tracking_code, "data-id": c.id, class: "opens", onclick: () => openCase(c.id) },
      h("td", { class: "code-cell" }, h("button", { type: "button", class: "link", translate: "no", "aria-label": t("open_case", c.tracking_code) }, c.tracking_code)),
      h("td", {}, names[c.category] || c.category, c.fixed_on_the_spot ? " ✓" : ""),
      h("td", { "data-state": c.state }, stateText(c.state, c.state_label)),
      h("td", { class: c.resolution_minutes_left < 0 ? "late" : "" }, timeLeft(c.resolution_minutes_left, c.paused)))));
    say(status, cases.length ? "" : t("none"));
  } catch (error) {
    say(status, error.message, "error");
  }
}
$("#refresh-mine").addEventListener("click", loadMine);

// ---- a case of mine, opened from its row: where it stands, its photos, what was done, the steps I may take ----
let departments = null;
async function openCase(id) {
  const view = $("#case-view");
  const body = $("#case-body");
  view.hidden = false;
  let c;
  try {
    departments = departments || (await session.call("GET", "/admin/departments")).items;
    c = await session.call("GET", `/cases/${id}`);
  } catch (error) {
    say(body, error.message, "error");
    return;
  }
  const name = (code) => categoryText(categories, code);
  $("#case-heading").textContent = `${c.tracking_code} · ${name(c.category)}`;
  const p = c.place || {};
  const path = (p.grid_path || []).map((n) => n.name).join(" › ");
  const photos = h("ul", { class: "thumbs", id: "case-photos" });
  const steps = (c.allowed_steps || []).filter((x) => x.action !== "fixed_on_the_spot");
  body.replaceChildren(...[
    h("dl", {},
      h("dt", {}, t("state")), h("dd", { id: "case-state", "data-state": c.state }, stateText(c.state, c.state_label), c.fixed_on_the_spot ? ` · ${t("fixed_title")}` : ""),
      h("dt", {}, t("description")), h("dd", {}, c.description),
      h("dt", {}, t("grid_path")), h("dd", { id: "case-grid-path" }, path || t("no_place")),
      p.address ? [h("dt", {}, t("address")), h("dd", {}, p.address)] : null,
      c.resolution_minutes_left !== null && c.resolution_minutes_left !== undefined
        ? [h("dt", {}, t("resolution_left")), h("dd", { class: c.resolution_minutes_left < 0 ? "late" : "" }, timeLeft(c.resolution_minutes_left, c.paused))] : null),
    (c.attachments || []).length ? [h("h3", {}, t("case_photos")), photoViewer(photos)] : null,
    // The steps the API lets the reporting grid worker take (to verify, say), when there are any.
    steps.length ? [h("h3", {}, t("steps")), caseSteps(session, c, { departments, categories, reload: () => { loadMine(); return openCase(id); } })] : null,
    h("h3", {}, t("case_timeline")),
    timelineList(c, departments, categories)].flat(2).filter(Boolean));
  for (const a of (c.attachments || []).filter((x) => x.kind === "photo")) {
    const label = t(a.purpose === "result" ? "result_photo" : "evidence_photo");
    blobUrl(session, a.id).then(({ url }) => photos.append(h("li", { "data-id": a.id }, h("img", { src: url, alt: label }), label))).catch(() => {});
  }
  view.scrollIntoView({ block: "start" });
  view.focus();
}
$("#close-case").addEventListener("click", () => {
  $("#case-view").hidden = true;
  $("#mine").scrollIntoView({ block: "nearest" });
});
document.addEventListener("report-sent", () => { if (!$("#tab-mine").hidden) loadMine(); });

// ---- my grids: the tree, and the map to pick a place on ----
async function loadGrid() {
  let grid;
  try {
    grid = await session.call("GET", "/admin/grid?geometry=true");
    localStorage.setItem(`grid:${session.tenant}`, JSON.stringify(grid));
  } catch (error) {
    grid = JSON.parse(localStorage.getItem(`grid:${session.tenant}`) || "null");
    if (!grid) return;
  }
  const select = form.elements.grid_node_id;
  const nodes = flattenGrid(grid.nodes).filter((n) => !n.retired);
  // The worker's own grids (auth/me) come first in the list and are marked in the tree.
  const mine = new Set((session.data.grids || []).map((g) => g.id));
  const label = (n) => `${n.level === "micro_grid" ? "　" : ""}${n.name} (${n.code})${mine.has(n.id) ? ` · ${t("my_grid")}` : ""}`;
  const choices = nodes.filter((n) => n.level === "grid" || n.level === "micro_grid");
  select.replaceChildren(select.options[0], ...[...choices.filter((n) => mine.has(n.id)), ...choices.filter((n) => !mine.has(n.id))]
    .map((n) => h("option", { value: n.id }, label(n))));
  const tree = (list) => h("ul", {}, ...list.filter((n) => !n.retired).map((n) => h("li", mine.has(n.id) ? { class: "mine" } : {}, `${n.name} `, h("span", { class: "muted" }, n.code),
    mine.has(n.id) ? h("strong", {}, ` ${t("my_grid")}`) : null, n.children && n.children.length ? tree(n.children) : null)));
  $("#grid-tree").replaceChildren(tree(grid.nodes));
  gridNodes = grid.nodes;
  gridMapHandle = await gridMap($("#map"), grid.nodes, { tenant: session.tenant, onPick: (pick) => showPick(pick, "picked") });
  $("#map").hidden = !gridMapHandle;
}

// ---- tabs, network state, start ----
function showTab(name) {
  for (const tab of ["report", "patrol", "mine", "grids"]) {
    $(`#tab-${tab}`).hidden = tab !== name;
    $(`#go-${tab}`).setAttribute("aria-selected", String(tab === name));
  }
  if (name === "mine") loadMine();
}
for (const tab of ["report", "patrol", "mine", "grids"]) $(`#go-${tab}`).addEventListener("click", () => showTab(tab));

function showNetwork() {
  const net = $("#net");
  net.textContent = navigator.onLine ? t("online") : t("offline");
  net.classList.toggle("offline", !navigator.onLine);
}
window.addEventListener("online", () => { showNetwork(); flush(); });
window.addEventListener("offline", showNetwork);
setInterval(() => { if (navigator.onLine) flush(); }, 30000);

function start() {
  const signedIn = session.valid;
  $("#login-view").hidden = signedIn;
  $("#app-view").hidden = !signedIn;
  $("#logout").hidden = !signedIn;
  $("#me").textContent = signedIn ? session.data.name : "";
  if (!signedIn) return startPatrol();
  loadCategories();
  loadGrid();
  showOutbox();
  flush();
  startPatrol();
}
loginForm($("#login-view"), session, start);
$("#logout").addEventListener("click", () => { session.logout(); start(); });
I18N.apply();
onLang(() => { showNetwork(); if (session.valid) { loadCategories(); showOutbox(); } });
showNetwork();
start();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/worker/sw.js").catch(() => {});
