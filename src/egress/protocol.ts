// Messages between a sandbox worker (the guest's synchronous wasi:http calls) and the
// supervisor thread (which runs the request). They travel on a MessagePort of their own; the
// worker blocks in Atomics.wait on a shared counter that the supervisor bumps after each answer,
// then takes the answer with receiveMessageOnPort (the worker's event loop is blocked meanwhile).
import type { MessagePort } from 'node:worker_threads';
import type { WasiErrorCode } from './error-code.js';

/** A guest request as the worker saw it (header values decoded as latin1). */
export interface GuestRequest {
  method: string;
  /** `https`, `http`, or what the guest set (the policy refuses other schemes). */
  scheme: string;
  authority: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers: [string, string][];
  /** Truncated one byte past egress.requestBodyBytes, so the policy still sees it is over. */
  body: Uint8Array | null;
}

export type GuestResponse =
  | { ok: true; status: number; headers: [string, string][]; body: Uint8Array }
  | { ok: false; error: WasiErrorCode };

/** worker -> supervisor */
export interface EgressRequestMessage {
  type: 'request';
  /** The invocation (run id) the request belongs to; stale ones are refused. */
  run: number;
  req: number;
  request: GuestRequest;
}

/** worker -> supervisor: the invocation is over (its egress usage is final once this is seen). */
export interface EgressEndMessage {
  type: 'end';
  run: number;
}

export type FromGuestBridge = EgressRequestMessage | EgressEndMessage;

/** supervisor -> worker */
export interface EgressResponseMessage {
  run: number;
  req: number;
  response: GuestResponse;
}

/** Handed to each worker at spawn (the port is transferred). */
export interface EgressChannelInit {
  port: MessagePort;
  /** Int32Array over it: [0] counts answers posted. */
  signal: SharedArrayBuffer;
}
