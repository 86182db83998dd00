// Messages between the host's main thread and the supervisor thread.
import type { SerializedError } from '../errors.js';
import type { PluginLogLine } from './plugin-log.js';
import type { Budget, InstanceSource, LoadMessage } from './protocol.js';
import type { EgressLogEntry } from '../egress/meter.js';
import type { EgressGrant, SupervisorOptions, Usage, WarmRequest } from './supervisor.js';

export type SupervisorThreadOptions = Omit<SupervisorOptions, 'onWorkerEvent' | 'onStatsChange'> & {
  /** STATS_FIELDS Int32 gauges the supervisor thread keeps current (no message per change). */
  statsBuffer: SharedArrayBuffer;
};

/** The order of the pool gauges in SupervisorThreadOptions.statsBuffer. */
export const STATS_FIELDS = ['workers', 'busy', 'queued', 'warm', 'sessions'] as const;
export type PoolStats = Record<(typeof STATS_FIELDS)[number], number>;

export interface RunSpec {
  key: string;
  input: string;
  budget: Budget;
  wallMs: number;
  cpuMs: number;
  egress?: EgressGrant;
  widgetSession?: string;
  fresh?: boolean;
}

export type ToSupervisor =
  | { type: 'load'; msg: LoadMessage }
  | { type: 'unload'; key: string }
  | { type: 'run'; id: number; spec: RunSpec }
  | { type: 'warm'; req: WarmRequest }
  | { type: 'abort'; id: number; reason: SerializedError }
  | { type: 'close' };

export type SerializedOutcome =
  | { ok: true; output: string; usage: Usage; logsDropped: number; instance?: InstanceSource }
  | { ok: false; error: SerializedError; usage: Usage; logsDropped: number; instance?: InstanceSource };

export type FromSupervisor =
  | { type: 'log'; id: number; line: PluginLogLine }
  | { type: 'egress'; id: number; entry: EgressLogEntry }
  | { type: 'done'; id: number; outcome: SerializedOutcome }
  | { type: 'event'; event: { type: 'spawn' | 'terminate' | 'crash'; reason?: string } };
