import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { BodyCache, WIDGET_METERING, instrumentModule, type InstrumentOptions } from '../../../src/wasm/index.js';
import { corpus } from './corpus.js';

// The body cache must never change what instrumentation produces: every test compares the
// cached output with an uncached rewrite of the same module, byte for byte.

const BASE = { fuel: true, memoryMaxPages: 64, tableMaxElements: 1000 } as const;
const optionSets: InstrumentOptions[] = [
  BASE,
  { ...BASE, fuel: false },
  { ...BASE, ...WIDGET_METERING },
  { ...BASE, costOf: (op: string) => (op.startsWith('call') ? 10 : 2) },
  { ...BASE, bulk: { memoryBytesPerFuel: 1, tableElementsPerFuel: 2 } },
];

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function expectSame(original: Uint8Array, options: InstrumentOptions, cache: BodyCache, what: string): void {
  const plain = instrumentModule(original, options).bytes;
  const cached = instrumentModule(original, { ...options, cache }).bytes;
  expect(same(cached, plain), what).toBe(true);
}

/** A module of `n` small functions; `k` changes the constant in function `changed`. */
function manyFunctions(n: number, changed = -1, k = 7): string {
  const funcs = Array.from(
    { length: n },
    (_, i) => `(func $f${i} (export "f${i}") (param i32) (result i32)
      (local $acc i32)
      (loop $l
        (local.set $acc (i32.add (local.get $acc) (i32.const ${i === changed ? k : i + 1})))
        (br_if $l (i32.lt_u (local.get $acc) (local.get 0))))
      (local.get $acc))`,
  );
  return `(module (memory 1) ${funcs.join('\n')})`;
}

describe('body cache: instrumentation with reused function bodies', () => {
  it('gives the uncached bytes for every corpus module and option set, with one cache shared by all', async () => {
    // One cache across modules and options: a body that appears in two modules (or under two
    // option sets) must never be served with the wrong context.
    const cache = new BodyCache({ maxBytes: 64 << 20 });
    for (let round = 0; round < 2; round++) {
      for (const entry of corpus) {
        const original = await watToWasm(entry.wat);
        for (const [i, options] of optionSets.entries()) expectSame(original, options, cache, `${entry.name}, options #${i}, round ${round}`);
      }
    }
    expect(cache.stats.hits).toBeGreaterThan(0);
    expect(cache.stats.misses).toBeGreaterThan(0);
  });

  it('re-instruments only the function whose body changed', async () => {
    const cache = new BodyCache({ maxBytes: 64 << 20 });
    const a = await watToWasm(manyFunctions(50));
    const b = await watToWasm(manyFunctions(50, 17, 123456));
    expect(same(a, b)).toBe(false);
    instrumentModule(a, { ...BASE, cache });
    expect(cache.stats).toMatchObject({ hits: 0, misses: 50 });
    const out = instrumentModule(b, { ...BASE, cache }).bytes;
    expect(cache.stats).toMatchObject({ hits: 49, misses: 51, replayMismatches: 0 });
    expect(same(out, instrumentModule(b, BASE).bytes)).toBe(true);
    // The changed function really is different code: the old body would be wrong.
    expect(same(out, instrumentModule(a, BASE).bytes)).toBe(false);
  });

  it('rewrites a cached body again when the wrapper it calls has moved', async () => {
    // The same body (memory.grow, so it calls the grow wrapper) in a module with one more
    // function: the wrapper's index moves, the cached body would call the wrong function.
    const f = `(func $grow (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))`;
    const a = await watToWasm(`(module (memory 1 10) ${f})`);
    const b = await watToWasm(`(module (memory 1 10) ${f} (func $other (export "other") (result i32) (i32.const 1)))`);
    for (const options of [BASE, { ...BASE, fuel: false }]) {
      const cache = new BodyCache({ maxBytes: 1 << 20 });
      expectSame(a, options, cache, 'first module');
      expectSame(b, options, cache, 'second module');
      expect(cache.stats.replayMismatches).toBe(1);
      expectSame(b, options, cache, 'second module again');
    }
  });

  it('replays metered bulk instructions and table.grow in their original order', async () => {
    const wat = `(module (memory 1 4) (table 1 8 funcref)
      (func $a (export "a") (param i32)
        (memory.fill (i32.const 0) (i32.const 1) (local.get 0))
        (drop (table.grow (ref.null func) (i32.const 1)))
        (memory.copy (i32.const 8) (i32.const 0) (local.get 0)))
      (func $b (export "b") (param i32)
        (memory.copy (i32.const 8) (i32.const 0) (local.get 0))
        (drop (memory.grow (i32.const 1)))))`;
    const original = await watToWasm(wat);
    const swapped = await watToWasm(wat.replace('(func $a', '(func $c').replace('(func $b', '(func $a').replace('(func $c', '(func $b'));
    const options = { ...BASE, bulk: { memoryBytesPerFuel: 4, tableElementsPerFuel: 1 } };
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expectSame(original, options, cache, 'original');
    expectSame(original, options, cache, 'original, every body cached');
    // Same bodies, other order: the wrappers are created in another order, so indices differ.
    expectSame(swapped, options, cache, 'functions swapped');
  });

  it('keys on whether the host calls the function directly', async () => {
    // A leaf without loops checks fuel on entry only when it is exported.
    const body = '(param i32) (result i32) (i32.add (local.get 0) (i32.const 1))';
    const exported = await watToWasm(`(module (func (export "f") ${body}))`);
    const internal = await watToWasm(`(module (func ${body}) (func (export "g") (result i32) (call 0 (i32.const 1))))`);
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expectSame(exported, BASE, cache, 'exported');
    expectSame(internal, BASE, cache, 'internal');
    expectSame(exported, BASE, cache, 'exported again');
  });

  it('keys on the parameter count (the added fuel local comes after the parameters)', async () => {
    // Identical body bytes (parameters live in the type): the fuel local's index differs.
    const body = '(result i32) (loop $l (br_if $l (i32.eqz (local.get 0)))) (local.get 0)';
    const one = await watToWasm(`(module (func (export "f") (param i32) ${body}))`);
    const two = await watToWasm(`(module (func (export "f") (param i32 i32) ${body}))`);
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expectSame(one, BASE, cache, 'one parameter');
    expectSame(two, BASE, cache, 'two parameters');
  });

  it('keys on the number of imported globals (the fuel global and shifted globals move)', async () => {
    const f = '(func (export "f") (result i32) (global.get $g))';
    const a = await watToWasm(`(module (global $g i32 (i32.const 5)) ${f})`);
    const b = await watToWasm(`(module (import "env" "x" (global $x i32)) (global $g i32 (i32.const 5)) ${f})`);
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expectSame(a, BASE, cache, 'no imported global');
    expectSame(b, BASE, cache, 'one imported global');
  });

  it('a cost function is identified by the function object', async () => {
    const original = await watToWasm(manyFunctions(5));
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expectSame(original, { ...BASE, costOf: () => 1 }, cache, 'costs 1');
    expectSame(original, { ...BASE, costOf: () => 3 }, cache, 'costs 3 (another function)');
    expect(cache.stats.hits).toBe(0);
  });

  it('stays within its memory bound, evicting the least recently used bodies', async () => {
    const original = await watToWasm(manyFunctions(200));
    const cache = new BodyCache({ maxBytes: 8 * 1024 });
    expectSame(original, BASE, cache, 'first');
    expect(cache.stats.bytes).toBeLessThanOrEqual(8 * 1024);
    expect(cache.stats.entries).toBeGreaterThan(0);
    expect(cache.stats.entries).toBeLessThan(200);
    expectSame(original, BASE, cache, 'second');
    expect(cache.stats.bytes).toBeLessThanOrEqual(8 * 1024);
    const off = new BodyCache({ maxBytes: 0 });
    expectSame(original, BASE, off, 'zero bytes');
    expect(off.stats.entries).toBe(0);
  });

  it('a body whose rewrite fails is not cached, and fails the same way again', async () => {
    // memory.grow on a memory the module does not declare: the rewriter refuses it.
    const bad = await watToWasm(`(module (func (export "f") (result i32) (memory.grow (i32.const 1))))`);
    const cache = new BodyCache({ maxBytes: 1 << 20 });
    expect(() => instrumentModule(bad, BASE)).toThrow(/memory\.grow on memory 0, which does not exist/);
    expect(() => instrumentModule(bad, { ...BASE, cache })).toThrow(/memory\.grow on memory 0, which does not exist/);
    expect(cache.stats.entries).toBe(0);
    // Cached from a module where it is valid, the same body is still refused where it is not.
    const good = await watToWasm(`(module (memory 1) (func (export "f") (result i32) (memory.grow (i32.const 1))))`);
    instrumentModule(good, { ...BASE, cache });
    expect(cache.stats.entries).toBe(1);
    expect(() => instrumentModule(bad, { ...BASE, cache })).toThrow(/memory\.grow on memory 0, which does not exist/);
  });

  it('refuses an options.cache that is not a BodyCache', async () => {
    const original = await watToWasm(manyFunctions(1));
    expect(() => instrumentModule(original, { ...BASE, cache: {} as BodyCache })).toThrow(/options\.cache must be a BodyCache/);
    expect(() => new BodyCache({ maxBytes: -1 })).toThrow(RangeError);
  });
});
