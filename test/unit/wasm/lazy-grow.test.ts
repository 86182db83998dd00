import { describe, expect, it } from 'vitest';
import { lazyGrow } from '../../../src/wasm/lazy-grow.js';
import { watToWasm } from '../../support/build.js';

// An sbrk-like module: grow/size as the module sees them, and a store to check writes land.
const wat = (limits: string) => `(module
  (memory (export "memory") ${limits})
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) memory.size)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))`;

interface M {
  grow(n: number): number;
  size(): number;
  store(a: number, v: number): void;
  load(a: number): number;
  memory: WebAssembly.Memory;
}
const inst = async (bytes: Uint8Array) => (await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>)).instance.exports as unknown as M;

describe('lazyGrow', () => {
  it('answers memory.grow and memory.size exactly as before, with far fewer real grows', async () => {
    const bytes = await watToWasm(wat('1 2000'));
    const rewritten = lazyGrow(bytes);
    expect(rewritten).not.toBeNull();
    expect(WebAssembly.validate(rewritten!)).toBe(true);
    const a = await inst(bytes);
    const b = await inst(rewritten!);
    let realGrows = 0;
    let buffer = b.memory.buffer;
    const seq = [0, 1, 1, 3, 0, 16, 1, ...Array.from({ length: 500 }, () => 1), 2, 1000, 600, 1, 0];
    for (const n of seq) {
      expect(b.grow(n)).toBe(a.grow(n));
      expect(b.size()).toBe(a.size());
      if (b.memory.buffer !== buffer) {
        realGrows++;
        buffer = b.memory.buffer;
      }
    }
    // 2000 pages is the maximum: both refused the last big grow the same way, and grow past it too.
    expect(b.grow(5000)).toBe(-1);
    expect(b.grow(-1 >>> 0)).toBe(a.grow(-1 >>> 0));
    expect(realGrows).toBeLessThan(30);
    expect(b.memory.buffer.byteLength).toBeGreaterThanOrEqual(b.size() * 65536);
    // Writes up to the size the module believes it has work.
    const top = b.size() * 65536 - 4;
    b.store(top, 42);
    expect(b.load(top)).toBe(42);
  });

  it('refuses like memory.grow at the implicit 4 GiB maximum', async () => {
    const b = await inst(lazyGrow(await watToWasm(wat('1')))!);
    expect(b.grow(65536)).toBe(-1);
    expect(b.size()).toBe(1);
    expect(b.grow(1)).toBe(1);
  });

  it('leaves modules it does not fit alone', async () => {
    expect(lazyGrow(await watToWasm('(module (func (export "f")))'))).toBeNull(); // no memory
    expect(lazyGrow(await watToWasm('(module (import "m" "mem" (memory 1)) (global (mut i32) (i32.const 0)) (func (export "f")))'))).toBeNull();
    expect(lazyGrow(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});

describe('lazyGrow on componentize-js splicer', () => {
  it('splices and stubs byte for byte the same as the splicer as shipped', { timeout: 120_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const url = import.meta.resolve('@bytecodealliance/componentize-js');
    const lib = (f: string) => new URL(`../lib/${f}`, url);
    const core = readFileSync(lib('spidermonkey-embedding-splicer.core.wasm'));
    const rewritten = lazyGrow(core);
    expect(rewritten).not.toBeNull();
    const shape = (m: WebAssembly.Module) => JSON.stringify([WebAssembly.Module.imports(m), WebAssembly.Module.exports(m)]);
    expect(shape(new WebAssembly.Module(rewritten!))).toBe(shape(new WebAssembly.Module(core)));
    const fsShim = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void };
    fsShim._setPreopens({ '/': '/' });
    type Splicer = { spliceBindings: (...a: unknown[]) => { wasm: Uint8Array; jsBindings: string; exports: unknown; imports: unknown }; stubWasi: (...a: unknown[]) => Uint8Array };
    // Two instances of the splicer's bindings (a query string makes a second module instance),
    // the first compiled from the rewritten core module.
    const compile = WebAssembly.compile;
    let used = 0;
    WebAssembly.compile = ((b: Uint8Array<ArrayBuffer>) => {
      if (b.byteLength !== core.byteLength || !core.equals(b)) return compile(b as Uint8Array<ArrayBuffer>);
      used++;
      return compile(rewritten!);
    }) as typeof WebAssembly.compile;
    let lazy: Splicer;
    try {
      lazy = ((await import(`${lib('spidermonkey-embedding-splicer.js').href}?lazy-grow`)) as { splicer: Splicer }).splicer;
    } finally {
      WebAssembly.compile = compile;
    }
    expect(used).toBe(1);
    const exact = ((await import(`${lib('spidermonkey-embedding-splicer.js').href}?exact`)) as { splicer: Splicer }).splicer;
    const engine = readFileSync(lib('starlingmonkey_embedding.wasm'));
    const wit = fileURLToPath(new URL('../../../wit', import.meta.url));
    const run = (s: Splicer) => {
      const r = s.spliceBindings(engine, ['stdio', 'random', 'clocks'], undefined, wit, 'widget', false);
      return { r, stubbed: s.stubWasi(r.wasm, ['stdio', 'random', 'clocks'], undefined, wit, 'widget') };
    };
    const a = run(lazy);
    const b = run(exact);
    expect(Buffer.from(a.r.wasm).equals(Buffer.from(b.r.wasm))).toBe(true);
    expect(a.r.jsBindings).toBe(b.r.jsBindings);
    expect(JSON.stringify([a.r.exports, a.r.imports])).toBe(JSON.stringify([b.r.exports, b.r.imports]));
    expect(Buffer.from(a.stubbed).equals(Buffer.from(b.stubbed))).toBe(true);
  });
});
