// The grid-worker app's service worker: keeps the app's own files so it
// opens without a signal. Reports are not queued here but in the page
// (IndexedDB), which sends them with idempotency keys when online.
"use strict";
const CACHE = "worker-shell-v3";
const SHELL = ["/worker/", "/worker/worker.js", "/worker/patrol.js", "/worker/worker.css", "/worker/manifest.webmanifest", "/worker/icon.svg", "/common.js", "/app.css",
  "/map.js", "/map.css", "/coords.js", "/vendor/leaflet-1.9.4/leaflet.js", "/vendor/leaflet-1.9.4/leaflet.css"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The app's files: the network first (so an update shows at once), the
// cache when there is no network. The API is never cached here.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = url.pathname === "/worker/index.html" ? "/worker/" : url.pathname;
  if (!SHELL.includes(key)) return;
  event.respondWith(fetch(event.request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(key, copy));
      }
      return response;
    })
    .catch(() => caches.match(key)));
});
