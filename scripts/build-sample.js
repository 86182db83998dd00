#!/usr/bin/env node
// Builds a sample widget into <dir>/<manifest.component> (cached by source hash).
// Usage: node scripts/build-sample.js sample-plugins/kpi-card
// WASI features follow the manifest: `http` when it lists allowed egress hosts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget, featuresForManifest } from '../dist/build/build-widget.js';
import { defaultCacheDir } from '../dist/config/host-options.js';

export async function buildSample(dir) {
  const manifest = JSON.parse(await readFile(join(dir, 'summit-plugin.json'), 'utf8'));
  const built = await buildWidget({ entry: join(dir, 'src/widget.ts'), features: featuresForManifest(manifest), cacheDir: join(defaultCacheDir(), 'builds') });
  const out = join(dir, manifest.component);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, built.bytes);
  return { manifest, path: out, built };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node scripts/build-sample.js <sample-dir>\n');
    process.exit(2);
  }
  const { path, built } = await buildSample(dir);
  process.stdout.write(`${path} (${built.bytes.length} bytes${built.fromCache ? ', cached' : ''})\n`);
}
