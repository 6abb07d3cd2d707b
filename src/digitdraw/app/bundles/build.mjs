/**
 * `make web`: bundle the page's libraries with esbuild (pinned in package.json) into OUT_DIR as
 * classic scripts that set the globals `tf` and `Chart`, and copy the WebAssembly they load.
 * Usage: node src/digitdraw/app/bundles/build.mjs OUT_DIR
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}
const WASM_DIST = join(here, '../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist');
// Plain WebAssembly for old browsers and SIMD for the rest. The multithreaded build needs a
// cross-origin-isolated page (COOP/COEP headers), which static hosts cannot promise; tfjs.js
// turns it off, so neither its 140 KB binary nor its 36 KB of glue code are shipped.
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'];

/** Replaces the multithreaded WASM glue with a module that fails loudly if it is ever called. */
const withoutThreads = {
  name: 'without-wasm-threads',
  setup(plugin) {
    plugin.onResolve({ filter: /tfjs-backend-wasm-threaded-simd(\.worker)?\.js$/ }, (args) => ({
      path: args.path,
      namespace: 'no-threads',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'no-threads' }, () => ({
      contents:
        'export const wasmWorkerContents = "";\n' +
        'export default function () { throw new Error("multithreaded WASM is not bundled"); }\n',
    }));
  },
};

mkdirSync(out, { recursive: true });
for (const name of ['tfjs', 'chart']) {
  await build({
    entryPoints: [join(here, `${name}.js`)],
    outfile: join(out, `${name}.min.js`),
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2017',
    // Licences go to NAME.min.js.LEGAL.txt beside the bundle, not into every download.
    legalComments: 'linked',
    plugins: [withoutThreads],
    logLevel: 'warning',
  });
}
for (const file of WASM_FILES) copyFileSync(join(WASM_DIST, file), join(out, file));
