#!/usr/bin/env node
// Bundles the browser code in src/web into dist/web (run by `npm run build` after tsc).
// The dev server serves these files; nothing here runs in Node.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const src = new URL('../src/web/', import.meta.url);
const out = new URL('../dist/web/', import.meta.url);
await mkdir(out, { recursive: true });
const bundle = (entry, outfile) =>
  build({
    entryPoints: [new URL(entry, src).pathname],
    outfile: new URL(outfile, out).pathname,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2021',
    sourcemap: true,
    logLevel: 'warning',
  });
// The dev preview, the <summit-widget> embed the host service serves, and the demo page.
await Promise.all([
  bundle('preview/preview.ts', 'preview.js'),
  bundle('embed/summit-widget.ts', 'summit-widget.js'),
  bundle('demo/demo.ts', 'demo.js'),
]);
for (const f of ['preview.html', 'preview.css']) await copyFile(new URL(`preview/${f}`, src), new URL(f, out));
for (const f of ['demo.html', 'demo.css']) await copyFile(new URL(`demo/${f}`, src), new URL(f, out));
