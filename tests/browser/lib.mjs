// The harness every browser scenario shares: the browser, fresh contexts,
// sign-in, the accessibility check, screenshots and first-load sizes.
// Environment: BASE_URL, OUT_DIR (screenshots, page sizes), CHROMIUM.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

export const base = process.env.BASE_URL;
export const out = process.env.OUT_DIR;
export const tenant = "demo";
export const people = {
  centre: ["zhihui", "demo-centre-2026"],
  worker: ["wangwu", "demo-worker-2026"],
  staff: ["chengguan", "urban-staff-2026"],
  admin: ["admin", "demo-admin-2026"],
  volunteer: ["zhiyuan", "demo-volunteer-2026"],
};
export const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
export const desktop = { viewport: { width: 1280, height: 800 } };
// A real 1x1 PNG: the intake reads a file's type from its bytes.
export const photo = (name) => ({
  name, mimeType: "image/png",
  buffer: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64"),
});

/** A camera-sized photo the intake would refuse as it is (BMP, over 1 MB): the page must shrink it to a JPEG. */
export function bigBitmap(name, width = 700, height = 520) {
  const row = Math.ceil((width * 3) / 4) * 4;
  const buffer = Buffer.alloc(54 + row * height);
  buffer.write("BM", 0);
  buffer.writeUInt32LE(buffer.length, 2);
  buffer.writeUInt32LE(54, 10);
  buffer.writeUInt32LE(40, 14);
  buffer.writeInt32LE(width, 18);
  buffer.writeInt32LE(height, 22);
  buffer.writeUInt16LE(1, 26);
  buffer.writeUInt16LE(24, 28);
  buffer.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const at = 54 + y * row + x * 3;
    buffer[at] = (x * 255) / width; buffer[at + 1] = (y * 255) / height; buffer[at + 2] = 120;
  }
  return { name, mimeType: "image/bmp", buffer };
}

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
});
export const started = Date.now();
export const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

// A failed scenario leaves each open page's screenshot and markup beside the
// others and prints what the pages were saying (errors and status lines), so
// a failure in CI can be read from its log.
process.on("uncaughtException", async (error) => {
  console.error(error);
  const script = basename(process.argv[1], ".mjs");
  for (const [i, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    const said = await page.evaluate(() => [...document.querySelectorAll(".error, [role=status], [aria-live]")]
      .map((el) => el.textContent.trim()).filter(Boolean)).catch(() => []);
    console.error(`${script}-failed-${i}: ${page.url()} said ${JSON.stringify(said)}`);
    await shoot(page, `${script}-failed-${i}`).catch(() => {});
    writeFileSync(join(out, `${script}-failed-${i}.html`), await page.content().catch(() => ""));
  }
  process.exit(1);
});

/**
 * A fresh browser profile (no cache, no storage) with errors reported, on a
 * device set to the demo tenant's language and time zone, as its people's
 * are (times the pages show then agree with those the server writes).
 */
export async function open(kind, path, options = {}) {
  const context = await browser.newContext({ ...(kind === "phone" ? phone : desktop), locale: "zh-CN", timezoneId: "Asia/Shanghai", ...options });
  const page = await context.newPage();
  page.on("pageerror", (error) => { throw new Error(`page error on ${path}: ${error.message}`); });
  await page.goto(base + path);
  return { context, page };
}

// ---- a browser that reaches nothing off this machine ----
const here = new URL(base).origin;
const tile = readFileSync(new URL("./fixtures/tile.png", import.meta.url));
/** The tiles answered from the fixture, and the requests off this host refused (each scenario asserts none). */
export const tileRequests = [];
export const leaks = [];

/**
 * `open`, but every request off this host is answered here: a tile of the
 * providers the tests configure (天地图, AMap) with the fixture
 * (fixtures/tile.png), as a provider answers; anything else refused and
 * counted in `leaks`.
 */
export async function openHermetic(kind, path, options = {}) {
  const context = await browser.newContext({ ...(kind === "phone" ? phone : desktop), locale: "zh-CN", timezoneId: "Asia/Shanghai", ...options });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === here) return route.continue();
    if (/(^|\.)(tianditu\.gov\.cn|autonavi\.com)$/.test(url.hostname) && route.request().resourceType() === "image") {
      tileRequests.push(url.href);
      return route.fulfill({ status: 200, contentType: "image/png", body: tile });
    }
    leaks.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => { throw new Error(`page error on ${path}: ${error.message}`); });
  await page.goto(base + path);
  return { context, page };
}

/** A call to the demo tenant's API (`token` signs it); fails unless it answers `expect` (by default any 2xx). */
export async function apiCall(method, path, { token, body, expect } = {}) {
  const response = await fetch(`${base}/api/t/${tenant}${path}`, {
    method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (expect !== undefined) assert.equal(response.status, expect, `${method} ${path}: ${JSON.stringify(answer)}`);
  else assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

export async function signIn(page, [login, password]) {
  await page.fill("#login-form [name=tenant]", tenant);
  await page.fill("#login-form [name=login]", login);
  await page.fill("#login-form [name=password]", password);
  await page.click("#login-form button[type=submit]");
  await page.waitForSelector("#app-view:not([hidden])");
}

export async function context_permissions(context) {
  await context.grantPermissions(["microphone", "geolocation"]);
}

/** Every form control has a name people and screen readers can read; every image a text. */
export async function accessible(page) {
  const problems = await page.evaluate(() => [...document.querySelectorAll("input, select, textarea, button, img, svg[role]")]
    .filter((el) => el.getClientRects().length > 0 || el.closest("label"))
    .filter((el) => {
      if (el.type === "hidden") return false;
      if (el.tagName === "IMG") return !el.alt && !el.closest("[aria-hidden=true]"); // a map's tiles are hidden, not described
      if (el.tagName === "BUTTON") return !el.textContent.trim() && !el.getAttribute("aria-label");
      if (el.tagName.toLowerCase() === "svg") return !el.getAttribute("aria-label");
      return !(el.labels && el.labels.length) && !el.getAttribute("aria-label");
    })
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(problems, [], `unlabelled controls on ${page.url()}`);
}

/**
 * The names drawn on the grid map at `selector` are readable and stand
 * apart: at least `least` shown, none under 10 px, none over another (a
 * community's name never on its grid's).
 */
export async function mapLabelsApart(page, selector = "#map", least = 1) {
  // The names map.js draws over a Leaflet map (`.map-label`), or an SVG map's `text.label`.
  const shown = `${selector} .map-label:not(.hidden), ${selector} text.label:not([display=none])`;
  await page.waitForSelector(shown);
  const labels = await page.$$eval(shown, (all) => all.map((l) => {
    const r = l.getBoundingClientRect();
    return { name: l.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom };
  }));
  assert.ok(labels.length >= least, `${page.url()}: at least ${least} names on the map: ${JSON.stringify(labels)}`);
  for (const [i, a] of labels.entries()) {
    assert.ok(a.y1 - a.y0 >= 10, `${page.url()}: ${a.name} is readable on the map (${(a.y1 - a.y0).toFixed(1)} px)`);
    for (const b of labels.slice(i + 1)) {
      const over = a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5;
      assert.ok(!over, `${page.url()}: the map's names ${a.name} and ${b.name} overlap: ${JSON.stringify([a, b])}`);
    }
  }
  return labels.map((l) => l.name);
}

export async function shoot(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  // On a phone nothing pushes the page sideways (a wide table scrolls in its own box).
  const { width, wide } = await page.evaluate(() => ({ width: window.innerWidth, wide: document.documentElement.scrollWidth }));
  if (width <= 480) assert.ok(wide <= width, `${name}: the page is ${wide} px wide on a ${width} px phone`);
}

/**
 * A page's first load in a fresh browser profile (nothing cached), before
 * images, from the page's own resource timing: `bytes_before_images` as
 * transferred (`transferSize`: compressed as the server sent it for the
 * browser's own `Accept-Encoding`, headers included) and
 * `raw_bytes_before_images` (`decodedBodySize`: the files as they are),
 * with each file's two figures. Signed in as `who` when given: the session
 * (kept in localStorage) is carried into a fresh profile, so the signed-in
 * load is a first load too. Then `reload_bytes`: the same page reloaded,
 * which costs what revalidation (`304`) leaves.
 */
export async function measure(path, who) {
  let storageState;
  if (who) {
    const signing = await open("phone", path);
    await signIn(signing.page, who);
    storageState = await signing.context.storageState();
    await signing.context.close();
  }
  const { context, page } = await open("phone", path, storageState ? { storageState } : {});
  await page.waitForLoadState("networkidle");
  const timing = () => page.evaluate(() => {
    const [nav] = performance.getEntriesByType("navigation");
    const counted = performance.getEntriesByType("resource")
      .filter((r) => r.initiatorType !== "img" && !/\.(png|jpe?g|webp|gif|svg|ico)$/.test(new URL(r.name).pathname));
    const all = [nav, ...counted];
    const sum = (key) => all.reduce((total, e) => total + (e[key] || 0), 0);
    return {
      bytes_before_images: sum("transferSize"),
      raw_bytes_before_images: sum("decodedBodySize"),
      requests: all.length,
      files: all.map((e) => new URL(e.name).pathname),
      transferred_and_raw: all.map((e) => [new URL(e.name).pathname, e.transferSize, e.decodedBodySize]),
    };
  });
  const figures = await timing();
  await page.reload();
  await page.waitForLoadState("networkidle");
  figures.reload_bytes = (await timing()).bytes_before_images;
  await context.close();
  return figures;
}

/**
 * Screenshots of `path` at phone and desktop widths (`{name}-phone.png`,
 * `{name}-desktop.png`), signed in as `who` when given; with `english`, the
 * phone one again after the language switch (`{name}-english-phone.png`).
 */
export async function shootWidths(name, path, who, { english = false } = {}) {
  for (const kind of ["phone", "desktop"]) {
    const { context, page } = await open(kind, path);
    if (who) await signIn(page, who);
    await page.waitForLoadState("networkidle");
    await shoot(page, `${name}-${kind}`);
    if (english && kind === "phone") {
      await page.click("#lang");
      await page.waitForSelector("html[lang=en]");
      await shoot(page, `${name}-english-${kind}`);
    }
    await context.close();
  }
}

/**
 * Each page's first load, signed out and signed in as its person
 * (`[path, who]` pairs; a public page's `who` is null), written to `file`
 * in OUT_DIR; fails if any is 200 KB or more before images.
 */
export async function recordSizes(file, pages) {
  const sizes = {};
  for (const [path, who] of pages) {
    sizes[path] = await measure(path);
    if (who) sizes[`${path} (signed in)`] = await measure(path, who);
  }
  writeFileSync(join(out, file), JSON.stringify(sizes, null, 2));
  for (const [path, s] of Object.entries(sizes)) {
    console.log(`${path}: ${s.bytes_before_images} bytes transferred (${s.raw_bytes_before_images} raw) in ${s.requests} requests; a reload ${s.reload_bytes}`);
    assert.ok(s.bytes_before_images < 200 * 1024, `${path} is under 200 KB as transferred before images`);
  }
  return sizes;
}

/**
 * Words of Latin letters a Chinese page may show: formats, protocols and
 * units that Chinese users read as they are. Anything else in Latin letters
 * on a page in Chinese is English that leaked (a server's `detail`, a code
 * shown for want of its name, a tenant's English name). Kept short on
 * purpose: a word belongs here only when the Chinese page would write it
 * so too. A scenario passes its own extras (`noEnglish(page, ["Wi"])`).
 */
export const LATIN_ALLOWED = [
  "API", "CSV", "GeoJSON", "JSON", "XML", "PDF", "PNG", "JPEG", "JPG", "URL", "ID", "SMS", "HTTP", "HTTPS",
  "Open311", "Webhook", "Leaflet", "ECharts", "km", "cm", "mm", "kg", "KB", "MB", "GB", "px",
  // 天地图's name for its key, as its own console writes it.
  "tk",
];

/**
 * Fails when the visible text of `page`, which must be in Chinese
 * (`<html lang="zh-CN">`), has a word in Latin letters that is not allowed.
 *
 * Not counted: what is no word but a code or a figure — tracking codes
 * (`7K3MX-Q9P2A`), anything with a digit in it (grid codes, `WGS-84`,
 * `GCJ-02`, `3号楼`, phone numbers), single letters (`A座`), web addresses,
 * e-mail addresses and a URL template's placeholders (`{key}`, `{x}`); the words of `LATIN_ALLOWED` and of `allow`; the
 * language switch (`#lang`, which names English in English); what a page
 * marks `translate="no"` (a name or code shown exactly as it was typed:
 * a login, a file's name); a map's attribution (the tile provider's own
 * legal text). Counted: text nodes of rendered elements, the chosen option
 * of each select, the placeholder of each field.
 */
export async function noEnglish(page, allow = []) {
  const found = await page.evaluate(() => {
    const skip = (el) => !el || el.closest("script, style, noscript, template, #lang, [translate=no], .leaflet-control-attribution")
      || (el.checkVisibility ? !el.checkVisibility({ visibilityProperty: true, opacityProperty: true }) : !el.getClientRects().length);
    const texts = [document.documentElement.lang];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || (el && el.closest("option, select")) || skip(el)) continue;
      texts.push(node.textContent);
    }
    for (const select of document.querySelectorAll("select")) if (!skip(select) && select.selectedOptions[0]) texts.push(select.selectedOptions[0].textContent);
    for (const field of document.querySelectorAll("[placeholder]")) if (!skip(field)) texts.push(field.getAttribute("placeholder"));
    return texts;
  });
  const [lang, ...texts] = found;
  assert.match(lang, /^zh/, `${page.url()} is in Chinese (html lang=${lang})`);
  const allowed = new Set([...LATIN_ALLOWED, ...allow]);
  const words = [];
  for (const text of texts) {
    const plain = text
      .replace(/\b(?:https?:\/\/|www\.)\S+/g, " ")
      .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, " ")
      .replace(/\{[A-Za-z_]+\}/g, " ")
      .replace(/\b[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}\b/g, " ");
    for (const token of plain.match(/[0-9A-Za-zÀ-ɏ][0-9A-Za-zÀ-ɏ'’.-]*/g) || []) {
      const word = token.replace(/[.'’-]+$/, "");
      if (/[0-9]/.test(word) || word.length < 2 || allowed.has(word)) continue;
      words.push(`${word} (in "${text.trim().slice(0, 80)}")`);
    }
  }
  assert.deepEqual(words, [], `English on the Chinese page ${page.url()}`);
}
