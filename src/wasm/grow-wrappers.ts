import type { MemoryDecl, TableDecl } from './layout.js';
import { LIMIT_HIT_MEMORY, LIMIT_HIT_TABLE, type MeterGlobals } from './meter.js';
import { callInterruptPoint } from './interrupt-point.js';
import type { Writer } from './writer.js';

/**
 * Bodies of the functions that replace `memory.grow` and `table.grow`. They are not metered
 * (they do a bounded amount of work) and have the same stack signature as the instruction
 * they replace, so a call can stand in place of the instruction. Each first calls the
 * interrupt point, so that a loop of grows stays terminable (see interrupt-point.ts).
 *
 * The component-wide budget (memory_pages_left / table_elements_left) is checked first; the
 * real grow then enforces the per-memory maximum we clamped. A refusal is recorded in
 * limit_hit only when the module's own declared maximum would have allowed the growth:
 * otherwise the module hit its own limit, which is ordinary guest behaviour, not ours.
 */

const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const I32_CONST = 0x41;
const I32_NE = 0x47;
const I32_LE_U = 0x4d;
const I32_SUB = 0x6b;
const IF = 0x04;
const EMPTY = 0x40;
const END = 0x0b;
const RETURN = 0x0f;
const MEMORY_SIZE = 0x3f;
const MEMORY_GROW = 0x40;
const PREFIX_MISC = 0xfc;
const TABLE_GROW = 0x0f;
const TABLE_SIZE = 0x10;
const I32 = 0x7f;

/** Largest memory a 32-bit memory can have, in pages: the implicit maximum. */
const MAX_PAGES_32 = 65536;

/** (func (param i32) (result i32)) */
export function memoryGrowType(): Uint8Array {
  return new Uint8Array([0x60, 0x01, I32, 0x01, I32]);
}

/** (func (param <reftype> i32) (result i32)) */
export function tableGrowType(refType: Uint8Array): Uint8Array {
  return new Uint8Array([0x60, 0x02, ...refType, I32, 0x01, I32]);
}

function lebU(out: Writer, op: number, v: number): void {
  out.u8(op);
  out.u32(v);
}

/** Body: params (delta), local 1 = result. */
export function memoryGrowBody(out: Writer, mem: MemoryDecl, g: MeterGlobals, interruptPoint: number): void {
  const m = mem.index;
  out.u8(1);
  out.u8(1);
  out.u8(I32);
  callInterruptPoint(out, interruptPoint);
  // if (delta <= pages_left) { r = memory.grow(delta); if (r != -1) { pages_left -= delta; return r } }
  lebU(out, LOCAL_GET, 0);
  lebU(out, GLOBAL_GET, g.memoryPagesLeft);
  out.u8(I32_LE_U);
  out.u8(IF);
  out.u8(EMPTY);
  lebU(out, LOCAL_GET, 0);
  lebU(out, MEMORY_GROW, m);
  lebU(out, LOCAL_TEE, 1);
  out.u8(I32_CONST);
  out.s32(-1);
  out.u8(I32_NE);
  out.u8(IF);
  out.u8(EMPTY);
  lebU(out, GLOBAL_GET, g.memoryPagesLeft);
  lebU(out, LOCAL_GET, 0);
  out.u8(I32_SUB);
  lebU(out, GLOBAL_SET, g.memoryPagesLeft);
  lebU(out, LOCAL_GET, 1);
  out.u8(RETURN);
  out.u8(END);
  out.u8(END);
  // Refused. if (delta <= ownMax - memory.size) limit_hit = 1
  lebU(out, LOCAL_GET, 0);
  out.u8(I32_CONST);
  out.s32((mem.max ?? MAX_PAGES_32) | 0);
  lebU(out, MEMORY_SIZE, m);
  out.u8(I32_SUB);
  out.u8(I32_LE_U);
  out.u8(IF);
  out.u8(EMPTY);
  out.u8(I32_CONST);
  out.s32(LIMIT_HIT_MEMORY);
  lebU(out, GLOBAL_SET, g.limitHit);
  out.u8(END);
  out.u8(I32_CONST);
  out.s32(-1);
  out.u8(END);
}

/** Body: params (init ref, delta), local 2 = result. */
export function tableGrowBody(out: Writer, table: TableDecl, g: MeterGlobals, interruptPoint: number): void {
  const t = table.index;
  out.u8(1);
  out.u8(1);
  out.u8(I32);
  callInterruptPoint(out, interruptPoint);
  lebU(out, LOCAL_GET, 1);
  lebU(out, GLOBAL_GET, g.tableElementsLeft);
  out.u8(I32_LE_U);
  out.u8(IF);
  out.u8(EMPTY);
  lebU(out, LOCAL_GET, 0);
  lebU(out, LOCAL_GET, 1);
  out.u8(PREFIX_MISC);
  out.u32(TABLE_GROW);
  out.u32(t);
  lebU(out, LOCAL_TEE, 2);
  out.u8(I32_CONST);
  out.s32(-1);
  out.u8(I32_NE);
  out.u8(IF);
  out.u8(EMPTY);
  lebU(out, GLOBAL_GET, g.tableElementsLeft);
  lebU(out, LOCAL_GET, 1);
  out.u8(I32_SUB);
  lebU(out, GLOBAL_SET, g.tableElementsLeft);
  lebU(out, LOCAL_GET, 2);
  out.u8(RETURN);
  out.u8(END);
  out.u8(END);
  lebU(out, LOCAL_GET, 1);
  out.u8(I32_CONST);
  out.s32((table.max ?? 0xffffffff) | 0);
  out.u8(PREFIX_MISC);
  out.u32(TABLE_SIZE);
  out.u32(t);
  out.u8(I32_SUB);
  out.u8(I32_LE_U);
  out.u8(IF);
  out.u8(EMPTY);
  out.u8(I32_CONST);
  out.s32(LIMIT_HIT_TABLE);
  lebU(out, GLOBAL_SET, g.limitHit);
  out.u8(END);
  out.u8(I32_CONST);
  out.s32(-1);
  out.u8(END);
}
