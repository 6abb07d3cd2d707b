/**
 * "That does not look like a digit": when a drawing is turned down instead of read — the twin of
 * src/digitdraw/rejection.py, where the three tests and their measurements are explained. No DOM.
 */
import config from '../config.json' with { type: 'json' };

const {
  tap_extent: TAP_EXTENT,
  scribble_ink: SCRIBBLE_INK,
  not_a_digit_from: NOT_A_DIGIT_FROM,
  most_digits: MOST_DIGITS,
  taught_similarity: TAUGHT_SIMILARITY,
} = config.rejection;
const PAD_UNITS = config.pad.units;

const pathLength = (stroke) => stroke.slice(1).reduce((sum, [x, y], k) => sum + Math.hypot(x - stroke[k][0], y - stroke[k][1]), 0);

/**
 * Why the drawing is not a digit ('tap', 'scribble' or 'not-a-digit'), or null to read it.
 * @param {number[]} notADigit each digit read's "not one digit" probability
 * @param {number[][][] | null} strokes the drawing in pad units (null for an image)
 * @param {number} taughtSimilarity how alike the drawing is to its nearest taught example (adapt.js)
 * @returns {string | null}
 */
export function rejected(notADigit, strokes = null, taughtSimilarity = -1) {
  if (taughtSimilarity >= TAUGHT_SIMILARITY) return null;
  const drawn = (strokes ?? []).filter((s) => s.length);
  if (drawn.length) {
    const xs = drawn.flat().map(([x]) => x);
    const ys = drawn.flat().map(([, y]) => y);
    const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    if (extent < TAP_EXTENT * PAD_UNITS) return 'tap';
    if (drawn.reduce((sum, s) => sum + pathLength(s), 0) > SCRIBBLE_INK * extent) return 'scribble';
  }
  const mean = notADigit.reduce((a, b) => a + b, 0) / notADigit.length;
  if (notADigit.length && notADigit.length <= MOST_DIGITS && mean >= NOT_A_DIGIT_FROM) return 'not-a-digit';
  return null;
}
