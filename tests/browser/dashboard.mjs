// Browser scenarios for the command centre's dashboard (dashboard.html),
// run by tests/e2e/browser_dashboard.rs against the app with the demo
// tenant and one report sent with no place. The charts are ECharts
// instances: their options must hold the API's figures. The grid tables
// end with the 未定位 row and a total, and add up to the figures' count.
// Environment: BASE_URL, OUT_DIR (screenshots and
// page-sizes-dashboard.json), CHROMIUM. Exits non-zero at the first failed
// expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { accessible, browser, noEnglish, open, out, people, recordSizes, shoot, signIn, step } from "./lib.mjs";

/** The page's own API answer for `rest` (under the tenant), with the session it keeps. */
async function apiAnswer(page, rest) {
  return page.evaluate(async (rest) => {
    const { token, tenant } = JSON.parse(localStorage.getItem("session:console"));
    const response = await fetch(`/api/t/${tenant}${rest}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${rest}: ${response.status}`);
    return response.json();
  }, rest);
}

/** What the ECharts instance in `selector` was given to draw. */
const chartOption = (page, selector) => page.evaluate((selector) => {
  const chart = echarts.getInstanceByDom(document.querySelector(selector));
  if (!chart) return null;
  const option = chart.getOption();
  return {
    categories: option.xAxis?.[0]?.data,
    series: option.series.map((s) => ({ name: s.name, type: s.type, map: s.map, data: s.data })),
    pieces: option.visualMap?.[0]?.pieces?.map((p) => p.label),
    width: chart.getWidth(),
  };
}, selector);

/** A grid table's rows: what each says, by the row's kind (`data-row`). */
const tableRows = (page, selector) => page.$$eval(`${selector} tr`, (rows) => rows.map((tr) => ({
  kind: tr.dataset.row || "grid",
  cells: [...tr.cells].map((td) => td.textContent.trim()),
})));

/** The sum of a grid table's rows before its total, and its total. */
function sums(rows, column) {
  const total = rows.find((r) => r.kind === "total");
  const counted = rows.filter((r) => r.kind !== "total").reduce((n, r) => n + Number(r.cells[column]), 0);
  return { counted, total: Number(total.cells[column]) };
}

async function waitForCharts(page) {
  await page.waitForSelector("[data-figure=received]");
  await page.waitForSelector("#trend canvas");
  await page.waitForSelector("#hotmap canvas");
  await page.waitForSelector("#ranking tr[data-row=total]");
  await page.waitForSelector("#grids tr[data-row=total]");
}

const policyViolations = [];
async function signedIn(kind) {
  const { context, page } = await open(kind, "/dashboard.html");
  page.on("console", (message) => { if (/Content Security Policy|Refused to/.test(message.text())) policyViolations.push(message.text()); });
  await signIn(page, people.centre);
  await waitForCharts(page);
  return { context, page };
}

// ---- 1. the charts draw the API's figures ----
step("centre: the trend and the hot-spot map hold the API's figures");
{
  const { context, page } = await signedIn("desktop");
  const figures = await apiAnswer(page, "/dashboard/figures");
  const spots = await apiAnswer(page, "/dashboard/hotspots");
  const received = Number(await page.textContent("[data-figure=received] .value"));
  assert.equal(received, figures.totals.received, "the card shows the figures' count");
  assert.ok(received >= 4, `the demo's three reports and the one with no place: ${received}`);

  const trend = await chartOption(page, "#trend");
  assert.ok(trend, "the trend is an ECharts chart");
  assert.deepEqual(trend.series.map((s) => [s.type, s.name]), [["bar", "受理"], ["bar", "办结"]], "received and closed, named in Chinese");
  assert.equal(trend.categories.length, 30, "every day of the last 30, with its date on the axis");
  const start = (date) => date.slice(5);
  for (const point of figures.series) {
    const at = trend.categories.indexOf(start(point.start));
    assert.ok(at >= 0, `${point.start} is on the axis`);
    assert.equal(trend.series[0].data[at], point.received, `received on ${point.start}`);
    assert.equal(trend.series[1].data[at], point.closed, `closed on ${point.start}`);
  }
  const total = (s) => s.data.reduce((n, v) => n + v, 0);
  assert.equal(total(trend.series[0]), figures.totals.received, "the bars add up to the figures");
  assert.ok(trend.width > 900, `the trend spans the page (${trend.width} px)`);

  const map = await chartOption(page, "#hotmap");
  assert.ok(map, "the hot-spot map is an ECharts chart");
  assert.equal(map.series[0].type, "map");
  const drawn = spots.features.filter((f) => f.geometry).map((f) => ({ name: f.properties.code, value: f.properties.received }));
  assert.ok(drawn.length >= 2, "the demo's grids have shapes");
  assert.deepEqual(map.series[0].data.map((d) => ({ name: d.name, value: d.value })), drawn, "each grid with its count");
  assert.ok(map.pieces.length >= 2 && map.pieces[0] === "0", `a legend of counts: ${map.pieces}`);

  // ---- 2. 未定位: the report with no place is a row of its own, and the rows add up ----
  step("centre: the 未定位 row, and the grid tables add up to the figures");
  const unplaced = spots.features.find((f) => f.properties.unplaced);
  assert.ok(unplaced && unplaced.geometry === null, "the API's hot spots end with the unplaced feature");
  assert.ok(unplaced.properties.received >= 1, "the report with no place counts there");
  const ranking = await tableRows(page, "#ranking tbody");
  const row = ranking.find((r) => r.kind === "unplaced");
  assert.ok(row, "the ranking has a 未定位 row");
  assert.deepEqual(row.cells.slice(1, 3), ["未定位", String(unplaced.properties.received)], "the ranking's 未定位 row");
  assert.deepEqual(sums(ranking, 2), { counted: received, total: received }, "the ranking adds up to the figures' count");
  const league = await tableRows(page, "#grids");
  assert.ok(league.some((r) => r.kind === "unplaced"), "the grid league has a 未定位 row");
  assert.equal(league.find((r) => r.kind === "unplaced").cells[2], String(unplaced.properties.received), "the grid league's 未定位 row");
  assert.deepEqual(sums(league, 2), { counted: received, total: received }, "the grid league adds up to the figures' count");
  assert.ok((await page.$$("#departments tr")).length >= 1, "the department league has rows");

  await accessible(page);
  await noEnglish(page);
  await shoot(page, "dashboard-charts-desktop");

  // ---- 3. a community: the figures, the map and the tables follow the filter ----
  step("centre: the figures of one community add up too");
  const community = await page.$eval("#filters [name=node]", (select) => [...select.options].find((o) => o.value && /社区|村/.test(o.text))?.value);
  assert.ok(community, "the grid choice lists a community");
  await page.selectOption("#filters [name=node]", community);
  await page.selectOption("#filters [name=by]", "week");
  await page.click("#filters button[type=submit]");
  await page.waitForFunction(() => echarts.getInstanceByDom(document.querySelector("#trend")).getOption().xAxis[0].data.length <= 6);
  await page.waitForSelector("#ranking tr[data-row=total]");
  const inCommunity = Number(await page.textContent("[data-figure=received] .value"));
  assert.ok(inCommunity < received, "the community holds fewer reports than the whole area");
  const communityRows = await tableRows(page, "#ranking tbody");
  assert.deepEqual(sums(communityRows, 2), { counted: inCommunity, total: inCommunity }, "the community's rows add up");
  assert.equal(communityRows.find((r) => r.kind === "unplaced").cells[2], "0", "the report with no place is in no community");

  // ---- 4. the grid table's CSV names the 未定位 row ----
  step("centre: the grid table's export");
  await page.selectOption("#filters [name=node]", "");
  await page.click("#filters button[type=submit]");
  await page.waitForFunction(() => document.querySelector("[data-figure=received] .value")?.textContent !== "");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-export=grids]")]);
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(csv, /^\uFEFFrank,code,name/, "CSV with a byte-order mark");
  assert.match(csv.trim().split("\n").at(-1), /,未定位,/, "the last row is 未定位");

  // ---- 5. the English switch: the charts and the tables in English, and back ----
  step("centre: the language switch redraws the charts");
  await page.click("#lang");
  await page.waitForSelector("html[lang=en]");
  await page.waitForFunction(() => echarts.getInstanceByDom(document.querySelector("#trend")).getOption().series[0].name === "Received");
  assert.equal((await tableRows(page, "#ranking tbody")).find((r) => r.kind === "unplaced").cells[1], "No place");
  assert.equal(await page.textContent("#figures-heading"), "Key figures");
  await shoot(page, "dashboard-english-desktop");
  await page.click("#lang");
  await page.waitForSelector("html[lang=zh-CN]");
  await page.waitForFunction(() => echarts.getInstanceByDom(document.querySelector("#trend")).getOption().series[0].name === "受理");
  await noEnglish(page);
  await context.close();
}

// ---- 6. on a phone: the charts fit, the tables wrap, nothing scrolls sideways ----
step("centre: the dashboard on a phone");
{
  const { context, page } = await signedIn("phone");
  const trend = await chartOption(page, "#trend");
  const map = await chartOption(page, "#hotmap");
  assert.ok(trend.width <= 390 && trend.width > 300, `the trend fits the phone (${trend.width} px)`);
  assert.ok(map.width <= 390 && map.width > 300, `the map fits the phone (${map.width} px)`);
  const tables = await page.$$eval("table.league", (all) => all.map((t) => ({ wide: t.scrollWidth, box: t.clientWidth, page: window.innerWidth })));
  for (const t of tables) assert.ok(t.wide <= t.box && t.box <= t.page, `a league table wraps on the phone: ${JSON.stringify(t)}`);
  await noEnglish(page);
  await shoot(page, "dashboard-charts-phone");
  // The two charts alone, at the phone's own scale, to look at closely.
  await page.locator("#trend").screenshot({ path: join(out, "dashboard-trend-phone.png") });
  await page.locator("#hotmap").screenshot({ path: join(out, "dashboard-map-phone.png") });
  await context.close();
}
assert.deepEqual(policyViolations, [], "ECharts draws within the content-security policy");

// ---- 7. the first load, ECharts included ----
step("dashboard: first load as transferred");
const sizes = await recordSizes("page-sizes-dashboard.json", [["/dashboard.html", people.centre]]);
for (const [path, s] of Object.entries(sizes)) {
  assert.ok(s.files.some((f) => f.startsWith("/vendor/echarts-")), `${path} loads ECharts: ${s.files}`);
}

await browser.close();
step("done");
