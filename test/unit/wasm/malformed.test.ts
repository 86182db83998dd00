import { describe, expect, it } from 'vitest';
import { watToComponent, watToWasm } from '../../support/build.js';
import { WasmRewriteError, describeModule, instrumentModule, type InstrumentOptions } from '../../../src/wasm/index.js';
import { corpus } from './corpus.js';
import { buf } from './meter-helpers.js';
import { mulberry32 } from './random-wat.js';

const OPTIONS: InstrumentOptions = { fuel: true, memoryMaxPages: 16, tableMaxElements: 100 };

/** Runs f; only a WasmRewriteError may escape. Returns the output or null. */
function rewriteOrReject(bytes: Uint8Array): Uint8Array<ArrayBuffer> | null {
  try {
    describeModule(bytes);
    return instrumentModule(bytes, OPTIONS).bytes;
  } catch (e) {
    if (e instanceof WasmRewriteError) return null;
    throw e;
  }
}

describe('malformed input', () => {
  it('every truncation of real modules is rejected cleanly or still valid', async () => {
    for (const entry of corpus) {
      const original = await watToWasm(entry.wat);
      for (let n = 0; n < original.length; n++) {
        const cut = original.slice(0, n);
        const out = rewriteOrReject(cut);
        if (out && WebAssembly.validate(buf(cut))) expect(WebAssembly.validate(out), `${entry.name} cut at ${n}`).toBe(true);
      }
    }
  });

  it('random byte corruption never escapes as another error, and valid inputs give valid outputs', async () => {
    const rand = mulberry32(42);
    const sources = await Promise.all(corpus.filter((c) => c.runs).map((c) => watToWasm(c.wat)));
    let stillValid = 0;
    let rejected = 0;
    for (let i = 0; i < 3000; i++) {
      const src = sources[i % sources.length]!;
      const bytes = src.slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < flips; k++) {
        const at = 8 + Math.floor(rand() * (bytes.length - 8));
        bytes[at] = rand() < 0.5 ? Math.floor(rand() * 256) : bytes[at]! ^ (1 << Math.floor(rand() * 8));
      }
      const out = rewriteOrReject(bytes);
      if (!out) {
        rejected++;
        continue;
      }
      if (WebAssembly.validate(buf(bytes))) {
        stillValid++;
        expect(WebAssembly.validate(out), `mutation ${i}`).toBe(true);
      }
    }
    expect(rejected).toBeGreaterThan(0);
    expect(stillValid).toBeGreaterThan(0);
  });

  it.each([
    ['empty', new Uint8Array(0), /not a wasm module/],
    ['garbage', new TextEncoder().encode('hello world, not wasm'), /bad magic/],
    ['version 2', new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), /not a core wasm module/],
    ['section larger than the file', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f, 0]), /section 1 truncated/],
    ['unknown section', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 14, 0]), /unknown section id 14/],
    ['duplicate section', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0]), /duplicated or out of order/],
    ['code without functions', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 10, 1, 1]), /code section has 1 bodies for 0/],
    ['body without end', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x01]), /function 0 truncated/],
    ['bytes after the final end', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0x0b, 0x01]), /after the final end/],
    ['unknown opcode', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xc6, 0x0b]), /unknown opcode 0xc6/],
  ])('%s', (_name, bytes, message) => {
    expect(() => instrumentModule(bytes, OPTIONS)).toThrow(WasmRewriteError);
    expect(() => instrumentModule(bytes, OPTIONS)).toThrow(message);
  });

  it('refuses components', async () => {
    const component = await watToComponent(`(module
      (import "summit:widget/host@0.1.0" "log" (func (param i32 i32 i32)))
      (memory (export "memory") 1)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
      (func (export "render") (param i32 i32) (result i32) (i32.const 256)))`);
    expect(() => describeModule(component)).toThrow(/component, not a core module/);
  });

  it('refuses a module that is already instrumented', async () => {
    const once = instrumentModule(await watToWasm('(module (func))'), OPTIONS).bytes;
    expect(() => instrumentModule(once, OPTIONS)).toThrow(/already instrumented/);
  });

  it('validates its options', async () => {
    const bytes = await watToWasm('(module)');
    const bad: Partial<InstrumentOptions>[] = [
      { memoryMaxPages: -1 },
      { memoryMaxPages: 65537 },
      { memoryMaxPages: 1.5 },
      { tableMaxElements: -1 },
      { fuel: 'yes' as unknown as boolean },
    ];
    for (const b of bad) expect(() => instrumentModule(bytes, { ...OPTIONS, ...b })).toThrow(WasmRewriteError);
    const f = await watToWasm('(module (func (drop (i32.const 1))))');
    expect(() => instrumentModule(f, { ...OPTIONS, costOf: () => -1 })).toThrow(/costOf\("i32.const"\) returned -1/);
    expect(() => instrumentModule(f, { ...OPTIONS, costOf: () => 0.5 })).toThrow(WasmRewriteError);
  });
});

describe('describeModule', () => {
  it('reports imports, exports, memories, tables, start and function count', async () => {
    const bytes = await watToWasm(`(module
      (import "a" "f" (func))
      (import "a" "t" (table 1 5 funcref))
      (import "a" "m" (memory 2 3 shared))
      (import "a" "g" (global i32))
      (import "a" "e" (tag))
      (memory $own 1)
      (table $ext 0 externref)
      (func $s)
      (func (export "run"))
      (start $s)
      (export "own" (memory $own))
      (export "ext" (table $ext)))`);
    const info = describeModule(bytes);
    expect(info).toEqual({
      imports: [
        { module: 'a', name: 'f', kind: 'func' },
        { module: 'a', name: 't', kind: 'table' },
        { module: 'a', name: 'm', kind: 'memory' },
        { module: 'a', name: 'g', kind: 'global' },
        { module: 'a', name: 'e', kind: 'tag' },
      ],
      exports: [
        { name: 'run', kind: 'func', index: 2 },
        { name: 'own', kind: 'memory', index: 1 },
        { name: 'ext', kind: 'table', index: 1 },
      ],
      memories: [
        { index: 0, imported: true, initialPages: 2, maximumPages: 3, shared: true },
        { index: 1, imported: false, initialPages: 1, maximumPages: null, shared: false },
      ],
      tables: [
        { index: 0, imported: true, initialElements: 1, maximumElements: 5 },
        { index: 1, imported: false, initialElements: 0, maximumElements: null },
      ],
      hasStart: true,
      functionCount: 3,
    });
  });
});
