// `npm run bench`: every benchmark, side by side, in one run. Numbers vary between machines;
// the closing notes of issues quote them with the machine they came from.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHost } from '../dist/index.js';
import { CALIBRATION } from '../dist/sandbox/calibration.js';
import { calibrate } from './calibrate.js';
import { capsBench } from './caps.js';
import { egressBench } from './egress.js';
import { authoringBench } from './authoring.js';
import { extismPeer } from './extism-peer.js';
import { fuelOverhead } from './fuel-overhead.js';
import { instrumentBench } from './instrument-time.js';
import { registryBench } from './registry.js';
import { renderLatency } from './render-latency.js';
import { serviceLoad } from './service-load.js';
import { fixtureComponent } from '../test/support/fixtures.js';
import { KPI_INPUT, jsWorkloads, kpiCard, watWorkloads } from './support/components.js';

const only = new Set(process.argv.slice(2));
const want = (name: string) => only.size === 0 || only.has(name);

console.log(`# Summit Plugin Host benchmarks — node ${process.version}, ${new Date().toISOString()}`);
const needsWorkloads = ['fuel', 'calibrate'].some(want);
const workloads = needsWorkloads ? [...(await watWorkloads()), ...(await jsWorkloads())] : [];
const host = createHost({ mode: 'development', workers: 2, cacheDir: mkdtempSync(join(tmpdir(), 'sph-bench-')), logger: pino({ level: 'silent' }) });
try {
  if (want('fuel')) await fuelOverhead(workloads);
  if (want('latency')) {
    await renderLatency(host, [
      { name: 'kpi-card (componentize-js)', bytes: await kpiCard(), input: KPI_INPUT },
      { name: 'wat hash-1k', bytes: await fixtureComponent('fuel-work', { ITERATIONS: 1000 }), input: '{}' },
    ]);
  }
  if (want('calibrate')) {
    const c = await calibrate(host, workloads);
    console.log(`shipped calibration: ${CALIBRATION.fuelPerCpuMs} fuel per cpu-ms (${CALIBRATION.measuredOn}); this run: ${Math.round(c.median)}`);
  }
  if (want('caps')) await capsBench(host);
  if (want('instrument')) await instrumentBench(await kpiCard());
  if (want('peer')) await extismPeer(host);
  if (want('service')) await serviceLoad();
  if (want('registry')) await registryBench();
  if (want('egress')) await egressBench();
  if (want('authoring')) await authoringBench();
} finally {
  await host.close();
}
