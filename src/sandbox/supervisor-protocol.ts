// Messages between the host's main thread (SandboxPool: queue, routing, sessions) and the
// supervisor thread (Supervisor: the workers' lifecycle, deadlines, CPU backstop, egress).
// Renders themselves never pass through the supervisor thread: the main thread posts them to
// a worker's control port and the worker answers there. The supervisor only hears that a job
// started ('watch'), and sees that it ended in shared memory (WorkerInit.done).
import type { MessagePort } from 'node:worker_threads';
import type { EgressLogEntry, EgressUsage } from '../egress/meter.js';
import type { ResolvedEgressOptions } from '../egress/options.js';

export interface SupervisorOptions {
  workers: number;
  /** JS heap of each worker; wasm memory is capped by the module rewrite, not here. */
  heapMb?: number;
  stackMb?: number;
  /** How often running invocations' CPU time is sampled. */
  cpuPollMs?: number;
  /** Host egress options (proxy, caps); absent: no proxy, every request refused. */
  egress?: ResolvedEgressOptions;
}

/** Who is asking, and where it may go (the manifest's allowed hosts). */
export interface EgressGrant {
  pluginId: string;
  invocationId: string;
  allowedHosts: readonly string[];
}

export interface WatchMessage {
  type: 'watch';
  slot: number;
  /** The job id, as in the worker's run/warm message. */
  job: number;
  kind: 'run' | 'warm';
  wallMs: number;
  cpuMs: number;
  /** Present for a render of a component that imports wasi:http/outgoing-handler. */
  egress?: EgressGrant;
}

export type ToSupervisor =
  | WatchMessage
  /** Terminate this worker and start a replacement (a render on it was aborted). */
  | { type: 'terminate'; slot: number; reason: string }
  | { type: 'close' };

/** A worker the main thread may send jobs to: its control channel and CPU clock. */
export interface WorkerReady {
  type: 'worker';
  slot: number;
  port: MessagePort;
  /** Kernel thread id (for its CPU clock), null where /proc is not available. */
  tid: number | null;
}

/** What the supervisor measured of a job it saw end badly. */
export interface EndedJob {
  job: number;
  cpuMs: number;
  wallMs: number;
  egress?: EgressUsage;
}

export type FromSupervisor =
  | WorkerReady
  /** The supervisor stopped a job at its cap and terminated its worker. */
  | { type: 'killed'; slot: number; why: 'wall' | 'cpu'; ended: EndedJob }
  /** A worker died on its own (crash, heap limit), with the job it was running if any. */
  | { type: 'exited'; slot: number; message: string; oom: boolean; ended?: EndedJob }
  /** Workers keep failing to start (a broken install): waiting renders should fail. */
  | { type: 'start-failing'; message: string }
  /** A render's egress ended: its final usage. */
  | { type: 'egress-usage'; slot: number; job: number; usage: EgressUsage }
  | { type: 'egress-log'; job: number; entry: EgressLogEntry }
  /** A worker started, or was terminated or died; `workers`: how many the supervisor has now (starting ones included). */
  | { type: 'event'; event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string }; workers: number };
