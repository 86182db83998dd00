import { pino } from 'pino';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createHost } from '../dist/index.js';
import { fixtureComponent } from '../test/support/fixtures.js';
import { KPI_INPUT, kpiCard } from './support/components.js';
const host = createHost({ mode: 'development', workers: 2, cacheDir: mkdtempSync(join(tmpdir(), 'pb-')), logger: pino({ level: 'silent' }) });
const kpi = await host.load(await kpiCard(), { id: 'p/kpi' });
const which = process.argv[2] ?? 'memory-bomb';
const vars = which === 'fill-loop' ? { BYTES: 64 << 20 } : {};
const bomb = await host.load(await fixtureComponent(which, vars), { id: 'p/bomb' });
for (let i = 0; i < 30; i++) await host.render(kpi, KPI_INPUT, { tenant: 'g' });
async function goodFor(ms: number) { const lat: number[] = []; const end = performance.now() + ms; while (performance.now() < end) { const t = performance.now(); await host.render(kpi, KPI_INPUT, { tenant: 'g' }); lat.push(performance.now() - t); } lat.sort((a, b) => a - b); return { n: lat.length, p50: lat[lat.length >> 1]!.toFixed(2) }; }
console.log('alone', JSON.stringify(await goodFor(1500)));
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  const b = host.render(bomb, '{}', { tenant: 'h' }).then(() => 'ok', (e) => e.code).then((c) => ({ c, ms: (performance.now() - t).toFixed(0) }));
  const g = await goodFor(1500);
  console.log('with', which, JSON.stringify(g), JSON.stringify(await b));
}
await host.close();
