// Messages between the supervisor (host thread) and a sandbox worker. Everything here must
// survive structured clone: WebAssembly.Module objects are shared (compiled code is not copied).
import type { SerializedError } from '../errors.js';
import type { PluginLogLine } from './plugin-log.js';

/** What one invocation may use, computed by the host from the resolved limits. */
export interface Budget {
  fuel: bigint;
  /** Pages all memories may hold in total, initial sizes included. */
  memoryPages: number;
  tableElements: number;
  outputBytes: number;
  logLines: number;
  logLineBytes: number;
  /** egress.requestBodyBytes: the worker passes request bodies on up to one byte past it. */
  egressRequestBodyBytes: number;
  /** egress.maxRequests: past it the worker sends only the request line (the policy refuses it anyway). */
  egressMaxRequests: number;
}

export interface LoadMessage {
  type: 'load';
  key: string;
  js: string;
  modules: [string, WebAssembly.Module][];
  imports: readonly string[];
  initialMemoryPages: number;
  initialTableElements: number;
}

export interface RunMessage {
  type: 'run';
  id: number;
  key: string;
  input: string;
  budget: Budget;
}

export type ToWorker = LoadMessage | RunMessage | { type: 'unload'; key: string };

/** Usage the worker can measure itself; CPU and wall time are measured by the supervisor. */
export interface WorkerUsage {
  fuel: number;
  memoryBytes: number;
}

export type DoneMessage =
  | { type: 'done'; id: number; ok: true; output: string; usage: WorkerUsage; logsDropped: number }
  | { type: 'done'; id: number; ok: false; error: SerializedError; usage: WorkerUsage; logsDropped: number };

export type FromWorker =
  | { type: 'ready'; tid: number | null }
  /** Bindings imported (or failed to): runs of that key may be dispatched to this worker. */
  | { type: 'loaded'; key: string } | { type: 'log'; id: number; line: PluginLogLine } | DoneMessage;
