// The warm pool: instances made ahead of renders (prewarm) take instantiation off the render's
// path without changing what a render sees or reports, and without ever reusing an instance.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin, PluginHost, RenderError } from '../../src/index.js';
import { fixtureComponent } from '../support/fixtures.js';
import { rejection, testHost } from '../support/host.js';

let warm: PluginHost;
let cold: PluginHost;
beforeAll(() => {
  warm = testHost();
  cold = testHost({ prewarm: false });
});
afterAll(async () => {
  await warm.close();
  await cold.close();
});
// Each test starts with no plug-in loaded, so the pool's warm count is about its own.
const loaded: [PluginHost, Plugin][] = [];
afterEach(() => {
  for (const [host, p] of loaded.splice(0)) host.unload(p);
});

/** Waits until the pool holds at least n warm instances. */
async function warmed(host: PluginHost, n = 1): Promise<void> {
  const t0 = performance.now();
  while (host.stats.warm < n) {
    if (performance.now() - t0 > 10_000) throw new Error(`no warm instance after 10 s (stats ${JSON.stringify(host.stats)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function both(name: string, vars: Record<string, number> = {}): Promise<[Plugin, Plugin]> {
  const bytes = await fixtureComponent(name, vars);
  const pair: [Plugin, Plugin] = [await warm.load(bytes, { id: `test/${name}` }), await cold.load(bytes, { id: `test/${name}` })];
  loaded.push([warm, pair[0]], [cold, pair[1]]);
  return pair;
}

describe('prewarm', () => {
  it('renders take an instance made ahead of time, and report what a cold render reports', async () => {
    const [w, c] = await both('start-work', { ITERATIONS: 100_000 });
    await warmed(warm);
    const a = await warm.render(w, {});
    const b = await cold.render(c, {});
    expect(a.instance).toBe('warm');
    expect(b.instance).toBe('cold');
    expect(a.output).toBe('<p>started</p>');
    // The start function's fuel and memory growth are charged to the render that took it.
    expect(a.usage.fuel).toBe(b.usage.fuel);
    expect(a.usage.memoryBytes).toBe(b.usage.memoryBytes);
    expect(a.usage.memoryBytes).toBe((1 + 16) * 65536);
    expect(a.usage.cpuMs).toBeGreaterThan(0);
  });

  it('never hands out an instance twice', async () => {
    const [w] = await both('counter');
    const outs: string[] = [];
    for (let i = 0; i < 6; i++) {
      await warmed(warm);
      outs.push((await warm.render(w, {})).output);
    }
    expect(outs).toEqual(['1', '1', '1', '1', '1', '1']);
  });

  it('a call with lower caps of its own gets a cold instance, and the outcome prewarm off gives', async () => {
    const [w, c] = await both('start-work', { ITERATIONS: 100_000 });
    await warmed(warm);
    // Its start function asks for 16 pages and ignores a refusal: under an 8-page cap a cold
    // start goes on without them, which a warm instance that already has them could not show.
    const mem = { memoryBytes: 8 * 65536 };
    const m = await warm.render(w, {}, { limits: mem });
    expect(m.instance).toBe('cold');
    expect(m.usage.memoryBytes).toBe(65536);
    expect(m.usage).toMatchObject({ fuel: (await cold.render(c, {}, { limits: mem })).usage.fuel });
    // The warm instance is still there for a render with the plug-in's own caps.
    expect((await warm.render(w, {})).instance).toBe('warm');
  });

  it('a component whose instantiation fails is not warmed again, and renders report the failure', async () => {
    const [w] = await both('start-loop');
    const err = await rejection<RenderError>(warm.render(w, {}, { limits: { cpuMs: 20 } }));
    expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    const idle = async (ms: number) => {
      const t0 = performance.now();
      while (warm.stats.busy > 0 && performance.now() - t0 < ms) await new Promise((r) => setTimeout(r, 10));
      return warm.stats.busy === 0;
    };
    // The one warm attempt runs into the CPU cap (generous wait: other tests share the CPU).
    expect(await idle(10_000)).toBe(true);
    const again = await rejection<RenderError>(warm.render(w, {}, { limits: { cpuMs: 20 } }));
    expect(again.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(again.usage.fuel === null || again.usage.fuel > 0).toBe(true);
    // No new attempt: the pool goes idle at once and stays idle.
    expect(await idle(300)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(warm.stats.busy).toBe(0);
  });

  it('unloading a plug-in drops its warm instances', async () => {
    const [w] = await both('good');
    await warmed(warm);
    const before = warm.stats.warm;
    warm.unload(w);
    const t0 = performance.now();
    while (warm.stats.warm >= before && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
    expect(warm.stats.warm).toBeLessThan(before);
  });
});
