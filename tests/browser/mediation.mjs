// Browser scenarios for the mediation window (mediation.html) and the agent
// desk (agent.html), run by tests/e2e/browser_mediation.rs against the app
// with the demo tenant (its mediator at the justice office, its village
// agent). Environment: BASE_URL, OUT_DIR (screenshots and
// page-sizes-mediation.json), CHROMIUM. Exits non-zero at the first failed
// expectation.
import assert from "node:assert/strict";
import { accessible, browser, open, out, people, phone, photo, recordSizes, shoot, shootWidths, signIn, step, tenant } from "./lib.mjs";

const mediator = ["tiaojie", "demo-mediator-2026"];
const agent = ["daiban", "demo-agent-2026"];
// What only the centre may see; the e2e test finds the dispute by its subject.
const APPLICANT = "张秀英";
const APPLICANT_PHONE = "13911112222";
const RESPONDENT = "宏达建筑劳务有限公司";
const RESPONDENT_PHONE = "057188886666";
const SUBJECT = "浏览器测试：追讨拖欠工资一万二千元";
const AGREEMENT = "宏达建筑于三十日内向张秀英支付工资一万二千元";
const RESIDENT = "李桂兰";
const RESIDENT_PHONE = "13722223333";
// An IOU as a PDF: the window takes it as a paper, shown as a link, never as a picture.
const iouPdf = { name: "iou.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n") };

// ---- 1. the window takes a dispute in, holds a session and records the agreement ----
step("mediator: take in a dispute with two parties and a document");
const desk = await open("desktop", "/mediation.html#intake");
let code;
{
  const { page } = desk;
  await signIn(page, mediator);
  await page.waitForSelector("#intake:not([hidden]) [name=kind] option[value=labour]", { state: "attached" });
  await page.selectOption("#intake-form [name=kind]", "labour");
  await page.fill("#intake-form [name=subject]", SUBJECT);
  await page.fill("#intake-form [name=amount]", "12000");
  await page.fill("#intake-form [name=window]", "3号窗口");
  assert.equal(await page.$eval("#intake-form [name=department]", (s) => s.selectedOptions[0].text), "司法所", "the mediator's own department leads by default");
  const applicant = page.locator(".party[data-side=applicant]");
  await applicant.locator("[name=party_name]").fill(APPLICANT);
  await applicant.locator("[name=party_phone]").fill(APPLICANT_PHONE);
  await applicant.locator("[name=party_address]").fill("开元村5组12号");
  const respondent = page.locator(".party[data-side=respondent]");
  await respondent.locator("[name=party_kind]").selectOption("organisation");
  await respondent.locator("[name=party_name]").fill(RESPONDENT);
  await respondent.locator("[name=party_phone]").fill(RESPONDENT_PHONE);
  assert.match(await page.getAttribute("#intake-form [name=documents]", "accept"), /application\/pdf/, "PDFs may be chosen");
  await page.setInputFiles("#intake-form [name=documents]", [photo("iou.png"), iouPdf]);
  await accessible(page);
  await shoot(page, "mediation-intake-filled-desktop");
  await page.click("#intake-form button[type=submit]");
  await page.waitForSelector("#dispute-state[data-state=dispatched]");
  code = (await page.textContent("#dispute-heading")).split(" · ")[0].trim();
  assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  const parties = await page.textContent("#parties");
  for (const seen of [APPLICANT, APPLICANT_PHONE, RESPONDENT, RESPONDENT_PHONE]) assert.ok(parties.includes(seen), `the centre sees ${seen}`);
  assert.equal(await page.locator("#documents li").count(), 2, "the documents uploaded first are the dispute's");
  const paper = page.locator("#documents li[data-kind=document]");
  assert.equal(await paper.locator("img").count(), 0, "a PDF has no thumbnail");
  // One tidy list: each paper's preview (thumbnail or PDF mark) beside its name and time, on one line.
  const rows = await page.$$eval("#documents li", (items) => items.map((li) => {
    const preview = li.querySelector("img, .preview").getBoundingClientRect(), words = li.lastElementChild.getBoundingClientRect();
    return { id: li.dataset.id, preview: [preview.left, preview.top, preview.bottom], words: [words.left, words.top, words.bottom] };
  }));
  for (const { id, preview, words } of rows) {
    assert.ok(words[0] > preview[0] && words[1] >= preview[1] - 1 && words[2] <= preview[2] + 1, `document ${id}: its name beside its preview: ${JSON.stringify({ preview, words })}`);
  }
  const lefts = new Set(rows.map((r) => Math.round(r.preview[0])));
  assert.equal(lefts.size, 1, `the documents line up: ${JSON.stringify(rows)}`);
  const [download] = await Promise.all([page.waitForEvent("download"), paper.locator("a.document").click()]);
  assert.match(download.suggestedFilename(), /\.pdf$/, "the PDF is saved");
  for (const input of ["#outcome-form [name=files]", "#documents-form [name=files]"]) {
    assert.match(await page.getAttribute(input, "accept"), /application\/pdf/, `${input} takes PDFs`);
  }
  await accessible(page);

  step(`mediator: ${code}: schedule a session, then record it`);
  const inAnHour = await page.evaluate(() => inputTime(new Date(Date.now() + 3600 * 1000)).slice(0, 16));
  await page.fill("#schedule-form [name=scheduled_for]", inAnHour);
  await page.fill("#schedule-form [name=place]", "矛调中心2号调解室");
  await page.click("#schedule-form button[type=submit]");
  await page.waitForSelector("#sessions li[data-recorded=false] .record-form");
  const record = page.locator("#sessions li[data-recorded=false] .record-form");
  await record.locator("[name=participants]").fill(`调解员李明、${APPLICANT}、${RESPONDENT}`);
  await record.locator("[name=agreed]").fill("分两期支付，首期六千元");
  await record.locator("button[type=submit]").click();
  await page.waitForSelector("#sessions li[data-recorded=true] .held");
  assert.match(await page.textContent("#sessions .held"), /分两期支付/);

  step("mediator: sign for, start work, record the agreement");
  for (const [action, state] of [["sign_for", "signed_for"], ["start_work", "in_progress"]]) {
    await page.click(`button[data-action=${action}]`);
    await page.waitForSelector(`#dispute-state[data-state=${state}]`);
  }
  await page.selectOption("#outcome-form [name=outcome]", "agreement");
  await page.fill("#outcome-form [name=text]", AGREEMENT);
  await page.setInputFiles("#outcome-form [name=files]", photo("agreement.png"));
  await shoot(page, "mediation-dispute-desktop");
  await page.click("#outcome-form button[type=submit]");
  await page.waitForSelector("#dispute-state[data-state=closed]");
  assert.equal(await page.getAttribute("#dispute-outcome", "data-outcome"), "agreement");
  assert.match(await page.textContent("#dispute-outcome"), new RegExp(AGREEMENT));
  assert.equal(await page.locator("#documents li").count(), 3, "the signed agreement is among the documents");
  assert.ok(await page.locator("#timeline li").count() >= 5, "the timeline shows each step");
  // Who took each step by name, the lead department by name, the session's time readable.
  const said = await page.textContent("#timeline");
  assert.doesNotMatch(said, /department_staff:|user:|agent:|system:/, `no account strings in the timeline: ${said}`);
  assert.ok(said.includes("司法所调解员 · 司法所"), `the mediator by name: ${said}`);
  assert.doesNotMatch(said, /\bjustice\b|T\d\d:\d\d:\d\d/, `department codes and ISO times read as words: ${said}`);
  assert.match(said, /调解会议安排于 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d/, `the session's time, readable: ${said}`);
  await shoot(page, "mediation-agreement-desktop");
  await page.setViewportSize(phone.viewport);
  await shoot(page, "mediation-agreement-phone");

  await page.goto(`${await page.evaluate(() => location.origin)}/mediation.html#list`);
  await page.waitForSelector(`#dispute-list a:has-text("${code}")`);
  await desk.context.close();
}

// ---- 2. the public look-up of the tracking code names nobody ----
step(`resident: look ${code} up; no party is named`);
{
  const { page, context } = await open("phone", "/");
  await page.fill("#lookup-form [name=code]", code);
  await page.click("#lookup-form button[type=submit]");
  await page.waitForSelector("#lookup-state[data-state=closed]");
  const shown = await page.textContent("body");
  const raw = await page.evaluate(async (path) => (await fetch(path)).text(), `/api/t/${tenant}/status/${code}`);
  for (const [what, text] of [["the page", shown], ["the look-up's answer", raw]]) {
    for (const secret of [APPLICANT, APPLICANT_PHONE, RESPONDENT, RESPONDENT_PHONE, SUBJECT, AGREEMENT]) {
      assert.ok(!text.includes(secret), `${what} shows ${secret}`);
    }
  }
  assert.match(raw, /调解成功/, "the public sees how it ended");
  await shoot(page, "mediation-lookup-phone");
  await context.close();
}

// ---- 3. an agent takes a matter with consent, works its task list and passes it up ----
step("agent: take a resident's matter with consent");
{
  const { page, context } = await open("phone", "/agent.html#take");
  await signIn(page, agent);
  await page.waitForSelector("#take:not([hidden]) [name=kind] option[value=certificate]", { state: "attached" });
  await page.selectOption("#take-form [name=kind]", "certificate");
  await page.fill("#take-form [name=name]", RESIDENT);
  await page.fill("#take-form [name=phone]", RESIDENT_PHONE);
  await page.fill("#take-form [name=address]", "开元村3组8号");
  await page.check("#take-form [name=consent]");
  await page.fill("#take-form [name=needs]", "补办残疾证\n申请护理补贴");
  await accessible(page);
  await shoot(page, "agent-take-filled-phone");
  await page.click("#take-form button[type=submit]");
  await page.waitForSelector("#matter-level[data-level=village]");
  assert.equal(await page.locator("#needs li").count(), 2, "two needs, one a line");
  await accessible(page);

  step("agent: add a task and mark it done; promise a date");
  await page.fill("#task-form [name=task]", "递交补办材料");
  await page.click("#task-form button[type=submit]");
  await page.waitForSelector("#tasks button[data-task]");
  await page.click("#tasks button[data-task]");
  await page.waitForFunction(() => document.querySelector("table#tasks") && !document.querySelector("#tasks button[data-task]"));
  await page.fill("#promise-form [name=promise]", "十个工作日内答复");
  await page.click("#promise-form button[type=submit]");
  await page.waitForSelector("ul#promises li");

  step("agent: pass it up to the township with a reason");
  await page.selectOption("#level-form [name=level]", "township");
  const townHall = await page.$eval("#level-form [name=agent_point_id]", (s) => [...s.options].find((o) => o.text.includes("街道代办中心")).value);
  await page.selectOption("#level-form [name=agent_point_id]", townHall);
  await page.fill("#level-form [name=reason]", "需街道残联审批");
  await page.click("#level-form button[type=submit]");
  await page.waitForSelector("#matter-level[data-level=township]");
  assert.equal(await page.locator("#levels li").count(), 2, "both levels are recorded");
  // The agent follows the case flow on the desk (no view_cases needed), and takes no step of it.
  const steps = await page.$$eval("#timeline li strong", (s) => s.map((x) => x.textContent));
  assert.equal(steps[0], "上报", `the matter's timeline starts at its intake: ${steps}`);
  assert.ok(steps.includes("代办事项上交"), `the timeline shows the pass-up: ${steps}`);
  assert.equal(await page.locator("button[data-action]").count(), 0, "an agent takes no case-flow step");
  // Who did the task, passed the matter up and took each step: by name.
  for (const list of ["#tasks", "#levels", "#timeline"]) {
    const said = await page.textContent(list);
    assert.doesNotMatch(said, /department_staff:|user:|agent:|system:/, `no account strings in ${list}: ${said}`);
    assert.ok(said.includes("开元村代办员"), `${list} names the agent: ${said}`);
  }
  // An agent is named with their agent point, as department staff are with their department.
  const passUp = await page.textContent("#timeline li[data-action=agent_passed_up] .actor");
  assert.equal(passUp, "开元村代办员 · 开元村代办点", `the pass-up names the agent and their point: ${passUp}`);
  await shoot(page, "agent-matter-phone");
  await page.click("nav.tabs a[href='#list']");
  await page.waitForSelector("#matter-list [data-level=township]");
  assert.match(await page.textContent("#my-point"), /开元村代办点/, "the desk names the agent's own point");
  await shoot(page, "agent-list-phone");
  await context.close();
}

// ---- 4. the figures, for the command centre ----
step("centre: the window's and the agent service's figures");
for (const [path, table] of [["/mediation.html#figures", "#figures-total"], ["/agent.html#figures", "#figures-level"]]) {
  const { page, context } = await open("desktop", path);
  await signIn(page, people.centre);
  await page.waitForSelector(`${table} tbody tr`);
  await shoot(page, `${path.slice(1).replace(/\.html#/, "-")}-desktop`);
  await context.close();
}

// ---- 5. screenshots of both pages at both widths; first load, before images ----
step("screenshots at phone and desktop widths");
await shootWidths("mediation", "/mediation.html", mediator, { english: true });
await shootWidths("agent", "/agent.html", agent, { english: true });
await shootWidths("mediation-intake", "/mediation.html#intake", mediator);
await shootWidths("agent-take", "/agent.html#take", agent);
step("page sizes");
await recordSizes("page-sizes-mediation.json", [["/mediation.html", mediator], ["/agent.html", agent]]);

await browser.close();
step("done");
