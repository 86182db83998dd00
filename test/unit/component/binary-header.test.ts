import { describe, expect, it } from 'vitest';
import { checkComponentHeader } from '../../../src/component/binary-header.js';

const code = (b: number[]) => {
  try {
    checkComponentHeader(new Uint8Array(b));
    return 'ok';
  } catch (err) {
    return (err as { code: string; message: string }).message;
  }
};

describe('component header', () => {
  it('names the common mistakes', () => {
    expect(code([])).toMatch(/empty/);
    expect(code([1, 2, 3])).toMatch(/bad magic/);
    expect(code([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])).toMatch(/core WebAssembly module, not a component/);
    expect(code([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])).toBe('ok');
    expect(code([0, 0x61, 0x73, 0x6d, 0x0d, 0, 2, 0])).toMatch(/unsupported/);
  });
});
