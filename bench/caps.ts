// (d) Where the caps actually stop a plug-in: the cpu-ms at which an infinite loop is stopped
// (by fuel, and by the CPU-time backstop), and how far past the wall cap a worker is stopped,
// with an idle and with a busy host main thread.
import type { PluginHost, RenderError } from '../dist/index.js';
import { fixtureComponent } from '../test/support/fixtures.js';
import { fmt, median, table } from './support/stats.js';

async function failing(host: PluginHost, p: Parameters<PluginHost['render']>[0], limits = {}, during?: () => void) {
  const pending = host.render(p, '{}', { limits }).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: RenderError) => e,
  );
  during?.();
  return pending;
}

function busyMainThread(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the host's event loop is blocked */
  }
}

export async function capsBench(host: PluginHost, runs = 5) {
  const loop = await host.load(await fixtureComponent('infinite-loop'), { id: 'bench/loop' });
  const fill = await host.load(await fixtureComponent('fill-loop', { BYTES: 64 << 20 }), { id: 'bench/fill' });
  const misses = await host.load(await fixtureComponent('cache-miss'), { id: 'bench/cache-miss' });
  const rows: (string | number)[][] = [];
  const collect = async (label: string, fn: () => Promise<RenderError>, metric: (e: RenderError) => number) => {
    const vals: number[] = [];
    let code = '';
    for (let i = 0; i < runs; i++) {
      const e = await fn();
      code = `${e.code}${e.details?.by ? ` (${e.details.by})` : ''}`;
      vals.push(metric(e));
    }
    rows.push([label, code, fmt(median(vals), 1), fmt(Math.max(...vals), 1)]);
    return vals;
  };
  const stoppedByFuel = await collect('infinite loop, cpu cap 500 ms: cpu-ms at stop', () => failing(host, loop), (e) => e.usage.cpuMs);
  const stoppedFill = await collect('64 MiB memory.fill loop (metered by length), cpu cap 500 ms: cpu-ms at stop', () => failing(host, fill), (e) => e.usage.cpuMs);
  const stoppedByCpu = await collect('cache-missing loads (fuel undercounts), cpu cap 500 ms: cpu-ms at stop', () => failing(host, misses), (e) => e.usage.cpuMs);
  const overshoot = await collect(
    'wall cap 1500 ms (cpu cap raised): overshoot ms',
    () => failing(host, fill, { cpuMs: 10_000 }),
    (e) => e.usage.wallMs - 1500,
  );
  const busyOvershoot = await collect(
    'wall cap 300 ms, host main thread busy 800 ms: overshoot ms',
    () => failing(host, fill, { cpuMs: 10_000, wallMs: 300 }, () => setTimeout(() => busyMainThread(800), 50)),
    (e) => e.usage.wallMs - 300,
  );
  table('(d) caps in action', ['case', 'code', 'median', 'max'], rows);
  host.unload(loop);
  host.unload(fill);
  host.unload(misses);
  return { stoppedByFuel, stoppedFill, stoppedByCpu, overshoot, busyOvershoot };
}
