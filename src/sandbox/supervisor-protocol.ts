// Messages between the host's main thread and the supervisor thread.
import type { SerializedError } from '../errors.js';
import type { PluginLogLine } from './plugin-log.js';
import type { Budget, LoadMessage } from './protocol.js';
import type { EgressLogEntry } from '../egress/meter.js';
import type { EgressGrant, SupervisorOptions, Usage, WarmRequest } from './supervisor.js';

export type SupervisorThreadOptions = Omit<SupervisorOptions, 'onWorkerEvent' | 'onStatsChange'>;

export interface RunSpec {
  key: string;
  input: string;
  budget: Budget;
  wallMs: number;
  cpuMs: number;
  egress?: EgressGrant;
}

export type ToSupervisor =
  | { type: 'load'; msg: LoadMessage }
  | { type: 'unload'; key: string }
  | { type: 'run'; id: number; spec: RunSpec }
  | { type: 'warm'; req: WarmRequest }
  | { type: 'abort'; id: number; reason: SerializedError }
  | { type: 'close' };

export type SerializedOutcome =
  | { ok: true; output: string; usage: Usage; logsDropped: number; warm?: boolean }
  | { ok: false; error: SerializedError; usage: Usage; logsDropped: number; warm?: boolean };

export type FromSupervisor =
  | { type: 'log'; id: number; line: PluginLogLine }
  | { type: 'egress'; id: number; entry: EgressLogEntry }
  | { type: 'done'; id: number; outcome: SerializedOutcome }
  | { type: 'event'; event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string } }
  | { type: 'stats'; stats: { workers: number; busy: number; queued: number; warm: number } };
