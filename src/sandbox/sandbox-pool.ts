// The host side of the sandbox: a handle on the supervisor thread (which owns the workers and
// the deadlines). Same shape as Supervisor, so the host does not care where supervision runs.
import { Worker } from 'node:worker_threads';
import { InternalError, deserializeError, serializeError, SphError } from '../errors.js';
import type { LoadMessage } from './protocol.js';
import type { RunOutcome, RunRequest, SupervisorOptions, WarmRequest } from './supervisor.js';
import { STATS_FIELDS, type FromSupervisor, type PoolStats, type SupervisorThreadOptions, type ToSupervisor } from './supervisor-protocol.js';
import { threadEntry } from './worker-url.js';

interface Pending {
  resolve: (o: RunOutcome) => void;
  req: RunRequest;
  abortListener?: () => void;
}

export class SandboxPool {
  readonly #opts: SupervisorOptions;
  readonly #loaded = new Map<string, LoadMessage>();
  readonly #pending = new Map<number, Pending>();
  #thread!: Worker;
  #nextId = 1;
  #closed = false;
  /** Pool gauges the supervisor thread writes (STATS_FIELDS order). */
  #gauges!: Int32Array;

  constructor(opts: SupervisorOptions) {
    this.#opts = opts;
    this.#start();
  }

  #start(): void {
    const entry = threadEntry('supervisor-thread');
    const { onWorkerEvent: _ignored, onStatsChange: _ignored2, ...rest } = this.#opts;
    // A restarted supervisor starts its gauges over.
    this.#gauges = new Int32Array(new SharedArrayBuffer(STATS_FIELDS.length * 4));
    Atomics.store(this.#gauges, 0, this.#opts.workers);
    const data: SupervisorThreadOptions = { ...rest, statsBuffer: this.#gauges.buffer as SharedArrayBuffer };
    // execArgv: [] so the host process's own flags (--input-type, --inspect, ...) never reach the sandbox.
    const thread = new Worker(entry.script, { eval: entry.eval, workerData: data, env: {}, execArgv: [] });
    this.#thread = thread;
    thread.unref();
    thread.on('message', (m: FromSupervisor) => this.#onMessage(m));
    const died = (err: Error) => {
      if (this.#thread !== thread || this.#closed) return;
      // A host bug, never a plug-in: fail what was in flight and start again with the same
      // components, so the host keeps serving.
      for (const [id, p] of this.#pending) this.#settle(id, p, this.#failed(new InternalError(`the sandbox supervisor stopped: ${err.message}`)));
      this.#opts.onWorkerEvent?.({ type: 'crash', reason: `supervisor thread: ${err.message}` });
      this.#start();
    };
    thread.on('error', died);
    thread.on('exit', (code) => died(new Error(`exited with code ${code}`)));
    for (const msg of this.#loaded.values()) this.#post({ type: 'load', msg });
  }

  #post(m: ToSupervisor): void {
    this.#thread.postMessage(m);
  }

  #onMessage(m: FromSupervisor): void {
    switch (m.type) {
      case 'event':
        this.#opts.onWorkerEvent?.(m.event);
        return;
      case 'log':
        this.#pending.get(m.id)?.req.onLog?.(m.line);
        return;
      case 'egress':
        this.#pending.get(m.id)?.req.onEgress?.(m.entry);
        return;
      case 'done': {
        const p = this.#pending.get(m.id);
        if (!p) return;
        const o = m.outcome;
        this.#settle(m.id, p, o.ok ? o : { ...o, error: deserializeError(o.error) });
      }
    }
  }

  #settle(id: number, p: Pending, outcome: RunOutcome): void {
    this.#pending.delete(id);
    if (p.abortListener) p.req.signal?.removeEventListener('abort', p.abortListener);
    if (this.#pending.size === 0) this.#thread.unref();
    p.resolve(outcome);
  }

  #failed(error: SphError): RunOutcome {
    return { ok: false, error, usage: { fuel: null, cpuMs: 0, memoryBytes: 0, wallMs: 0 }, logsDropped: 0 };
  }

  load(msg: LoadMessage): void {
    if (this.#loaded.has(msg.key)) return;
    this.#loaded.set(msg.key, msg);
    this.#post({ type: 'load', msg });
  }

  unload(key: string): void {
    if (this.#loaded.delete(key)) this.#post({ type: 'unload', key });
  }

  /** Asks for an instance of `key` to be made ahead of its next render (best effort). */
  warm(req: WarmRequest): void {
    if (!this.#closed && this.#loaded.has(req.key)) this.#post({ type: 'warm', req });
  }

  isLoaded(key: string): boolean {
    return this.#loaded.has(key);
  }

  get stats(): PoolStats & { inFlight: number } {
    const stats = Object.fromEntries(STATS_FIELDS.map((f, i) => [f, Atomics.load(this.#gauges, i)])) as PoolStats;
    return { ...stats, inFlight: this.#pending.size };
  }

  run(req: RunRequest): Promise<RunOutcome> {
    if (this.#closed) return Promise.reject(new InternalError('the host is closed'));
    if (!this.#loaded.has(req.key)) return Promise.reject(new InternalError(`component ${req.key} is not loaded`));
    return new Promise<RunOutcome>((resolve) => {
      const id = this.#nextId++;
      const p: Pending = { resolve, req };
      if (req.signal?.aborted) {
        resolve(this.#failed(toSph(req.signal.reason)));
        return;
      }
      if (req.signal) {
        p.abortListener = () => this.#post({ type: 'abort', id, reason: serializeError(toSph(req.signal!.reason)) });
        req.signal.addEventListener('abort', p.abortListener, { once: true });
      }
      this.#pending.set(id, p);
      // Keep the process alive while a render is in flight (the thread is unref'd when idle).
      this.#thread.ref();
      this.#post({
        type: 'run',
        id,
        spec: {
          key: req.key,
          input: req.input,
          budget: req.budget,
          wallMs: req.wallMs,
          cpuMs: req.cpuMs,
          ...(req.egress ? { egress: req.egress } : {}),
          ...(req.widgetSession !== undefined ? { widgetSession: req.widgetSession } : {}),
          ...(req.fresh ? { fresh: true } : {}),
        },
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, p] of this.#pending) this.#settle(id, p, this.#failed(new InternalError('the host closed during this render')));
    const thread = this.#thread;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    this.#post({ type: 'close' });
    // The supervisor terminates its workers and exits; if it does not within 2 s, terminate
    // it. Termination waits for V8 to reach a stack check in every worker, which a plug-in
    // cannot postpone for long (src/wasm/interrupt-point.ts), but close() must return even
    // if that ever fails: the threads are unref'd and cannot keep the process alive.
    const timers: NodeJS.Timeout[] = [];
    const gaveUp = new Promise<void>((resolve) => {
      timers.push(setTimeout(() => void thread.terminate().catch(() => 0), 2000));
      timers.push(setTimeout(resolve, 5000));
    });
    await Promise.race([exited, gaveUp]);
    for (const t of timers) clearTimeout(t);
  }
}

function toSph(reason: unknown): SphError {
  if (SphError.isSphError(reason)) return reason;
  return new InternalError(reason instanceof Error ? reason.message : String(reason ?? 'aborted'));
}
