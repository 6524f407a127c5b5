// Bundles the Searchkit demo page (examples/searchkit/) for the browser.
// Usage: node tests/es/build_demo.mjs OUTDIR
// OUTDIR gets index.html, style.css and app.bundle.js (esbuild, one ES
// module with instantsearch.js, searchkit and @searchkit/instantsearch-client
// from tests/es/node_modules); `newsdex serve --web OUTDIR` serves it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(HERE, '../../examples/searchkit');
const OUT = path.resolve(process.argv[2] || 'searchkit-demo');
mkdirSync(OUT, { recursive: true });
await build({
  entryPoints: [path.join(SRC, 'app.js')],
  outfile: path.join(OUT, 'app.bundle.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100'],
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  nodePaths: [path.join(HERE, 'node_modules')],
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) copyFileSync(path.join(SRC, f), path.join(OUT, f));
console.log(OUT);
