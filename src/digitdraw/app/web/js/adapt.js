/**
 * Learn one writer's hand from a few taught examples: the twin of src/digitdraw/adapt.py (the
 * rule and why it was chosen are explained there). No DOM.
 *
 * The model's last layer is first trained on for `steps` gradient steps on the examples'
 * features (the input of that layer), and gives the drawing's probabilities; then each digit with
 * examples gets the cosine similarity of its nearest example on those features, and a similarity
 * above `floor` adds `strength × (similarity − floor)` to that digit's log-probability.
 */
import config from '../config.json' with { type: 'json' };

const DIGITS = 10;

/** `strength`, `floor`, `steps` and `rate`, chosen on the writer benchmark's dev writers (config.json). */
export const ADAPTATION = config.adaptation;

/**
 * A feature vector scaled to unit length (all zeros stays zeros).
 * @param {ArrayLike<number>} features
 * @returns {Float64Array}
 */
export function normalised(features) {
  let sum = 0;
  for (const value of features) sum += value * value;
  const norm = Math.max(Math.sqrt(sum), 1e-12);
  return Float64Array.from(features, (value) => value / norm);
}

/**
 * Per digit, the cosine similarity of the drawing to that digit's nearest example (NaN: none).
 * @param {ArrayLike<number>} features the drawing's features (any length)
 * @param {{digit: number, features: Float64Array}[]} examples features already `normalised`
 * @returns {number[]} ten similarities
 */
export function nearestSimilarities(features, examples) {
  const unit = normalised(features);
  const nearest = new Array(DIGITS).fill(NaN);
  for (const { digit, features: other } of examples) {
    let dot = 0;
    for (let k = 0; k < unit.length; k++) dot += unit[k] * other[k];
    if (!(nearest[digit] >= dot)) nearest[digit] = dot; // NaN compares false: the first example wins
  }
  return nearest;
}

/**
 * The model's ten probabilities moved towards the digits whose examples the drawing is close to.
 * @param {ArrayLike<number>} probabilities 10 (or 11: "not one digit" last, dropped here)
 * @param {number[]} similarities from nearestSimilarities
 * @returns {Float64Array} ten probabilities that sum to 1
 */
export function blend(probabilities, similarities, settings = ADAPTATION) {
  const scores = Array.from({ length: DIGITS }, (_, d) => {
    const similarity = Number.isNaN(similarities[d]) ? settings.floor : similarities[d];
    return Math.log(Math.max(probabilities[d], 1e-30)) + settings.strength * Math.max(0, similarity - settings.floor);
  });
  const top = Math.max(...scores);
  const weights = scores.map((score) => Math.exp(score - top));
  const total = weights.reduce((a, b) => a + b, 0);
  return Float64Array.from(weights, (w) => w / total);
}

/**
 * Softmax of `features · weights + bias`, divided by the model's calibration temperature.
 * @param {ArrayLike<number>} features
 * @param {{weights: ArrayLike<number>, bias: ArrayLike<number>}} layer weights row-major, features × classes
 * @param {number} [temperature]
 * @returns {Float64Array}
 */
export function layerProbabilities(features, { weights, bias }, temperature = 1) {
  const classes = bias.length;
  const logits = Float64Array.from(bias);
  for (let k = 0; k < features.length; k++) {
    const value = features[k];
    if (value === 0) continue; // ReLU features: most are zero
    for (let c = 0; c < classes; c++) logits[c] += value * weights[k * classes + c];
  }
  const top = Math.max(...logits);
  const exps = logits.map((l) => Math.exp((l - top) / temperature));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/**
 * The last layer after `settings.steps` full-batch gradient-descent steps on the cross-entropy of
 * the last `settings.tuned_examples` taught examples (adapt.py's `fine_tuned`, where the limit is
 * explained). Plain loops rather than TF.js: the layer is small, and float64 keeps it equal to
 * the Python twin.
 * @param {{weights: ArrayLike<number>, bias: ArrayLike<number>}} layer the model's own
 * @param {{digit: number, raw: ArrayLike<number>}[]} taught each example's features, as the model gives them, in the order taught
 * @returns {{weights: Float64Array, bias: Float64Array}}
 */
export function fineTuned(layer, taught, settings = ADAPTATION) {
  const examples = taught.slice(-settings.tuned_examples);
  const weights = Float64Array.from(layer.weights);
  const bias = Float64Array.from(layer.bias);
  const classes = bias.length;
  const gradient = new Float64Array(weights.length);
  const biasGradient = new Float64Array(classes);
  for (let step = 0; step < (examples.length ? settings.steps : 0); step++) {
    gradient.fill(0);
    biasGradient.fill(0);
    for (const { digit, raw } of examples) {
      const error = layerProbabilities(raw, { weights, bias }).map((p, c) => (p - (c === digit ? 1 : 0)) / examples.length);
      for (let k = 0; k < raw.length; k++) {
        const value = raw[k];
        if (value === 0) continue;
        for (let c = 0; c < classes; c++) gradient[k * classes + c] += value * error[c];
      }
      error.forEach((e, c) => (biasGradient[c] += e));
    }
    for (let j = 0; j < weights.length; j++) weights[j] -= settings.rate * gradient[j];
    for (let c = 0; c < classes; c++) bias[c] -= settings.rate * biasGradient[c];
  }
  return { weights, bias };
}
