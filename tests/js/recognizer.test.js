// The page's recogniser (recognizer.js) end to end on real @tensorflow/tfjs in Node, with the
// bundled models read from disk through tfjs's own HTTP loader: numbers, teaching, not-a-digit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Recognizer } from '../../src/digitdraw/app/web/js/recognizer.js';
import { renderStrokes } from '../../src/digitdraw/app/web/js/preprocess.js';

const BUNDLED = new URL('../../src/digitdraw/bundled/', import.meta.url).pathname;

function modelFrom(name) {
  const fetchFunc = async (url) => {
    try {
      return new Response(await readFile(path.join(BUNDLED, name, path.basename(new URL(url).pathname))));
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
  return { name, url: tf.io.http(`http://models.local/${name}/model.json`, { fetchFunc }) };
}

await tf.setBackend('cpu');
const recognizer = new Recognizer(tf, [modelFrom('robust-cnn'), modelFrom('segment-cnn')]);
await recognizer.load('robust-cnn');

const ONE = [[140, 50], [141, 140], [142, 230]];
const ZERO = Array.from({ length: 40 }, (_, k) => [300 + 50 * Math.sin((k / 39) * 2 * Math.PI), 140 - 85 * Math.cos((k / 39) * 2 * Math.PI)]);
const DASH = [[60, 150], [140, 148], [220, 151]];

test('reads a number drawn as strokes, left to right', async () => {
  const reading = await recognizer.read([ONE, ZERO], 'robust-cnn');
  assert.equal(reading.text, '10');
  assert.equal(reading.rejected, null);
  assert.equal(reading.digits.length, 2);
  for (const d of reading.digits) assert.ok(Math.abs(d.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('reads a number in an ink raster by its ink marks, as numbers.py read_ink', async () => {
  const [height, width] = [280, 420];
  const ink = renderStrokes([ONE, ZERO], height, width, 18);
  const reading = await recognizer.readInk(ink, height, width, 'robust-cnn');
  assert.equal(reading.text, '10');
  assert.equal(reading.rejected, null);
  assert.deepEqual(reading.digits.map((d) => d.parts), [[0], [1]]);
  assert.equal(reading.inputs.length, 2);
  assert.equal((await recognizer.readInk(new Float64Array(height * width), height, width, 'robust-cnn')).text, '');
});

test('a tap, a dash and an L are not digits; a V may not be one; a taught dash reads as what it was taught', async () => {
  assert.equal((await recognizer.read([[[100, 100]]], 'robust-cnn')).rejected, 'tap');
  assert.equal((await recognizer.read([DASH], 'robust-cnn')).rejected, 'dash');
  assert.equal((await recognizer.read([[[80, 60], [80, 220], [200, 220]]], 'robust-cnn')).rejected, 'not-a-digit');
  const vee = await recognizer.read([[[80, 60], [140, 220], [200, 60]]], 'robust-cnn');
  assert.deepEqual([vee.rejected, vee.maybeNotADigit, vee.digits.length], [null, true, 1]);
  recognizer.teach(1, [DASH]);
  const taught = await recognizer.read([DASH], 'robust-cnn');
  assert.equal(taught.rejected, null);
  assert.equal(taught.text, '1');
  const file = recognizer.exportExamples();
  assert.equal(file.examples.length, 1);
  const removed = recognizer.forget();
  assert.equal((await recognizer.read([DASH], 'robust-cnn')).rejected, 'dash');
  recognizer.restore(removed);
  assert.equal((await recognizer.read([DASH], 'robust-cnn')).text, '1');
});

test('a writer who taught a crossed 7 has their long-flag 1 read as 1; a taught plain 7 undoes it', async () => {
  const flagOne = [[[40, 72], [100, 60], [104, 230]]];
  const crossedSeven = [[[200, 62], [295, 60], [240, 232]], [[225, 148], [285, 144]]];
  const plainSeven = [[[200, 62], [295, 60], [240, 232]]];
  recognizer.forget();
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '7');
  recognizer.teach(7, crossedSeven);
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '1');
  recognizer.teach(7, plainSeven);
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '7');
  recognizer.forget();
});

test('a writer who wrote a crossed 7 has their next long-flag 1s read as 1, until a 7 reads uncrossed or they forget', async () => {
  const flagOne = [[[40, 72], [100, 60], [104, 230]]];
  const crossedSeven = [[[200, 62], [295, 60], [240, 232]], [[225, 148], [285, 144]]];
  const cleared = () => recognizer.read([], 'robust-cnn');
  recognizer.forget();
  const crossedFlag = [...flagOne, [[60, 150], [130, 147]]]; // the 1's shape with a bar: a crossed 7
  assert.equal((await recognizer.read(crossedFlag, 'robust-cnn')).text, '7');
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '7'); // its own bar undone: the same drawing
  await cleared();
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '7'); // the last 7 read was not crossed
  await cleared();
  await recognizer.read(crossedSeven, 'robust-cnn');
  await cleared();
  const flagged = await recognizer.read(flagOne, 'robust-cnn');
  assert.deepEqual([flagged.text, flagged.digits[0].doubtedSeven], ['1', true]);
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '1'); // read again, still 1
  recognizer.forget();
  assert.equal((await recognizer.read(flagOne, 'robust-cnn')).text, '7');
});
