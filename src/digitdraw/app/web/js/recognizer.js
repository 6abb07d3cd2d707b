/**
 * The recogniser: strokes in, a number (or "not a digit") out, adapted to the writer's taught
 * examples. No DOM — the page (main.js) and other pages embedding digitdraw use this same class.
 *
 * Per model, a NumberReader (numbers.js) cuts the strokes into digits with the segmenter (an
 * 11-class model that also says "not one digit") and reads each digit with the model; once the
 * writer has taught examples, the model's probabilities are moved towards them (adapt.js), and
 * rejection.js decides whether the drawing is a digit at all.
 */
import config from '../config.json' with { type: 'json' };
import { blend, fineTuned, layerProbabilities, nearestSimilarities, normalised } from './adapt.js';
import { Classifier } from './classifier.js';
import { ExampleStore } from './examples.js';
import { inkBoxes, inkParts, partsInput } from './ink.js';
import { NumberReader, crossesSevens, seenCrossedSeven } from './numbers.js';
import { mnistFromPadStrokes, mnistFromStrokes, strokeBounds } from './preprocess.js';
import { doubtful, rejected, runTogether } from './rejection.js';

const PAD_UNITS = config.pad.units;
const PEN_WIDTH = config.pad.pen_width;

/**
 * One candidate digit's strokes (pad units) → its 28×28 input.
 * @param {number[][][]} strokes
 * @param {'vector'|'raster'} recipe vector: fit the strokes and redraw them at a canonical pen;
 *   raster: draw them at the pad's pen, then crop and fit the pixels
 * @returns {Float32Array}
 */
export function toInput(strokes, recipe = config.recognition.default_recipe) {
  if (recipe === 'vector') return mnistFromStrokes(strokes);
  // A square raster just big enough, moved by whole units so the pixels are those the pad would have.
  const [minX, minY, maxX, maxY] = strokeBounds(strokes);
  const margin = Math.ceil(PEN_WIDTH / 2) + 1;
  const [dx, dy] = [margin - Math.floor(minX), margin - Math.floor(minY)];
  const size = Math.max(PAD_UNITS, Math.ceil(Math.max(maxX - minX, maxY - minY)) + 2 * margin + 1);
  return mnistFromPadStrokes(strokes.map((s) => s.map(([x, y]) => [x + dx, y + dy])), size, PEN_WIDTH);
}

/** An in-memory stand-in for localStorage (for tests, or a page where storage is blocked). */
export function memoryStorage() {
  const items = new Map();
  return { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
}

/** localStorage, or memory where the browser blocks it (e.g. some embedded frames) or there is none (Node). */
export function browserStorage() {
  try {
    globalThis.localStorage.getItem('');
    return globalThis.localStorage;
  } catch {
    return memoryStorage();
  }
}

export class Recognizer {
  /**
   * @param tf the TF.js namespace
   * @param {{name: string, url: string, temperature?: number}[]} models what may be loaded
   * @param {object} [options]
   * @param {string|null} [options.segmenter] the model that cuts numbers into digits (config.json's by default, when listed)
   * @param {'vector'|'raster'} [options.recipe]
   * @param {Storage} [options.storage] where taught examples persist (default: kept in memory)
   */
  constructor(tf, models, { segmenter = config.recognition.segmenter, recipe = config.recognition.default_recipe, storage } = {}) {
    const urls = Object.fromEntries(models.map((m) => [m.name, m.url]));
    const temperatures = Object.fromEntries(models.map((m) => [m.name, m.temperature ?? 1]));
    this.models = models.map((m) => m.name);
    this.classifier = new Classifier(tf, (name) => urls[name], (name) => temperatures[name] ?? 1);
    this.segmenter = urls[segmenter] ? segmenter : null;
    this.recipe = recipe;
    this.examples = new ExampleStore(storage ?? memoryStorage());
    this.readers = new Map();
    this.taught = new Map(); // model → Promise of the examples' [{digit, features, raw}]
    this.tuned = new Map(); // model → Promise of its last layer fine-tuned on the examples
    this.sevensSeen = new Map(); // model → what it remembers of the writer's 7s (#sevensSeenBy)
  }

  /** Load `name` (and the segmenter) and warm them up. */
  load(name) {
    return Promise.all([this.classifier.load(name), this.segmenter && this.classifier.load(this.segmenter)]);
  }

  /** @param {number[][][]} strokes pad units @returns {Float32Array} the 28×28 input the model sees */
  inputOf(strokes) {
    return toInput(strokes, this.recipe);
  }

  /**
   * Read `strokes` (arrays of [x, y] points in pad units, in the order written) with `name`.
   * @returns {Promise<{digits: object[], text: string, alternative: (string|null), rejected: (string|null),
   *   runTogether: boolean, maybeNotADigit: boolean}>} `rejected`: why it is not a digit ('tap', 'dash',
   *   'scribble', 'not-a-digit'), else null; `runTogether`: the digits' strokes all join into one
   *   piece, as a letter's do; `maybeNotADigit`: the segmenter doubts they are digits (both unsure)
   */
  async read(strokes, name) {
    const reader = this.#readerFor(name);
    const seen = this.#sevensSeenBy(name, strokes);
    reader.seenCrossedSeven = seen.before;
    const reading = await reader.read(strokes);
    if (!reading.digits.length) return { ...reading, rejected: null, runTogether: false, maybeNotADigit: false };
    const { reason, doubt } = await this.#rejection(reading, strokes, name);
    const joined = !reason && runTogether(strokes, reading.digits.map((d) => d.parts));
    seen.after = reason ? seen.before : seenCrossedSeven(seen.before, reading.digits, strokes.filter((s) => s.length));
    return { ...reading, rejected: reason, runTogether: joined, maybeNotADigit: doubt };
  }

  /**
   * Whether the last 7 `name` read in an earlier drawing was crossed (`before`, numbers.js's
   * `seenCrossedSeven`): a writer who crosses their 7s and has taught none has their uncrossed 7s
   * doubted as flagged 1s. A drawing is told from the next by where its first stroke starts, which
   * stays put while the drawing grows, is undone or is read live; clearing the pad starts anew.
   * Per model, so the compare view's other models never change what the chosen one remembers.
   */
  #sevensSeenBy(name, strokes) {
    const first = strokes.find((s) => s.length)?.[0]?.join(',') ?? null;
    const seen = this.sevensSeen.get(name) ?? { before: false, after: false, first: null };
    const current = seen.first === first ? seen : { before: seen.after, after: seen.after, first };
    this.sevensSeen.set(name, current);
    return current;
  }

  /**
   * Read an ink raster (ink.js's `inkFromPixels` of a photo or scan) with `name`, as numbers.py's
   * `read_ink`: its connected ink marks are the parts. Images are read by the models alone (taught
   * examples are strokes) and turned down only by the segmenter's "not a digit" (no pen path).
   * @param {Float64Array} ink height × width, ink high in [0, 1]
   * @returns {Promise<{digits: object[], text: string, alternative: (string|null), rejected: (string|null),
   *   runTogether: false, maybeNotADigit: boolean, inputs: Float32Array[]}>} a digit's `parts` index the
   *   ink marks; `inputs[i]`: digit i's 28×28 input
   */
  async readInk(ink, height, width, name) {
    const { labels, count } = inkParts(ink, height, width);
    const boxes = inkBoxes(labels, count, width);
    const classify = (model) => (inputs) => this.classifier.predictEach(model, inputs);
    const scorer = this.segmenter && this.segmenter !== name ? this.segmenter : name;
    const reader = new NumberReader(classify(scorer), scorer !== name ? classify(name) : null);
    const input = (group) => partsInput(ink, labels, group, height, width);
    const reading = await reader.readParts(boxes, boxes.map((_, k) => `ink${k}`), input);
    const notADigit = reading.digits.map((d) => d.notADigit);
    const rejectedAs = reading.digits.length ? rejected(notADigit) : null;
    const maybeNotADigit = !rejectedAs && doubtful(notADigit);
    // An ink mark is one part: marks that join are one candidate digit, so they never run together.
    const inputs = reading.digits.map((d) => input(d.parts));
    return { ...reading, rejected: rejectedAs, runTogether: false, maybeNotADigit, inputs };
  }

  /**
   * Teach: `strokes` are the writer's `digit`. Takes effect for the next read.
   * @throws {ExamplesError} when the browser will not store it
   */
  teach(digit, strokes) {
    this.examples.add(digit, strokes);
    this.#changed(this.examples.examples.at(-1));
  }

  /** Forget every taught example, and the 7s seen; returns the examples for `restore`. */
  forget() {
    this.sevensSeen.clear();
    const removed = this.examples.forget();
    this.#changed();
    return removed;
  }

  restore(examples) {
    this.examples.restore(examples);
    this.#changed();
  }

  /** Add the examples of an exported file's text; @returns {number} how many @throws {ExamplesError} */
  importExamples(text) {
    const added = this.examples.importText(text);
    this.#changed();
    return added;
  }

  /** The JSON object an exported examples file holds (`digitdraw predict --examples` reads it too). */
  exportExamples() {
    return this.examples.toFile();
  }

  /** Each example's digit and features under `model`, as given (`raw`) and `normalised`. */
  async #featuresOf(model, examples) {
    const { features } = await this.classifier.predictWithFeatures(model, examples.map((e) => this.inputOf(e.strokes)));
    return examples.map((e, i) => ({ digit: e.digit, features: normalised(features[i]), raw: features[i] }));
  }

  #taughtFeatures(model) {
    if (!this.taught.has(model)) this.taught.set(model, this.#featuresOf(model, this.examples.examples));
    return this.taught.get(model);
  }

  #tunedLayer(model) {
    if (!this.tuned.has(model)) {
      const layer = Promise.all([this.classifier.lastLayer(model), this.#taughtFeatures(model)]);
      this.tuned.set(model, layer.then(([own, taught]) => fineTuned(own, taught)));
    }
    return this.tuned.get(model);
  }

  /** Readers start afresh; `added` extends the cached features, else they are recomputed. */
  #changed(added = null) {
    this.readers.clear();
    this.tuned.clear();
    if (!added) return this.taught.clear();
    for (const [model, list] of this.taught) {
      this.taught.set(model, Promise.all([list, this.#featuresOf(model, [added])]).then(([a, b]) => [...a, ...b]));
    }
  }

  /** `model`'s probabilities for `inputs` from its fine-tuned last layer, moved towards the writer's taught examples. */
  async #adaptedProbabilities(model, inputs) {
    const [taught, layer] = await Promise.all([this.#taughtFeatures(model), this.#tunedLayer(model)]);
    const { features } = await this.classifier.predictWithFeatures(model, inputs);
    const temperature = this.classifier.temperatureOf(model);
    return features.map((f) => blend(layerProbabilities(f, layer, temperature), nearestSimilarities(f, taught)));
  }

  /** Segmenting stays the models' own; reading the chosen digits adapts once there are examples, and
   * the writer's taught 7s say whether an uncrossed 7 is more likely their flagged 1. */
  #readerFor(name) {
    if (!this.readers.has(name)) {
      const classify = (model) => (groups) => this.classifier.predictEach(model, groups.map((g) => this.inputOf(g)));
      const scorer = this.segmenter && this.segmenter !== name ? this.segmenter : name;
      const read = this.examples.count ? (groups) => this.#adaptedProbabilities(name, groups.map((g) => this.inputOf(g))) : scorer !== name ? classify(name) : null;
      const sevens = this.examples.examples.filter((e) => e.digit === 7).map((e) => e.strokes);
      this.readers.set(name, new NumberReader(classify(scorer), read, { writerCrossesSevens: crossesSevens(sevens) }));
    }
    return this.readers.get(name);
  }

  /** rejection.js's verdict and doubt; a drawing like a taught example is neither turned down nor doubted. */
  async #rejection(reading, strokes, name) {
    const notADigit = reading.digits.map((d) => d.notADigit);
    let similarity = -1;
    if (this.examples.count && (rejected(notADigit, strokes) || doubtful(notADigit))) {
      const taught = await this.#taughtFeatures(name);
      const { features } = await this.classifier.predictWithFeatures(name, [this.inputOf(strokes)]);
      similarity = Math.max(...nearestSimilarities(features[0], taught).filter((s) => !Number.isNaN(s)));
    }
    const reason = rejected(notADigit, strokes, similarity);
    return { reason, doubt: !reason && doubtful(notADigit, similarity) };
  }
}
