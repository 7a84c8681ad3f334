// Browser scenarios for what the pages say when the API refuses, run by
// tests/e2e/browser_errors.rs against the app with the demo tenant: the
// resident portal looks up an unknown tracking code, then too many of them
// (the wait from Retry-After, in seconds or minutes); the console's sign-in
// is refused, then slowed down; signed in, the tenant's name is its Chinese
// one. Every message is the page's own, in Chinese, and no English reaches a
// Chinese page (noEnglish), nor any page as its person opens it. Environment: BASE_URL, OUT_DIR, CHROMIUM.
// Exits non-zero at the first failed expectation.
import assert from "node:assert/strict";
import { browser, noEnglish, open, people, shoot, signIn, step } from "./lib.mjs";

const UNKNOWN = "AAAAA-AAAAA";

/** Submits the look-up of `code` and waits for its answer; the answer's status and Retry-After. */
async function lookUp(page, code) {
  await page.fill("#lookup-form [name=code]", code);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/status/")),
    page.click("#lookup-form button[type=submit]"),
  ]);
  await page.waitForFunction(() => document.querySelector("#lookup-result").textContent.trim() !== "");
  return { status: answer.status(), retryAfter: answer.headers()["retry-after"] };
}

// ---- 1. the resident portal: an unknown code, then too many ----
for (const kind of ["phone", "desktop"]) {
  step(`resident (${kind}): look up a code that does not exist`);
  const { context, page } = await open(kind, "/t/demo/");
  await page.waitForSelector("#lookup-form");
  await page.evaluate(() => { document.querySelector("#lookup-result").textContent = ""; });
  const { status } = await lookUp(page, UNKNOWN);
  assert.equal(status, 404);
  assert.equal(await page.textContent("#lookup-result"), "查询码不存在，请核对后重试。");
  assert.equal(await page.getAttribute("#lookup-result", "class"), "error");
  await noEnglish(page);
  await shoot(page, `errors-unknown-code-${kind}`);
  await context.close();
}

step("resident: look up codes that do not exist until the look-ups are braked");
{
  const { context, page } = await open("phone", "/t/demo/");
  await page.waitForSelector("#lookup-form");
  // Thirty misses a minute from one address; the window is the clock's minute,
  // so the page fills it again when a minute turns meanwhile.
  let refused = null;
  for (let round = 0; round < 3 && !refused; round++) {
    const statuses = await page.evaluate(async (code) => {
      const all = [];
      for (let i = 0; i < 30; i++) all.push((await fetch(`/api/t/demo/status/${code}`, { cache: "no-store" })).status);
      return all;
    }, UNKNOWN);
    assert.ok(statuses.every((s) => s === 404 || s === 429), `misses: ${statuses}`);
    await page.evaluate(() => { document.querySelector("#lookup-result").textContent = ""; });
    const answer = await lookUp(page, UNKNOWN);
    if (answer.status === 429) refused = answer;
  }
  assert.ok(refused, "the look-ups were braked");
  const seconds = Number(refused.retryAfter);
  assert.ok(seconds >= 1 && seconds <= 60, `Retry-After ${refused.retryAfter}`);
  const wait = seconds >= 60 ? `请 ${Math.ceil(seconds / 60)} 分钟后再试` : `请 ${seconds} 秒后再试`;
  assert.equal(await page.textContent("#lookup-result"), `查询不存在的查询码次数过多，${wait}。`);
  await noEnglish(page);
  await shoot(page, "errors-lookups-braked-phone");
  // A wait of minutes reads in minutes (a login slowed down for long waits so).
  const said = await page.evaluate(() => [
    problemText(429, { code: "too_many_logins" }, "240"),
    problemText(429, { code: "too_many_lookups" }, "45"),
    problemText(503, { code: "unavailable" }, null),
  ]);
  assert.deepEqual(said, ["登录失败次数过多，请 4 分钟后再试。", "查询不存在的查询码次数过多，请 45 秒后再试。", "服务暂时不可用，请稍后再试。"]);
  // The English switch says it in English.
  await page.click("#lang");
  await page.waitForSelector("html[lang=en]");
  const english = await page.evaluate(() => problemText(429, { code: "too_many_logins" }, "240"));
  assert.equal(english, "Too many failed sign-ins; try again in 4 min.");
  await context.close();
}

// ---- 2. the console's sign-in: refused, then slowed down ----
step("console: a wrong password, five times, then the wait");
{
  const { context, page } = await open("desktop", "/console.html");
  await page.waitForSelector("#login-form");
  const alert = "#login-form [role=alert]";
  const attempt = async () => {
    await page.fill("#login-form [name=tenant]", "demo");
    await page.fill("#login-form [name=login]", "nobody-here");
    await page.fill("#login-form [name=password]", "not-the-password");
    await page.evaluate((s) => { document.querySelector(s).textContent = ""; }, alert);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/auth/login")),
      page.click("#login-form button[type=submit]"),
    ]);
    await page.waitForFunction((s) => document.querySelector(s).textContent.trim() !== "", alert);
    return { status: answer.status(), retryAfter: answer.headers()["retry-after"], said: await page.textContent(alert) };
  };
  for (let i = 0; i < 5; i++) {
    const refused = await attempt();
    assert.equal(refused.status, 401);
    assert.equal(refused.said, "账号或密码不正确，或账号尚未启用，请核对后重试。");
  }
  await noEnglish(page);
  const slowed = await attempt();
  assert.equal(slowed.status, 429);
  const seconds = Number(slowed.retryAfter);
  assert.ok(seconds >= 1 && seconds <= 30, `Retry-After ${slowed.retryAfter}`);
  assert.equal(slowed.said, `登录失败次数过多，请 ${seconds} 秒后再试。`);
  await noEnglish(page);
  await shoot(page, "errors-login-slowed-desktop");

  step("console: an unknown township");
  await page.fill("#login-form [name=tenant]", "nowhere");
  await page.fill("#login-form [name=login]", "zhihui");
  await page.fill("#login-form [name=password]", "whatever-it-is");
  await page.click("#login-form button[type=submit]");
  await page.waitForFunction((s) => document.querySelector(s).textContent.includes("街道"), alert);
  assert.equal(await page.textContent(alert), "没有这个街道/乡镇代码，请核对后重试。");
  await context.close();
}

// ---- 3. signed in: the tenant's name, in Chinese only ----
for (const kind of ["phone", "desktop"]) {
  step(`centre (${kind}): signed in, the township is named in Chinese`);
  const { context, page } = await open(kind, "/console.html");
  await signIn(page, people.centre);
  await page.waitForLoadState("networkidle");
  const me = await page.textContent("#me");
  assert.match(me, / · 金开示范街道$/, `who is signed in, and where: ${me}`);
  await noEnglish(page);
  await shoot(page, `errors-signed-in-${kind}`);
  await context.close();
}

step("centre: signed out elsewhere, the next call brings back the sign-in form, saying why");
{
  const { context, page } = await open("desktop", "/console.html");
  await signIn(page, people.centre);
  await page.waitForLoadState("networkidle");
  // The same account signs out on another device: the server revokes the token.
  const revoked = await page.evaluate(async () => {
    const { token } = JSON.parse(localStorage.getItem("session:console"));
    return (await fetch("/api/t/demo/auth/logout", { method: "POST", headers: { authorization: `Bearer ${token}` } })).status;
  });
  assert.equal(revoked, 200);
  await page.click("#refresh");
  await page.waitForSelector("#login-view:not([hidden])");
  assert.equal(await page.textContent("#login-form [role=alert]"), "登录已过期，请重新登录。");
  assert.ok(await page.isHidden("#app-view"), "the queues are gone with the session");
  assert.equal(await page.evaluate(() => localStorage.getItem("session:console")), null, "the dead token is forgotten");
  await noEnglish(page);
  await shoot(page, "errors-session-ended-desktop");
  // Signing in again carries on.
  await signIn(page, people.centre);
  await context.close();
}

// ---- 4. every page, as its person opens it: no English ----
const mediator = ["tiaojie", "demo-mediator-2026"];
const agent = ["daiban", "demo-agent-2026"];
for (const [path, who] of [["/t/demo/", null], ["/board.html", null], ["/enterprise.html", null], ["/worker/", people.worker],
  ["/console.html", people.centre], ["/dashboard.html", people.centre], ["/admin.html", people.admin],
  ["/mediation.html", mediator], ["/agent.html", agent]]) {
  step(`${path}: no English on the Chinese page`);
  const { context, page } = await open("phone", path);
  if (who) await signIn(page, who);
  await page.waitForLoadState("networkidle");
  await noEnglish(page);
  await context.close();
}

await browser.close();
