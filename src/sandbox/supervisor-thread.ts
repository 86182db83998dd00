// The supervisor runs on a thread of its own, so that wall deadlines and the CPU-time
// backstop keep firing on time even while the host's main thread is busy (a host under load,
// a long synchronous sanitize, a blocked event loop): the peer we measured let a busy main
// thread delay its timeout by seconds. The sandbox workers are children of this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { Supervisor } from './supervisor.js';
import type { FromSupervisor, SupervisorOptions, ToSupervisor } from './supervisor-protocol.js';

const port = parentPort;
if (!port) throw new Error('supervisor-thread must run in a worker thread');

const supervisor = new Supervisor(workerData as SupervisorOptions, (m: FromSupervisor, transfer) => port.postMessage(m, transfer));

port.on('message', (m: ToSupervisor) => {
  if (m.type === 'close') void supervisor.close().then(() => process.exit(0));
  else supervisor.handle(m);
});
