/**
 * Registers the service worker (sw.js, written by the site build beside index.html) once the page
 * is ready: by then it has downloaded everything the worker precaches, so the worker copies those
 * from the browser's HTTP cache instead of downloading them a second time before the first answer.
 * From the next visit on, the page works offline; without a service worker it just works online.
 */
if ('serviceWorker' in navigator) {
  const register = () =>
    navigator.serviceWorker.register('sw.js').catch((error) => console.warn(`offline use unavailable: ${error.message}`));
  const watcher = new MutationObserver(() => {
    if (document.body.dataset.ready !== 'true') return;
    watcher.disconnect();
    register();
  });
  watcher.observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
}
