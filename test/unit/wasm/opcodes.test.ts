import { print } from '@bytecodealliance/jco-transpile/wasm-tools';
import { describe, expect, it } from 'vitest';
import { InstructionDecoder } from '../../../src/wasm/instruction-decoder.js';
import { Imm, allOpcodes } from '../../../src/wasm/opcodes.js';
import { Writer } from '../../../src/wasm/writer.js';
import { WasmRewriteError } from '../../../src/wasm/index.js';

// Cross-checks the opcode tables against wasm-tools (jco's `print`): for every opcode we
// know, a body holding just that instruction with dummy immediates must print as the
// instruction of the same name, and our decoder must consume exactly those bytes.

function immediates(shape: number): number[] {
  switch (shape) {
    case Imm.NONE:
      return [];
    case Imm.BLOCKTYPE:
      return [0x40];
    case Imm.INDEX:
    case Imm.I32:
    case Imm.I64:
    case Imm.LANE:
    case Imm.BYTE:
      return [0x00];
    case Imm.INDEX2:
      return [0x00, 0x00];
    case Imm.BR_TABLE:
      return [0x01, 0x00, 0x00];
    case Imm.MEMARG:
      return [0x00, 0x00];
    case Imm.MEMARG_LANE:
      return [0x00, 0x00, 0x00];
    case Imm.F32:
      return [0, 0, 0, 0];
    case Imm.F64:
      return new Array<number>(8).fill(0);
    case Imm.V128:
      return new Array<number>(16).fill(0);
    case Imm.SELECT_T:
      return [0x01, 0x7f];
    case Imm.HEAPTYPE:
      return [0x70];
    case Imm.TRY_TABLE:
      return [0x40, 0x00];
    case Imm.BR_ON_CAST:
      return [0x00, 0x00, 0x6e, 0x6e];
    default:
      throw new Error(`shape ${shape}`);
  }
}

function instructionBytes(prefix: number, op: number, shape: number): Uint8Array {
  const w = new Writer();
  if (prefix >= 0) {
    w.u8(prefix);
    w.u32(op);
  } else {
    w.u8(op);
  }
  for (const b of immediates(shape)) w.u8(b);
  return w.toBytes();
}

/** A module with one (func) whose body is the given instruction bytes followed by `end`s. */
function moduleWithBody(instr: Uint8Array, ends: number): Uint8Array {
  const body = new Writer();
  body.u8(0); // no locals
  body.bytes(instr);
  for (let i = 0; i < ends; i++) body.u8(0x0b);
  const code = new Writer();
  code.u32(1);
  code.sized(body);
  const m = new Writer();
  m.bytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  m.bytes(new Uint8Array([1, 4, 1, 0x60, 0, 0])); // type: (func)
  m.bytes(new Uint8Array([3, 2, 1, 0])); // function 0: type 0
  m.u8(10);
  m.sized(code);
  return m.toBytes();
}

const opcodes = allOpcodes();
const OPENERS = new Set(['block', 'loop', 'if', 'try', 'try_table']);
const INSIDE: Record<string, number[]> = {
  else: [0x41, 0x00, 0x04, 0x40], // i32.const 0; if
  catch: [0x06, 0x40], // try
  catch_all: [0x06, 0x40],
  delegate: [0x06, 0x40],
};

describe('opcode tables', () => {
  it('cover the expected proposals', () => {
    const names = new Set(opcodes.map((o) => o[2]));
    for (const n of [
      'i32.add', 'i64.extend32_s', 'i32.trunc_sat_f64_u', 'memory.copy', 'table.grow', 'ref.func',
      'v128.const', 'i8x16.shuffle', 'i32x4.relaxed_dot_i8x16_i7x16_add_s', 'v128.load64_lane',
      'memory.atomic.wait64', 'i64.atomic.rmw32.cmpxchg_u', 'atomic.fence', 'return_call_indirect',
      'call_ref', 'br_on_non_null', 'try_table', 'throw_ref', 'delegate', 'struct.new', 'br_on_cast_fail',
      'array.init_elem', 'i31.get_u',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
    expect(opcodes.length).toBeGreaterThan(500);
  });

  it('name and size every opcode the way wasm-tools does', async () => {
    const mismatches: string[] = [];
    for (const [prefix, op, name, shape] of opcodes) {
      const instr = instructionBytes(prefix, op, shape);
      // Our decoder consumes exactly the instruction.
      const d = new InstructionDecoder(instr, 0, instr.length, 'test');
      d.next();
      if (d.pos !== instr.length) mismatches.push(`${name}: decoder consumed ${d.pos} of ${instr.length} bytes`);
      // wasm-tools prints it under the same name.
      if (name === 'end') continue; // every other body ends with it
      // Instructions that only exist inside an `if` or a legacy `try` get one around them.
      const opener = INSIDE[name];
      const full = opener ? new Uint8Array([...opener, ...instr]) : instr;
      const ends = (OPENERS.has(name) ? 2 : 1) + (opener && name !== 'delegate' ? 1 : 0);
      let text: string;
      try {
        text = await print(moduleWithBody(full, ends));
      } catch (e) {
        mismatches.push(`${name}: wasm-tools could not print it (${String(e).slice(0, 80)})`);
        continue;
      }
      const lines = text.slice(text.indexOf('(func (;0;)')).split('\n').slice(1);
      const line = (opener ? lines.find((l) => l.trim().split(/[\s;]/)[0] === name) : lines[0])?.trim() ?? '';
      if (line.split(/[\s;]/)[0] !== name) mismatches.push(`${name}: wasm-tools prints ${JSON.stringify(line)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('rejects unknown opcodes with their offset', () => {
    for (const b of [[0x27], [0xc5], [0xfd, 0xff, 0x03], [0xfc, 0x12], [0xfe, 0x04], [0xfb, 0x7f]]) {
      const bytes = new Uint8Array(b);
      const d = new InstructionDecoder(bytes, 0, bytes.length, 'function 3');
      expect(() => d.next()).toThrow(/function 3: unknown opcode .* at offset 0/);
    }
  });

  it('rejects truncated immediates', () => {
    for (const [prefix, op, , shape] of opcodes) {
      const instr = instructionBytes(prefix, op, shape);
      if (instr.length < 2) continue;
      const cut = instr.subarray(0, instr.length - 1);
      const d = new InstructionDecoder(cut, 0, cut.length, 'test');
      expect(() => d.next()).toThrow(WasmRewriteError);
    }
  });
});
