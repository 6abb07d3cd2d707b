/**
 * digitdraw for other pages: the public ES module. Load the models, give it strokes, a canvas or
 * pixels, get digits and their probabilities back; teach it a writer's hand. No DOM needed for
 * strokes (it runs under Node too); `<digit-pad>` (digit-pad.js) is the drawing element built on it.
 *
 *   import { createRecognizer } from './digitdraw.js';
 *   const reader = await createRecognizer({ modelsUrl: 'https://example.org/digitdraw/models.json' });
 *   const { number, digits, rejected } = await reader.read([[[140, 50], [141, 230]]]);  // '1'
 *
 * A built site (`digitdraw build-site`) also has a stable entry at its root, `digitdraw.js`, that
 * points here and knows where the site's TF.js bundle and models.json are, so that a page
 * elsewhere needs no other script (README, "Embed it in your page").
 *
 * Everything is computed by recognizer.js, the very code the page runs.
 */
import config from '../config.json' with { type: 'json' };
import { chooseBackend } from './classifier.js';
import { inkFromPixels } from './ink.js';
import { Recognizer, memoryStorage } from './recognizer.js';

export { inkFromPixels } from './ink.js';

/** Strokes are in pad units: the drawing surface is this many units tall, y pointing down. */
export const PAD_UNITS = config.pad.units;
const DIGITS = 10;

/** Where a built site's stable entry says its files are (`configure`); otherwise the page's own. */
const site = { modelsUrl: 'models.json', library: null };
const backends = new WeakMap(); // tf namespace → the promise of its backend: chosen once per page

/**
 * Set the defaults `createRecognizer` uses: the built site's root `digitdraw.js` calls this, so a
 * page importing it needs to give no URL.
 * @param {object} where
 * @param {string} [where.modelsUrl] the models.json to read when none is given
 * @param {string} [where.library] the TF.js bundle (tfjs.min.js) to load when the page has no `tf`
 */
export function configure({ modelsUrl, library } = {}) {
  if (modelsUrl) site.modelsUrl = modelsUrl;
  if (library) site.library = library;
}

/**
 * A digit read: which, how sure, all ten probabilities and where it is.
 * @typedef {object} Digit
 * @property {number} digit 0–9
 * @property {number[]} probabilities ten, summing to 1
 * @property {number} confidence the digit's probability
 * @property {boolean} unsure confidence below config.json's unsure_below (the page marks it "?")
 * @property {[number, number, number, number]} box x0, y0, x1, y1: in pad units for strokes, pixels for an image
 */

/**
 * What was read.
 * @typedef {object} Reading
 * @property {string|null} number the digits left to right ('007' keeps its zeros); null when
 *   nothing was drawn or the drawing was turned down
 * @property {Digit[]} digits
 * @property {string|null} alternative the runner-up reading of the whole number, if there is one
 * @property {string|null} rejected why it is not a digit: 'tap', 'dash', 'scribble' or 'not-a-digit'; else null
 * @property {boolean} runTogether the digits' strokes all join into one piece, as a letter's do:
 *   doubtful even where every digit is sure
 * @property {boolean} maybeNotADigit the segmenter finds the one or two digits read fairly likely
 *   not digits at all: doubtful too
 */

/**
 * Load the models and return a reader.
 * @param {object} [options]
 * @param {string} [options.modelsUrl] a models.json (as `digitdraw build-site` writes it and
 *   `digitdraw serve` serves it); its model URLs are relative to it. Default: 'models.json' beside the page
 * @param {{name: string, url: (string|object), temperature?: number}[]} [options.models] the models
 *   themselves instead (url: a model.json URL or a TF.js IOHandler); then modelsUrl is not read
 * @param {string} [options.model] the model to read with (default: the list's default)
 * @param {object} [options.tf] the TF.js namespace (default: the global `tf` of tfjs.min.js)
 * @param {'auto'|string|null} [options.backend] 'auto': WebAssembly, else WebGL, else plain JS;
 *   a name ('cpu', 'wasm', …) for that one; null to keep the backend `tf` already has
 * @param {string} [options.wasmUrl] the folder of TF.js's .wasm files (default: beside tfjs.min.js)
 * @param {Storage} [options.storage] where taught examples persist, e.g. localStorage (default: memory, gone on reload)
 * @returns {Promise<DigitRecognizer>}
 * @throws {Error} when TF.js is missing, the list or a model cannot be loaded, or `model` is not listed
 */
export async function createRecognizer({ modelsUrl, models, model, tf, backend = 'auto', wasmUrl, storage } = {}) {
  const runtime = tf ?? (await libraryTf());
  const [catalog, backendName] = await Promise.all([
    models ? { default: null, models } : fetchCatalog(modelsUrl ?? site.modelsUrl),
    startBackend(runtime, backend, wasmUrl),
  ]);
  const recognizer = new Recognizer(runtime, catalog.models, { storage: storage ?? memoryStorage() });
  const reader = new DigitRecognizer(recognizer, backendName);
  await reader.use(model ?? catalog.default ?? defaultModel(recognizer.models));
  return reader;
}

/** Reads with one model at a time; `use` switches. Made by `createRecognizer`. */
export class DigitRecognizer {
  /** @param {Recognizer} recognizer @param {string} backend */
  constructor(recognizer, backend) {
    this.recognizer = recognizer;
    /** TF.js's backend in use ('wasm', 'webgl', 'cpu', …) */
    this.backend = backend;
    /** @type {string} the model reading */
    this.model = null;
  }

  /** @returns {string[]} the models listed */
  get models() {
    return this.recognizer.models;
  }

  /** @returns {number} how many examples have been taught */
  get exampleCount() {
    return this.recognizer.examples.count;
  }

  /**
   * Read with `name` from now on (loaded first).
   * @param {string} name
   * @throws {Error} when it is not listed or cannot be loaded
   */
  async use(name) {
    if (!this.models.includes(name)) throw new Error(`no model called ${JSON.stringify(name)} (there are: ${this.models.join(', ')})`);
    await this.recognizer.load(name);
    this.model = name;
  }

  /**
   * Read a drawing: one digit or a whole number.
   * @param {number[][][]} strokes strokes in the order written, each a list of [x, y] points
   * @param {object} [options]
   * @param {number} [options.height] how tall the surface drawn on is in the strokes' units
   *   (e.g. a canvas's height in pixels); default PAD_UNITS, i.e. the strokes are in pad units
   * @returns {Promise<Reading>}
   */
  async read(strokes, { height = PAD_UNITS } = {}) {
    const drawing = checkedStrokes(strokes).map((s) => s.map(([x, y]) => [(x * PAD_UNITS) / height, (y * PAD_UNITS) / height]));
    return publicReading(await this.recognizer.read(drawing, this.model), PAD_UNITS / height);
  }

  /**
   * Read pixels: one digit or a whole number, dark on light or light on dark, a scan or a photo
   * (uneven light and paper grain are taken away: ink.js, the twin of images.py). The number is
   * cut into digits at its connected ink marks, as `digitdraw predict` does.
   * @param {{width: number, height: number, data: ArrayLike<number>}} imageData RGBA, e.g. an ImageData
   * @returns {Promise<Reading>} `box` in the image's pixels; number null and no digits for a blank image
   */
  async readImageData(imageData) {
    const { width, height, data } = imageData ?? {};
    if (!(width > 0 && height > 0 && data?.length === width * height * 4)) {
      throw new Error('readImageData needs RGBA pixels: {width, height, data} with width × height × 4 values, e.g. an ImageData');
    }
    const ink = inkFromPixels(data, height, width);
    return publicReading(await this.recognizer.readInk(ink, height, width, this.model), 1);
  }

  /**
   * Read a canvas (or an image, ImageBitmap or video frame), like `readImageData`.
   * @param {CanvasImageSource} source
   * @returns {Promise<Reading>}
   * @throws {Error} when the browser will not give its pixels (an image from another site without CORS)
   */
  readCanvas(source) {
    const width = source.naturalWidth || source.videoWidth || source.width;
    const height = source.naturalHeight || source.videoHeight || source.height;
    const copy = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    copy.drawImage(source, 0, 0);
    let pixels;
    try {
      pixels = copy.getImageData(0, 0, width, height);
    } catch (error) {
      throw new Error(`the browser will not give this image's pixels (${error.message}): serve it from this site or with CORS`, {
        cause: error,
      });
    }
    return this.readImageData(pixels);
  }

  /**
   * Teach: `strokes` (pad units) are the writer's `digit`; later reads lean towards it.
   * @param {number} digit 0–9
   * @param {number[][][]} strokes
   * @throws {Error} when the digit or strokes are not valid or the storage refuses them (nothing changes)
   */
  teach(digit, strokes) {
    this.recognizer.teach(digit, strokes);
  }

  /** Forget every taught example. @returns {number} how many were forgotten */
  forget() {
    return this.recognizer.forget().length;
  }

  /** @returns {string} the taught examples as a JSON file's text (`digitdraw predict --examples` reads it too) */
  exportExamples() {
    return JSON.stringify(this.recognizer.exportExamples());
  }

  /**
   * Add the examples of an exported file's text.
   * @param {string} text
   * @returns {number} how many were added
   * @throws {Error} saying what is wrong with the file; nothing is added then
   */
  importExamples(text) {
    return this.recognizer.importExamples(text);
  }
}

/** The page's `tf`, or the site's bundle loaded now (a classic script, so it sets the global). */
async function libraryTf() {
  if (globalThis.tf) return globalThis.tf;
  if (site.library && typeof document !== 'undefined') {
    await new Promise((resolve, reject) => {
      const script = Object.assign(document.createElement('script'), { src: site.library });
      script.onload = resolve;
      script.onerror = () => reject(new Error(`TF.js could not be loaded from ${site.library}`));
      document.head.append(script);
    });
    if (globalThis.tf) return globalThis.tf;
  }
  throw new Error('TF.js is not loaded: add the site\'s lib/…/tfjs.min.js as a <script> before this module, or pass { tf }');
}

/** The backend once per `tf`: several readers on one page share it. */
function startBackend(tf, backend, wasmUrl) {
  if (backend === null) return tf.ready().then(() => tf.getBackend());
  if (!backends.has(tf)) {
    const started =
      backend === 'auto'
        ? chooseBackend(tf, wasmUrl ?? libraryFolder())
        : tf.setBackend(backend).then(async (ok) => {
            if (!ok) throw new Error(`TF.js backend ${backend} could not start`);
            await tf.ready();
            return tf.getBackend();
          });
    started.catch(() => backends.delete(tf));
    backends.set(tf, started);
  }
  return backends.get(tf);
}

/** The folder tfjs.min.js came from: its .wasm files sit beside it. */
function libraryFolder() {
  const url = site.library ?? (typeof document !== 'undefined' ? document.querySelector('script[src*="tfjs.min.js"]')?.src : null);
  return url ? new URL('./', url).href : undefined;
}

async function fetchCatalog(modelsUrl) {
  const url = new URL(modelsUrl, globalThis.document?.baseURI ?? globalThis.location?.href).href;
  let response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (error) {
    throw new Error(`the model list ${url} could not be fetched (${error.message}): is the site up, and does it send CORS headers?`, {
      cause: error,
    });
  }
  if (!response.ok) throw new Error(`the model list ${url} did not load (HTTP ${response.status})`);
  const catalog = await response.json();
  if (!Array.isArray(catalog.models) || !catalog.models.length) throw new Error(`the model list ${url} offers no models`);
  // The list's URLs are relative to the list itself, wherever the page that reads it is.
  const models = catalog.models.map((m) => ({ ...m, url: new URL(m.url, response.url || url).href }));
  return { default: catalog.default, models };
}

/** config.json's default model when listed, else the first that reads digits (not the segmenter). */
function defaultModel(names) {
  if (names.includes(config.recognition.default_model)) return config.recognition.default_model;
  return names.find((n) => n !== config.recognition.segmenter) ?? names[0];
}

function checkedStrokes(strokes) {
  const valid =
    Array.isArray(strokes) &&
    strokes.every((s) => Array.isArray(s) && s.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite)));
  if (!valid) throw new Error('strokes must be a list of strokes, each a list of [x, y] points with finite numbers');
  return strokes.filter((s) => s.length);
}

/** recognizer.js's reading as the documented `Reading`: plain arrays, boxes in the caller's units. */
function publicReading(reading, unitsPerCaller) {
  const digits = reading.digits.map((d) => ({
    digit: d.digit,
    probabilities: Array.from(d.probabilities).slice(0, DIGITS),
    confidence: d.confidence,
    unsure: d.unsure,
    box: d.box.map((v) => v / unitsPerCaller),
  }));
  const number = digits.length && !reading.rejected ? reading.text : null;
  return {
    number,
    digits,
    alternative: reading.alternative ?? null,
    rejected: reading.rejected,
    runTogether: Boolean(reading.runTogether),
    maybeNotADigit: Boolean(reading.maybeNotADigit),
  };
}
