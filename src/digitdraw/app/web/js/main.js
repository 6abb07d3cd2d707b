/**
 * Wires the page together; data flows one way: pad strokes → preprocess → classifier → view.
 * `tf` and `Chart` are the vendored UMD globals loaded by index.html.
 */
/* global tf */
import { DrawingPad, PAD_UNITS, PEN_WIDTH } from './pad.js';
import { mnistFromPadStrokes, mnistFromStrokes, NoInkError } from './preprocess.js';
import { Classifier, chooseBackend, verdict } from './classifier.js';
import { View } from './view.js';

/**
 * 'vector' (fit the strokes, redraw at a canonical pen) or 'raster' (crop/fit the pad's pixels).
 * The default is the one that scored higher on the drawn-digit benchmark (docs/benchmarks.md);
 * `?recipe=raster` switches for comparison.
 */
const DEFAULT_RECIPE = 'vector';
const WASM_PATH = '/vendor/';

const params = new URLSearchParams(location.search);
const recipe = params.get('recipe') === 'raster' ? 'raster' : DEFAULT_RECIPE;

function toInput(strokes) {
  return recipe === 'raster' ? mnistFromPadStrokes(strokes, PAD_UNITS, PEN_WIDTH) : mnistFromStrokes(strokes);
}

function fetchCatalog() {
  return fetch('/api/models').then((response) => {
    if (!response.ok) throw new Error(`the model list did not load (HTTP ${response.status})`);
    return response.json();
  });
}

function start() {
  const view = new View();
  const pad = new DrawingPad(document.querySelector('[data-testid="pad"]'));
  const compareBox = document.getElementById('compare-toggle');
  view.setReady(false, 'Loading the model…');

  // Everything below may be used before the model has loaded: predictions wait for it.
  const startup = Promise.all([chooseBackend(tf, WASM_PATH), fetchCatalog()]).then(([backend, catalog]) => {
    if (!catalog.models.length) throw new Error('the server offers no models: see its start-up log');
    const urls = Object.fromEntries(catalog.models.map((m) => [m.name, m.url]));
    const selected = urls[params.get('model')] ? params.get('model') : catalog.default;
    return { backend, catalog, selected, classifier: new Classifier(tf, (name) => urls[name]) };
  });
  let state = null; // set once startup resolves

  // Predictions run one after another, so results are shown in the order they were asked for;
  // a live (mid-stroke) one is dropped if anything newer is already waiting.
  let queue = startup;
  let issued = 0;
  function predict(final) {
    const ticket = ++issued;
    queue = queue.then(async () => {
      if (!final && ticket !== issued) return;
      const { classifier, catalog } = state;
      let input;
      try {
        input = toInput(pad.strokes);
      } catch (error) {
        if (!(error instanceof NoInkError)) throw error;
        view.showEmpty(final);
        if (final && compareBox.checked) view.showComparison([]);
        return;
      }
      const probabilities = await classifier.predict(state.selected, input);
      view.showResult(verdict(probabilities), probabilities, input, final);
      if (final && compareBox.checked) {
        const rows = [];
        for (const { name } of catalog.models) rows.push({ name, verdict: verdict(await classifier.predict(name, input)) });
        view.showComparison(rows);
      }
    }).catch((error) => view.showError(`Prediction failed: ${error.message}`));
    return queue;
  }

  let framePending = false;
  pad.addEventListener('change', () => {
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(() => {
      framePending = false;
      if (pad.active !== null) predict(false);
    });
  });
  pad.addEventListener('strokeend', () => predict(true));
  document.querySelector('[data-testid="clear"]').addEventListener('click', () => pad.clear());
  document.querySelector('[data-testid="undo"]').addEventListener('click', () => pad.undo());
  document.querySelector('[data-testid="predict"]').addEventListener('click', () => predict(true));
  compareBox.addEventListener('change', () => {
    view.showComparison(compareBox.checked ? [] : null);
    if (compareBox.checked) predict(true);
  });
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLSelectElement) return;
    if (event.key === 'Escape') pad.clear();
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      pad.undo();
    }
  });

  async function select(name) {
    state.selected = name;
    view.setReady(false, `Loading ${name}…`);
    await state.classifier.load(name);
    if (name !== state.selected) return; // another choice came in while this one loaded
    const how = `TF.js ${tf.version.tfjs} on ${state.backend}${recipe === 'raster' ? ' · raster recipe' : ''}`;
    view.setReady(true, `${name} ready · ${how}`);
    if (!pad.isEmpty) predict(false);
  }

  return startup.then(async (ready) => {
    state = ready;
    view.showModels(ready.catalog.models, ready.selected, (name) => select(name).catch((e) => view.showError(e.message)));
    if (pad.isEmpty) view.showEmpty(false);
    await select(ready.selected);
  });
}

start().catch((error) => {
  document.body.dataset.ready = 'error';
  const status = document.getElementById('status');
  status.textContent = `The recognizer could not start: ${error.message}`;
  status.classList.add('error');
});
