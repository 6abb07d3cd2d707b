/**
 * Turn a drawing into the 28×28 input the models were trained on — the MNIST recipe.
 *
 * Pure functions, no DOM: runs in the page and under `node --test`. It mirrors
 * `src/digitdraw/preprocess.py` line for line; tests/js/preprocess.test.js checks both agree on
 * the golden vectors tests/golden/generate_preprocess.py writes. Change both or neither.
 * Sizes, pens and thresholds come from config.json, which the Python twin reads too.
 * Images are row-major Float64Arrays; rounding is half-up (Math.round), as in the Python twin.
 */
import config from '../config.json' with { type: 'json' };

export const SIZE = config.input.size;
export const FIT = config.input.fit;
export const CENTRE = config.input.centre;
export const INK_THRESHOLD = config.input.ink_threshold;
export const CANONICAL_PEN = config.input.canonical_pen;
const MIN_VECTOR_EXTENT = 1e-6;

/** Thrown when a drawing has no ink: there is nothing to classify. */
export class NoInkError extends Error {
  constructor(message = 'no ink found: the drawing is empty') {
    super(message);
    this.name = 'NoInkError';
  }
}

/** Half-up rounding after snapping to 1e-6, exactly as preprocess.py's round_half_up (see why there). */
const roundHalfUp = (value) => Math.floor(Math.floor(value * 1e6 + 0.5) / 1e6 + 0.5);

/**
 * (target × source) weights whose rows average the source cells each target cell covers.
 * @returns {Float64Array[]}
 */
export function areaWeights(source, target) {
  const step = source / target;
  const rows = [];
  for (let out = 0; out < target; out++) {
    const row = new Float64Array(source);
    const start = out * step;
    const end = (out + 1) * step;
    const last = Math.min(Math.ceil(end), source);
    for (let cell = Math.floor(start); cell < last; cell++) {
      const overlap = Math.min(end, cell + 1) - Math.max(start, cell);
      if (overlap > 0) row[cell] = overlap / step;
    }
    rows.push(row);
  }
  return rows;
}

/** Height and width of a height×width box whose longer side is scaled to `fit`. */
export function fittedSize(height, width, fit = FIT) {
  const longer = Math.max(height, width);
  return [Math.max(1, roundHalfUp((height * fit) / longer)), Math.max(1, roundHalfUp((width * fit) / longer))];
}

/** Centre of mass [row, column] in pixel-index coordinates. */
export function centreOfMass(image, height, width) {
  let total = 0;
  let rowSum = 0;
  let colSum = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const v = image[r * width + c];
      total += v;
      rowSum += v * r;
      colSum += v * c;
    }
  }
  return [rowSum / total, colSum / total];
}

function placeByMass(box, height, width) {
  const [massRow, massCol] = centreOfMass(box, height, width);
  const top = Math.min(Math.max(roundHalfUp(CENTRE - massRow), 0), SIZE - height);
  const left = Math.min(Math.max(roundHalfUp(CENTRE - massCol), 0), SIZE - width);
  const frame = new Float64Array(SIZE * SIZE);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) frame[(top + r) * SIZE + left + c] = box[r * width + c];
  }
  return frame;
}

/** [top, bottom, left, right] (inclusive) of pixels above INK_THRESHOLD, or null. */
export function inkBounds(ink, height, width) {
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (ink[r * width + c] > INK_THRESHOLD) {
        if (r < top) top = r;
        if (r > bottom) bottom = r;
        if (c < left) left = c;
        if (c > right) right = c;
      }
    }
  }
  return bottom < 0 ? null : [top, bottom, left, right];
}

/**
 * Raster recipe: ink raster (values in [0, 1], ink high) → Float32Array(784).
 * @throws {NoInkError} when no pixel is above INK_THRESHOLD
 */
export function mnistFromInk(ink, height, width) {
  const bounds = inkBounds(ink, height, width);
  if (!bounds) throw new NoInkError();
  const [top, bottom, left, right] = bounds;
  const cropH = bottom - top + 1;
  const cropW = right - left + 1;
  const [boxH, boxW] = fittedSize(cropH, cropW);
  const rowWeights = areaWeights(cropH, boxH);
  const colWeights = areaWeights(cropW, boxW);
  // Rows first (boxH × cropW), then columns: the same order of sums as NumPy's A @ crop @ B.T.
  const partial = new Float64Array(boxH * cropW);
  for (let i = 0; i < boxH; i++) {
    const weights = rowWeights[i];
    for (let r = 0; r < cropH; r++) {
      const w = weights[r];
      if (w === 0) continue;
      const source = (top + r) * width + left;
      for (let c = 0; c < cropW; c++) partial[i * cropW + c] += w * ink[source + c];
    }
  }
  const box = new Float64Array(boxH * boxW);
  let peak = 0;
  for (let i = 0; i < boxH; i++) {
    for (let j = 0; j < boxW; j++) {
      const weights = colWeights[j];
      let sum = 0;
      for (let c = 0; c < cropW; c++) sum += partial[i * cropW + c] * weights[c];
      box[i * boxW + j] = sum;
      if (sum > peak) peak = sum;
    }
  }
  for (let k = 0; k < box.length; k++) box[k] /= peak;
  return Float32Array.from(placeByMass(box, boxH, boxW));
}

/**
 * Anti-aliased coverage of round-capped strokes: ink = clamp(pen/2 + 0.5 - distance, 0, 1),
 * distance from each pixel centre (c + 0.5, r + 0.5) to the nearest segment.
 * @param {Array<Array<[number, number]>>} strokes points as [x, y] in pixel units
 * @returns {Float64Array} height × width, row-major
 */
export function renderStrokes(strokes, height, width, penWidth) {
  const ink = new Float64Array(height * width);
  const reach = penWidth / 2 + 0.5;
  for (const stroke of strokes) {
    if (!stroke.length) continue;
    const points = stroke.length === 1 ? [stroke[0], stroke[0]] : stroke;
    for (let k = 0; k + 1 < points.length; k++) {
      const [x0, y0] = points[k];
      const [x1, y1] = points[k + 1];
      const c0 = Math.max(Math.floor(Math.min(x0, x1) - reach), 0);
      const c1 = Math.min(Math.ceil(Math.max(x0, x1) + reach) + 1, width);
      const r0 = Math.max(Math.floor(Math.min(y0, y1) - reach), 0);
      const r1 = Math.min(Math.ceil(Math.max(y0, y1) + reach) + 1, height);
      const dx = x1 - x0;
      const dy = y1 - y0;
      const length2 = dx * dx + dy * dy;
      for (let r = r0; r < r1; r++) {
        const py = r + 0.5 - y0;
        for (let c = c0; c < c1; c++) {
          const px = c + 0.5 - x0;
          const t = length2 > 0 ? Math.min(Math.max((px * dx + py * dy) / length2, 0), 1) : 0;
          const coverage = Math.min(Math.max(reach - Math.hypot(px - t * dx, py - t * dy), 0), 1);
          if (coverage > ink[r * width + c]) ink[r * width + c] = coverage;
        }
      }
    }
  }
  return ink;
}

/** [minX, minY, maxX, maxY] of all points, or null when there are none. */
export function strokeBounds(strokes) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return maxX === -Infinity ? null : [minX, minY, maxX, maxY];
}

const translate = (strokes, dx, dy) => strokes.map((s) => s.map(([x, y]) => [x + dx, y + dy]));

/**
 * Vector recipe: strokes in any units → Float32Array(784) drawn at a canonical pen width.
 * @throws {NoInkError} when there are no points
 */
export function mnistFromStrokes(strokes, penWidth = CANONICAL_PEN) {
  const bounds = strokeBounds(strokes);
  if (!bounds) throw new NoInkError();
  const [minX, minY, maxX, maxY] = bounds;
  const extent = Math.max(maxX - minX, maxY - minY, MIN_VECTOR_EXTENT);
  const scale = (FIT - penWidth) / extent;
  const fitted = strokes.filter((s) => s.length).map((s) => s.map(([x, y]) => [(x - minX) * scale, (y - minY) * scale]));
  let offsetX = (SIZE - (maxX - minX) * scale) / 2;
  let offsetY = (SIZE - (maxY - minY) * scale) / 2;
  const first = renderStrokes(translate(fitted, offsetX, offsetY), SIZE, SIZE, penWidth);
  const [massRow, massCol] = centreOfMass(first, SIZE, SIZE);
  offsetX += CENTRE - massCol;
  offsetY += CENTRE - massRow;
  const image = renderStrokes(translate(fitted, offsetX, offsetY), SIZE, SIZE, penWidth);
  let peak = 0;
  for (const v of image) if (v > peak) peak = v;
  return Float32Array.from(image, (v) => v / peak);
}

/**
 * Raster recipe from strokes: draw them on a padSize² raster with the pad's pen, then crop/fit/centre.
 * This is what the canvas would give, computed without the canvas so Python can reproduce it.
 */
export function mnistFromPadStrokes(strokes, padSize, penWidth) {
  return mnistFromInk(renderStrokes(strokes, padSize, padSize, penWidth), padSize, padSize);
}
