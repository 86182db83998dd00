import type { Writer } from './writer.js';

/**
 * An empty function that every synthetic wrapper (grow, bulk) calls first.
 *
 * Why: V8 notices `worker.terminate()` only at stack checks, and TurboFan drops the entry
 * stack check of leaf functions. memory.grow, memory.fill and friends are C calls that do
 * not check either, so a loop around one of them, or around a leaf wrapper of one, could not
 * be terminated: measured on Node 20, `loop { memory.grow 0 }` took 31 s to stop and a loop
 * calling a leaf fill wrapper 9.6 s; on Node 26 a `loop { memory.fill 64 MiB }` did not stop
 * within a minute. A wrapper that calls a function is not a leaf, keeps its stack check, and
 * the same loops stop in about 10 ms on both.
 */
export const INTERRUPT_POINT_TYPE = new Uint8Array([0x60, 0x00, 0x00]);

export function interruptPointBody(out: Writer): void {
  out.u8(0); // no locals
  out.u8(0x0b); // end
}

export function callInterruptPoint(out: Writer, funcIndex: number): void {
  out.u8(0x10);
  out.u32(funcIndex);
}
