import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { WasmRewriteError, describeModule, instrumentModule } from '../../../src/wasm/index.js';
import { call, createMeter, instantiateMetered, instrument, type Meter } from './meter-helpers.js';

const memoryModule = (limits: string): string => `(module
  (memory (export "mem") ${limits})
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))`;

async function memory(limits: string, cap: number, meter: Meter) {
  const bytes = instrument(await watToWasm(memoryModule(limits)), { memoryMaxPages: cap });
  return { bytes, exports: await instantiateMetered(bytes, meter) };
}

describe('memory cap', () => {
  it('clamps the maximum of defined memories and reports the original', async () => {
    const cases: [string, number, number | null, number][] = [
      ['1', 4, null, 4], // no declared max: the cap
      ['1 100', 4, 100, 4], // larger max: the cap
      ['1 2', 4, 2, 2], // smaller max: kept
      ['8', 4, null, 8], // initial over the cap: max = initial, the loader refuses it from info
    ];
    for (const [limits, cap, declared, effective] of cases) {
      const original = await watToWasm(memoryModule(limits));
      const { bytes, info } = instrumentModule(original, { fuel: true, memoryMaxPages: cap, tableMaxElements: 10 });
      expect(info.memories[0]).toEqual({ index: 0, imported: false, initialPages: Number(limits.split(' ')[0]), maximumPages: declared, shared: false });
      expect(describeModule(bytes).memories[0]!.maximumPages).toBe(effective);
      expect(WebAssembly.validate(bytes)).toBe(true);
    }
  });

  it('grow beyond the cap returns -1 and sets limit_hit = 1', async () => {
    const meter = createMeter({ pages: 100 });
    const { exports } = await memory('1', 4, meter);
    expect(call(exports, 'grow', 2)).toBe(1);
    expect(meter.memory_pages_left.value).toBe(98);
    expect(meter.limit_hit.value).toBe(0);
    expect(call(exports, 'grow', 2)).toBe(-1);
    expect(meter.limit_hit.value).toBe(1);
    expect(meter.memory_pages_left.value).toBe(98);
    expect(call(exports, 'size')).toBe(3);
    expect(call(exports, 'grow', 1)).toBe(3);
    expect(call(exports, 'grow', 0)).toBe(4);
    expect(meter.memory_pages_left.value).toBe(97);
  });

  it("the module's own smaller maximum refuses without setting limit_hit", async () => {
    const meter = createMeter({ pages: 100 });
    const { exports } = await memory('1 2', 10, meter);
    expect(call(exports, 'grow', 1)).toBe(1);
    expect(call(exports, 'grow', 1)).toBe(-1);
    expect(meter.limit_hit.value).toBe(0);
    expect(meter.memory_pages_left.value).toBe(99);
  });

  it('memory_pages_left refuses growth the module would allow, and records it', async () => {
    const meter = createMeter({ pages: 3 });
    const { exports } = await memory('1 50', 50, meter);
    expect(call(exports, 'grow', 2)).toBe(1);
    expect(call(exports, 'grow', 2)).toBe(-1);
    expect(meter.limit_hit.value).toBe(1);
    expect(call(exports, 'size')).toBe(3);
    expect(meter.memory_pages_left.value).toBe(1);
  });

  it('a budget refusal the module would have refused anyway is not recorded', async () => {
    const meter = createMeter({ pages: 1 });
    const { exports } = await memory('1 2', 50, meter);
    expect(call(exports, 'grow', 5)).toBe(-1); // over its own max of 2
    expect(meter.limit_hit.value).toBe(0);
  });

  it('a huge delta is refused without wrapping around', async () => {
    const meter = createMeter({ pages: 10 });
    const { exports } = await memory('1', 8, meter);
    expect(call(exports, 'grow', -1)).toBe(-1);
    expect(call(exports, 'grow', 0x10000)).toBe(-1);
    expect(meter.memory_pages_left.value).toBe(10);
  });

  it('one memory_pages_left shared by two modules enforces a combined cap', async () => {
    const meter = createMeter({ pages: 5 });
    const a = await memory('1', 100, meter);
    const b = await memory('1', 100, meter);
    expect(call(a.exports, 'grow', 3)).toBe(1);
    expect(call(b.exports, 'grow', 3)).toBe(-1);
    expect(meter.limit_hit.value).toBe(1);
    expect(call(b.exports, 'grow', 2)).toBe(1);
    expect(meter.memory_pages_left.value).toBe(0);
    expect(call(a.exports, 'grow', 1)).toBe(-1);
  });

  it('growth of an imported memory is charged to the same budget', async () => {
    const meter = createMeter({ pages: 4 });
    const owner = await memory('1', 100, meter);
    const user = instrument(
      await watToWasm(`(module (import "o" "mem" (memory 1)) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`),
      { memoryMaxPages: 100 },
    );
    const userExports = await instantiateMetered(user, meter, { o: { mem: owner.exports.mem as WebAssembly.Memory } });
    expect(call(userExports, 'grow', 3)).toBe(1);
    expect(meter.memory_pages_left.value).toBe(1);
    expect(call(owner.exports, 'grow', 2)).toBe(-1);
    expect(meter.limit_hit.value).toBe(1);
  });

  it('shared memories are capped the same way', async () => {
    const meter = createMeter({ pages: 100 });
    const { bytes, exports } = await memory('1 1000 shared', 3, meter);
    expect(describeModule(bytes).memories[0]).toMatchObject({ maximumPages: 3, shared: true });
    expect(call(exports, 'grow', 2)).toBe(1);
    expect(call(exports, 'grow', 1)).toBe(-1);
    expect(meter.limit_hit.value).toBe(1);
  });

  it('memory64 is refused', async () => {
    const original = await watToWasm('(module (memory i64 1))');
    expect(() => instrumentModule(original, { fuel: true, memoryMaxPages: 1, tableMaxElements: 1 })).toThrow(new WasmRewriteError('memory64 is not supported'));
    expect(() => describeModule(original)).toThrow('memory64 is not supported');
  });
});

describe('table cap', () => {
  const tableModule = (limits: string): string => `(module
    (table $t (export "t") ${limits} funcref)
    (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "size") (result i32) (table.size $t)))`;

  it('clamps defined tables and records refusals as limit_hit = 2', async () => {
    const original = await watToWasm(tableModule('2'));
    const { bytes, info } = instrumentModule(original, { fuel: true, memoryMaxPages: 1, tableMaxElements: 5 });
    expect(info.tables[0]).toEqual({ index: 0, imported: false, initialElements: 2, maximumElements: null });
    expect(describeModule(bytes).tables[0]!.maximumElements).toBe(5);
    const meter = createMeter({ elements: 100 });
    const exports = await instantiateMetered(bytes, meter);
    expect(call(exports, 'grow', 3)).toBe(2);
    expect(meter.table_elements_left.value).toBe(97);
    expect(call(exports, 'grow', 1)).toBe(-1);
    expect(meter.limit_hit.value).toBe(2);
    expect(call(exports, 'size')).toBe(5);
  });

  it("the table's own maximum refuses without limit_hit; the budget refuses with it", async () => {
    const meter = createMeter({ elements: 3 });
    const exports = await instantiateMetered(instrument(await watToWasm(tableModule('1 2')), { tableMaxElements: 100 }), meter);
    expect(call(exports, 'grow', 5)).toBe(-1);
    expect(meter.limit_hit.value).toBe(0);
    const big = await instantiateMetered(instrument(await watToWasm(tableModule('1 50')), { tableMaxElements: 100 }), meter);
    expect(call(big, 'grow', 2)).toBe(1);
    expect(call(big, 'grow', 2)).toBe(-1);
    expect(meter.limit_hit.value).toBe(2);
    expect(meter.table_elements_left.value).toBe(1);
  });

  it('typed externref tables get a wrapper with the right parameter type', async () => {
    const wat = `(module (table $e 0 externref)
      (func (export "grow") (param externref i32) (result i32) (table.grow $e (local.get 0) (local.get 1))))`;
    const meter = createMeter({ elements: 10 });
    const exports = await instantiateMetered(instrument(await watToWasm(wat), { tableMaxElements: 4 }), meter);
    expect(call(exports, 'grow', 'x', 4)).toBe(0);
    expect(call(exports, 'grow', 'x', 1)).toBe(-1);
    expect(meter.limit_hit.value).toBe(2);
  });
});
