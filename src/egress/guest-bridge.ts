// The worker's end of the egress channel. jco calls host imports synchronously and Node 20 has
// no JSPI, so a guest waiting for a response blocks this thread in Atomics.wait while the
// supervisor thread performs the request. The supervisor's wall deadline still applies:
// worker.terminate() interrupts the wait.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { EgressChannelInit, EgressEndMessage, EgressRequestMessage, EgressResponseMessage, GuestRequest, GuestResponse } from './protocol.js';

export class GuestBridge {
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  readonly #answers = new Map<number, GuestResponse>();
  #run = 0;
  #next = 1;

  constructor(init: EgressChannelInit) {
    this.#port = init.port;
    this.#signal = new Int32Array(init.signal);
    // Never started: messages stay queued for receiveMessageOnPort.
    this.#port.unref?.();
  }

  /** A new invocation: answers still arriving for the previous one are dropped. */
  begin(run: number): void {
    this.#run = run;
    this.#answers.clear();
    this.#drain();
  }

  /** The invocation is over: the supervisor closes its egress and reports the final usage. */
  end(run: number): void {
    const msg: EgressEndMessage = { type: 'end', run };
    this.#port.postMessage(msg);
  }

  send(request: GuestRequest): number {
    const req = this.#next++;
    const msg: EgressRequestMessage = { type: 'request', run: this.#run, req, request };
    this.#port.postMessage(msg);
    return req;
  }

  #drain(): void {
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      const a = m.message as EgressResponseMessage;
      if (a.run === this.#run) this.#answers.set(a.req, a.response);
    }
  }

  has(req: number): boolean {
    if (!this.#answers.has(req)) this.#drain();
    return this.#answers.has(req);
  }

  take(req: number): GuestResponse | undefined {
    if (!this.has(req)) return undefined;
    const a = this.#answers.get(req);
    this.#answers.delete(req);
    return a;
  }

  /** Blocks until any answer may have arrived, or until `untilNs` (monotonic) passes. */
  waitEvent(untilNs: bigint | null): void {
    // Read the counter before draining: an answer posted after the drain bumps it, so the wait
    // returns at once instead of missing the wake-up.
    const seen = Atomics.load(this.#signal, 0);
    const before = this.#answers.size;
    this.#drain();
    if (this.#answers.size !== before) return;
    if (untilNs === null) Atomics.wait(this.#signal, 0, seen);
    else {
      const ms = Number(untilNs - process.hrtime.bigint()) / 1e6;
      if (ms > 0) Atomics.wait(this.#signal, 0, seen, ms);
    }
    this.#drain();
  }

  /** Blocks until the answer to `req` is here. */
  wait(req: number): void {
    while (!this.has(req)) this.waitEvent(null);
  }
}

/** Supervisor side: post an answer and wake the worker. */
export function answer(port: MessagePort, signal: Int32Array, msg: EgressResponseMessage): void {
  try {
    port.postMessage(msg);
  } catch {
    return; // the worker is gone
  }
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}
