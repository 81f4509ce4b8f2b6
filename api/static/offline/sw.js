/* The offline verifier's service worker (issue 14, item 4), served as /verify/offline-sw.js
   with the scope /verify/offline: it keeps the page (with the trust material inside it) and
   its scripts and styles in a cache, so that a later visit works with no network at all.
   Network first: online, every request goes to the office and the cached copy is refreshed
   (new trust material, a new script); offline, the cached copy answers, except to the
   page's refresh button (header X-ZZ-Refresh), which is told it is offline. Nothing else is
   stored, and nothing typed into the page ever reaches this worker (the check runs in the
   page). Paths are relative to this script, so a root path (a proxy prefix) is kept. */
"use strict";
const CACHE = "zz-offline-v1";
const PRECACHE = ["offline", "../static/style.css", "../static/verifier.css",
  "../static/offline.css", "../static/base.js", "../static/offline/verifier.js"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(
    PRECACHE.map((path) => new Request(new URL(path, self.location).href, { cache: "reload" }))
  )).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith("zz-offline-") && name !== CACHE)
      .map((name) => caches.delete(name)))).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  // The page's refresh button asks for the network only: offline it must hear so, not get
  // the saved copy back as if it were new.
  const refresh = request.headers.get("X-ZZ-Refresh") === "1";
  event.respondWith(fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request.url, copy));
    }
    return response;
  }, () => (refresh ? Response.error() : caches.open(CACHE)
    .then((cache) => cache.match(request, { ignoreSearch: true }))
    .then((hit) => hit || Response.error()))));
});
