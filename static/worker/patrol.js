// 巡查: the worker app's patrol mode (docs/patrols.md). A grid worker starts
// a patrol on one of their grids, or signs in to a grid of today's grid day
// (a volunteer can only do that); while it runs the phone records its track
// (navigator.geolocation.watchPosition), the visits made and the problems
// found (the report form, linked to the patrol), and shows the live
// summary. Everything is kept on the phone first (localStorage, like the
// report outbox keeps reports) and sent when there is a network: the start
// (with the time it really started), the track in numbered pieces (a piece,
// once sealed, never changes, so a retry sends it again unchanged and the
// server answers as the first time), the visits (each with the phone's own
// id), the end. A reload or a lost signal mid-patrol loses nothing.
// Loaded before worker.js, which calls startPatrol() once signed in.
"use strict";

I18N.add({
  zh: {
    problem_track_full: "这次巡查的轨迹已满，请结束后重新开始", problem_outside_patrol: "时间不在这次巡查的起止之间", problem_patrol_overlaps: "开始时间早于您上一次巡查的结束", problem_not_patrol_grid: "该微网格不在本次巡查的网格内",
    patrol: "巡查", patrol_start: "开始巡查", patrol_my_grids: "在我的网格巡查", patrol_grid_days: "今天的网格日",
    patrol_coming_days: "即将到来的网格日", patrol_sign_in: "签到：{0}", patrol_signed_in: "已签到", patrol_no_grids: "没有可巡查的网格",
    patrol_no_days: "今天没有安排您的网格日", patrol_running: "巡查中 · {0}", patrol_time: "时长", patrol_distance: "距离",
    patrol_visits: "走访", patrol_found: "发现问题", patrol_fixed: "当场解决", patrol_add_visit: "记录走访", patrol_report: "发现问题",
    patrol_end: "结束巡查", patrol_end_confirm: "确认结束巡查", patrol_keep: "继续巡查", patrol_summary: "巡查小结",
    patrol_back: "返回", patrol_past: "我的巡查记录", patrol_none: "还没有巡查记录", patrol_gps_wait: "正在定位…",
    patrol_gps: "已记录 {0} 个位置点（精度 {1} 米）", patrol_unsent: "{0} 项待上传", patrol_all_sent: "已全部上传",
    patrol_offline_kept: "离线：记录保存在手机上，联网后自动上传", patrol_visit_kind: "走访对象", patrol_kind_household: "住户",
    patrol_kind_company: "企业", patrol_kind_building: "楼栋", patrol_kind_other: "其他", patrol_visit_note: "简要记录（200 字以内）",
    patrol_visit_place: "使用当前位置", patrol_save_visit: "保存走访", patrol_cancel: "取消", patrol_visit_saved: "走访已记录",
    patrol_problem_banner: "巡查中发现的问题 · {0}", patrol_back_to_patrol: "返回巡查", patrol_problem_saved: "问题已记录",
    patrol_problem_sent: "问题已上报，查询码 {0}", patrol_started: "巡查已开始", patrol_ended: "巡查已结束",
    patrol_started_at: "开始", patrol_ended_at: "结束", patrol_grid: "网格", patrol_waiting_upload: "等待联网上传，以下为手机上的记录",
    patrol_other_running: "还有一次巡查在进行，已接续", patrol_km: "{0} 公里", patrol_m: "{0} 米", patrol_minutes: "{0} 分钟",
    patrol_hours: "{0} 小时 {1} 分", patrol_problems: "发现的问题", patrol_visit_list: "走访记录", patrol_row: "{0} · {1} · {2} · 走访 {3} · 问题 {4}（当场解决 {5}）",
    patrol_thinned: "轨迹已按保存期限删除，仅保留小结", patrol_map: "巡查轨迹", patrol_no_track: "没有轨迹点",
    patrol_failed: "未上传：{0}", patrol_state_running: "进行中", patrol_state_ended: "已结束", patrol_location_off: "无法定位：{0}",
    patrol_day_title: "{0} · {1}", patrol_not_sent: "待上传",
  },
  en: {
    problem_track_full: "This patrol's track is full: end it and start another", problem_outside_patrol: "That time is outside this patrol", problem_patrol_overlaps: "It starts before your previous patrol ended", problem_not_patrol_grid: "That micro-grid is not in this patrol's grid",
    patrol: "Patrol", patrol_start: "Start a patrol", patrol_my_grids: "Patrol one of my grids", patrol_grid_days: "Today's grid day",
    patrol_coming_days: "Coming grid days", patrol_sign_in: "Sign in: {0}", patrol_signed_in: "Signed in", patrol_no_grids: "No grid to patrol",
    patrol_no_days: "No grid day of yours today", patrol_running: "On patrol · {0}", patrol_time: "Time", patrol_distance: "Distance",
    patrol_visits: "Visits", patrol_found: "Problems found", patrol_fixed: "Fixed on the spot", patrol_add_visit: "Record a visit",
    patrol_report: "Found a problem", patrol_end: "End the patrol", patrol_end_confirm: "Yes, end the patrol", patrol_keep: "Keep patrolling",
    patrol_summary: "Patrol summary", patrol_back: "Back", patrol_past: "My patrols", patrol_none: "No patrol yet",
    patrol_gps_wait: "Locating…", patrol_gps: "{0} positions recorded (accurate to {1} m)", patrol_unsent: "{0} item(s) to upload",
    patrol_all_sent: "All uploaded", patrol_offline_kept: "Offline: kept on the phone, uploaded when the network returns",
    patrol_visit_kind: "Visited", patrol_kind_household: "Household", patrol_kind_company: "Company", patrol_kind_building: "Building",
    patrol_kind_other: "Other", patrol_visit_note: "Short note (up to 200 characters)", patrol_visit_place: "Use my position",
    patrol_save_visit: "Save the visit", patrol_cancel: "Cancel", patrol_visit_saved: "Visit recorded",
    patrol_problem_banner: "A problem found on patrol · {0}", patrol_back_to_patrol: "Back to the patrol", patrol_problem_saved: "Problem recorded",
    patrol_problem_sent: "Problem reported: code {0}", patrol_started: "Patrol started", patrol_ended: "Patrol ended",
    patrol_started_at: "Started", patrol_ended_at: "Ended", patrol_grid: "Grid", patrol_waiting_upload: "Waiting for the network; this is what the phone recorded",
    patrol_other_running: "A patrol of yours was still running; continued", patrol_km: "{0} km", patrol_m: "{0} m", patrol_minutes: "{0} min",
    patrol_hours: "{0} h {1} min", patrol_problems: "Problems found", patrol_visit_list: "Visits", patrol_row: "{0} · {1} · {2} · {3} visits · {4} problems ({5} fixed)",
    patrol_thinned: "The track was removed after the retention period; the summary stays", patrol_map: "Patrol track", patrol_no_track: "No track",
    patrol_failed: "Not uploaded: {0}", patrol_state_running: "running", patrol_state_ended: "ended", patrol_location_off: "Cannot locate: {0}",
    patrol_day_title: "{0} · {1}", patrol_not_sent: "to upload",
  },
});

// The API's refusals of patrols, in the page's words (common.js problemText reads them by code).
I18N.add({
  zh: {
    problem_patrol_running: "您还有一次巡查在进行", problem_patrol_closed: "这次巡查已结束超过一天，不再接收记录",
    problem_track_piece_conflict: "这段轨迹已上传过不同的内容", problem_grid_day_not_today: "只能在网格日当天签到",
    problem_patrol_not_yours: "这不是您的巡查",
  },
  en: {
    problem_patrol_running: "A patrol of yours is still running", problem_patrol_closed: "The patrol ended over a day ago and takes nothing more",
    problem_track_piece_conflict: "This piece of track was uploaded before with other points", problem_grid_day_not_today: "You can sign in only on the grid day itself",
    problem_patrol_not_yours: "This patrol is not yours",
  },
});

/** Seal the track into a new piece at most this often while moving (and at once on a visit, a returning signal, the end). */
const SEAL_EVERY_MS = 30000;
const PIECE_MAX = 500;

// ---- the patrols kept on the phone: the running one and those not yet fully uploaded ----
const patrolStore = {
  key: () => `patrols:${session.tenant}:${session.data.login}`,
  idsKey: () => `patrol-ids:${session.tenant}`,
  // Signed out (or the session ended mid-upload): nothing to read or write; the phone keeps the patrols for the next sign-in.
  all() { return session.data ? JSON.parse(localStorage.getItem(this.key()) || "[]") : []; },
  save(list) { if (session.data) localStorage.setItem(this.key(), JSON.stringify(list)); },
  update(key, f) {
    const list = this.all();
    const p = list.find((x) => x.key === key);
    if (p) { f(p); this.save(list); }
    return p;
  },
  running() { return this.all().find((p) => !p.ended_at) || null; },
  /** The server's id of a patrol the phone made, kept after the patrol has gone from the list (its reports may still wait). */
  serverId(key) { return JSON.parse(localStorage.getItem(this.idsKey()) || "{}")[key] || null; },
  remember(key, id) {
    const ids = JSON.parse(localStorage.getItem(this.idsKey()) || "{}");
    ids[key] = id;
    localStorage.setItem(this.idsKey(), JSON.stringify(ids));
  },
};

/** The report outbox asks before sending a record made on a patrol: false while the patrol has no id yet. */
function withPatrol(record) {
  if (!record.patrol_key) return true;
  const id = patrolStore.serverId(record.patrol_key);
  if (!id) return false;
  // A patrol the server refused to start: the report goes as it is (a volunteer's is then refused and held).
  if (id !== REFUSED) record.report.patrol_id = id;
  return true;
}
/** The patrol a report made now belongs to (worker.js keeps it on the outbox record). */
/** What the server said to a part it will never take: a refusal (4xx) other than an expired session or a wait. */
const refused = (error) => error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429;
const REFUSED = "refused";
const currentPatrolKey = () => (session.valid ? (patrolStore.running() || {}).key || null : null);

// ---- figures ----
/** Metres walked along `points`, leaving out points far off (accuracy over 100 m, or over 150 km/h from the last counted one), as the server does. */
function trackMetres(points) {
  let total = 0;
  let last = null;
  for (const p of points) {
    if (p.accuracy !== null && p.accuracy !== undefined && p.accuracy > 100) continue;
    if (last) {
      const metres = Coords.metres({ latitude: last.lat, longitude: last.lng }, { latitude: p.lat, longitude: p.lng });
      const seconds = (new Date(p.at) - new Date(last.at)) / 1000;
      if (seconds > 0 ? metres / seconds > 150 / 3.6 : metres > 50) continue;
      total += metres;
    }
    last = p;
  }
  return total;
}
/** A visit in words: its kind and note. */
const visitText = (v) => `${t(`patrol_kind_${v.kind}`)}${v.note ? ` · ${v.note}` : ""}`;
const distanceText = (metres) => (metres >= 1000 ? t("patrol_km", (metres / 1000).toFixed(2)) : t("patrol_m", Math.round(metres)));
const durationText = (minutes) => (minutes >= 60 ? t("patrol_hours", Math.floor(minutes / 60), minutes % 60) : t("patrol_minutes", minutes));
const clock = (ms) => {
  const s = Math.max(0, Math.floor(ms / 1000));
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, "0")).join(":");
};
const localDate = (d = new Date()) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
const timeText = (iso) => (iso ? new Date(iso).toLocaleString(I18N.lang === "zh" ? "zh-CN" : "en", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }) : "");
const newClientId = (prefix) => `${prefix}-${[...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;

// ---- the track: positions from the phone ----
let watchId = null;
let pollTimer = null;
let lastFix = null;
function watchTrack() {
  if (watchId !== null || !navigator.geolocation) return;
  const options = { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 };
  const failed = (e) => say($("#patrol-gps"), t("patrol_location_off", locateErrorText(e)), "error");
  watchId = navigator.geolocation.watchPosition(addPosition, failed, options);
  // Some phones go quiet while standing still: ask now and then too.
  pollTimer = setInterval(() => navigator.geolocation.getCurrentPosition(addPosition, () => {}, options), 15000);
}
function stopTrack() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  clearInterval(pollTimer);
  watchId = null;
  pollTimer = null;
}
function addPosition(position) {
  const running = patrolStore.running();
  if (!running) return stopTrack();
  const c = position.coords;
  lastFix = { lat: +c.latitude.toFixed(6), lng: +c.longitude.toFixed(6), accuracy: Number.isFinite(c.accuracy) ? Math.round(c.accuracy) : null };
  patrolStore.update(running.key, (p) => {
    const last = p.points[p.points.length - 1];
    // Times never go back within the track (a phone's clock may).
    let at = new Date(Math.max(position.timestamp || Date.now(), last ? new Date(last.at).getTime() : 0));
    const point = { ...lastFix, at: at.toISOString() };
    if (last) {
      const metres = Coords.metres({ latitude: last.lat, longitude: last.lng }, { latitude: point.lat, longitude: point.lng });
      if (metres < 3 && at - new Date(last.at) < 30000) return; // standing still
    }
    p.points.push(point);
  });
  showLive();
}

// ---- sending what the phone kept ----
let syncing = null;
let syncAgain = false;
/** Sends every patrol's waiting parts, in order; safe to call at any moment. `seal`: close the track's open piece now. */
function syncPatrols(seal = false) {
  if (seal) sealNow = true;
  if (syncing) { syncAgain = true; return syncing; }
  syncing = sendPatrols().finally(() => {
    syncing = null;
    showLive();
    if (syncAgain) { syncAgain = false; syncPatrols(); }
  });
  return syncing;
}
let sealNow = false;

/** Closes the points not yet in a piece into the next piece (up to 500 each), when due. */
function sealPieces(p, force) {
  const open = p.points.length - p.sealed;
  if (!open) return;
  const due = force || open >= PIECE_MAX || Date.now() - (p.sealed_at || new Date(p.started_at).getTime()) >= SEAL_EVERY_MS;
  if (!due) return;
  while (p.sealed < p.points.length) {
    const to = Math.min(p.points.length, p.sealed + PIECE_MAX);
    p.pieces.push({ n: p.pieces.length, from: p.sealed, to, sent: false });
    p.sealed = to;
  }
  p.sealed_at = Date.now();
}

async function sendPatrols() {
  if (!session.valid) return;
  const force = sealNow;
  sealNow = false;
  for (const { key } of patrolStore.all()) {
    patrolStore.update(key, (p) => sealPieces(p, force || !!p.ended_at));
    try {
      await sendPatrol(key);
    } catch (error) {
      if (error.status === 0) return; // no network: everything waits
      if (error.status === 401) return say($("#patrol-status"), t("login_again"), "error");
      patrolStore.update(key, (p) => { p.error = t("patrol_failed", error.message); });
    }
  }
}

async function sendPatrol(key) {
  let p = patrolStore.all().find((x) => x.key === key);
  if (!p) return;
  if (!p.id) {
    let made;
    try {
      made = await session.call("POST", "/patrols", { body: { grid_id: p.grid.id, grid_day_id: p.grid_day_id, started_at: p.started_at } });
    } catch (error) {
      if (error.code === "patrol_running" && error.problem.patrol_id) {
        // The start went through but its answer was lost (or another is running): carry on with the one the server has.
        made = { id: error.problem.patrol_id };
        say($("#patrol-status"), t("patrol_other_running"));
      } else if (refused(error)) {
        // Never to be started (not the grid day, a grid not one's own…): the phone lets it go and says why.
        patrolStore.remember(key, REFUSED);
        patrolStore.save(patrolStore.all().filter((x) => x.key !== key));
        if (!patrolStore.running()) stopTrack();
        shownPatrol = null;
        showPatrolView();
        flush();
        return say($("#patrol-status"), t("patrol_failed", error.message), "error");
      } else {
        throw error;
      }
    }
    patrolStore.remember(key, made.id);
    p = patrolStore.update(key, (x) => { x.id = made.id; x.error = null; });
    flush(); // reports made before the patrol had its id may go now
  }
  for (const piece of p.pieces.filter((x) => !x.sent)) {
    try {
      const summary = await session.call("PUT", `/patrols/${p.id}/track/${piece.n}`, { body: { points: p.points.slice(piece.from, piece.to) } });
      p = patrolStore.update(key, (x) => { x.pieces[piece.n].sent = true; x.summary = summary; });
    } catch (error) {
      // A piece the server will never take (closed, full, timed outside the patrol…) is not retried for ever.
      if (!refused(error)) throw error;
      p = patrolStore.update(key, (x) => { x.pieces[piece.n].sent = true; x.error = t("patrol_failed", error.message); });
    }
  }
  for (const visit of p.visits.filter((v) => !v.sent)) {
    const { sent, micro_grid, ...body } = visit;
    let made;
    try {
      made = await session.call("POST", `/patrols/${p.id}/visits`, { body });
    } catch (error) {
      if (!refused(error)) throw error;
      made = { micro_grid: null };
      patrolStore.update(key, (x) => { x.error = t("patrol_failed", error.message); });
    }
    p = patrolStore.update(key, (x) => { Object.assign(x.visits.find((v) => v.client_id === visit.client_id), { sent: true, micro_grid: made.micro_grid }); });
  }
  if (p.ended_at && !p.end_sent) {
    await session.call("POST", `/patrols/${p.id}/end`, { body: { ended_at: p.ended_at } }).catch((error) => {
      if (!refused(error)) throw error;
      patrolStore.update(key, (x) => { x.error = t("patrol_failed", error.message); });
    });
    p = patrolStore.update(key, (x) => { x.end_sent = true; });
  }
  if (p.ended_at && p.end_sent && p.pieces.every((x) => x.sent) && p.visits.every((v) => v.sent) && p.sealed === p.points.length) {
    // All of it is on the server: the phone lets the patrol go and shows the server's summary.
    patrolStore.save(patrolStore.all().filter((x) => x.key !== key));
    if (shownPatrol === key) openPatrol(p.id);
    loadPastPatrols();
  }
}
const unsent = (p) => (p.id ? 0 : 1) + p.pieces.filter((x) => !x.sent).length + (p.points.length - p.sealed ? 1 : 0)
  + p.visits.filter((v) => !v.sent).length + (p.ended_at && !p.end_sent ? 1 : 0);

// ---- starting and ending ----
async function beginPatrol(grid, gridDayId) {
  if (patrolStore.running()) return;
  const p = {
    key: newClientId("pt"), id: null, grid: { id: grid.id, name: grid.name }, grid_day_id: gridDayId || null,
    started_at: new Date().toISOString(), ended_at: null, end_sent: false,
    points: [], sealed: 0, sealed_at: Date.now(), pieces: [], visits: [], found: 0, fixed: 0, summary: null, error: null,
  };
  patrolStore.save([...patrolStore.all(), p]);
  shownPatrol = null;
  watchTrack();
  showPatrolView();
  say($("#patrol-status"), navigator.onLine ? t("patrol_started") : t("patrol_offline_kept"), "ok");
  await syncPatrols();
}

async function endPatrol() {
  const running = patrolStore.running();
  if (!running) return;
  stopTrack();
  patrolStore.update(running.key, (p) => { p.ended_at = new Date(Math.max(Date.now(), new Date(p.started_at).getTime())).toISOString(); });
  shownPatrol = running.key;
  showPatrolView();
  say($("#patrol-status"), t("patrol_ended"), "ok");
  await syncPatrols(true);
}

// ---- the views ----
let shownPatrol = null; // the local key of an ended patrol whose summary is on show (null: the server's, or none)
let tick = null;

function figureBox(name, value) {
  return h("div", { class: "patrol-figure", "data-figure": name }, h("div", { class: "value" }, value), h("div", { class: "name" }, t(`patrol_${name}`)));
}

/** The running patrol's live summary (time, distance, visits, problems), from what the phone holds. */
function showLive() {
  const p = patrolStore.running();
  const live = $("#patrol-live");
  if (!p || live.hidden) return;
  $("#patrol-title").textContent = t("patrol_running", p.grid.name);
  $("#patrol-figures").replaceChildren(
    figureBox("time", clock(Date.now() - new Date(p.started_at))),
    figureBox("distance", distanceText(trackMetres(p.points))),
    figureBox("visits", String(p.visits.length)),
    figureBox("found", String(p.found)),
    figureBox("fixed", String(p.fixed)));
  if (!$("#patrol-gps").classList.contains("error") || lastFix) {
    say($("#patrol-gps"), p.points.length ? t("patrol_gps", p.points.length, lastFix && lastFix.accuracy !== null ? lastFix.accuracy : "—") : t("patrol_gps_wait"));
  }
  const waiting = unsent(p);
  say($("#patrol-sync"), p.error || (waiting ? (navigator.onLine ? t("patrol_unsent", waiting) : t("patrol_offline_kept")) : t("patrol_all_sent")), p.error ? "error" : "");
  $("#patrol-visits").replaceChildren(...p.visits.slice().reverse().map((v) => h("li", { "data-sent": String(!!v.sent) },
    h("strong", {}, t(`patrol_kind_${v.kind}`)), v.note ? ` · ${v.note}` : "", h("span", { class: "muted" }, ` · ${timeText(v.at)}`),
    v.micro_grid ? h("span", { class: "muted" }, ` · ${v.micro_grid.name}`) : null,
    v.sent ? null : h("span", { class: "warn" }, ` · ${t("patrol_not_sent")}`))));
}

/** Which of the three panels shows: choosing where to patrol, the running patrol, or an ended one's summary. */
function showPatrolView() {
  const running = patrolStore.running();
  $("#patrol-idle").hidden = !!running || !!shownPatrol;
  $("#patrol-live").hidden = !running;
  $("#patrol-done").hidden = !!running || !shownPatrol;
  clearInterval(tick);
  if (running) {
    tick = setInterval(showLive, 1000);
    showLive();
  } else if (shownPatrol) {
    const local = patrolStore.all().find((p) => p.key === shownPatrol);
    if (local) showSummary(localSummary(local), true);
  } else {
    loadStarts();
    loadPastPatrols();
  }
  showPatrolBanner();
}

/** A patrol as the phone knows it, in the API's shape (shown while its parts wait to be uploaded). */
function localSummary(p) {
  return {
    id: p.id, grid: p.grid, state: p.ended_at ? "ended" : "running", started_at: p.started_at, ended_at: p.ended_at,
    minutes: Math.round((new Date(p.ended_at || Date.now()) - new Date(p.started_at)) / 60000), metres: Math.round(trackMetres(p.points)),
    visits: p.visits, problems_found: p.found, fixed_on_the_spot: p.fixed, problems: [],
    track: p.points.map(({ lat, lng, at }) => ({ lat, lng, at })), track_thinned: false,
  };
}

/** An ended patrol's summary: the server's when it has all of it, else the phone's. */
async function showSummary(patrol, local = false) {
  const visits = Array.isArray(patrol.visits) ? patrol.visits : [];
  const count = Array.isArray(patrol.visits) ? patrol.visits.length : patrol.visits;
  $("#patrol-summary-note").textContent = local ? t("patrol_waiting_upload") : "";
  // h() drops what is absent and flattens the lists (replaceChildren would write "null").
  $("#patrol-summary").replaceChildren(h("div", {},
    h("dl", {},
      h("dt", {}, t("patrol_grid")), h("dd", { id: "summary-grid" }, patrol.grid.name),
      h("dt", {}, t("patrol_started_at")), h("dd", {}, timeText(patrol.started_at)),
      h("dt", {}, t("patrol_ended_at")), h("dd", {}, patrol.ended_at ? timeText(patrol.ended_at) : t("patrol_state_running"))),
    h("div", { class: "patrol-figures" },
      figureBox("time", durationText(patrol.minutes)), figureBox("distance", distanceText(patrol.metres)),
      figureBox("visits", String(count)), figureBox("found", String(patrol.problems_found)), figureBox("fixed", String(patrol.fixed_on_the_spot))),
    patrol.track_thinned ? h("p", { class: "muted" }, t("patrol_thinned")) : null,
    h("div", { id: "patrol-map", class: "map small", hidden: true }),
    visits.length ? [h("h3", {}, t("patrol_visit_list")), h("ul", { class: "plain-list" }, ...visits.map((v) => h("li", {},
      h("strong", {}, t(`patrol_kind_${v.kind}`)), v.note ? ` · ${v.note}` : "", h("span", { class: "muted" }, ` · ${timeText(v.at)}`),
      v.micro_grid ? h("span", { class: "muted" }, ` · ${v.micro_grid.name}`) : null)))] : null,
    (patrol.problems || []).length ? [h("h3", {}, t("patrol_problems")), h("ul", { class: "plain-list" }, ...patrol.problems.map((c) => h("li", {},
      h("span", { translate: "no" }, c.tracking_code), ` · ${categoryText(categories, c.category)} · `, stateText(c.state),
      c.fixed_on_the_spot ? ` · ${t("patrol_fixed")}` : "")))] : null));
  if ((patrol.track || []).length) {
    await trackMap($("#patrol-map"), patrol.track, visits, gridNodes, { tenant: session.tenant, visitTitle: visitText }).catch(() => {});
  }
}

/** Opens a patrol of mine from the server (the summary after the end, or one from the list). */
async function openPatrol(id) {
  try {
    const patrol = await session.call("GET", `/patrols/${id}`);
    shownPatrol = null;
    $("#patrol-idle").hidden = true;
    $("#patrol-live").hidden = true;
    $("#patrol-done").hidden = false;
    $("#patrol-done").dataset.id = id;
    await showSummary(patrol);
  } catch (error) {
    say($("#patrol-status"), error.message, "error");
  }
}

/** Where a patrol may start: today's grid days (sign in to a grid), and my own grids (grid workers). */
async function loadStarts() {
  let days;
  try {
    ({ items: days } = await session.call("GET", "/grid-days/mine"));
    localStorage.setItem(`grid-days:${session.tenant}`, JSON.stringify(days));
  } catch (error) {
    days = JSON.parse(localStorage.getItem(`grid-days:${session.tenant}`) || "[]"); // offline: the last list seen
  }
  const today = localDate();
  const todays = days.filter((d) => d.date === today);
  const coming = days.filter((d) => d.date > today);
  const start = (grid, dayId) => h("button", { type: "button", class: "big", "data-grid": grid.id, onclick: () => beginPatrol(grid, dayId) },
    dayId ? t("patrol_sign_in", grid.name) : grid.name);
  $("#grid-days").replaceChildren(...(todays.length
    ? todays.map((d) => h("div", { class: "grid-day", "data-day": d.id }, h("h4", {}, d.title),
      d.my_patrol_id ? h("p", { class: "ok" }, t("patrol_signed_in")) : null,
      h("div", { class: "big-choices" }, ...d.grids.map((g) => start(g, d.id)))))
    : [h("p", { class: "muted" }, t("patrol_no_days"))]),
  ...(coming.length ? [h("div", { class: "muted" }, h("h4", {}, t("patrol_coming_days")),
    h("ul", {}, ...coming.map((d) => h("li", {}, t("patrol_day_title", d.date, d.title)))))] : []));
  const mine = session.role === "volunteer" ? [] : (session.data.grids || []);
  $("#patrol-mine").hidden = session.role === "volunteer";
  $("#patrol-grids").replaceChildren(...(mine.length ? mine.map((g) => start(g, null)) : [h("p", { class: "muted" }, t("patrol_no_grids"))]));
}

async function loadPastPatrols() {
  const list = $("#past-patrols");
  try {
    const { items } = await session.call("GET", "/patrols");
    list.replaceChildren(...(items.length ? items.map((p) => h("li", {},
      h("button", { type: "button", class: "link", "data-patrol": p.id, onclick: () => openPatrol(p.id) },
        t("patrol_row", timeText(p.started_at), p.grid.name, p.state === "running" ? t("patrol_state_running") : durationText(p.minutes),
          p.visits, p.problems_found, p.fixed_on_the_spot), " · ", distanceText(p.metres))))
      : [h("li", { class: "muted" }, t("patrol_none"))]));
  } catch (error) {
    if (error.status !== 0) say($("#patrol-status"), error.message, "error");
  }
}

// ---- visits ----
function openVisitForm() {
  const form = $("#visit-form");
  form.hidden = false;
  form.elements.place.disabled = !hereNow();
  form.elements.place.checked = !!hereNow();
  form.elements.kind[0].focus();
}
$("#add-visit").addEventListener("click", openVisitForm);
$("#visit-cancel").addEventListener("click", () => { $("#visit-form").reset(); $("#visit-form").hidden = true; });
$("#visit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  const running = patrolStore.running();
  if (!running) return;
  const data = new FormData(form);
  const visit = {
    client_id: newClientId("v"), kind: data.get("kind"), note: (data.get("note") || "").trim(),
    place: data.get("place") === "on" && hereNow() ? { lat: hereNow().latitude, lng: hereNow().longitude } : null, micro_grid_id: null,
    at: new Date().toISOString(), sent: false,
  };
  patrolStore.update(running.key, (p) => p.visits.push(visit));
  form.reset();
  form.hidden = true;
  say($("#patrol-status"), t("patrol_visit_saved"), "ok");
  showLive();
  syncPatrols(true);
});

// ---- problems found: the report form, linked to the patrol ----
/** Where the phone is now: the last position heard, else the track's last point (after a reload). */
function hereNow() {
  const running = patrolStore.running();
  const last = lastFix || (running && running.points[running.points.length - 1]);
  return last ? { latitude: last.lat, longitude: last.lng } : null;
}
// The report form opens with the place where the problem was found: here (worker.js's showPick names its grid).
$("#found-problem").addEventListener("click", () => {
  showTab("report");
  const here = hereNow();
  if (!here) return;
  if (gridMapHandle) gridMapHandle.setPlace(here);
  showPick({ ...here, ...findPlace(gridNodes, here) }, "you_are_at");
});
$("#back-to-patrol").addEventListener("click", () => showTab("patrol"));
function showPatrolBanner() {
  const running = session.valid && patrolStore.running();
  $("#patrol-banner").hidden = !running;
  if (running) $("#patrol-banner-text").textContent = t("patrol_problem_banner", running.grid.name);
}
// worker.js tells when a report is queued (counted on its patrol at once, sent or not) and when one is sent.
document.addEventListener("report-queued", (event) => {
  const { patrol_key: key, report } = event.detail;
  if (!key) return;
  patrolStore.update(key, (p) => { p.found += 1; if (report.fixed_on_the_spot) p.fixed += 1; });
  showTab("patrol");
  showLive();
  say($("#patrol-status"), t("patrol_problem_saved"), "ok");
});
document.addEventListener("report-sent", (event) => {
  if (!$("#tab-patrol").hidden && event.detail.tracking_code) say($("#patrol-status"), t("patrol_problem_sent", event.detail.tracking_code), "ok");
});

// ---- ending ----
$("#end-patrol").addEventListener("click", () => { $("#end-confirm").hidden = false; $("#end-patrol").hidden = true; $("#end-yes").focus(); });
$("#end-keep").addEventListener("click", () => { $("#end-confirm").hidden = true; $("#end-patrol").hidden = false; });
$("#end-yes").addEventListener("click", () => { $("#end-confirm").hidden = true; $("#end-patrol").hidden = false; endPatrol(); });
$("#patrol-close").addEventListener("click", () => { shownPatrol = null; delete $("#patrol-done").dataset.id; showPatrolView(); });

/** Called by worker.js once signed in (and after a sign-out): the patrol tab, and a volunteer sees nothing else. */
function startPatrol() {
  stopTrack();
  if (!session.valid) return;
  const volunteer = session.role === "volunteer";
  for (const tab of ["report", "mine", "grids"]) $(`#go-${tab}`).hidden = volunteer;
  shownPatrol = null;
  // A patrol running when the page was closed or reloaded goes on where it was.
  if (patrolStore.running()) watchTrack();
  if (volunteer || patrolStore.running()) showTab("patrol");
  // The lists behind the tab are asked for when it opens (a worker who only reports never waits for them).
  if (!$("#tab-patrol").hidden) showPatrolView();
  else showPatrolBanner();
  syncPatrols();
}
$("#go-patrol").addEventListener("click", () => showPatrolView());
window.addEventListener("online", () => syncPatrols(true));
setInterval(() => { if (navigator.onLine && session.valid) syncPatrols(); }, 20000);
onLang(() => { if (session.valid && !$("#tab-patrol").hidden) { if ($("#patrol-done").dataset.id) openPatrol($("#patrol-done").dataset.id); else showPatrolView(); } });
