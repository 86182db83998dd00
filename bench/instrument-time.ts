// Instrumenting the ~12 MB SpiderMonkey engine module of a componentize-js plug-in (without and
// with the body cache, as a rebuilt widget is: same engine code), and the whole load path cold
// (transpile + instrument + compile) vs from the disk cache.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComponentPreparer } from '../dist/component/prepare.js';
import { transpileComponent } from '../dist/component/transpile.js';
import { BodyCache, instrumentModule, widgetCostOf } from '../dist/wasm/index.js';
import { fmt, median, table } from './support/stats.js';

export async function instrumentBench(component: Uint8Array) {
  const t = await transpileComponent(component);
  const [name, engine] = [...t.coreModules].sort((a, b) => b[1].length - a[1].length)[0]!;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    instrumentModule(engine, { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1 << 20, costOf: widgetCostOf });
    times.push(performance.now() - t0);
  }
  // Alternated with the uncached rewrite above, so both see the same machine.
  const cache = new BodyCache({ maxBytes: 64 << 20 });
  instrumentModule(engine, { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1 << 20, costOf: widgetCostOf, cache });
  const cachedTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t0 = performance.now();
    instrumentModule(engine, { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1 << 20, costOf: widgetCostOf, cache });
    cachedTimes.push(performance.now() - t0);
    t0 = performance.now();
    instrumentModule(engine, { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1 << 20, costOf: widgetCostOf });
    plainTimes.push(performance.now() - t0);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sph-bench-cache-'));
  const opts = { memoryBytes: 256 << 20, tableElements: 1 << 20, cacheDir: dir };
  const cold = await new ComponentPreparer(dir).prepare(component, opts);
  const warm = await new ComponentPreparer(dir).prepare(component, opts); // a second process: disk cache
  table('instrumenting the SpiderMonkey engine module, and preparing a component cold vs cached', ['what', 'ms'], [
    [`instrumentModule(${name}, ${(engine.length / 1e6).toFixed(1)} MB), median of 5`, fmt(median(times), 0)],
    [`  alternated: no body cache / every body from the cache (${(cache.stats.bytes / 2 ** 20).toFixed(1)} MiB), medians of 5`, `${fmt(median(plainTimes), 0)} / ${fmt(median(cachedTimes), 0)}`],
    ['prepare cold: transpile', fmt(cold.timings.transpileMs, 0)],
    ['prepare cold: instrument (all core modules)', fmt(cold.timings.instrumentMs, 0)],
    ['prepare cold: compile', fmt(cold.timings.compileMs, 0)],
    ['prepare from disk cache (new preparer): transpile + instrument', fmt(warm.timings.transpileMs + warm.timings.instrumentMs, 0)],
    ['prepare from disk cache: compile', fmt(warm.timings.compileMs, 0)],
  ]);
}
