// Run the page's Classifier on real @tensorflow/tfjs in Node, on the page's WASM backend, and print
// its probabilities (and, through predictWithFeatures, the features writer adaptation compares).
// Usage: node tests/js/tfjs_predict.mjs MODEL_DIR INPUTS.f32 > out.json
// INPUTS.f32 holds n × 784 little-endian float32 values. The model goes through tfjs's own HTTP
// loader (as in the browser), with a fetch that reads the files from disk.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Classifier } from '../../src/digitdraw/app/web/js/classifier.js';

const [modelDir, inputsPath] = process.argv.slice(2);

async function diskFetch(url) {
  const name = path.basename(new URL(url).pathname);
  try {
    return new Response(await readFile(path.join(modelDir, name)), { status: 200 });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

// The page's backend, and ~12× faster here than tfjs's pure-JS 'cpu' one.
setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
await tf.setBackend('wasm');
const classifier = new Classifier(tf, () => tf.io.http('http://model.local/model.json', { fetchFunc: diskFetch }));
const bytes = await readFile(inputsPath);
const inputs = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const before = tf.memory().numTensors;
const probabilities = await classifier.predict('m', inputs);
const leaked = tf.memory().numTensors - before; // the first call also keeps the model's weights
await classifier.predict('m', inputs);
const leakedSecond = tf.memory().numTensors - before - leaked;
const rows = Array.from({ length: inputs.length / 784 }, (_, i) => inputs.subarray(i * 784, (i + 1) * 784));
const withFeatures = await classifier.predictWithFeatures('m', rows);
process.stdout.write(JSON.stringify({
  backend: tf.getBackend(), version: tf.version.tfjs, leaked_tensors: leakedSecond,
  probabilities: Array.from(probabilities),
  features: withFeatures.features.map((f) => Array.from(f)),
  feature_probabilities: withFeatures.probabilities.map((p) => Array.from(p)),
}));
