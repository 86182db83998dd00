// Keeps misbehaving widgets from taking the worker pool from well-behaved ones. Two mechanisms,
// per widget version (id and component digest):
// - a circuit breaker: after `tripAfter` renders in a row that ran into a cap that costs a
//   worker its whole budget (fuel, CPU time, wall clock, memory) or much of it (output), the widget is suspended for a
//   cool-down that doubles on every new trip (up to `maxCoolDownMs`); while suspended its
//   renders fail at once with SPH_ERR_CIRCUIT_OPEN; after the cool-down one render probes it.
// - a suspect lane: widgets that hit such a cap recently (`suspectForMs`) together hold at most
//   `suspectConcurrency` workers at once (shared by all of them: five hostile widgets must not
//   take five workers); more of their renders are shed with SPH_ERR_OVERLOADED.
// Together they bound what hostile traffic costs: measured in bench/service-load.ts.
import { CircuitOpenError, OverloadedError } from '../errors.js';

export interface WidgetGuardOptions {
  tripAfter: number;
  coolDownMs: number;
  maxCoolDownMs: number;
  suspectForMs: number;
  suspectConcurrency: number;
}

/**
 * The outcomes that cost a worker its whole budget, or many good renders' worth of it: an
 * oversize output is made, copied and measured before it is refused (a 2 MiB one costs ~20
 * cpu-ms on Node 20, ten kpi-card renders).
 */
const EXPENSIVE = new Set(['SPH_ERR_FUEL_EXHAUSTED', 'SPH_ERR_WALL_TIMEOUT', 'SPH_ERR_MEMORY_LIMIT', 'SPH_ERR_OUTPUT_LIMIT']);

interface State {
  /** Expensive failures in a row. */
  streak: number;
  /** Time of the last expensive failure. */
  lastExpensiveAt: number;
  openUntil: number;
  coolDownMs: number;
  probing: boolean;
  /** Renders of this widget in flight while it is suspect. */
  suspectInFlight: number;
}

export interface Admitted {
  /** Reports the render's outcome: 'ok' or the error code. */
  done(outcome: string): void;
}

export class WidgetGuard {
  readonly #o: WidgetGuardOptions;
  readonly #now: () => number;
  readonly #state = new Map<string, State>();
  /** Renders of suspect widgets in flight, all widgets together. */
  #suspectInFlight = 0;

  constructor(options: WidgetGuardOptions, now: () => number = () => performance.now()) {
    this.#o = options;
    this.#now = now;
  }

  /** Admits a render of widget `id` at `digest` or throws the coded error it fails with at once. */
  admit(widget: string, digest: string): Admitted {
    // Per widget version: two widgets built from the same bytes are still two widgets.
    const key = `${widget}@${digest}`;
    const s = this.#state.get(key);
    if (!s) return { done: (o) => this.#record(key, o) };
    const now = this.#now();
    let probe = false;
    if (s.openUntil > now) {
      throw new CircuitOpenError(`${widget} is suspended for ${Math.ceil((s.openUntil - now) / 1000)} s after ${s.streak} renders in a row ran into its caps`, {
        retryAfterMs: Math.ceil(s.openUntil - now),
      });
    }
    if (s.openUntil > 0) {
      // Cool-down over: one render at a time probes the widget.
      if (s.probing) throw new CircuitOpenError(`${widget} is suspended while a render probes it`, { retryAfterMs: 1000 });
      s.probing = probe = true;
    }
    const suspect = now - s.lastExpensiveAt < this.#o.suspectForMs;
    if (suspect) {
      if (this.#suspectInFlight >= this.#o.suspectConcurrency) {
        if (probe) s.probing = false;
        throw new OverloadedError(`${widget} recently ran into its caps, and widgets like it already hold ${this.#suspectInFlight} workers: retry later`);
      }
      s.suspectInFlight++;
      this.#suspectInFlight++;
    }
    let reported = false;
    return {
      done: (outcome) => {
        if (reported) return;
        reported = true;
        if (suspect) {
          s.suspectInFlight--;
          this.#suspectInFlight--;
        }
        if (probe) s.probing = false;
        this.#record(key, outcome);
      },
    };
  }

  #record(key: string, outcome: string): void {
    const expensive = EXPENSIVE.has(outcome);
    let s = this.#state.get(key);
    if (!expensive) {
      if (s && outcome === 'ok') {
        s.streak = 0;
        s.openUntil = 0;
        s.coolDownMs = this.#o.coolDownMs;
        if (s.suspectInFlight === 0 && this.#now() - s.lastExpensiveAt >= this.#o.suspectForMs) this.#state.delete(key);
      }
      return;
    }
    const now = this.#now();
    if (!s) {
      s = { streak: 0, lastExpensiveAt: now, openUntil: 0, coolDownMs: this.#o.coolDownMs, probing: false, suspectInFlight: 0 };
      this.#state.set(key, s);
    }
    s.streak++;
    s.lastExpensiveAt = now;
    if (s.openUntil > 0) {
      // A failed probe: suspend again, twice as long.
      s.coolDownMs = Math.min(this.#o.maxCoolDownMs, s.coolDownMs * 2);
      s.openUntil = now + s.coolDownMs;
    } else if (s.streak >= this.#o.tripAfter) {
      s.openUntil = now + s.coolDownMs;
    }
  }

  /** Widgets currently suspended (for metrics). */
  get open(): number {
    const now = this.#now();
    let n = 0;
    for (const s of this.#state.values()) if (s.openUntil > now) n++;
    return n;
  }
}
