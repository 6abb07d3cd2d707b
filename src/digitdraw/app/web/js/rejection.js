/**
 * "That does not look like a digit": when a drawing is turned down instead of read — the twin of
 * src/digitdraw/rejection.py, where the three tests and their measurements are explained. No DOM.
 */
import config from '../config.json' with { type: 'json' };
import { distances, linkedGroups } from './numbers.js';

const {
  tap_extent: TAP_EXTENT,
  scribble_ink: SCRIBBLE_INK,
  not_a_digit_from: NOT_A_DIGIT_FROM,
  most_digits: MOST_DIGITS,
  taught_similarity: TAUGHT_SIMILARITY,
  joined_reach: JOINED_REACH,
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

/** The stroke with points added so none are more than `spacing` apart (a crossing then has a point near it). */
function densified(stroke, spacing) {
  const out = [stroke[0]];
  for (let k = 1; k < stroke.length; k++) {
    const [[x0, y0], [x1, y1]] = [stroke[k - 1], stroke[k]];
    const steps = Math.max(Math.ceil(Math.hypot(x1 - x0, y1 - y0) / spacing), 1);
    for (let i = 1; i <= steps; i++) out.push([x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps]);
  }
  return out;
}

function extent(stroke) {
  const xs = stroke.map(([x]) => x);
  const ys = stroke.map(([, y]) => y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function touch(a, b, reach) {
  const [boxA, boxB] = [extent(a), extent(b)];
  const apart = [0, 1].some((i) => boxA[i] - reach > boxB[i + 2] || boxB[i] - reach > boxA[i + 2]);
  return !apart && distances(densified(a, reach / 2), b).some((d) => d <= reach);
}

/**
 * Whether two or more digits were read and their strokes all join into one piece, as a letter's
 * do (rejection.py's `run_together`): the reading is then flagged as unsure.
 * @param {number[][][]} strokes the drawing (empty strokes are skipped, as the number reader does)
 * @param {number[][]} digitParts each digit's stroke indices among the non-empty strokes
 * @returns {boolean}
 */
export function runTogether(strokes, digitParts) {
  if (digitParts.length < 2) return false;
  const drawn = strokes.filter((s) => s.length);
  const ys = drawn.flat().map(([, y]) => y);
  const reach = JOINED_REACH * Math.max(Math.max(...ys) - Math.min(...ys), 1e-6);
  const joined = (i, j) => digitParts[i].some((a) => digitParts[j].some((b) => touch(drawn[a], drawn[b], reach)));
  return linkedGroups(digitParts.length, joined).length === 1;
}
