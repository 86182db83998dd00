import { callInterruptPoint } from './interrupt-point.js';
import type { Writer } from './writer.js';

/**
 * Bodies of the functions that replace the bulk instructions (memory.fill, memory.copy,
 * memory.init, table.fill, table.copy, table.init) when bulk metering is on.
 *
 * Why: one bulk instruction does work proportional to its length operand, which the
 * per-instruction charge does not see, so a loop of 64 MiB fills ran unmetered. Worse, V8
 * checks for interrupts (worker.terminate()) only every few thousand iterations of a loop
 * whose body is such a C call: measured on Node 20 a `loop { memory.fill 64 MiB }` took 27 s
 * to terminate, and on Node 26 it did not stop at all within a minute, keeping a core busy
 * after the host had "stopped" it. Charging fuel by length before the work bounds such a
 * loop by the fuel budget, and the call to the interrupt point keeps it terminable
 * (interrupt-point.ts).
 *
 * Each wrapper has the stack signature of the instruction it replaces: it charges
 * `length >> shift` to the fuel global, traps (leaving fuel below zero, so the host reports
 * exhaustion) before doing the work it cannot pay for, then runs the original instruction
 * with its original immediates. The instruction's own per-instruction cost is still charged
 * in the caller's run.
 */

const LOCAL_GET = 0x20;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const I64_CONST = 0x42;
const I64_SUB = 0x7d;
const I64_SHR_U = 0x88;
const I64_EXTEND_I32_U = 0xad;
const I64_LT_S = 0x53;
const IF = 0x04;
const EMPTY = 0x40;
const UNREACHABLE = 0x00;
const END = 0x0b;
const I32 = 0x7f;

/** Sub-opcodes after 0xfc. */
export const BULK_OPS = {
  0x08: 'memory',
  0x0a: 'memory',
  0x0b: 'memory',
  0x0c: 'table',
  0x0e: 'table',
  0x11: 'table',
} as const satisfies Record<number, 'memory' | 'table'>;
export const TABLE_FILL = 0x11;

/** (func (param i32 i32 i32)) or, for table.fill, (func (param i32 <reftype> i32)). */
export function bulkType(middle: Uint8Array | null): Uint8Array {
  return new Uint8Array([0x60, 0x03, I32, ...(middle ?? [I32]), I32, 0x00]);
}

/**
 * Body: params (a, b, length). `op` is the original instruction's encoding (prefix,
 * sub-opcode and immediates), copied verbatim.
 */
export function bulkBody(out: Writer, op: Uint8Array, shift: number, fuelGlobal: number, interruptPoint: number): void {
  out.u8(0); // no locals
  callInterruptPoint(out, interruptPoint);
  // fuel -= length >> shift
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  out.u8(LOCAL_GET);
  out.u32(2);
  out.u8(I64_EXTEND_I32_U);
  if (shift > 0) {
    out.u8(I64_CONST);
    out.s64(shift);
    out.u8(I64_SHR_U);
  }
  out.u8(I64_SUB);
  out.u8(GLOBAL_SET);
  out.u32(fuelGlobal);
  // if (fuel < 0) unreachable
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  out.u8(I64_CONST);
  out.u8(0);
  out.u8(I64_LT_S);
  out.u8(IF);
  out.u8(EMPTY);
  out.u8(UNREACHABLE);
  out.u8(END);
  for (let i = 0; i < 3; i++) {
    out.u8(LOCAL_GET);
    out.u32(i);
  }
  out.bytes(op);
  out.u8(END);
}
