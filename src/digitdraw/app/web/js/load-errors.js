/**
 * Says so on the page when one of its files fails to load (a library, a module of the page, the
 * style sheet), instead of leaving it on "Loading…". A classic script loaded first, so it listens
 * before anything else is fetched; failures while running are main.js's to report.
 */
(() => {
  const shown = new Set();
  const show = (url) => {
    if (shown.has(url)) return;
    shown.add(url);
    document.body.dataset.ready = 'error';
    const line = document.createElement('p');
    line.className = 'status error';
    line.dataset.testid = 'load-error';
    line.setAttribute('role', 'alert');
    line.textContent = `The page could not load ${url}: check that the whole site was published, then reload.`;
    document.getElementById('status').before(line);
  };
  // Load errors do not bubble: only a capturing listener on window hears them all.
  window.addEventListener(
    'error',
    (event) => {
      const element = event.target;
      if (!(element instanceof HTMLScriptElement || element instanceof HTMLLinkElement)) return;
      const url = new URL(element.src || element.href).pathname;
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => show(url));
      else show(url);
    },
    true,
  );
})();
