/**
 * The TF.js the page needs, as the global `tf`: tfjs-core, tfjs-layers and the
 * WASM backend. Bundled by `make web` (esbuild) instead of the 1.1 MB tf.es2017.min.js, which
 * also carries the WebGL and CPU backends, the converter and tfjs-data; the page never uses them.
 * The whole core and layers API stays on `tf` (tree-shaking it to what the page calls today saves
 * only ~18 KB gzipped and would break the next module that calls something else).
 * Trade-off: with no WebGL/CPU backend, a browser without WebAssembly shows "no TF.js backend
 * could start" instead of running slowly (every browser since 2017 has WebAssembly).
 */
import * as core from '@tensorflow/tfjs-core';
import * as layers from '@tensorflow/tfjs-layers';
import * as wasm from '@tensorflow/tfjs-backend-wasm';

// Never the multithreaded build: bundles/build.mjs leaves it out (see there why).
core.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

globalThis.tf = {
  ...core,
  ...layers,
  wasm,
  version: { 'tfjs-core': core.version_core, 'tfjs-layers': layers.version_layers, 'tfjs-backend-wasm': wasm.version_wasm, tfjs: core.version_core },
};
