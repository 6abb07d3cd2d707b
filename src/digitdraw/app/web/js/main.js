/**
 * Wires the page together; data flows one way: pad strokes → number reader (preprocess +
 * classifier per candidate digit) → view and the pad's digit boxes.
 * `tf` and `Chart` are the bundled library globals loaded by index.html; every other value comes
 * from a module: the shared constants from config.json, the compute from preprocess.js and
 * classifier.js, the order of results from queue.js, all DOM work from view.js and pad.js.
 */
import config from '../config.json' with { type: 'json' };
import { DrawingPad, PAD_UNITS, PEN_WIDTH } from './pad.js';
import { mnistFromPadStrokes, mnistFromStrokes, strokeBounds } from './preprocess.js';
import { Classifier, chooseBackend } from './classifier.js';
import { NumberReader } from './numbers.js';
import { PredictionQueue } from './queue.js';
import { View } from './view.js';

// Relative URLs throughout, so the page runs under any sub-path; the WebAssembly sits beside tfjs.min.js.
const WASM_PATH = new URL('./', document.querySelector('script[src$="tfjs.min.js"]')?.src ?? document.baseURI).href;
const MODEL_LIST = 'models.json';
const params = new URLSearchParams(location.search);
/**
 * 'vector' (fit the strokes, redraw at a canonical pen) or 'raster' (crop/fit the pad's pixels).
 * The default (config.json) scored higher on the drawn-digit benchmark (docs/benchmarks.md);
 * `?recipe=raster` or `?recipe=vector` switches for comparison.
 */
const recipe = ['raster', 'vector'].includes(params.get('recipe')) ? params.get('recipe') : config.recognition.default_recipe;

/** One candidate digit's strokes → its 28×28 input, through the chosen recipe. */
function toInput(strokes) {
  if (recipe === 'vector') return mnistFromStrokes(strokes);
  // The raster recipe draws the strokes at the pad's pen on a square raster just big enough,
  // moved by whole units so the pixels are those the full pad would have.
  const [minX, minY, maxX, maxY] = strokeBounds(strokes);
  const margin = Math.ceil(PEN_WIDTH / 2) + 1;
  const [dx, dy] = [margin - Math.floor(minX), margin - Math.floor(minY)];
  const size = Math.max(PAD_UNITS, Math.ceil(Math.max(maxX - minX, maxY - minY)) + 2 * margin + 1);
  return mnistFromPadStrokes(strokes.map((s) => s.map(([x, y]) => [x + dx, y + dy])), size, PEN_WIDTH);
}

async function fetchCatalog() {
  const response = await fetch(MODEL_LIST, { cache: 'no-cache' }); // a new model version shows at once
  if (!response.ok) throw new Error(`the model list did not load (HTTP ${response.status})`);
  const catalog = await response.json();
  if (!catalog.models.length) throw new Error('the server offers no models: see its start-up log');
  return catalog;
}

/** The backend, the model list, the model to start with and a classifier for all of them. */
async function boot() {
  const [backend, catalog] = await Promise.all([chooseBackend(tf, WASM_PATH), fetchCatalog()]);
  const urls = Object.fromEntries(catalog.models.map((m) => [m.name, m.url]));
  const selected = urls[params.get('model')] ? params.get('model') : catalog.default;
  const segmenter = urls[config.recognition.segmenter] ? config.recognition.segmenter : null;
  const classifier = new Classifier(tf, (name) => urls[name]);
  return { backend, catalog, selected, segmenter, classifier, readers: new Map(), picked: null };
}

/**
 * A number reader per model: the segmenter (config.json; an 11-class model that also says "not
 * one digit") cuts the number into digits when the server offers it, and `name` reads them.
 */
function readerFor(state, name) {
  if (!state.readers.has(name)) {
    const classify = (model) => (groups) => state.classifier.predictEach(model, groups.map(toInput));
    const segmenter = state.segmenter && state.segmenter !== name ? classify(state.segmenter) : null;
    state.readers.set(name, segmenter ? new NumberReader(segmenter, classify(name)) : new NumberReader(classify(name)));
  }
  return state.readers.get(name);
}

/** Every model's reading of the drawing; a model that fails gets a row saying so, the others still answer. */
async function compareAll(state, strokes) {
  const rows = [];
  for (const { name } of state.catalog.models) {
    try {
      const { digits, text } = await readerFor(state, name).read(strokes);
      const confidence = Math.min(...digits.map((d) => d.confidence));
      rows.push({ name, text, confidence, unsure: digits.some((d) => d.unsure) });
    } catch (error) {
      rows.push({ name, text: '', error: error.message });
    }
  }
  return rows;
}

/** The digit to show in the chart: the one picked, while it exists; else the first doubtful one, else the last. */
function chooseDigit(digits, picked) {
  if (picked !== null && picked < digits.length) return picked;
  const doubtful = digits.findIndex((d) => d.unsure);
  return doubtful >= 0 ? doubtful : digits.length - 1;
}

/**
 * One reading of `strokes`, shown; `final` ones also fill the compare view, before data-seq
 * moves on, so whoever waits for the result sees the whole of it.
 */
async function predictDrawing(state, pad, view, strokes, { final, compare }) {
  const reading = await readerFor(state, state.selected).read(strokes);
  if (!reading.digits.length) {
    state.picked = null;
    pad.showMarks([]);
    view.showEmpty(final);
    if (final && compare) view.showComparison([]);
    return;
  }
  const rows = final && compare ? await compareAll(state, strokes) : null;
  const show = (isFinal) => {
    const selected = chooseDigit(reading.digits, state.picked);
    const input = toInput(reading.digits[selected].parts.map((k) => strokes[k]));
    const several = reading.digits.length > 1;
    pad.showMarks(
      reading.digits.map((d, i) => ({ box: d.box, label: String(d.digit), selected: several && i === selected, unsure: d.unsure })),
    );
    view.showReading(reading, selected, input, isFinal, (index) => {
      state.picked = index;
      show(false);
    });
  };
  if (rows) view.showComparison(rows);
  show(final);
}

async function selectModel(state, pad, view, name, predictLive) {
  const previous = state.selected;
  state.selected = name;
  view.setReady(false, `Loading ${name}…`);
  try {
    await Promise.all([state.classifier.load(name), state.segmenter && state.classifier.load(state.segmenter)]);
  } catch (error) {
    if (name === state.selected && previous !== name) {
      state.selected = previous; // keep reading with the model that worked
      view.selectModel(previous);
      view.setReady(true, `${name} could not be loaded (${error.message}); still using ${previous}`);
      return;
    }
    throw error;
  }
  if (name !== state.selected) return; // another choice came in while this one loaded
  const how = `TF.js ${tf.version.tfjs} on ${state.backend}${recipe === 'raster' ? ' · raster recipe' : ''}`;
  view.setReady(true, `${name} ready · ${how}`);
  if (!pad.isEmpty) predictLive();
}

/** Live predictions at most once per animation frame while a stroke is drawn. */
function onceAFrame(pad, action) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (pad.active !== null) action();
    });
  };
}

function bindKeys(pad) {
  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLSelectElement) return;
    if (event.key === 'Escape') pad.clear();
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'z') {
      event.preventDefault();
      pad.undo();
    }
  });
}

function start() {
  const view = new View();
  const pad = new DrawingPad(document.querySelector('[data-testid="pad"]'));
  const compareBox = document.getElementById('compare-toggle');
  view.setReady(false, 'Loading the model…');

  let state = null; // set once boot() resolves; predictions asked for before then wait for it
  const startup = boot().then((ready) => (state = ready));
  const queue = new PredictionQueue(startup.catch(() => undefined), (error) =>
    view.showError(`Prediction failed: ${error.message}`),
  );
  // A final reading is of the drawing as it was when asked for; a live one, of the latest drawing.
  const snapshot = () => pad.strokes.map((s) => s.slice());
  const predict = (final) => {
    const asked = final ? snapshot() : null;
    const job = () => state && predictDrawing(state, pad, view, asked ?? snapshot(), { final, compare: compareBox.checked });
    return queue.push(job, { final });
  };

  pad.addEventListener('strokeupdate', onceAFrame(pad, () => predict(false)));
  for (const type of ['strokeend', 'clear', 'undo']) pad.addEventListener(type, () => predict(true));
  document.querySelector('[data-testid="clear"]').addEventListener('click', () => pad.clear());
  document.querySelector('[data-testid="undo"]').addEventListener('click', () => pad.undo());
  document.querySelector('[data-testid="predict"]').addEventListener('click', () => predict(true));
  compareBox.addEventListener('change', () => {
    view.showComparison(compareBox.checked ? [] : null);
    if (compareBox.checked) predict(true);
  });
  bindKeys(pad);

  return startup.then(async () => {
    const select = (name) => selectModel(state, pad, view, name, () => predict(false));
    view.showModels(state.catalog.models, state.selected, (name) => select(name).catch((e) => view.showError(e.message)));
    if (pad.isEmpty) view.showEmpty(false);
    await select(state.selected);
  });
}

start().catch((error) => {
  document.body.dataset.ready = 'error';
  const status = document.getElementById('status');
  status.textContent = `The recognizer could not start: ${error.message}`;
  status.classList.add('error');
});
