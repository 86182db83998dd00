import { describe, expect, it } from 'vitest';
import { DEFAULT_EGRESS, resolveEgressOptions } from '../../../src/egress/options.js';
import { resolveHostOptions } from '../../../src/config/host-options.js';

describe('egress options', () => {
  it('defaults: no proxy (no egress), GET/HEAD/POST, 8 requests, 1 MiB of responses; frozen', () => {
    const o = resolveEgressOptions(undefined);
    expect(o.proxyUrl).toBeNull();
    expect(o.methods).toEqual(['GET', 'HEAD', 'POST']);
    expect(o.maxRequests).toBe(8);
    expect(o.responseBodyBytes).toBe(1024 * 1024);
    expect(o.allowIpRanges).toEqual([]);
    expect(Object.isFrozen(o)).toBe(true);
    expect(DEFAULT_EGRESS.maxRedirects).toBe(3);
  });

  it('normalizes the proxy URL', () => {
    expect(resolveEgressOptions({ proxyUrl: 'http://127.0.0.1:15001' }).proxyUrl).toBe('http://127.0.0.1:15001/');
  });

  it('names every problem', () => {
    try {
      resolveEgressOptions({
        proxyUrl: 'socks5://x:1',
        maxRequests: -1,
        methods: ['GET', 'CONNECT'],
        allowIpRanges: ['10.0.0.0/33', 'nope'],
        proxyTls: { cert: 'x' },
        bogus: 1,
      } as never);
      expect.unreachable();
    } catch (err) {
      const e = err as { code: string; details: { problems: string[] } };
      expect(e.code).toBe('SPH_ERR_INVALID_ARG');
      const p = e.details.problems.join('\n');
      expect(p).toContain('egress.proxyUrl must be http:// or https://');
      expect(p).toContain('egress.maxRequests must be an integer >= 0');
      expect(p).toContain('egress.methods: "CONNECT"');
      expect(p).toContain('"10.0.0.0/33" is not an address or CIDR range');
      expect(p).toContain('"nope" is not an address');
      expect(p).toContain('needs both cert and key');
      expect(p).toContain('egress.bogus is not an option');
    }
  });

  it('is part of the host options', () => {
    expect(resolveHostOptions({ mode: 'development', egress: { proxyUrl: 'https://mesh.local:15001' } }).egress.proxyUrl).toBe('https://mesh.local:15001/');
    expect(() => resolveHostOptions({ mode: 'development', egress: { proxyUrl: 'mesh' } })).toThrow(/invalid host options: egress.proxyUrl is not a URL/);
  });
});
