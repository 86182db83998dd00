import { describe, expect, it } from 'vitest';
import { WASM_PAGE_BYTES } from '../../../src/config/limits.js';
import type { Budget } from '../../../src/sandbox/protocol.js';
import { SessionInstances, type Reusable } from '../../../src/sandbox/session-instances.js';

const budget: Budget = { fuel: 1000n, memoryPages: 100, tableElements: 10, outputBytes: 100, logLines: 10, logLineBytes: 100, egressRequestBodyBytes: 0, egressMaxRequests: 0 };
const inst = (pages = 1, over: Partial<Reusable> = {}): Reusable => ({ budget, pages, renders: 1, createdAt: 0, ...over });

describe('SessionInstances', () => {
  it('hands a kept instance back once, to the same session and budget only', () => {
    const s = new SessionInstances({}, () => 0);
    const a = inst();
    expect(s.keep('k\0t1', a)).toEqual({ kept: true, evicted: [] });
    expect(s.take('k\0t2', budget)).toBeUndefined();
    expect(s.take('k\0t1', { ...budget, fuel: 999n })).toBeUndefined(); // dropped: a lower cap
    expect(s.size).toBe(0);
    s.keep('k\0t1', a);
    expect(s.take('k\0t1', budget)).toBe(a);
    expect(s.take('k\0t1', budget)).toBeUndefined(); // in use until kept again
  });

  it('drops on fresh, past the render count and past the age', () => {
    let now = 0;
    const s = new SessionInstances({ maxRenders: 3, maxAgeMs: 1000 }, () => now);
    s.keep('a', inst());
    expect(s.take('a', budget, true)).toBeUndefined();
    s.keep('a', inst(1, { renders: 3 }));
    expect(s.take('a', budget)).toBeUndefined();
    s.keep('a', inst(1, { createdAt: 0 }));
    now = 1001;
    expect(s.take('a', budget)).toBeUndefined();
    expect(s.bytes).toBe(0);
  });

  it('evicts the least recently kept past the count and byte bounds', () => {
    const s = new SessionInstances({ maxInstances: 2, maxBytes: 10 * WASM_PAGE_BYTES }, () => 0);
    s.keep('a', inst(2));
    s.keep('b', inst(2));
    expect(s.keep('c', inst(2))).toEqual({ kept: true, evicted: ['a'] });
    expect(s.keep('d', inst(7))).toEqual({ kept: true, evicted: ['b'] });
    expect(s.bytes).toBe(9 * WASM_PAGE_BYTES);
    expect(s.keep('e', inst(11))).toEqual({ kept: false, evicted: [] }); // alone over the bound
    expect(s.size).toBe(2);
  });

  it('drops every session of a component', () => {
    const s = new SessionInstances({}, () => 0);
    s.keep('k1\0a', inst());
    s.keep('k1\0b', inst());
    s.keep('k2\0a', inst());
    s.dropComponent('k1');
    expect(s.size).toBe(1);
    expect(s.take('k2\0a', budget)).toBeDefined();
  });
});
