import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fixtureComponent } from '../test/support/fixtures.js';
import { HOSTILE_WIDGETS, runLoad, type LoadTarget } from '../test/support/load-gen.js';
import { KPI_INPUT, kpiCard } from './support/components.js';
const dir = mkdtempSync(join(tmpdir(), 'sph-mix-'));
const put = (name: string, bytes: Uint8Array) => { mkdirSync(join(dir, name)); writeFileSync(join(dir, name, 'widget.wasm'), bytes); writeFileSync(join(dir, name, 'summit-plugin.json'), JSON.stringify({ id: `load/${name}`, version: '1.0.0', world: 'summit:widget/widget@0.1.0', component: 'widget.wasm' })); };
put('kpi', await kpiCard());
for (const [name, fixture, vars] of HOSTILE_WIDGETS) put(name, await fixtureComponent(fixture, vars));
const child = spawn(process.execPath, [new URL('../test/support/service-process.mjs', import.meta.url).pathname, dir, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const good: LoadTarget = { kind: 'good', path: '/v1/widgets/load/kpi/render', body: JSON.stringify({ tenant: 'bench', input: JSON.parse(KPI_INPUT) }) };
await runLoad(url, { connections: 1, durationMs: 2000, pick: () => good });
const rate = (r: any) => ((r.byKind.good?.statuses[200] ?? 0) / r.durationMs) * 1000;
const clean = await runLoad(url, { connections: 8, durationMs: 8000, pick: () => good });
console.log('clean', rate(clean).toFixed(0));
for (const [name] of HOSTILE_WIDGETS) {
  let t = 0;
  const h: LoadTarget = { kind: 'hostile', path: `/v1/widgets/load/${name}/render`, body: JSON.stringify({ tenant: `h-${name}`, input: { props: {} } }) };
  const m = await runLoad(url, { connections: 8, durationMs: 8000, pick: () => (Math.random() < 0.2 ? h : good) });
  const hs = m.byKind.hostile!;
  hs.latencies.sort((a, b) => a - b);
  console.log(name, 'good/s', rate(m).toFixed(0), 'ratio', (rate(m) / rate(clean)).toFixed(2), 'hostile', JSON.stringify(hs.statuses), 'hostile p50', hs.latencies[hs.latencies.length >> 1]!.toFixed(1));
}
child.kill('SIGTERM');
