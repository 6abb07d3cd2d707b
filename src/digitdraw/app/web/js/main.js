/**
 * Wires the page together; data flows one way: pad strokes → recogniser (recognizer.js: the
 * number reader, adapted to the writer's taught examples, and the not-a-digit verdict) → view and
 * the pad's digit boxes. Teaching stores an example and reads the drawing again.
 * `tf` and `Chart` are the bundled library globals loaded by index.html; every other value comes
 * from a module: the shared constants from config.json, the compute from recognizer.js, the order
 * of results from queue.js, all DOM work from view.js and pad.js.
 */
import config from '../config.json' with { type: 'json' };
import { DrawingPad, PAD_UNITS } from './pad.js';
import { inkFromPixels } from './ink.js';
import { imageIn, picturePixels } from './picture.js';
import { chooseBackend } from './classifier.js';
import { Recognizer, browserStorage } from './recognizer.js';
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

async function fetchCatalog() {
  const response = await fetch(MODEL_LIST, { cache: 'no-cache' }); // a new model version shows at once
  if (!response.ok) throw new Error(`the model list did not load (HTTP ${response.status})`);
  const catalog = await response.json();
  if (!catalog.models.length) throw new Error('the server offers no models: see its start-up log');
  return catalog;
}

/** The backend, the model list, the model to start with and the recogniser for all of them. */
async function boot() {
  const [backend, catalog] = await Promise.all([chooseBackend(tf, WASM_PATH), fetchCatalog()]);
  const names = catalog.models.map((m) => m.name);
  const selected = names.includes(params.get('model')) ? params.get('model') : catalog.default;
  const recognizer = new Recognizer(tf, catalog.models, { recipe, storage: browserStorage() });
  return { backend, catalog, selected, recognizer, picked: null, shown: null };
}

/** Every model's reading of the drawing; a model that fails gets a row saying so, the others still answer. */
async function compareAll(state, strokes) {
  const rows = [];
  for (const { name } of state.catalog.models) {
    try {
      const { digits, text, runTogether, maybeNotADigit } = await state.recognizer.read(strokes, name);
      const confidence = Math.min(...digits.map((d) => d.confidence));
      rows.push({ name, text, confidence, unsure: runTogether || maybeNotADigit || digits.some((d) => d.unsure) });
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
  const reading = await state.recognizer.read(strokes, state.selected);
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
  if (rows) view.showComparison(rows);
  if (reading.rejected) {
    state.shown = { strokes };
    pad.showMarks([]);
    view.setTeachable(true); // the writer may say what it is: a taught drawing is never turned down
    view.showRejected(reading.rejected, reading.digits[0].probabilities, state.recognizer.inputOf(strokes), final);
    return;
  }
  showNumber(state, pad, view, reading, final, (selected) => {
    const digitStrokes = reading.digits[selected].parts.map((k) => strokes[k]);
    state.shown = { strokes: digitStrokes };
    view.setTeachable(true);
    return state.recognizer.inputOf(digitStrokes);
  });
}

/**
 * Show a number read (from strokes or a picture): the digits, their boxes on the pad (`scale`:
 * pad units per box unit) and the selected digit's probabilities and input (`inputOf(index)`).
 */
function showNumber(state, pad, view, reading, final, inputOf, scale = 1) {
  const show = (isFinal) => {
    const selected = chooseDigit(reading.digits, state.picked);
    const input = inputOf(selected);
    const several = reading.digits.length > 1;
    pad.showMarks(
      reading.digits.map((d, i) => ({
        box: d.box.map((v) => v * scale),
        label: String(d.digit),
        selected: several && i === selected,
        unsure: d.unsure,
      })),
    );
    view.showReading(reading, selected, input, isFinal, (index) => {
      state.picked = index;
      show(false);
    });
  };
  show(final);
}

/** Read a photo or scan of a written number and show it on the pad with the digits found. */
async function readPicture(state, pad, view, file) {
  const { canvas, rgba, height, width } = await picturePixels(file);
  const reading = await state.recognizer.readInk(inkFromPixels(rgba, height, width), height, width, state.selected);
  const scale = pad.showPicture(canvas);
  state.picked = null;
  state.shown = null; // taught examples are strokes: a picture cannot be taught
  view.setTeachable(false);
  if (!reading.digits.length) return view.showEmpty(true, 'No writing found in that image.');
  if (reading.rejected) return view.showRejected(reading.rejected, reading.digits[0].probabilities, reading.inputs[0], true);
  showNumber(state, pad, view, reading, true, (selected) => reading.inputs[selected], scale);
}

/** The model in the address (?model=NAME), other parameters kept, so a link opens with it. */
function rememberModel(name) {
  const url = new URL(location.href);
  url.searchParams.set('model', name);
  history.replaceState(history.state, '', url);
}

async function selectModel(state, pad, view, name, predictLive) {
  const previous = state.selected;
  state.selected = name;
  view.setReady(false, `Loading ${name}…`);
  try {
    await state.recognizer.load(name);
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
  rememberModel(name);
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
    const command = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (event.key === 'Escape') pad.clear();
    else if (command && ((key === 'z' && event.shiftKey) || key === 'y')) {
      event.preventDefault();
      pad.redo();
    } else if (command && key === 'z') {
      event.preventDefault();
      pad.undo();
    }
  });
}

/** Pictures in: drop onto the pad, paste anywhere (Ctrl+V), or the "Choose image" input. */
function bindPictures(pad, view, read) {
  const input = document.querySelector('[data-testid="image-input"]');
  const take = (file) => {
    if (!file) return view.showError('That was not an image: drop, paste or choose a photo or scan (PNG or JPEG).');
    read(file);
  };
  input.addEventListener('change', () => {
    const [file] = input.files;
    input.value = ''; // the same file may be chosen again
    if (file) take(file);
  });
  pad.canvas.addEventListener('dragover', (event) => {
    event.preventDefault();
    pad.canvas.classList.add('dropping');
  });
  pad.canvas.addEventListener('dragleave', () => pad.canvas.classList.remove('dropping'));
  pad.canvas.addEventListener('drop', (event) => {
    event.preventDefault();
    pad.canvas.classList.remove('dropping');
    take(imageIn(event.dataTransfer));
  });
  document.addEventListener('paste', (event) => {
    const file = imageIn(event.clipboardData);
    if (!file) return; // text pasted into a field is not ours
    event.preventDefault();
    take(file);
  });
}

/** Save the drawing: a PNG of it, or its strokes as JSON (README: "Strokes file"). */
function bindDownloads(pad, view) {
  document.querySelector('[data-testid="download-png"]').addEventListener('click', () => {
    pad.snapshot().toBlob((blob) => view.saveFile('digitdraw-drawing.png', blob));
  });
  document.querySelector('[data-testid="download-strokes"]').addEventListener('click', () => {
    const file = {
      format: 'digitdraw-strokes',
      version: 1,
      units: 'pad',
      y: 'down',
      pad: { height: PAD_UNITS, width: Math.round(pad.widthUnits * 1000) / 1000 },
      strokes: pad.strokes,
    };
    view.saveFile('digitdraw-strokes.json', new Blob([JSON.stringify(file)], { type: 'application/json' }));
  });
}

/** Teach, forget (with undo), export, import and the guided "write each digit once". */
function bindTeaching(state, pad, view, predict) {
  const plural = (n) => `${n} example${n === 1 ? '' : 's'}`;
  const { recognizer } = state;
  const changed = () => {
    view.showExampleCount(recognizer.examples.count);
    if (!pad.isEmpty) predict(true);
  };
  let calibrating = null; // the digit the guided calibration asks for, or null
  const teach = (digit) => {
    if (!state.shown) return;
    try {
      recognizer.teach(digit, state.shown.strokes);
    } catch (error) {
      view.showTeachMessage(error.message, { error: true });
      return;
    }
    view.showTeachMessage(`Taught: that was a ${digit}.`);
    view.showExampleCount(recognizer.examples.count);
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
      const removed = recognizer.forget(); // and the 7s it saw, even with no examples
      changed();
      if (!removed.length) return view.showTeachMessage('There are no examples to forget.');
      view.showTeachMessage(`Forgot ${plural(removed.length)}.`, {
        undo: () => {
          recognizer.restore(removed);
          changed();
          view.showTeachMessage(`Brought back ${plural(removed.length)}.`);
        },
      });
    },
    onExport: () => view.download('digitdraw-examples.json', recognizer.exportExamples()),
    onImport: (text) => {
      try {
        const added = recognizer.importExamples(text);
        changed();
        view.showTeachMessage(`Imported ${plural(added)}.`);
      } catch (error) {
        view.showTeachMessage(`Import failed, nothing was changed: ${error.message}`, { error: true });
      }
    },
  });
  view.showExampleCount(recognizer.examples.count);
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
  for (const type of ['strokeend', 'clear', 'undo', 'redo']) pad.addEventListener(type, () => predict(true));
  for (const type of ['strokeupdate', 'clear', 'undo', 'redo']) pad.addEventListener(type, () => view.setRedo(pad.canRedo));
  document.querySelector('[data-testid="clear"]').addEventListener('click', () => pad.clear());
  document.querySelector('[data-testid="undo"]').addEventListener('click', () => pad.undo());
  document.querySelector('[data-testid="redo"]').addEventListener('click', () => pad.redo());
  document.querySelector('[data-testid="predict"]').addEventListener('click', () => predict(true));
  compareBox.addEventListener('change', () => {
    view.showComparison(compareBox.checked ? [] : null);
    if (compareBox.checked) predict(true);
  });
  bindKeys(pad);
  bindDownloads(pad, view);
  // A picture is read in turn with the drawings, so the result shown is always the latest.
  const readFile = (file) =>
    queue.push(() => state && readPicture(state, pad, view, file).catch((error) => view.showError(error.message)), { final: true });
  bindPictures(pad, view, readFile);

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
