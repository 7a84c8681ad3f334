// Browser scenarios for the resident portal at the township's own address
// (/t/demo/) and the grid worker's app (/worker/), run by
// tests/e2e/browser_portal.rs against the app with the demo tenant, at
// phone (390 px) and desktop (1280 px) widths. Environment: BASE_URL,
// OUT_DIR (screenshots), CHROMIUM. Exits non-zero at the first failed
// expectation.
import assert from "node:assert/strict";
import { accessible, base, browser, noEnglish, open, people, photo, shoot, signIn, step, tenant } from "./lib.mjs";

// Each width's reports say which (in Chinese: the pages show them).
const WIDTH = { phone: "手机", desktop: "电脑" };
// The map's notice names 天地图's key parameter, `tk`, while the demo has no key.
const MAP_WORDS = ["tk"];

// ---- the demo's grid: where the scenarios stand ----
const grid = await (await fetch(`${base}/api/t/${tenant}/admin/grid?geometry=true`)).json();
const nodes = [];
const walk = (list) => list.forEach((n) => { nodes.push(n); walk(n.children || []); });
walk(grid.nodes);
const node = (code) => nodes.find((n) => n.code === code) || assert.fail(`the demo has grid node ${code}`);
/** The middle of a node's square, as a phone reports it. */
function centre(code) {
  const ring = node(code).geometry.coordinates[0].slice(0, -1);
  const mean = (i) => ring.reduce((sum, p) => sum + p[i], 0) / ring.length;
  return { latitude: mean(1), longitude: mean(0) };
}

/** A fresh phone or desktop at the place `at`, with the clipboard and the position allowed. */
async function device(kind, path, at) {
  const opened = await open(kind, path, { geolocation: { ...at, accuracy: 10 } });
  await opened.context.grantPermissions(["geolocation", "clipboard-read", "clipboard-write"], { origin: base });
  return opened;
}

// What each width reports: a street light (it waits in the centre's triage:
// no deadline yet) on the phone, road damage (dispatched at once to urban
// management by a routing rule: a deadline) on the desktop.
const residents = {
  phone: { category: "路灯故障", code: "street_light", at: "JK-01-G1-M1", words: "金山社区 第1网格 1号楼微网格", state: "reported", wait: /派给承办部门后将确定办理时限/ },
  desktop: { category: "道路破损", code: "road_damage", at: "JK-02-G1-M2", words: "开元村 第2网格 2号楼微网格", state: "dispatched", wait: /承办部门应在 .+ 前办理完毕/ },
};

for (const kind of ["phone", "desktop"]) {
  const plan = residents[kind];
  // ---- 1. the township's address: the portal, with no tenant field ----
  step(`resident (${kind}): /t/${tenant}/ has no tenant field`);
  const { context, page } = await device(kind, `/t/${tenant}/`, centre(plan.at));
  await page.waitForSelector("#categories label");
  assert.equal(await page.locator("input[name=tenant]:visible").count(), 0, "no tenant-code field at the township's address");
  assert.equal(await page.locator("#choose-tenant").isHidden(), true);
  assert.equal(await page.getAttribute("#board-link", "href"), `/board.html?tenant=${tenant}`, "the board of this township");
  await page.waitForSelector("#map .map-label:not(.hidden)");
  await accessible(page);
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `portal-address-${kind}`);

  // ---- 2. a report with no place is asked for one ----
  step(`resident (${kind}): no place, asked for one`);
  await page.click(`#categories label:has-text('${plan.category}')`);
  assert.match(await page.textContent("#place-hint"), /需要位置/, "the category says it needs a place");
  const description = `浏览器测试（${WIDTH[kind]}）：${plan.category}，请尽快处理`;
  await page.fill("#report-form [name=description]", description);
  const posted = [];
  page.on("request", (r) => { if (r.method() === "POST" && r.url().endsWith(`/api/t/${tenant}/reports`)) posted.push(r.url()); });
  await page.click("#report-form button[type=submit]");
  await page.waitForSelector("#place-fieldset.missing");
  assert.match(await page.textContent("#report-result"), /问题在哪里/, "the page asks where");
  assert.equal(await page.getAttribute("#place-fieldset", "aria-invalid"), "true");
  assert.equal(posted.length, 0, "nothing sent without the place");
  assert.ok(await page.isHidden("#receipt"));
  // The page follows the API's word: the intake itself refuses it, naming latitude.
  const refused = await page.evaluate(async ({ tenant, category, description }) => {
    const response = await fetch(`/api/t/${tenant}/reports`, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ category, description }) });
    return { status: response.status, problem: await response.json() };
  }, { tenant, category: plan.code, description });
  assert.equal(refused.status, 422, JSON.stringify(refused));
  assert.equal(refused.problem.field, "latitude");
  assert.equal(refused.problem.code, "place_required");
  posted.length = 0; // that one was the test's own
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `portal-place-asked-${kind}`);

  // ---- 3. located: the marker on the map, the grid named; then sent ----
  step(`resident (${kind}): use my location, send`);
  await page.click("#locate");
  await page.waitForFunction((words) => document.querySelector("#place").textContent.includes(words), plan.words);
  assert.match(await page.textContent("#place"), /^您在：/);
  await page.waitForSelector("#map .map-pin");
  assert.ok(!(await page.$("#place-fieldset.missing")), "the request for a place is answered");
  await page.click("#report-form button[type=submit]");
  const duplicate = page.locator("#report-result button", { hasText: "继续提交" });
  await Promise.race([page.waitForSelector("#receipt:not([hidden])"), duplicate.waitFor()]);
  if (await duplicate.count()) await duplicate.click();
  await page.waitForSelector("#receipt:not([hidden])");
  assert.equal(posted.length, 1, "sent once, with its place");

  // ---- 4. the success screen: copy each with one tap; kept under my reports ----
  step(`resident (${kind}): the success screen copies the code and the secret`);
  assert.ok(await page.isHidden("#report-form"), "the form makes way for the success screen");
  assert.match(await page.textContent("#receipt .done-title"), /已受理/);
  const code = (await page.textContent("#tracking-code")).trim();
  const secret = (await page.textContent("#reporter-secret")).trim();
  assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  assert.ok(secret.length >= 8, secret);
  await page.click("#copy-code");
  await page.waitForSelector("#copy-status.ok");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), code, "one tap copies the code");
  await page.click("#copy-secret");
  await page.waitForFunction((s) => document.querySelector("#copy-status").textContent.includes(s), secret);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret, "one tap copies the secret");
  await page.click("#copy-both");
  const both = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(both.includes(code) && both.includes(secret), both);
  assert.match(await page.textContent("#saved-mine"), /我的反映/);
  await page.waitForSelector(`#my-reports li[data-code="${code}"]`);
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem("my-reports")));
  assert.deepEqual([kept[0].code, kept[0].secret, kept[0].tenant], [code, secret, tenant], "kept on the phone with its secret");
  await accessible(page);
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `portal-receipt-${kind}`);

  // ---- 5. the look-up before closure: when rating opens, and no rating form ----
  step(`resident (${kind}): ${code}: the look-up says when rating opens`);
  await page.click("#track-it");
  await page.waitForSelector("#lookup-state");
  assert.equal(await page.getAttribute("#lookup-state", "data-state"), plan.state);
  await page.waitForSelector("#rating-wait");
  assert.equal(await page.getAttribute("#rating-wait", "data-opens-after"), "resolution");
  assert.match(await page.textContent("#rating-wait"), /办结后即可评价/);
  assert.match(await page.textContent("#rating-wait"), plan.wait);
  assert.equal(await page.locator("#rate-form").count(), 0, "no rating form before the case is closed");
  assert.equal(await page.inputValue("#lookup-form [name=secret]"), secret, "the look-up used the secret kept on the phone");
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `portal-lookup-before-closure-${kind}`);

  // My reports open their case, on a fresh visit of the same phone.
  step(`resident (${kind}): my reports open the case`);
  await page.reload();
  await page.waitForSelector(`#my-reports li[data-code="${code}"]`);
  assert.ok(await page.isVisible("#report-form"), "a new visit starts with the form");
  await page.click(`#my-reports li[data-code="${code}"] button.view`);
  await page.waitForFunction((c) => document.querySelector("#lookup-result .code")?.textContent === c, code);
  await page.waitForSelector("#rating-wait");
  await shoot(page, `portal-my-reports-${kind}`);
  await context.close();
}

// ---- 6. an address that names no township asks for its code; / is the demo's ----
step("resident: /t/nosuch/ asks for the township; / is the portal");
{
  const { context, page } = await open("phone", "/t/nosuch/");
  await page.waitForSelector("#choose-tenant:not([hidden])");
  assert.match(await page.textContent("#choose-tenant"), /没有代码为“nosuch”的街道/);
  assert.ok(await page.isHidden("#report-form"));
  await noEnglish(page, ["nosuch", ...MAP_WORDS]);
  await shoot(page, "portal-unknown-township-phone");
  await page.fill("#choose-form [name=tenant]", tenant);
  await page.click("#choose-form button[type=submit]");
  await page.waitForURL(`${base}/t/${tenant}/`);
  await page.waitForSelector("#categories label");
  await context.close();
  const root = await open("desktop", "/");
  await root.page.waitForSelector("#categories label");
  assert.equal(await root.page.locator("input[name=tenant]:visible").count(), 0);
  await root.context.close();
}

// ---- 7. the worker app: the toggle, locating, the outbox, my reports ----
const workers = {
  phone: { fixed: "路灯故障", at: "JK-01-G1-M2", words: "金山社区 第1网格 2号楼微网格", later: "垃圾清运", grid: "JK-02-G1" },
  desktop: { fixed: "垃圾清运", at: "JK-01-G1-M2", words: "金山社区 第1网格 2号楼微网格", later: "道路破损", grid: "JK-01-G1" },
};
for (const kind of ["phone", "desktop"]) {
  const plan = workers[kind];
  step(`worker (${kind}): the fixed-on-the-spot switch leads the form`);
  const { context, page } = await device(kind, "/worker/", centre(plan.at));
  await signIn(page, people.worker);
  await page.waitForSelector("#categories label");
  await page.waitForSelector("#map .map-label:not(.hidden)");
  const first = await page.$eval("#report-form", (f) => f.firstElementChild.id);
  assert.equal(first, "fixed-toggle", "the switch is the form's first control");
  const toggle = await page.locator("#fixed-toggle").boundingBox();
  const form = await page.locator("#report-form").boundingBox();
  assert.ok(toggle.height >= 56, `a large switch: ${toggle.height} px high`);
  assert.ok(toggle.width >= form.width - 2, `as wide as the form: ${toggle.width} of ${form.width}`);
  assert.equal(await page.getAttribute("#report-form [name=fixed_on_the_spot]", "role"), "switch");
  assert.equal(await page.textContent("#submit-report"), "上报");
  await page.click("#fixed-toggle");
  assert.ok(await page.isChecked("#report-form [name=fixed_on_the_spot]"), "a tap anywhere on it switches it");
  await page.waitForSelector("#fixed-hint:not([hidden])");
  assert.equal(await page.textContent("#submit-report"), "记录当场解决");
  await accessible(page);
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `worker-toggle-${kind}`);

  step(`worker (${kind}): locating shows the marker and picks the grid`);
  await page.click("#locate");
  await page.waitForFunction((words) => document.querySelector("#place").textContent.includes(words), plan.words);
  await page.waitForSelector("#map .map-pin");
  const picked = await page.$eval("#report-form [name=grid_node_id]", (s) => s.selectedOptions[0].textContent);
  assert.match(picked, /2号楼微网格/, `the grid list shows the grid found: ${picked}`);
  assert.equal(await page.inputValue("#report-form [name=grid_node_id]"), String(node(plan.at).id));
  await shoot(page, `worker-located-${kind}`);
  await page.click(`#categories label:has-text('${plan.fixed}')`);
  const fixedText = `浏览器测试（${WIDTH[kind]}）：当场解决，${plan.fixed}`;
  await page.fill("#report-form [name=description]", fixedText);
  await page.setInputFiles("#report-form [name=photo]", photo("fixed.png"));
  await page.click("#submit-report");
  await page.waitForSelector("#report-result.ok");
  assert.match(await page.textContent("#report-result"), /已上报/);
  assert.ok(!(await page.isChecked("#report-form [name=fixed_on_the_spot]")), "the switch is off for the next report");
  assert.equal(await page.textContent("#submit-report"), "上报");

  step(`worker (${kind}): a report without a place is asked for one`);
  await page.click(`#categories label:has-text('${plan.later}')`);
  const later = `浏览器测试（${WIDTH[kind]}）：离线上报，${plan.later}`;
  await page.fill("#report-form [name=description]", later);
  await page.click("#submit-report");
  await page.waitForSelector("#report-result.error");
  assert.match(await page.textContent("#report-result"), /需要位置/);
  assert.equal(await page.locator(".outbox-item").count(), 0, "nothing queued without a place");

  step(`worker (${kind}): offline, "saved, will send"; online, it clears when sent`);
  await page.selectOption("#report-form [name=grid_node_id]", String(node(plan.grid).id));
  await context.setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
  await page.click("#submit-report");
  await page.waitForSelector(".outbox-item");
  assert.equal(await page.textContent("#report-result"), "已保存，联网后自动发送");
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `worker-saved-offline-${kind}`);
  await context.setOffline(false);
  await page.waitForFunction(() => !document.querySelector(".outbox-item"), null, { timeout: 15000 });
  await page.waitForFunction(() => /已上报/.test(document.querySelector("#report-result").textContent));
  assert.doesNotMatch(await page.textContent("body"), /已保存，联网后自动发送/, "the saved message is gone once sent");
  await shoot(page, `worker-sent-${kind}`);

  step(`worker (${kind}): a row of my reports opens its case`);
  await page.click("#go-mine");
  const row = page.locator("#mine tr", { hasText: plan.fixed }).first();
  await row.waitFor();
  const rowCode = await row.getAttribute("data-code");
  await row.locator("td").nth(1).click(); // anywhere on the row
  await page.waitForSelector("#case-view:not([hidden]) #case-state");
  assert.ok((await page.textContent("#case-heading")).startsWith(rowCode), "the row's case opened");
  const fixedCase = await page.evaluate(async (code) => (await session.call("GET", "/queues/mine?limit=100")).cases.find((c) => c.tracking_code === code), rowCode);
  assert.equal(await page.getAttribute("#case-state", "data-state"), fixedCase.state);
  assert.ok((await page.locator("#timeline li").count()) >= 1, "its timeline");
  await page.waitForSelector("#case-photos img");
  await accessible(page);
  await noEnglish(page, MAP_WORDS);
  await shoot(page, `worker-case-${kind}`);
  await page.click("#close-case");
  assert.ok(await page.isHidden("#case-view"));
  // From the keyboard: the code's button opens it too.
  await page.locator(`#mine tr[data-code="${rowCode}"] .code-cell button`).focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("#case-view:not([hidden])");
  await context.close();
}

await browser.close();
step("done");
