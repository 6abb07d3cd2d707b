/**
 * Wires the page together; data flows one way: pad strokes → number reader (preprocess +
 * classifier per candidate digit, adapted to the writer's taught examples) → view and the pad's
 * digit boxes. Teaching stores an example and reads the drawing again.
 * `tf` and `Chart` are the vendored UMD globals loaded by index.html; every other value comes
 * from a module: the shared constants from config.json, the compute from preprocess.js and
 * classifier.js, the order of results from queue.js, all DOM work from view.js and pad.js.
 */
import config from '../config.json' with { type: 'json' };
import { DrawingPad, PAD_UNITS, PEN_WIDTH } from './pad.js';
import { mnistFromPadStrokes, mnistFromStrokes, strokeBounds } from './preprocess.js';
import { Classifier, chooseBackend } from './classifier.js';
import { blend, nearestSimilarities, normalised } from './adapt.js';
import { ExampleStore } from './examples.js';
import { rejected } from './rejection.js';
import { NumberReader } from './numbers.js';
import { PredictionQueue } from './queue.js';
import { View } from './view.js';

const WASM_PATH = '/vendor/';
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
  const response = await fetch('/api/models');
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
  const temperatures = Object.fromEntries(catalog.models.map((m) => [m.name, m.temperature ?? 1]));
  const classifier = new Classifier(tf, (name) => urls[name], (name) => temperatures[name]);
  const examples = new ExampleStore(browserStorage());
  return { backend, catalog, selected, segmenter, classifier, examples, taught: new Map(), readers: new Map(), picked: null };
}

/** localStorage, or (where the browser blocks it, e.g. some embedded frames) a store for this visit only. */
function browserStorage() {
  try {
    localStorage.getItem('');
    return localStorage;
  } catch {
    const items = new Map();
    return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
  }
}

/** Each example's digit and normalised features under `model`. */
async function featuresOf(state, model, examples) {
  const { features } = await state.classifier.predictWithFeatures(model, examples.map((e) => toInput(e.strokes)));
  return examples.map((e, i) => ({ digit: e.digit, features: normalised(features[i]) }));
}

/** The taught examples' features under `model`, computed once per model (examplesChanged extends them). */
function taughtFeatures(state, model) {
  if (!state.taught.has(model)) state.taught.set(model, featuresOf(state, model, state.examples.examples));
  return state.taught.get(model);
}

/** `model`'s probabilities for `groups`, moved towards the writer's taught examples (adapt.js). */
async function readAdapted(state, model, groups) {
  const inputs = groups.map(toInput);
  const taught = await taughtFeatures(state, model);
  const { features, probabilities } = await state.classifier.predictWithFeatures(model, inputs);
  return probabilities.map((p, i) => blend(p, nearestSimilarities(features[i], taught)));
}

/**
 * A number reader per model: the segmenter (config.json; an 11-class model that also says "not
 * one digit") cuts the number into digits when the server offers it, and `name` reads them —
 * adapted to the writer once they have taught examples (segmenting stays the model's own).
 */
function readerFor(state, name) {
  if (!state.readers.has(name)) {
    const classify = (model) => (groups) => state.classifier.predictEach(model, groups.map(toInput));
    const scorer = state.segmenter && state.segmenter !== name ? state.segmenter : name;
    const read = state.examples.count ? (groups) => readAdapted(state, name, groups) : scorer !== name ? classify(name) : null;
    state.readers.set(name, new NumberReader(classify(scorer), read));
  }
  return state.readers.get(name);
}

/** After the examples change: readers start afresh; `added` extends the cached features, else they are recomputed. */
function examplesChanged(state, view, added = null) {
  state.readers.clear();
  if (added) {
    for (const [model, list] of state.taught) {
      state.taught.set(model, Promise.all([list, featuresOf(state, model, [added])]).then(([a, b]) => [...a, ...b]));
    }
  } else {
    state.taught.clear();
  }
  view.showExampleCount(state.examples.count);
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
    state.shown = null;
    pad.showMarks([]);
    view.setTeachable(false);
    view.showEmpty(final);
    if (final && compare) view.showComparison([]);
    return;
  }
  const rows = final && compare ? await compareAll(state, strokes) : null;
  const rejection = await rejectionOf(state, strokes, reading);
  if (rows) view.showComparison(rows);
  if (rejection) {
    state.shown = { strokes };
    pad.showMarks([]);
    view.setTeachable(true); // the writer may say what it is: a taught drawing is never turned down
    view.showRejected(rejection, reading.digits[0].probabilities, toInput(strokes), final);
    return;
  }
  const show = (isFinal) => {
    const selected = chooseDigit(reading.digits, state.picked);
    const digitStrokes = reading.digits[selected].parts.map((k) => strokes[k]);
    const input = toInput(digitStrokes);
    state.shown = { strokes: digitStrokes };
    view.setTeachable(true);
    const several = reading.digits.length > 1;
    pad.showMarks(
      reading.digits.map((d, i) => ({ box: d.box, label: String(d.digit), selected: several && i === selected, unsure: d.unsure })),
    );
    view.showReading(reading, selected, input, isFinal, (index) => {
      state.picked = index;
      show(false);
    });
  };
  show(final);
}

/** Why the drawing is not a digit (rejection.js), or null; a drawing like a taught example never is. */
async function rejectionOf(state, strokes, reading) {
  const notADigit = reading.digits.map((d) => d.notADigit);
  const reason = rejected(notADigit, strokes);
  if (!reason || !state.examples.count) return reason;
  const taught = await taughtFeatures(state, state.selected);
  const { features } = await state.classifier.predictWithFeatures(state.selected, [toInput(strokes)]);
  return rejected(notADigit, strokes, Math.max(...nearestSimilarities(features[0], taught).filter((s) => !Number.isNaN(s))));
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

/** Teach, forget (with undo), export, import and the guided "write each digit once". */
function bindTeaching(state, pad, view, predict) {
  const plural = (n) => `${n} example${n === 1 ? '' : 's'}`;
  const changed = (added = null) => {
    examplesChanged(state, view, added);
    if (!pad.isEmpty) predict(true);
  };
  let calibrating = null; // the digit the guided calibration asks for, or null
  const teach = (digit) => {
    if (!state.shown) return;
    try {
      state.examples.add(digit, state.shown.strokes);
    } catch (error) {
      view.showTeachMessage(error.message, { error: true });
      return;
    }
    view.showTeachMessage(`Taught: that was a ${digit}.`);
    examplesChanged(state, view, state.examples.examples.at(-1));
    if (calibrating === digit) {
      calibrating = digit < 9 ? digit + 1 : null;
      view.promptDigit(calibrating);
      if (calibrating === null) view.showTeachMessage('All ten digits taught: the page now knows your hand.');
      pad.clear();
    } else {
      predict(true);
    }
  };
  view.bindTeaching({
    onTeach: teach,
    onCalibrate: () => {
      calibrating = 0;
      view.promptDigit(0);
      pad.clear();
    },
    onForget: () => {
      if (!state.examples.count) return view.showTeachMessage('There are no examples to forget.');
      const removed = state.examples.forget();
      changed();
      view.showTeachMessage(`Forgot ${plural(removed.length)}.`, {
        undo: () => {
          state.examples.restore(removed);
          changed();
          view.showTeachMessage(`Brought back ${plural(removed.length)}.`);
        },
      });
    },
    onExport: () => view.download('digitdraw-examples.json', state.examples.toFile()),
    onImport: (text) => {
      try {
        const added = state.examples.importText(text);
        changed();
        view.showTeachMessage(`Imported ${plural(added)}.`);
      } catch (error) {
        view.showTeachMessage(`Import failed, nothing was changed: ${error.message}`, { error: true });
      }
    },
  });
  view.showExampleCount(state.examples.count);
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
    bindTeaching(state, pad, view, predict);
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
