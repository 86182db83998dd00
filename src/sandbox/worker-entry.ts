// Entry of a sandbox worker thread. It holds the bindings and compiled modules it was sent,
// runs one invocation at a time, and reports back. It never decides deadlines: the supervisor
// terminates it from outside when the wall or CPU cap is reached.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { GuestBridge } from '../egress/guest-bridge.js';
import type { EgressChannelInit } from '../egress/protocol.js';
import { serializeError, InternalError } from '../errors.js';
import { createWarmInstance, invoke, loadBindings, type LoadedComponent, type SessionInstance, type WarmInstance } from './invoke.js';
import { sameBudget, sessionKey, type FromWorker, type ToWorker } from './protocol.js';
import { SessionInstances } from './session-instances.js';
import { currentThreadId } from './thread-cpu.js';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

// After an invocation that held a large linear memory, collect at once so the memory goes back
// to the system before the next one instead of whenever V8 next feels pressure: a host running
// several memory-hungry plug-ins in a row must not hold several caps' worth of dead memory.
const RECLAIM_AFTER_BYTES = 32 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

// The egress channel to the supervisor (wasi:http requests block on it, see guest-bridge.ts).
const egress = (workerData as { egress?: EgressChannelInit } | null)?.egress;
const bridge = egress ? new GuestBridge(egress) : null;

const components = new Map<string, Promise<LoadedComponent>>();
// Instances made ahead of renders, at most one per component and MAX_WARM components (least
// recently made dropped first): each holds its linear memory while it waits.
const MAX_WARM = 4;
const warm = new Map<string, WarmInstance>();
// Instances kept for the next render of the same widget session (one tenant), bounded.
const sessions = new SessionInstances<SessionInstance>();
const send = (m: FromWorker) => port.postMessage(m);

// Messages are handled strictly in order: a run waits for the load sent before it.
let queue: Promise<void> = Promise.resolve();

port.on('message', (msg: ToWorker) => {
  // A failure here is a host bug; it must not stop later messages from being handled.
  queue = queue.then(() => handle(msg)).catch((err: unknown) => {
    if (msg.type === 'run') {
      send({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError(String((err as Error)?.message ?? err))), usage: { fuel: 0, memoryBytes: 0 }, logsDropped: 0, instance: 'cold' });
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
        send({ type: 'warmed', id: msg.id, key: msg.key, ok: false, error: serializeError(new InternalError('component not loaded in this worker')) });
        return;
      }
      try {
        // Requests made while instantiating carry this warm job's id: the supervisor grants none.
        bridge?.begin(msg.id);
        const instance = await createWarmInstance(loaded, msg.budget, bridge);
        warm.delete(msg.key);
        warm.set(msg.key, instance);
        const evicted: string[] = [];
        for (const key of warm.keys()) {
          if (warm.size <= MAX_WARM) break;
          warm.delete(key);
          evicted.push(key);
        }
        send({ type: 'warmed', id: msg.id, key: msg.key, ok: true, evicted });
      } catch (err) {
        send({ type: 'warmed', id: msg.id, key: msg.key, ok: false, error: serializeError(err) });
      }
      return;
    }
    case 'run': {
      const emptyUsage = { fuel: 0, memoryBytes: 0 };
      let loaded: LoadedComponent | undefined;
      try {
        loaded = await components.get(msg.key);
      } catch (err) {
        send({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError(`loading the bindings failed: ${(err as Error).message}`)), usage: emptyUsage, logsDropped: 0, instance: 'cold' });
        return;
      }
      if (!loaded) {
        send({ type: 'done', id: msg.id, ok: false, error: serializeError(new InternalError('component not loaded in this worker')), usage: emptyUsage, logsDropped: 0, instance: 'cold' });
        return;
      }
      const sk = msg.session === undefined ? undefined : sessionKey(msg.key, msg.session);
      // A session's own instance first (unless the caller wants a fresh one), then a warm one.
      const reuse = sk !== undefined ? sessions.take(sk, msg.budget, msg.fresh === true) : undefined;
      let instance = reuse ? undefined : warm.get(msg.key);
      if (instance && sameBudget(instance.budget, msg.budget)) warm.delete(msg.key);
      else instance = undefined;
      bridge?.begin(msg.id);
      const { done, keep } = await invoke(loaded, msg.id, msg.input, msg.budget, (line) => send({ type: 'log', id: msg.id, line }), bridge, instance, reuse);
      if (sk !== undefined) done.session = keep && components.has(msg.key) ? sessions.keep(sk, keep) : { kept: false, evicted: [] };
      send(done);
      if (done.usage.memoryBytes > RECLAIM_AFTER_BYTES && !done.session?.kept) collect();
      return;
    }
  }
}

send({ type: 'ready', tid: currentThreadId() });
