import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { WIDGET_METERING } from '../../../src/wasm/index.js';
import { buf, call, createMeter, fuelLeft, instantiateMetered, instantiatePlain, instrument } from './meter-helpers.js';
import { RandomWat } from './random-wat.js';

// Property test: for many seeded random modules, the instrumented module validates and
// computes exactly what the original computes (return value or trap, and memory), and its
// fuel use is the same on two fresh instances. Odd seeds use the host's options (weighted
// costs, bulk instructions metered by length), even seeds the default one-per-instruction.
const optionsFor = (seed: number) => (seed % 2 === 1 ? WIDGET_METERING : {});

const MODULES = 240;

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: String(e) };
  }
}

describe('random modules', () => {
  it(`${MODULES} generated modules validate and behave identically`, async () => {
    let checked = 0;
    for (let seed = 1; seed <= MODULES; seed++) {
      const wat = new RandomWat(seed).module();
      const original = await watToWasm(wat);
      expect(WebAssembly.validate(buf(original)), `seed ${seed}: generator produced an invalid module`).toBe(true);
      const instrumented = instrument(original, optionsFor(seed));
      expect(WebAssembly.validate(instrumented), `seed ${seed}`).toBe(true);
      for (const input of [0, 1, 12345, -7]) {
        const plain = await instantiatePlain(original);
        const meterA = createMeter();
        const a = await instantiateMetered(instrumented, meterA);
        const meterB = createMeter();
        const b = await instantiateMetered(instrumented, meterB);
        const expected = outcome(() => call(plain, 'main', input));
        expect(outcome(() => call(a, 'main', input)), `seed ${seed} input ${input}`).toEqual(expected);
        expect(outcome(() => call(b, 'main', input))).toEqual(expected);
        expect(fuelLeft(meterA), `seed ${seed}: deterministic fuel`).toBe(fuelLeft(meterB));
        expect(fuelLeft(meterA)).toBeLessThan(10n ** 15n);
        const mem = (e: Record<string, unknown>): Uint8Array => new Uint8Array((e.mem as WebAssembly.Memory).buffer);
        expect(Buffer.from(mem(a)).equals(Buffer.from(mem(plain))), `seed ${seed}: memory`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(MODULES * 4);
  }, 120_000);

  it('small fuel budgets trap cleanly, leaving fuel below zero', async () => {
    for (let seed = 1000; seed < 1040; seed++) {
      const original = await watToWasm(new RandomWat(seed).module());
      const instrumented = instrument(original, optionsFor(seed));
      const full = createMeter();
      const e = await instantiateMetered(instrumented, full);
      const r = outcome(() => call(e, 'main', 3));
      const needed = 10n ** 15n - fuelLeft(full);
      if ('error' in (r as object)) continue;
      // With one unit less than that, it must run out of fuel.
      const short = createMeter({ fuel: needed - 1n });
      const s = await instantiateMetered(instrumented, short);
      // Leaf functions without their own check may finish slightly below zero; anything else traps.
      const o = outcome(() => call(s, 'main', 3));
      expect(fuelLeft(short)).toBeLessThan(0n);
      if ('error' in (o as object)) expect(String((o as { error: string }).error)).toMatch(/unreachable/);
    }
  });
});
