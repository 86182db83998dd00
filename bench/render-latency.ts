// (b) Render latency through the host (worker, fresh instance, metering, supervision) vs raw
// jco doing the same work in-process (fresh instance from compiled modules + render), on the
// same component; plus instantiate alone. The host is measured three ways: with prewarm and
// renders paced like a UI's (the instance is made between renders, off the render's path),
// with prewarm and renders back to back (no time to make one in between), and prewarm off.
import { pino } from 'pino';
import { createHost, type PluginHost, type RenderResult } from '../dist/index.js';
import { rawComponent } from './support/raw.js';
import { fmt, quantile, table } from './support/stats.js';

const PACE_MS = 25;

async function timed(host: PluginHost, plugin: Awaited<ReturnType<PluginHost['load']>>, input: string, n: number, paceMs: number) {
  const ms: number[] = [];
  let warm = 0;
  for (let i = 0; i < n; i++) {
    if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    const t = performance.now();
    const r: RenderResult = await host.render(plugin, input);
    ms.push(performance.now() - t);
    if (r.instance === 'warm') warm++;
  }
  return { ms, warmShare: warm / n };
}

export async function renderLatency(host: PluginHost, components: { name: string; bytes: Uint8Array; input: string }[], n = 300) {
  const rows: (string | number)[][] = [];
  const summary: { name: string; pacedP50: number; coldP50: number; rawP50: number }[] = [];
  const coldHost = createHost({ mode: 'development', workers: host.options.workers, cacheDir: false, prewarm: false, logger: pino({ level: 'silent' }) });
  try {
    for (const c of components) {
      const plugin = await host.load(c.bytes, { id: 'bench/latency' });
      const coldPlugin = await coldHost.load(c.bytes, { id: 'bench/latency' });
      const raw = await rawComponent(c.bytes, { instrument: false });
      for (let i = 0; i < 30; i++) {
        await host.render(plugin, c.input);
        await coldHost.render(coldPlugin, c.input);
        (await raw.instance()).render(c.input);
      }
      const paced = await timed(host, plugin, c.input, n, PACE_MS);
      const burst = await timed(host, plugin, c.input, n, 0);
      const cold = await timed(coldHost, coldPlugin, c.input, n, 0);
      const rawMs: number[] = [];
      const instMs: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        const inst = await raw.instance();
        const t1 = performance.now();
        inst.render(c.input);
        rawMs.push(performance.now() - t);
        instMs.push(t1 - t);
      }
      const rp50 = quantile(rawMs, 0.5);
      const row = (path: string, ms: number[], warmShare: number | null) => {
        const p50 = quantile(ms, 0.5);
        rows.push([c.name, path, fmt(p50, 3), fmt(quantile(ms, 0.99), 3), `${fmt(p50 / rp50)}x`, warmShare === null ? '' : `${Math.round(warmShare * 100)}%`]);
        return p50;
      };
      const pacedP50 = row(`host.render, prewarm, one every ${PACE_MS} ms`, paced.ms, paced.warmShare);
      row('host.render, prewarm, back to back', burst.ms, burst.warmShare);
      const coldP50 = row('host.render, prewarm off', cold.ms, cold.warmShare);
      row('raw jco: instance + render', rawMs, null);
      rows.push([c.name, 'raw jco: instantiate alone', fmt(quantile(instMs, 0.5), 3), fmt(quantile(instMs, 0.99), 3), '', '']);
      summary.push({ name: c.name, pacedP50, coldP50, rawP50: rp50 });
      host.unload(plugin);
      coldHost.unload(coldPlugin);
    }
  } finally {
    await coldHost.close();
  }
  table(`(b) render latency, ${n} renders each (ms)`, ['component', 'path', 'p50', 'p99', 'p50 vs raw', 'warm'], rows);
  return summary;
}
