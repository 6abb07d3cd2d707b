/**
 * Learn one writer's hand from a few taught examples: the twin of src/digitdraw/adapt.py (the
 * rule and why it was chosen are explained there). No DOM.
 *
 * For a drawing, each digit with examples gets the cosine similarity of its nearest example on
 * the model's features (the input of its last layer); a similarity above `floor` adds
 * `strength × (similarity − floor)` to that digit's log-probability.
 */
import config from '../config.json' with { type: 'json' };

const DIGITS = 10;

/** `strength` and `floor`, chosen on the writer benchmark's dev writers (config.json). */
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
