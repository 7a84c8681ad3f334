// Browser scenario for the admin page's SMS section (static/admin-sms.js),
// run by tests/e2e/browser_sms.rs against the app with the demo tenant:
// the page says plainly that residents get no SMS while no provider is
// configured, the admin sets Aliyun SMS (the secret is never shown back),
// and the page then says SMS is on; at phone and desktop width, in Chinese
// with no English leaking, every control labelled. Environment: BASE_URL,
// OUT_DIR (screenshots), CHROMIUM.
import assert from "node:assert/strict";
import { accessible, base, browser, noEnglish, open, people, shoot, signIn, step, tenant } from "./lib.mjs";

// Aliyun's own names for its keys, as its Chinese console writes them; and
// the tab of the webhooks' section beside this one (not this section's to name).
const ALIYUN_TERMS = ["AccessKey", "Secret", "Webhook"];

async function smsSection(kind) {
  const opened = await open(kind, "/admin.html");
  await signIn(opened.page, people.admin);
  await opened.page.click("#s-sms");
  await opened.page.waitForSelector("#sms-status");
  return opened;
}

step("admin: no provider, and the page says residents get no SMS");
{
  const { page, context } = await smsSection("desktop");
  assert.equal((await page.textContent("#sms-status")).trim(), "未配置短信服务，居民不会收到短信通知");
  assert.match(await page.textContent("#section-body"), /还没有短信/);
  await noEnglish(page, ALIYUN_TERMS);
  await accessible(page);
  await shoot(page, "admin-sms-off-desktop");

  step("admin: turning SMS on without the secret is refused, with the field named");
  await page.fill("#sms-form [name=access_key_id]", "LTAI5tDemoKey");
  await page.fill("#sms-form [name=sign_name]", "示范街道");
  for (const [i, step] of ["accepted", "dispatched", "resolved", "closed", "rate_invitation"].entries()) {
    await page.fill(`#sms-form [name=template_${step}]`, `SMS_10000${i + 1}`);
  }
  await page.check("#sms-form [name=enabled]");
  await page.click("#sms-form button[type=submit]");
  await page.waitForSelector("#section-status.error");
  assert.equal((await page.textContent("#sms-status")).trim(), "未配置短信服务，居民不会收到短信通知");

  step("admin: with the secret, SMS is on and the secret is not shown back");
  await page.fill("#sms-form [name=access_key_secret]", "demo-secret-of-aliyun");
  await page.click("#sms-form button[type=submit]");
  await page.waitForSelector("#section-status.ok");
  assert.match(await page.textContent("#sms-status"), /短信服务已开启/);
  assert.equal(await page.inputValue("#sms-form [name=access_key_secret]"), "", "the secret is write-only");
  assert.equal(await page.getAttribute("#sms-form [name=access_key_secret]", "placeholder"), "已设置（留空则不变）");
  assert.doesNotMatch(await page.content(), /demo-secret-of-aliyun/);
  assert.equal(await page.inputValue("#sms-form [name=template_rate_invitation]"), "SMS_100005");
  await noEnglish(page, ALIYUN_TERMS);

  step("admin: a resident's report queues its texts, listed with the number masked");
  const report = await fetch(`${base}/api/t/${tenant}/reports`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ category: "garbage", description: "垃圾桶满了，请清运", address: "金开大道1号", phone: "139 1111 2222" }),
  });
  assert.equal(report.status, 201, await report.text());
  await page.click("#s-sms");
  await page.waitForSelector("#sms-deliveries");
  const rows = await page.$$eval("#sms-deliveries tbody tr", (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 2, "accepted and dispatched on intake");
  for (const row of rows) assert.match(row, /139\*\*\*\*2222.*待发送/, row);
  assert.match(rows.join(" "), /已受理/);
  assert.match(rows.join(" "), /已分拨/);
  assert.doesNotMatch(await page.content(), /13911112222/, "the number is masked");
  await noEnglish(page, ALIYUN_TERMS);
  await shoot(page, "admin-sms-on-desktop");
  await context.close();
}

step("admin: the SMS section on a phone, and in English");
{
  const { page, context } = await smsSection("phone");
  assert.match(await page.textContent("#sms-status"), /短信服务已开启/);
  await noEnglish(page, ALIYUN_TERMS);
  await accessible(page);
  await shoot(page, "admin-sms-phone");
  await page.click("#lang");
  await page.waitForFunction(() => document.querySelector("#sms-status")?.textContent.includes("SMS is on"));
  await shoot(page, "admin-sms-phone-en");
  await context.close();
}

await browser.close();
