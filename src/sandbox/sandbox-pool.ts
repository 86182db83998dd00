// The host side of the sandbox, on the host's main thread: it queues renders, routes each to a
// worker (the one holding the tenant's session instance, else one with a warm instance, else
// any idle one), and talks to the workers directly over their control ports. The workers
// belong to the supervisor thread (src/sandbox/supervisor.ts), which starts them, enforces the
// deadlines and CPU backstop, runs their egress and reports when one dies; before handing a
// worker a job, the pool tells the supervisor what to watch. A render thus costs two thread
// wake-ups (main -> worker -> main), not four through a middleman.
import { Worker, type MessagePort } from 'node:worker_threads';
import type { EgressLogEntry, EgressUsage } from '../egress/meter.js';
import type { ResolvedEgressOptions } from '../egress/options.js';
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
import type { PluginLogLine } from './plugin-log.js';
import { isSessionOf, makesRequests, sameBudget, sessionKey, type Budget, type DoneMessage, type FromWorker, type InstanceSource, type LoadMessage, type ToWorker, type WarmedMessage } from './protocol.js';
import type { EgressGrant, EndedJob, FromSupervisor, SupervisorOptions, ToSupervisor } from './supervisor-protocol.js';
import { ThreadCpuClock } from './thread-cpu.js';
import { threadEntry } from './worker-url.js';

export type { EgressGrant } from './supervisor-protocol.js';

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

/** Make an instance of a component ahead of its next render, under the plug-in's own caps. */
export interface WarmRequest {
  key: string;
  budget: Budget;
  wallMs: number;
  cpuMs: number;
}

export interface SandboxPoolOptions extends SupervisorOptions {
  onWorkerEvent?: (event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string }) => void;
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
  abortListener?: () => void;
  /** A render that may make requests: its answer is held until the supervisor reports its egress usage. */
  egressPending: boolean;
  /** The supervisor's report, if it came before the worker's answer (they travel on different channels). */
  egressUsage?: EgressUsage;
  /** The worker's answer, held for the egress usage. */
  outcome?: RunOutcome;
}

interface Slot {
  id: number;
  port: MessagePort;
  cpu: ThreadCpuClock;
  /** Keys whose bindings this worker has imported: the import is not charged to a render. */
  loaded: Set<string>;
  /** Keys this worker holds a warm instance of: the budget it was made under, the CPU time it took. */
  warm: Map<string, { budget: Budget; cpuMs: number }>;
  /** Session instances this worker keeps (sessionKey), with when each last served a render. */
  sessions: Map<string, number>;
  job: Job | null;
}

const nsToMs = (ns: bigint) => Number(ns) / 1e6;
const noUsage = (): Usage => ({ fuel: null, cpuMs: 0, memoryBytes: 0, wallMs: 0 });

export class SandboxPool {
  readonly #opts: SandboxPoolOptions & { sessionIdleMs: number };
  readonly #gate: BigInt64Array | undefined;
  readonly #slots = new Map<number, Slot>();
  readonly #loaded = new Map<string, LoadMessage>();
  readonly #queue: Job[] = [];
  /** Jobs handed to the supervisor thread's watch, by id (a render keeps the process alive). */
  readonly #running = new Map<number, Job>();
  /** Keys whose instantiation failed: no more warm attempts (renders report the failure). */
  readonly #warmFailed = new Set<string>();
  /** Warm instances asked for and not made yet, one request per key. */
  readonly #wantWarm = new Map<string, WarmRequest>();
  /** Renders waiting for the supervisor's word on their egress usage. */
  readonly #egressWait = new Map<number, Job>();
  #thread!: Worker;
  /** Workers the supervisor has, starting ones included (a killed worker is replaced at once). */
  #workers: number;
  #nextId = 1;
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(opts: SandboxPoolOptions) {
    this.#opts = { sessionIdleMs: 30_000, ...opts };
    this.#gate = opts.startGate ? new BigInt64Array(opts.startGate) : undefined;
    this.#workers = opts.workers;
    this.#start();
    this.#sweep = setInterval(() => this.#dropIdleSessions(), Math.max(50, Math.min(5000, this.#opts.sessionIdleMs / 2)));
    this.#sweep.unref();
  }

  // ---- the supervisor thread -------------------------------------------------------------

  #start(): void {
    const entry = threadEntry('supervisor-thread');
    const { workers, heapMb, stackMb, cpuPollMs, egress } = this.#opts;
    const data: SupervisorOptions = { workers, ...(heapMb ? { heapMb } : {}), ...(stackMb ? { stackMb } : {}), ...(cpuPollMs ? { cpuPollMs } : {}), ...(egress ? { egress: egress as ResolvedEgressOptions } : {}) };
    // execArgv: [] so the host process's own flags (--input-type, --inspect, ...) never reach the sandbox.
    const thread = new Worker(entry.script, { eval: entry.eval, workerData: data, env: {}, execArgv: [] });
    this.#thread = thread;
    thread.unref();
    thread.on('message', (m: FromSupervisor) => this.#onSupervisor(m));
    const died = (err: Error) => {
      if (this.#thread !== thread || this.#closed) return;
      // A host bug, never a plug-in: its workers went with it. Fail what was in flight and start
      // again with the same components, so the host keeps serving.
      const failure = new InternalError(`the sandbox supervisor stopped: ${err.message}`);
      for (const slot of [...this.#slots.values()]) this.#dropSlot(slot, (job) => this.#failed(job, failure));
      for (const job of this.#egressWait.values()) this.#finish(job, job.outcome ?? this.#failed(job, failure));
      this.#opts.onWorkerEvent?.({ type: 'crash', reason: `supervisor thread: ${err.message}` });
      this.#start();
    };
    thread.on('error', died);
    thread.on('exit', (code) => died(new Error(`exited with code ${code}`)));
  }

  #tell(m: ToSupervisor): void {
    this.#thread.postMessage(m);
  }

  #onSupervisor(m: FromSupervisor): void {
    switch (m.type) {
      case 'worker':
        this.#addSlot(m.slot, m.port, m.tid);
        return;
      case 'killed': {
        const slot = this.#slots.get(m.slot);
        const ended = m.ended;
        const error =
          m.why === 'wall'
            ? (job: Job) => new WallTimeoutError(`the plug-in ran past the wall-clock cap of ${job.wallMs} ms and was stopped`, { wallMs: job.wallMs })
            : (job: Job) => new FuelExhaustedError(`the plug-in used up its CPU budget of ${job.cpuMs} cpu-ms and was stopped: make render do less work`, { by: 'cpu-time' });
        if (slot) this.#dropSlot(slot, (job) => this.#endedBy(job, error(job), ended));
        this.#egressEnded(ended);
        this.#dispatch();
        return;
      }
      case 'exited': {
        const slot = this.#slots.get(m.slot);
        const error = m.oom
          ? new MemoryLimitError('the plug-in exhausted the JavaScript heap of its sandbox', { by: 'js-heap' })
          : new PluginTrapError(`the sandbox worker failed: ${m.message}`, { kind: 'worker-crash' });
        if (slot) this.#dropSlot(slot, (job) => this.#endedBy(job, error, m.ended));
        if (m.ended) this.#egressEnded(m.ended);
        this.#dispatch();
        return;
      }
      case 'start-failing':
        for (const job of this.#queue.splice(0)) this.#finish(job, this.#failed(job, new InternalError(`sandbox workers fail to start: ${m.message}`)));
        return;
      case 'egress-usage': {
        const waiting = this.#egressWait.get(m.job);
        if (waiting?.outcome) {
          waiting.outcome.usage.egress = m.usage;
          this.#finish(waiting, waiting.outcome);
          return;
        }
        const running = this.#running.get(m.job);
        if (running) running.egressUsage = m.usage;
        return;
      }
      case 'egress-log':
        (this.#running.get(m.job) ?? this.#egressWait.get(m.job))?.onEgress?.(m.entry);
        return;
      case 'event':
        this.#workers = m.workers;
        this.#opts.onWorkerEvent?.(m.event);
        return;
    }
  }

  /** A job whose worker went away: the supervisor's measure of it, when it had one. */
  #endedBy(job: Job, error: SphError, ended: EndedJob | undefined): RunOutcome {
    const usage: Usage = ended?.job === job.id ? { fuel: null, cpuMs: ended.cpuMs + job.cpuOffsetMs, memoryBytes: 0, wallMs: ended.wallMs } : { ...noUsage(), wallMs: performance.now() - job.startedAt };
    if (ended?.job === job.id && ended.egress) usage.egress = ended.egress;
    return { ok: false, error, usage, logsDropped: 0 };
  }

  /** A render that answered, then lost its worker before its egress usage came: settle it with what is known. */
  #egressEnded(ended: EndedJob): void {
    const job = this.#egressWait.get(ended.job);
    if (!job?.outcome) return;
    if (ended.egress) job.outcome.usage.egress = ended.egress;
    this.#finish(job, job.outcome);
  }

  // ---- workers ------------------------------------------------------------------------------

  #addSlot(id: number, port: MessagePort, tid: number | null): void {
    if (this.#closed) {
      port.close();
      return;
    }
    const slot: Slot = { id, port, cpu: new ThreadCpuClock(tid), loaded: new Set(), warm: new Map(), sessions: new Map(), job: null };
    this.#slots.set(id, slot);
    port.on('message', (m: FromWorker) => this.#onWorker(slot, m));
    port.unref();
    for (const msg of this.#loaded.values()) this.#post(slot, msg);
  }

  #post(slot: Slot, msg: ToWorker): void {
    try {
      slot.port.postMessage(msg);
    } catch (err) {
      // Not cloneable, or the port is gone: the worker cannot take it. Replace it.
      this.#abandon(slot, `posting to the worker failed: ${(err as Error).message}`);
    }
  }

  /**
   * Forgets a worker, failing (or, for a warm job, just dropping) what ran on it. `outcome` says
   * how its job ended.
   */
  #dropSlot(slot: Slot, outcome: (job: Job) => RunOutcome): void {
    if (!this.#slots.delete(slot.id)) return;
    slot.port.close();
    slot.cpu.close();
    const job = slot.job;
    slot.job = null;
    if (job) this.#finish(job, outcome(job));
  }

  /** Gives up a worker from this side (a render on it was aborted): the supervisor terminates and replaces it. */
  #abandon(slot: Slot, reason: string, outcome?: (job: Job) => RunOutcome): void {
    this.#dropSlot(slot, outcome ?? ((job) => this.#failed(job, new InternalError(reason))));
    this.#tell({ type: 'terminate', slot: slot.id, reason });
  }

  #onWorker(slot: Slot, m: FromWorker): void {
    if (!this.#slots.has(slot.id)) return;
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
    const outcome = this.#fromDone(slot, job, m);
    if (job.egressUsage) outcome.usage.egress = job.egressUsage;
    else if (job.egressPending) {
      // The worker is free for the next job; this render waits for its egress usage.
      this.#running.delete(job.id);
      job.outcome = outcome;
      this.#egressWait.set(job.id, job);
      this.#dispatch();
      return;
    }
    this.#finish(job, outcome);
    this.#dispatch();
  }

  #onWarmed(slot: Slot, job: Job, m: WarmedMessage): void {
    slot.job = null;
    this.#running.delete(job.id);
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
    const now = slot.cpu.ns();
    return (now !== null && job.cpuStart !== null ? nsToMs(now - job.cpuStart) : 0) + job.cpuOffsetMs;
  }

  // ---- components, warm instances, sessions --------------------------------------------------

  /** Makes a prepared component available to every worker, present and future. */
  load(msg: LoadMessage): void {
    if (this.#loaded.has(msg.key)) return;
    this.#loaded.set(msg.key, msg);
    for (const slot of this.#slots.values()) this.#post(slot, msg);
  }

  unload(key: string): void {
    if (!this.#loaded.delete(key)) return;
    this.#warmFailed.delete(key);
    this.#wantWarm.delete(key);
    for (const slot of this.#slots.values()) {
      slot.loaded.delete(key);
      slot.warm.delete(key);
      for (const k of [...slot.sessions.keys()]) if (isSessionOf(k, key)) slot.sessions.delete(k);
      this.#post(slot, { type: 'unload', key });
    }
  }

  isLoaded(key: string): boolean {
    return this.#loaded.has(key);
  }

  get stats() {
    let busy = 0;
    let warm = 0;
    let sessions = 0;
    for (const s of this.#slots.values()) {
      if (s.job) busy++;
      warm += s.warm.size;
      sessions += s.sessions.size;
    }
    return { workers: this.#workers, busy, queued: this.#queue.length, warm, sessions, inFlight: this.#running.size + this.#queue.length };
  }

  /** Session instances nobody rendered with for sessionIdleMs give their memory back. */
  #dropIdleSessions(): void {
    const cutoff = performance.now() - this.#opts.sessionIdleMs;
    for (const slot of this.#slots.values()) {
      const idle = [...slot.sessions].filter(([, at]) => at < cutoff).map(([k]) => k);
      if (idle.length === 0) continue;
      for (const k of idle) slot.sessions.delete(k);
      this.#post(slot, { type: 'drop-sessions', sessions: idle });
    }
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
      if ([...this.#slots.values()].some((s) => s.job?.kind === 'warm' && s.job.key === key)) continue;
      // Preferably on a worker holding no session of this component: the session's next render
      // should find its worker idle, not busy making an instance it will not use.
      let slot: Slot | undefined;
      for (const s of this.#slots.values()) {
        if (s.job || !s.loaded.has(key) || s.warm.has(key)) continue;
        if (!holdsSessionOf(s, key)) {
          slot = s;
          break;
        }
        slot ??= s;
      }
      if (!slot) continue;
      this.#wantWarm.delete(key);
      const job: Job = { ...req, kind: 'warm', input: '', id: this.#nextId++, startedAt: 0, cpuStart: null, cpuOffsetMs: 0, egressPending: false, resolve: (o) => this.#warmFailedOn(key, o) };
      this.#begin(slot, job);
    }
  }

  /** A warm job that ended without a 'warmed' message (killed, crashed, host closing). */
  #warmFailedOn(key: string, o: RunOutcome): void {
    if (!o.ok && this.#loaded.has(key) && !this.#closed) this.#warmFailed.add(key);
  }

  // ---- renders --------------------------------------------------------------------------

  run(req: RunRequest): Promise<RunOutcome> {
    if (this.#closed) return Promise.reject(new InternalError('the host is closed'));
    if (!this.#loaded.has(req.key)) return Promise.reject(new InternalError(`component ${req.key} is not loaded`));
    return new Promise<RunOutcome>((resolve) => {
      const job: Job = { ...req, kind: 'run', id: this.#nextId++, resolve, startedAt: 0, cpuStart: null, cpuOffsetMs: 0, egressPending: false };
      if (req.signal?.aborted) {
        resolve(this.#failed(job, req.signal.reason));
        return;
      }
      if (req.signal) {
        job.abortListener = () => this.#abort(job, req.signal!.reason);
        req.signal.addEventListener('abort', job.abortListener, { once: true });
      }
      this.#queue.push(job);
      // Keep the process alive while a render is in flight (the thread is unref'd when idle).
      this.#thread.ref();
      this.#dispatch();
    });
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
      this.#begin(slot, job);
    }
    this.#startWarm();
  }

  #idleSlotFor(job: Job): Slot | undefined {
    // The worker holding the session's instance, then one with a warm instance, then any.
    const sk = job.widgetSession !== undefined && !job.fresh ? sessionKey(job.key, job.widgetSession) : undefined;
    if (sk !== undefined) {
      for (const s of this.#slots.values()) {
        if (!s.sessions.has(sk) || !s.loaded.has(job.key)) continue;
        if (!s.job) return s;
        // Busy making an instance ahead of time (milliseconds, capped): worth waiting for,
        // rather than instantiating elsewhere and starting the session over.
        if (s.job.kind === 'warm') return undefined;
      }
    }
    let any: Slot | undefined;
    let warm: Slot | undefined;
    for (const s of this.#slots.values()) {
      if (s.job || !s.loaded.has(job.key)) continue;
      if (!warm && usableWarm(s, job)) warm = s;
      any ??= s;
    }
    return warm ?? any;
  }

  /** Hands a job to a worker: the supervisor first hears what to watch, then the worker gets it. */
  #begin(slot: Slot, job: Job): void {
    slot.job = job;
    this.#running.set(job.id, job);
    job.startedAt = performance.now();
    job.cpuStart = slot.cpu.ns();
    // Egress only for renders: an instance being made ahead of time gets no request through.
    const egress = job.kind === 'run' && makesRequests(this.#loaded.get(job.key)?.imports ?? []);
    job.egressPending = egress;
    this.#tell({
      type: 'watch',
      slot: slot.id,
      job: job.id,
      kind: job.kind,
      wallMs: job.wallMs,
      cpuMs: job.cpuMs,
      ...(egress ? { egress: job.egress ?? { pluginId: 'plug-in', invocationId: String(job.id), allowedHosts: [] } } : {}),
    });
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

  #abort(job: Job, reason: unknown): void {
    const queued = this.#queue.indexOf(job);
    if (queued !== -1) {
      this.#queue.splice(queued, 1);
      this.#finish(job, this.#failed(job, reason));
      return;
    }
    for (const slot of this.#slots.values()) {
      if (slot.job !== job) continue;
      const cpuMs = this.#cpuMs(slot, job);
      const wallMs = performance.now() - job.startedAt;
      this.#abandon(slot, 'aborted', () => ({ ok: false, error: toSphError(reason), usage: { fuel: null, cpuMs, memoryBytes: 0, wallMs }, logsDropped: 0 }));
      this.#dispatch();
      return;
    }
  }

  #failed(_job: Job, reason: unknown): RunOutcome {
    return { ok: false, error: toSphError(reason), usage: noUsage(), logsDropped: 0 };
  }

  #finish(job: Job, outcome: RunOutcome): void {
    if (job.abortListener) job.signal?.removeEventListener('abort', job.abortListener);
    job.abortListener = undefined;
    this.#egressWait.delete(job.id);
    this.#running.delete(job.id);
    if (this.#running.size === 0 && this.#queue.length === 0 && this.#egressWait.size === 0) this.#thread.unref();
    job.resolve(outcome);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const job of this.#queue.splice(0)) this.#finish(job, this.#failed(job, new InternalError('the host closed before this render started')));
    for (const slot of [...this.#slots.values()]) this.#dropSlot(slot, (job) => this.#failed(job, new InternalError('the host closed during this render')));
    for (const job of [...this.#egressWait.values()]) this.#finish(job, job.outcome!);
    const thread = this.#thread;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    this.#tell({ type: 'close' });
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
