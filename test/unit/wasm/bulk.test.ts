// Bulk instructions (memory.fill/copy/init, table.fill/copy/init) metered by their length.
import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { buf, call, createMeter, fuelLeft, instantiateMetered, instantiatePlain, instrument } from './meter-helpers.js';

const BULK = { memoryBytesPerFuel: 4, tableElementsPerFuel: 1 };

const WAT = `(module
  (memory (export "mem") 2)
  (table $t 16 funcref)
  (table $u 16 externref)
  (data $d "abcdefghijklmnop")
  (elem $e func $f $f $f $f)
  (func $f)
  (func (export "fill") (param $n i32) (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
  (func (export "copy") (param $n i32) (memory.copy (i32.const 100) (i32.const 0) (local.get $n)))
  (func (export "init") (param $n i32) (memory.init $d (i32.const 200) (i32.const 0) (local.get $n)))
  (func (export "tfill") (param $n i32) (table.fill $u (i32.const 0) (ref.null extern) (local.get $n)))
  (func (export "tcopy") (param $n i32) (table.copy $t $t (i32.const 4) (i32.const 0) (local.get $n)))
  (func (export "tinit") (param $n i32) (table.init $t $e (i32.const 8) (i32.const 0) (local.get $n)))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "loop_fill") (param $n i32) (local $i i32)
    (loop $l
      (memory.fill (i32.const 0) (local.get $i) (local.get $n))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000000))))))`;

async function setup(fuel = 10n ** 12n, bulk: typeof BULK | null = BULK) {
  const original = await watToWasm(WAT);
  const bytes = instrument(original, bulk ? { bulk } : {});
  expect(WebAssembly.validate(buf(bytes))).toBe(true);
  const meter = createMeter({ fuel });
  const exports = await instantiateMetered(bytes, meter);
  const used = (name: string, ...args: unknown[]): bigint => {
    const before = fuelLeft(meter);
    call(exports, name, ...args);
    return before - fuelLeft(meter);
  };
  return { meter, exports, used, original };
}

describe('bulk metering', () => {
  it('charges memory operations one unit per 4 bytes on top of the instruction', async () => {
    const { used } = await setup();
    for (const op of ['fill', 'copy']) {
      const base = used(op, 0);
      expect(used(op, 4096) - base).toBe(1024n);
      expect(used(op, 4099) - base).toBe(1024n);
      expect(used(op, 3) - base).toBe(0n);
    }
    expect(used('init', 16) - used('init', 0)).toBe(4n);
  });

  it('charges table operations one unit per element', async () => {
    const { used } = await setup();
    for (const op of ['tfill', 'tcopy']) expect(used(op, 8) - used(op, 0)).toBe(8n);
    expect(used('tinit', 4) - used('tinit', 0)).toBe(4n);
  });

  it('leaves the default (one per instruction) unchanged when off', async () => {
    const { used } = await setup(10n ** 12n, null);
    expect(used('fill', 60000)).toBe(used('fill', 0));
  });

  it('computes what the original computes', async () => {
    const { exports, original } = await setup();
    const plain = await instantiatePlain(original);
    for (const e of [plain, exports]) {
      call(e, 'fill', 50);
      call(e, 'copy', 20);
      call(e, 'init', 16);
      call(e, 'tcopy', 4);
      call(e, 'tinit', 4);
      call(e, 'tfill', 16);
    }
    for (const at of [0, 49, 50, 100, 119, 120, 200, 215]) expect(call(exports, 'byte', at)).toBe(call(plain, 'byte', at));
    // Out-of-bounds lengths still trap like the original.
    expect(() => call(plain, 'fill', 200_000)).toThrow(WebAssembly.RuntimeError);
    expect(() => call(exports, 'fill', 200_000)).toThrow(WebAssembly.RuntimeError);
  });

  it('traps before doing work it cannot pay for, with fuel left below zero', async () => {
    const { meter, exports } = await setup(10_000n);
    call(exports, 'fill', 0);
    expect(() => call(exports, 'fill', 65536)).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
    // Nothing was written: the fill did not run.
    const fresh = await setup(10_000n);
    expect(() => call(fresh.exports, 'fill', 65536)).toThrow(/unreachable/);
    expect(new Uint8Array((fresh.exports.mem as WebAssembly.Memory).buffer)[0]).toBe(0);
  });

  it('a loop of large fills runs out of fuel in proportion to the bytes', async () => {
    const { meter, exports } = await setup(10n * 65536n);
    // 16 KiB per iteration costs 4096 + a few: about 160 iterations, not a million.
    expect(() => call(exports, 'loop_fill', 16384)).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });
});
