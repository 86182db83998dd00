import { Reader } from './reader.js';
import { GC, Imm, MISC, PREFIX_TABLE_SIZE, SIMD, SINGLE, THREADS, type OpcodeTable } from './opcodes.js';
import { skipBlockType, skipHeapType, skipValType } from './value-types.js';

// Local copies: see the note on Imm in opcodes.ts.
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
  UNKNOWN: IMM_UNKNOWN,
} = Imm;
const { imm: SINGLE_IMM, role: SINGLE_ROLE } = SINGLE;
/** Tables for prefixes 0xfb..0xfe, in that order. */
const PREFIXED: readonly OpcodeTable[] = [GC, MISC, SIMD, THREADS];

/**
 * Decodes one instruction at a time: where it starts and ends, what it is, and the few
 * immediates the rewriter acts on (branch labels, global/memory/table indices). All other
 * immediates are skipped, not materialised, so decoding a 12 MB module stays cheap.
 */
export class InstructionDecoder {
  readonly r: Reader;
  /** Offset of the current instruction's first byte. */
  start = 0;
  /** Opcode key (see opcodeKey). */
  key = 0;
  role = 0;
  /** First index immediate: label, function, global, memory, table... (when the shape has one). */
  index = 0;
  /** br_table labels, default last; valid up to targetCount. */
  targets = new Uint32Array(16);
  targetCount = 0;

  constructor(bytes: Uint8Array, start: number, end: number, what: string) {
    this.r = new Reader(bytes, start, end, what);
  }

  get pos(): number {
    return this.r.pos;
  }

  /** Decodes the instruction at the current position and moves past it. */
  next(): void {
    const r = this.r;
    this.start = r.pos;
    const op = r.u8();
    let imm: number;
    if (op >= 0xfb && op <= 0xfe) {
      const sub = r.u32();
      const t = PREFIXED[op - 0xfb]!;
      if (sub >= PREFIX_TABLE_SIZE || t.imm[sub] === IMM_UNKNOWN) {
        r.pos = this.start;
        throw r.fail(`unknown opcode 0x${op.toString(16)} ${sub}`);
      }
      imm = t.imm[sub]!;
      this.role = t.role[sub]!;
      this.key = (op - 0xfa) * 0x1000 + sub; // opcodeKey(op, sub), inlined for the hot loop
    } else {
      imm = SINGLE_IMM[op]!;
      if (imm === IMM_UNKNOWN) {
        r.pos = this.start;
        throw r.fail(`unknown opcode 0x${op.toString(16)}`);
      }
      this.role = SINGLE_ROLE[op]!;
      this.key = op;
    }
    switch (imm) {
      case IMM_NONE:
        return;
      case IMM_INDEX:
        this.index = r.u32();
        return;
      case IMM_INDEX2:
        this.index = r.u32();
        r.u32();
        return;
      case IMM_MEMARG:
        skipMemArg(r);
        return;
      case IMM_I32:
        r.skipLeb(5);
        return;
      case IMM_I64:
        r.skipLeb(10);
        return;
      case IMM_BLOCKTYPE:
        skipBlockType(r);
        return;
      case IMM_BR_TABLE:
        this.readBrTable();
        return;
      case IMM_F32:
        r.skip(4);
        return;
      case IMM_F64:
        r.skip(8);
        return;
      case IMM_V128:
        r.skip(16);
        return;
      case IMM_LANE:
      case IMM_BYTE:
        r.skip(1);
        return;
      case IMM_MEMARG_LANE:
        skipMemArg(r);
        r.skip(1);
        return;
      case IMM_SELECT_T: {
        const n = r.count();
        for (let i = 0; i < n; i++) skipValType(r);
        return;
      }
      case IMM_HEAPTYPE:
        skipHeapType(r);
        return;
      case IMM_TRY_TABLE: {
        skipBlockType(r);
        const n = r.count();
        for (let i = 0; i < n; i++) {
          const kind = r.u8();
          if (kind === 0x00 || kind === 0x01) r.u32(); // tag
          else if (kind !== 0x02 && kind !== 0x03) throw r.fail(`invalid try_table catch kind ${kind}`);
          r.u32(); // label
        }
        return;
      }
      case IMM_BR_ON_CAST:
        r.u8(); // nullability flags
        this.index = r.u32();
        skipHeapType(r);
        skipHeapType(r);
        return;
      default:
        throw r.fail(`internal: immediate shape ${imm}`);
    }
  }

  private readBrTable(): void {
    const r = this.r;
    const n = r.count();
    if (this.targets.length < n + 1) this.targets = new Uint32Array(Math.max(n + 1, this.targets.length * 2));
    const t = this.targets;
    for (let i = 0; i <= n; i++) t[i] = r.u32();
    this.targetCount = n + 1;
  }
}

/** memarg: alignment (bit 6 set: a memory index follows, multi-memory), then the offset. */
function skipMemArg(r: Reader): void {
  const align = r.u32();
  if ((align & 0x40) !== 0) r.u32();
  r.skipLeb(10); // u64 offsets exist only with memory64, which is refused earlier
}
