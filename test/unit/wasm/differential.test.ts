import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { corpus } from './corpus.js';
import { WIDGET_METERING } from '../../../src/wasm/index.js';
import { buf, createMeter, fuelLeft, instantiateMetered, instantiatePlain, instrument } from './meter-helpers.js';

// Original and instrumented modules (ample fuel, generous caps) must compute the same
// results, trap the same way and leave the same memory behind.

type Outcome = { value: unknown } | { error: string };

function outcome(f: () => unknown): Outcome {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e instanceof WebAssembly.RuntimeError ? `RuntimeError: ${e.message}` : String(e) };
  }
}

function memoryOf(exports: Record<string, unknown>, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const m = exports[name];
  return m instanceof WebAssembly.Memory ? [...new Uint8Array(m.buffer)] : undefined;
}

const MODES = [
  ['one per instruction', {}],
  ['host weights, bulk metered', WIDGET_METERING],
] as const;

describe('differential: instrumented modules compute what the originals compute', () => {
  for (const entry of corpus.filter((c) => c.runs)) {
    it.each(MODES)(`${entry.name} (%s)`, async (_mode, options) => {
      const original = await watToWasm(entry.wat);
      if (!WebAssembly.validate(buf(original))) return; // proposal missing in this V8: validated elsewhere
      const plain = await instantiatePlain(original, entry.imports?.() ?? {});
      const meter = createMeter();
      const metered = await instantiateMetered(instrument(original, options), meter, entry.imports?.() ?? {});
      for (const [name, args] of entry.runs!) {
        const a = outcome(() => (plain[name] as (...x: unknown[]) => unknown)(...args));
        const before = fuelLeft(meter);
        const b = outcome(() => (metered[name] as (...x: unknown[]) => unknown)(...args));
        expect(b, `${name}(${args.join(', ')})`).toEqual(a);
        expect(fuelLeft(meter), `${name} consumed fuel`).toBeLessThan(before);
      }
      expect(memoryOf(metered, entry.memory)).toEqual(memoryOf(plain, entry.memory));
    });
  }

  it('fuel off: only caps and global renumbering, same results', async () => {
    for (const entry of corpus.filter((c) => c.runs)) {
      const original = await watToWasm(entry.wat);
      if (!WebAssembly.validate(buf(original))) continue;
      const plain = await instantiatePlain(original, entry.imports?.() ?? {});
      const meter = createMeter({ fuel: 5n });
      const metered = await instantiateMetered(instrument(original, { fuel: false }), meter, entry.imports?.() ?? {});
      for (const [name, args] of entry.runs!) {
        const a = outcome(() => (plain[name] as (...x: unknown[]) => unknown)(...args));
        const b = outcome(() => (metered[name] as (...x: unknown[]) => unknown)(...args));
        expect(b, `${entry.name}: ${name}`).toEqual(a);
      }
      expect(fuelLeft(meter)).toBe(5n);
    }
  });

  it('exported mutable globals stay the same objects with the same values', async () => {
    const entry = corpus.find((c) => c.name.startsWith('globals'))!;
    const original = await watToWasm(entry.wat);
    const metered = await instantiateMetered(instrument(original), createMeter(), entry.imports!());
    const plain = await instantiatePlain(original, entry.imports!());
    (plain.f as () => number)();
    (metered.f as () => number)();
    expect((metered.g2 as WebAssembly.Global).value).toBe((plain.g2 as WebAssembly.Global).value);
    expect((metered.copy as WebAssembly.Global).value).toBe(16);
  });
});
