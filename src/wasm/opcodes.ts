/**
 * Opcode tables: for every instruction we know, its text-format name (what `costOf` is
 * asked about), the shape of its immediates, and the role it plays for the rewriter
 * (control flow, calls, global access, grow). Unknown opcodes are rejected rather than
 * guessed at: mis-sizing one immediate would desynchronise the rest of the body.
 *
 * Covered: MVP, sign extension, saturating truncation, bulk memory, reference types,
 * multi-value, SIMD with relaxed SIMD, threads/atomics, tail calls, extended-const,
 * multi-memory, legacy and new exception handling, function references, GC, wide arithmetic.
 */

// Immediate shapes and rewriter roles. Hot loops elsewhere copy these into module-level
// `const`s (`const { BLOCK } = Role`): a bundler or test runner that turns imported
// bindings into property reads would otherwise slow every comparison in the decode loop.

/** Shape of an instruction's immediates. */
export const Imm = {
  NONE: 0,
  BLOCKTYPE: 1,
  /** One u32 index (label, function, local, global, table, type, tag, data, element, memory). */
  INDEX: 2,
  /** Two u32 indices (call_indirect type+table, memory.copy, struct.get type+field, ...). */
  INDEX2: 3,
  BR_TABLE: 4,
  MEMARG: 5,
  MEMARG_LANE: 6,
  I32: 7,
  I64: 8,
  F32: 9,
  F64: 10,
  V128: 11,
  LANE: 12,
  SELECT_T: 13,
  HEAPTYPE: 14,
  TRY_TABLE: 15,
  BR_ON_CAST: 16,
  /** A single reserved byte (atomic.fence). */
  BYTE: 17,
  /** Not an opcode we know. */
  UNKNOWN: 0xff,
} as const;

/** What an instruction means to the rewriter. */
export const Role = {
  PLAIN: 0,
  BLOCK: 1,
  LOOP: 2,
  IF: 3,
  ELSE: 4,
  END: 5,
  TRY: 6,
  /** catch and catch_all (legacy exception handling). */
  CATCH: 7,
  DELEGATE: 8,
  TRY_TABLE: 9,
  BR: 10,
  BR_IF: 11,
  BR_TABLE: 12,
  RETURN: 13,
  UNREACHABLE: 14,
  /** throw, rethrow, throw_ref: leave the function by exception. */
  THROW: 15,
  /** call, call_indirect, call_ref: control comes back. */
  CALL: 16,
  RETURN_CALL: 17,
  /** br_on_null, br_on_non_null, br_on_cast, br_on_cast_fail: conditional branch to a label. */
  BR_ON: 18,
  GLOBAL_GET: 19,
  GLOBAL_SET: 20,
  MEMORY_GROW: 21,
  TABLE_GROW: 22,
  /** memory.fill/copy/init, table.fill/copy/init: work proportional to a length operand. */
  BULK: 23,
} as const;

const {
  NONE: IMM_NONE,
  BLOCKTYPE: IMM_BLOCKTYPE,
  INDEX: IMM_INDEX,
  INDEX2: IMM_INDEX2,
  BR_TABLE: IMM_BR_TABLE,
  MEMARG: IMM_MEMARG,
  MEMARG_LANE: IMM_MEMARG_LANE,
  I32: IMM_I32,
  I64: IMM_I64,
  F32: IMM_F32,
  F64: IMM_F64,
  V128: IMM_V128,
  LANE: IMM_LANE,
  SELECT_T: IMM_SELECT_T,
  HEAPTYPE: IMM_HEAPTYPE,
  TRY_TABLE: IMM_TRY_TABLE,
  BR_ON_CAST: IMM_BR_ON_CAST,
  BYTE: IMM_BYTE,
  UNKNOWN,
} = Imm;
const {
  PLAIN: R_PLAIN,
  BLOCK: R_BLOCK,
  LOOP: R_LOOP,
  IF: R_IF,
  ELSE: R_ELSE,
  END: R_END,
  TRY: R_TRY,
  CATCH: R_CATCH,
  DELEGATE: R_DELEGATE,
  TRY_TABLE: R_TRY_TABLE,
  BR: R_BR,
  BR_IF: R_BR_IF,
  BR_TABLE: R_BR_TABLE,
  RETURN: R_RETURN,
  UNREACHABLE: R_UNREACHABLE,
  THROW: R_THROW,
  CALL: R_CALL,
  RETURN_CALL: R_RETURN_CALL,
  BR_ON: R_BR_ON,
  GLOBAL_GET: R_GLOBAL_GET,
  GLOBAL_SET: R_GLOBAL_SET,
  MEMORY_GROW: R_MEMORY_GROW,
  TABLE_GROW: R_TABLE_GROW,
  BULK: R_BULK,
} = Role;

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_THREADS = 0xfe;

/** Sub-opcodes of prefixed instructions are looked up in tables this long. */
export const PREFIX_TABLE_SIZE = 0x120;

export interface OpcodeTable {
  /** 0xff = unknown opcode. */
  imm: Uint8Array;
  role: Uint8Array;
  name: (string | undefined)[];
}


function table(size: number): OpcodeTable {
  return { imm: new Uint8Array(size).fill(UNKNOWN), role: new Uint8Array(size), name: new Array<string | undefined>(size) };
}

function def(t: OpcodeTable, op: number, name: string, imm: number, role: number = R_PLAIN): void {
  if (t.imm[op] !== UNKNOWN) throw new Error(`opcode table: duplicate 0x${op.toString(16)} (${name})`);
  t.imm[op] = imm;
  t.role[op] = role;
  t.name[op] = name;
}

/** Defines consecutive opcodes with the same immediate shape, starting at `first`. */
function run(t: OpcodeTable, first: number, imm: number, names: string): void {
  let op = first;
  for (const n of names.trim().split(/\s+/)) {
    if (n !== '-') def(t, op, n, imm);
    op++;
  }
}

export const SINGLE: OpcodeTable = table(256);
export const GC: OpcodeTable = table(PREFIX_TABLE_SIZE);
export const MISC: OpcodeTable = table(PREFIX_TABLE_SIZE);
export const SIMD: OpcodeTable = table(PREFIX_TABLE_SIZE);
export const THREADS: OpcodeTable = table(PREFIX_TABLE_SIZE);

// ---- single-byte opcodes -------------------------------------------------------------
{
  const t = SINGLE;
  def(t, 0x00, 'unreachable', IMM_NONE, R_UNREACHABLE);
  def(t, 0x01, 'nop', IMM_NONE);
  def(t, 0x02, 'block', IMM_BLOCKTYPE, R_BLOCK);
  def(t, 0x03, 'loop', IMM_BLOCKTYPE, R_LOOP);
  def(t, 0x04, 'if', IMM_BLOCKTYPE, R_IF);
  def(t, 0x05, 'else', IMM_NONE, R_ELSE);
  def(t, 0x06, 'try', IMM_BLOCKTYPE, R_TRY);
  def(t, 0x07, 'catch', IMM_INDEX, R_CATCH);
  def(t, 0x08, 'throw', IMM_INDEX, R_THROW);
  def(t, 0x09, 'rethrow', IMM_INDEX, R_THROW);
  def(t, 0x0a, 'throw_ref', IMM_NONE, R_THROW);
  def(t, 0x0b, 'end', IMM_NONE, R_END);
  def(t, 0x0c, 'br', IMM_INDEX, R_BR);
  def(t, 0x0d, 'br_if', IMM_INDEX, R_BR_IF);
  def(t, 0x0e, 'br_table', IMM_BR_TABLE, R_BR_TABLE);
  def(t, 0x0f, 'return', IMM_NONE, R_RETURN);
  def(t, 0x10, 'call', IMM_INDEX, R_CALL);
  def(t, 0x11, 'call_indirect', IMM_INDEX2, R_CALL);
  def(t, 0x12, 'return_call', IMM_INDEX, R_RETURN_CALL);
  def(t, 0x13, 'return_call_indirect', IMM_INDEX2, R_RETURN_CALL);
  def(t, 0x14, 'call_ref', IMM_INDEX, R_CALL);
  def(t, 0x15, 'return_call_ref', IMM_INDEX, R_RETURN_CALL);
  def(t, 0x18, 'delegate', IMM_INDEX, R_DELEGATE);
  def(t, 0x19, 'catch_all', IMM_NONE, R_CATCH);
  def(t, 0x1a, 'drop', IMM_NONE);
  def(t, 0x1b, 'select', IMM_NONE);
  def(t, 0x1c, 'select', IMM_SELECT_T);
  def(t, 0x1f, 'try_table', IMM_TRY_TABLE, R_TRY_TABLE);
  run(t, 0x20, IMM_INDEX, 'local.get local.set local.tee');
  def(t, 0x23, 'global.get', IMM_INDEX, R_GLOBAL_GET);
  def(t, 0x24, 'global.set', IMM_INDEX, R_GLOBAL_SET);
  run(t, 0x25, IMM_INDEX, 'table.get table.set');
  run(
    t,
    0x28,
    IMM_MEMARG,
    `i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u
     i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u
     i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32`,
  );
  def(t, 0x3f, 'memory.size', IMM_INDEX);
  def(t, 0x40, 'memory.grow', IMM_INDEX, R_MEMORY_GROW);
  def(t, 0x41, 'i32.const', IMM_I32);
  def(t, 0x42, 'i64.const', IMM_I64);
  def(t, 0x43, 'f32.const', IMM_F32);
  def(t, 0x44, 'f64.const', IMM_F64);
  run(
    t,
    0x45,
    IMM_NONE,
    `i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
     i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
     f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
     f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
     i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
     i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
     i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
     i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
     f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt
     f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
     f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt
     f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
     i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
     i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
     f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
     f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
     i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64
     i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s`,
  );
  def(t, 0xd0, 'ref.null', IMM_HEAPTYPE);
  def(t, 0xd1, 'ref.is_null', IMM_NONE);
  def(t, 0xd2, 'ref.func', IMM_INDEX);
  def(t, 0xd3, 'ref.eq', IMM_NONE);
  def(t, 0xd4, 'ref.as_non_null', IMM_NONE);
  def(t, 0xd5, 'br_on_null', IMM_INDEX, R_BR_ON);
  def(t, 0xd6, 'br_on_non_null', IMM_INDEX, R_BR_ON);
}

// ---- 0xFB: GC ------------------------------------------------------------------------
{
  const t = GC;
  run(t, 0x00, IMM_INDEX, 'struct.new struct.new_default');
  run(t, 0x02, IMM_INDEX2, 'struct.get struct.get_s struct.get_u struct.set');
  run(t, 0x06, IMM_INDEX, 'array.new array.new_default');
  run(t, 0x08, IMM_INDEX2, 'array.new_fixed array.new_data array.new_elem');
  run(t, 0x0b, IMM_INDEX, 'array.get array.get_s array.get_u array.set');
  def(t, 0x0f, 'array.len', IMM_NONE);
  def(t, 0x10, 'array.fill', IMM_INDEX);
  run(t, 0x11, IMM_INDEX2, 'array.copy array.init_data array.init_elem');
  run(t, 0x14, IMM_HEAPTYPE, 'ref.test ref.test ref.cast ref.cast');
  def(t, 0x18, 'br_on_cast', IMM_BR_ON_CAST, R_BR_ON);
  def(t, 0x19, 'br_on_cast_fail', IMM_BR_ON_CAST, R_BR_ON);
  run(t, 0x1a, IMM_NONE, 'any.convert_extern extern.convert_any ref.i31 i31.get_s i31.get_u');
}

// ---- 0xFC: saturating truncation, bulk memory, tables, wide arithmetic ---------------
{
  const t = MISC;
  run(
    t,
    0x00,
    IMM_NONE,
    `i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
     i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
  );
  def(t, 0x08, 'memory.init', IMM_INDEX2, R_BULK);
  def(t, 0x09, 'data.drop', IMM_INDEX);
  def(t, 0x0a, 'memory.copy', IMM_INDEX2, R_BULK);
  def(t, 0x0b, 'memory.fill', IMM_INDEX, R_BULK);
  def(t, 0x0c, 'table.init', IMM_INDEX2, R_BULK);
  def(t, 0x0d, 'elem.drop', IMM_INDEX);
  def(t, 0x0e, 'table.copy', IMM_INDEX2, R_BULK);
  def(t, 0x0f, 'table.grow', IMM_INDEX, R_TABLE_GROW);
  def(t, 0x10, 'table.size', IMM_INDEX);
  def(t, 0x11, 'table.fill', IMM_INDEX, R_BULK);
  run(t, 0x13, IMM_NONE, 'i64.add128 i64.sub128 i64.mul_wide_s i64.mul_wide_u');
}

// ---- 0xFD: SIMD and relaxed SIMD -----------------------------------------------------
{
  const t = SIMD;
  run(
    t,
    0x00,
    IMM_MEMARG,
    `v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s v128.load32x2_u
     v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat v128.store`,
  );
  def(t, 0x0c, 'v128.const', IMM_V128);
  def(t, 0x0d, 'i8x16.shuffle', IMM_V128);
  run(t, 0x0e, IMM_NONE, 'i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat');
  run(
    t,
    0x15,
    IMM_LANE,
    `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane
     i16x8.extract_lane_s i16x8.extract_lane_u i16x8.replace_lane
     i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
     f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`,
  );
  run(
    t,
    0x23,
    IMM_NONE,
    `i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
     i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
     i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
     f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
     f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
     v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true`,
  );
  run(
    t,
    0x54,
    IMM_MEMARG_LANE,
    `v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane
     v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane`,
  );
  run(t, 0x5c, IMM_MEMARG, 'v128.load32_zero v128.load64_zero');
  run(
    t,
    0x5e,
    IMM_NONE,
    // '-' marks opcodes the SIMD proposal leaves unassigned.
    `f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
     i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
     f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
     i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u
     f64x2.ceil f64x2.floor
     i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u
     f64x2.trunc
     i8x16.avgr_u
     i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
     i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
     i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
     i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u
     f64x2.nearest
     i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u
     i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
     i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - -
     i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u
     i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - -
     i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
     i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
     i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - -
     i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u
     i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - -
     i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
     i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
     f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin f32x4.pmax
     f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin f64x2.pmax
     i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
     i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u
     i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
     i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero
     f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
     i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
     f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max
     i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`,
  );
}

// ---- 0xFE: threads ---------------------------------------------------------------------
{
  const t = THREADS;
  run(t, 0x00, IMM_MEMARG, 'memory.atomic.notify memory.atomic.wait32 memory.atomic.wait64');
  def(t, 0x03, 'atomic.fence', IMM_BYTE);
  run(t, 0x10, IMM_MEMARG, 'i32.atomic.load i64.atomic.load i32.atomic.load8_u i32.atomic.load16_u i64.atomic.load8_u i64.atomic.load16_u i64.atomic.load32_u');
  run(t, 0x17, IMM_MEMARG, 'i32.atomic.store i64.atomic.store i32.atomic.store8 i32.atomic.store16 i64.atomic.store8 i64.atomic.store16 i64.atomic.store32');
  let op = 0x1e;
  for (const rmw of ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg']) {
    const names = `i32.atomic.rmw.${rmw} i64.atomic.rmw.${rmw} i32.atomic.rmw8.${rmw}_u i32.atomic.rmw16.${rmw}_u i64.atomic.rmw8.${rmw}_u i64.atomic.rmw16.${rmw}_u i64.atomic.rmw32.${rmw}_u`;
    run(t, op, IMM_MEMARG, names);
    op += 7;
  }
}

/** The table for a prefix byte, or undefined for single-byte opcodes. */
export function prefixTable(prefix: number): OpcodeTable | undefined {
  switch (prefix) {
    case PREFIX_GC:
      return GC;
    case PREFIX_MISC:
      return MISC;
    case PREFIX_SIMD:
      return SIMD;
    case PREFIX_THREADS:
      return THREADS;
    default:
      return undefined;
  }
}

/**
 * A number naming one opcode (cost caching): the byte itself for single-byte opcodes,
 * (prefix - 0xfa) * 0x1000 + sub-opcode for prefixed ones, so the two never collide.
 */
export function opcodeKey(prefix: number, sub: number): number {
  return (prefix - 0xfa) * 0x1000 + sub;
}

/** Text-format name of an opcode key (see opcodeKey), for `costOf` and error messages. */
export function opcodeName(key: number): string {
  if (key < 0x100) return SINGLE.name[key] ?? `0x${key.toString(16)}`;
  const prefix = 0xfa + Math.floor(key / 0x1000);
  const sub = key % 0x1000;
  return prefixTable(prefix)?.name[sub] ?? `0x${prefix.toString(16)} ${sub}`;
}

/** Every known opcode as [prefix or -1, sub-opcode or byte, name, immediate shape]; tests use it. */
export function allOpcodes(): [number, number, string, number][] {
  const out: [number, number, string, number][] = [];
  const add = (prefix: number, t: OpcodeTable): void => {
    for (let i = 0; i < t.imm.length; i++) if (t.imm[i] !== UNKNOWN) out.push([prefix, i, t.name[i]!, t.imm[i]!]);
  };
  add(-1, SINGLE);
  add(PREFIX_GC, GC);
  add(PREFIX_MISC, MISC);
  add(PREFIX_SIMD, SIMD);
  add(PREFIX_THREADS, THREADS);
  return out;
}
