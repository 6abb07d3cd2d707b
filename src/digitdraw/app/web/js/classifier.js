/**
 * Load TF.js Layers models and classify 28×28 inputs. No DOM: the page passes in the global
 * `tf`, and the Node tests pass in `@tensorflow/tfjs`, so both run this very code.
 */
import config from '../config.json' with { type: 'json' };

const SIZE = config.input.size;
const PIXELS = SIZE * SIZE;

/**
 * Top probability below which a result is shown as unsure (config.json). Chosen on the dev part of
 * the drawn-digit benchmarks (docs/benchmarks.md, "Honest uncertainty"): for robust-cnn it flags 90%
 * of the wrong answers and 63% of non-digit scribbles, and 3.7% of the right answers — which still
 * show their digit, marked "?" beside the runner-up, so a false alarm costs little and a silent
 * error a lot.
 */
export const UNSURE_BELOW = config.recognition.unsure_below;

/**
 * Read ten probabilities as a verdict: the argmax (never "the output equal to 1"), its
 * probability, the runner-up, and whether the model is unsure.
 * @param {ArrayLike<number>} probabilities
 * @returns {{digit: number, confidence: number, runnerUp: number, unsure: boolean}}
 */
export function verdict(probabilities, unsureBelow = UNSURE_BELOW) {
  const order = Array.from(probabilities, (p, digit) => [p, digit]).sort((a, b) => b[0] - a[0]);
  const [[confidence, digit], [, runnerUp]] = order;
  return { digit, confidence, runnerUp, unsure: confidence < unsureBelow };
}

/**
 * softmax(log p / T): the model's probabilities made honest by its calibration temperature
 * (src/digitdraw/calibration.py fits T; 1 leaves them as they are).
 * @param {ArrayLike<number>} probabilities one row
 * @param {number} temperature
 * @returns {Float32Array}
 */
export function calibrated(probabilities, temperature) {
  if (temperature === 1) return Float32Array.from(probabilities);
  const logits = Array.from(probabilities, (p) => Math.log(Math.max(p, 1e-30)) / temperature);
  const top = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return Float32Array.from(weights, (w) => w / total);
}

/**
 * Pick the fastest backend that works: WASM, then WebGL, then plain JS.
 * @returns {Promise<string>} the backend in use
 */
export async function chooseBackend(tf, wasmPath) {
  if (tf.wasm && wasmPath) tf.wasm.setWasmPaths(wasmPath);
  for (const name of ['wasm', 'webgl', 'cpu']) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return tf.getBackend();
      }
    } catch (error) {
      console.warn(`TF.js backend ${name} unavailable: ${error.message}`);
    }
  }
  throw new Error('no TF.js backend could start');
}

/** Loads each model once, warms it up, and classifies with it. */
export class Classifier {
  /**
   * @param tf the TF.js namespace
   * @param {(name: string) => string} urlOf model name → model.json URL (or file:// / IOHandler)
   * @param {(name: string) => number} temperatureOf model name → its calibration temperature
   */
  constructor(tf, urlOf, temperatureOf = () => 1) {
    this.tf = tf;
    this.urlOf = urlOf;
    this.temperatureOf = temperatureOf;
    this.loading = new Map();
  }

  /** Load and warm up `name`; concurrent callers share one load. */
  load(name) {
    if (!this.loading.has(name)) {
      const promise = this.tf.loadLayersModel(this.urlOf(name)).then((model) => {
        this.tf.tidy(() => model.predict(this.tf.zeros([1, SIZE, SIZE, 1])).dataSync());
        return model;
      });
      promise.catch(() => this.loading.delete(name)); // a failed load may be retried
      this.loading.set(name, promise);
    }
    return this.loading.get(name);
  }

  /**
   * `name` with a second output first: the features its last layer reads (adapt.js), built from
   * the loaded model's own layers, so nothing more is downloaded.
   */
  loadWithFeatures(name) {
    const key = `${name}\u0000features`;
    if (!this.loading.has(key)) {
      const promise = this.load(name).then((model) => {
        const last = model.layers[model.layers.length - 1];
        return this.tf.model({ inputs: model.inputs, outputs: [last.input, model.outputs[0]] });
      });
      promise.catch(() => this.loading.delete(key));
      this.loading.set(key, promise);
    }
    return this.loading.get(key);
  }

  /**
   * `name`'s last layer (a Dense softmax): its kernel, row-major features × classes, and bias.
   * @returns {Promise<{weights: Float32Array, bias: Float32Array}>}
   */
  async lastLayer(name) {
    const model = await this.load(name);
    const [kernel, bias] = model.layers[model.layers.length - 1].getWeights();
    return { weights: kernel.dataSync(), bias: bias.dataSync() };
  }

  /**
   * Features and probabilities for each SIZE×SIZE input.
   * @param {string} name
   * @param {Float32Array[]} inputs
   * @returns {Promise<{features: Float32Array[], probabilities: Float32Array[]}>}
   */
  async predictWithFeatures(name, inputs) {
    if (!inputs.length) return { features: [], probabilities: [] };
    const model = await this.loadWithFeatures(name);
    const batch = new Float32Array(inputs.length * PIXELS);
    inputs.forEach((input, i) => batch.set(input, i * PIXELS));
    const outputs = this.tf.tidy(() => model.predict(this.tf.tensor4d(batch, [inputs.length, SIZE, SIZE, 1])));
    try {
      const [features, probabilities] = await Promise.all(outputs.map((t) => t.data()));
      const rows = (flat) => inputs.map((_, i) => flat.subarray((i * flat.length) / inputs.length, ((i + 1) * flat.length) / inputs.length));
      const temperature = this.temperatureOf(name);
      return { features: rows(features), probabilities: rows(probabilities).map((p) => calibrated(p, temperature)) };
    } finally {
      outputs.forEach((t) => t.dispose());
    }
  }

  /**
   * Probabilities for one or more SIZE×SIZE inputs (waits for the model if it is still loading).
   * @param {string} name
   * @param {Float32Array} inputs n × SIZE² values, ink = 1.0
   * @returns {Promise<Float32Array>} n × 10
   */
  async predict(name, inputs) {
    const model = await this.load(name);
    const count = inputs.length / PIXELS;
    const output = this.tf.tidy(() => model.predict(this.tf.tensor4d(inputs, [count, SIZE, SIZE, 1])));
    try {
      return await output.data();
    } finally {
      output.dispose();
    }
  }

  /**
   * One row of probabilities per input: 10 digits, and for 11-class models "not one digit" last.
   * @param {string} name
   * @param {Float32Array[]} inputs each SIZE×SIZE values
   * @returns {Promise<Float32Array[]>}
   */
  async predictEach(name, inputs) {
    if (!inputs.length) return [];
    const batch = new Float32Array(inputs.length * PIXELS);
    inputs.forEach((input, i) => batch.set(input, i * PIXELS));
    const flat = await this.predict(name, batch);
    const width = flat.length / inputs.length;
    const temperature = this.temperatureOf(name);
    return inputs.map((_, i) => calibrated(flat.subarray(i * width, (i + 1) * width), temperature));
  }
}
