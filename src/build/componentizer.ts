// The main side of the componentize worker: one build at a time, the thread kept warm between
// builds (dev) or closed when idle (one-shot builds, tests), and restarted if it dies.
import { Worker } from 'node:worker_threads';
import { BuildFailedError } from '../errors.js';
import type { ComponentizeReply, ComponentizeRequest, ComponentizeSteps } from './componentize-protocol.js';

export interface ComponentizeJob {
  sourcePath: string;
  sourceName: string;
  witPath: string;
  worldName: string;
  disableFeatures: readonly string[];
}

export interface ComponentizeOutcome {
  component: Uint8Array;
  componentizeMs: number;
  /** The source-independent splice step was reused from an earlier build. */
  spliceReused: boolean;
  steps: ComponentizeSteps;
}

export const TOOLCHAIN_HINT =
  'componentize-js is not installed: run "npm install --save-dev @bytecodealliance/componentize-js@0.23.0 esbuild" in the widget project';

function threadScript(): { script: URL | string; eval: boolean } {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return { script: new URL('./componentize-thread.js', self), eval: false };
  // Running from sources (vitest, tsx): register tsx's loader in the thread first.
  const entry = new URL('./componentize-thread.ts', self).href;
  return { script: `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, eval: true };
}

export interface ComponentizerOptions {
  /** Close the thread after this long without work (0: keep it until close()). */
  idleMs?: number;
}

export class Componentizer {
  #worker: Worker | undefined;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: ComponentizeReply) => void; reject: (e: Error) => void }>();
  #queue: Promise<unknown> = Promise.resolve();
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #idleMs: number;
  #closed = false;

  constructor(opts: ComponentizerOptions = {}) {
    this.#idleMs = opts.idleMs ?? 0;
  }

  /** Runs one componentize job; jobs run one after another. */
  componentize(job: ComponentizeJob, warmup = false): Promise<ComponentizeOutcome> {
    const run = this.#queue.then(() => this.#run(job, warmup));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Loads the toolchain in the thread and prepares what the next build of this job needs. */
  warmup(job: Omit<ComponentizeJob, 'sourcePath' | 'sourceName'>): Promise<void> {
    return this.componentize({ ...job, sourcePath: '', sourceName: '' }, true).then(
      () => {},
      () => {}, // a failed warm-up only means the next build is slower
    );
  }

  async #run(job: ComponentizeJob, warmup = false): Promise<ComponentizeOutcome> {
    if (this.#closed) throw new BuildFailedError('the builder is closed');
    clearTimeout(this.#idleTimer);
    const worker = this.#ensure();
    const id = this.#nextId++;
    const req: ComponentizeRequest = { id, ...job, disableFeatures: [...job.disableFeatures], ...(warmup ? { warmup } : {}) };
    const reply = await new Promise<ComponentizeReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage(req);
    }).finally(() => this.#armIdle());
    if (!reply.ok) {
      if (reply.missingToolchain) throw new BuildFailedError(TOOLCHAIN_HINT, { phase: 'componentize' });
      throw new BuildFailedError(reply.message, { phase: 'componentize' });
    }
    return { component: reply.component, componentizeMs: reply.componentizeMs, spliceReused: reply.spliceReused, steps: reply.steps };
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const { script, eval: isEval } = threadScript();
    const worker = new Worker(script, { eval: isEval, stdout: false, stderr: false });
    worker.unref(); // never keeps a process alive by itself
    worker.on('message', (reply: ComponentizeReply) => {
      const p = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      p?.resolve(reply);
    });
    const fail = (why: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      const message = this.#closed ? 'the build was stopped (the builder closed)' : `the componentize thread ${why}: try again (large sources may need more memory)`;
      for (const [, p] of this.#pending) p.reject(new BuildFailedError(message, { phase: 'componentize' }));
      this.#pending.clear();
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #armIdle(): void {
    if (this.#idleMs <= 0 || this.#pending.size > 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.#stop(), this.#idleMs);
    this.#idleTimer.unref();
  }

  async #stop(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    if (w) await w.terminate();
  }

  /** True while a componentize thread is alive (it holds several hundred MB). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Stops the thread now; a job still running (a warm-up, a build nobody waits for) is dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#stop();
  }
}
