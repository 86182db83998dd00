// Per-tenant fairness for the render API: a token bucket bounds each tenant's request rate and
// a counter bounds its renders in flight, so one tenant (or one hostile widget a tenant keeps
// asking for) cannot take the whole worker pool from the others. State is per host process;
// idle tenants are forgotten so that a flood of made-up tenant ids cannot grow memory.

export interface TenantLimitOptions {
  /** Renders in flight per tenant. */
  concurrency: number;
  /** Sustained renders per second per tenant. */
  ratePerSec: number;
  /** Bucket size: renders a tenant may send at once after being idle. */
  burst: number;
  /** Tenants tracked at most; idle ones are dropped first. */
  maxTenants: number;
}

interface Bucket {
  tokens: number;
  at: number;
  inFlight: number;
}

export type Admission = { ok: true; release: () => void } | { ok: false; reason: 'rate' | 'concurrency' | 'tenants'; retryAfterMs: number };

export class TenantLimits {
  readonly #o: TenantLimitOptions;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(options: TenantLimitOptions, now: () => number = () => performance.now()) {
    this.#o = options;
    this.#now = now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  admit(tenant: string): Admission {
    const now = this.#now();
    let b = this.#buckets.get(tenant);
    if (!b) {
      if (this.#buckets.size >= this.#o.maxTenants) this.#sweep(now);
      if (this.#buckets.size >= this.#o.maxTenants) return { ok: false, reason: 'tenants', retryAfterMs: 1000 };
      b = { tokens: this.#o.burst, at: now, inFlight: 0 };
      this.#buckets.set(tenant, b);
    }
    this.#refill(b, now);
    if (b.inFlight >= this.#o.concurrency) return { ok: false, reason: 'concurrency', retryAfterMs: 100 };
    if (b.tokens < 1) return { ok: false, reason: 'rate', retryAfterMs: Math.ceil(((1 - b.tokens) / this.#o.ratePerSec) * 1000) };
    b.tokens -= 1;
    b.inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        b.inFlight--;
      },
    };
  }

  #refill(b: Bucket, now: number): void {
    b.tokens = Math.min(this.#o.burst, b.tokens + ((now - b.at) / 1000) * this.#o.ratePerSec);
    b.at = now;
  }

  /** Drops tenants with nothing in flight and a full bucket: forgetting them changes nothing. */
  #sweep(now: number): void {
    for (const [tenant, b] of this.#buckets) {
      this.#refill(b, now);
      if (b.inFlight === 0 && b.tokens >= this.#o.burst) this.#buckets.delete(tenant);
    }
  }
}
