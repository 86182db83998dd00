// The supervisor owns the sandbox workers: it hands each invocation to an idle worker, enforces
// the wall deadline and the CPU-time backstop from outside the worker (terminate + replace),
// and turns every way a worker can fail into a coded error. Whatever a plug-in does, the
// supervisor keeps serving the next invocation.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { EgressService, type EgressSession } from '../egress/egress-service.js';
import { answer } from '../egress/guest-bridge.js';
import type { EgressLogEntry, EgressUsage } from '../egress/meter.js';
import { resolveEgressOptions, type ResolvedEgressOptions } from '../egress/options.js';
import type { EgressRequestMessage } from '../egress/protocol.js';
import {
  FuelExhaustedError,
  InternalError,
  MemoryLimitError,
  PluginTrapError,
  RegistryUnavailableError,
  SphError,
  WallTimeoutError,
  deserializeError,
} from '../errors.js';
import { isSessionOf, sameBudget, sessionKey, type Budget, type DoneMessage, type FromWorker, type InstanceSource, type LoadMessage, type ToWorker, type WarmedMessage } from './protocol.js';
import type { PluginLogLine } from './plugin-log.js';
import { threadCpuNs } from './thread-cpu.js';
import { threadEntry } from './worker-url.js';

export interface Usage {
  /** Fuel consumed; null when the worker was terminated before it could report. */
  fuel: number | null;
  /** Measured CPU time of the worker thread during the invocation. */
  cpuMs: number;
  /** Peak bytes over all linear memories of the instance; 0 when the worker was terminated before it could report. */
  memoryBytes: number;
  wallMs: number;
  /** Present for components that import wasi:http/outgoing-handler. */
  egress?: EgressUsage;
}

/** `instance`: how the render got its instance (absent when it never reached a worker). */
export type RunOutcome =
  | { ok: true; output: string; usage: Usage; logsDropped: number; instance?: InstanceSource }
  | { ok: false; error: SphError; usage: Usage; logsDropped: number; instance?: InstanceSource };

export interface RunRequest {
  key: string;
  input: string;
  budget: Budget;
  wallMs: number;
  cpuMs: number;
  onLog?: (line: PluginLogLine) => void;
  /** Aborting terminates the invocation (used by revocation). */
  signal?: AbortSignal;
  /** Who is asking, and where it may go (the manifest's allowed hosts). */
  egress?: EgressGrant;
  /** One call per egress request (and redirect hop), allowed or refused. */
  onEgress?: (entry: EgressLogEntry) => void;
  /**
   * The widget session (a tenant) the render belongs to: it may reuse the instance an earlier
   * successful render of the same session and component left in a worker. Absent: fresh.
   */
  widgetSession?: string;
  /** Start the session over with a fresh instance. */
  fresh?: boolean;
}

export interface EgressGrant {
  pluginId: string;
  invocationId: string;
  allowedHosts: readonly string[];
}

/** Make an instance of a component ahead of its next render, under the plug-in's own caps. */
export interface WarmRequest {
  key: string;
  budget: Budget;
  wallMs: number;
  cpuMs: number;
}

export interface SupervisorOptions {
  workers: number;
  /** JS heap of each worker; wasm memory is capped by the module rewrite, not here. */
  heapMb?: number;
  stackMb?: number;
  /** How often running invocations' CPU time is sampled. */
  cpuPollMs?: number;
  /** Host egress options (proxy, caps); absent: no proxy, every request refused. */
  egress?: ResolvedEgressOptions;
  onWorkerEvent?: (event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string }) => void;
  /** Called whenever workers, busy, queued or warm counts may have changed. */
  onStatsChange?: () => void;
  /**
   * The kill switch's gate (src/registry/client/kill-switch.ts): 8 shared bytes holding, as a
   * BigInt64, until when (ms, `performance.timeOrigin + performance.now()`) the host's snapshot
   * is fresh. Checked again right before a queued render is instantiated, so a render that
   * waited past the staleness bound is refused rather than run. Absent: no registry, no gate.
   */
  startGate?: SharedArrayBuffer;
  /** A session instance unused this long is dropped (default 30 s). */
  sessionIdleMs?: number;
}

interface Job extends RunRequest {
  kind: 'run' | 'warm';
  id: number;
  resolve: (o: RunOutcome) => void;
  startedAt: number;
  cpuStart: bigint | null;
  /** CPU time already spent for this render: making the warm instance it took. */
  cpuOffsetMs: number;
  timer?: NodeJS.Timeout;
  abortListener?: () => void;
  session: EgressSession | null;
}

interface Slot {
  worker: Worker;
  tid: number | null;
  ready: boolean;
  /** Keys whose bindings this worker has imported: the import is not charged to a render. */
  loaded: Set<string>;
  /** Keys this worker holds a warm instance of: the budget it was made under, the CPU time it took. */
  warm: Map<string, { budget: Budget; cpuMs: number }>;
  /** Session instances this worker keeps (sessionKey), with when each last served a render. */
  sessions: Map<string, number>;
  job: Job | null;
  /** The supervisor's end of this worker's egress channel. */
  egress: { port: MessagePort; signal: Int32Array };
}

const nsToMs = (ns: bigint) => Number(ns) / 1e6;

export class Supervisor {
  readonly #opts: Required<Omit<SupervisorOptions, 'onWorkerEvent' | 'onStatsChange' | 'startGate' | 'egress'>> & Pick<SupervisorOptions, 'onWorkerEvent' | 'onStatsChange'>;
  readonly #gate: BigInt64Array | undefined;
  readonly #egress: EgressService;
  readonly #slots = new Set<Slot>();
  readonly #loaded = new Map<string, LoadMessage>();
  readonly #queue: Job[] = [];
  /** Keys whose instantiation failed: no more warm attempts (renders report the failure). */
  readonly #warmFailed = new Set<string>();
  /** Warm instances asked for and not made yet, one request per key. */
  readonly #wantWarm = new Map<string, WarmRequest>();
  #nextId = 1;
  #poll: NodeJS.Timeout | undefined;
  readonly #sweep: NodeJS.Timeout;
  #closed = false;
  /** Consecutive workers that died before becoming ready: a broken install, not a plug-in. */
  #startFailures = 0;

  constructor(opts: SupervisorOptions) {
    const { startGate, egress, ...rest } = opts;
    this.#opts = { heapMb: 128, stackMb: 4, cpuPollMs: 5, sessionIdleMs: 30_000, ...rest };
    this.#gate = startGate ? new BigInt64Array(startGate) : undefined;
    this.#egress = new EgressService(egress ?? resolveEgressOptions(undefined));
    for (let i = 0; i < opts.workers; i++) this.#spawn();
    this.#sweep = setInterval(() => this.#dropIdleSessions(), Math.max(50, Math.min(5000, this.#opts.sessionIdleMs / 2)));
    this.#sweep.unref();
  }

  /** Session instances nobody rendered with for sessionIdleMs give their memory back. */
  #dropIdleSessions(): void {
    const cutoff = performance.now() - this.#opts.sessionIdleMs;
    let dropped = false;
    for (const slot of this.#slots) {
      const idle = [...slot.sessions].filter(([, at]) => at < cutoff).map(([k]) => k);
      if (idle.length === 0) continue;
      for (const k of idle) slot.sessions.delete(k);
      this.#post(slot, { type: 'drop-sessions', sessions: idle });
      dropped = true;
    }
    if (dropped) this.#opts.onStatsChange?.();
  }

  /** Makes a prepared component available to every worker, present and future. */
  load(msg: LoadMessage): void {
    if (this.#loaded.has(msg.key)) return;
    this.#loaded.set(msg.key, msg);
    for (const slot of this.#slots) this.#post(slot, msg);
  }

  unload(key: string): void {
    if (!this.#loaded.delete(key)) return;
    this.#warmFailed.delete(key);
    this.#wantWarm.delete(key);
    for (const slot of this.#slots) {
      slot.loaded.delete(key);
      slot.warm.delete(key);
      for (const k of [...slot.sessions.keys()]) if (isSessionOf(k, key)) slot.sessions.delete(k);
      this.#post(slot, { type: 'unload', key });
    }
    this.#opts.onStatsChange?.();
  }

  isLoaded(key: string): boolean {
    return this.#loaded.has(key);
  }

  get stats() {
    let busy = 0;
    let warm = 0;
    let sessions = 0;
    for (const s of this.#slots) {
      if (s.job) busy++;
      warm += s.warm.size;
      sessions += s.sessions.size;
    }
    return { workers: this.#slots.size, busy, queued: this.#queue.length, warm, sessions };
  }

  /**
   * Asks for an instance of `key` on a worker that has none, made when a worker is idle and
   * no render waits, so that the next render of it skips instantiation. At most one request
   * per component waits; a component whose instantiation failed is not warmed again.
   */
  warm(req: WarmRequest): void {
    if (this.#closed || !this.#loaded.has(req.key) || this.#warmFailed.has(req.key)) return;
    this.#wantWarm.set(req.key, req);
    this.#dispatch();
  }

  #startWarm(): void {
    // Instances are made only under a fresh kill-switch snapshot (the host also checks the
    // plug-in against it before asking), and never while a render waits.
    if (this.#queue.length > 0 || !this.#fresh()) return;
    for (const [key, req] of this.#wantWarm) {
      if (this.#warmFailed.has(key)) {
        this.#wantWarm.delete(key);
        continue;
      }
      // One attempt at a time per component: if it fails, the next would fail too.
      if ([...this.#slots].some((s) => s.job?.kind === 'warm' && s.job.key === key)) continue;
      // Preferably on a worker holding no session of this component: the session's next render
      // should find its worker idle, not busy making an instance it will not use.
      let slot: Slot | undefined;
      for (const s of this.#slots) {
        if (!s.ready || s.job || !s.loaded.has(key) || s.warm.has(key)) continue;
        if (!holdsSessionOf(s, key)) {
          slot = s;
          break;
        }
        slot ??= s;
      }
      if (!slot) continue;
      this.#wantWarm.delete(key);
      const job: Job = { ...req, kind: 'warm', input: '', id: this.#nextId++, startedAt: 0, cpuStart: null, cpuOffsetMs: 0, session: null, resolve: (o) => this.#warmFailedOn(key, o) };
      this.#start(slot, job);
    }
  }

  /** A warm job that ended without a 'warmed' message (killed, crashed, host closing). */
  #warmFailedOn(key: string, o: RunOutcome): void {
    if (!o.ok && this.#loaded.has(key) && !this.#closed) this.#warmFailed.add(key);
  }

  run(req: RunRequest): Promise<RunOutcome> {
    if (this.#closed) return Promise.reject(new InternalError('the host is closed'));
    if (!this.#loaded.has(req.key)) return Promise.reject(new InternalError(`component ${req.key} is not loaded`));
    return new Promise<RunOutcome>((resolve) => {
      const job: Job = { ...req, kind: 'run', id: this.#nextId++, resolve, startedAt: 0, cpuStart: null, cpuOffsetMs: 0, session: null };
      if (req.signal?.aborted) {
        resolve(this.#failed(job, req.signal.reason));
        return;
      }
      if (req.signal) {
        job.abortListener = () => this.#abort(job, req.signal!.reason);
        req.signal.addEventListener('abort', job.abortListener, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    clearInterval(this.#sweep);
    for (const job of this.#queue.splice(0)) this.#finish(job, this.#failed(job, new InternalError('the host closed before this render started')));
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const s of slots) if (s.job) this.#finish(s.job, this.#failed(s.job, new InternalError('the host closed during this render')));
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
    await this.#egress.close();
  }

  #spawn(): void {
    const entry = threadEntry('worker-entry');
    const channel = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: { egress: { port: channel.port2, signal } },
      transferList: [channel.port2],
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.#opts.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: this.#opts.stackMb },
      stdout: true, // a plug-in never reaches these, but the bindings could print: keep it off the host's stdout
      stderr: true,
      env: {},
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const slot: Slot = { worker, tid: null, ready: false, loaded: new Set(), warm: new Map(), sessions: new Map(), job: null, egress: { port: channel.port1, signal: new Int32Array(signal) } };
    channel.port1.on('message', (m: EgressRequestMessage) => this.#onEgressRequest(slot, m));
    channel.port1.unref();
    this.#slots.add(slot);
    for (const msg of this.#loaded.values()) this.#post(slot, msg);
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
    worker.on('error', (err: Error & { code?: string }) => this.#onCrash(slot, err));
    worker.on('exit', (code) => this.#onCrash(slot, new Error(`worker exited with code ${code}`)));
    worker.on('messageerror', (err) => this.#onCrash(slot, err));
    worker.unref();
    this.#opts.onWorkerEvent?.({ type: 'spawn' });
  }

  #post(slot: Slot, msg: ToWorker): void {
    try {
      slot.worker.postMessage(msg);
    } catch (err) {
      this.#onCrash(slot, err as Error);
    }
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    if (!this.#slots.has(slot)) return;
    if (m.type === 'ready') {
      slot.tid = m.tid;
      slot.ready = true;
      this.#startFailures = 0;
      this.#dispatch();
      return;
    }
    if (m.type === 'loaded') {
      if (this.#loaded.has(m.key)) slot.loaded.add(m.key);
      this.#dispatch();
      return;
    }
    const job = slot.job;
    if (!job || m.id !== job.id) return;
    if (m.type === 'warmed') {
      this.#onWarmed(slot, job, m);
      return;
    }
    if (m.type === 'log') {
      job.onLog?.(m.line);
      return;
    }
    slot.job = null;
    this.#finish(job, this.#fromDone(slot, job, m));
    this.#dispatch();
  }

  #onWarmed(slot: Slot, job: Job, m: WarmedMessage): void {
    slot.job = null;
    clearTimeout(job.timer);
    if (m.ok) {
      slot.warm.set(m.key, { budget: job.budget, cpuMs: this.#cpuMs(slot, job) });
      for (const key of m.evicted) slot.warm.delete(key);
    } else if (this.#loaded.has(m.key)) {
      // Instantiation failing is deterministic: cold renders will report it with its usage.
      this.#warmFailed.add(m.key);
    }
    this.#dispatch();
  }

  #fromDone(slot: Slot, job: Job, m: DoneMessage): RunOutcome {
    if (m.instance === 'warm') {
      // The worker handed this render its warm instance; the CPU time making it is the render's.
      const w = slot.warm.get(job.key);
      if (w) job.cpuOffsetMs = w.cpuMs;
      slot.warm.delete(job.key);
    }
    if (job.widgetSession !== undefined && m.session) {
      const sk = sessionKey(job.key, job.widgetSession);
      if (m.session.kept) slot.sessions.set(sk, performance.now());
      else slot.sessions.delete(sk);
      for (const k of m.session.evicted) slot.sessions.delete(k);
    }
    const usage: Usage = {
      fuel: m.usage.fuel,
      cpuMs: this.#cpuMs(slot, job),
      memoryBytes: m.usage.memoryBytes,
      wallMs: performance.now() - job.startedAt,
    };
    return m.ok
      ? { ok: true, output: m.output, usage, logsDropped: m.logsDropped, instance: m.instance }
      : { ok: false, error: deserializeError(m.error), usage, logsDropped: m.logsDropped, instance: m.instance };
  }

  #cpuMs(slot: Slot, job: Job): number {
    const now = threadCpuNs(slot.tid);
    return (now !== null && job.cpuStart !== null ? nsToMs(now - job.cpuStart) : 0) + job.cpuOffsetMs;
  }

  #dispatch(): void {
    if (this.#closed) return;
    this.#expireQueued();
    // Queued renders in order, each to an idle worker that has its component loaded,
    // preferring one that holds a warm instance of it.
    for (let i = 0; i < this.#queue.length; ) {
      const job = this.#queue[i]!;
      const slot = this.#idleSlotFor(job);
      if (!slot) {
        i++;
        continue;
      }
      this.#queue.splice(i, 1);
      this.#start(slot, job);
    }
    this.#startWarm();
    this.#updatePoll();
    this.#opts.onStatsChange?.();
  }

  #idleSlotFor(job: Job): Slot | undefined {
    // The worker holding the session's instance, then one with a warm instance, then any.
    const sk = job.widgetSession !== undefined && !job.fresh ? sessionKey(job.key, job.widgetSession) : undefined;
    if (sk !== undefined) {
      for (const s of this.#slots) {
        if (!s.sessions.has(sk) || !s.ready || !s.loaded.has(job.key)) continue;
        if (!s.job) return s;
        // Busy making an instance ahead of time (milliseconds, capped): worth waiting for,
        // rather than instantiating elsewhere and starting the session over.
        if (s.job.kind === 'warm') return undefined;
      }
    }
    let any: Slot | undefined;
    let warm: Slot | undefined;
    for (const s of this.#slots) {
      if (!s.ready || s.job || !s.loaded.has(job.key)) continue;
      if (!warm && usableWarm(s, job)) warm = s;
      any ??= s;
    }
    return warm ?? any;
  }

  #start(slot: Slot, job: Job): void {
    slot.job = job;
    job.startedAt = performance.now();
    job.cpuStart = threadCpuNs(slot.tid);
    // Egress only for renders: an instance being made ahead of time gets no request through.
    job.session = job.kind === 'run' ? this.#session(job) : null;
    this.#armDeadline(slot, job, job.wallMs);
    if (job.kind === 'warm') {
      this.#post(slot, { type: 'warm', id: job.id, key: job.key, budget: job.budget });
      return;
    }
    // Which instance the worker uses (session, warm, new) is settled when it reports (#fromDone).
    this.#post(slot, {
      type: 'run',
      id: job.id,
      key: job.key,
      input: job.input,
      budget: job.budget,
      ...(job.widgetSession !== undefined ? { session: job.widgetSession } : {}),
      ...(job.fresh ? { fresh: true } : {}),
    });
  }

  /** Whether the host's kill-switch snapshot is fresh (always, without a registry). */
  #fresh(): boolean {
    return !this.#gate || performance.timeOrigin + performance.now() <= Number(Atomics.load(this.#gate, 0));
  }

  #expireQueued(): void {
    if (this.#queue.length === 0 || this.#fresh()) return;
    for (const job of this.#queue.splice(0)) {
      const err = new RegistryUnavailableError('the kill-switch snapshot went stale while this render waited for a worker: refused (failing closed); retry when the registry is reachable', {
        reason: 'stale',
      });
      this.#finish(job, this.#failed(job, err));
    }
  }

  /**
   * Egress for one invocation, for components that can make requests at all. Requests must answer
   * a little before the wall cap, so the guest can still render a fallback when one times out.
   */
  #session(job: Job): EgressSession | null {
    const imports = this.#loaded.get(job.key)?.imports ?? [];
    if (!imports.some((i) => i.startsWith('wasi:http/outgoing-handler'))) return null;
    const reserveMs = Math.min(100, job.wallMs / 10);
    return this.#egress.session({
      pluginId: job.egress?.pluginId ?? 'plug-in',
      invocationId: job.egress?.invocationId ?? String(job.id),
      allowedHosts: job.egress?.allowedHosts ?? [],
      deadline: job.startedAt + job.wallMs - reserveMs,
      onLog: (e) => job.onEgress?.(e),
    });
  }

  #onEgressRequest(slot: Slot, m: EgressRequestMessage): void {
    if (m?.type !== 'request') return;
    const job = slot.job;
    const reply = (response: Parameters<typeof answer>[2]['response']) => answer(slot.egress.port, slot.egress.signal, { run: m.run, req: m.req, response });
    if (!job || job.id !== m.run || !job.session) {
      reply({ ok: false, error: { tag: 'HTTP-request-denied' } });
      return;
    }
    void job.session.fetch(m.request).then((r) => {
      if (slot.job === job) reply(r);
    });
  }

  /** Timers may fire a little early against performance.now(): re-arm for what is left. */
  #armDeadline(slot: Slot, job: Job, ms: number): void {
    job.timer = setTimeout(() => {
      const left = job.wallMs - (performance.now() - job.startedAt);
      if (left > 0) this.#armDeadline(slot, job, left);
      else this.#kill(slot, job, 'wall');
    }, Math.max(1, Math.ceil(ms)));
  }

  #updatePoll(): void {
    const busy = [...this.#slots].some((s) => s.job);
    if (busy && !this.#poll) {
      this.#poll = setInterval(() => this.#check(), this.#opts.cpuPollMs);
    } else if (!busy && this.#poll) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  /** The CPU-time backstop, and a second look at the wall deadline in case a timer ran late. */
  #check(): void {
    const now = performance.now();
    for (const slot of this.#slots) {
      const job = slot.job;
      if (!job) continue;
      if (now - job.startedAt >= job.wallMs) {
        this.#kill(slot, job, 'wall');
        continue;
      }
      if (this.#cpuMs(slot, job) >= job.cpuMs) this.#kill(slot, job, 'cpu');
    }
  }

  #kill(slot: Slot, job: Job, why: 'wall' | 'cpu' | 'abort', reason?: unknown): void {
    if (slot.job !== job) return;
    const cpuMs = this.#cpuMs(slot, job);
    const wallMs = performance.now() - job.startedAt;
    slot.job = null;
    this.#replace(slot, why);
    const error =
      why === 'wall'
        ? new WallTimeoutError(`the plug-in ran past the wall-clock cap of ${job.wallMs} ms and was stopped`, { wallMs: job.wallMs })
        : why === 'cpu'
          ? new FuelExhaustedError(`the plug-in used up its CPU budget of ${job.cpuMs} cpu-ms and was stopped: make render do less work`, { by: 'cpu-time' })
          : toSphError(reason);
    this.#finish(job, { ok: false, error, usage: { fuel: null, cpuMs, memoryBytes: 0, wallMs }, logsDropped: 0 });
    this.#dispatch();
  }

  #abort(job: Job, reason: unknown): void {
    const queued = this.#queue.indexOf(job);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
      this.#finish(job, this.#failed(job, reason));
      return;
    }
    for (const slot of this.#slots) if (slot.job === job) this.#kill(slot, job, 'abort', reason);
  }

  #onCrash(slot: Slot, err: Error & { code?: string }): void {
    if (!this.#slots.has(slot)) return;
    const job = slot.job;
    slot.job = null;
    if (!slot.ready) {
      this.#startFailed(slot, err);
      return;
    }
    this.#replace(slot, 'crash', err.message);
    if (job) {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const error = oom
        ? new MemoryLimitError('the plug-in exhausted the JavaScript heap of its sandbox', { by: 'js-heap' })
        : new PluginTrapError(`the sandbox worker failed: ${err.message}`, { kind: 'worker-crash' });
      this.#finish(job, { ok: false, error, usage: { fuel: null, cpuMs: 0, memoryBytes: 0, wallMs: performance.now() - job.startedAt }, logsDropped: 0 });
    }
    this.#dispatch();
  }

  /**
   * A worker that cannot even start would crash again at once: respawn with backoff, and after a
   * few failures in a row fail the waiting renders instead of letting them hang.
   */
  #startFailed(slot: Slot, err: Error): void {
    this.#slots.delete(slot);
    slot.egress.port.close();
    void slot.worker.terminate().catch(() => 0);
    const n = ++this.#startFailures;
    this.#opts.onWorkerEvent?.({ type: 'crash', reason: `worker failed to start: ${err.message}` });
    if (n >= 3) {
      for (const job of this.#queue.splice(0)) {
        this.#finish(job, this.#failed(job, new InternalError(`sandbox workers fail to start: ${err.message}`)));
      }
    }
    const retry = setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, Math.min(5000, 25 * 2 ** n));
    retry.unref();
  }

  /** Terminates a worker (without waiting for its teardown) and starts a fresh one. */
  #replace(slot: Slot, why: string, detail?: string): void {
    this.#slots.delete(slot);
    slot.egress.port.close();
    slot.worker.removeAllListeners('exit');
    slot.worker.on('exit', () => {});
    slot.worker.on('error', () => {});
    void slot.worker.terminate().catch(() => 0);
    this.#opts.onWorkerEvent?.({ type: why === 'crash' ? 'crash' : 'terminate', reason: detail ?? why });
    if (!this.#closed) this.#spawn();
  }

  #failed(job: Job, reason: unknown): RunOutcome {
    return { ok: false, error: toSphError(reason), usage: { fuel: null, cpuMs: 0, memoryBytes: 0, wallMs: 0 }, logsDropped: 0 };
  }

  #finish(job: Job, outcome: RunOutcome): void {
    clearTimeout(job.timer);
    if (job.session) {
      job.session.close();
      outcome.usage.egress = job.session.usage;
      job.session = null;
    }
    if (job.abortListener) job.signal?.removeEventListener('abort', job.abortListener);
    job.resolve(outcome);
  }
}

function holdsSessionOf(slot: Slot, key: string): boolean {
  for (const k of slot.sessions.keys()) if (isSessionOf(k, key)) return true;
  return false;
}

/** The warm instance a worker would hand this render (same rule as the worker: sameBudget). */
function usableWarm(slot: Slot, job: Job): { budget: Budget; cpuMs: number } | undefined {
  const w = slot.warm.get(job.key);
  return w && sameBudget(w.budget, job.budget) ? w : undefined;
}

function toSphError(reason: unknown): SphError {
  if (SphError.isSphError(reason)) return reason;
  return new InternalError(reason instanceof Error ? reason.message : String(reason ?? 'aborted'));
}
