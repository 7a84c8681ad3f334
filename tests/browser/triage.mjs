// Browser scenarios for smart triage (研判, docs/triage.md), run by
// tests/e2e/browser_triage.rs against the demo tenant after its command
// centre decided enough cases through the API: the console shows a triage
// case's suggestions with confidence and the words that decided, and
// 采用建议 fills the dispatch form, which the centre confirms; the portal
// points out a wrong pick ("这看起来像：占道经营？") and 改为… changes it,
// 保持原选择 keeps it; the admin switches automatic dispatch on; the
// dashboard counts the triage's dispatches. At phone and desktop width, in
// Chinese with no English. Environment: BASE_URL, OUT_DIR, CHROMIUM.
import assert from "node:assert/strict";
import { accessible, apiCall, browser, noEnglish, open, people, shoot, signIn, step, tenant } from "./lib.mjs";

const STALL = "北门口又有小贩摆摊卖水果，占了人行道";

async function token([login, password]) {
  return (await apiCall("POST", "/auth/login", { body: { login, password } })).token;
}

step("console: a triage case with a wrong pick shows what the triage suggests");
const centreToken = await token(people.centre);
const receipt = await apiCall("POST", "/reports", { body: { category: "water", description: STALL } });
{
  const { page, context } = await open("desktop", "/console.html");
  await signIn(page, people.centre);
  await page.goto(`${page.url().split("#")[0]}#case/${receipt.id}`);
  await page.waitForSelector("#triage-categories li");
  const first = await page.$eval("#triage-categories li", (li) => ({ code: li.dataset.code, text: li.textContent }));
  assert.equal(first.code, "street_stall", first.text);
  assert.match(first.text, /占道经营/);
  assert.match(first.text, /置信度 \d+%/);
  assert.match(first.text, /依据：.*(摆摊|小贩|占)/, "the words that decided");
  const department = await page.$eval("#triage-departments li", (li) => li.textContent);
  assert.match(department, /城市管理局/);
  await noEnglish(page);
  await accessible(page);
  await shoot(page, "console-triage-desktop");

  step("console: 采用建议 fills the form; the centre confirms, and the case is dispatched");
  await page.click("#triage-use");
  assert.equal(await page.inputValue("#triage-category"), "street_stall");
  assert.equal(await page.inputValue("#triage-department"), "urban");
  assert.ok(await page.isVisible("#triage-reason"), "a changed category says why");
  await shoot(page, "console-triage-filled-desktop");
  await page.click("#triage-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#case-state")?.dataset.state === "dispatched");
  assert.equal(await page.$("#triage"), null, "out of triage: no suggestions");
  const timeline = await page.textContent("#timeline");
  assert.match(timeline, /改类/);
  assert.match(timeline, /分拨/);
  await context.close();
}

step("console: the suggestions on a phone");
{
  const other = await apiCall("POST", "/reports", { body: { category: "water", description: "解放路路边摊贩占道经营，行人只能走马路" } });
  const { page, context } = await open("phone", "/console.html");
  await signIn(page, people.centre);
  await page.goto(`${page.url().split("#")[0]}#case/${other.id}`);
  await page.waitForSelector("#triage-categories li");
  await page.click("#triage-use");
  assert.equal(await page.inputValue("#triage-department"), "urban");
  await noEnglish(page);
  await shoot(page, "console-triage-phone");
  await context.close();
}

for (const kind of ["phone", "desktop"]) {
  step(`portal (${kind}): a wrong pick is pointed out; 改为 changes it`);
  const { page, context } = await open(kind, `/t/${tenant}/`);
  await page.waitForSelector("#categories label");
  await page.click("#categories label:has-text('供水')");
  await page.fill("#report-form [name=description]", "路边有人摆摊卖菜，把路都占了");
  await page.waitForSelector("#triage-hint:not([hidden])");
  assert.equal((await page.textContent("#triage-hint p")).trim(), "这看起来像：占道经营？");
  assert.equal((await page.textContent("#triage-change")).trim(), "改为占道经营");
  assert.equal((await page.textContent("#triage-keep")).trim(), "保持原选择");
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `portal-triage-${kind}`);
  await page.click("#triage-change");
  assert.equal(await page.$eval("#categories input[name=category]:checked", (r) => r.value), "street_stall");
  assert.ok(await page.isHidden("#triage-hint"));

  step(`portal (${kind}): a right pick says nothing; 保持原选择 keeps a pick`);
  await page.fill("#report-form [name=description]", "路边有人摆摊卖菜，把路都占了，很久了");
  await page.waitForTimeout(1200);
  assert.ok(await page.isHidden("#triage-hint"), "the pick looks right");
  await page.click("#categories label:has-text('供水')");
  await page.waitForSelector("#triage-hint:not([hidden])");
  await page.click("#triage-keep");
  assert.ok(await page.isHidden("#triage-hint"));
  assert.equal(await page.$eval("#categories input[name=category]:checked", (r) => r.value), "water");
  await context.close();
}

for (const kind of ["desktop", "phone"]) {
  step(`admin (${kind}): the smart triage section says the model is ready; automatic dispatch switched on`);
  const { page, context } = await open(kind, "/admin.html");
  await signIn(page, people.admin);
  await page.click("#s-triage");
  await page.waitForSelector("#triage-ready");
  assert.equal((await page.textContent("#triage-ready")).trim(), "模型已可自动分拨");
  assert.match(await page.textContent("#triage-learned"), /处置部门 4\d 件/, "the 40 taught and the console's");
  if (kind === "desktop") {
    await page.check("#triage-settings [name=auto_dispatch]");
    await page.fill("#triage-settings [name=threshold]", "0.6");
    await page.click("#triage-settings button[type=submit]");
    await page.waitForSelector("#section-status.ok");
  }
  assert.ok(await page.isChecked("#triage-settings [name=auto_dispatch]"));
  assert.equal(await page.inputValue("#triage-settings [name=threshold]"), "0.6");
  await noEnglish(page);
  await accessible(page);
  await shoot(page, `admin-triage-${kind}`);
  await context.close();
}

step("dashboard: a report the triage dispatched is counted apart");
{
  const auto = await apiCall("POST", "/reports", { body: { category: "noise", description: "小区门口有人吵吵闹闹", address: "金开大道2号" } });
  const staff = await apiCall("GET", `/cases/${auto.id}`, { token: centreToken });
  assert.equal(staff.state, "dispatched", "dispatched by the triage");
  assert.equal(staff.timeline.at(-1).actor, "triage");
  for (const kind of ["desktop", "phone"]) {
    const { page, context } = await open(kind, "/dashboard.html");
    await signIn(page, people.centre);
    await page.waitForSelector("#triage-auto .value");
    assert.equal((await page.textContent("#triage-auto .value")).trim(), "1");
    assert.equal((await page.textContent("#triage-undone .value")).trim(), "0");
    assert.match(await page.textContent("#triage-status"), /已开启，置信度门槛 0.60/);
    await shoot(page, `dashboard-triage-${kind}`);
    await context.close();
  }

  step("console: the triage's step in the timeline, and its undo");
  const { page, context } = await open("desktop", "/console.html");
  await signIn(page, people.centre);
  await page.goto(`${page.url().split("#")[0]}#case/${auto.id}`);
  await page.waitForSelector("#timeline");
  assert.match(await page.textContent("#timeline"), /智能分拨/);
  assert.match(await page.textContent("#timeline"), /派出所（置信度 \d+%）/);
  await page.click("button[data-action=undo_triage]");
  await page.fill(".action-form [name=reason]", "应由物业处理");
  await page.click(".action-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#case-state")?.dataset.state === "registered");
  assert.match(await page.textContent("#timeline"), /撤销智能分拨/);
  await page.waitForSelector("#triage-categories li");
  await noEnglish(page);
  await shoot(page, "console-triage-undone-desktop");
  await context.close();
}

await browser.close();
