// Browser scenarios for the enterprise portal and the public board, run by
// tests/e2e/browser_enterprise.rs against the app with the demo tenant (its
// grid shaped, one case worked to closure with a result photo). Environment
// as lib.mjs says; writes page-sizes-enterprise.json to OUT_DIR.
import assert from "node:assert/strict";
import { accessible, browser, mapLabelsApart, open, people, recordSizes, shoot, signIn, step } from "./lib.mjs";

const company = { name: "星智制造科技有限公司", good: "91330100MA2J000T15", bad: "91330100MA2J000T16", login: ["xingzhi", "xingzhi-2026-pass"] };
/** A company registered beside it, which the township refuses. */
const refused = { name: "云帆贸易有限公司", code: "91330100MA2J000R27", login: ["yunfan", "yunfan-2026-pass"], note: "营业执照已过期，请换发后重新注册" };

/** Signs in where the page refuses: a company whose registration is not approved. */
async function tryToSignIn(page, [login, password]) {
  await page.fill("#login-form [name=tenant]", "demo");
  await page.fill("#login-form [name=login]", login);
  await page.fill("#login-form [name=password]", password);
  await page.click("#login-form button[type=submit]");
}

// ---- 1. a company registers: a mistyped credit code is refused, the right one awaits approval ----
step("enterprise: register with a wrong credit code, then the right one");
{
  const { page, context } = await open("phone", "/enterprise.html");
  const form = "#register-form";
  await page.fill(`${form} [name=credit_code]`, company.bad);
  await page.fill(`${form} [name=name]`, company.name);
  await page.fill(`${form} [name=address]`, "开元村工业园 3 号");
  await page.fill(`${form} [name=industry]`, "通用设备制造");
  await page.fill(`${form} [name='contact.name']`, "李星");
  await page.fill(`${form} [name='contact.phone']`, "13900003333");
  await page.fill(`${form} [name='account.login']`, company.login[0]);
  await page.fill(`${form} [name='account.display_name']`, "李星");
  await page.fill(`${form} [name='account.password']`, company.login[1]);
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector("#register-result.error");
  assert.match(await page.textContent("#register-result"), /统一社会信用代码有误/, "the error says what is wrong, in the page's language");
  assert.match(await page.textContent(`${form} .field-error`), /统一社会信用代码有误/, "said again at the field, in the page's words");
  assert.match(await page.getAttribute(`${form} .field-error`, "title"), /check character/, "the API's English detail only as a tooltip");
  assert.equal(await page.getAttribute(`${form} [name=credit_code]`, "aria-invalid"), "true", "the field at fault is marked");
  assert.equal(await page.evaluate(() => document.activeElement.name), "credit_code", "and focused");
  await shoot(page, "enterprise-register-error-phone");
  await page.fill(`${form} [name=credit_code]`, company.good);
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector("#registered[data-status=pending]");
  assert.equal(await page.inputValue(`${form} [name=tenant]`), "demo", "the form is ready for another company of the same township");
  assert.equal(await page.getAttribute(`${form} [name=credit_code]`, "aria-invalid"), null, "the mark is gone");
  assert.equal(await page.$(`${form} .field-error`), null, "and the note at the field");
  await shoot(page, "enterprise-registered-phone");
  await page.reload(); // the device remembers that approval comes first
  assert.match(await page.textContent("#pending"), /审核通过前账号 xingzhi 无法登录/);
  await accessible(page);

  step("enterprise: signing in before approval shows that the registration awaits it");
  await tryToSignIn(page, company.login);
  await page.waitForSelector("#pending[data-status=pending]");
  assert.match(await page.textContent("#pending"), /星智制造科技有限公司 的注册于 .+ 提交，正在等待审核；审核通过后账号 xingzhi 即可登录/);
  assert.equal(await page.textContent("#login-form [role=alert]"), "", "not a wrong password");
  assert.equal(await page.isHidden("#app-view"), true, "and no way in");
  await shoot(page, "enterprise-awaiting-approval-phone");
  const other = await page.evaluate(async ([code, name, [login, password]]) => (await fetch("/api/t/demo/enterprise/registrations", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ credit_code: code, name, address: "开元村 8 号", industry: "批发零售", contact: { name: "周帆", phone: "13900004444" },
      account: { login, password, display_name: "周帆" } }),
  })).status, [refused.code, refused.name, refused.login]);
  assert.equal(other, 201, "a second company registers");
  await context.close();
}

// ---- 2. the tenant admin approves it ----
step("staff: approve the registration");
{
  const { page, context } = await open("desktop", "/enterprise.html");
  await signIn(page, people.admin);
  const row = `#registrations li[data-credit-code="${company.good}"]`;
  await page.waitForSelector(row);
  await accessible(page);
  await shoot(page, "enterprise-staff-desktop");
  await page.fill(`${row} [name=note]`, "营业执照核验通过");
  await page.click(`${row} [data-decision=approve]`);
  await page.waitForSelector("#registrations-status.ok");
  await page.waitForSelector(row, { state: "detached" });
  const other = `#registrations li[data-credit-code="${refused.code}"]`;
  await page.fill(`${other} [name=note]`, refused.note);
  await page.click(`${other} [data-decision=reject]`);
  await page.waitForSelector(other, { state: "detached" });

  step("staff: publish a policy with its file, and an answer");
  await page.fill("#policy-form [name=title]", "关于小微企业房租减免的通知");
  await page.fill("#policy-form [name=issuer]", "金开示范街道办事处");
  await page.fill("#policy-form [name=effective_from]", "2026-03-01");
  await page.fill("#policy-form [name=tags]", "小微企业，房租");
  await page.fill("#policy-form [name=body]", "符合条件的小微企业可申请减免三个月房租。");
  await page.setInputFiles("#policy-form [name=files]", { name: "房租减免通知.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") });
  await page.click("#policy-form button[type=submit]");
  await page.waitForSelector("#policy-result.ok");
  // Written directly, for the company that asked by phone, resting on the policy just published.
  await page.fill("#answer-form [name=question]", "星智制造科技有限公司能否申请房租减免？联系电话 13900003333。");
  await page.fill("#answer-form [name=answer]", "符合小微企业条件的可以申请，详见房租减免通知。");
  await page.waitForSelector(`#answer-form [name=enterprise_id] option:has-text("${company.name}")`, { state: "attached" });
  await page.selectOption("#answer-form [name=enterprise_id]", { label: `${company.name}（${company.good}）` });
  await page.waitForSelector("#answer-form [name=policies] option:has-text('关于小微企业房租减免的通知')", { state: "attached" });
  await page.selectOption("#answer-form [name=policies]", { label: "关于小微企业房租减免的通知" });
  await accessible(page);
  await page.click("#answer-form button[type=submit]");
  await page.waitForSelector("#answer-result.ok");
  const published = "#qa-results li:has-text('能否申请房租减免')";
  await page.waitForSelector(published);
  assert.doesNotMatch(await page.textContent("#qa-results"), /13900003333|星智制造/, "the published answer names neither the company nor its phone");
  assert.match(await page.textContent(published), /^某企业能否申请房租减免/);
  await page.click(`${published} .policies button:has-text('关于小微企业房租减免的通知')`);
  await page.waitForSelector("#policy-detail h3:has-text('关于小微企业房租减免的通知')");
  await context.close();
}

step("enterprise: a refused company signing in reads why");
{
  const { page, context } = await open("phone", "/enterprise.html");
  await tryToSignIn(page, refused.login);
  await page.waitForSelector("#pending[data-status=rejected]");
  assert.match(await page.textContent("#pending"), new RegExp(`云帆贸易有限公司 的注册未通过审核（.+），原因：${refused.note}`));
  assert.equal(await page.isHidden("#app-view"), true);
  await tryToSignIn(page, [refused.login[0], "not-the-password"]);
  await page.waitForSelector("#login-form [role=alert].error");
  assert.equal(await page.isHidden("#pending"), true, "a wrong password learns nothing");
  await context.close();
}

// ---- 3. the company signs in, sees the closest answers, asks, and follows its request ----
step("enterprise: sign in, ask a policy question, follow it");
let code;
{
  const { page, context } = await open("phone", "/enterprise.html");
  await signIn(page, company.login);
  await page.waitForSelector("#company-view:not([hidden])");
  await page.waitForSelector("#company [data-status=approved]");
  await page.selectOption("#request-form [name=kind]", "policy_inquiry");
  await page.fill("#request-form [name=title]", "研发费用加计扣除");
  await page.fill("#request-form [name=description]", "我公司今年新设研发部门，研发费用加计扣除比例是多少？");
  await page.waitForSelector("#similar:not([hidden]) #similar-list li");
  assert.match(await page.textContent("#similar-list"), /加计扣除/, "the demo's published answer is offered before asking");
  await shoot(page, "enterprise-similar-phone");
  await page.click("#request-form button[type=submit]");
  await page.waitForSelector("#request-result.ok");
  code = (await page.textContent("#request-result")).match(/[0-9A-Z]{5}-[0-9A-Z]{5}/)[0];
  await page.waitForSelector(`#requests tr[data-code="${code}"] td[data-state]`);
  assert.equal(await page.getAttribute(`#requests tr[data-code="${code}"] td[data-state]`, "data-state"), "reported",
    "the demo has no routing rule for enterprise inquiries: it waits in triage");
  await page.waitForSelector("#request-timeline li");
  assert.doesNotMatch(await page.textContent("#request-detail"), /undefined|null/, "no raw values shown");
  await page.fill("#colleague-form [name=login]", "xingzhi2");
  await page.fill("#colleague-form [name=display_name]", "王同事");
  await page.fill("#colleague-form [name=password]", "colleague-2026-pass");
  await page.click("#colleague-form button[type=submit]");
  await page.waitForSelector("#colleague-result.ok");
  await page.waitForFunction(() => document.querySelectorAll("#colleagues li").length === 2);
  await accessible(page);
  await shoot(page, "enterprise-requests-phone");

  step("enterprise: search the policy Q&A; open a policy and its file");
  await page.fill("#qa-form [name=q]", "研发费用");
  await page.click("#qa-form button[type=submit]");
  await page.waitForSelector("#qa-results li");
  assert.match(await page.textContent("#qa-results"), /100%/, "the demo's answer is found");
  await page.click("#qa-results li:has-text('研发费用') .policies button[data-policy]");
  await page.waitForSelector("#policy-files a");
  const file = await page.getAttribute("#policy-files a", "href");
  const download = await page.evaluate(async (href) => {
    const response = await fetch(href);
    return { status: response.status, type: response.headers.get("content-type") };
  }, file);
  assert.deepEqual(download, { status: 200, type: "application/pdf" }, "the policy's file downloads");
  await shoot(page, "enterprise-policy-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await shoot(page, "enterprise-requests-desktop");
  await page.click("#lang");
  await page.waitForSelector("html[lang=en]");
  assert.equal(await page.textContent("#request-heading"), "New request");
  await page.waitForSelector("#request-form [name=kind] option:has-text('Policy inquiry')", { state: "attached" });
  await page.waitForSelector(`#requests tr[data-code="${code}"] td:has-text('Reported')`);
  await page.waitForSelector("#request-detail dt:has-text('State')");
  await shoot(page, "enterprise-english-desktop");
  await context.close();
}

// ---- 4. the public board: figures, the map, a resolved case, and the request by its code ----
step("board: figures, map, a resolved case with its result photo");
for (const kind of ["phone", "desktop"]) {
  const { page, context } = await open(kind, "/board.html");
  await page.waitForSelector("#figures tr[data-figure=received] td[data-window='365']");
  const received = Number(await page.textContent("#figures tr[data-figure=received] td[data-window='365']"));
  assert.ok(received >= 4, `the year's figures count the demo's cases and this test's (${received})`);
  assert.match(await page.textContent("#figures tr[data-figure=closure_rate] td[data-window='365']"), /%$/);
  // The community filter offers the grid's communities (the public tree), not only those the cases name.
  await page.waitForFunction(() => document.querySelectorAll("#filters [name=community] option").length === 3);
  assert.deepEqual(await page.$$eval("#filters [name=community] option", (o) => o.slice(1).map((x) => x.textContent)), ["金山社区", "开元村"]);
  // The closed case's grid also holds open demo cases: its dot is drawn open, its row counts the resolved one.
  await page.waitForSelector("#map path.node.dot");
  const dots = await mapLabelsApart(page, "#map", 2);
  assert.ok(dots.includes("第1网格") && dots.includes("第2网格"), `each dot is named on the map: ${dots}`);
  const resolvedHere = await page.$$eval("#cells tr[data-code]", (rows) => rows.map((r) => Number(r.cells[2].textContent)));
  assert.ok(resolvedHere.some((n) => n >= 1), `the map's grids are listed with what was resolved there (${resolvedHere})`);
  await page.selectOption("#filters [name=status]", "resolved");
  await page.click("#filters button[type=submit]");
  await page.waitForFunction(() => [...document.querySelectorAll("#cases article")].every((a) => a.dataset.outcome === "resolved") && document.querySelector("#cases article"));
  await page.focus("#cases article .code"); // by keyboard
  await page.keyboard.press("Enter");
  await page.waitForSelector("#lookup-result article li[data-purpose=result] img");
  assert.equal(await page.evaluate(() => document.activeElement.closest("#lookup-result") !== null), true, "focus moves to the case shown");
  assert.match(page.url(), /[?&]code=[0-9A-Z]{5}-[0-9A-Z]{5}/, "the look-up is in the address bar");
  assert.ok((await page.$$("#lookup-timeline li")).length >= 3, "the public timeline of a closed case");
  await accessible(page);
  await shoot(page, `board-${kind}`);
  await context.close();
}
step("board: the company's request by its code, from a link");
{
  const { page, context } = await open("phone", `/board.html?code=${code}`);
  await page.waitForSelector(`#lookup-result article[data-code="${code}"]`);
  assert.ok((await page.$$("#lookup-timeline li")).length >= 1, "its public timeline");
  assert.doesNotMatch(await page.textContent("#lookup-result"), /undefined|null|deadline_/, "no raw values or keys shown");
  await shoot(page, "board-lookup-phone");
  await context.close();
}

// ---- 5. first loads ----
step("page sizes");
await recordSizes("page-sizes-enterprise.json", [["/enterprise.html", company.login], ["/board.html", null]]);

await browser.close();
step("done");
