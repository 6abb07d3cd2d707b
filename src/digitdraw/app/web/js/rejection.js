/**
 * "That does not look like a digit": when a drawing is turned down instead of read — the twin of
 * src/digitdraw/rejection.py, where the five tests, the doubt short of them and their
 * measurements are explained. No DOM.
 */
import config from '../config.json' with { type: 'json' };
import { boxOf, distances, isFlatLine, linkedGroups, pathLength, samples, union } from './numbers.js';

const {
  tap_extent: TAP_EXTENT,
  scribble_ink: SCRIBBLE_INK,
  scribble_turns: SCRIBBLE_TURNS,
  turn_spacing: TURN_SPACING,
  turn_least_height: TURN_LEAST_HEIGHT,
  not_a_digit_from: NOT_A_DIGIT_FROM,
  doubtful_from: DOUBTFUL_FROM,
  most_digits: MOST_DIGITS,
  taught_similarity: TAUGHT_SIMILARITY,
  joined_reach: JOINED_REACH,
} = config.rejection;
const PAD_UNITS = config.pad.units;

// The digits read are one or two, on average at least `threshold` likely "not one digit".
function mostlyNotADigit(notADigit, threshold) {
  const mean = notADigit.reduce((a, b) => a + b, 0) / notADigit.length;
  return notADigit.length > 0 && notADigit.length <= MOST_DIGITS && mean >= threshold;
}

// The stroke's points at least `step` apart, each from the one kept before it (rejection.py's `_stepped`).
function stepped(stroke, step) {
  const kept = [stroke[0]];
  for (const point of stroke.slice(1)) {
    const last = kept[kept.length - 1];
    if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= step) kept.push(point);
  }
  return kept;
}

/**
 * How many full turns the pen makes over the drawing: the absolute changes of its heading, summed
 * along every stroke followed in steps (rejection.py's `turns`, where the steps are explained).
 * @param {number[][][]} strokes the drawing's non-empty strokes
 * @returns {number}
 */
export function turns(strokes) {
  const ys = strokes.flat().map(([, y]) => y);
  const step = TURN_SPACING * Math.max(Math.max(...ys) - Math.min(...ys), TURN_LEAST_HEIGHT * PAD_UNITS);
  let total = 0;
  for (const stroke of strokes) {
    const kept = stepped(stroke, step);
    for (let k = 2; k < kept.length; k++) {
      const [bx, by] = [kept[k - 1][0] - kept[k - 2][0], kept[k - 1][1] - kept[k - 2][1]];
      const [ax, ay] = [kept[k][0] - kept[k - 1][0], kept[k][1] - kept[k - 1][1]];
      total += Math.abs(Math.atan2(bx * ay - by * ax, bx * ax + by * ay));
    }
  }
  return total / (2 * Math.PI);
}

/**
 * Why the drawing is not a digit ('tap', 'dash', 'scribble' or 'not-a-digit'), or null to read it.
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
    if (drawn.length === 1 && isFlatLine(drawn[0])) return 'dash';
    const few = notADigit.length <= MOST_DIGITS;
    if (few && drawn.reduce((sum, s) => sum + pathLength(s), 0) > SCRIBBLE_INK * extent) return 'scribble';
    if (turns(drawn) > SCRIBBLE_TURNS * Math.max(notADigit.length, 1)) return 'scribble';
  }
  return mostlyNotADigit(notADigit, NOT_A_DIGIT_FROM) ? 'not-a-digit' : null;
}

/**
 * Short of turning it down: whether the one or two digits read are, on average, at least
 * `doubtful_from` likely "not one digit" — read, but shown as unsure (rejection.py's `doubtful`).
 * Never for a drawing like a taught example. Arguments as `rejected`'s.
 * @param {number[]} notADigit
 * @param {number} taughtSimilarity
 * @returns {boolean}
 */
export function doubtful(notADigit, taughtSimilarity = -1) {
  return taughtSimilarity < TAUGHT_SIMILARITY && mostlyNotADigit(notADigit, DOUBTFUL_FROM);
}

function touch(a, b, reach) {
  const [boxA, boxB] = [boxOf(a), boxOf(b)];
  if ([0, 1].some((i) => boxA[i] - reach > boxB[i + 2] || boxB[i] - reach > boxA[i + 2])) return false;
  // Points at most reach / 2 apart along `a`: where it crosses `b`, one of them is within reach.
  const alongA = samples(a, Math.max(2, Math.ceil(pathLength(a) / (reach / 2)) + 1));
  return distances(alongA, b).some((d) => d <= reach);
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
  const [, y0, , y1] = union(drawn.map(boxOf));
  const reach = JOINED_REACH * Math.max(y1 - y0, 1e-6);
  const joined = (i, j) => digitParts[i].some((a) => digitParts[j].some((b) => touch(drawn[a], drawn[b], reach)));
  return linkedGroups(digitParts.length, joined).length === 1;
}
