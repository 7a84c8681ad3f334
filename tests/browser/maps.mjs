// Browser scenarios for the maps (static/map.js over Leaflet), run by
// tests/e2e/browser_maps.rs against the app with the demo tenant. Tiles
// come from a local fixture (fixtures/tile.png) answered by the browser
// itself: no request leaves the machine, and the test fails if a page asks
// for anything else off this host. Environment: BASE_URL, OUT_DIR
// (screenshots), CHROMIUM. Exits non-zero at the first failed expectation.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { accessible, apiCall, browser, leaks, mapLabelsApart, openHermetic, people, shoot, signIn, step, tileRequests } from "./lib.mjs";

const Coords = createRequire(import.meta.url)("../../static/coords.js");

// ---- 1. the one conversion, against published reference points ----
step("coords: WGS-84 ⇄ GCJ-02 against reference points");
// [WGS-84 lat, lon, GCJ-02 lat, lon]: Shanghai, Shenzhen, Beijing (the eviltransform project's test points).
const references = [
  [31.1774276, 121.5272106, 31.17530398364597, 121.531541859215],
  [22.543847, 113.912316, 22.540796131694766, 113.9171764808363],
  [39.911954, 116.377817, 39.91334545536069, 116.38404722455657],
];
for (const [wLat, wLon, gLat, gLon] of references) {
  const gcj = Coords.wgsToGcj({ latitude: wLat, longitude: wLon });
  assert.ok(Math.abs(gcj.latitude - gLat) < 1e-6 && Math.abs(gcj.longitude - gLon) < 1e-6, `WGS-84 → GCJ-02 at ${wLat}, ${wLon}: ${JSON.stringify(gcj)}`);
  const back = Coords.gcjToWgs({ latitude: gLat, longitude: gLon });
  assert.ok(Coords.metres(back, { latitude: wLat, longitude: wLon }) < 0.01, `GCJ-02 → WGS-84 at ${gLat}, ${gLon}: ${JSON.stringify(back)}`);
}
// gcoord's reference (123 E, 45 N), and no offset outside China.
const gcoord = Coords.wgsToGcj({ latitude: 45, longitude: 123 });
assert.ok(Math.abs(gcoord.longitude - 123.00607541) < 1e-7 && Math.abs(gcoord.latitude - 45.00197815) < 1e-7, JSON.stringify(gcoord));
assert.deepEqual(Coords.wgsToGcj({ latitude: 51.5, longitude: -0.12 }), { latitude: 51.5, longitude: -0.12 });
assert.deepEqual(Coords.toTiles("cgcs2000", { latitude: 30.275, longitude: 120.153 }), { latitude: 30.275, longitude: 120.153 }, "天地图's CGCS2000 takes WGS-84 as it is");

// ---- the browser: every request off this host is answered here (tiles from the fixture), or refused and counted (lib.mjs) ----
const open = openHermetic;
const api = apiCall;
const admin = (await api("POST", "/auth/login", { body: { login: people.admin[0], password: people.admin[1] } })).token;
const grid = await api("GET", "/admin/grid?geometry=true");
const flat = [];
(function walk(nodes) { for (const n of nodes) { flat.push(n); walk(n.children || []); } })(grid.nodes);
const centre = (code) => {
  const ring = flat.find((n) => n.code === code).geometry.coordinates[0];
  const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
  return { longitude: (Math.min(...xs) + Math.max(...xs)) / 2, latitude: (Math.min(...ys) + Math.max(...ys)) / 2 };
};
const inside = (code, { latitude, longitude }) => {
  const ring = flat.find((n) => n.code === code).geometry.coordinates[0];
  const xs = ring.map((p) => p[0]), ys = ring.map((p) => p[1]);
  return longitude > Math.min(...xs) && longitude < Math.max(...xs) && latitude > Math.min(...ys) && latitude < Math.max(...ys);
};
/** The middle of what shows of a shape on the map (it may reach past the map's edge). */
async function visibleMiddle(page, code) {
  const shape = await page.locator(`#map path[data-code="${code}"]`).boundingBox();
  const map = await page.locator("#map").boundingBox();
  const [x0, x1] = [Math.max(shape.x, map.x + 50), Math.min(shape.x + shape.width, map.x + map.width - 10)];
  const [y0, y1] = [Math.max(shape.y, map.y + 10), Math.min(shape.y + shape.height, map.y + map.height - 20)];
  assert.ok(x0 < x1 && y0 < y1, `${code} shows on the map`);
  return [(x0 + x1) / 2, (y0 + y1) / 2];
}
/** The map's view: its centre and zoom, to see that a tap does not move it. */
const view = (page) => page.evaluate(() => {
  const map = document.querySelector("#map").leaflet;
  return { lat: map.getCenter().lat, lng: map.getCenter().lng, zoom: map.getZoom() };
});
/** Where the marker is drawn, on the tiles' coordinates. */
const markerAt = (page) => page.evaluate(() => {
  let found = null;
  document.querySelector("#map").leaflet.eachLayer((l) => { if (l.options && l.options.draggable) found = l.getLatLng(); });
  return found && { latitude: found.lat, longitude: found.lng };
});

// ---- 2. no tiles set: 天地图 by default, which needs the tenant's key ----
step("resident portal: 天地图 without a key shows the grid and says what is missing");
{
  const { page, context } = await open("phone", "/");
  await page.waitForSelector("#map + .map-notice");
  assert.match(await page.textContent("#map + .map-notice"), /天地图密钥/, "under the map, a line says the base map needs the key");
  assert.equal(await page.locator("#map .leaflet-tile").count(), 0, "no tile is asked for without a key");
  const named = await mapLabelsApart(page, "#map", 2);
  assert.ok(named.includes("金山社区") && named.includes("开元村"), `the communities are named: ${named}`);
  await shoot(page, "maps-no-key-phone");
  await context.close();
}
assert.equal(tileRequests.length, 0, "no tile was requested without a key");

// ---- 3. a GCJ-02 provider set through the API: positions are converted both ways ----
step("admin API: the tenant draws on AMap (GCJ-02)");
const amap = {
  base_url: "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
  overlay_url: null, subdomains: "1234", attribution: "© 高德地图", crs: "gcj02", key: null, max_zoom: 18,
};
const saved = await api("PUT", "/admin/map", { token: admin, body: amap });
assert.equal(saved.configured, true);
assert.equal((await api("GET", "/admin/map")).crs, "gcj02", "anyone reads the tenant's tiles");

for (const kind of ["phone", "desktop"]) {
  step(`resident portal (${kind}): pick by tapping, by dragging, by keyboard; use my location`);
  const spot = centre("JK-01-G1-M1");
  const { page, context } = await open(kind, "/", { geolocation: spot, permissions: ["geolocation"] });
  await page.waitForSelector("#map .leaflet-tile-loaded");
  assert.ok(tileRequests.length > 0, "the tiles came from the fixture");
  assert.match(await page.textContent("#map .leaflet-control-attribution"), /高德地图/, "the provider is credited");
  assert.equal(await page.getAttribute("#map .leaflet-control-zoom-in", "aria-label"), "放大", "the map's buttons speak the page's language");
  const named = await mapLabelsApart(page, "#map", 3);
  assert.ok(named.includes("金山社区") && named.includes("开元村"), `the communities are named: ${named}`);
  await page.locator("#map").scrollIntoViewIfNeeded();

  // A tap inside the first micro-grid: the marker goes there, the grid is named, the map stays put.
  const before = await view(page);
  const m1 = await page.locator('#map path[data-code="JK-01-G1-M1"]').boundingBox();
  if (kind === "phone") await page.touchscreen.tap(m1.x + m1.width / 2, m1.y + m1.height / 2);
  else await page.mouse.click(m1.x + m1.width / 2, m1.y + m1.height / 2);
  await page.waitForFunction(() => /1号楼微网格/.test(document.querySelector("#place").textContent));
  assert.match(await page.textContent("#place"), /金山社区 第1网格 1号楼微网格/, "the pick names the path down to the micro-grid");
  assert.deepEqual(await view(page), before, "the map does not move when tapped");
  const pin = await page.locator("#map .map-pin").boundingBox();
  assert.ok(pin.width >= 40 && pin.height >= 50, `the marker is large enough for a thumb: ${JSON.stringify(pin)}`);
  // What the page keeps is WGS-84 inside the micro-grid's stored shape; the marker sits at its GCJ-02 place.
  const picked = await page.evaluate(() => place);
  assert.ok(inside("JK-01-G1-M1", picked), `the stored place is WGS-84 inside 1号楼微网格: ${JSON.stringify(picked)}`);
  const drawn = await markerAt(page);
  const expected = Coords.wgsToGcj(picked);
  assert.ok(Coords.metres(drawn, expected) < 0.5, `the marker is at the place's GCJ-02 position: ${JSON.stringify({ drawn, expected })}`);
  assert.ok(Coords.metres(drawn, picked) > 100, "GCJ-02 is offset here, so the round trip was needed");
  if (kind === "phone") await shoot(page, "maps-tapped-phone");

  // Dragging the marker into the second micro-grid picks there.
  const m2 = await page.locator('#map path[data-code="JK-01-G1-M2"]').boundingBox();
  const grip = await page.locator("#map .map-pin").boundingBox();
  // Held by its point (the pin's last pixels), so that it is dropped where the pointer lets go.
  await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height - 3);
  await page.mouse.down();
  await page.mouse.move(m2.x + m2.width / 2, m2.y + m2.height / 2, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(() => /2号楼微网格/.test(document.querySelector("#place").textContent));
  assert.ok(inside("JK-01-G1-M2", await page.evaluate(() => place)), "the dragged-to place is WGS-84 inside 2号楼微网格");
  assert.deepEqual(await view(page), before, "dragging the marker does not move the map");

  // The keyboard: arrows move the marker (the map's own arrows do not pan it), Enter picks.
  await page.focus("#map .map-pin");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  const moved = await markerAt(page);
  const dragged = JSON.stringify(await page.evaluate(() => place));
  await page.keyboard.press("Enter");
  await page.waitForFunction((at) => JSON.stringify(place) !== at, dragged);
  const keyed = await page.evaluate(() => place);
  assert.ok(Coords.metres(Coords.wgsToGcj(keyed), moved) < 0.5, "Enter picks where the arrows moved the marker");
  assert.match(await page.textContent("#place"), /已在地图上选择：/);

  // "Use my location": the phone's WGS-84 position, named by its grid, not by numbers.
  await page.click("#locate");
  await page.waitForFunction(() => /^您在：/.test(document.querySelector("#place").textContent));
  assert.equal(await page.textContent("#place"), "您在：金山社区 第1网格 1号楼微网格");
  assert.ok(Coords.metres(await page.evaluate(() => place), spot) < 0.2, "the position is kept as the phone gave it (WGS-84)");
  assert.ok(Coords.metres(await markerAt(page), Coords.wgsToGcj(spot)) < 0.5, "the marker shows it at its GCJ-02 place");
  await accessible(page);
  await shoot(page, `maps-located-${kind}`);

  if (kind === "phone") {
    // The report goes with the place picked by dragging into 2号楼微网格: the e2e test reads where the server put it.
    const [x, y] = await visibleMiddle(page, "JK-01-G1-M2");
    await page.touchscreen.tap(x, y);
    await page.waitForFunction(() => /2号楼微网格/.test(document.querySelector("#place").textContent));
    await page.click("#categories label:has-text('垃圾清运')");
    await page.fill("#report-form [name=description]", "地图测试：2号楼门口垃圾堆放");
    await page.click("#report-form button[type=submit]");
    // The demo has a like report nearby: this one is different, and says so.
    await page.waitForSelector("#tracking-code, #report-result button:has-text('继续提交')");
    if (!(await page.$("#tracking-code"))) await page.click("#report-result button:has-text('继续提交')");
    await page.waitForSelector("#tracking-code");
  }
  await context.close();
}

// ---- 4. the admin sets 天地图's key on the admin page; the worker app and the board draw with it ----
step("admin page: choose 天地图 and enter its key");
{
  const { page, context } = await open("desktop", "/admin.html");
  await signIn(page, people.admin);
  await page.waitForSelector("#grid-map .leaflet-tile-loaded");
  await mapLabelsApart(page, "#grid-map", 3);
  await page.selectOption("#tiles-form [name=preset]", "tianditu");
  assert.equal(await page.inputValue("#tiles-form [name=crs]"), "cgcs2000");
  await page.fill("#tiles-form [name=key]", "0123456789abcdef0123456789abcdef");
  const asked = tileRequests.length;
  await page.click("#tiles-form button[type=submit]");
  await page.waitForSelector("#section-status.ok");
  for (let waited = 0; !tileRequests.slice(asked).some((u) => u.includes("tianditu")) && waited < 10000; waited += 100) await page.waitForTimeout(100);
  await page.waitForSelector("#grid-map .leaflet-tile-loaded");
  const tianditu = tileRequests.slice(asked);
  assert.ok(tianditu.some((u) => /tianditu\.gov\.cn\/vec_w\/.*tk=0123456789abcdef/.test(u)), `the vector layer with the key: ${tianditu.slice(0, 3)}`);
  assert.ok(tianditu.some((u) => /tianditu\.gov\.cn\/cva_w\//.test(u)), "and its annotation layer");
  await accessible(page);
  await shoot(page, "maps-admin-desktop");
  await context.close();
}
const tiles = await api("GET", "/admin/map");
assert.equal(tiles.crs, "cgcs2000");
assert.equal(tiles.needs_key, false);

step("worker app: locate shows the marker and picks the grid");
for (const kind of ["phone", "desktop"]) {
  const spot = centre("JK-01-G1-M2");
  const { page, context } = await open(kind, "/worker/", { geolocation: spot, permissions: ["geolocation"] });
  await signIn(page, people.worker);
  await page.waitForSelector("#map .leaflet-tile-loaded");
  await page.click("#locate");
  await page.waitForFunction(() => /^您在：/.test(document.querySelector("#place").textContent));
  assert.equal(await page.textContent("#place"), "您在：金山社区 第1网格 2号楼微网格");
  assert.notEqual(await page.inputValue("#report-form [name=grid_node_id]"), "", "the micro-grid is chosen in the list");
  // CGCS2000 tiles: the marker is where the phone is, unconverted.
  assert.ok(Coords.metres(await markerAt(page), spot) < 0.5, "on 天地图 the marker is at the WGS-84 position");
  await shoot(page, `maps-worker-${kind}`);
  await context.close();
}

step("board: a dot per grid on the base map");
for (const kind of ["phone", "desktop"]) {
  const { page, context } = await open(kind, "/board.html");
  await page.waitForSelector("#map path.node.dot");
  await page.waitForSelector("#map .leaflet-tile-loaded");
  await mapLabelsApart(page, "#map", 1);
  await shoot(page, `maps-board-${kind}`);
  await context.close();
}

assert.deepEqual(leaks, [], "no request left the machine");
console.log(`${tileRequests.length} tiles served from the fixture; no request left the machine`);
await browser.close();
