// The maps of every page, drawn with Leaflet (static/vendor/leaflet) over
// the tenant's street map, with the grid's shapes and names on top. Needs
// common.js, coords.js and vendor/leaflet-1.9.4/leaflet.js loaded before it, and
// vendor/leaflet-1.9.4/leaflet.css with map.css. docs/maps.md says how a tenant
// sets its tiles.
//
// What pages call (positions are always WGS-84 {latitude, longitude}, as
// the API stores them; conversion to the tiles' system happens here, in
// Coords, and nowhere else):
//
//   gridMap(container, nodes, { tenant, onPick, pickable = !!onPick, marks })
//     → Promise<handle | null>
//     The grid's shapes (`nodes`: GET …/admin/grid?geometry=true's tree, or
//     a flat list) with their names. With `onPick`, a place is picked by a
//     tap or click, by dragging the large marker, or from the keyboard
//     (arrows move the marker, Enter picks; + and − zoom), and
//     onPick({latitude, longitude, node, path, text}) is called: `node` the
//     smallest shape holding it (or null), `path` its community, grid and
//     micro-grid, `text` those names ("金山社区 第1网格 1号楼微网格").
//     `marks`: Point nodes drawn as dots (the board's), each dot's radius
//     from `marks.radius(node)` and its class from `marks.className(node)`.
//     The handle: { map, setPlace(place), useMyLocation() → Promise<pick>,
//     destroy() }. null when nothing has a shape.
//
//   placeMap(container, { latitude, longitude }, gridNodes, { tenant })
//     → Promise<handle>
//     A small read-only map of one place (a case's): a pin there and the
//     grid's shapes around it, named. For the console's case view.
//
//   trackMap(container, track, visits, gridNodes, { tenant, visitTitle })
//     → Promise<handle>
//     A patrol's track (`track`: [{lat, lng, at}], WGS-84 as the patrols API
//     gives it) as a line from its start (a green dot) to its end (a dark
//     one), its visits with a place as dots (`visitTitle(visit)` their
//     tooltip), over the grid's shapes; fitted to the track. Read-only.
//
//   findPlace(nodes, { latitude, longitude }) → { node, path, text }
//     The grid shapes holding a position, found from the shapes the page has
//     (the server's …/admin/grid/locate is for staff only).
//
//   mapTiles(tenant) → Promise<tiles>
//     The tenant's tile setting (GET …/admin/map; public), kept for the
//     page's life and on the device for offline use.
"use strict";

I18N.add({
  zh: {
    map_needs_key: "底图未显示：需要管理员在“管理 → 网格”中设置天地图密钥（tk）。当前仅显示网格边界。",
    map_pick_hint: "点击地图或拖动标记选择位置；也可用方向键移动标记，按回车确定。",
    map_marker: "位置标记：方向键移动，回车确定",
    map_place: "案件位置", map_track: "巡查轨迹：{0} 个位置点，{1} 处走访",
    you_are_at: "您在：{0}", zoom_in: "放大", zoom_out: "缩小",
    outside_grid: "您的位置不在本街道的网格范围内，请在地图上选择。",
  },
  en: {
    map_needs_key: "No base map: the admin must set the 天地图 key (tk) under Admin → Grid. Only the grid's shapes are shown.",
    map_pick_hint: "Tap the map or drag the marker to pick the place; or move the marker with the arrow keys and press Enter.",
    map_marker: "Place marker: arrow keys move it, Enter picks",
    map_place: "The case's place", map_track: "Patrol track: {0} positions, {1} visits",
    you_are_at: "You are at: {0}", zoom_in: "Zoom in", zoom_out: "Zoom out",
    outside_grid: "Your position is outside this township's grid; please pick the place on the map.",
  },
});

/** `text` as HTML that shows exactly those characters. */
function escapeHtml(text) {
  const holder = document.createElement("span");
  holder.textContent = text;
  return holder.innerHTML;
}

const MAP_LEVELS = { township: 0, community: 1, grid: 2, micro_grid: 3 };

// ---- the tenant's tiles ----
const tileSettings = new Map();
/** The tenant's tile setting; the last one seen on this device when offline; null when neither. */
function mapTiles(tenant) {
  if (!tileSettings.has(tenant)) {
    tileSettings.set(tenant, api("GET", tenantPath(tenant, "/admin/map"))
      .then((tiles) => { localStorage.setItem(`map:${tenant}`, JSON.stringify(tiles)); return tiles; })
      .catch(() => JSON.parse(localStorage.getItem(`map:${tenant}`) || "null")));
  }
  return tileSettings.get(tenant);
}

// ---- the grid's shapes: which hold a place ----
/** Every node of a nested tree (or a flat list), parents first, each with its `parent`. */
function mapNodes(nodes) {
  const out = [];
  const walk = (list, parent) => {
    for (const node of list || []) {
      out.push({ node, parent });
      walk(node.children, node);
    }
  };
  walk(nodes, null);
  const parents = new Map(out.map(({ node, parent }) => [node, parent]));
  // A flat list names parents by id.
  const byId = new Map(out.map(({ node }) => [node.id, node]));
  return out.map(({ node }) => ({ node, parent: parents.get(node) || byId.get(node.parent_id) || null }));
}

const polygonsOf = (g) => (g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : []);

/** Ray casting: is [lon, lat] inside the ring? */
function ringHolds([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
/** Inside a polygon: inside its outer ring and none of its holes. */
const insidePolygon = (point, [outer, ...holes]) => ringHolds(point, outer) && !holes.some((hole) => ringHolds(point, hole));

/** The smallest shape holding `place`, with its community, grid and micro-grid. */
function findPlace(nodes, { latitude, longitude }) {
  const all = mapNodes(nodes).filter(({ node }) => node.geometry && !node.retired);
  const holding = all.filter(({ node }) => polygonsOf(node.geometry).some((p) => insidePolygon([longitude, latitude], p)));
  holding.sort((a, b) => (MAP_LEVELS[a.node.level] || 0) - (MAP_LEVELS[b.node.level] || 0));
  const found = holding[holding.length - 1];
  if (!found) return { node: null, path: [], text: "" };
  const parentOf = new Map(mapNodes(nodes).map(({ node, parent }) => [node, parent]));
  const path = [];
  for (let node = found.node; node; node = parentOf.get(node)) if (node.level !== "township") path.unshift(node);
  return { node: found.node, path, text: path.map((n) => n.name).join(" ") };
}

// ---- drawing ----
/** The Leaflet map in `container`, over the tenant's tiles, with `crs` conversions. */
async function baseMap(container, tenant, options) {
  container.classList.add("map", "leaflet-map");
  const tiles = await mapTiles(tenant);
  // Drawn again (a new grid, new tiles): the old map goes first, after the wait, so two draws never share the box.
  if (container.leaflet) container.leaflet.remove();
  const map = L.map(container, { zoomSnap: 0.5, minZoom: 3, maxZoom: (tiles && tiles.max_zoom) || 18, attributionControl: true, zoomControl: false, ...options });
  // The zoom buttons named in the page's language (Leaflet's own are English).
  L.control.zoom({ zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  container.leaflet = map;
  // A view before any layer (Leaflet adds layers once it has one); the page fits it to the grid.
  map.setView([35, 105], 4, { animate: false });
  map.attributionControl.setPrefix(false);
  // Tiles are pictures of streets, not content: screen readers skip them (the labels and the status line say where).
  map.getPane("tilePane").setAttribute("aria-hidden", "true");
  // Shown later (a tab, a folded section) or resized: Leaflet measures again.
  if (window.ResizeObserver) {
    const watch = new ResizeObserver(() => map.invalidateSize({ animate: false }));
    watch.observe(container);
    map.on("unload", () => watch.disconnect());
  }
  const crs = (tiles && tiles.crs) || "wgs84";
  const toMap = (place) => {
    const p = Coords.toTiles(crs, place);
    return L.latLng(p.latitude, p.longitude);
  };
  const fromMap = (latlng) => {
    const p = Coords.fromTiles(crs, { latitude: latlng.lat, longitude: L.Util.wrapNum(latlng.lng, [-180, 180], true) });
    return { latitude: +p.latitude.toFixed(6), longitude: +p.longitude.toFixed(6) };
  };
  if (tiles && !tiles.needs_key) {
    const layer = (url, attribution) => L.tileLayer(url, {
      subdomains: tiles.subdomains || "abc", key: tiles.key || "", maxZoom: tiles.max_zoom, attribution,
      className: "map-tiles",
    }).addTo(map);
    // Leaflet writes attribution as HTML: the tenant's words go in as text.
    layer(tiles.base_url, escapeHtml(tiles.attribution || ""));
    if (tiles.overlay_url) layer(tiles.overlay_url, "");
  }
  // Without its key the base map is not drawn, and a line under the map says so (over it, it would hide shapes to pick).
  container.classList.toggle("no-tiles", !tiles || tiles.needs_key);
  const notice = container.nextElementSibling && container.nextElementSibling.classList.contains("map-notice") ? container.nextElementSibling : null;
  if (tiles && !tiles.needs_key) { if (notice) notice.remove(); }
  else if (!notice) container.after(h("p", { class: "map-notice", role: "note", "data-t": "map_needs_key" }, t("map_needs_key")));
  return { map, toMap, fromMap, crs, tiles };
}

/**
 * The grid's shapes and names on `map`. Names are HTML labels of 13 px,
 * laid out again whenever the view changes, in what shows of each shape: a
 * shape that holds no other shape is named in its middle (left out when
 * the name does not fit it, as a micro-grid's at a low zoom), one that
 * holds others (a community around its grids) in its top-left corner, else
 * a line lower, else its bottom-left corner (so a community zoomed into is
 * still named); a dot is named beneath it; a name that would cover another,
 * or the map's controls, is left out. Every shape also names itself as a
 * tooltip on hover or tap.
 */
function drawShapes(base, nodes, { interactive, marks }) {
  const { map, toMap } = base;
  const shaped = mapNodes(nodes).map(({ node }) => node).filter((n) => n.geometry && !n.retired);
  shaped.sort((a, b) => (MAP_LEVELS[a.level] || 0) - (MAP_LEVELS[b.level] || 0));
  const bounds = L.latLngBounds([]);
  const labels = [];
  const label = (node, holds, shape) => {
    const el = h("span", { class: `map-label ${node.level}${holds ? " holder" : ""}`, "data-code": node.code, "data-level": node.level }, node.name);
    const marker = L.marker(shape.getBounds ? shape.getBounds().getCenter() : shape.getLatLng(), {
      icon: L.divIcon({ className: "map-label-anchor", html: el, iconSize: null }), interactive: false, keyboard: false, pane: "tooltipPane",
    }).addTo(map);
    labels.push({ node, holds, shape, el, marker });
  };
  for (const node of shaped) {
    const g = node.geometry;
    if (g.type === "Point") {
      const at = toMap({ longitude: g.coordinates[0], latitude: g.coordinates[1] });
      const dot = L.circleMarker(at, {
        radius: marks && marks.radius ? marks.radius(node) : 8, className: `node dot ${node.level} ${marks && marks.className ? marks.className(node) : ""}`,
        interactive: true, bubblingMouseEvents: interactive,
      }).addTo(map);
      if (marks && marks.title) dot.bindTooltip(marks.title(node), { direction: "top" });
      dot.getElement().dataset.code = node.code;
      bounds.extend(at);
      if (node.name) label(node, false, dot);
      continue;
    }
    const rings = polygonsOf(g).map((polygon) => polygon.map((ring) => ring.map(([longitude, latitude]) => toMap({ latitude, longitude }))));
    const shape = L.polygon(rings, { className: `node ${node.level}`, interactive: true, bubblingMouseEvents: true, fill: true }).addTo(map);
    shape.getElement().dataset.code = node.code;
    shape.bindTooltip(`${node.name} (${node.code})`, { sticky: true, className: "map-tip" });
    bounds.extend(shape.getBounds());
    if (!node.name) continue;
    const holds = (node.children || []).some((child) => child.geometry && child.geometry.type !== "Point")
      || shaped.some((other) => other.parent_id === node.id && other.geometry.type !== "Point");
    label(node, holds, shape);
  }
  // Named shapes first (what a place is), the deepest first; then the shapes around them, the largest first.
  labels.sort((a, b) => (a.holds - b.holds) || (a.holds ? 1 : -1) * ((MAP_LEVELS[a.node.level] || 0) - (MAP_LEVELS[b.node.level] || 0)));
  const layout = () => {
    const size = map.getSize();
    // The map's own controls (zoom, attribution, notices) are taken first: no name goes under them.
    const frame = map.getContainer().getBoundingClientRect();
    const taken = [...map.getContainer().querySelectorAll(".leaflet-control")].map((c) => c.getBoundingClientRect())
      .map((r) => ({ x0: r.left - frame.left, x1: r.right - frame.left, y0: r.top - frame.top, y1: r.bottom - frame.top }));
    const free = (r) => !taken.some((o) => r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1);
    // What shows of a box on screen: a shape reaching past the edge is named in its visible part.
    const shown = (b) => ({ x0: Math.max(b.x0, 0), y0: Math.max(b.y0, 0), x1: Math.min(b.x1, size.x), y1: Math.min(b.y1, size.y) });
    const gap = 4;
    for (const l of labels) {
      if (!l.w) { l.w = l.el.offsetWidth; l.h = l.el.offsetHeight; } // 13 px type: measured once
      const w = l.w, hgt = l.h;
      let spots = [];
      if (l.shape.getBounds) {
        const b = l.shape.getBounds();
        const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
        const box = shown({ x0: nw.x, y0: nw.y, x1: se.x, y1: se.y });
        if (box.x1 - box.x0 >= w + 2 * gap && box.y1 - box.y0 >= hgt + 2 * gap) {
          spots = l.holds
            // In its top-left corner, else a line lower, else its bottom-left corner; each also a
            // little to the right (past the zoom buttons, or another shape's name there).
            ? [box.y0 + gap, box.y0 + 2 * gap + hgt, box.y1 - gap - hgt]
              .flatMap((y) => [{ x: box.x0 + gap, y }, { x: box.x0 + gap + 48, y }])
              .filter((spot) => spot.x + w <= box.x1 - gap)
            : [{ x: (box.x0 + box.x1) / 2 - w / 2, y: (box.y0 + box.y1) / 2 - hgt / 2 }];
        }
      } else {
        const c = map.latLngToContainerPoint(l.shape.getLatLng()), r = l.shape.getRadius();
        spots = [{ x: c.x - w / 2, y: c.y + r + gap }].filter((s) => s.x >= 0 && s.x + w <= size.x && s.y + hgt <= size.y);
      }
      const around = ({ x, y }) => ({ x0: x - gap / 2, x1: x + w + gap / 2, y0: y - gap / 2, y1: y + hgt + gap / 2 });
      const spot = spots.find((s) => free(around(s)));
      l.el.classList.toggle("hidden", !spot);
      if (!spot) continue;
      taken.push(around(spot));
      // The label's anchor is its top-left corner.
      l.marker.setLatLng(map.containerPointToLatLng([spot.x, spot.y]));
    }
  };
  map.on("moveend viewreset resize", layout);
  return { bounds, layout, labels };
}

/** The large marker: a pin whose point is the place. */
function pinIcon(className = "") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 32 44");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M16 1C7.7 1 1 7.7 1 16c0 11 15 27 15 27s15-16 15-27C31 7.7 24.3 1 16 1z");
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", "16"); dot.setAttribute("cy", "16"); dot.setAttribute("r", "6");
  svg.append(path, dot);
  return L.divIcon({ className: `map-pin ${className}`, html: svg, iconSize: [40, 55], iconAnchor: [20, 54] });
}

async function gridMap(container, nodes, { tenant, onPick, pickable = !!onPick, marks } = {}) {
  if (!mapNodes(nodes).some(({ node }) => node.geometry)) {
    if (container.leaflet) { container.leaflet.remove(); container.leaflet = null; }
    if (container.nextElementSibling && container.nextElementSibling.classList.contains("map-notice")) container.nextElementSibling.remove();
    return null;
  }
  container.hidden = false;
  // A picking map: no double-tap zoom (a second tap must not move the view)
  // and our own keys (the arrows move the marker, not the map).
  const base = await baseMap(container, tenant, pickable ? { doubleClickZoom: false, keyboard: false } : {});
  const { map, toMap, fromMap } = base;
  const shapes = drawShapes(base, nodes, { interactive: pickable, marks });
  // A single dot (the board's one grid) is not drawn at the deepest zoom.
  const fit = () => map.fitBounds(shapes.bounds, { padding: [24, 24], maxZoom: 16, animate: false });
  if (shapes.bounds.isValid()) fit();
  // Drawn while hidden: fitted once it has a size.
  if (!container.offsetWidth) map.once("resize", () => { fit(); shapes.layout(); });
  shapes.layout();
  const handle = { map, destroy: () => map.remove() };
  if (!pickable) return handle;

  container.setAttribute("role", "application");
  container.setAttribute("aria-label", t("map_pick_hint"));
  container.tabIndex = 0;
  let marker = null;
  const pick = (place) => {
    const found = findPlace(nodes, place);
    const picked = { ...place, ...found };
    if (onPick) onPick(picked);
    return picked;
  };
  /** The marker at a WGS-84 `place` (made on first use); the view stays where it is. */
  const put = (place, waiting = false) => {
    const at = toMap(place);
    if (!marker) {
      marker = L.marker(at, { icon: pinIcon(), draggable: true, autoPan: true, keyboard: true, title: t("map_marker"), alt: t("map_marker"), zIndexOffset: 1000 }).addTo(map);
      marker.on("dragend", () => pick(fromMap(marker.getLatLng())));
      marker.getElement().addEventListener("keydown", keys);
    } else {
      marker.setLatLng(at);
    }
    marker.getElement().classList.toggle("waiting", waiting);
  };
  const keys = (event) => {
    // The map's own links (zoom, attribution) keep their keys.
    if (event.target !== container && !(marker && event.target === marker.getElement())) return;
    const step = { ArrowLeft: [-12, 0], ArrowRight: [12, 0], ArrowUp: [0, -12], ArrowDown: [0, 12] }[event.key];
    if (!step && !["Enter", " ", "+", "=", "-", "_"].includes(event.key)) return;
    event.preventDefault();
    event.stopPropagation();
    if (["+", "="].includes(event.key)) return map.zoomIn();
    if (["-", "_"].includes(event.key)) return map.zoomOut();
    const now = marker ? marker.getLatLng() : map.getCenter();
    if (step) {
      const moved = map.containerPointToLatLng(map.latLngToContainerPoint(now).add(step));
      put(fromMap(moved), true);
      map.panInside(marker.getLatLng(), { padding: [40, 60] });
      return;
    }
    put(fromMap(now));
    pick(fromMap(now));
  };
  container.addEventListener("keydown", keys);
  // A tap or click puts the marker there and picks; the map does not move.
  map.on("click", (event) => {
    const place = fromMap(event.latlng);
    put(place);
    pick(place);
  });
  handle.setPlace = (place) => { if (place) put(place); else if (marker) { marker.remove(); marker = null; } };
  handle.useMyLocation = async () => {
    const place = await locate();
    put(place);
    map.setView(toMap(place), Math.max(map.getZoom(), 16), { animate: false });
    return pick(place);
  };
  return handle;
}

async function placeMap(container, { latitude, longitude }, gridNodes, { tenant } = {}) {
  container.hidden = false;
  const base = await baseMap(container, tenant, { scrollWheelZoom: false, doubleClickZoom: true });
  const { map, toMap } = base;
  const shapes = drawShapes(base, gridNodes || [], { interactive: false });
  const at = toMap({ latitude, longitude });
  L.marker(at, { icon: pinIcon("fixed"), keyboard: false, interactive: false, title: t("map_place"), alt: t("map_place") }).addTo(map);
  container.setAttribute("role", "img");
  container.setAttribute("aria-label", `${t("map_place")}: ${findPlace(gridNodes || [], { latitude, longitude }).text || `${latitude}, ${longitude}`}`);
  map.setView(at, Math.min(base.tiles ? base.tiles.max_zoom : 18, 17), { animate: false });
  shapes.layout();
  return { map, destroy: () => map.remove() };
}

async function trackMap(container, track, visits, gridNodes, { tenant, visitTitle = (v) => v.note || "" } = {}) {
  container.hidden = false;
  const base = await baseMap(container, tenant, { scrollWheelZoom: false });
  const { map, toMap } = base;
  const shapes = drawShapes(base, gridNodes || [], { interactive: false });
  const line = (track || []).map((p) => toMap({ latitude: p.lat, longitude: p.lng }));
  const bounds = L.latLngBounds(line);
  if (line.length) {
    L.polyline(line, { className: "track", interactive: false }).addTo(map);
    L.circleMarker(line[0], { radius: 7, className: "track-start", interactive: false }).addTo(map);
    L.circleMarker(line[line.length - 1], { radius: 7, className: "track-end", interactive: false }).addTo(map);
  }
  const placed = (visits || []).filter((v) => v.place);
  for (const v of placed) {
    const at = toMap({ latitude: v.place.lat, longitude: v.place.lng });
    bounds.extend(at);
    const dot = L.circleMarker(at, { radius: 9, className: "visit-dot", bubblingMouseEvents: false }).addTo(map);
    // Leaflet writes a tooltip as HTML: the note goes in as text.
    dot.bindTooltip(escapeHtml(visitTitle(v)), { direction: "top" });
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [32, 32], maxZoom: 17, animate: false });
  else if (shapes.bounds.isValid()) map.fitBounds(shapes.bounds, { padding: [24, 24], maxZoom: 16, animate: false });
  shapes.layout();
  container.setAttribute("role", "img");
  container.setAttribute("aria-label", t("map_track", line.length, placed.length));
  return { map, destroy: () => map.remove() };
}
