// The supervisor owns the sandbox workers, on a thread of its own: it starts them, enforces
// each job's wall deadline and the CPU-time backstop from outside the worker (terminate +
// replace), runs the workers' egress, and reports every way a worker can die. It does not
// dispatch: the host's main thread hands jobs to workers over their control ports (two thread
// wake-ups per render instead of four) and tells the supervisor what to watch. Whatever a
// plug-in does, and however busy the main thread is, a deadline fires on time here.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { EgressService, type EgressSession } from '../egress/egress-service.js';
import { answer } from '../egress/guest-bridge.js';
import { resolveEgressOptions } from '../egress/options.js';
import type { FromGuestBridge } from '../egress/protocol.js';
import type { WorkerInit } from './protocol.js';
import type { EndedJob, FromSupervisor, SupervisorOptions, ToSupervisor, WatchMessage } from './supervisor-protocol.js';
import { ThreadCpuClock } from './thread-cpu.js';
import { threadEntry } from './worker-url.js';

interface Watch {
  msg: WatchMessage;
  startedAt: number;
  cpuStart: bigint | null;
  timer: NodeJS.Timeout;
  session: EgressSession | null;
}

interface Slot {
  id: number;
  worker: Worker;
  cpu: ThreadCpuClock | null;
  ready: boolean;
  /** Int32 [0]: the id of the last job the worker finished (it stores it before answering). */
  done: Int32Array;
  watch: Watch | null;
  egress: { port: MessagePort; signal: Int32Array };
  /** Egress messages for a job whose 'watch' has not arrived yet (they travel on other channels). */
  parked: FromGuestBridge[];
}

type Send = (m: FromSupervisor, transfer?: MessagePort[]) => void;

const nsToMs = (ns: bigint) => Number(ns) / 1e6;

export class Supervisor {
  readonly #opts: Required<Omit<SupervisorOptions, 'egress'>>;
  readonly #send: Send;
  readonly #egress: EgressService;
  readonly #slots = new Map<number, Slot>();
  #nextSlot = 1;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;
  /** Consecutive workers that died before becoming ready: a broken install, not a plug-in. */
  #startFailures = 0;

  constructor(opts: SupervisorOptions, send: Send) {
    const { egress, ...rest } = opts;
    this.#opts = { heapMb: 128, stackMb: 4, cpuPollMs: 5, ...rest };
    this.#send = send;
    this.#egress = new EgressService(egress ?? resolveEgressOptions(undefined));
    for (let i = 0; i < opts.workers; i++) this.#spawn();
  }

  handle(m: ToSupervisor): void {
    switch (m.type) {
      case 'watch':
        this.#watch(m);
        return;
      case 'terminate': {
        const slot = this.#slots.get(m.slot);
        if (slot) this.#replace(slot, 'terminate', m.reason);
        return;
      }
      case 'close':
        return;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#poll);
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    for (const s of slots) this.#forget(s);
    await Promise.all(slots.map((s) => s.worker.terminate().catch(() => 0)));
    await this.#egress.close();
  }

  #spawn(): void {
    const entry = threadEntry('worker-entry');
    const control = new MessageChannel();
    const egress = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const done = new SharedArrayBuffer(4);
    const init: WorkerInit = { control: control.port2, done, egress: { port: egress.port2, signal } };
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: init,
      transferList: [control.port2, egress.port2],
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.#opts.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: this.#opts.stackMb },
      stdout: true, // a plug-in never reaches these, but the bindings could print: keep it off the host's stdout
      stderr: true,
      env: {},
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const slot: Slot = { id: this.#nextSlot++, worker, cpu: null, ready: false, done: new Int32Array(done), watch: null, egress: { port: egress.port1, signal: new Int32Array(signal) }, parked: [] };
    egress.port1.on('message', (m: FromGuestBridge) => this.#onEgress(slot, m));
    egress.port1.unref();
    this.#slots.set(slot.id, slot);
    worker.on('message', (m: { type: 'ready'; tid: number | null }) => {
      if (m?.type !== 'ready' || !this.#slots.has(slot.id)) return;
      slot.ready = true;
      slot.cpu = new ThreadCpuClock(m.tid);
      this.#startFailures = 0;
      // The control channel's other end goes to the main thread, which talks to the worker from now on.
      this.#send({ type: 'worker', slot: slot.id, port: control.port1, tid: m.tid }, [control.port1]);
    });
    worker.on('error', (err: Error & { code?: string }) => this.#onExit(slot, err));
    worker.on('exit', (code) => this.#onExit(slot, new Error(`worker exited with code ${code}`)));
    worker.on('messageerror', (err) => this.#onExit(slot, err));
    worker.unref();
    this.#event({ type: 'spawn' });
  }

  #isDone(slot: Slot, w: Watch): boolean {
    // The cell is an Int32: ids past 2^31 (weeks of renders) are stored modulo 2^32.
    return Atomics.load(slot.done, 0) === (w.msg.job | 0);
  }

  #watch(m: WatchMessage): void {
    const slot = this.#slots.get(m.slot);
    // A worker that is gone: the main thread hears of it ('killed' / 'exited') and fails the job.
    if (!slot) return;
    if (slot.watch) this.#unwatch(slot);
    const startedAt = performance.now();
    const w: Watch = { msg: m, startedAt, cpuStart: slot.cpu?.ns() ?? null, timer: undefined as unknown as NodeJS.Timeout, session: null };
    w.session = m.egress ? this.#session(m, startedAt) : null;
    slot.watch = w;
    this.#armDeadline(slot, w, m.wallMs);
    if (!this.#poll) this.#poll = setInterval(() => this.#check(), this.#opts.cpuPollMs);
    const parked = slot.parked.splice(0);
    for (const p of parked) this.#onEgress(slot, p);
  }

  /**
   * The job on this slot is over (done, or its worker going): stop watching, close its egress.
   * A finished render's egress usage goes to the main thread, which waits for it; a job that did
   * not finish has it in the EndedJob its 'killed' / 'exited' report carries.
   */
  #unwatch(slot: Slot): EndedJob | undefined {
    const w = slot.watch;
    if (!w) return undefined;
    slot.watch = null;
    clearTimeout(w.timer);
    const ended: EndedJob = { job: w.msg.job, cpuMs: this.#cpuMs(slot, w), wallMs: performance.now() - w.startedAt };
    if (w.session) {
      w.session.close();
      ended.egress = w.session.usage;
      if (this.#isDone(slot, w)) this.#send({ type: 'egress-usage', slot: slot.id, job: w.msg.job, usage: ended.egress });
    }
    return ended;
  }

  #cpuMs(slot: Slot, w: Watch): number {
    const now = slot.cpu?.ns() ?? null;
    return now !== null && w.cpuStart !== null ? nsToMs(now - w.cpuStart) : 0;
  }

  /**
   * Egress for one render. Requests must answer a little before the wall cap, so the guest can
   * still render a fallback when one times out.
   */
  #session(m: WatchMessage, startedAt: number): EgressSession {
    const reserveMs = Math.min(100, m.wallMs / 10);
    return this.#egress.session({
      pluginId: m.egress!.pluginId,
      invocationId: m.egress!.invocationId,
      allowedHosts: m.egress!.allowedHosts,
      deadline: startedAt + m.wallMs - reserveMs,
      onLog: (entry) => this.#send({ type: 'egress-log', job: m.job, entry }),
    });
  }

  #onEgress(slot: Slot, m: FromGuestBridge): void {
    if (!this.#slots.has(slot.id)) return;
    const w = slot.watch;
    if (!w || w.msg.job < m.run) {
      // The job started on the worker before its 'watch' got here.
      if (slot.parked.length < 64) slot.parked.push(m);
      return;
    }
    const current = w.msg.job === m.run;
    if (m.type === 'end') {
      if (current) this.#unwatch(slot);
      return;
    }
    const reply = (response: Parameters<typeof answer>[2]['response']) => answer(slot.egress.port, slot.egress.signal, { run: m.run, req: m.req, response });
    const session = current ? w.session : null;
    if (!session) {
      reply({ ok: false, error: { tag: 'HTTP-request-denied' } });
      return;
    }
    void session.fetch(m.request).then((r) => {
      if (slot.watch === w) reply(r);
    });
  }

  /** Timers may fire a little early against performance.now(): re-arm for what is left. */
  #armDeadline(slot: Slot, w: Watch, ms: number): void {
    w.timer = setTimeout(() => {
      if (slot.watch !== w) return;
      if (this.#isDone(slot, w)) {
        this.#unwatch(slot);
        return;
      }
      const left = w.msg.wallMs - (performance.now() - w.startedAt);
      if (left > 0) this.#armDeadline(slot, w, left);
      else this.#kill(slot, 'wall');
    }, Math.max(1, Math.ceil(ms)));
  }

  /** The CPU-time backstop, and a second look at the wall deadline in case a timer ran late. */
  #check(): void {
    const now = performance.now();
    let watching = false;
    for (const slot of this.#slots.values()) {
      const w = slot.watch;
      if (!w) continue;
      if (this.#isDone(slot, w)) {
        this.#unwatch(slot);
        continue;
      }
      watching = true;
      if (now - w.startedAt >= w.msg.wallMs) this.#kill(slot, 'wall');
      else if (this.#cpuMs(slot, w) >= w.msg.cpuMs) this.#kill(slot, 'cpu');
    }
    if (!watching) {
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
  }

  #kill(slot: Slot, why: 'wall' | 'cpu'): void {
    const ended = this.#unwatch(slot);
    this.#replace(slot, why);
    if (ended) this.#send({ type: 'killed', slot: slot.id, why, ended });
  }

  #onExit(slot: Slot, err: Error & { code?: string }): void {
    if (!this.#slots.has(slot.id)) return;
    if (!slot.ready) {
      this.#startFailed(slot, err);
      return;
    }
    const w = slot.watch;
    const ended = w && !this.#isDone(slot, w) ? this.#unwatch(slot) : undefined;
    this.#replace(slot, 'crash', err.message);
    this.#send({ type: 'exited', slot: slot.id, message: err.message, oom: err.code === 'ERR_WORKER_OUT_OF_MEMORY', ...(ended ? { ended } : {}) });
  }

  /**
   * A worker that cannot even start would crash again at once: respawn with backoff, and after a
   * few failures in a row tell the main thread, so waiting renders fail instead of hanging.
   */
  #startFailed(slot: Slot, err: Error): void {
    this.#slots.delete(slot.id);
    this.#forget(slot);
    void slot.worker.terminate().catch(() => 0);
    const n = ++this.#startFailures;
    this.#event({ type: 'crash', reason: `worker failed to start: ${err.message}` });
    if (n >= 3) this.#send({ type: 'start-failing', message: err.message });
    const retry = setTimeout(() => {
      if (!this.#closed) this.#spawn();
    }, Math.min(5000, 25 * 2 ** n));
    retry.unref();
  }

  /** Terminates a worker (without waiting for its teardown) and starts a fresh one. */
  #replace(slot: Slot, why: string, detail?: string): void {
    this.#slots.delete(slot.id);
    this.#unwatch(slot);
    this.#forget(slot);
    slot.worker.removeAllListeners('exit');
    slot.worker.on('exit', () => {});
    slot.worker.on('error', () => {});
    void slot.worker.terminate().catch(() => 0);
    this.#event({ type: why === 'crash' ? 'crash' : 'terminate', reason: detail ?? why });
    if (!this.#closed) this.#spawn();
  }

  #event(event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string }): void {
    this.#send({ type: 'event', event, workers: this.#slots.size });
  }

  #forget(slot: Slot): void {
    if (slot.watch) clearTimeout(slot.watch.timer);
    slot.watch?.session?.close();
    slot.egress.port.close();
    slot.cpu?.close();
  }
}
