/**
 * The page's service worker: after the first visit the page works with no network at all.
 * The site build (app/site.py) writes it as OUT/sw.js, prefixed with `const BUILD = {id, shell}`:
 * the build's id and the files the page needs at start, relative to this file.
 *
 * Files under app/HASH/, lib/HASH/ and models/NAME/VERSION/ never change: cache first.
 * Everything else (the page, models.json) changes in place: network first, the cache when
 * offline, so a new build or a new model version is picked up on the next visit.
 */
const PREFIX = 'digitdraw-';
const CACHE = PREFIX + BUILD.id;
const SCOPE = self.registration.scope;
const VERSIONED = /^(app|lib)\/[0-9a-f]+\/|^models\/[^/]+\/[0-9a-f]+\//;
const MODEL_LIST = 'models.json';

const local = (url) => new URL(url, SCOPE).href;

/** Cache `urls`, reusing copies an earlier build already holds (unchanged files keep their names). */
async function precache(cache, urls) {
  await Promise.all(
    urls.map(async (url) => {
      const kept = VERSIONED.test(url) && (await caches.match(local(url)));
      await cache.put(local(url), kept || (await fetchOk(local(url))));
    }),
  );
}

async function fetchOk(request) {
  const response = await fetch(request);
  if (!response.ok) throw new Error(`${response.status} for ${response.url}`);
  return response;
}

/** The models the page loads before its first answer (models.json's `startup`). */
function startupModelFiles(list) {
  const wanted = new Set(list.startup);
  return list.models.filter((m) => wanted.has(m.name)).flatMap((m) => m.files);
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const listResponse = await fetchOk(local(MODEL_LIST));
      const list = await listResponse.clone().json();
      await cache.put(local(MODEL_LIST), listResponse);
      await precache(cache, [...BUILD.shell, ...startupModelFiles(list)]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

/** Forget model versions a fresh models.json no longer lists. */
async function pruneModels(cache, list) {
  const listed = new Set(list.models.flatMap((m) => m.files).map(local));
  for (const request of await cache.keys()) {
    const path = request.url.slice(SCOPE.length);
    if (path.startsWith('models/') && !listed.has(request.url)) await cache.delete(request);
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkFirst(request, path) {
  const cache = await caches.open(CACHE);
  try {
    // Revalidate even if a host's headers (or none) let the HTTP cache call an old copy fresh.
    const response = await fetch(request.url, { cache: 'no-cache' });
    if (response.ok) {
      await cache.put(request, response.clone());
      if (path === MODEL_LIST) await pruneModels(cache, await response.clone().json());
    }
    return response;
  } catch (error) {
    // Offline: the copy from the last visit; a page opened under another name falls back to the page.
    const cached = (await cache.match(request, { ignoreSearch: true })) ?? (request.mode === 'navigate' && (await cache.match(SCOPE)));
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return;
  const path = new URL(request.url).pathname.slice(new URL(SCOPE).pathname.length);
  event.respondWith(VERSIONED.test(path) ? cacheFirst(request) : networkFirst(request, path));
});
