import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { METER_MODULE, describeModule, instrumentModule } from '../../../src/wasm/index.js';
import { splitSections } from '../../../src/wasm/module.js';
import { corpus } from './corpus.js';
import { validates } from './meter-helpers.js';

const optionSets = [
  { fuel: true, memoryMaxPages: 65536, tableMaxElements: 10_000_000 },
  { fuel: false, memoryMaxPages: 2, tableMaxElements: 3 },
  { fuel: true, memoryMaxPages: 0, tableMaxElements: 0, costOf: (op: string) => (op.startsWith('call') ? 10 : op === 'end' ? 0 : 2) },
];

describe('round trip: every output validates', () => {
  for (const entry of corpus) {
    it(entry.name, async () => {
      const original = await watToWasm(entry.wat);
      for (const options of optionSets) {
        const { bytes, info } = instrumentModule(original, options);
        const v = await validates(original, bytes);
        expect(v.ok, `${entry.name} with ${JSON.stringify(options)} (validated by ${v.by})`).toBe(true);
        // Either V8 or binaryen must accept the original, or the fixture itself is wrong.
        expect(v.by).not.toBe('none');
        expect(info).toEqual(describeModule(original));
        // The meter globals come last among the imports; nothing else about the imports changes.
        const after = describeModule(bytes);
        expect(after.imports.slice(0, info.imports.length)).toEqual(info.imports);
        expect(after.imports.slice(info.imports.length)).toEqual([
          { module: METER_MODULE, name: 'fuel', kind: 'global' },
          { module: METER_MODULE, name: 'memory_pages_left', kind: 'global' },
          { module: METER_MODULE, name: 'table_elements_left', kind: 'global' },
          { module: METER_MODULE, name: 'limit_hit', kind: 'global' },
        ]);
        // Function indices never move: same exports (globals shift by 4), same function count + wrappers.
        const shifted = info.exports.map((e) => (e.kind === 'global' && e.index >= importedGlobals(info) ? { ...e, index: e.index + 4 } : e));
        expect(after.exports).toEqual(shifted);
        expect(after.functionCount).toBeGreaterThanOrEqual(info.functionCount);
        expect(after.hasStart).toBe(info.hasStart);
      }
    });
  }

  it('keeps custom sections byte for byte and in place', async () => {
    const original = await watToWasm(`(module
      (@custom "before" (before first) "\\01\\02")
      (@custom "after-code" (after code) "tail")
      (func (export "f") (result i32) (i32.const 1)))`);
    const { bytes } = instrumentModule(original, optionSets[0]!);
    const customs = (b: Uint8Array): string[] =>
      splitSections(b)
        .filter((s) => s.id === 0)
        .map((s) => `${s.customName}:${[...b.subarray(s.start, s.end)].join(',')}`);
    expect(customs(bytes)).toEqual(customs(original));
    const ids = (b: Uint8Array): number[] => splitSections(b).map((s) => s.id);
    expect(ids(bytes)).toEqual([0, 1, 2, 3, 7, 10, 0]);
  });

  it('drops code metadata (branch hints), whose offsets the rewrite invalidates', async () => {
    const original = await watToWasm(`(module
      (func (export "f") (param i32) (result i32)
        (if (@metadata.code.branch_hint "\\00") (local.get 0) (then (return (i32.const 1))))
        (i32.const 0)))`);
    const names = (b: Uint8Array): (string | undefined)[] => splitSections(b).filter((s) => s.id === 0).map((s) => s.customName);
    expect(names(original)).toContain('metadata.code.branch_hint');
    const { bytes } = instrumentModule(original, optionSets[0]!);
    expect(names(bytes)).not.toContain('metadata.code.branch_hint');
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it('adds an import section where the module had none, in section order', async () => {
    const original = await watToWasm('(module (memory 1) (func (export "f")))');
    const { bytes } = instrumentModule(original, optionSets[0]!);
    expect(splitSections(bytes).map((s) => s.id)).toEqual([1, 2, 3, 5, 7, 10]);
    expect(WebAssembly.validate(bytes)).toBe(true);
  });

  it('renumbers the global names in the name section', async () => {
    const original = await watToWasm(corpus.find((c) => c.name.startsWith('name section'))!.wat);
    const { bytes } = instrumentModule(original, optionSets[0]!);
    const { print } = await import('@bytecodealliance/jco-transpile/wasm-tools');
    const text = await print(bytes);
    expect(text).toContain('(import "env" "g" (global $imported (;0;) i32))');
    expect(text).toMatch(/\(global \$first \(;5;\) \(mut i32\)/);
    expect(text).toMatch(/global\.set \$second/);
  });

  it('is deterministic', async () => {
    const original = await watToWasm(corpus[1]!.wat);
    const a = instrumentModule(original, optionSets[0]!).bytes;
    const b = instrumentModule(original, optionSets[0]!).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

function importedGlobals(info: ReturnType<typeof describeModule>): number {
  return info.imports.filter((i) => i.kind === 'global').length;
}
