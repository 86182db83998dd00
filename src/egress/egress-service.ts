// Runs plug-in requests for the sandbox (on the supervisor thread, never the host's main
// thread and never the plug-in's worker). One EgressService per host holds the dispatcher to
// the mesh proxy (connections are pooled across invocations); each invocation gets a session
// with its own policy, counters and deadline.
import { interceptors, type Dispatcher } from 'undici';
import { parseAllowedHosts } from './allowed-hosts.js';
import { ec, failure, isDenial, denialWasi, type WasiErrorCode } from './error-code.js';
import { EgressMeter, type EgressLogEntry, type EgressUsage } from './meter.js';
import { ipRangeList, type ResolvedEgressOptions } from './options.js';
import { createEgressPolicy, finishHop, type PolicyContext, type PolicyDispatchOptions, type RequestTrace } from './policy.js';
import { createProxyDispatcher } from './proxy-dispatcher.js';
import type { GuestRequest, GuestResponse } from './protocol.js';

export interface SessionSpec {
  pluginId: string;
  invocationId: string;
  allowedHosts: readonly string[];
  /** performance.now() by which every request must have answered (short of the wall cap). */
  deadline: number;
  onLog?: (entry: EgressLogEntry) => void;
}

export class EgressService {
  readonly options: ResolvedEgressOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ipRanges;
  readonly #methods: ReadonlySet<string>;

  constructor(options: ResolvedEgressOptions) {
    this.options = options;
    this.#dispatcher = createProxyDispatcher(options);
    this.#ipRanges = ipRangeList(options.allowIpRanges);
    this.#methods = new Set(options.methods);
  }

  session(spec: SessionSpec): EgressSession {
    const o = this.options;
    const meter = new EgressMeter((e) => spec.onLog?.(e), o.maxRequests + 4);
    let allowed;
    try {
      allowed = parseAllowedHosts(spec.allowedHosts);
    } catch {
      allowed = parseAllowedHosts([]); // validated at load; a bad list here allows nothing
    }
    const ctx: PolicyContext = {
      allowed,
      ipRanges: this.#ipRanges,
      methods: this.#methods,
      maxRequests: o.maxRequests,
      requestBodyBytes: o.requestBodyBytes,
      responseBodyBytes: o.responseBodyBytes,
      headerBytes: o.headerBytes,
      invocationId: spec.invocationId,
      meter,
      proxyUrl: o.proxyUrl ?? '(none)',
      pluginId: spec.pluginId,
    };
    // compose: the first interceptor is innermost. Redirect hops re-enter the policy.
    const dispatcher = this.#dispatcher.compose(createEgressPolicy(ctx), interceptors.redirect({ maxRedirections: o.maxRedirects }));
    return new EgressSession(ctx, dispatcher, spec.deadline, o);
  }

  close(): Promise<void> {
    return this.#dispatcher.close().catch(() => undefined);
  }
}

type Collected = { ok: true; status: number; headers: [string, string][]; body: Buffer } | { ok: false; err: Error };

/** Collects one response (the policy has already bounded its size). */
class CollectHandler implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #headers: [string, string][] = [];
  #chunks: Buffer[] = [];
  readonly #done: (r: Collected) => void;

  constructor(done: (r: Collected) => void) {
    this.#done = done;
  }
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>): void {
    this.controller = controller;
    this.#status = statusCode;
    for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) this.#headers.push([k, x]);
  }
  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }
  onResponseEnd(): void {
    this.#done({ ok: true, status: this.#status, headers: this.#headers, body: Buffer.concat(this.#chunks) });
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.#done({ ok: false, err });
  }
}

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'transfer-encoding', 'upgrade', 'trailer']);
const deadlineError = () => Object.assign(new Error('the request did not complete before its deadline'), { code: 'UND_ERR_HEADERS_TIMEOUT' });

export class EgressSession {
  readonly #ctx: PolicyContext;
  readonly #dispatcher: Dispatcher;
  readonly #deadline: number;
  readonly #options: ResolvedEgressOptions;
  readonly #inFlight = new Set<() => void>();
  #closed = false;

  constructor(ctx: PolicyContext, dispatcher: Dispatcher, deadline: number, options: ResolvedEgressOptions) {
    this.#ctx = ctx;
    this.#dispatcher = dispatcher;
    this.#deadline = deadline;
    this.#options = options;
  }

  get usage(): EgressUsage {
    return structuredClone(this.#ctx.meter.usage);
  }

  get suppressedLogs(): number {
    return this.#ctx.meter.suppressedLogs;
  }

  /** Runs one guest request through policy and proxy. Never rejects: errors become error codes. */
  fetch(req: GuestRequest): Promise<GuestResponse> {
    if (this.#closed) return Promise.resolve({ ok: false, error: ec('HTTP-request-denied') });
    const left = Math.floor(Math.min(this.#options.timeoutMs, this.#deadline - performance.now()));
    const trace: RequestTrace = { hops: 0, settled: false, current: null };
    return new Promise<GuestResponse>((resolve) => {
      let settled = false;
      const settle = (r: GuestResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#inFlight.delete(cancel);
        resolve(r);
      };
      const collect = new CollectHandler((r) => {
        if (r.ok) {
          const headers = r.headers.filter(([k]) => !HOP_BY_HOP_RESPONSE.has(k));
          settle({ ok: true, status: r.status, headers, body: new Uint8Array(r.body.buffer, r.body.byteOffset, r.body.byteLength) });
        } else settle({ ok: false, error: this.#wasi(r.err) });
      });
      // Past the deadline the guest gets its answer now, whatever phase undici is in (a request
      // still waiting for its tunnel cannot be aborted through its handler yet).
      const giveUp = (why: 'deadline' | 'closed') => {
        const err = deadlineError();
        const hop = trace.current;
        if (hop) {
          finishHop(this.#ctx, trace, hop, why === 'deadline'
            ? { outcome: 'failed', code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'timeout', errorCode: 'HTTP-response-timeout', message: `no complete response within ${left} ms (egress.timeoutMs, cut short of the wall cap)` }
            : { outcome: 'failed', code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'invocation-ended', errorCode: 'HTTP-response-timeout', message: 'the invocation ended (or was stopped) before the response arrived' });
        }
        trace.settled = true;
        collect.controller?.abort(err);
        settle({ ok: false, error: ec('HTTP-response-timeout') });
      };
      const cancel = () => giveUp('closed');
      this.#inFlight.add(cancel);
      const timer = setTimeout(() => giveUp('deadline'), Math.max(1, left));
      const opts: PolicyDispatchOptions = {
        origin: `${req.scheme}://${req.authority}`,
        path: req.path,
        method: req.method,
        headers: req.headers,
        body: req.body,
        headersTimeout: Math.max(1, left),
        bodyTimeout: Math.max(1, left),
        egressTrace: trace,
      };
      try {
        this.#dispatcher.dispatch(opts, collect);
      } catch (err) {
        settle({ ok: false, error: this.#wasi(err) });
      }
    });
  }

  #wasi(err: unknown): WasiErrorCode {
    if (isDenial(err)) return denialWasi(err);
    return failure(err, this.#options.proxyUrl ?? '(none)').wasi;
  }

  /** Ends the invocation: requests still running are abandoned (and aborted where undici can). */
  close(): void {
    this.#closed = true;
    for (const cancel of [...this.#inFlight]) cancel();
  }
}
