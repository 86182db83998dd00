import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/registry/client/sse-parser.js';

describe('server-sent events parser', () => {
  it('parses events split across chunks at any byte, with CRLF, CR and LF', () => {
    const text = '\ufeffretry: 1000\r\n\r\n: comment\nevent: snapshot\nid: 7\ndata: {"a":\ndata: 1}\n\nevent: snapshot\rdata: x\r\r\n';
    const bytes = new TextEncoder().encode(text);
    for (const step of [1, 2, 3, 7, bytes.length]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < bytes.length; i += step) events.push(...p.push(bytes.subarray(i, i + step)));
      expect(events).toEqual([
        { event: 'snapshot', data: '{"a":\n1}', id: '7' },
        { event: 'snapshot', data: 'x', id: '7' },
      ]);
      expect(p.retryMs).toBe(1000);
    }
  });

  it('splits a multi-byte character across chunks correctly', () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const p = new SseParser();
    const out = [...p.push(bytes.subarray(0, 8)), ...p.push(bytes.subarray(8))];
    expect(out).toEqual([{ event: 'message', data: 'héllo ✓' }]);
  });

  it('bounds an event that never ends', () => {
    const p = new SseParser({ maxEventBytes: 1024 });
    expect(() => {
      for (let i = 0; i < 100; i++) p.push(`data: ${'x'.repeat(100)}\n`);
    }).toThrow(/larger than 1024 bytes/);
  });
});
