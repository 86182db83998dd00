#!/usr/bin/env node
// Builds a sample widget exactly as `summit-plugin build <dir>` does (cached by source hash).
// Usage: node scripts/build-sample.js sample-plugins/kpi-card
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProject, createProjectBuilder, loadProject } from '../dist/build/project.js';

export async function buildSample(dir) {
  const project = await loadProject(dir);
  const builder = createProjectBuilder(project);
  try {
    const { built } = await buildProject(project, builder);
    return { manifest: project.manifest, path: project.componentPath, built };
  } finally {
    await builder.close();
  }
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
