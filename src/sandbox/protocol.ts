// Messages between the host's main thread (SandboxPool) and a sandbox worker, on the worker's
// control port. Everything here must survive structured clone: WebAssembly.Module objects are
// shared (compiled code is not copied).
import type { MessagePort } from 'node:worker_threads';
import type { EgressChannelInit } from '../egress/protocol.js';
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

/**
 * A warm instance serves only a render with the budget it was made under. A call with lower
 * caps of its own gets a cold instance: instantiation may have grown memory past that call's
 * cap where a cold start would have been refused the growth and gone on without it.
 */
export function sameBudget(a: Budget, b: Budget): boolean {
  return (
    a.fuel === b.fuel &&
    a.memoryPages === b.memoryPages &&
    a.tableElements === b.tableElements &&
    a.outputBytes === b.outputBytes &&
    a.logLines === b.logLines &&
    a.logLineBytes === b.logLineBytes &&
    a.egressRequestBodyBytes === b.egressRequestBodyBytes &&
    a.egressMaxRequests === b.egressMaxRequests
  );
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
  /**
   * The widget session (one tenant) this render belongs to: the worker may hand it the instance
   * an earlier render of the same session left, and keeps this render's instance for the next
   * one if the render succeeds. Absent: a fresh instance, discarded afterwards.
   */
  session?: string;
  /** Take a fresh instance even if the session holds one (the new one is kept as usual). */
  fresh?: boolean;
}

/** Make an instance of `key` ahead of a render, under the plug-in's own budget. */
export interface WarmMessage {
  type: 'warm';
  id: number;
  key: string;
  budget: Budget;
}

/** Drop these session instances (idle too long): `${key}\0${session}` each. */
export interface DropSessionsMessage {
  type: 'drop-sessions';
  sessions: string[];
}

export type ToWorker = LoadMessage | RunMessage | WarmMessage | DropSessionsMessage | { type: 'unload'; key: string };

/** Whether a component can make HTTP requests at all: only its renders get an egress session. */
export const makesRequests = (imports: readonly string[]) => imports.some((i) => i.startsWith('wasi:http/outgoing-handler'));

/** The key under which a worker keeps a session's instance. */
export const sessionKey = (key: string, session: string) => `${key}\0${session}`;

/** Whether a session key (sessionKey) belongs to component `key`. */
export const isSessionOf = (sk: string, key: string) => sk.length > key.length && sk.startsWith(key) && sk.charCodeAt(key.length) === 0;

/** What a render did to its worker's session instances (absent when it had no session). */
export interface SessionChange {
  /** This render's instance was kept for the session's next render. */
  kept: boolean;
  /** Session instances the worker dropped to make room (session keys). */
  evicted: string[];
}

/** How the render got its instance: made ahead (warm), on the spot (cold), or left by an earlier render of its session (reused). */
export type InstanceSource = 'warm' | 'cold' | 'reused';

/** Usage the worker can measure itself; CPU and wall time are measured from outside it (SandboxPool, and the supervisor when it stops a job). */
export interface WorkerUsage {
  fuel: number;
  memoryBytes: number;
}

export type DoneMessage =
  | { type: 'done'; id: number; ok: true; output: string; usage: WorkerUsage; logsDropped: number; instance: InstanceSource; session?: SessionChange }
  | { type: 'done'; id: number; ok: false; error: SerializedError; usage: WorkerUsage; logsDropped: number; instance: InstanceSource; session?: SessionChange };

export type WarmedMessage =
  | { type: 'warmed'; id: number; key: string; ok: true; evicted: string[] }
  | { type: 'warmed'; id: number; key: string; ok: false; error: SerializedError };

/** A worker's workerData, from the supervisor that starts it. */
export interface WorkerInit {
  /** Where jobs come from and answers go: the other end belongs to the host's main thread. */
  control: MessagePort;
  /** Int32 [0]: the id of the last job (run or warm) the worker finished, stored before it answers; the supervisor reads it. */
  done: SharedArrayBuffer;
  egress: EgressChannelInit;
}

/** On the control port. (The worker's one message to its parent, the supervisor, is { type: 'ready', tid }.) */
export type FromWorker =
  | WarmedMessage
  /** Bindings imported (or failed to): runs of that key may be dispatched to this worker. */
  | { type: 'loaded'; key: string } | { type: 'log'; id: number; line: PluginLogLine } | DoneMessage;
