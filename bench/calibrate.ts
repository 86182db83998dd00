// (c) Fuel units per cpu-ms over the corpus, through the host: usage.fuel / usage.cpuMs per
// render. The median is what src/sandbox/calibration.ts ships; the spread shows how rough a
// proxy fuel is, which is why the CPU-time backstop exists.
import type { PluginHost } from '../dist/index.js';
import { fmt, median, table } from './support/stats.js';
import type { Workload } from './support/components.js';

export async function calibrate(host: PluginHost, workloads: Workload[], renders = 7) {
  const rows: (string | number)[][] = [];
  const ratios: { name: string; perMs: number }[] = [];
  for (const w of workloads) {
    const p = await host.load(w.bytes, { id: 'bench/calibrate' });
    const per: number[] = [];
    const cpu: number[] = [];
    let fuel = 0;
    await host.render(p, w.input, { limits: { cpuMs: 60_000, wallMs: 120_000 } }); // warm (tier-up)
    for (let i = 0; i < renders; i++) {
      const r = await host.render(p, w.input, { limits: { cpuMs: 60_000, wallMs: 120_000 } });
      fuel = r.usage.fuel ?? 0;
      cpu.push(r.usage.cpuMs);
      per.push(fuel / r.usage.cpuMs);
    }
    const m = median(per);
    ratios.push({ name: w.name, perMs: m });
    rows.push([w.name, fuel, fmt(median(cpu)), Math.round(m)]);
    host.unload(p);
  }
  const values = ratios.map((r) => r.perMs);
  const med = median(values);
  table('(c) calibration: fuel units per cpu-ms (through the host, warm)', ['workload', 'fuel/render', 'cpu-ms (median)', 'fuel per cpu-ms'], rows);
  console.log(
    `median ${Math.round(med)} fuel/cpu-ms; spread ${Math.round(Math.min(...values))}..${Math.round(Math.max(...values))} (${fmt(Math.max(...values) / Math.min(...values), 1)}x)`,
  );
  return { median: med, ratios };
}
