// The supervisor runs on a thread of its own, so that wall deadlines and the CPU-time
// backstop keep firing on time even while the host's main thread is busy (a host under load,
// a long synchronous sanitize, a blocked event loop): the peer we measured let a busy main
// thread delay its timeout by seconds. The sandbox workers are children of this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { deserializeError, serializeError } from '../errors.js';
import { Supervisor } from './supervisor.js';
import { STATS_FIELDS, type FromSupervisor, type SupervisorThreadOptions, type ToSupervisor } from './supervisor-protocol.js';

const port = parentPort;
if (!port) throw new Error('supervisor-thread must run in a worker thread');
const send = (m: FromSupervisor) => port.postMessage(m);

const { statsBuffer, ...options } = workerData as SupervisorThreadOptions;
const gauges = new Int32Array(statsBuffer);
const supervisor = new Supervisor({
  ...options,
  onWorkerEvent: (event) => send({ type: 'event', event }),
  // Pool gauges and load shedding on the host's side read these: shared memory rather than a
  // message per change (several per render, each waking the host's event loop).
  onStatsChange: () => {
    const stats = supervisor.stats;
    STATS_FIELDS.forEach((f, i) => Atomics.store(gauges, i, stats[f]));
  },
});
const aborts = new Map<number, AbortController>();

port.on('message', (m: ToSupervisor) => {
  switch (m.type) {
    case 'load':
      supervisor.load(m.msg);
      return;
    case 'unload':
      supervisor.unload(m.key);
      return;
    case 'run': {
      const controller = new AbortController();
      aborts.set(m.id, controller);
      void supervisor
        .run({
          ...m.spec,
          signal: controller.signal,
          onLog: (line) => send({ type: 'log', id: m.id, line }),
          onEgress: (entry) => send({ type: 'egress', id: m.id, entry }),
        })
        .then(
          (o) => send({ type: 'done', id: m.id, outcome: o.ok ? o : { ...o, error: serializeError(o.error) } }),
          (err: unknown) =>
            send({
              type: 'done',
              id: m.id,
              outcome: { ok: false, error: serializeError(err), usage: { fuel: null, cpuMs: 0, memoryBytes: 0, wallMs: 0 }, logsDropped: 0 },
            }),
        )
        .finally(() => aborts.delete(m.id));
      return;
    }
    case 'warm':
      supervisor.warm(m.req);
      return;
    case 'abort':
      aborts.get(m.id)?.abort(deserializeError(m.reason));
      return;
    case 'close':
      void supervisor.close().then(() => process.exit(0));
      return;
  }
});
