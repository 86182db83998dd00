// Entry of a sandbox worker thread. It holds the bindings and compiled modules it was sent,
// runs one invocation at a time, and reports back on its control port (to the host's main
// thread). It never decides deadlines: the supervisor, its parent thread, terminates it from
// outside when the wall or CPU cap is reached; it only learns here which job ended, through
// shared memory (WorkerInit.done).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { GuestBridge } from '../egress/guest-bridge.js';
import { serializeError, InternalError } from '../errors.js';
import { createWarmInstance, invoke, loadBindings, type LoadedComponent, type SessionInstance, type WarmInstance } from './invoke.js';
import { makesRequests, sameBudget, sessionKey, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { SessionInstances } from './session-instances.js';
import { currentThreadId } from './thread-cpu.js';

if (!parentPort) throw new Error('worker-entry must run in a worker thread');
const init = workerData as WorkerInit;
const port = init.control;
const done = new Int32Array(init.done);

// After an invocation that held a large linear memory, collect at once so the memory goes back
// to the system before the next one instead of whenever V8 next feels pressure: a host running
// several memory-hungry plug-ins in a row must not hold several caps' worth of dead memory.
const RECLAIM_AFTER_BYTES = 32 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

// The egress channel to the supervisor (wasi:http requests block on it, see guest-bridge.ts).
const bridge = new GuestBridge(init.egress);

const components = new Map<string, Promise<LoadedComponent>>();
// Instances made ahead of renders, at most one per component and MAX_WARM components (least
// recently made dropped first): each holds its linear memory while it waits.
const MAX_WARM = 4;
const warm = new Map<string, WarmInstance>();
// Instances kept for the next render of the same widget session (one tenant), bounded.
const sessions = new SessionInstances<SessionInstance>();
const send = (m: FromWorker) => port.postMessage(m);
/**
 * The job's answer: first the supervisor learns it ended (so it will not kill it) and, for a
 * component that can make requests, that its egress is over; then the host gets the answer.
 */
const finish = (m: FromWorker & { id: number }, egress = false) => {
  Atomics.store(done, 0, m.id);
  if (egress) bridge.end(m.id);
  send(m);
};

// Messages are handled strictly in order: a run waits for the load sent before it.
let queue: Promise<void> = Promise.resolve();

port.on('message', (msg: ToWorker) => {
  // A failure here is a host bug; it must not stop later messages from being handled.
  queue = queue.then(() => handle(msg)).catch((err: unknown) => {
    if (msg.type === 'run') {
      finish({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError(String((err as Error)?.message ?? err))), usage: { fuel: 0, memoryBytes: 0 }, logsDropped: 0, instance: 'cold' });
    }
  });
});

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'load':
      if (!components.has(msg.key)) {
        const loading = loadBindings(msg);
        components.set(msg.key, loading);
        // A failed load is reported by the runs that need it.
        await loading.catch(() => undefined);
      }
      send({ type: 'loaded', key: msg.key });
      return;
    case 'unload':
      components.delete(msg.key);
      warm.delete(msg.key);
      sessions.dropComponent(msg.key);
      return;
    case 'drop-sessions': {
      const before = sessions.bytes;
      for (const k of msg.sessions) sessions.delete(k);
      // Give the dropped instances' memory back now, not at V8's next whim (see
      // RECLAIM_AFTER_BYTES): when they were large, or when this worker has gone idle (every
      // session expired), which is also when a collection costs no render anything.
      if (before - sessions.bytes > RECLAIM_AFTER_BYTES || sessions.size === 0) collect();
      return;
    }
    case 'warm': {
      const loaded = await components.get(msg.key)?.catch(() => undefined);
      if (!loaded) {
        finish({ type: 'warmed', id: msg.id, key: msg.key, ok: false, error: serializeError(new InternalError('component not loaded in this worker')) });
        return;
      }
      try {
        // Requests made while instantiating carry this warm job's id: the supervisor grants none.
        bridge.begin(msg.id);
        const instance = await createWarmInstance(loaded, msg.budget, bridge);
        warm.delete(msg.key);
        warm.set(msg.key, instance);
        const evicted: string[] = [];
        for (const key of warm.keys()) {
          if (warm.size <= MAX_WARM) break;
          warm.delete(key);
          evicted.push(key);
        }
        finish({ type: 'warmed', id: msg.id, key: msg.key, ok: true, evicted });
      } catch (err) {
        finish({ type: 'warmed', id: msg.id, key: msg.key, ok: false, error: serializeError(err) });
      }
      return;
    }
    case 'run': {
      const emptyUsage = { fuel: 0, memoryBytes: 0 };
      let loaded: LoadedComponent | undefined;
      try {
        loaded = await components.get(msg.key);
      } catch (err) {
        finish({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError(`loading the bindings failed: ${(err as Error).message}`)), usage: emptyUsage, logsDropped: 0, instance: 'cold' });
        return;
      }
      if (!loaded) {
        finish({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError('component not loaded in this worker')), usage: emptyUsage, logsDropped: 0, instance: 'cold' });
        return;
      }
      const sk = msg.session === undefined ? undefined : sessionKey(msg.key, msg.session);
      // A session's own instance first (unless the caller wants a fresh one), then a warm one.
      const reuse = sk !== undefined ? sessions.take(sk, msg.budget, msg.fresh === true) : undefined;
      let instance = reuse ? undefined : warm.get(msg.key);
      if (instance && sameBudget(instance.budget, msg.budget)) warm.delete(msg.key);
      else instance = undefined;
      bridge.begin(msg.id);
      const { done: result, keep } = await invoke(loaded, msg.id, msg.input, msg.budget, (line) => send({ type: 'log', id: msg.id, line }), bridge, instance, reuse);
      if (sk !== undefined) result.session = keep && components.has(msg.key) ? sessions.keep(sk, keep) : { kept: false, evicted: [] };
      finish(result, makesRequests(loaded.imports));
      if (result.usage.memoryBytes > RECLAIM_AFTER_BYTES && !result.session?.kept) collect();
      return;
    }
  }
}

parentPort.postMessage({ type: 'ready', tid: currentThreadId() });
