/**
 * Read a whole number: strokes in, digits out, left to right. No DOM: runs in the page and
 * under `node --test`.
 *
 * The twin of src/digitdraw/numbers.py (the method is explained there); tests/js/numbers.test.js
 * checks both agree on the golden vectors tests/golden/generate_numbers.py writes. Change both
 * or neither. The limits and weights come from config.json, which the Python twin reads too.
 */
import config from '../config.json' with { type: 'json' };
import { verdict } from './classifier.js';

const {
  max_strokes_per_digit: MAX_PARTS,
  join_gap: JOIN_GAP,
  min_height: MIN_HEIGHT,
  max_width: MAX_WIDTH,
  gap_weight: GAP_WEIGHT,
  height_weight: HEIGHT_WEIGHT,
  width_weight: WIDTH_WEIGHT,
  segment_bonus: SEGMENT_BONUS,
  not_a_digit_weight: NOT_A_DIGIT_WEIGHT,
  whole_not_a_digit_below: WHOLE_NOT_A_DIGIT_BELOW,
} = config.numbers;
const { flatness: FLATNESS, straightness: STRAIGHTNESS } = config.flat_line;
const {
  crossbar_band: [BAND_LOW, BAND_HIGH],
  crossbar_flatness: CROSSBAR_FLATNESS,
  crossbar_least_width: CROSSBAR_LEAST_WIDTH,
  uncrossed_seven_odds: UNCROSSED_SEVEN_ODDS,
  seen_uncrossed_seven_odds: SEEN_UNCROSSED_SEVEN_ODDS,
} = config.crossed_sevens;
const DIGITS = 10;
const SEVEN = 7;
const FLOOR = 1e-9;
const CACHE_LIMIT = 2000; // candidate readings kept per model; live drawing adds a few per frame
const RETRACE_SHARE = 0.8; // a stroke with this share of its length on another's line retraces it
const RETRACE_SAMPLES = 16; // points along a stroke at which that share is measured
const RETRACE_REACH = 0.05; // "on the line": within this share of the drawing's height

/** @typedef {[number, number, number, number]} Box x0, y0, x1, y1 */

/** @returns {Box} the bounding box of a stroke's points */
export function boxOf(points) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return [x0, y0, x1, y1];
}

/** @returns {Box} */
export function union(boxes) {
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

/** Parts left to right by the middle of their x-extent (ties: by top). */
export function readingOrder(boxes) {
  const key = (k) => [(boxes[k][0] + boxes[k][2]) / 2, boxes[k][1]];
  return boxes.map((_, k) => k).sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

/** The digit height: median height of the x-overlap groups, at least half the tallest. */
export function lineHeight(boxes, order) {
  const groups = [];
  for (const k of order) {
    const box = boxes[k];
    const last = groups.length - 1;
    if (last >= 0 && box[0] <= groups[last][2]) groups[last] = union([groups[last], box]);
    else groups.push(box);
  }
  const heights = groups.map((g) => g[3] - g[1]).sort((a, b) => a - b);
  return Math.max(heights[Math.floor(heights.length / 2)], 0.5 * heights[heights.length - 1], 1e-6);
}

/** [start, end) runs of the ordered parts that may be one digit. */
export function candidates(boxes, order, height) {
  const runs = [];
  for (let start = 0; start < order.length; start++) {
    let right = boxes[order[start]][2];
    for (let end = start + 1; end <= Math.min(start + MAX_PARTS, order.length); end++) {
      if (end > start + 1) {
        const box = boxes[order[end - 1]];
        if (box[0] - right > JOIN_GAP * height) break;
        right = Math.max(right, box[2]);
      }
      runs.push([start, end]);
    }
  }
  return runs;
}

/** The widest empty x-interval inside a group of parts. */
export function innerGap(boxes) {
  let widest = 0;
  let right = null;
  for (const box of [...boxes].sort((a, b) => a[0] - b[0])) {
    if (right !== null) widest = Math.max(widest, box[0] - right);
    right = right === null ? box[2] : Math.max(right, box[2]);
  }
  return widest;
}

/** Log-prior of a group of parts being one digit, from its shape against the line height. */
export function prior(boxes, height) {
  const [x0, y0, x1, y1] = union(boxes);
  const short = Math.max(0, MIN_HEIGHT - (y1 - y0) / height);
  const wide = Math.max(0, (x1 - x0) / height - MAX_WIDTH);
  return -((GAP_WEIGHT * innerGap(boxes)) / height + HEIGHT_WEIGHT * short + WIDTH_WEIGHT * wide);
}

/** log P(the best digit), with the "not one digit" output counted at NOT_A_DIGIT_WEIGHT. */
export function digitLogScore(probabilities) {
  const digits = Array.from(probabilities).slice(0, DIGITS);
  const rest = probabilities.length > DIGITS ? probabilities[DIGITS] : 0;
  const total = digits.reduce((a, b) => a + b, 0) + NOT_A_DIGIT_WEIGHT * rest;
  return Math.log(Math.max(Math.max(...digits), FLOOR) / Math.max(total, FLOOR));
}

/**
 * The two best ways to cut `count` ordered parts into runs, by dynamic programming.
 * @param {number} count
 * @param {(start: number, end: number) => (number | null)} score a run's score, null if impossible
 * @returns {Array<[number, Array<[number, number]>]>} best first
 */
export function bestSegmentations(count, score) {
  const best = [[[0, []]]];
  for (let end = 1; end <= count; end++) {
    const options = [];
    for (let start = Math.max(0, end - MAX_PARTS); start < end; start++) {
      const runScore = score(start, end);
      if (runScore === null) continue;
      for (const [total, runs] of best[start]) options.push([total + runScore, [...runs, [start, end]]]);
    }
    best.push(options.sort((a, b) => b[0] - a[0]).slice(0, 2));
  }
  return best[count];
}

/** Each point's distance to the polyline (a one-point polyline is a dot), as the smallest. */
export function distances(points, polyline) {
  const ends = polyline.length > 1 ? polyline : [polyline[0], polyline[0]];
  return points.map(([px, py]) => {
    let nearest = Infinity;
    for (let k = 0; k + 1 < ends.length; k++) {
      const [x0, y0] = ends[k];
      const [dx, dy] = [ends[k + 1][0] - x0, ends[k + 1][1] - y0];
      const along = Math.min(Math.max(((px - x0) * dx + (py - y0) * dy) / Math.max(dx * dx + dy * dy, 1e-12), 0), 1);
      nearest = Math.min(nearest, Math.hypot(px - x0 - along * dx, py - y0 - along * dy));
    }
    return nearest;
  });
}

/** `count` points evenly spaced along the stroke, ends included (a dot: itself), as numbers.py's `samples`. */
export function samples(stroke, count = RETRACE_SAMPLES) {
  const lengths = [0];
  for (let k = 1; k < stroke.length; k++) {
    lengths.push(lengths[k - 1] + Math.hypot(stroke[k][0] - stroke[k - 1][0], stroke[k][1] - stroke[k - 1][1]));
  }
  const total = lengths[lengths.length - 1];
  if (total <= 0) return [stroke[0]];
  let segment = 0;
  return Array.from({ length: count }, (_, i) => {
    const at = (total * i) / (count - 1);
    while (segment < lengths.length - 2 && lengths[segment + 1] < at) segment++;
    const span = lengths[segment + 1] - lengths[segment];
    const t = span > 0 ? Math.min(Math.max((at - lengths[segment]) / span, 0), 1) : 0;
    const [a, b] = [stroke[segment], stroke[segment + 1]];
    return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
  });
}

function retraces(stroke, other, reach) {
  const along = distances(samples(stroke), other);
  return along.filter((d) => d <= reach).length / along.length >= RETRACE_SHARE;
}

/**
 * Strokes grouped where one goes over another's line for most of its length (a line drawn twice,
 * a digit written over): such strokes are one part of one digit. Groups are listed by their first
 * stroke; each holds its strokes in the order written.
 * @returns {number[][]}
 */
export function retracedGroups(strokes) {
  if (!strokes.length) return [];
  const boxes = strokes.map(boxOf);
  const [, y0, , y1] = union(boxes);
  const reach = RETRACE_REACH * Math.max(y1 - y0, 1e-6);
  const retraced = (a, b) => {
    const near = [0, 1].every((i) => boxes[a][i] - reach <= boxes[b][i + 2] && boxes[b][i] - reach <= boxes[a][i + 2]);
    return near && (retraces(strokes[b], strokes[a], reach) || retraces(strokes[a], strokes[b], reach));
  };
  return linkedGroups(strokes.length, retraced);
}

/**
 * Items 0..count-1 grouped where `linked(a, b)` (a < b) joins two of them, directly or through
 * others (numbers.py's `linked_groups`); each group ascending, the groups by their first item.
 * @returns {number[][]}
 */
export function linkedGroups(count, linked) {
  const root = Array.from({ length: count }, (_, k) => k);
  const find = (k) => (root[k] === k ? k : find(root[k]));
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      if (find(a) !== find(b) && linked(a, b)) root[find(b)] = find(a);
    }
  }
  const groups = new Map();
  for (let k = 0; k < count; k++) groups.set(find(k), [...(groups.get(find(k)) ?? []), k]);
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}

/** A stroke's identity for the caches: a 32-bit FNV-1a hash of its points (to 1/1000 unit) and its length. */
function strokeKey(stroke) {
  let hash = 0x811c9dc5;
  for (const [x, y] of stroke) {
    for (const value of [Math.round(x * 1000), Math.round(y * 1000)]) {
      hash = Math.imul(hash ^ (value & 0xffff), 0x01000193);
      hash = Math.imul(hash ^ (value >>> 16), 0x01000193);
    }
  }
  return `${(hash >>> 0).toString(36)}.${stroke.length}`;
}

/**
 * One digit read: the verdict on its 10 digit probabilities (renormalised), its parts and box,
 * and its "not one digit" probability from the scorer's 11th class (0 for a 10-class scorer).
 */
export function digitReading(parts, boxes, read, scored) {
  const total = Math.max(Array.from(read).slice(0, DIGITS).reduce((a, b) => a + b, 0), FLOOR);
  const digits = Array.from(read).slice(0, DIGITS).map((p) => p / total);
  return {
    ...verdict(digits),
    probabilities: digits,
    parts,
    box: union(parts.map((k) => boxes[k])),
    notADigit: scored.length > DIGITS ? scored[DIGITS] : 0,
  };
}

/** @param {number[][]} stroke @returns {number} the length of the pen's path */
export const pathLength = (stroke) => stroke.slice(1).reduce((sum, [x, y], k) => sum + Math.hypot(x - stroke[k][0], y - stroke[k][1]), 0);

/**
 * One straight stroke less than `flatness` as tall as it is wide: a dash alone, a crossbar within
 * a digit (numbers.py's `is_flat_line`).
 * @param {number[][]} stroke
 * @param {number} [flatness]
 * @returns {boolean}
 */
export function isFlatLine(stroke, flatness = FLATNESS) {
  if (stroke.length < 2) return false;
  const [x0, y0, x1, y1] = boxOf(stroke);
  const [first, last] = [stroke[0], stroke[stroke.length - 1]];
  const straight = Math.hypot(last[0] - first[0], last[1] - first[1]) >= STRAIGHTNESS * pathLength(stroke);
  return straight && y1 - y0 < flatness * (x1 - x0);
}

/**
 * Whether a digit of two or more strokes has a flat line across its middle, as a crossed 7 has
 * (numbers.py's `has_crossbar`).
 * @param {number[][][]} strokes the digit's
 * @returns {boolean}
 */
export function hasCrossbar(strokes) {
  if (strokes.length < 2) return false;
  const [, top, , bottom] = union(strokes.map(boxOf));
  const height = Math.max(bottom - top, 1e-9);
  return strokes.some((s) => {
    const middle = (s.reduce((sum, [, y]) => sum + y, 0) / s.length - top) / height;
    const [x0, , x1] = boxOf(s);
    return isFlatLine(s, CROSSBAR_FLATNESS) && middle >= BAND_LOW && middle <= BAND_HIGH && x1 - x0 >= CROSSBAR_LEAST_WIDTH * height;
  });
}

/**
 * What a writer's taught 7s say of how they write 7 (numbers.py's `crosses_sevens`).
 * @param {number[][][][]} sevens each taught 7's strokes
 * @returns {boolean|null} true: every one is crossed; false: one is not; null: none taught
 */
export function crossesSevens(sevens) {
  return sevens.length ? sevens.every(hasCrossbar) : null;
}

/**
 * Ten probabilities with 7's multiplied by `odds`, renormalised (numbers.py's `doubt_seven`).
 * @param {ArrayLike<number>} probabilities
 * @param {number} [odds] the odds that a writer who crosses 7s leaves one uncrossed
 * @returns {number[]}
 */
export function doubtSeven(probabilities, odds = UNCROSSED_SEVEN_ODDS) {
  const scaled = Array.from(probabilities, (p, digit) => (digit === SEVEN ? p * odds : p));
  const total = scaled.reduce((a, b) => a + b, 0);
  return scaled.map((p) => p / total);
}

/**
 * For a writer who crosses their 7s, a digit read as an uncrossed 7 is probably their flagged 1:
 * it is read again with `doubtSeven` (numbers.py's `crossed_sevens`, where the reason is measured)
 * and, when that changes it, marked `doubtedSeven`.
 * @param {object[]} digits digit readings whose `parts` index `strokes`
 * @param {number[][][]} strokes the drawing's non-empty strokes
 * @param {boolean|null} writerCrosses `crossesSevens` of the writer's taught 7s; null: a crossed 7
 *   in this number decides, else `seenCrossed`
 * @param {boolean} [seenCrossed] the last 7 read before this drawing was crossed (`seenCrossedSeven`):
 *   weaker evidence, so a milder doubt, and only a 7 it makes a 1 is read again
 * @returns {object[]}
 */
export function crossedSevens(digits, strokes, writerCrosses = null, seenCrossed = false) {
  const crossed = digits.map((d) => d.digit === SEVEN && hasCrossbar(d.parts.map((k) => strokes[k])));
  let [doubting, odds, onlyToOne] = [writerCrosses, UNCROSSED_SEVEN_ODDS, false];
  if (writerCrosses === null && crossed.some(Boolean)) doubting = true;
  else if (writerCrosses === null) [doubting, odds, onlyToOne] = [seenCrossed, SEEN_UNCROSSED_SEVEN_ODDS, true];
  if (!doubting) return digits;
  return digits.map((d, i) => {
    if (d.digit !== SEVEN || crossed[i]) return d;
    const probabilities = doubtSeven(d.probabilities, odds);
    const read = verdict(probabilities);
    if (onlyToOne && read.digit !== 1) return d; // a plain 7 after all, which ends what was seen
    return { ...d, ...read, probabilities, doubtedSeven: read.digit !== SEVEN };
  });
}

/**
 * What the page remembers of a writer who taught no 7 (numbers.py's `seen_crossed_seven`): whether
 * the last 7 it read was crossed. A drawing with no 7 leaves `previous`.
 * @param {boolean} previous
 * @param {object[]} digits the drawing's final digit readings, `parts` indexing `strokes`
 * @param {number[][][]} strokes the drawing's non-empty strokes
 * @returns {boolean}
 */
export function seenCrossedSeven(previous, digits, strokes) {
  const sevens = digits.filter((d) => d.digit === SEVEN).map((d) => d.parts.map((k) => strokes[k]));
  return sevens.length ? sevens.every(hasCrossbar) : previous;
}

/**
 * Fill `cache` with `classify`'s answers for the [key, group] pairs it lacks, in one call.
 * @returns {Promise<void>}
 */
async function ask(classify, cache, wanted, groupInput) {
  const missing = wanted.filter(([key]) => !cache.has(key));
  for (const [key] of wanted) {
    if (cache.has(key)) {
      const value = cache.get(key); // re-inserted: a Map keeps insertion order, so the oldest come first
      cache.delete(key);
      cache.set(key, value);
    }
  }
  if (missing.length) {
    const results = await classify(missing.map(([, group]) => groupInput(group)));
    missing.forEach(([key], i) => cache.set(key, results[i]));
  }
  for (const key of cache.keys()) {
    if (cache.size <= CACHE_LIMIT) break;
    cache.delete(key); // least recently used first: a live stroke's passing shapes go, the drawing stays
  }
}

/**
 * Reads numbers: `scoreGroups` scores the candidate digits (an 11-class model says "not one
 * digit" too), `readGroups` reads the digits chosen (default: the same). Both models' answers
 * are remembered by stroke set between reads.
 */
export class NumberReader {
  /**
   * @param {(groups: Array<Array<Array<[number, number]>>>) => Promise<ArrayLike<number>[]>} scoreGroups
   *   each group's strokes → its 10 or 11 probabilities
   * @param {typeof scoreGroups} [readGroups]
   * @param {{writerCrossesSevens?: (boolean|null), seenCrossedSeven?: boolean}} [options] `crossesSevens`
   *   of the writer's taught 7s; whether the last 7 read in an earlier drawing was crossed
   */
  constructor(scoreGroups, readGroups = null, { writerCrossesSevens = null, seenCrossedSeven = false } = {}) {
    this.scoreGroups = scoreGroups;
    this.readGroups = readGroups;
    this.writerCrossesSevens = writerCrossesSevens;
    this.seenCrossedSeven = seenCrossedSeven;
    this.scores = new Map();
    this.readings = new Map();
  }

  /**
   * Read the strokes (arrays of [x, y] points, in the order written) as a number.
   * @returns {Promise<{digits: object[], text: string, alternative: (string|null)}>}
   */
  async read(strokes) {
    const drawn = strokes.filter((s) => s.length);
    if (!drawn.length) return { digits: [], text: '', alternative: null };
    const parts = retracedGroups(drawn);
    const boxes = parts.map((part) => union(part.map((k) => boxOf(drawn[k]))));
    const keys = parts.map((part) => part.map((k) => strokeKey(drawn[k])).sort().join('+'));
    const partStrokes = parts.map((part) => part.map((k) => drawn[k]));
    const reading = await this.readParts(boxes, keys, (group) => group.flatMap((k) => partStrokes[k]));
    const asStrokes = (d) => ({ ...d, parts: d.parts.flatMap((k) => parts[k]).sort((a, b) => a - b) });
    const digits = crossedSevens(reading.digits.map(asStrokes), drawn, this.writerCrossesSevens, this.seenCrossedSeven);
    const text = digits.map((d) => d.digit).join('');
    return { digits, text, alternative: reading.alternative === text ? null : reading.alternative };
  }

  /**
   * Read parts (groups of strokes, or an image's ink marks: ink.js) whose boxes are `boxes`, as
   * numbers.py's `read_parts`. A digit's `parts` are indices into `boxes`.
   * @param {Box[]} boxes
   * @param {string[]} keys each part's identity in the caches
   * @param {(group: number[]) => *} groupInput what scoreGroups and readGroups take for a group of parts
   * @returns {Promise<{digits: object[], text: string, alternative: (string|null)}>}
   */
  async readParts(boxes, keys, groupInput) {
    if (!boxes.length) return { digits: [], text: '', alternative: null };
    const order = readingOrder(boxes);
    const height = lineHeight(boxes, order);
    const groupOf = new Map(
      candidates(boxes, order, height).map((run) => [run.join(':'), order.slice(run[0], run[1]).sort((a, b) => a - b)]),
    );
    const keyOf = (group) => group.map((k) => keys[k]).sort().join('|');
    const unique = (groups) => [...new Map(groups.map((g) => [keyOf(g), g])).entries()];
    await ask(this.scoreGroups, this.scores, unique([...groupOf.values()]), groupInput);
    const score = (start, end) => {
      const group = groupOf.get(`${start}:${end}`);
      if (!group) return null;
      return digitLogScore(this.scores.get(keyOf(group))) + prior(group.map((k) => boxes[k]), height) + SEGMENT_BONUS;
    };
    const found = bestSegmentations(order.length, score).map(([, runs]) => runs.map(([a, b]) => groupOf.get(`${a}:${b}`)));
    if (this.readGroups) await ask(this.readGroups, this.readings, unique(found.flat()), groupInput);
    const read = this.readGroups ? this.readings : this.scores;
    const readings = found.map((groups) =>
      groups.map((group) => digitReading(group, boxes, read.get(keyOf(group)), this.scores.get(keyOf(group)))),
    );
    const texts = readings.map((digits) => digits.map((d) => d.digit).join(''));
    if (readings[0].length > 1 && innerGap(boxes) <= 0) {
      const whole = await this.#sureWhole(boxes, keyOf, groupInput);
      if (whole) return { digits: [whole], text: String(whole.digit), alternative: texts[0] };
    }
    return { digits: readings[0], text: texts[0], alternative: texts[1] !== undefined && texts[1] !== texts[0] ? texts[1] : null };
  }

  /**
   * All the parts read whole as one digit, if it is sure and the segmenter finds it unlikely not
   * to be one digit (numbers.py's `_sure_whole`, which says why); else null.
   */
  async #sureWhole(boxes, keyOf, groupInput) {
    const group = boxes.map((_, k) => k);
    const wanted = [[keyOf(group), group]];
    await ask(this.scoreGroups, this.scores, wanted, groupInput);
    const scored = this.scores.get(wanted[0][0]);
    if (scored.length <= DIGITS) return null; // a 10-class segmenter cannot tell a touching pair
    if (this.readGroups) await ask(this.readGroups, this.readings, wanted, groupInput);
    const whole = digitReading(group, boxes, (this.readGroups ? this.readings : this.scores).get(wanted[0][0]), scored);
    return !whole.unsure && whole.notADigit < WHOLE_NOT_A_DIGIT_BELOW ? whole : null;
  }
}
