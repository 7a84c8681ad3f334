// Positions between the coordinate systems of map tiles: the one place
// where they are converted (docs/maps.md). The server stores and answers
// WGS-84 always, as phones report it; 天地图's CGCS2000 agrees with it to
// well under a metre, so only GCJ-02 tiles (AMap, Tencent: the offset
// Chinese commercial maps are obliged to draw in) need a conversion, both
// ways: a stored position is drawn at its GCJ-02 place on such tiles, and a
// place picked on them is turned back into WGS-84 before it is stored.
//
// The formula is the published one (Krasovsky 1940 ellipsoid); its inverse
// is found by iteration, to well under a centimetre. Outside China GCJ-02 is
// WGS-84. Plain script for the pages (global `Coords`), and a CommonJS
// module for Node (tests/browser/maps.mjs checks it against reference points).
"use strict";

const Coords = (() => {
  const A = 6378245.0; // Krasovsky's semi-major axis, in metres
  const EE = 0.00669342162296594323; // its first eccentricity, squared
  const PI = Math.PI;

  /** GCJ-02 leaves positions outside China as they are. */
  const outsideChina = (lat, lon) => lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;

  function offsetLat(x, y) {
    let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
    r += ((20 * Math.sin(y * PI) + 40 * Math.sin((y / 3) * PI)) * 2) / 3;
    r += ((160 * Math.sin((y / 12) * PI) + 320 * Math.sin((y * PI) / 30)) * 2) / 3;
    return r;
  }

  function offsetLon(x, y) {
    let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2) / 3;
    r += ((20 * Math.sin(x * PI) + 40 * Math.sin((x / 3) * PI)) * 2) / 3;
    r += ((150 * Math.sin((x / 12) * PI) + 300 * Math.sin((x / 30) * PI)) * 2) / 3;
    return r;
  }

  /** WGS-84 → GCJ-02, as {latitude, longitude}. */
  function wgsToGcj({ latitude, longitude }) {
    if (outsideChina(latitude, longitude)) return { latitude, longitude };
    const radLat = (latitude / 180) * PI;
    const magic = 1 - EE * Math.sin(radLat) ** 2;
    const sqrtMagic = Math.sqrt(magic);
    const dLat = (offsetLat(longitude - 105, latitude - 35) * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * PI);
    const dLon = (offsetLon(longitude - 105, latitude - 35) * 180) / ((A / sqrtMagic) * Math.cos(radLat) * PI);
    return { latitude: latitude + dLat, longitude: longitude + dLon };
  }

  /** GCJ-02 → WGS-84: the WGS-84 position whose GCJ-02 place this is. */
  function gcjToWgs({ latitude, longitude }) {
    if (outsideChina(latitude, longitude)) return { latitude, longitude };
    let guess = { latitude, longitude };
    for (let i = 0; i < 30; i++) {
      const there = wgsToGcj(guess);
      const dLat = latitude - there.latitude, dLon = longitude - there.longitude;
      guess = { latitude: guess.latitude + dLat, longitude: guess.longitude + dLon };
      if (Math.abs(dLat) < 1e-10 && Math.abs(dLon) < 1e-10) break;
    }
    return guess;
  }

  /** Metres between two positions (haversine; for tests and tolerances). */
  function metres(a, b) {
    const rad = (d) => (d * PI) / 180;
    const dLat = rad(b.latitude - a.latitude), dLon = rad(b.longitude - a.longitude);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  /** A stored (WGS-84) position where tiles drawn in `crs` show it. */
  const toTiles = (crs, place) => (crs === "gcj02" ? wgsToGcj(place) : { ...place });
  /** A position picked on tiles drawn in `crs`, in WGS-84 to store. */
  const fromTiles = (crs, place) => (crs === "gcj02" ? gcjToWgs(place) : { ...place });

  return { wgsToGcj, gcjToWgs, toTiles, fromTiles, metres, outsideChina };
})();

if (typeof module !== "undefined" && module.exports) module.exports = Coords;
