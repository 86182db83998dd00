import type { Writer } from './writer.js';

/**
 * The instruction sequences inserted for fuel metering. All of them are stack-neutral, and
 * the `if ... end` they open is closed inside the snippet, so original branch depths and
 * block types stay valid wherever a snippet lands.
 *
 * "Local" form: the function keeps its remaining fuel in an extra i64 local L, loaded from
 * the fuel global at entry and written back before anything that could observe or leave the
 * function (calls, returns, branches out, the final end). "Global" form: every charge goes to
 * the global directly; used where an exception could leave the function and skip the
 * write-back.
 */

const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I64_CONST = 0x42;
const I64_SUB = 0x7d;
const I64_LT_S = 0x53;
const IF = 0x04;
const EMPTY_BLOCK = 0x40;
const UNREACHABLE = 0x00;
const END = 0x0b;

function subtract(out: Writer, cost: number): void {
  if (cost === 0) return;
  out.u8(I64_CONST);
  // Far beyond any budget anyway; keeps the immediate an exact integer.
  out.s64(Math.min(cost, Number.MAX_SAFE_INTEGER));
  out.u8(I64_SUB);
}

/** Stack: [i64 remaining] -> []; traps (after writing back, in local form) when below zero. */
function trapIfNegative(out: Writer, fuelGlobal: number, local: number): void {
  out.u8(I64_CONST);
  out.u8(0);
  out.u8(I64_LT_S);
  out.u8(IF);
  out.u8(EMPTY_BLOCK);
  if (local >= 0) {
    // Write back first so the host sees fuel < 0 after the trap and reports exhaustion.
    out.u8(LOCAL_GET);
    out.u32(local);
    out.u8(GLOBAL_SET);
    out.u32(fuelGlobal);
  }
  out.u8(UNREACHABLE);
  out.u8(END);
}

/** `check` is false for functions without loops or calls: their callers' checks bound them. */
export function localEntry(out: Writer, fuelGlobal: number, local: number, cost: number, check: boolean): void {
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  subtract(out, cost);
  if (!check) {
    out.u8(LOCAL_SET);
    out.u32(local);
    return;
  }
  out.u8(LOCAL_TEE);
  out.u32(local);
  trapIfNegative(out, fuelGlobal, local);
}

export function localChargeAndWriteBack(out: Writer, fuelGlobal: number, local: number, cost: number): void {
  out.u8(LOCAL_GET);
  out.u32(local);
  subtract(out, cost);
  if (cost !== 0) {
    out.u8(LOCAL_TEE);
    out.u32(local);
  }
  out.u8(GLOBAL_SET);
  out.u32(fuelGlobal);
}

export function localCharge(out: Writer, local: number, cost: number): void {
  if (cost === 0) return;
  out.u8(LOCAL_GET);
  out.u32(local);
  subtract(out, cost);
  out.u8(LOCAL_SET);
  out.u32(local);
}

export function localLoopHeader(out: Writer, fuelGlobal: number, local: number, cost: number): void {
  out.u8(LOCAL_GET);
  out.u32(local);
  if (cost !== 0) {
    subtract(out, cost);
    out.u8(LOCAL_TEE);
    out.u32(local);
  }
  trapIfNegative(out, fuelGlobal, local);
}

export function writeBack(out: Writer, fuelGlobal: number, local: number): void {
  out.u8(LOCAL_GET);
  out.u32(local);
  out.u8(GLOBAL_SET);
  out.u32(fuelGlobal);
}

export function reload(out: Writer, fuelGlobal: number, local: number): void {
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  out.u8(LOCAL_SET);
  out.u32(local);
}

export function globalCharge(out: Writer, fuelGlobal: number, cost: number): void {
  if (cost === 0) return;
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  subtract(out, cost);
  out.u8(GLOBAL_SET);
  out.u32(fuelGlobal);
}

/** Entry or loop header in global form: charge, then trap if the global went negative. */
export function globalCheckpoint(out: Writer, fuelGlobal: number, cost: number): void {
  globalCharge(out, fuelGlobal, cost);
  out.u8(GLOBAL_GET);
  out.u32(fuelGlobal);
  trapIfNegative(out, fuelGlobal, -1);
}
