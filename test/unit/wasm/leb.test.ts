import { describe, expect, it } from 'vitest';
import { WasmRewriteError } from '../../../src/wasm/index.js';
import { Reader } from '../../../src/wasm/reader.js';
import { Writer, encodeS32, encodeS64, encodeU32 } from '../../../src/wasm/writer.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const reader = (b: Uint8Array): Reader => new Reader(b, 0, b.length, 'test');

describe('LEB128 encoding', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [624485, [0xe5, 0x8e, 0x26]],
    [0x7fffffff, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('u32 %i', (v, enc) => {
    expect([...encodeU32(v)]).toEqual(enc);
    expect(reader(bytes(...enc)).u32()).toBe(v);
  });

  it.each([
    [0, [0x00]],
    [-1, [0x7f]],
    [63, [0x3f]],
    [64, [0xc0, 0x00]],
    [-64, [0x40]],
    [-65, [0xbf, 0x7f]],
    [-123456, [0xc0, 0xbb, 0x78]],
    [2147483647, [0xff, 0xff, 0xff, 0xff, 0x07]],
    [-2147483648, [0x80, 0x80, 0x80, 0x80, 0x78]],
  ])('s32 %i', (v, enc) => {
    expect([...encodeS32(v)]).toEqual(enc);
    expect(reader(bytes(...enc)).s32()).toBe(v);
  });

  it.each([0, 1, -1, 63, 64, -65, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 5, -(2 ** 40), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])(
    's64 %i round-trips through the number encoder and the bigint decoder',
    (v) => {
      expect(reader(encodeS64(v)).s64()).toBe(BigInt(v));
    },
  );

  it('decodes the extreme i64 values', () => {
    const min = bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f);
    const max = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00);
    expect(reader(min).s64()).toBe(-(2n ** 63n));
    expect(reader(max).s64()).toBe(2n ** 63n - 1n);
  });

  it('accepts non-minimal (padded) encodings, as the spec does', () => {
    expect(reader(bytes(0x80, 0x80, 0x00)).u32()).toBe(0);
    expect(reader(bytes(0x83, 0x80, 0x80, 0x80, 0x00)).u32()).toBe(3);
    expect(reader(bytes(0xff, 0x7f)).s32()).toBe(-1);
  });

  it('u64 limits decode as numbers', () => {
    expect(reader(bytes(0x80, 0x80, 0x80, 0x80, 0x10)).u64()).toBe(2 ** 32);
  });
});

describe('Reader errors are WasmRewriteError', () => {
  const cases: [string, Uint8Array, (r: Reader) => unknown][] = [
    ['empty u32', bytes(), (r) => r.u32()],
    ['unterminated u32', bytes(0x80, 0x80), (r) => r.u32()],
    ['u32 over 5 bytes', bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), (r) => r.u32()],
    ['u32 over 32 bits', bytes(0xff, 0xff, 0xff, 0xff, 0x1f), (r) => r.u32()],
    ['unterminated s32', bytes(0xff), (r) => r.s32()],
    ['s64 over 10 bytes', new Uint8Array(11).fill(0x80), (r) => r.s64()],
    ['skipLeb past end', bytes(0x80), (r) => r.skipLeb(10)],
    ['bytes past end', bytes(1, 2), (r) => r.bytesView(3)],
    ['skip past end', bytes(1, 2), (r) => r.skip(3)],
    ['negative skip', bytes(1, 2), (r) => r.skip(-1)],
    ['name past end', bytes(5, 0x61), (r) => r.name()],
    ['invalid UTF-8 name', bytes(2, 0xc3, 0x28), (r) => r.name()],
    ['huge vector count', bytes(0xff, 0xff, 0xff, 0xff, 0x0f), (r) => r.count()],
    ['u8 past end', bytes(), (r) => r.u8()],
  ];
  it.each(cases)('%s', (_name, b, read) => {
    const r = reader(b);
    expect(() => read(r)).toThrow(WasmRewriteError);
  });

  it('names the range and offset', () => {
    const r = new Reader(bytes(0, 0, 0x80), 2, 3, 'section 10');
    expect(() => r.u32()).toThrow('section 10 truncated at offset 3');
  });

  it('a reader never reads beyond its end even when the buffer continues', () => {
    const b = bytes(0x80, 0x01);
    const r = new Reader(b, 0, 1, 'part');
    expect(() => r.u32()).toThrow(WasmRewriteError);
  });

  it('rejects a range outside the buffer', () => {
    expect(() => new Reader(bytes(1), 0, 2, 'x')).toThrow(WasmRewriteError);
  });
});

describe('Writer', () => {
  it('grows and keeps earlier content', () => {
    const w = new Writer(1);
    for (let i = 0; i < 10_000; i++) w.u32(i);
    const r = reader(w.toBytes());
    for (let i = 0; i < 10_000; i++) expect(r.u32()).toBe(i);
    expect(r.atEnd()).toBe(true);
  });

  it('copies short and long ranges', () => {
    const src = Uint8Array.from({ length: 100 }, (_, i) => i);
    const w = new Writer(4);
    w.copy(src, 3, 10);
    w.copy(src, 10, 90);
    expect([...w.toBytes()]).toEqual([...src.subarray(3, 90)]);
  });

  it('frames a nested writer with its length', () => {
    const inner = new Writer();
    inner.name('héllo');
    const outer = new Writer();
    outer.sized(inner);
    const r = reader(outer.toBytes());
    expect(r.u32()).toBe(inner.len);
    expect(r.name()).toBe('héllo');
  });
});
