// (b) Warm render latency through the host (worker, fresh instance, metering, supervision)
// vs raw jco doing the same work in-process (fresh instance from compiled modules + render),
// on the same component; plus warm instantiate alone.
import type { PluginHost } from '../dist/index.js';
import { rawComponent } from './support/raw.js';
import { fmt, quantile, table } from './support/stats.js';

export async function renderLatency(host: PluginHost, components: { name: string; bytes: Uint8Array; input: string }[], n = 300) {
  const rows: (string | number)[][] = [];
  const summary: { name: string; hostP50: number; rawP50: number }[] = [];
  for (const c of components) {
    const plugin = await host.load(c.bytes, { id: 'bench/latency' });
    const raw = await rawComponent(c.bytes, { instrument: false });
    const hostMs: number[] = [];
    const rawMs: number[] = [];
    const instMs: number[] = [];
    for (let i = 0; i < 30; i++) {
      await host.render(plugin, c.input);
      (await raw.instance()).render(c.input);
    }
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      await host.render(plugin, c.input);
      hostMs.push(performance.now() - t);
      t = performance.now();
      const inst = await raw.instance();
      const t1 = performance.now();
      inst.render(c.input);
      rawMs.push(performance.now() - t);
      instMs.push(t1 - t);
    }
    const hp50 = quantile(hostMs, 0.5);
    const rp50 = quantile(rawMs, 0.5);
    summary.push({ name: c.name, hostP50: hp50, rawP50: rp50 });
    rows.push([c.name, 'host.render', fmt(hp50, 3), fmt(quantile(hostMs, 0.99), 3), `${fmt(hp50 / rp50)}x`]);
    rows.push([c.name, 'raw jco: instance + render', fmt(rp50, 3), fmt(quantile(rawMs, 0.99), 3), '1.00x']);
    rows.push([c.name, 'raw jco: instantiate alone', fmt(quantile(instMs, 0.5), 3), fmt(quantile(instMs, 0.99), 3), '']);
    host.unload(plugin);
  }
  table(`(b) warm render latency, ${n} renders each (ms)`, ['component', 'path', 'p50', 'p99', 'p50 vs raw'], rows);
  return summary;
}
