// The public module (digitdraw.js) in Node on real @tensorflow/tfjs: the bundled models served
// by a local HTTP server as a built site lays them out (models.json with URLs relative to it).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRecognizer, inkFromPixels, PAD_UNITS } from '../../src/digitdraw/app/web/js/digitdraw.js';
import { renderStrokes } from '../../src/digitdraw/app/web/js/preprocess.js';

const BUNDLED = new URL('../../src/digitdraw/bundled/', import.meta.url).pathname;
const LISTING = {
  default: 'robust-cnn',
  models: ['robust-cnn', 'segment-cnn'].map((name) => ({ name, url: `models/${name}/model.json` })),
};

// /site/models.json and /site/models/NAME/FILE; anything else is a 404.
const server = createServer(async (request, response) => {
  const parts = request.url.split('/');
  try {
    if (request.url === '/site/models.json') return response.end(JSON.stringify(LISTING));
    if (parts[2] !== 'models' || parts.length !== 5) throw new Error('not a model file');
    response.end(await readFile(path.join(BUNDLED, parts[3], path.basename(parts[4]))));
  } catch {
    response.statusCode = 404;
    response.end('not found');
  }
});
// Node closes an idle keep-alive socket after 5 s, and fetch (undici) may reuse it just then and
// fail with "fetch failed" when a slow machine leaves gaps that long between requests.
server.keepAliveTimeout = 60_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const SITE = `http://127.0.0.1:${server.address().port}/site/`;

const reader = await createRecognizer({ modelsUrl: `${SITE}models.json`, tf, backend: 'cpu' });

const ONE = [[140, 50], [141, 140], [142, 230]];
const ZERO = Array.from({ length: 40 }, (_, k) => [300 + 50 * Math.sin((k / 39) * 2 * Math.PI), 140 - 85 * Math.cos((k / 39) * 2 * Math.PI)]);
const SEVEN = [[80, 60], [130, 60], [200, 60], [170, 120], [140, 180], [120, 230]];
const DASH = [[60, 150], [140, 148], [220, 151]];

/** `strokes` drawn as RGBA pixels: ink over paper, or (paper null) ink over transparency. */
function picture(strokes, { width = 400, height = 280, ink = [20, 20, 20], paper = [250, 250, 245] } = {}) {
  const coverage = renderStrokes(strokes, height, width, 18);
  const data = new Uint8ClampedArray(width * height * 4);
  coverage.forEach((c, k) => {
    for (let channel = 0; channel < 3; channel++) {
      data[4 * k + channel] = paper ? Math.round(paper[channel] * (1 - c) + ink[channel] * c) : ink[channel];
    }
    data[4 * k + 3] = paper ? 255 : Math.round(255 * c);
  });
  return { width, height, data };
}

test('the list is read from its URL and its model URLs resolve against it', () => {
  assert.equal(reader.model, 'robust-cnn');
  assert.deepEqual(reader.models, ['robust-cnn', 'segment-cnn']);
  assert.equal(reader.backend, 'cpu');
});

test('reads a number from strokes, with each digit’s probabilities and box', async () => {
  const reading = await reader.read([ONE, ZERO]);
  assert.equal(reading.number, '10');
  assert.equal(reading.rejected, null);
  assert.deepEqual(reading.digits.map((d) => d.digit), [1, 0]);
  for (const d of reading.digits) {
    assert.equal(d.probabilities.length, 10);
    assert.ok(Math.abs(d.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(d.confidence, Math.max(...d.probabilities));
    assert.equal(d.probabilities.indexOf(d.confidence), d.digit);
  }
  const [x0, y0, x1, y1] = reading.digits[1].box;
  assert.ok(x0 >= 249 && x1 <= 351 && y0 >= 54 && y1 <= 226, `box of the 0: ${reading.digits[1].box}`);
});

test('strokes from a surface of another height read the same, boxes in its units', async () => {
  const scale = 3;
  const big = [ONE, ZERO].map((s) => s.map(([x, y]) => [x * scale, y * scale]));
  const reading = await reader.read(big, { height: PAD_UNITS * scale });
  const small = await reader.read([ONE, ZERO]);
  assert.equal(reading.number, '10');
  reading.digits.forEach((d, i) => d.box.forEach((v, k) => assert.ok(Math.abs(v - small.digits[i].box[k] * scale) < 1e-9)));
});

test('nothing drawn reads as nothing; bad strokes are refused with a message', async () => {
  assert.deepEqual(await reader.read([]), { number: null, digits: [], alternative: null, rejected: null, runTogether: false, maybeNotADigit: false });
  await assert.rejects(reader.read([[[1, 'a']]]), /list of \[x, y\] points/);
  await assert.rejects(reader.read('7'), /list of strokes/);
});

test('an image reads, dark on light, light on dark, or ink on transparency', async () => {
  const cases = {
    'dark on light': picture([SEVEN]),
    'light on dark': picture([SEVEN], { ink: [240, 240, 240], paper: [10, 30, 60] }),
    'ink on transparency': picture([SEVEN], { paper: null }),
    'white ink on transparency': picture([SEVEN], { ink: [255, 255, 255], paper: null }),
  };
  for (const [name, image] of Object.entries(cases)) {
    const reading = await reader.readImageData(image);
    assert.equal(reading.number, '7', name);
    assert.equal(reading.digits.length, 1, name);
    const [x0, y0, x1, y1] = reading.digits[0].box; // pixels: the strokes ± half the pen
    assert.ok(x0 >= 60 && x0 <= 80 && y0 >= 45 && y0 <= 60 && x1 >= 200 && x1 <= 215 && y1 >= 230 && y1 <= 245, `${name}: ${reading.digits[0].box}`);
  }
  assert.equal((await reader.readImageData(picture([ZERO]))).number, '0');
  const number = await reader.readImageData(picture([ONE, ZERO]));
  assert.equal(number.number, '10', 'a whole number is cut into digits at its ink marks');
  assert.ok(number.digits[0].box[2] < number.digits[1].box[0]);
});

test('pixels to ink: the paper is 0, the strongest ink 1, either way round', () => {
  for (const options of [{}, { ink: [240, 240, 240], paper: [10, 30, 60] }]) {
    const { width, height, data } = picture([SEVEN], options);
    const ink = inkFromPixels(data, height, width);
    assert.equal(ink[0], 0);
    assert.equal(Math.max(...ink), 1);
    assert.ok(ink[60 * width + 130] > 0.9, 'on the 7’s top bar');
  }
});

test('a blank image has no digits; something that is not pixels is refused', async () => {
  assert.deepEqual(await reader.readImageData(picture([])), { number: null, digits: [], alternative: null, rejected: null, runTogether: false, maybeNotADigit: false });
  await assert.rejects(reader.readImageData({ width: 2, height: 2, data: [0, 0, 0] }), /RGBA pixels/);
});

test('teach, export, forget and import: a taught dash reads as its digit', async () => {
  assert.equal((await reader.read([DASH])).rejected, 'dash');
  assert.equal((await reader.read([DASH])).number, null);
  reader.teach(1, [DASH]);
  assert.equal(reader.exampleCount, 1);
  assert.equal((await reader.read([DASH])).number, '1');
  const file = reader.exportExamples();
  assert.equal(JSON.parse(file).examples[0].digit, 1);
  assert.equal(reader.forget(), 1);
  assert.equal((await reader.read([DASH])).rejected, 'dash');
  assert.equal(reader.importExamples(file), 1);
  assert.equal((await reader.read([DASH])).number, '1');
  assert.throws(() => reader.importExamples('{"format": "other"}'), /not a digitdraw examples file/);
  assert.throws(() => reader.teach(12, [DASH]), /from 0 to 9/);
  assert.equal(reader.exampleCount, 1);
  reader.forget();
});

test('a list given directly, a model switched to, and clear errors', async () => {
  const direct = await createRecognizer({ models: LISTING.models.map((m) => ({ ...m, url: SITE + m.url })), tf, backend: null, model: 'segment-cnn' });
  assert.equal(direct.model, 'segment-cnn');
  await direct.use('robust-cnn');
  assert.equal((await direct.read([SEVEN])).number, '7');
  await assert.rejects(direct.use('mlp'), /no model called "mlp" \(there are: robust-cnn, segment-cnn\)/);
  await assert.rejects(createRecognizer({ modelsUrl: `${SITE}missing.json`, tf }), /did not load \(HTTP 404\)/);
  await assert.rejects(createRecognizer({ modelsUrl: `${SITE}models.json`, tf, model: 'mlp' }), /no model called "mlp"/);
  await assert.rejects(createRecognizer({ modelsUrl: `${SITE}models.json` }), /TF.js is not loaded/);
});
