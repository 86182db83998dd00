// The in-process Wizer against the real Wizer binary (the one componentize-js runs), on small
// modules that exercise every rule of the rewrite: the outputs must be byte for byte equal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWizerArgs, resetInProcessWizer, wizenInProcess } from '../../../src/build/wizer-in-process.js';
import { planWizer } from '../../../src/wasm/wizer-rewrite.js';
import { MAX_DATA_SEGMENTS, nonZeroRuns, removeExcessSegments, snapshotSegments } from '../../../src/wasm/wizer-segments.js';
import { watToWasm } from '../../support/build.js';

// @ts-expect-error the package ships no types: its default export is the binary's path
const wizerBin = (await import('@bytecodealliance/wizer')).default as string;
const dir = mkdtempSync(join(tmpdir(), 'sph-wizer-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function both(wat: string, initFunc = 'init'): Promise<{ wizer: Uint8Array; mine: Uint8Array | string; stderr: string }> {
  const input = join(dir, `in-${++n}.wasm`);
  writeFileSync(input, await watToWasm(wat));
  const args = ['--allow-wasi', '--init-func', initFunc, `--dir=${dir}`, '--wasm-bulk-memory=true', '--inherit-env=true'];
  const r = spawnSync(wizerBin, [...args, `-o=${input}.wizer`, input], { encoding: 'utf-8', input: 'stdin text', env: { A: '1' } });
  const inv = parseWizerArgs([...args, `-o=${input}.mine`, input]);
  if (typeof inv === 'string') throw new Error(inv);
  resetInProcessWizer();
  const mine = wizenInProcess(inv, { env: { A: '1' }, stdin: 'stdin text', stdout: 'capture' });
  return { wizer: r.status === 0 ? new Uint8Array(readFileSync(`${input}.wizer`)) : new Uint8Array(0), mine: typeof mine === 'string' ? mine : new Uint8Array(readFileSync(`${input}.mine`)), stderr: r.stderr };
}

const PROBE = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "other" "thing" (func $other))
  (memory (export "mem") 1 10)
  (global $g0 i32 (i32.const 7))
  (global $g1 (mut i32) (i32.const 1))
  (global $g2 (mut i64) (i64.const 2))
  (global $g3 (mut f32) (f32.const 3))
  (global $g4 (mut f64) (f64.const 4))
  (global $g6 (mut i64) (i64.const 0))
  (data (i32.const 16) "abc")
  (data $p "passive!")
  (func $start (global.set $g1 (i32.const -100)))
  (start $start)
  (func (export "_initialize") (global.set $g2 (i64.const -9007199254740993)))
  (func (export "init")
    (global.set $g3 (f32.const 1.5))
    (global.set $g4 (f64.const -0))
    (global.set $g6 (i64.const 0x7fffffffffffffff))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 65530) (i32.const 0x01020304))
    (i32.store (i32.const 65534) (i32.const 0x05060708))
    (i32.store8 (i32.const 100) (i32.const 9))
    (i32.store8 (i32.const 105) (i32.const 9))
    (i32.store8 (i32.const 111) (i32.const 9))
    (i32.store8 (i32.const 131071) (i32.const 1)))
  (func (export "keep") (result i32) (global.get $g0))
)`;

describe('in-process Wizer, byte for byte against the Wizer binary', () => {
  it('globals, memory growth, segments across pages and gaps, start, _initialize, passive data', async () => {
    const { wizer, mine } = await both(PROBE);
    expect(wizer.length).toBeGreaterThan(0);
    expect(mine).toEqual(wizer);
    expect(WebAssembly.validate(mine as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('an extended-const global initializer: folded like Wizer, or left to it where V8 lacks the proposal (Node 20)', async () => {
    const { wizer, mine } = await both('(module (global i32 (i32.add (i32.const 1) (i32.const 2))) (func (export "init")) (func (export "f") (result i32) (global.get 0)))');
    if (typeof mine === 'string') expect(mine).toMatch(/does not compile it.*constant expression/);
    else expect(mine).toEqual(wizer);
  });

  it('a module without a data section and with a name section', async () => {
    const { wizer, mine } = await both(`(module $m (memory 1) (func $f (export "init") (i32.store (i32.const 8) (i32.const 1))) (func (export "g") (result i32) (i32.const 1)))`);
    expect(mine).toEqual(wizer);
  });

  it('a data count section and memory.init (segments are renumbered the way Wizer does)', async () => {
    const { wizer, mine } = await both(`(module (memory 1) (data $p "passive!") (data (i32.const 8) "x")
      (func (export "init") (memory.init $p (i32.const 200) (i32.const 0) (i32.const 8)) (i32.store8 (i32.const 8) (i32.const 0))))`);
    expect(mine).toEqual(wizer);
  });

  it('an init that zeroes all data leaves no data section', async () => {
    const { wizer, mine } = await both(`(module (memory 1) (data (i32.const 8) "x") (func (export "init") (i32.store8 (i32.const 8) (i32.const 0))) (func (export "f") (result i32) (i32.const 1)))`);
    expect(mine).toEqual(wizer);
  });

  it('more non-zero runs than Wizer emits segments: merged down to its limit', async () => {
    // 12,001 single bytes: exactly 2,001 gaps of 5 zeros (the excess), the others 6. Wizer's
    // choice among equal gaps is unspecified (Rust's unstable sort), so the test leaves it none.
    const { wizer, mine } = await both(`(module (memory 2)
      (func (export "init") (local $i i32) (local $p i32)
        (loop $l
          (i32.store8 (local.get $p) (i32.const 1))
          (local.set $p (i32.add (local.get $p) (select (i32.const 6) (i32.const 7) (i32.lt_u (local.get $i) (i32.const 2001)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 12001))))))`);
    expect(mine).toEqual(wizer);
  });

  it('reads stdin and env through WASI like Wizer', async () => {
    const { wizer, mine } = await both(`(module
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func $es (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "init")
        (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 32))
        (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $es (i32.const 16) (i32.const 20)))))`);
    expect(mine).toEqual(wizer);
    expect(Buffer.from(mine as Uint8Array).includes(Buffer.from('stdin text'))).toBe(true);
  });

  it('leaves to the binary what Wizer refuses or this does not reproduce', async () => {
    for (const [wat, why] of [
      ['(module (memory 1) (data $p "x") (func (export "init") (data.drop $p)))', /data\.drop/],
      ['(module (table 1 funcref) (func (export "init") (drop (table.get 0 (i32.const 0)))))', /table\.get/],
      ['(module (func (export "init") (result i32) (i32.const 1)))', /\[\] -> \[\]/],
      ['(module (import "m" "g" (global i32)) (func (export "init")))', /imports a global/],
      ['(module (global (mut externref) (ref.null extern)) (func (export "init")))', /not of a number type/],
    ] as const) {
      const { wizer, mine } = await both(wat);
      expect(wizer.length).toBe(0); // the binary refuses these too...
      expect(mine).toMatch(why); // ...and the in-process run says why it leaves them to it
    }
  });

  it('an init that traps or calls a non-WASI import is left to the binary', async () => {
    const trap = await both('(module (memory 1) (func (export "init") (unreachable)))');
    expect(trap.mine).toMatch(/init function failed/);
    expect(trap.stderr).toMatch(/trapped/);
    const imp = await both('(module (import "x" "y" (func $y)) (memory 1) (func (export "init") (call $y)))');
    expect(imp.mine).toMatch(/cannot call imports/);
  });
});

describe('snapshot to data segments', () => {
  it('finds maximal non-zero runs, unaligned and across word and page boundaries', () => {
    const m = new Uint8Array(65536 * 2);
    m[1] = 1; m[2] = 2; m[7] = 3; m[65535] = 4; m[65536] = 5; m[131071] = 6;
    expect(nonZeroRuns(m)).toEqual([1, 3, 7, 8, 65535, 65537, 131071, 131072]);
    expect(nonZeroRuns(m.subarray(1, 9))).toEqual([0, 2, 6, 7]);
  });

  it('merges runs at most 4 zero bytes apart, keeps 5 apart', () => {
    const m = new Uint8Array(64);
    m[0] = 1; m[5] = 1; m[11] = 1;
    expect(snapshotSegments([m])).toEqual([{ memoryIndex: 0, offset: 0, len: 6 }, { memoryIndex: 0, offset: 11, len: 1 }]);
    expect(snapshotSegments([new Uint8Array(16), m])).toEqual([{ memoryIndex: 1, offset: 0, len: 6 }, { memoryIndex: 1, offset: 11, len: 1 }]);
  });

  it('over the limit, merges across the smallest gaps first, within one memory only', () => {
    const segs = [0, 10, 15, 40, 46].map((offset) => ({ memoryIndex: 0, offset, len: 1 }));
    expect(removeExcessSegments(segs.map((s) => ({ ...s })), 3)).toEqual([{ memoryIndex: 0, offset: 0, len: 1 }, { memoryIndex: 0, offset: 10, len: 6 }, { memoryIndex: 0, offset: 40, len: 7 }]);
    const two = [{ memoryIndex: 0, offset: 0, len: 1 }, { memoryIndex: 1, offset: 2, len: 1 }, { memoryIndex: 1, offset: 100, len: 1 }];
    expect(removeExcessSegments(two.map((s) => ({ ...s })), 2)).toEqual([{ memoryIndex: 0, offset: 0, len: 1 }, { memoryIndex: 1, offset: 2, len: 99 }]);
    expect(MAX_DATA_SEGMENTS).toBe(10_000);
  });

  it('plans the instrumented module with an export per global and memory', async () => {
    const p = planWizer(await watToWasm('(module (memory 1) (global (mut i32) (i32.const 0)) (func (export "init")))'), 'init');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(WebAssembly.Module.exports(new WebAssembly.Module(p.plan.instrumented)).map((e) => e.name)).toEqual(['init', '__wizer_global_0', '__wizer_memory_0']);
  });
});
