/**
 * The module half of an in-process Wizer (see src/build/wizer-in-process.ts): what the input
 * must look like, the instrumented copy that exports every global and memory so their
 * values can be read after initialization, and the final rewrite of the ORIGINAL module
 * into its initialized form. Reproduces Wizer 10 (the binary componentize-js 0.23 runs), as
 * its output shows on probe modules (test/unit/wasm/wizer-rewrite.test.ts compares the two
 * byte for byte):
 * - every defined global, mutable or not, gets its snapshotted value as `<type>.const`;
 * - each defined memory's minimum becomes its snapshotted size, the rest of its type stays;
 * - the data section is replaced by the snapshot's active segments: the original segments,
 *   active and passive, are dropped, and the data count (if any) becomes their number;
 * - the start section and the exports of the init function and of a called `_initialize`
 *   are removed;
 * - a module without a data section gets one before the name section (or at the end);
 * - everything else is copied verbatim (sections re-framed with minimal size LEBs, as
 *   wasm-encoder writes them).
 * Anything outside what is known to match (imported memories/tables/globals, reference-type
 * and table-mutating instructions Wizer refuses, atomics, GC, exceptions, non-numeric or
 * NaN-valued globals) is reported as unsupported, so the caller runs the real Wizer.
 */
import { InstructionDecoder } from './instruction-decoder.js';
import { findSection, readLayout, sectionReader, type Layout } from './layout.js';
import { HEADER, SEC_CUSTOM, SEC_DATA, SEC_DATA_COUNT, SEC_EXPORT, SEC_GLOBAL, SEC_MEMORY, SEC_START, SEC_TYPE, type Section } from './module.js';
import { opcodeName } from './opcodes.js';
import { skipConstExpr } from './const-expr.js';
import { Reader } from './reader.js';
import type { DataSegment } from './wizer-segments.js';
import { Writer } from './writer.js';

export type NumType = 'i32' | 'i64' | 'f32' | 'f64';
const NUM_TYPES: Readonly<Record<number, NumType>> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
const TYPE_BYTE: Readonly<Record<NumType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c };

export interface GlobalDecl {
  type: NumType;
  mutable: boolean;
}

export interface WizerPlan {
  /** The original module. */
  bytes: Uint8Array;
  layout: Layout;
  /** Defined globals, in index order (imported globals are refused). */
  globals: GlobalDecl[];
  /** Number of defined memories (imported ones are refused). */
  memories: number;
  /** The module with `__wizer_global_N` / `__wizer_memory_N` exports added: run this one. */
  instrumented: Uint8Array<ArrayBuffer>;
  /** The module exports a `_initialize` function of type [] -> [] (Wizer calls it first). */
  hasInitialize: boolean;
}

export type PlanResult = { ok: true; plan: WizerPlan } | { ok: false; reason: string };

/** A global's value after initialization: numbers for i32/f32/f64, bigint for i64. */
export type GlobalValue = number | bigint;

export interface WizerSnapshot {
  globals: GlobalValue[];
  /** New minimum of each defined memory, in pages. */
  memoryPages: number[];
  /** The initialized memories, to take segment bytes from. */
  memories: Uint8Array[];
  segments: DataSegment[];
}

export const globalExportName = (i: number): string => `__wizer_global_${i}`;
export const memoryExportName = (i: number): string => `__wizer_memory_${i}`;

/**
 * Instructions that change state Wizer does not snapshot (tables, dropped segments) or that
 * need proposals it does not take: Wizer refuses the first kind; for the others its
 * behaviour is not known to match, so they also go to the real Wizer.
 */
function refusedOpcode(key: number): boolean {
  if (key >= 0x1000) {
    const prefix = 0xfa + Math.floor(key / 0x1000);
    const sub = key % 0x1000;
    if (prefix === 0xfc) return sub >= 0x09 && sub !== 0x0a && sub !== 0x0b; // only memory.init/copy/fill of the bulk ops
    return prefix !== 0xfd; // SIMD is fine; GC (0xfb) and atomics (0xfe) are not
  }
  switch (key) {
    case 0x06: // try
    case 0x07: // catch
    case 0x08: // throw
    case 0x09: // rethrow
    case 0x0a: // throw_ref
    case 0x14: // call_ref
    case 0x15: // return_call_ref
    case 0x18: // delegate
    case 0x19: // catch_all
    case 0x1c: // select t (typed select: reference types)
    case 0x1f: // try_table
    case 0x25: // table.get
    case 0x26: // table.set
      return true;
    default:
      return key >= 0xd0 && key <= 0xd6; // ref.null .. br_on_non_null
  }
}

interface FuncSig {
  params: number;
  results: number;
}

function readFuncSigs(bytes: Uint8Array, sections: readonly Section[]): FuncSig[] | string {
  const s = findSection(sections, SEC_TYPE);
  if (!s) return [];
  const r = sectionReader(bytes, s);
  const n = r.count();
  const sigs: FuncSig[] = [];
  for (let i = 0; i < n; i++) {
    if (r.u8() !== 0x60) return 'a type that is not a plain function type (GC or rec groups)';
    const params = r.count();
    for (let k = 0; k < params; k++) if (NUM_TYPES[r.u8()] === undefined && r.bytes[r.pos - 1] !== 0x7b) return 'a reference-typed parameter';
    const results = r.count();
    for (let k = 0; k < results; k++) if (NUM_TYPES[r.u8()] === undefined && r.bytes[r.pos - 1] !== 0x7b) return 'a reference-typed result';
    sigs.push({ params, results });
  }
  return sigs;
}

function scanCode(layout: Layout): string | null {
  const s = findSection(layout.sections, 10);
  if (!s) return null;
  const bytes = layout.bytes;
  const r = sectionReader(bytes, s);
  const n = r.count();
  for (let f = 0; f < n; f++) {
    const size = r.u32();
    const end = r.pos + size;
    const body = new Reader(bytes, r.pos, end, `function body ${f}`);
    const groups = body.count();
    for (let g = 0; g < groups; g++) {
      body.u32();
      const t = body.u8();
      if (NUM_TYPES[t] === undefined && t !== 0x7b) return `function ${layout.importedFuncs + f} has reference-typed locals`;
    }
    const d = new InstructionDecoder(bytes, body.pos, end, `function body ${f}`);
    while (d.pos < end) {
      d.next();
      if (refusedOpcode(d.key)) return `function ${layout.importedFuncs + f} uses \`${opcodeName(d.key)}\``;
    }
    r.pos = end;
  }
  return null;
}

/**
 * Checks that the module is one this implementation reproduces Wizer on, and builds the
 * instrumented copy. The result only depends on the bytes and the init function's name:
 * callers cache it together with the compiled instrumented module.
 */
export function planWizer(bytes: Uint8Array, initFunc: string): PlanResult {
  let layout: Layout;
  try {
    layout = readLayout(bytes);
  } catch (e) {
    return { ok: false, reason: `the module does not parse: ${(e as Error).message}` };
  }
  const no = (reason: string): PlanResult => ({ ok: false, reason });
  const nonFunc = layout.imports.find((i) => i.kind !== 'func');
  if (nonFunc) return no(`it imports a ${nonFunc.kind} (${nonFunc.module} ${nonFunc.name})`);
  if (layout.memories.some((m) => m.shared)) return no('it has a shared memory');
  if (layout.tables.some((t) => t.refType.length !== 1 || t.refType[0] !== 0x70)) return no('it has a table that is not a funcref table');
  const sigs = readFuncSigs(bytes, layout.sections);
  if (typeof sigs === 'string') return no(`it has ${sigs}`);
  const funcTypes = [...layout.importedFuncTypes, ...layout.funcTypes];
  const sigOf = (exportName: string): FuncSig | 'not-func' | undefined => {
    const e = layout.exports.find((x) => x.name === exportName);
    if (!e) return undefined;
    if (e.kind !== 'func') return 'not-func';
    return sigs[funcTypes[e.index]!];
  };
  const init = sigOf(initFunc);
  if (init === undefined || init === 'not-func' || init.params !== 0 || init.results !== 0) return no(`its \`${initFunc}\` export is missing or not a [] -> [] function`);
  const initialize = sigOf('_initialize');
  if (initialize !== undefined && initialize !== 'not-func' && (initialize.params !== 0 || initialize.results !== 0)) return no('its `_initialize` export is not a [] -> [] function');
  if (layout.exports.some((e) => e.name.startsWith('__wizer_'))) return no('it already has `__wizer_*` exports');

  const globals: GlobalDecl[] = [];
  const gs = findSection(layout.sections, SEC_GLOBAL);
  if (gs) {
    const r = sectionReader(bytes, gs);
    const n = r.count();
    for (let i = 0; i < n; i++) {
      const type = NUM_TYPES[r.u8()];
      if (!type) return no(`global ${i} is not of a number type`);
      const mut = r.u8();
      if (mut > 1) return no(`global ${i} has mutability flags ${mut}`);
      skipConstExpr(r);
      globals.push({ type, mutable: mut === 1 });
    }
  }
  const ds = findSection(layout.sections, SEC_DATA);
  if (ds) {
    const r = sectionReader(bytes, ds);
    const n = r.count();
    for (let i = 0; i < n; i++) {
      const flags = r.u32();
      if (flags > 2) return no(`data segment ${i} has flags ${flags}`);
      if (flags === 2) r.u32();
      if (flags !== 1) skipConstExpr(r);
      r.skip(r.u32());
    }
  }
  let refused: string | null;
  try {
    refused = scanCode(layout);
  } catch (e) {
    return no(`its code does not decode: ${(e as Error).message}`);
  }
  if (refused) return no(refused);

  const memories = layout.memories.length;
  const instrumented = instrument(bytes, layout, globals.length, memories);
  return { ok: true, plan: { bytes, layout, globals, memories, instrumented, hasInitialize: initialize !== undefined && initialize !== 'not-func' } };
}

function frame(out: Writer, id: number, payload: Writer): void {
  out.u8(id);
  out.sized(payload);
}

/** The module with every defined global and memory exported under Wizer's names. */
function instrument(bytes: Uint8Array, layout: Layout, globals: number, memories: number): Uint8Array<ArrayBuffer> {
  const out = new Writer(bytes.length + 64 + 24 * (globals + memories));
  out.bytes(HEADER);
  for (const s of layout.sections) {
    if (s.id !== SEC_EXPORT) {
      out.copy(bytes, s.start, s.end);
      continue;
    }
    const r = sectionReader(bytes, s);
    const n = r.u32();
    const payload = new Writer(s.end - s.payloadStart + 24 * (globals + memories));
    payload.u32(n + globals + memories);
    payload.copy(bytes, r.pos, s.end);
    for (let i = 0; i < globals; i++) {
      payload.name(globalExportName(i));
      payload.u8(0x03);
      payload.u32(i); // no imported globals (refused)
    }
    for (let i = 0; i < memories; i++) {
      payload.name(memoryExportName(i));
      payload.u8(0x02);
      payload.u32(i);
    }
    frame(out, SEC_EXPORT, payload);
  }
  return out.toBytes();
}

function writeS64(out: Writer, v: bigint): void {
  let x = BigInt.asIntN(64, v);
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0)) {
      out.u8(byte);
      return;
    }
    out.u8(byte | 0x80);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

function writeConst(out: Writer, type: NumType, value: GlobalValue): void {
  switch (type) {
    case 'i32':
      out.u8(0x41);
      out.s32(Number(value));
      break;
    case 'i64':
      out.u8(0x42);
      writeS64(out, BigInt(value));
      break;
    case 'f32':
      out.u8(0x43);
      scratch.setFloat32(0, Number(value), true);
      out.copy(new Uint8Array(scratch.buffer), 0, 4);
      break;
    case 'f64':
      out.u8(0x44);
      scratch.setFloat64(0, Number(value), true);
      out.copy(new Uint8Array(scratch.buffer), 0, 8);
      break;
  }
  out.u8(0x0b);
}

/** Why a snapshot cannot be written exactly as Wizer would, or null. */
export function snapshotProblem(plan: WizerPlan, snap: WizerSnapshot): string | null {
  if (snap.globals.length !== plan.globals.length) return 'internal: global count';
  for (let i = 0; i < plan.globals.length; i++) {
    const t = plan.globals[i]!.type;
    // A NaN read through JS has lost its payload bits; Wizer keeps them.
    if ((t === 'f32' || t === 'f64') && Number.isNaN(snap.globals[i])) return `global ${i} is NaN after initialization`;
  }
  if (snap.memoryPages.length !== plan.memories) return 'internal: memory count';
  return null;
}

/** The original module, initialized: see the header for what changes. */
export function rewriteWizened(plan: WizerPlan, snap: WizerSnapshot, opts: { initFunc: string; removeInitialize: boolean }): Uint8Array<ArrayBuffer> {
  const { bytes, layout } = plan;
  let dataBytes = 0;
  for (const s of snap.segments) dataBytes += s.len + 12;
  const out = new Writer(bytes.length + dataBytes + 1024);
  out.bytes(HEADER);
  let dataAdded = false;
  const addData = (): void => {
    if (dataAdded) return;
    dataAdded = true;
    if (snap.segments.length === 0) return;
    const p = new Writer(dataBytes + 8);
    p.u32(snap.segments.length);
    for (const seg of snap.segments) {
      if (seg.memoryIndex === 0) p.u8(0x00);
      else {
        p.u8(0x02);
        p.u32(seg.memoryIndex);
      }
      p.u8(0x41);
      p.s32(seg.offset | 0);
      p.u8(0x0b);
      p.u32(seg.len);
      p.copy(snap.memories[seg.memoryIndex]!, seg.offset, seg.offset + seg.len);
    }
    frame(out, SEC_DATA, p);
  };
  const raw = (s: Section): void => {
    out.u8(s.id);
    out.u32(s.end - s.payloadStart);
    out.copy(bytes, s.payloadStart, s.end);
  };
  for (const s of layout.sections) {
    switch (s.id) {
      case SEC_CUSTOM:
        if (s.customName === 'name') addData();
        raw(s);
        break;
      case SEC_MEMORY: {
        const p = new Writer(16 * plan.memories + 8);
        p.u32(plan.memories);
        layout.memories.forEach((m, i) => {
          p.u8((m.max !== null ? 0x01 : 0) | (m.shared ? 0x02 : 0));
          p.u32(snap.memoryPages[i]!);
          if (m.max !== null) p.u32(m.max);
        });
        frame(out, SEC_MEMORY, p);
        break;
      }
      case SEC_GLOBAL: {
        const p = new Writer(16 * plan.globals.length + 8);
        p.u32(plan.globals.length);
        plan.globals.forEach((g, i) => {
          p.u8(TYPE_BYTE[g.type]);
          p.u8(g.mutable ? 1 : 0);
          writeConst(p, g.type, snap.globals[i]!);
        });
        frame(out, SEC_GLOBAL, p);
        break;
      }
      case SEC_EXPORT: {
        const kept = layout.exports.filter((e) => e.name !== opts.initFunc && !(opts.removeInitialize && e.name === '_initialize'));
        const p = new Writer(s.end - s.payloadStart + 8);
        p.u32(kept.length);
        const kinds: Record<string, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };
        for (const e of kept) {
          p.name(e.name);
          p.u8(kinds[e.kind] ?? Number(e.kind.slice(5)));
          p.u32(e.index);
        }
        frame(out, SEC_EXPORT, p);
        break;
      }
      case SEC_START:
        break; // it has run
      case SEC_DATA_COUNT: {
        const p = new Writer(8);
        p.u32(snap.segments.length);
        frame(out, SEC_DATA_COUNT, p);
        break;
      }
      case SEC_DATA:
        addData();
        break;
      default:
        raw(s);
    }
  }
  addData();
  return out.toBytes();
}
