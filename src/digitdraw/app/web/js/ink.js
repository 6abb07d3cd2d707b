/**
 * An image of a written number (a photo, a scan, a screenshot) → an ink raster → its parts (the
 * connected ink marks) → each group of parts as a 28×28 input. No DOM: the page decodes the file
 * (a canvas gives RGBA pixels) and this module does the rest, in the page and under `node --test`.
 *
 * The twin of src/digitdraw/images.py's `ink_from_image` (pixels → ink) and numbers.py's
 * `ink_parts` / `ink_boxes` / `read_ink` (ink → parts → inputs); tests/js/ink.test.js checks both
 * agree on the golden vectors tests/golden/generate_ink.py writes. Change both or neither. The
 * method is explained in images.py: the paper is what the border shows, an uneven light on it is
 * a fitted quadratic surface, and in a grainy picture (a photo) ink is what stands above the
 * grain and touches sure ink.
 *
 * Not ported (images.py does it before `ink_from_image`): decoding files, the size limits,
 * 16-bit and palette modes; the page scales a large picture down with the canvas instead of PIL's
 * box average, so a big photo's ink differs from Python's by that resampling.
 */
import { INK_THRESHOLD, mnistFromInk } from './preprocess.js';

const OPAQUE = 0.5;
const OWN_BACKGROUND = 0.5;
const PAPER_SAMPLES = 16384;
const PAPER_FITS = 10;
const NOISE_SIGMAS = 3.0;
const MAD_TO_SIGMA = 1.4826;
const NOISE_BLUR = 1.0; // px: scipy's gaussian_filter sigma, truncated at 4 sigma
const CLEAN = 1 / 255;
const FLAT = 1e-6;
const OTSU_BINS = 256;
const SPECK_SHARE = 0.02; // numbers.py: a mark with less than this share of the largest one's pixels is dust

/** @typedef {{data: Float64Array, height: number, width: number}} Raster row-major */

// ---- small statistics, computed as NumPy / SciPy / scikit-image do --------------------------

/** np.median: the middle value, or the mean of the two middle ones. */
export function median(values) {
  const sorted = Float64Array.from(values).sort();
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
}

/** Robust standard deviation (images.py's _noise); 0 for no values. */
function noise(values) {
  if (!values.length) return 0;
  const centre = median(values);
  return MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - centre)));
}

/**
 * skimage.filters.threshold_otsu(values) with 256 bins over [min, max] (np.histogram's binning,
 * its float32 counts included).
 */
export function otsu(values) {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  if (low === high) return low;
  const counts = new Float64Array(OTSU_BINS);
  const step = (high - low) / OTSU_BINS;
  const edges = Float64Array.from({ length: OTSU_BINS + 1 }, (_, i) => (i === OTSU_BINS ? high : low + i * step));
  for (const v of values) {
    // np.histogram's uniform bins: the index from the value, then corrected against the edges
    let bin = Math.min(Math.floor(((v - low) / (high - low)) * OTSU_BINS), OTSU_BINS - 1);
    if (v < edges[bin]) bin -= 1;
    else if (bin < OTSU_BINS - 1 && v >= edges[bin + 1]) bin += 1;
    counts[bin] += 1;
  }
  const centres = Float64Array.from({ length: OTSU_BINS }, (_, i) => (edges[i] + edges[i + 1]) / 2);
  const weight2 = new Float64Array(OTSU_BINS);
  const mean2 = new Float64Array(OTSU_BINS);
  for (let i = OTSU_BINS - 1, w = 0, m = 0; i >= 0; i--) {
    w += counts[i];
    m += counts[i] * centres[i];
    weight2[i] = w;
    mean2[i] = m / w;
  }
  let best = -1;
  let index = 0;
  for (let i = 0, w = 0, m = 0; i < OTSU_BINS - 1; i++) {
    w += counts[i];
    m += counts[i] * centres[i];
    // scikit-image multiplies the two weights as float32
    const variance = Math.fround(w * weight2[i + 1]) * (m / w - mean2[i + 1]) ** 2;
    if (variance > best) [best, index] = [variance, i];
  }
  return centres[index];
}

/** scipy.ndimage.gaussian_filter(image, NOISE_BLUR): separable, truncated at 4σ, mirrored edges ('reflect'). */
export function gaussianBlur({ data, height, width }) {
  const radius = Math.trunc(4 * NOISE_BLUR + 0.5);
  const kernel = Array.from({ length: radius + 1 }, (_, x) => Math.exp((-0.5 * x * x) / (NOISE_BLUR * NOISE_BLUR)));
  const total = kernel.reduce((sum, w, x) => sum + (x ? 2 * w : w), 0);
  const weights = kernel.map((w) => w / total);
  const mirror = (i, n) => {
    for (;;) {
      if (i < 0) i = -i - 1;
      else if (i >= n) i = 2 * n - i - 1;
      else return i;
    }
  };
  const pass = (source, count, length, at) => {
    const out = new Float64Array(source.length);
    for (let line = 0; line < count; line++) {
      for (let i = 0; i < length; i++) {
        let sum = source[at(line, i)] * weights[0];
        for (let j = radius; j >= 1; j--) {
          sum += (source[at(line, mirror(i - j, length))] + source[at(line, mirror(i + j, length))]) * weights[j];
        }
        out[at(line, i)] = sum;
      }
    }
    return out;
  };
  const down = pass(data, width, height, (column, row) => row * width + column);
  return { data: pass(down, height, width, (row, column) => row * width + column), height, width };
}

/**
 * Connected components of `mask` numbered 1..count in raster order of their first pixel, as
 * scipy.ndimage.label numbers them. `diagonal`: 8-neighbours, else 4.
 * @returns {{labels: Int32Array, count: number}}
 */
export function label(mask, height, width, diagonal) {
  const labels = new Int32Array(height * width);
  const steps = diagonal
    ? [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]]
    : [[-1, 0], [0, -1], [0, 1], [1, 0]];
  let count = 0;
  const stack = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    labels[start] = ++count;
    stack.push(start);
    while (stack.length) {
      const here = stack.pop();
      const [row, column] = [Math.floor(here / width), here % width];
      for (const [dr, dc] of steps) {
        const [r, c] = [row + dr, column + dc];
        const there = r * width + c;
        if (r >= 0 && r < height && c >= 0 && c < width && mask[there] && !labels[there]) {
          labels[there] = count;
          stack.push(there);
        }
      }
    }
  }
  return { labels, count };
}

// ---- pixels → ink (images.py) ----------------------------------------------------------------

/** Grey in [0, 1] from RGBA bytes, transparent pixels shown over the colour that makes them background. */
function greyOf(rgba, height, width) {
  const size = height * width;
  const colour = new Float64Array(size);
  const alpha = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    colour[k] = (rgba[4 * k] / 255 + rgba[4 * k + 1] / 255 + rgba[4 * k + 2] / 255) / 3;
    alpha[k] = rgba[4 * k + 3] / 255;
  }
  const drawn = colour.filter((_, k) => alpha[k] >= OPAQUE);
  const drawnGrey = drawn.length ? median(drawn) : 1;
  const meanAlpha = alpha.reduce((a, b) => a + b, 0) / size;
  const background = meanAlpha >= OWN_BACKGROUND ? drawnGrey : drawnGrey > 0.5 ? 0 : 1;
  return colour.map((g, k) => g * alpha[k] + background * (1 - alpha[k]));
}

function darkOnLight(raster) {
  const { data, height, width } = raster;
  const border = [];
  for (let c = 0; c < width; c++) border.push(data[c]);
  for (let c = 0; c < width; c++) border.push(data[(height - 1) * width + c]);
  for (let r = 0; r < height; r++) border.push(data[r * width]);
  for (let r = 0; r < height; r++) border.push(data[r * width + width - 1]);
  const paper = median(border);
  const smooth = gaussianBlur(raster).data;
  let [low, high] = [Infinity, -Infinity];
  for (const v of smooth) [low, high] = [Math.min(low, v), Math.max(high, v)];
  return high - paper < paper - low;
}

const quadraticTerms = (row, col) => [1, row, col, row * row, row * col, col * col];

/** Least squares by the normal equations (6 unknowns, well-conditioned terms in [0, 1]). */
function leastSquares(rows, values) {
  const n = rows[0].length;
  const a = Array.from({ length: n }, () => new Float64Array(n + 1));
  rows.forEach((terms, k) => {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i][j] += terms[i] * terms[j];
      a[i][n] += terms[i] * values[k];
    }
  });
  for (let i = 0; i < n; i++) {
    const pivot = a.slice(i).reduce((p, row, k) => (Math.abs(row[i]) > Math.abs(a[p][i]) ? i + k : p), i);
    [a[i], a[pivot]] = [a[pivot], a[i]];
    for (let k = i + 1; k < n; k++) {
      const factor = a[k][i] / a[i][i];
      for (let j = i; j <= n; j++) a[k][j] -= factor * a[i][j];
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = a[i][n];
    for (let j = i + 1; j < n; j++) sum -= a[i][j] * x[j];
    x[i] = sum / a[i][i];
  }
  return x;
}

/** The paper's brightness under ink-high grey: a quadratic surface fitted to what is not ink. */
function paperSurface({ data, height, width }) {
  const step = Math.max(1, Math.floor(Math.sqrt(Math.floor(data.length / PAPER_SAMPLES))));
  const terms = [];
  const values = [];
  for (let r = 0; r < height; r += step) {
    for (let c = 0; c < width; c += step) {
      terms.push(quadraticTerms(r / height, c / width));
      values.push(data[r * width + c]);
    }
  }
  const first = otsu(values);
  let paper = values.map((v) => v <= first);
  let coefficients;
  for (let fit = 0; fit < PAPER_FITS; fit++) {
    const chosen = terms.filter((_, k) => paper[k]);
    coefficients = leastSquares(chosen, values.filter((_, k) => paper[k]));
    const residual = terms.map((t, k) => values[k] - t.reduce((sum, term, i) => sum + term * coefficients[i], 0));
    const onPaper = residual.filter((_, k) => paper[k]);
    const limit = median(onPaper) + Math.max(NOISE_SIGMAS * noise(onPaper), FLAT);
    const fitted = residual.map((v) => v <= limit);
    if (fitted.every((f, k) => f === paper[k])) break;
    paper = fitted;
  }
  const surface = new Float64Array(data.length);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const t = quadraticTerms(r / height, c / width);
      surface[r * width + c] = t.reduce((sum, term, i) => sum + coefficients[i] * term, 0);
    }
  }
  return surface;
}

/** Grain: ink is what stands above `floor` and touches sure ink; the strokes' median becomes 1. */
function grainyInk(residual, floor) {
  const { data, height, width } = residual;
  const blurred = gaussianBlur(residual).data;
  const cut = Math.max(otsu(blurred), floor);
  const sure = blurred.map((v) => (v > cut ? 1 : 0));
  const { labels, count } = label(data.map((v) => (v > floor ? 1 : 0)), height, width, false);
  const inked = new Uint8Array(count + 1);
  labels.forEach((piece, k) => sure[k] && (inked[piece] = 1));
  inked[0] = 0;
  const strokes = data.filter((v, k) => sure[k] && inked[labels[k]]);
  if (!strokes.length) return new Float64Array(data.length);
  const level = median(strokes);
  return data.map((v, k) => (inked[labels[k]] ? Math.min(Math.max(v / level, 0), 1) : 0));
}

/**
 * RGBA pixels (a canvas's ImageData.data) → ink in [0, 1], ink high: dark-on-light or
 * light-on-dark, uneven light and grain taken away, as images.py's `ink_from_image`.
 * @param {Uint8ClampedArray|Uint8Array} rgba height × width × 4 bytes
 * @returns {Float64Array} height × width
 */
export function inkFromPixels(rgba, height, width) {
  let grey = greyOf(rgba, height, width);
  if (darkOnLight({ data: grey, height, width })) grey = grey.map((g) => 1 - g);
  const surface = paperSurface({ data: grey, height, width });
  const residual = grey.map((g, k) => g - surface[k]);
  let peak = -Infinity;
  for (const v of residual) if (v > peak) peak = v;
  if (peak < FLAT) return new Float64Array(residual.length);
  const paper = otsu(residual);
  const floor = NOISE_SIGMAS * noise(residual.filter((v) => v <= paper));
  if (floor < CLEAN * peak) return residual.map((v) => Math.max(v, 0) / peak);
  return grainyInk({ data: residual, height, width }, floor);
}

// ---- ink → parts → inputs (numbers.py) --------------------------------------------------------

/**
 * The parts of an ink raster: its connected marks (8-neighbours, above the ink threshold), dust
 * left out, numbered 1..count (0: no part), as numbers.py's `ink_parts`.
 * @returns {{labels: Int32Array, count: number}}
 */
export function inkParts(ink, height, width) {
  const mask = ink.map((v) => (v > INK_THRESHOLD ? 1 : 0));
  const found = label(mask, height, width, true);
  const sizes = new Float64Array(found.count + 1);
  for (const piece of found.labels) sizes[piece] += 1;
  sizes[0] = 0;
  const largest = Math.max(0, ...sizes);
  if (!sizes.some((size, k) => k > 0 && size < SPECK_SHARE * largest)) return found;
  const kept = found.labels.map((piece) => (piece && sizes[piece] >= SPECK_SHARE * largest ? 1 : 0));
  return label(kept, height, width, true);
}

/** Each part's box [x0, y0, x1, y1] (inclusive pixel indices), in label order. */
export function inkBoxes(labels, count, width) {
  const boxes = Array.from({ length: count }, () => [Infinity, Infinity, -Infinity, -Infinity]);
  labels.forEach((piece, k) => {
    if (!piece) return;
    const box = boxes[piece - 1];
    const [x, y] = [k % width, Math.floor(k / width)];
    [box[0], box[1], box[2], box[3]] = [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)];
  });
  return boxes;
}

/**
 * The 28×28 input of a group of parts: their ink alone, cropped and fitted as MNIST was.
 * @param {number[]} parts indices (0-based) of the parts
 * @returns {Float32Array}
 */
export function partsInput(ink, labels, parts, height, width) {
  const wanted = new Set(parts.map((k) => k + 1));
  return mnistFromInk(ink.map((v, k) => (wanted.has(labels[k]) ? v : 0)), height, width);
}
