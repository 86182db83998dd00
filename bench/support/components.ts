// The components the benchmarks use, built with the test helpers (cached by content hash).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget } from '../../dist/build/build-widget.js';
import { cacheRoot } from '../../test/support/build.js';
import { fixtureComponent } from '../../test/support/fixtures.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const root = join(here, '..');

export interface Workload {
  name: string;
  kind: 'wat' | 'js';
  bytes: Uint8Array;
  input: string;
}

export async function watWorkloads(): Promise<Workload[]> {
  const out: Workload[] = [];
  for (const name of ['fib', 'matmul', 'bytes']) {
    out.push({ name: `wat:${name}`, kind: 'wat', bytes: await fixtureComponent(join(here, 'workloads', `${name}.wat`)), input: '{"props":{}}' });
  }
  out.push({ name: 'wat:hash', kind: 'wat', bytes: await fixtureComponent('fuel-work', { ITERATIONS: 3_000_000 }), input: '{"props":{}}' });
  return out;
}

export async function jsWorkloads(): Promise<Workload[]> {
  const { bytes } = await buildWidget({ entry: join(here, 'workloads/js-workloads.js'), cacheDir: cacheRoot });
  return ['sort', 'json', 'html', 'loop'].map((mode) => ({ name: `js:${mode}`, kind: 'js' as const, bytes, input: JSON.stringify({ props: { mode } }) }));
}

export async function kpiCard(): Promise<Uint8Array> {
  return (await buildWidget({ entry: join(root, 'sample-plugins/kpi-card/src/widget.ts'), cacheDir: cacheRoot })).bytes;
}

export const KPI_INPUT = JSON.stringify({ props: { label: 'Revenue', value: 1234567.891, previous: 1100000, unit: 'EUR', decimals: 2 }, context: { locale: 'de-DE' } });
