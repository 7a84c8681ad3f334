// Browser scenarios for patrols and grid days (docs/patrols.md), run by
// tests/e2e/browser_patrols.rs against the app with the demo tenant. The
// phone's position is Playwright's (context.setGeolocation), moved along a
// street; the network is taken away and given back (context.setOffline);
// no request may leave the machine (tiles, were any set, would come from
// the local fixture). A grid worker walks a patrol in the worker app:
// positions, a visit, a problem fixed on the spot, offline and back (a
// track piece whose answer is lost is sent again unchanged), a reload
// mid-patrol, the end, and the summary the page shows is the API's. A
// volunteer signs in to a grid of today's grid day and patrols, seeing
// nothing of cases. The admin schedules a grid day and sets the track
// retention; the dashboard shows the on-the-spot rate and the coverage map;
// the command centre opens the patrol's track. Screenshots at 390 and 1280
// px. Environment: BASE_URL, OUT_DIR, CHROMIUM.
import assert from "node:assert/strict";
import { accessible, apiCall, browser, leaks, noEnglish, openHermetic, out, people, photo, shoot, signIn, step } from "./lib.mjs";

const open = openHermetic;
const api = apiCall;
const login = async ([name, password]) => (await api("POST", "/auth/login", { body: { login: name, password } })).token;
const admin = await login(people.admin);
const centre = await login(people.centre);
const worker = await login(people.worker);
const volunteer = await login(people.volunteer); // the demo's 志愿者李华

const grid = await api("GET", "/admin/grid?geometry=true");
const flat = [];
(function walk(nodes) { for (const n of nodes) { flat.push(n); walk(n.children || []); } })(grid.nodes);
/** The middle of a node's shape's box. */
const middle = (node) => {
  const ring = node.geometry.coordinates[0];
  const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
  return { latitude: (Math.min(...ys) + Math.max(...ys)) / 2, longitude: (Math.min(...xs) + Math.max(...xs)) / 2 };
};
/** `from` moved `metres` east and a third of that north (along a street that bends). */
const east = (from, metres) => ({ latitude: from.latitude + metres / 3 / 110574, longitude: from.longitude + metres / (111320 * Math.cos((from.latitude * Math.PI) / 180)) });
/** Walks east in steps of `metres`, a step each 1.2 s (a brisk walk would be slower; the server counts up to 150 km/h). */
async function walk(context, from, steps, metres = 12) {
  let at = from;
  for (let i = 0; i < steps; i++) {
    at = east(at, metres);
    await context.setGeolocation({ ...at, accuracy: 8 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
  }
  return at;
}
const figure = (page, name, root = "#patrol-figures") => page.textContent(`${root} [data-figure=${name}] .value`);
const localDay = () => new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10); // Asia/Shanghai, the demo's

const me = await api("GET", "/auth/me", { token: worker });
const myGrid = me.grids.find((g) => flat.find((n) => n.id === g.id && n.geometry));
assert.ok(myGrid, `the demo worker holds a grid with a shape: ${JSON.stringify(me.grids)}`);
const start = middle(flat.find((n) => n.id === myGrid.id));

// ---- 1. a grid worker walks a patrol ----
step("worker: start a patrol on my grid");
let patrolId;
{
  const { context, page } = await open("phone", "/worker/", { geolocation: { ...start, accuracy: 8 }, permissions: ["geolocation"] });
  await signIn(page, people.worker);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.click("#go-patrol");
  await page.waitForSelector(`#patrol-grids button[data-grid="${myGrid.id}"]`);
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "patrol-start-phone");
  const started = page.waitForResponse((r) => r.url().endsWith("/patrols") && r.request().method() === "POST");
  await page.click(`#patrol-grids button[data-grid="${myGrid.id}"]`);
  assert.equal((await started).status(), 201, "the patrol starts on the server");
  await page.waitForSelector("#patrol-live:not([hidden])");
  assert.match(await page.textContent("#patrol-title"), new RegExp(myGrid.name));

  step("worker: walk; the live summary counts the distance");
  let at = await walk(context, start, 6);
  await page.waitForFunction(() => /米|公里/.test(document.querySelector("#patrol-figures [data-figure=distance] .value").textContent)
    && !/^0 米$/.test(document.querySelector("#patrol-figures [data-figure=distance] .value").textContent));
  const points = await page.evaluate(() => patrolStore.running().points.length);
  assert.ok(points >= 4, `the track records the walk: ${points} points`);

  step("worker: a visit to a company");
  await page.click("#add-visit");
  await page.check("#visit-form [name=kind][value=company]");
  await page.fill("#visit-form [name=note]", "走访金山便利店，了解经营情况");
  await page.click("#visit-form button[type=submit]");
  assert.equal(await figure(page, "visits"), "1");

  step("worker: a problem found and fixed on the spot");
  await page.click("#found-problem");
  await page.waitForSelector("#tab-report:not([hidden]) #patrol-banner:not([hidden])");
  assert.match(await page.textContent("#patrol-banner"), /巡查中发现的问题/);
  assert.match(await page.textContent("#place"), new RegExp(`您在：.*${myGrid.name}`), "the problem's place is where the phone is");
  await page.waitForSelector("#categories label");
  await page.click("#categories label:has-text('路灯故障')");
  await page.fill("#report-form [name=description]", "巡查发现：路灯不亮，已复位开关");
  await page.check("#report-form [name=fixed_on_the_spot]");
  await page.setInputFiles("#report-form [name=photo]", photo("lamp.png"));
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#tab-patrol:not([hidden]) #patrol-live:not([hidden])");
  assert.equal(await figure(page, "found"), "1");
  assert.equal(await figure(page, "fixed"), "1");
  await page.waitForFunction(() => /问题已上报/.test(document.querySelector("#patrol-status").textContent), null, { timeout: 15000 });
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "patrol-live-phone");

  step("worker: offline, the walk and a visit stay on the phone");
  patrolId = await page.evaluate(() => patrolStore.running().id);
  assert.ok(patrolId, "the patrol has its server id");
  await context.setOffline(true);
  at = await walk(context, at, 3);
  await page.click("#add-visit");
  await page.check("#visit-form [name=kind][value=building]");
  await page.fill("#visit-form [name=note]", "3号楼楼道堆物已劝离");
  await page.click("#visit-form button[type=submit]");
  assert.equal(await figure(page, "visits"), "2");
  await page.waitForFunction(() => /离线/.test(document.querySelector("#patrol-sync").textContent));
  await shoot(page, "patrol-offline-phone");

  // Back online, the first track piece to go up reaches the server but its
  // answer is lost: the page must send that piece again, unchanged.
  const pieces = [];
  let lost;
  const answerLost = new Promise((resolve) => { lost = resolve; });
  await context.route("**/api/t/demo/patrols/*/track/*", async (route) => {
    pieces.push({ url: route.request().url(), body: route.request().postData() });
    if (pieces.length > 1) return route.continue();
    await route.fetch();
    await route.abort("connectionreset");
    lost();
  });
  step("worker: back online (a piece's answer lost), everything goes up");
  await context.setOffline(false);
  await answerLost;
  // The phone walks on before it tries again: the piece it retries must not take the new point.
  at = await walk(context, at, 1);
  await context.setOffline(true);
  await context.setOffline(false); // the next "online" retries
  await page.waitForFunction(() => /已全部上传/.test(document.querySelector("#patrol-sync").textContent), null, { timeout: 45000 });
  const again = pieces.filter((p) => p.url === pieces[0].url);
  assert.ok(again.length >= 2, `the piece whose answer was lost went again: ${pieces.map((p) => p.url)}`);
  assert.ok(again.every((p) => p.body === again[0].body), "the same piece carries the same points each time");
  await context.unroute("**/api/t/demo/patrols/*/track/*");

  step("worker: a reload mid-patrol keeps the patrol running");
  await page.reload();
  await page.waitForSelector("#tab-patrol:not([hidden]) #patrol-live:not([hidden])");
  assert.equal(await figure(page, "visits"), "2");
  assert.equal(await figure(page, "found"), "1");
  assert.equal(await figure(page, "fixed"), "1");
  const before = await page.evaluate(() => patrolStore.running().points.length);
  at = await walk(context, at, 3);
  await page.waitForFunction((n) => patrolStore.running().points.length > n, before);

  step("worker: end the patrol; the summary is the API's");
  await page.click("#end-patrol");
  await page.click("#end-yes");
  await page.waitForSelector(`#patrol-done[data-id="${patrolId}"]:not([hidden])`, { timeout: 30000 });
  const patrol = await api("GET", `/patrols/${patrolId}`, { token: worker });
  assert.equal(patrol.state, "ended");
  assert.equal(patrol.visits.length, 2, JSON.stringify(patrol.visits));
  assert.equal(patrol.problems_found, 1, JSON.stringify(patrol.problems));
  assert.equal(patrol.fixed_on_the_spot, 1, JSON.stringify(patrol.problems));
  assert.ok(patrol.metres > 100, `the walk counts: ${patrol.metres} m`);
  const shown = Object.fromEntries(await page.$$eval("#patrol-summary [data-figure]", (all) => all.map((f) => [f.dataset.figure, f.querySelector(".value").textContent])));
  const km = patrol.metres >= 1000 ? `${(patrol.metres / 1000).toFixed(2)} 公里` : `${Math.round(patrol.metres)} 米`;
  assert.deepEqual(shown, {
    time: patrol.minutes >= 60 ? `${Math.floor(patrol.minutes / 60)} 小时 ${patrol.minutes % 60} 分` : `${patrol.minutes} 分钟`,
    distance: km, visits: "2", found: "1", fixed: "1",
  });
  assert.ok(patrol.track.length >= points + 3, `the whole track reached the server: ${patrol.track.length} points`);
  await page.waitForSelector("#patrol-map path.track", { state: "attached" });
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "patrol-summary-phone");
  await page.click("#patrol-close");
  await page.waitForSelector(`#past-patrols [data-patrol="${patrolId}"]`);
  await noEnglish(page);
  await shoot(page, "patrol-list-phone");
  await context.close();
}

step("worker: the patrol's summary at desktop width");
{
  const { context, page } = await open("desktop", "/worker/");
  await signIn(page, people.worker);
  await page.click("#go-patrol");
  await page.click(`#past-patrols [data-patrol="${patrolId}"]`);
  await page.waitForSelector(`#patrol-done[data-id="${patrolId}"]:not([hidden]) #patrol-map path.track`, { state: "attached" });
  await noEnglish(page);
  await shoot(page, "patrol-summary-desktop");
  await page.click("#lang");
  await page.waitForSelector("html[lang=en]");
  assert.match(await page.textContent("#patrol-done"), /Patrol summary/);
  await context.close();
}

// ---- 2. a volunteer signs in to a grid of today's grid day ----
step("volunteer: today's grid day");
const today = localDay();
let day = (await api("GET", "/grid-days/mine", { token: volunteer })).items.find((d) => d.date === today);
if (!day) {
  // The demo's grid day is another day: one for today, through the API.
  const volunteerId = (await api("GET", "/auth/me", { token: volunteer })).subject;
  const made = await api("POST", "/grid-days", { token: admin, body: { date: today, title: "周三网格日（测试）", grid_ids: [myGrid.id], member_ids: [Number(volunteerId)] } });
  day = (await api("GET", "/grid-days/mine", { token: volunteer })).items.find((d) => d.id === made.id);
}
assert.ok(day && day.grids.length, `a grid day today for the volunteer: ${JSON.stringify(day)}`);
const dayGrid = day.grids[0];
let volunteerPatrol;
{
  const node = flat.find((n) => n.id === dayGrid.id && n.geometry);
  const from = node ? middle(node) : start;
  const { context, page } = await open("phone", "/worker/", { geolocation: { ...from, accuracy: 10 }, permissions: ["geolocation"] });
  await signIn(page, people.volunteer);
  await page.waitForSelector("#tab-patrol:not([hidden])");
  for (const tab of ["report", "mine", "grids"]) assert.ok(await page.isHidden(`#go-${tab}`), `a volunteer has no ${tab} tab`);
  await page.waitForSelector(`#grid-days [data-day="${day.id}"] button[data-grid="${dayGrid.id}"]`);
  assert.ok(await page.isHidden("#patrol-mine"), "a volunteer patrols only on grid days");
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "patrol-volunteer-phone");
  step("volunteer: signs in without a signal; the patrol starts on the server when it returns");
  await context.setOffline(true);
  await page.click(`#grid-days [data-day="${day.id}"] button[data-grid="${dayGrid.id}"]`);
  await page.waitForSelector("#patrol-live:not([hidden])");
  assert.match(await page.textContent("#patrol-status"), /离线/);
  await walk(context, from, 4);
  await page.click("#add-visit");
  await page.fill("#visit-form [name=note]", "入户听取意见：楼下路灯太暗");
  await page.click("#visit-form button[type=submit]");
  const startedAt = await page.evaluate(() => patrolStore.running().started_at);
  assert.equal(await page.evaluate(() => patrolStore.running().id), null, "no id without a signal");
  await context.setOffline(false);
  await page.waitForFunction(() => patrolStore.running() && patrolStore.running().id);
  const onServer = await api("GET", `/patrols/${await page.evaluate(() => patrolStore.running().id)}`, { token: volunteer });
  assert.equal(new Date(onServer.started_at).getTime(), new Date(startedAt).getTime(), "it started when the volunteer signed in, not when the signal came");
  assert.equal(onServer.grid_day_id, day.id);
  volunteerPatrol = await page.evaluate(() => patrolStore.running().id);
  await page.click("#end-patrol");
  await page.click("#end-yes");
  await page.waitForSelector(`#patrol-done[data-id="${volunteerPatrol}"]:not([hidden])`, { timeout: 30000 });
  assert.equal(await figure(page, "visits", "#patrol-summary"), "1");
  await noEnglish(page);
  await shoot(page, "patrol-volunteer-summary-phone");
  await context.close();
}
const signedDay = await api("GET", `/grid-days/${day.id}`, { token: admin });
assert.ok(signedDay.members.some((m) => m.signed_in), `the volunteer is signed in: ${JSON.stringify(signedDay.members)}`);
assert.ok(signedDay.totals.visits >= 1, JSON.stringify(signedDay.totals));

// ---- 3. the admin schedules a grid day and sets the track retention ----
step("admin: schedule a grid day");
const next = new Date(Date.now() + 8 * 3600000 + 7 * 86400000).toISOString().slice(0, 10);
for (const kind of ["desktop", "phone"]) {
  const { context, page } = await open(kind, "/admin.html");
  await signIn(page, people.admin);
  await page.click("#s-grid_days");
  await page.waitForSelector("#grid-day-form");
  if (kind === "desktop") {
    await page.fill("#grid-day-form [name=date]", next);
    await page.fill("#grid-day-form [name=title]", "下周三网格日");
    await page.check(`#grid-day-form [name=grid_ids][value="${myGrid.id}"]`);
    await page.check(`#grid-day-form [name=member_ids][value="${me.subject}"]`);
    await page.click("#grid-day-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#section-status").textContent === "网格日已保存");
    await page.waitForSelector("#grid-days tbody tr:has-text('下周三网格日')");
    step("admin: the day signed in shows who went");
    await page.click(`#grid-days [data-edit="${day.id}"]`);
    await page.waitForSelector(`#grid-day-form[data-editing="${day.id}"]`);
    assert.match(await page.textContent("#gd-members"), /已签到/);
    await page.click("#grid-day-form button[type=button]");
    step("admin: the track retention");
    await page.waitForSelector('#grid-day-form[data-editing=""]'); // drawn again, not editing
    await page.fill("#retention-form [name=track_retention_days]", "90");
    await page.click("#retention-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector("#section-status").textContent === "保存期限已设置");
  }
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `patrol-admin-${kind}`);
  await context.close();
}
const scheduled = (await api("GET", `/grid-days?from=${next}&to=${next}`, { token: admin })).items.find((d) => d.title === "下周三网格日");
assert.ok(scheduled, "the admin's grid day is on the API");
assert.deepEqual(scheduled.grids.map((g) => g.id), [myGrid.id]);
assert.equal((await api("GET", "/admin/patrol-settings", { token: admin })).track_retention_days, 90);

// ---- 4. the dashboard: the on-the-spot rate and the coverage map ----
step("dashboard: the on-the-spot rate and coverage");
const figures = await api("GET", "/patrols/figures", { token: centre });
const coverage = await api("GET", "/patrols/coverage", { token: centre });
assert.ok(figures.problems_found >= 1 && figures.on_the_spot_rate !== null, JSON.stringify(figures));
for (const kind of ["desktop", "phone"]) {
  const { context, page } = await open(kind, "/dashboard.html");
  await signIn(page, people.centre);
  await page.waitForSelector("#patrol-cards [data-figure=on_the_spot_rate]");
  const rate = `${Math.round(figures.on_the_spot_rate * 1000) / 10}%`;
  assert.equal(await page.textContent("#patrol-cards [data-figure=on_the_spot_rate] .value"), rate);
  assert.equal(await page.textContent("#coverage-cards [data-figure=cov_not_7] .value"), String(coverage.not_visited_7));
  assert.equal(await page.textContent("#coverage-cards [data-figure=cov_not_30] .value"), String(coverage.not_visited_30));
  assert.ok(coverage.not_visited_7 < coverage.micro_grids, "the patrol's micro-grid counts as visited");
  await page.waitForSelector("#coverage-map canvas");
  const drawn = await page.evaluate(() => {
    const option = echarts.getInstanceByDom(document.querySelector("#coverage-map")).getOption();
    return { legend: option.visualMap[0].pieces.map((p) => p.label), values: option.series[0].data.map((d) => d.value) };
  });
  assert.deepEqual(drawn.legend, ["7 天内", "7–30 天", "30 天以上", "从未巡查"]);
  assert.ok(drawn.values.includes(0), "a micro-grid visited this week is drawn so");
  assert.equal(await page.locator("#coverage-late li[data-class]").count(), Math.min(coverage.not_visited_7, 30), "the micro-grids to visit are listed");
  assert.match(await page.textContent("#patrol-people"), new RegExp(me.display_name));
  await page.locator("#patrols-section").scrollIntoViewIfNeeded();
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `patrol-dashboard-${kind}`);
  await page.locator("#patrols-section").screenshot({ path: `${out}/patrol-dashboard-section-${kind}.png` });
  await context.close();
}

// ---- 5. the command centre opens the patrol's track ----
step("centre: a patrol's track and visits on the map");
for (const kind of ["desktop", "phone"]) {
  const { context, page } = await open(kind, "/patrols.html");
  await signIn(page, people.centre);
  await page.waitForSelector(`#patrols tr[data-patrol="${patrolId}"]`);
  await page.click(`#patrols tr[data-patrol="${patrolId}"] td:nth-child(2)`);
  await page.waitForSelector("#track-map path.track", { state: "attached" });
  assert.equal(await page.locator("#track-map path.visit-dot").count(), 2, "both visits had a place");
  assert.equal(await page.locator("#visits li").count(), 2);
  assert.match(await page.textContent("#problems"), /当场解决/);
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `patrol-track-${kind}`);
  await context.close();
}

assert.deepEqual(leaks, [], "no request left the machine");
await browser.close();
