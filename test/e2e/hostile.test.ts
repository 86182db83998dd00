// Every hostile fixture is contained with its stable code, and the host still renders a good
// plug-in right after. Fixtures are WAT in test/fixtures/wat, built at test time.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin, PluginHost, RenderError } from '../../src/index.js';
import { watToComponent } from '../support/build.js';
import { fixtureComponent, fixtureWat } from '../support/fixtures.js';
import { rejection, testHost } from '../support/host.js';
import { inHostProcess } from '../support/host-process.js';
import { fuelForCpuMs } from '../../src/sandbox/calibration.js';

let host: PluginHost;
let good: Plugin;

beforeAll(async () => {
  host = testHost();
  good = await host.load(await fixtureComponent('good'), { id: 'test/good' });
});
afterAll(() => host.close());

async function stillServes(): Promise<void> {
  const r = await host.render(good, { props: {} });
  expect(r.output).toBe('<p class="ok">hello</p>');
}

/** A fixture component written to a file of its own, for host processes. */
async function fixtureFile(name: string, vars: Record<string, number> = {}): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'sph-fixture-')), `${name}.wasm`);
  writeFileSync(file, await fixtureComponent(name, vars));
  return file;
}

async function loadFixture(name: string, vars: Record<string, number> = {}) {
  return host.load(await fixtureComponent(name, vars), { id: `test/${name}` });
}

async function renderFails(name: string, vars: Record<string, number> = {}, opts = {}): Promise<RenderError> {
  const plugin = await loadFixture(name, vars);
  return rejection<RenderError>(host.render(plugin, { props: {} }, opts));
}

describe('a good plug-in', () => {
  it('renders with a usage record and its log line', async () => {
    const r = await host.render(good, { props: {} }, { tenant: 't1' });
    expect(r.output).toBe('<p class="ok">hello</p>');
    expect(r.usage.fuel).toBeGreaterThan(0);
    expect(r.usage.memoryBytes).toBe(65536);
    expect(r.usage.wallMs).toBeGreaterThan(0);
    expect(r.usage.cpuMs).toBeGreaterThanOrEqual(0);
    expect(r.logs).toEqual([{ level: 'info', message: 'rendering' }]);
    expect(r.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gets a fresh instance for every invocation', async () => {
    const counter = await loadFixture('counter');
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push((await host.render(counter, {})).output);
    expect(outs).toEqual(['1', '1', '1']);
  });

  it('reports the same fuel for the same component and input', async () => {
    const work = await loadFixture('fuel-work', { ITERATIONS: 50_000 });
    const a = await host.render(work, { props: { x: 1 } });
    const b = await host.render(work, { props: { x: 1 } });
    expect(a.usage.fuel).toBe(b.usage.fuel);
    const echo = await loadFixture('echo');
    const input = JSON.stringify({ props: { text: 'x'.repeat(1000) } });
    const e1 = await host.render(echo, input);
    const e2 = await host.render(echo, input);
    expect(e1.output).toBe(input);
    expect(e1.usage.fuel).toBe(e2.usage.fuel);
    const longer = await host.render(echo, JSON.stringify({ props: { text: 'x'.repeat(2000) } }));
    expect(longer.usage.fuel!).toBeGreaterThan(e1.usage.fuel!);
  });
});

describe('CPU', () => {
  it('an infinite loop is stopped under 550 cpu-ms', async () => {
    // A bare `loop br` is sparse in fuel: the CPU-time backstop may get there first.
    const err = await renderFails('infinite-loop');
    expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(['fuel', 'cpu-time']).toContain(err.details.by);
    expect(err.usage.cpuMs).toBeLessThanOrEqual(550);
    await stillServes();
  });

  it('fuel stops a dense loop long before the CPU cap, deterministically', async () => {
    const dense = await loadFixture('fuel-dense');
    for (let i = 0; i < 2; i++) {
      const err = await rejection<RenderError>(host.render(dense, {}, { limits: { cpuMs: 50 } }));
      expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
      expect(err.details.by).toBe('fuel');
      expect(err.usage.fuel).toBe(Number(fuelForCpuMs(50)));
    }
    await stillServes();
  });

  it('an infinite loop in a start function is metered too', async () => {
    const err = await renderFails('start-loop', {}, { limits: { cpuMs: 20 } });
    expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    await stillServes();
  });

  it('work that fuel undercounts is stopped by the CPU-time backstop', async () => {
    const err = await renderFails('cache-miss', {}, { limits: { cpuMs: 200, wallMs: 1500 } });
    expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(err.details.by).toBe('cpu-time');
    expect(err.usage.cpuMs).toBeGreaterThanOrEqual(200);
    expect(err.usage.cpuMs).toBeLessThan(400);
    await stillServes();
  });

  it('bulk memory is metered by length', async () => {
    const err = await renderFails('fill-loop', { BYTES: 64 << 20 }, { limits: { cpuMs: 200, wallMs: 1500 } });
    expect(err.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    await stillServes();
  });
});

describe('a stopped worker really stops', () => {
  // V8 only notices worker.terminate() at stack checks, and a loop around memory.grow or
  // memory.fill may reach none for a long time: such a worker kept a core busy for 30 s
  // (Node 20) or for good (Node 26) after the host had reported the timeout. Measured in a
  // host process of its own: the CPU time, in the 600 ms after the stop, of the threads that
  // existed before the render (the replacement worker is a new thread and does not count).
  it.each([
    ['grow-loop', {}],
    ['fill-loop', { BYTES: 4 << 20 }],
    ['fill-loop', { BYTES: 64 << 20 }],
  ])('%s %o', async (name, vars) => {
    const file = await fixtureFile(name, vars);
    const r = await inHostProcess<{ code: string; cpuMs: number }>(`
      import { readFileSync, readdirSync } from 'node:fs';
      const ticks = (tid) => {
        try {
          const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(f[11]) + Number(f[12]); // utime + stime, in 10 ms ticks
        } catch { return null; } // the thread is gone
      };
      const host = createHost({ mode: 'development', workers: 1, cacheDir: false, logger: pino({ level: 'silent' }) });
      const p = await host.load(${JSON.stringify(file)});
      await host.render(p, {}, { limits: { wallMs: 20 } }).catch(() => 0); // the worker is up
      const threads = readdirSync('/proc/self/task');
      let code = 'ok';
      try { await host.render(p, {}, { limits: { wallMs: 1500, cpuMs: 30_000 } }); } catch (e) { code = e.code; } // fuel to spare: the wall cap stops it
      await new Promise((r) => setTimeout(r, 100));
      const a = threads.map(ticks);
      await new Promise((r) => setTimeout(r, 600));
      const b = threads.map(ticks);
      const cpuMs = 10 * threads.reduce((sum, _t, i) => sum + (a[i] !== null && b[i] !== null ? b[i] - a[i] : 0), 0);
      await host.close();
      console.log(JSON.stringify({ code, cpuMs }));`);
    expect(r.code).toBe('SPH_ERR_WALL_TIMEOUT');
    expect(r.cpuMs).toBeLessThan(200); // a worker that keeps spinning uses about 600
  });
});

describe('wall clock', () => {
  it('terminates and replaces the worker at the deadline', async () => {
    const err = await renderFails('fill-loop', { BYTES: 64 << 20 }, { limits: { wallMs: 150 } });
    expect(err.code).toBe('SPH_ERR_WALL_TIMEOUT');
    expect(err.usage.wallMs).toBeGreaterThanOrEqual(150);
    expect(err.usage.wallMs).toBeLessThan(150 + 200); // generous: timing belongs in bench/
    await stillServes();
  });

  it('holds while the host main thread is busy (supervision runs on its own thread)', async () => {
    const spin = await loadFixture('fill-loop', { BYTES: 64 << 20 });
    const pending = rejection<RenderError>(host.render(spin, {}, { limits: { wallMs: 300, cpuMs: 5000 } }));
    await new Promise((r) => setTimeout(r, 20));
    const end = performance.now() + 900;
    while (performance.now() < end) {
      // block the main thread well past the deadline
    }
    const err = await pending;
    expect(err.code).toBe('SPH_ERR_WALL_TIMEOUT');
    expect(err.usage.wallMs).toBeLessThan(300 + 200);
    await stillServes();
  });
});

describe('memory', () => {
  it('a plug-in using 200 MB runs', async () => {
    const p = await loadFixture('alloc', { PAGES: 3200 });
    const r = await host.render(p, {});
    expect(r.output).toBe('<p>allocated</p>');
    expect(r.usage.memoryBytes).toBe((3200 + 1) * 65536);
  });

  it('one needing 300 MB gets SPH_ERR_MEMORY_LIMIT', async () => {
    const err = await renderFails('alloc', { PAGES: 4800 });
    expect(err.code).toBe('SPH_ERR_MEMORY_LIMIT');
    expect(err.details.by).toBe('memory.grow');
    await stillServes();
  });

  it('a memory bomb is capped, and the host process peaks under 600 MB RSS', async () => {
    // Measured in a host process of its own, so the test runner's own memory does not count:
    // peak RSS from the kernel over the whole load + render.
    const file = await fixtureFile('memory-bomb');
    const r = await inHostProcess<{ code: string; memoryBytes: number; maxRssBytes: number }>(`
      const host = createHost({ mode: 'development', cacheDir: false, logger: pino({ level: 'silent' }) });
      const p = await host.load(${JSON.stringify(file)});
      let code = 'ok', memoryBytes = 0;
      try { await host.render(p, {}); } catch (e) { code = e.code; memoryBytes = e.usage.memoryBytes; }
      await host.close();
      console.log(JSON.stringify({ code, memoryBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));`);
    expect(r.code).toBe('SPH_ERR_MEMORY_LIMIT');
    expect(r.memoryBytes).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect(r.maxRssBytes).toBeLessThan(600 * 1024 * 1024);
    await stillServes();
  });

  it('an initial memory over the cap is refused at load', async () => {
    const err = await rejection(loadFixture('oversize-initial'));
    expect(err.code).toBe('SPH_ERR_MEMORY_LIMIT');
    expect(err.message).toMatch(/initial memory/);
    await stillServes();
  });

  it('a lower per-call memory cap applies', async () => {
    const p = await loadFixture('alloc', { PAGES: 100 });
    const err = await rejection<RenderError>(host.render(p, {}, { limits: { memoryBytes: 4 * 1024 * 1024 } }));
    expect(err.code).toBe('SPH_ERR_MEMORY_LIMIT');
  });

  it('table growth is capped', async () => {
    const err = await renderFails('table-growth');
    expect(err.code).toBe('SPH_ERR_MEMORY_LIMIT');
    expect(err.details.by).toBe('table.grow');
    await stillServes();
  });
});

describe('traps and errors', () => {
  it('deep recursion is a trap', async () => {
    const err = await renderFails('deep-recursion');
    expect(err.code).toBe('SPH_ERR_PLUGIN_TRAP');
    await stillServes();
  });

  it('unreachable is a trap', async () => {
    const err = await renderFails('trap');
    expect(err.code).toBe('SPH_ERR_PLUGIN_TRAP');
    expect(err.message).toMatch(/unreachable/);
    await stillServes();
  });

  it('an err result is SPH_ERR_PLUGIN_ERROR with the guest message', async () => {
    const err = await renderFails('err-result');
    expect(err.code).toBe('SPH_ERR_PLUGIN_ERROR');
    expect(err.message).toBe('props.value is missing');
    await stillServes();
  });

  it('2 MiB of output is over the cap', async () => {
    const err = await renderFails('big-output');
    expect(err.code).toBe('SPH_ERR_OUTPUT_LIMIT');
    await stillServes();
  });

  it('a log flood is bounded', async () => {
    const p = await loadFixture('log-flood');
    const r = await host.render(p, {});
    expect(r.output).toBe('<p>flooded</p>');
    expect(r.logs).toHaveLength(100);
  });
});

describe('refused at load', () => {
  it('imports outside the allowlist are named', async () => {
    const bytes = await watToComponent(await fixtureWat('hostile-imports'), {
      witSource: readFileSync(new URL('../fixtures/wat/hostile-imports.wit', import.meta.url), 'utf8'),
      world: 'hostile',
    });
    const err = await rejection(host.load(bytes, { id: 'acme/spy' }));
    expect(err.code).toBe('SPH_ERR_IMPORT_DENIED');
    expect(err.message).toContain('acme/spy imports');
    expect(err.message).toContain('summit:widget/spy');
    expect(err.message).toContain('wasi:sockets/instance-network');
    expect(err.message).toContain('remove these imports');
    await stillServes();
  });

  it('a component of another world is not a widget', async () => {
    const bytes = await watToComponent(await fixtureWat('not-a-widget'), {
      witSource: readFileSync(new URL('../fixtures/wat/not-a-widget.wit', import.meta.url), 'utf8'),
      world: 'greeter',
    });
    const err = await rejection(host.load(bytes));
    expect(err.code).toBe('SPH_ERR_INVALID_COMPONENT');
    expect(err.message).toMatch(/not a summit:widget component/);
  });

  it.each([
    ['empty', () => new Uint8Array(0)],
    ['garbage', () => new TextEncoder().encode('definitely not wasm')],
    ['core module', () => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])],
  ])('%s bytes are an invalid component', async (_name, bytes) => {
    const err = await rejection(host.load(bytes()));
    expect(err.code).toBe('SPH_ERR_INVALID_COMPONENT');
    expect(err.message).not.toContain('\n');
  });

  it('truncated bytes are an invalid component', async () => {
    const whole = await fixtureComponent('good');
    for (const len of [9, 100, whole.length - 1]) {
      const err = await rejection(host.load(whole.slice(0, len)));
      expect(err.code).toBe('SPH_ERR_INVALID_COMPONENT');
      expect(err.message).not.toContain('\n');
    }
    await stillServes();
  });

  it('a digest mismatch is refused', async () => {
    const err = await rejection(host.load(await fixtureComponent('good'), { digest: '0'.repeat(64) }));
    expect(err.code).toBe('SPH_ERR_INVALID_COMPONENT');
    expect(err.message).toMatch(/digest mismatch/);
  });
});

describe('isolation', () => {
  it('a plug-in spinning on one worker does not stop renders on the other', async () => {
    const spin = await loadFixture('fill-loop', { BYTES: 64 << 20 });
    const hostile = rejection<RenderError>(host.render(spin, {}, { limits: { wallMs: 1000, cpuMs: 500 } }));
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await stillServes();
    const goodMs = performance.now() - t0;
    const err = await hostile;
    expect(err.code).toMatch(/SPH_ERR_(FUEL_EXHAUSTED|WALL_TIMEOUT)/);
    expect(goodMs).toBeLessThan(err.usage.wallMs); // the good renders finished while it spun
  });
});
