import { transpileBytes as transpile } from '@bytecodealliance/jco-transpile';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot, jsToComponent } from '../../support/build.js';
import { BodyCache, METER_MODULE, WIDGET_METERING, describeModule, instrumentModule } from '../../../src/wasm/index.js';
import { buf, createMeter, fuelLeft, type Meter } from './meter-helpers.js';
import { naiveMetering } from './naive-metering.js';

// The real thing: a componentize-js widget, whose main core module is the ~12 MB
// SpiderMonkey engine. Instrumented and uninstrumented components must render the same.

const WIDGET = resolve(import.meta.dirname, '../../fixtures/js/meter-widget.ts');

type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
  imports: Record<string, unknown>,
  instantiateCore?: (m: WebAssembly.Module, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
) => Promise<{ render(input: string): string }>;

let files: Record<string, Uint8Array> = {};
let instantiate: Instantiate;
const plain = new Map<string, WebAssembly.Module>();
const metered = new Map<string, WebAssembly.Module>();
let instrumentMs = 0;

const HOST = { 'summit:widget/host': { log() {} } };
const OPTIONS = { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1_000_000 };

beforeAll(async () => {
  const component = await jsToComponent(WIDGET, { disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'] });
  const out = await transpile(component, { name: 'w', instantiation: 'async', quiet: true } as never);
  expect(out.imports).toEqual(['summit:widget/host']);
  files = out.files as Record<string, Uint8Array>;
  const dir = join(cacheRoot, 'wasm-rewriter-test');
  await mkdir(dir, { recursive: true });
  const js = join(dir, `w-${createHash('sha256').update(files['w.js']!).digest('hex').slice(0, 16)}.mjs`);
  await writeFile(js, files['w.js']!);
  ({ instantiate } = (await import(pathToFileURL(js).href)) as { instantiate: Instantiate });
  for (const [name, bytes] of Object.entries(files)) {
    if (!name.endsWith('.wasm')) continue;
    plain.set(name, await WebAssembly.compile(buf(bytes)));
    const t = performance.now();
    const { bytes: rewritten } = instrumentModule(bytes, OPTIONS);
    if (name === 'w.core.wasm') instrumentMs = performance.now() - t;
    metered.set(name, await WebAssembly.compile(rewritten));
  }
}, 180_000);

async function metered_instance(meter: Meter) {
  return instantiate((n) => metered.get(n)!, HOST, (m, imports) =>
    WebAssembly.instantiate(m, { ...(imports ?? {}), [METER_MODULE]: { ...meter } }),
  );
}

const input = (props: object): string => JSON.stringify({ props, context: { tenant: 't' } });

describe('SpiderMonkey widget (componentize-js)', () => {
  it('its main core module is the large engine, and instrumenting it is fast', () => {
    const main = files['w.core.wasm']!;
    expect(main.length).toBeGreaterThan(8_000_000);
    console.log(`instrumenting w.core.wasm (${(main.length / 1e6).toFixed(1)} MB): ${instrumentMs.toFixed(0)} ms`);
    expect(instrumentMs).toBeLessThan(5000);
    // Timed again, warm.
    const t = performance.now();
    const { bytes, info } = instrumentModule(main, OPTIONS);
    const warm = performance.now() - t;
    console.log(`warm: ${warm.toFixed(0)} ms, output ${(bytes.length / 1e6).toFixed(1)} MB`);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(info.memories[0]!.imported).toBe(false);
    expect(describeModule(bytes).memories[0]!.maximumPages).toBe(4096);
  });

  it('every core module validates after instrumentation', () => {
    for (const [name, bytes] of Object.entries(files)) {
      if (!name.endsWith('.wasm')) continue;
      expect(WebAssembly.validate(instrumentModule(bytes, OPTIONS).bytes), name).toBe(true);
      expect(WebAssembly.validate(instrumentModule(bytes, { ...OPTIONS, fuel: false }).bytes), name).toBe(true);
    }
  });

  it('with a body cache, re-instrumenting the engine reuses every body and gives the same bytes', () => {
    const main = files['w.core.wasm']!;
    const options = { ...OPTIONS, ...WIDGET_METERING };
    const plainBytes = instrumentModule(main, options).bytes;
    const cache = new BodyCache({ maxBytes: 64 << 20 });
    const cold = instrumentModule(main, { ...options, cache }).bytes;
    // Identical bodies inside the engine already hit on the first pass.
    const { hits: coldHits, misses } = cache.stats;
    const functions = coldHits + misses;
    expect(functions).toBeGreaterThan(10_000);
    const t = performance.now();
    const warm = instrumentModule(main, { ...options, cache }).bytes;
    console.log(`engine re-instrumented from the body cache: ${(performance.now() - t).toFixed(0)} ms, ${(cache.stats.bytes / 2 ** 20).toFixed(1)} MiB cached`);
    expect(cache.stats).toMatchObject({ hits: coldHits + functions, misses, replayMismatches: 0 });
    expect(Buffer.compare(Buffer.from(cold), Buffer.from(plainBytes))).toBe(0);
    expect(Buffer.compare(Buffer.from(warm), Buffer.from(plainBytes))).toBe(0);
  });

  it('renders the same output instrumented and not, with deterministic fuel', async () => {
    const original = await instantiate((n) => plain.get(n)!, HOST);
    const inputs = [
      input({ title: 'Hello <world>', n: 1000, items: ['a', 'b & c', '"quoted"'] }),
      input({ title: 'Empty' }),
      input({ n: 50_000, items: Array.from({ length: 200 }, (_, i) => `item ${i}`) }),
    ];
    const meterA = createMeter();
    const meterB = createMeter();
    const a = await metered_instance(meterA);
    const b = await metered_instance(meterB);
    for (const i of inputs) {
      const expected = original.render(i);
      expect(a.render(i)).toBe(expected);
      expect(b.render(i)).toBe(expected);
      expect(fuelLeft(meterA)).toBe(fuelLeft(meterB));
    }
    expect(fuelLeft(meterA)).toBeLessThan(10n ** 15n);
    console.log(`fuel for the three renders: ${10n ** 15n - fuelLeft(meterA)}`);

    // Rough run-time overhead, alternating plain and metered renders (informational only).
    const heavy = inputs[2]!;
    for (let i = 0; i < 5; i++) {
      original.render(heavy); // let V8 tier both up before timing
      a.render(heavy);
    }
    const ratios: number[] = [];
    for (let round = 0; round < 15; round++) {
      let t = performance.now();
      original.render(heavy);
      const tp = performance.now() - t;
      t = performance.now();
      a.render(heavy);
      ratios.push((performance.now() - t) / tp);
    }
    ratios.sort((x, y) => x - y);
    console.log(`metered/plain render time, median of 15 rounds: ${ratios[7]!.toFixed(2)}x`);
  });

  it('charges exactly what per-instruction metering charges', async () => {
    // The naive reference (a charge before every instruction) is slow but obviously right.
    const naive = new Map<string, WebAssembly.Module>();
    for (const [name, bytes] of Object.entries(files)) {
      if (!name.endsWith('.wasm')) continue;
      const info = describeModule(bytes);
      const count = (kind: string): number => info.imports.filter((i) => i.kind === kind).length;
      const noFuel = instrumentModule(bytes, { ...OPTIONS, fuel: false }).bytes;
      naive.set(name, await WebAssembly.compile(naiveMetering(noFuel, count('global'), info.functionCount - count('func'))));
    }
    const meterN = createMeter();
    const reference = await instantiate((n) => naive.get(n)!, HOST, (m, imports) =>
      WebAssembly.instantiate(m, { ...(imports ?? {}), [METER_MODULE]: { ...meterN } }),
    );
    const meterO = createMeter();
    const ours = await metered_instance(meterO);
    for (const i of [input({ title: 'a', n: 500, items: ['x', 'y'] }), input({ n: 20_000 })]) {
      expect(ours.render(i)).toBe(reference.render(i));
      expect(fuelLeft(meterO)).toBe(fuelLeft(meterN));
    }
  });

  it('more work costs more fuel', async () => {
    const meter = createMeter();
    const w = await metered_instance(meter);
    w.render(input({ n: 10 })); // warm-up: first-call initialisation inside the engine
    const cost = (n: number): bigint => {
      const before = fuelLeft(meter);
      w.render(input({ n }));
      return before - fuelLeft(meter);
    };
    const small = cost(1000);
    const big = cost(100_000);
    expect(big).toBeGreaterThan(small * 10n);
  });

  it('running out of fuel traps with the fuel global below zero', async () => {
    const meter = createMeter({ fuel: 10n ** 15n });
    const w = await metered_instance(meter);
    meter.fuel.value = 2_000_000n;
    expect(() => w.render(input({ n: 100_000_000 }))).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('a refused memory.grow is recorded in limit_hit', async () => {
    const meter = createMeter({ pages: 10 });
    const w = await metered_instance(meter);
    const huge = input({ items: Array.from({ length: 20_000 }, (_, i) => `${i}`.repeat(50)) });
    expect(() => w.render(huge)).toThrow();
    expect(meter.limit_hit.value).toBe(1);
  });
});
