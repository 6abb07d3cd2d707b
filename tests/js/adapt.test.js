// The JS writer adaptation must match the Python reference (adapt.py) on the golden vectors it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { blend, fineTuned, layerProbabilities, nearestSimilarities, normalised } from '../../src/digitdraw/app/web/js/adapt.js';
import { calibrated } from '../../src/digitdraw/app/web/js/classifier.js';
import { ExampleStore, ExamplesError, parseExamples } from '../../src/digitdraw/app/web/js/examples.js';

const golden = JSON.parse(readFileSync(new URL('../golden/adapt.json', import.meta.url)));
const close = (a, b) => Math.abs(a - b) <= golden.tolerance * Math.max(1, Math.abs(b));

for (const c of golden.cases) {
  test(`adapt "${c.name}": same similarities and adapted probabilities as Python`, () => {
    const examples = c.examples.map((e) => ({ digit: e.digit, features: normalised(e.features) }));
    const similarities = nearestSimilarities(c.features, examples);
    similarities.forEach((s, d) => {
      if (c.similarities[d] === null) assert.ok(Number.isNaN(s), `digit ${d} has no example`);
      else assert.ok(close(s, c.similarities[d]), `digit ${d}: ${s} vs ${c.similarities[d]}`);
    });
    const adapted = blend(c.probabilities, similarities, c.settings);
    adapted.forEach((p, d) => assert.ok(close(p, c.adapted[d]), `digit ${d}: ${p} vs ${c.adapted[d]}`));
  });
}

for (const c of golden.fine_tuning) {
  test(`fine-tuning "${c.name}": the same last layer and probabilities as Python`, () => {
    const examples = c.examples.map((e) => ({ digit: e.digit, raw: e.features }));
    const tuned = fineTuned({ weights: c.weights, bias: c.bias }, examples, c.settings);
    tuned.weights.forEach((w, j) => assert.ok(close(w, c.tuned_weights[j]), `weight ${j}: ${w} vs ${c.tuned_weights[j]}`));
    tuned.bias.forEach((b, j) => assert.ok(close(b, c.tuned_bias[j]), `bias ${j}: ${b} vs ${c.tuned_bias[j]}`));
    const probabilities = layerProbabilities(c.features, tuned, c.temperature);
    probabilities.forEach((p, d) => assert.ok(close(p, c.probabilities[d]), `digit ${d}: ${p} vs ${c.probabilities[d]}`));
  });
}

test('fine-tuning moves the layer only when something is taught', () => {
  const [none, taught] = golden.fine_tuning;
  assert.deepEqual(none.tuned_weights, none.weights);
  assert.ok(taught.tuned_weights.some((w, j) => Math.abs(w - taught.weights[j]) > 1e-6));
});

for (const f of golden.files) {
  test(`examples file "${f.name}": ${f.valid ? 'accepted' : 'refused'} as by Python`, () => {
    if (f.valid) assert.equal(parseExamples(f.data).length, f.data.examples.length);
    else assert.throws(() => parseExamples(f.data), ExamplesError);
  });
}

for (const c of golden.calibration) {
  test(`calibrated at temperature ${c.temperature}: as calibration.py`, () => {
    const values = calibrated(c.probabilities, c.temperature);
    values.forEach((p, d) => assert.ok(Math.abs(p - c.calibrated[d]) <= 1e-6, `digit ${d}: ${p} vs ${c.calibrated[d]}`));
  });
}

/** localStorage's interface over a Map; `full` makes setItem throw as a full quota does. */
function memoryStorage() {
  const items = new Map();
  return {
    full: false,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem(key, value) {
      if (this.full) throw new Error('QuotaExceededError');
      items.set(key, String(value));
    },
  };
}

const stroke = [[[10, 10], [12, 200]]];

test('taught examples persist, export and import round-trip, forget can be undone', () => {
  const storage = memoryStorage();
  const store = new ExampleStore(storage);
  store.add(1, stroke);
  store.add(7, stroke);
  assert.equal(new ExampleStore(storage).count, 2); // a reload reads them back
  const file = JSON.stringify(store.toFile());
  const removed = store.forget();
  assert.equal(new ExampleStore(storage).count, 0);
  store.restore(removed);
  assert.deepEqual(new ExampleStore(storage).examples.map((e) => e.digit), [1, 7]);
  const other = new ExampleStore(memoryStorage());
  assert.equal(other.importText(file), 2);
  assert.deepEqual(other.examples, store.examples);
});

test('a corrupt import or a full storage gets a clear error and changes nothing', () => {
  const storage = memoryStorage();
  const store = new ExampleStore(storage);
  store.add(3, stroke);
  assert.throws(() => store.importText('{"format": "digitdraw-examples", "version": 1, "examples": [{"digit": 12'), /not valid JSON/);
  assert.throws(() => store.importText(JSON.stringify({ format: 'digitdraw-examples', version: 1, examples: [{ digit: 12, strokes: stroke }] })), /0 to 9/);
  storage.full = true;
  assert.throws(() => store.add(4, stroke), /would not store/);
  assert.deepEqual(store.examples.map((e) => e.digit), [3]);
  assert.deepEqual(new ExampleStore(storage).examples.map((e) => e.digit), [3]);
});

test('stored examples that cannot be read start the page with none instead of failing', () => {
  const storage = memoryStorage();
  storage.setItem('digitdraw.examples', '{"format":');
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(new ExampleStore(storage).count, 0);
  } finally {
    console.warn = warn;
  }
});
