// Browser scenario for early warnings (预警, docs/warnings.md), run by
// tests/e2e/browser_warnings.rs against the app with the demo tenant:
// residents' reports and the scheduler's sweep raise three warnings (a
// recurring problem in each of two micro-grids, a repeat by the same
// phone); the dashboard counts the open ones by kind; the command centre
// opens the console's 预警 panel, reads each warning's kind, what and
// where and its cases, and handles each with a reason: 督办 (its cases'
// timelines say 预警督办), 知悉, 转为案件 (the root case in triage). At
// phone and desktop width, in Chinese with no English leaking, every
// control labelled; and in English. Environment: BASE_URL, OUT_DIR,
// CHROMIUM, OPERATOR_KEY.
import assert from "node:assert/strict";
import { join } from "node:path";
import { accessible, base, browser, noEnglish, open, out, people, shoot, signIn, step, tenant } from "./lib.mjs";

async function post(path, body, headers = {}) {
  const response = await fetch(`${base}/api/t/${tenant}${path}`, {
    method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  assert.ok(response.ok, `POST ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

step("residents report; the sweep raises three warnings");
// The demo's micro-grids are squares 0.004° wide from (120.151, 30.273):
// JK-01-G1-M1, JK-01-G1-M2 east of it; JK-02-G1-M1 from 120.161.
for (const [n, lon] of [120.1515, 120.1525, 120.1535, 120.1555, 120.1565, 120.1575].entries()) {
  await post("/reports", { category: "street_light", description: `路灯又不亮了（${n + 1}）`, latitude: 30.2745, longitude: lon, insist: true });
}
for (const text of ["楼下垃圾没人收", "垃圾还是没人收，第二次反映"]) {
  await post("/reports", { category: "garbage", description: text, latitude: 30.2745, longitude: 120.1625, phone: "139 0000 7777", insist: true });
}
const swept = await post("/cases/sweep", {}, { authorization: `Bearer ${process.env.OPERATOR_KEY}` });
assert.equal(swept.warnings.raised, 3, JSON.stringify(swept));

step("dashboard: the open warnings counted by kind, at both widths");
for (const kind of ["desktop", "phone"]) {
  const { page, context } = await open(kind, "/dashboard.html");
  await signIn(page, people.centre);
  await page.waitForSelector("#warning-counts .card");
  const counts = await page.$$eval("#warning-counts .card", (cards) => cards.map((c) => [c.dataset.kind, c.querySelector(".value").textContent]));
  assert.deepEqual(counts, [["recurring", "2"], ["repeat", "1"], ["late_risk", "0"]]);
  assert.equal(await page.getAttribute("#warning-counts .card", "href"), "/console.html#warnings");
  await page.waitForLoadState("networkidle");
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `dashboard-warnings-${kind}`);
  // The section alone, to look at (the whole dashboard is long).
  await page.locator("#warnings-section").screenshot({ path: join(out, `dashboard-warnings-section-${kind}.png`) });
  await context.close();
}

/** The console's 预警 panel, signed in as the command centre. */
async function panel(kind) {
  const opened = await open(kind, "/console.html");
  await signIn(opened.page, people.centre);
  await opened.page.click("#q-warnings");
  await opened.page.waitForSelector("#warning-list");
  return opened;
}

/** Opens the warning of `kind` in the list (the one whose row says `where`, if given) and waits for it. */
async function openWarning(page, kind, where) {
  const row = page.locator(`#warning-list tr[data-kind=${kind}]`, where ? { hasText: where } : {});
  const id = await row.getAttribute("data-id");
  await row.locator("a").click();
  await page.waitForSelector(`#warning[data-id="${id}"] #warning-cases li`);
}

step("console: the 预警 panel lists each warning's kind, what and where");
{
  const { page, context } = await panel("desktop");
  await page.waitForSelector("#warning-list tbody tr");
  const rows = await page.$$eval("#warning-list tbody tr", (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 3, rows.join("\n"));
  assert.match(rows.join(" "), /重复诉求.*垃圾.*同一来电人再次反映/);
  assert.match(rows.join(" "), /反复发生.*路灯.*30 天内同一微网格 3 件.*1号楼微网格/);
  assert.match(rows.join(" "), /2号楼微网格/);
  assert.equal(await page.getAttribute("#q-warnings", "aria-selected"), "true");
  assert.ok(await page.isHidden("#bulk"), "bulk dispatch is triage's, not the panel's");
  await noEnglish(page);
  await accessible(page);

  step("console: a repeat supervised (督办) with a reason; its cases' timelines say so");
  await openWarning(page, "repeat");
  assert.equal(await page.locator("#warning-cases li").count(), 2);
  assert.match(await page.textContent("#warning-facts"), /同一来电人/);
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "console-warnings-desktop");
  await page.fill("#warning-form [name=note]", "请环卫所两日内清运并回访");
  await page.click("#warning-form button[value=supervise]");
  await page.waitForSelector("#warning-result.ok");
  assert.match(await page.textContent("#warning-result"), /已督办 2 件/);
  assert.match(await page.textContent("#warning-handled"), /已督办 · 指挥中心值班员 · 请环卫所两日内清运并回访/);
  await page.locator("#warning-cases a").first().click();
  await page.waitForSelector("#timeline li[data-action=escalate]");
  const supervised = await page.textContent("#timeline li[data-action=escalate]");
  assert.match(supervised, /督办/);
  assert.match(supervised, /预警督办/);
  assert.match(supervised, /请环卫所两日内清运并回访/);
  await noEnglish(page);

  step("console: a recurring problem acknowledged, the other turned into a case in triage");
  await page.click("#q-warnings");
  await page.waitForSelector("#warning-list tbody tr");
  assert.equal(await page.locator("#warning-list tbody tr").count(), 2, "the handled one left the open list");
  await openWarning(page, "recurring", "1号楼微网格");
  await page.fill("#warning-form [name=note]", "已安排电工排查线路");
  await page.click("#warning-form button[value=acknowledge]");
  await page.waitForSelector("#warning-result.ok");
  assert.match(await page.textContent("#warning-handled"), /已知悉/);
  await page.waitForFunction(() => document.querySelectorAll("#warning-list tbody tr").length === 1);
  await openWarning(page, "recurring", "2号楼微网格");
  await page.fill("#warning-form [name=note]", "2号楼线路老化，整体更换");
  await page.click("#warning-form button[value=case]");
  await page.waitForSelector("#warning-result.ok");
  assert.match(await page.textContent("#warning-result"), /已转为案件/);
  await page.click("#root-case");
  await page.waitForSelector("#case-state[data-state=reported]");
  assert.match(await page.textContent("#case-body"), /2号楼线路老化，整体更换/);
  assert.match(await page.textContent("#case-grid-path"), /2号楼微网格/);
  await page.click("#q-warnings");
  await page.waitForSelector("#warnings-status");
  assert.equal(await page.textContent("#warnings-status"), "没有预警");
  await noEnglish(page);
  await context.close();
}

step("console: the handled warnings on a phone, and in English");
{
  const { page, context } = await panel("phone");
  await page.selectOption("#warning-state", "all");
  await page.waitForFunction(() => document.querySelectorAll("#warning-list tbody tr").length === 3);
  await openWarning(page, "recurring", "1号楼微网格");
  assert.match(await page.textContent("#warning-handled"), /已知悉 · 指挥中心值班员 · 已安排电工排查线路/);
  await noEnglish(page);
  await accessible(page);
  await page.locator("#warning-list").scrollIntoViewIfNeeded();
  await shoot(page, "console-warnings-phone");
  await page.click("#lang");
  await page.waitForSelector("html[lang=en]");
  await page.waitForFunction(() => document.querySelector("#warning-list")?.textContent.includes("Recurring"));
  await page.waitForFunction(() => document.querySelector("#warning-facts")?.textContent.includes("3 in one micro-grid within 30 days"));
  assert.match(await page.textContent("#warning-handled"), /Acknowledged/);
  await shoot(page, "console-warnings-phone-en");
  await context.close();
}

for (const kind of ["phone", "desktop"]) {
  step(`admin (${kind}): the warning rules, one out of range refused with its name, then saved`);
  const { page, context } = await open(kind, "/admin.html");
  await signIn(page, people.admin);
  await page.click("#s-warning_rules");
  await page.waitForSelector("#warning-rules [name=recurring_count]");
  assert.equal(await page.inputValue("#warning-rules [name=recurring_count]"), kind === "phone" ? "3" : "4");
  await page.fill("#warning-rules [name=repeat_low_rating]", "9");
  await page.click("#warning-rules button[type=submit]");
  await page.waitForSelector("#section-status.error");
  // The page's words, with the field at fault by its label (problemText).
  assert.match(await page.textContent("#section-status"), /^填写的内容有误.*评价不高于此分视为未解决/);
  await page.fill("#warning-rules [name=repeat_low_rating]", "2");
  await page.fill("#warning-rules [name=recurring_count]", "4");
  await page.fill("#warning-rules [name=recurring_days]", "14");
  await page.click("#warning-rules button[type=submit]");
  await page.waitForSelector("#section-status.ok");
  assert.equal(await page.textContent("#section-status"), "预警规则已保存");
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `admin-warning-rules-${kind}`);
  await context.close();
}

await browser.close();
