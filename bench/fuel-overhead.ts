// (a) Fuel overhead: the same core modules instrumented vs not, in one process, alternating
// rounds; the figure is the median of per-round ratios.
import { rawComponent } from './support/raw.js';
import { fmt, median, table } from './support/stats.js';
import type { Workload } from './support/components.js';

async function timeCalls(render: (s: string) => string, input: string, calls: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) render(input);
  return performance.now() - t0;
}

export async function fuelOverhead(workloads: Workload[], rounds = 9): Promise<{ name: string; ratio: number }[]> {
  const results: { name: string; ratio: number; plainMs: number; meteredMs: number }[] = [];
  for (const w of workloads) {
    const plain = await (await rawComponent(w.bytes, { instrument: false })).instance();
    const metered = await (await rawComponent(w.bytes, { instrument: true })).instance();
    // Warm up both so V8 has tiered up the hot functions.
    const t = await timeCalls(plain.render, w.input, 1);
    const calls = Math.max(1, Math.min(50, Math.round(200 / Math.max(t, 1))));
    await timeCalls(plain.render, w.input, calls);
    await timeCalls(metered.render, w.input, calls);
    const ratios: number[] = [];
    const p: number[] = [];
    const m: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = await timeCalls(plain.render, w.input, calls);
      const b = await timeCalls(metered.render, w.input, calls);
      p.push(a / calls);
      m.push(b / calls);
      ratios.push(b / a);
    }
    results.push({ name: w.name, ratio: median(ratios), plainMs: median(p), meteredMs: median(m) });
  }
  table(
    '(a) fuel overhead: instrumented vs uninstrumented, same process, alternating rounds',
    ['workload', 'plain ms/call', 'metered ms/call', 'ratio (median of rounds)'],
    results.map((r) => [r.name, fmt(r.plainMs, 3), fmt(r.meteredMs, 3), `${fmt(r.ratio)}x`]),
  );
  console.log(`median ratio across workloads: ${fmt(median(results.map((r) => r.ratio)))}x`);
  return results;
}
