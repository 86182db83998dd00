import { describe, expect, it } from 'vitest';
import { sanitizeWidgetHtml } from '../../../src/host/sanitize.js';
import { cachedSanitizer } from '../../../src/server/sanitize-cache.js';

describe('cachedSanitizer', () => {
  it('answers as the sanitizer does, and asks it once per distinct input', () => {
    const calls: string[] = [];
    const s = cachedSanitizer((h) => (calls.push(h), sanitizeWidgetHtml(h).html));
    const bad = '<p>x</p><img src=x onerror=alert(1)>';
    expect(s(bad)).toBe(sanitizeWidgetHtml(bad).html);
    expect(s(bad)).toBe('<p>x</p><img>'); // no handler, no external source
    expect(s('<b>y</b>')).toBe('<b>y</b>');
    expect(calls).toEqual([bad, '<b>y</b>']);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    let calls = 0;
    const s = cachedSanitizer((h) => (calls++, h.toUpperCase()), { maxEntries: 2 });
    s('a');
    s('b');
    s('a'); // a is now the most recent
    s('c'); // drops b
    calls = 0;
    s('a');
    s('c');
    expect(calls).toBe(0);
    s('b');
    expect(calls).toBe(1);
  });

  it('bounds the bytes kept and does not keep one oversize answer', () => {
    let calls = 0;
    const s = cachedSanitizer((h) => (calls++, h), { maxBytes: 1000, maxEntryBytes: 400 });
    const big = 'x'.repeat(300); // 1200 bytes in and out: over maxEntryBytes
    s(big);
    s(big);
    expect(calls).toBe(2);
    for (let i = 0; i < 20; i++) s(`${i}`.padStart(40, '0')); // 160 bytes each: 6 fit in 1000
    calls = 0;
    s('19'.padStart(40, '0'));
    expect(calls).toBe(0);
    s('0'.padStart(40, '0'));
    expect(calls).toBe(1);
  });
});
