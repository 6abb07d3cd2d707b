// The JS image reader (ink.js, NumberReader.readParts) must match images.py and numbers.py on the
// golden pictures generate_ink.py wrote: the same ink raster, parts, boxes, crops and reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { inkFromPixels, inkParts, inkBoxes, partsInput } from '../../src/digitdraw/app/web/js/ink.js';
import { NumberReader } from '../../src/digitdraw/app/web/js/numbers.js';

const golden = JSON.parse(readFileSync(new URL('../golden/ink.json', import.meta.url)));
const bytes = (text) => inflateSync(Buffer.from(text, 'base64'));
const floats = (text) => {
  const raw = bytes(text);
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
};
const largestDifference = (a, b) => a.reduce((worst, v, k) => Math.max(worst, Math.abs(v - b[k])), 0);

/** A classifier that finds each input's group of parts by its crop and looks the group up, as the Python side did. */
function tableClassifier(c) {
  const crops = Object.entries(c.crops).map(([key, text]) => [key, floats(text)]);
  return async (inputs) =>
    inputs.map((input) => {
      const [key] = crops.reduce((best, entry) => {
        const difference = largestDifference(input, entry[1]);
        return difference < best[1] ? [entry[0], difference] : best;
      }, [null, Infinity]);
      return c.probabilities[key];
    });
}

test('golden file covers photos, chalk, a clean scan, dust and a transparent picture', () => {
  assert.ok(golden.cases.length >= 6);
  assert.ok(golden.cases.some((c) => c.name.startsWith('photo')));
});

for (const c of golden.cases) {
  test(`ink "${c.name}": same ink, parts, boxes, crops and reading as Python`, async () => {
    const { height, width } = c;
    const ink = inkFromPixels(new Uint8Array(bytes(c.rgba)), height, width);
    const expected = floats(c.ink);
    assert.ok(largestDifference(ink, expected) <= golden.ink_tolerance, `ink differs by ${largestDifference(ink, expected)}`);
    const { labels, count } = inkParts(ink, height, width);
    assert.equal(count, c.parts);
    const boxes = inkBoxes(labels, count, width);
    assert.deepEqual(boxes, c.boxes);
    for (const [key, crop] of Object.entries(c.crops)) {
      const input = partsInput(ink, labels, key.split(',').map(Number), height, width);
      assert.ok(largestDifference(input, floats(crop)) <= golden.crop_tolerance, `crop of parts ${key}`);
    }
    const reading = await new NumberReader(tableClassifier(c)).readParts(
      boxes,
      boxes.map((_, k) => `ink${k}`),
      (group) => partsInput(ink, labels, group, height, width),
    );
    assert.equal(reading.text, c.text);
    assert.equal(reading.alternative, c.alternative);
    assert.deepEqual(reading.digits.map((d) => d.parts), c.digit_parts);
  });
}

test('a blank picture has no ink and no parts', () => {
  const blank = new Uint8Array(20 * 30 * 4).fill(200);
  const ink = inkFromPixels(blank, 20, 30);
  assert.ok(ink.every((v) => v === 0));
  assert.equal(inkParts(ink, 20, 30).count, 0);
});
