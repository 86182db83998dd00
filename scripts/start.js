#!/usr/bin/env node
// `npm start`: until the host service exists, build the sample widgets and render each of
// their sample inputs through the production sandbox, printing HTML and usage.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHost } from '../dist/index.js';
import { createDefaultLogger } from '../dist/host/logger.js';
import { completeInput } from '../dist/authoring/render-input.js';
import { buildSample } from './build-sample.js';

const root = new URL('../sample-plugins/', import.meta.url).pathname;
// Egress goes through a mesh proxy only: SUMMIT_EGRESS_PROXY if set, otherwise none (widgets
// that fetch show their fallback, and the egress line says why).
const proxyUrl = process.env.SUMMIT_EGRESS_PROXY || undefined;
const host = createHost({ mode: 'development', logger: createDefaultLogger('error'), egress: proxyUrl ? { proxyUrl } : {} });
try {
  for (const name of (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name)) {
    const dir = join(root, name);
    process.stdout.write(`\n== ${name}: building (first build takes a few seconds, then cached)\n`);
    const { manifest, path } = await buildSample(dir);
    const allowedHosts = manifest.capabilities?.egress?.allowedHosts ?? [];
    const plugin = await host.load(path, { id: manifest.id, version: manifest.version, limits: manifest.limits, egress: { allowedHosts } });
    process.stdout.write(`   ${manifest.id}@${manifest.version} sha256:${plugin.digest.slice(0, 16)}… imports: ${plugin.imports.join(', ')}\n`);
    for (const sample of manifest.samples) {
      try {
        const r = await host.render(plugin, completeInput(sample.input), { tenant: 'demo' });
        const u = r.usage;
        process.stdout.write(`-- ${sample.name}: ${r.output}\n   fuel ${u.fuel} · cpu ${u.cpuMs.toFixed(1)} ms · memory ${(u.memoryBytes / 1048576).toFixed(1)} MiB · wall ${u.wallMs.toFixed(1)} ms\n`);
        if (u.egress) {
          const e = u.egress;
          process.stdout.write(`   egress: ${e.requests} sent · ${e.denied} refused · ${e.failed} failed${e.errors[0] ? ` (${e.errors[0].code} ${e.errors[0].reason}: ${e.errors[0].message})` : ''}\n`);
        }
      } catch (err) {
        process.stdout.write(`-- ${sample.name}: ${err.code}: ${err.message}\n`);
      }
    }
  }
} finally {
  await host.close();
}
