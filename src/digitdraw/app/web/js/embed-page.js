/**
 * The example page (embed.html): lists the events its <digit-pad> fires, newest first, and keeps
 * the last number read on <body> (data-ready, data-number, data-reads) for whoever watches.
 */
const list = document.getElementById('events');
const MOST_SHOWN = 20;

function log(text) {
  const item = document.createElement('li');
  item.textContent = text;
  list.prepend(item);
  while (list.children.length > MOST_SHOWN) list.lastElementChild.remove();
}

document.addEventListener('digitdraw-ready', (event) => {
  const { model, backend } = event.detail;
  document.body.dataset.ready = 'true';
  log(`digitdraw-ready: ${model} on ${backend}`);
});

document.addEventListener('digitdraw-read', (event) => {
  const { number, digits, rejected } = event.detail;
  const confidence = digits.map((d) => `${d.digit} ${(100 * d.confidence).toFixed(0)}%`).join(', ');
  document.getElementById('number').textContent = number ?? '–';
  document.body.dataset.number = number ?? '';
  document.body.dataset.reads = String(Number(document.body.dataset.reads) + 1);
  log(`digitdraw-read: ${number ?? (rejected ? `not a digit (${rejected})` : 'nothing drawn')}${confidence ? ` · ${confidence}` : ''}`);
});

document.addEventListener('digitdraw-error', (event) => {
  if (document.body.dataset.ready !== 'true') document.body.dataset.ready = 'error';
  log(`digitdraw-error: ${event.detail.message}`);
});
