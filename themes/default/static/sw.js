// Offline reading for a playbook site: keeps the pages a reader opens, the theme and the search
// index on the device, and answers from them only when the network cannot answer.
//
// The build writes this file at the site's root (`<base>sw.js`, scope: the base path, so older
// editions under editions/NAME/ are covered too) and replaces the SETTINGS line below with:
//   version  — a hash over every file of the build: any change to the site changes this file,
//              so browsers install the new worker;
//   enabled  — false when the site turned offline reading off: this worker then deletes its
//              caches and unregisters itself;
//   offline  — the page shown for a page that was never opened, when the network is out of reach;
//   precache — what is kept from the first visit: the hashed theme files, the offline page,
//              "My learning" and courses.json, the search page and manifest, and (small index)
//              every search shard and fragment.
//
// Caches (one set per site: their names end with the scope, so sites sharing a host never meet):
//   playbook-v<version> SCOPE  this build's precached files whose names do not change (pages,
//                              manifest); replaced as a whole when a new version activates.
//   playbook-assets SCOPE      content-hashed files (assets/…, search/t/…, search/f/…?b=…):
//                              one name, one content, so shared by every version; pruned on
//                              activate to what this version and the saved pages still use.
//   playbook-pages SCOPE       pages (and other files with fixed names) the reader opened.
//
// Strategy:
//   pages (navigations) and other fixed names: network first, so an online reader never sees a
//     stale page; every page that arrives whole (200, same origin, not redirected) replaces the
//     saved copy, so offline the reader gets the newest copy they have seen. A 404 or 410 removes
//     it. Offline: the saved copy, else the offline page.
//   content-hashed files: cache first; they never change under one name.
// Only GET requests of this origin under the scope are handled; nothing else is touched.

'use strict';

// The build replaces this line (see src/offline.rs); keep it on one line.
const SETTINGS = { version: 'unbuilt', enabled: false, offline: '', precache: [] };

const SCOPE = self.registration.scope;
const SCOPE_PATH = new URL(SCOPE).pathname;
const SUFFIX = ' ' + SCOPE;
const CURRENT = 'playbook-v' + SETTINGS.version + SUFFIX;
const ASSETS = 'playbook-assets' + SUFFIX;
const PAGES = 'playbook-pages' + SUFFIX;
const MATCH = { ignoreVary: true };
const PRECACHE = new Set(SETTINGS.precache.map((p) => new URL(p, SCOPE).href));

const isOurs = (name) => name.startsWith('playbook-') && name.endsWith(SUFFIX);

// Theme assets (`assets/style.3f2a1b9c0d.css`), search shards and dictionary, of the latest edition or an
// older one; search fragments are fixed by the `?b=` build id search.js asks them with.
const HASHED = /^(?:editions\/[^/]+\/)?(?:assets\/[^/]+\.[0-9a-f]{10}(?:\.[A-Za-z0-9]+)?|search\/t\/[^/]+)$/;
const FRAGMENT = /^(?:editions\/[^/]+\/)?search\/f\/[^/]+$/;

function isHashed(url) {
  const rel = url.pathname.slice(SCOPE_PATH.length);
  return HASHED.test(rel) || (FRAGMENT.test(rel) && url.searchParams.has('b'));
}

// A response worth keeping: complete, from this origin, not an error, not a redirect.
function keepable(res) {
  return res && res.status === 200 && res.type === 'basic' && !res.redirected;
}

const isHtml = (res) => /^text\/html\b/i.test(res.headers.get('Content-Type') || '');

// ---------------------------------------------------------------- install and activate
self.addEventListener('install', (event) => {
  // A new version takes over at once: pages are network first and hashed files never change,
  // so a page opened under the old version keeps working under the new one.
  self.skipWaiting();
  if (SETTINGS.enabled) event.waitUntil(precache());
});

async function precache() {
  const [assets, current] = await Promise.all([caches.open(ASSETS), caches.open(CURRENT)]);
  await Promise.all([...PRECACHE].map(async (href) => {
    const hashed = isHashed(new URL(href));
    const cache = hashed ? assets : current;
    // A hashed file kept by an earlier version is the same file: no need to download it again.
    if (hashed && (await cache.match(href, MATCH))) return;
    const res = await fetch(href, { cache: hashed ? 'default' : 'no-cache' });
    if (!keepable(res)) throw new Error(`cannot keep ${href} for offline reading: HTTP ${res.status}`);
    await cache.put(href, res);
  }));
}

self.addEventListener('activate', (event) => {
  event.waitUntil(SETTINGS.enabled ? activate() : removeSelf());
});

async function activate() {
  if (self.registration.navigationPreload) {
    await self.registration.navigationPreload.enable().catch(() => {});
  }
  const names = await caches.keys();
  await Promise.all(names.filter((n) => isOurs(n) && n.startsWith('playbook-v') && n !== CURRENT)
    .map((n) => caches.delete(n)));
  await self.clients.claim();
  await saveOpenPages();
  await pruneAssets();
}

// The pages open now were loaded before this worker could see them (the first visit), or under
// the version before: keep their current copies.
async function saveOpenPages() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const pages = await caches.open(PAGES);
  await Promise.all(windows.map(async (w) => {
    const url = new URL(w.url);
    const key = url.origin + url.pathname;
    if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE_PATH) || PRECACHE.has(key)) return;
    try {
      const res = await fetch(key);
      if (keepable(res) && isHtml(res)) await pages.put(key, res);
    } catch {
      // Offline while activating: the page is saved the next time it is opened online.
    }
  }));
}

// Hashed files are kept while this version precaches them or a saved page refers to them, so a
// page saved under an older version still has its own style sheet and scripts offline.
async function pruneAssets() {
  const [assets, pages] = await Promise.all([caches.open(ASSETS), caches.open(PAGES)]);
  const keep = new Set(PRECACHE);
  for (const req of await pages.keys()) {
    const res = await pages.match(req, MATCH);
    if (!res || !isHtml(res)) continue;
    const html = await res.text();
    for (const m of html.matchAll(/="([^"<>\s]+)"/g)) {
      try {
        keep.add(new URL(m[1].replaceAll('&amp;', '&'), req.url).href);
      } catch {
        // Not a URL.
      }
    }
  }
  await Promise.all((await assets.keys()).filter((r) => !keep.has(r.url)).map((r) => assets.delete(r)));
}

// Offline reading was turned off: remove every trace, so the site is served as if it never had it.
async function removeSelf() {
  const names = await caches.keys();
  await Promise.all(names.filter(isOurs).map((n) => caches.delete(n)));
  await self.registration.unregister();
}

// ---------------------------------------------------------------- requests
if (SETTINGS.enabled) {
  self.addEventListener('fetch', (event) => {
    const req = event.request;
    if (req.method !== 'GET' || req.headers.has('range')) return;
    const url = new URL(req.url);
    if (url.origin !== self.location.origin || !url.pathname.startsWith(SCOPE_PATH)) return;
    if (url.pathname === SCOPE_PATH + 'sw.js') return;
    if (req.mode === 'navigate') event.respondWith(navigation(event, url));
    else if (isHashed(url)) event.respondWith(hashedFile(event, url));
    else event.respondWith(fixedName(event, url));
  });

  self.addEventListener('message', (event) => {
    if (!event.data || event.data.type !== 'saved-pages' || !event.ports[0]) return;
    event.waitUntil(savedPages().then((list) => event.ports[0].postMessage(list)));
  });
}

// Where the copy of a fixed-name file lives: this version's cache if it is precached (never
// written at run time, so it always matches the version), else the reader's saved pages.
const storeFor = (key) => caches.open(PRECACHE.has(key) ? CURRENT : PAGES);

async function navigation(event, url) {
  // A page is the same page whatever its query (search/?q=…).
  const key = url.origin + url.pathname;
  let res;
  try {
    res = (await event.preloadResponse) || (await fetch(event.request));
  } catch {
    const saved = await (await storeFor(key)).match(key, MATCH);
    if (saved) return saved;
    const offline = SETTINGS.offline && (await (await caches.open(CURRENT)).match(new URL(SETTINGS.offline, SCOPE).href, MATCH));
    return offline || Response.error();
  }
  // The network answered: its answer is the page, whatever it is.
  if (!PRECACHE.has(key)) {
    if (keepable(res) && isHtml(res)) {
      const copy = res.clone();
      event.waitUntil(caches.open(PAGES).then((c) => c.put(key, copy)).catch(() => {}));
    } else if (res.status === 404 || res.status === 410) {
      event.waitUntil(caches.open(PAGES).then((c) => c.delete(key)).catch(() => {}));
    }
  }
  return res;
}

async function fixedName(event, url) {
  const key = url.href;
  try {
    const res = await fetch(event.request);
    if (!PRECACHE.has(key) && keepable(res)) {
      const copy = res.clone();
      event.waitUntil(caches.open(PAGES).then((c) => c.put(key, copy)).catch(() => {}));
    }
    return res;
  } catch (err) {
    const saved = await (await storeFor(key)).match(key, MATCH);
    if (saved) return saved;
    throw err;
  }
}

async function hashedFile(event, url) {
  const assets = await caches.open(ASSETS);
  const hit = await assets.match(url.href, MATCH);
  if (hit) return hit;
  const res = await fetch(event.request);
  if (keepable(res)) {
    const copy = res.clone();
    event.waitUntil(assets.put(url.href, copy).catch(() => {}));
  }
  return res;
}

// The saved pages, for the offline page's list: [{ url, title }] (title as in the HTML source).
async function savedPages() {
  const pages = await caches.open(PAGES);
  const list = [];
  for (const req of (await pages.keys()).slice(-200)) {
    const res = await pages.match(req, MATCH);
    if (!res || !isHtml(res)) continue;
    const title = /<title>([^<]*)<\/title>/i.exec(await res.text());
    list.push({ url: new URL(req.url).pathname, title: title ? title[1] : new URL(req.url).pathname });
  }
  return list;
}
