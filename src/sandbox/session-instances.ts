// The instances one sandbox worker keeps between renders of the same widget session (one
// widget, one tenant). Reusing an instance skips instantiation and the engine's first-call
// costs (a componentize-js widget: ~13 ms to instantiate, first render 1.6 ms, later ones
// 0.4 ms); keeping instances costs memory, so they are bounded by count, bytes, renders and age,
// least recently used out first. Never shared across tenants: the key holds the tenant.
import { WASM_PAGE_BYTES } from '../config/limits.js';
import { isSessionOf, sameBudget, type Budget, type SessionChange } from './protocol.js';

export interface SessionLimits {
  /** Instances kept per worker. */
  maxInstances: number;
  /** Linear memory of all kept instances together. */
  maxBytes: number;
  /** Renders one instance serves before it is replaced by a fresh one. */
  maxRenders: number;
  /** Age (since instantiation) past which an instance is not reused. */
  maxAgeMs: number;
}

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = Object.freeze({
  maxInstances: 8,
  maxBytes: 128 * 1024 * 1024,
  maxRenders: 10_000,
  maxAgeMs: 10 * 60_000,
});

export interface Reusable {
  budget: Budget;
  /** Linear memory pages it holds (all memories, initial sizes included). */
  pages: number;
  renders: number;
  /** performance.now() at instantiation. */
  createdAt: number;
}

export class SessionInstances<T extends Reusable = Reusable> {
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  // Map order is recency: the most recently kept instance is last.
  readonly #byKey = new Map<string, T>();
  #bytes = 0;

  constructor(limits: Partial<SessionLimits> = {}, now: () => number = () => performance.now()) {
    this.#limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
    this.#now = now;
  }

  get size(): number {
    return this.#byKey.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Takes the session's instance out for one render, or undefined if it has none that may serve
   * it: a caller asking for a fresh instance, a different budget (a lower cap must not meet an
   * instance grown under a higher one), too many renders or too old. Those are dropped.
   */
  take(key: string, budget: Budget, fresh = false): T | undefined {
    const s = this.#byKey.get(key);
    if (!s) return undefined;
    this.delete(key);
    if (fresh || !sameBudget(s.budget, budget)) return undefined;
    if (s.renders >= this.#limits.maxRenders || this.#now() - s.createdAt > this.#limits.maxAgeMs) return undefined;
    return s;
  }

  /** Keeps an instance after a successful render; returns what changed (for the pool's routing). */
  keep(key: string, s: T): SessionChange {
    this.delete(key);
    const bytes = s.pages * WASM_PAGE_BYTES;
    if (bytes > this.#limits.maxBytes || this.#limits.maxInstances === 0) return { kept: false, evicted: [] };
    this.#byKey.set(key, s);
    this.#bytes += bytes;
    const evicted: string[] = [];
    for (const k of this.#byKey.keys()) {
      if (this.#byKey.size <= this.#limits.maxInstances && this.#bytes <= this.#limits.maxBytes) break;
      if (k === key) continue;
      this.delete(k);
      evicted.push(k);
    }
    return { kept: true, evicted };
  }

  delete(key: string): boolean {
    const s = this.#byKey.get(key);
    if (!s) return false;
    this.#byKey.delete(key);
    this.#bytes -= s.pages * WASM_PAGE_BYTES;
    return true;
  }

  /** Drops every session instance of a component (unloaded, revoked). */
  dropComponent(componentKey: string): void {
    for (const k of [...this.#byKey.keys()]) if (isSessionOf(k, componentKey)) this.delete(k);
  }
}
