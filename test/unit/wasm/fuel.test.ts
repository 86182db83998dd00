import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { METER_MODULE } from '../../../src/wasm/index.js';
import { buf, call, createMeter, fuelLeft, instantiateMetered, instrument } from './meter-helpers.js';

const LOOPS = `(module
  (func (export "spin") (loop $l (br $l)))
  (func (export "countdown") (param i32)
    (loop $l
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if $l))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "const") (result i32) (i32.const 1))
  (func (export "hash") (param $n i32) (result i64) (local $i i32) (local $h i64)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (loop $l
      (local.set $h (i64.mul (i64.xor (local.get $h) (i64.extend_i32_u (local.get $i))) (i64.const 0x100000001b3)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $h))
  (func (export "spin_in_try")
    try
      (loop $l (br $l))
    catch_all
    end))`;

async function loops(fuel: bigint, options = {}) {
  const meter = createMeter({ fuel });
  const exports = await instantiateMetered(instrument(await watToWasm(LOOPS), options), meter);
  return { meter, exports };
}

function used(meter: ReturnType<typeof createMeter>, f: () => unknown): bigint {
  const before = fuelLeft(meter);
  f();
  return before - fuelLeft(meter);
}

describe('fuel', () => {
  it('an infinite loop traps with the fuel global below zero', async () => {
    const { meter, exports } = await loops(1_000_000n);
    expect(() => call(exports, 'spin')).toThrow(WebAssembly.RuntimeError);
    expect(() => call(exports, 'spin')).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
    // Fuel below zero: nothing else runs.
    expect(() => call(exports, 'const')).toThrow(/unreachable/);
  });

  it('infinite recursion traps on fuel before the stack runs out', async () => {
    const { meter, exports } = await loops(5_000n);
    expect(() => call(exports, 'rec', 0)).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('an infinite loop inside try (global form) traps on fuel', async () => {
    const { meter, exports } = await loops(100_000n);
    expect(() => call(exports, 'spin_in_try')).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('charges exactly one unit per original instruction by default', async () => {
    const { meter, exports } = await loops(10n ** 12n);
    expect(used(meter, () => call(exports, 'const'))).toBe(2n); // i32.const, end
    // countdown(n): loop, its end and the function's end (3), and 5 instructions per iteration.
    const c1 = used(meter, () => call(exports, 'countdown', 1));
    const c10 = used(meter, () => call(exports, 'countdown', 10));
    const c11 = used(meter, () => call(exports, 'countdown', 11));
    expect(c11 - c10).toBe(5n);
    expect(c1).toBe(3n + 5n);
  });

  it('counts exactly the instructions executed, whatever path control takes', async () => {
    // Branches to a block land on its `end` (counted); a false `if` jumps past `else`;
    // leaving the function by return or br skips its final `end`.
    const wat = `(module
      (func $id (param i32) (result i32) (local.get 0))
      (func (export "br_if") (param i32) (result i32) (block (br_if 0 (local.get 0)) (nop)) (i32.const 1))
      (func (export "if_else") (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
      (func (export "br_table") (param i32) (result i32)
        (block (result i32) (br_table 0 1 (i32.const 7) (local.get 0))) (i32.const 1) (i32.add))
      (func (export "call") (param i32) (result i32) (call $id (local.get 0)))
      (func (export "return") (param i32) (result i32) (if (local.get 0) (then (return (i32.const 1)))) (i32.const 2))
      (func (export "tail") (param i32) (result i32) (return_call $id (local.get 0))))`;
    const meter = createMeter({ fuel: 10n ** 12n });
    const exports = await instantiateMetered(instrument(await watToWasm(wat)), meter);
    const cases: [string, number, bigint][] = [
      ['br_if', 1, 6n], // block local.get br_if end i32.const end
      ['br_if', 0, 7n], // ... plus nop
      ['if_else', 1, 6n], // local.get if i32.const else end end
      ['if_else', 0, 5n], // local.get if i32.const end end
      ['br_table', 0, 8n], // block i32.const local.get br_table end i32.const i32.add end
      ['br_table', 1, 4n], // block i32.const local.get br_table (leaves)
      ['call', 5, 5n], // local.get call end + local.get end
      ['return', 1, 4n], // local.get if i32.const return
      ['return', 0, 5n], // local.get if end i32.const end
      ['tail', 5, 4n], // local.get return_call + local.get end
    ];
    for (const [name, arg, expected] of cases) {
      expect(used(meter, () => call(exports, name, arg)), `${name}(${arg})`).toBe(expected);
    }
  });

  it('tail-call recursion is metered linearly', async () => {
    const wat = `(module (func $count (export "count") (param i64) (result i64)
      (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
        (else (return_call $count (i64.sub (local.get 0) (i64.const 1)))))))`;
    const meter = createMeter({ fuel: 10n ** 12n });
    const exports = await instantiateMetered(instrument(await watToWasm(wat)), meter);
    const f = (n: bigint): bigint => used(meter, () => call(exports, 'count', n));
    const [a, b, c] = [f(1000n), f(2000n), f(3000n)];
    expect(c - b).toBe(b - a);
    expect(b - a).toBe(1000n * 7n); // per step: local.get i64.eqz if, then (else arm) local.get i64.const i64.sub return_call
    meter.fuel.value = 1000n;
    expect(() => call(exports, 'count', 10n ** 9n)).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('is deterministic: same input, same fuel, in one instance and across instances', async () => {
    const runs: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const { meter, exports } = await loops(10n ** 12n);
      runs.push(used(meter, () => call(exports, 'hash', 5000)));
      runs.push(used(meter, () => call(exports, 'hash', 5000)));
    }
    expect(new Set(runs).size).toBe(1);
  });

  it('consumption grows linearly with work', async () => {
    const { meter, exports } = await loops(10n ** 12n);
    const f = (n: number): bigint => used(meter, () => call(exports, 'hash', n));
    const [a, b, c] = [f(1000), f(2000), f(3000)];
    expect(b).toBeGreaterThan(a);
    expect(c - b).toBe(b - a);
  });

  it('a start function with an infinite loop traps on fuel at instantiation', async () => {
    const wasm = instrument(await watToWasm('(module (func $s (loop $l (br $l))) (start $s))'));
    const meter = createMeter({ fuel: 1_000_000n });
    await expect(WebAssembly.instantiate(wasm, { [METER_MODULE]: { ...meter } })).rejects.toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('costOf weights instructions by name', async () => {
    const seen = new Set<string>();
    const costOf = (op: string): number => {
      seen.add(op);
      return op === 'i64.mul' ? 100 : 1;
    };
    const plain = await loops(10n ** 12n);
    const weighted = await loops(10n ** 12n, { costOf });
    const p = used(plain.meter, () => call(plain.exports, 'hash', 100));
    const w = used(weighted.meter, () => call(weighted.exports, 'hash', 100));
    expect(w - p).toBe(99n * 100n);
    expect(seen.has('i64.mul')).toBe(true);
    expect(seen.has('br_if')).toBe(true);
  });

  it('zero-cost instructions cannot make an infinite loop free', async () => {
    const { meter, exports } = await loops(10_000n, { costOf: () => 0 });
    expect(() => call(exports, 'spin')).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
    meter.fuel.value = 10_000n;
    expect(() => call(exports, 'rec', 0)).toThrow(/unreachable/);
  });

  it('one fuel global shared by two modules counts both', async () => {
    const lib = await watToWasm(`(module
      (func (export "work") (param i32) (result i32)
        (loop $l (br_if $l (i32.gt_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
        (local.get 0)))`);
    const app = await watToWasm(`(module
      (import "lib" "work" (func $work (param i32) (result i32)))
      (func (export "run") (param i32) (result i32)
        (i32.add (call $work (local.get 0)) (call $work (local.get 0)))))`);
    const meter = createMeter({ fuel: 10n ** 12n });
    const libExports = await instantiateMetered(instrument(lib), meter);
    const appExports = await instantiateMetered(instrument(app), meter, { lib: { work: libExports.work as WebAssembly.ExportValue } });
    const alone = used(meter, () => call(libExports, 'work', 1000));
    const both = used(meter, () => call(appExports, 'run', 1000));
    expect(both).toBeGreaterThan(2n * alone);
    expect(both).toBeLessThan(2n * alone + 20n);
    // Exhaustion inside the library surfaces as a trap of the caller with fuel < 0.
    meter.fuel.value = 500n;
    expect(() => call(appExports, 'run', 1000)).toThrow(/unreachable/);
    expect(fuelLeft(meter)).toBeLessThan(0n);
  });

  it('host imports that re-enter the module see and update the same fuel', async () => {
    const wat = `(module
      (import "host" "cb" (func $cb (param i32) (result i32)))
      (func $inner (export "inner") (param i32) (result i32)
        (loop $l (br_if $l (i32.gt_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
        (local.get 0))
      (func (export "outer") (param i32) (result i32)
        (i32.add (call $cb (local.get 0)) (call $inner (local.get 0)))))`;
    const meter = createMeter({ fuel: 10n ** 12n });
    let exports: Record<string, unknown> = {};
    exports = await instantiateMetered(instrument(await watToWasm(wat)), meter, {
      host: { cb: (n: number) => call(exports, 'inner', n) },
    });
    const inner = used(meter, () => call(exports, 'inner', 100));
    const outer = used(meter, () => call(exports, 'outer', 100));
    expect(outer).toBeGreaterThan(2n * inner);
    expect(outer).toBeLessThan(2n * inner + 20n);
  });

  it('exceptions unwinding through metered functions keep the count consistent', async () => {
    const wat = `(module
      (tag $e (param i32))
      (func $deep (param i32)
        (loop $l (br_if $l (i32.gt_s (local.tee 0 (i32.sub (local.get 0) (i32.const 1))) (i32.const 0))))
        (throw $e (i32.const 9)))
      (func $middle (param i32) (call $deep (local.get 0)))
      (func (export "catcher") (param i32) (result i32)
        try (result i32)
          (call $middle (local.get 0))
          (i32.const 0)
        catch $e
        end))`;
    const original = await watToWasm(wat);
    if (!WebAssembly.validate(buf(original))) return;
    const meter = createMeter({ fuel: 10n ** 12n });
    const exports = await instantiateMetered(instrument(original), meter);
    const a = used(meter, () => expect(call(exports, 'catcher', 100)).toBe(9));
    const b = used(meter, () => call(exports, 'catcher', 200));
    expect(b - a).toBe(100n * 7n); // the loop in $deep ran 100 more times, 7 instructions each
  });

  it('fuel: false inserts no metering', async () => {
    const { meter, exports } = await loops(7n, { fuel: false });
    call(exports, 'hash', 1000);
    expect(fuelLeft(meter)).toBe(7n);
  });
});
