// What one invocation's egress used and what went wrong: the figures for the usage record and
// one log entry per request. Bounded: a plug-in that loops on refused requests gets counted,
// not logged ten thousand times.

export type EgressOutcome = 'ok' | 'denied' | 'failed';

/** One request (one hop of a redirect chain), as logged. Never bodies, paths or header values. */
export interface EgressLogEntry {
  outcome: EgressOutcome;
  method: string;
  /** scheme://host[:port] */
  origin: string;
  status?: number;
  bytesOut: number;
  bytesIn: number;
  ms: number;
  /** 0 for the guest's own request, 1.. for redirect hops the host followed. */
  hop: number;
  code?: 'SPH_ERR_EGRESS_DENIED' | 'SPH_ERR_EGRESS_UNAVAILABLE';
  reason?: string;
  /** The wasi:http error-code the guest saw. */
  errorCode?: string;
  message?: string;
}

export interface EgressIssue {
  code: 'SPH_ERR_EGRESS_DENIED' | 'SPH_ERR_EGRESS_UNAVAILABLE';
  reason: string;
  message: string;
  method: string;
  origin: string;
  errorCode: string;
}

/** `usage.egress`. */
export interface EgressUsage {
  /** Requests that went to the proxy (each redirect hop counts). */
  requests: number;
  /** Requests the policy refused: they never left the host. */
  denied: number;
  /** Requests that went to the proxy but did not complete (unreachable, timeout, cut off). */
  failed: number;
  /** Request body bytes sent. */
  bytesOut: number;
  /** Response body bytes received. */
  bytesIn: number;
  /** Why requests were refused or failed, first few (the counts above are exact). */
  errors: EgressIssue[];
}

const MAX_ISSUES = 8;

export class EgressMeter {
  readonly usage: EgressUsage = { requests: 0, denied: 0, failed: 0, bytesOut: 0, bytesIn: 0, errors: [] };
  /** Every request the policy saw, refused or not: what the request cap counts. */
  attempts = 0;
  /** Request body bytes admitted by the policy (sent or in flight): what the body cap counts. */
  reservedOut = 0;
  readonly #emit: (e: EgressLogEntry) => void;
  readonly #maxLogged: number;
  #logged = 0;
  #suppressed = 0;

  constructor(emit: (e: EgressLogEntry) => void, maxLogged: number) {
    this.#emit = emit;
    this.#maxLogged = maxLogged;
  }

  get suppressedLogs(): number {
    return this.#suppressed;
  }

  record(e: EgressLogEntry): void {
    if (e.outcome === 'denied') this.usage.denied++;
    else this.usage.requests++;
    if (e.outcome === 'failed') this.usage.failed++;
    if (e.code && this.usage.errors.length < MAX_ISSUES) {
      this.usage.errors.push({ code: e.code, reason: e.reason ?? 'unknown', message: e.message ?? '', method: e.method, origin: e.origin, errorCode: e.errorCode ?? 'internal-error' });
    }
    if (this.#logged < this.#maxLogged) {
      this.#logged++;
      this.#emit(e);
    } else this.#suppressed++;
  }
}
