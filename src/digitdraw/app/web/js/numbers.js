/**
 * Read a whole number: strokes in, digits out, left to right. No DOM: runs in the page and
 * under `node --test`.
 *
 * The twin of src/digitdraw/numbers.py (the method is explained there); tests/js/numbers.test.js
 * checks both agree on the golden vectors tests/golden/generate_numbers.py writes. Change both
 * or neither. The limits and weights come from config.json, which the Python twin reads too.
 */
import config from '../config.json' with { type: 'json' };

const {
  max_strokes_per_digit: MAX_PARTS,
  join_gap: JOIN_GAP,
  min_height: MIN_HEIGHT,
  max_width: MAX_WIDTH,
  gap_weight: GAP_WEIGHT,
  height_weight: HEIGHT_WEIGHT,
  width_weight: WIDTH_WEIGHT,
  segment_bonus: SEGMENT_BONUS,
} = config.numbers;
const DIGITS = 10;
const FLOOR = 1e-9;
const UNSURE_BELOW = config.recognition.unsure_below;

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

/** log P(the best digit) under the model's own softmax. */
export function digitLogScore(probabilities) {
  return Math.log(Math.max(Math.max(...Array.from(probabilities).slice(0, DIGITS)), FLOOR));
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

/** A stroke's identity for the cache: its points, rounded as the Python twin rounds them. */
const strokeKey = (stroke) => stroke.map(([x, y]) => `${x.toFixed(3)},${y.toFixed(3)}`).join(';');

function digitReading(parts, boxes, probabilities) {
  const total = Math.max(Array.from(probabilities).slice(0, DIGITS).reduce((a, b) => a + b, 0), FLOOR);
  const digits = Array.from(probabilities).slice(0, DIGITS).map((p) => p / total);
  const order = digits.map((p, d) => [p, d]).sort((a, b) => b[0] - a[0]);
  const [[confidence, digit], [, runnerUp]] = order;
  return {
    digit,
    probabilities: digits,
    parts,
    box: union(parts.map((k) => boxes[k])),
    notADigit: probabilities.length > DIGITS ? probabilities[DIGITS] : 0,
    confidence,
    runnerUp,
    unsure: confidence < UNSURE_BELOW,
  };
}

/** Reads numbers with one classifier; remembers candidate probabilities by stroke set. */
export class NumberReader {
  /**
   * @param {(groups: Array<Array<Array<[number, number]>>>) => Promise<ArrayLike<number>[]>} classifyGroups
   *   each group's strokes → its 10 or 11 probabilities
   */
  constructor(classifyGroups) {
    this.classifyGroups = classifyGroups;
    this.cache = new Map();
  }

  /**
   * Read the strokes (arrays of [x, y] points, in the order written) as a number.
   * @returns {Promise<{digits: object[], text: string, alternative: (string|null)}>}
   */
  async read(strokes) {
    const drawn = strokes.filter((s) => s.length);
    if (!drawn.length) return { digits: [], text: '', alternative: null };
    const boxes = drawn.map(boxOf);
    const keys = drawn.map(strokeKey);
    const order = readingOrder(boxes);
    const height = lineHeight(boxes, order);
    const runs = candidates(boxes, order, height);
    const groupOf = new Map(runs.map((run) => [run.join(':'), order.slice(run[0], run[1]).sort((a, b) => a - b)]));
    const keyOf = (group) => group.map((k) => keys[k]).sort().join('|');
    const missing = [...new Map([...groupOf.values()].map((g) => [keyOf(g), g])).entries()].filter(
      ([key]) => !this.cache.has(key),
    );
    if (missing.length) {
      const results = await this.classifyGroups(missing.map(([, group]) => group.map((k) => drawn[k])));
      missing.forEach(([key], i) => this.cache.set(key, results[i]));
    }
    const score = (start, end) => {
      const group = groupOf.get(`${start}:${end}`);
      if (!group) return null;
      const probabilities = this.cache.get(keyOf(group));
      return digitLogScore(probabilities) + prior(group.map((k) => boxes[k]), height) + SEGMENT_BONUS;
    };
    const readings = bestSegmentations(order.length, score).map(([, chosen]) =>
      chosen.map(([start, end]) => {
        const group = groupOf.get(`${start}:${end}`);
        return digitReading(group, boxes, this.cache.get(keyOf(group)));
      }),
    );
    const texts = readings.map((digits) => digits.map((d) => d.digit).join(''));
    return { digits: readings[0], text: texts[0], alternative: texts[1] !== undefined && texts[1] !== texts[0] ? texts[1] : null };
  }
}
