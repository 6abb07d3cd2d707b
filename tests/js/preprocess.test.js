// The JS preprocessing must match the Python reference on the golden vectors it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  mnistFromInk, mnistFromStrokes, mnistFromPadStrokes, renderStrokes, NoInkError, centreOfMass, SIZE,
} from '../../src/digitdraw/app/web/js/preprocess.js';

const golden = JSON.parse(readFileSync(new URL('../golden/preprocess.json', import.meta.url)));

function maxAbsDiff(actual, expected) {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let k = 0; k < actual.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]));
  return worst;
}

test('golden file covers at least 20 varied drawings', () => {
  assert.ok(golden.strokes.length + golden.rasters.length >= 20);
});

for (const c of golden.strokes) {
  test(`strokes "${c.name}": pad raster, raster recipe and vector recipe match Python`, () => {
    const ink = renderStrokes(c.strokes, c.pad, c.pad, c.pen);
    assert.ok(Math.abs(ink.reduce((a, b) => a + b, 0) - c.ink_sum) < 1e-2, 'pad rendering differs');
    assert.ok(maxAbsDiff(mnistFromPadStrokes(c.strokes, c.pad, c.pen), c.raster) <= golden.tolerance);
    assert.ok(maxAbsDiff(mnistFromStrokes(c.strokes), c.vector) <= golden.tolerance);
  });
}

for (const c of golden.rasters) {
  test(`raster "${c.name}" (${c.height}×${c.width}): same 28×28 as Python`, () => {
    const out = mnistFromInk(Float64Array.from(c.ink), c.height, c.width);
    assert.ok(maxAbsDiff(out, c.expected) <= golden.tolerance);
  });
}

test('an empty drawing is "no ink", not a guess', () => {
  assert.throws(() => mnistFromInk(new Float64Array(100 * 100), 100, 100), NoInkError);
  assert.throws(() => mnistFromStrokes([]), NoInkError);
  assert.throws(() => mnistFromStrokes([[]]), NoInkError);
});

test('output is centred on its mass and its darkest pixel is 1', () => {
  const out = mnistFromStrokes([[[10, 10], [30, 80]], [[30, 80], [60, 20]]]);
  const [row, col] = centreOfMass(out, SIZE, SIZE);
  assert.ok(Math.abs(row - 14) < 0.05 && Math.abs(col - 14) < 0.05, `centre ${row}, ${col}`);
  assert.equal(Math.max(...out), 1);
});

test('vector recipe ignores the drawing size and position', () => {
  const small = [[[100, 100], [110, 100], [103, 125]]];
  const big = [[[20, 20], [220, 20], [80, 520]]];
  assert.ok(maxAbsDiff(mnistFromStrokes(small), mnistFromStrokes(big)) < 1e-5);
});
