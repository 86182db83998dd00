import { pino } from 'pino';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createHost } from '../dist/index.js';
import { KPI_INPUT, kpiCard } from './support/components.js';
const host = createHost({ mode: 'development', workers: 2, cacheDir: mkdtempSync(join(tmpdir(), 'p5-')), logger: pino({ level: 'silent' }) });
const plugin = await host.load(await kpiCard(), { id: 'p/x' });
for (const tenant of [undefined, 't1']) {
  for (let i = 0; i < 30; i++) await host.render(plugin, KPI_INPUT, { tenant });
  const ms: number[] = []; const kinds: Record<string, number> = {}; let fuel = 0;
  for (let i = 0; i < 200; i++) { await new Promise((r) => setTimeout(r, 25)); const t = performance.now(); const r = await host.render(plugin, KPI_INPUT, { tenant }); ms.push(performance.now() - t); kinds[r.instance] = (kinds[r.instance] ?? 0) + 1; fuel = r.usage.fuel!; }
  ms.sort((a, b) => a - b);
  console.log('tenant', tenant, 'p50', ms[100]!.toFixed(3), 'p90', ms[180]!.toFixed(3), JSON.stringify(kinds), 'fuel', fuel, JSON.stringify(host.stats));
}
await host.close();
