import { describe, expect, it } from 'vitest';
import { TenantLimits } from '../../../src/server/tenant-limits.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('tenant limits', () => {
  it('lets a burst through, then the sustained rate', () => {
    const c = clock();
    const limits = new TenantLimits({ concurrency: 100, ratePerSec: 10, burst: 3, maxTenants: 10 }, c.now);
    const take = () => {
      const a = limits.admit('t');
      if (a.ok) a.release();
      return a.ok;
    };
    expect([take(), take(), take(), take()]).toEqual([true, true, true, false]);
    const refused = limits.admit('t');
    expect(refused).toMatchObject({ ok: false, reason: 'rate' });
    expect(refused.ok === false && refused.retryAfterMs).toBeGreaterThan(0);
    c.advance(100); // one token at 10/s
    expect([take(), take()]).toEqual([true, false]);
  });

  it('bounds renders in flight per tenant, not across tenants', () => {
    const limits = new TenantLimits({ concurrency: 2, ratePerSec: 1000, burst: 1000, maxTenants: 10 }, clock().now);
    const a = limits.admit('a');
    const b = limits.admit('a');
    expect(limits.admit('a')).toMatchObject({ ok: false, reason: 'concurrency' });
    expect(limits.admit('b').ok).toBe(true);
    if (a.ok) {
      a.release();
      a.release(); // twice is harmless
    }
    expect(limits.admit('a').ok).toBe(true);
    expect(limits.admit('a').ok).toBe(false);
    expect(b.ok).toBe(true);
  });

  it('forgets idle tenants, so made-up tenant ids cannot grow its memory', () => {
    const c = clock();
    const limits = new TenantLimits({ concurrency: 1, ratePerSec: 1, burst: 1, maxTenants: 3 }, c.now);
    for (const t of ['a', 'b', 'c']) {
      const r = limits.admit(t);
      if (r.ok) r.release();
    }
    expect(limits.admit('d')).toMatchObject({ ok: false, reason: 'tenants' });
    c.advance(1000); // buckets refill: a, b, c are idle again
    expect(limits.admit('d').ok).toBe(true);
    expect(limits.size).toBe(1);
  });
});
