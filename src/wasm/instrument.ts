import { BodyRewriter } from './body-rewriter.js';
import { BodyCache, CALL_BULK, CALL_FIELDS, CALL_MEMORY_GROW, CALL_TABLE_GROW } from './body-cache.js';
import { CostModel } from './cost-model.js';
import { WasmRewriteError } from './errors.js';
import { BULK_OPS, TABLE_FILL, bulkBody, bulkType } from './bulk-wrappers.js';
import { INTERRUPT_POINT_TYPE, interruptPointBody } from './interrupt-point.js';
import { memoryGrowBody, memoryGrowType, tableGrowBody, tableGrowType } from './grow-wrappers.js';
import { findSection, readLayout, type Layout } from './layout.js';
import { METER_GLOBALS, METER_MODULE, meterGlobals } from './meter.js';
import {
  HEADER,
  SECTION_ORDER,
  SEC_CODE,
  SEC_CUSTOM,
  SEC_DATA,
  SEC_ELEMENT,
  SEC_EXPORT,
  SEC_FUNCTION,
  SEC_GLOBAL,
  SEC_IMPORT,
  SEC_MEMORY,
  SEC_TABLE,
  SEC_TYPE,
  type Section,
} from './module.js';
import { toModuleInfo, type ModuleInfo } from './module-info.js';
import { Reader } from './reader.js';
import {
  appendToVector,
  rewriteDataSection,
  rewriteElementSection,
  rewriteExportSection,
  rewriteGlobalSection,
  rewriteMemorySection,
  rewriteNameSection,
  rewriteTableSection,
} from './section-rewriters.js';
import { Writer } from './writer.js';

export interface InstrumentOptions {
  /** Insert fuel metering. */
  fuel: boolean;
  /** Every defined memory's maximum becomes min(declared max, this), in 64 KiB pages. */
  memoryMaxPages: number;
  /** Every defined table's maximum becomes min(declared max, this). */
  tableMaxElements: number;
  /**
   * Optional weights by text-format opcode name ('i32.add', 'call_indirect', 'v128.load'...),
   * asked once per distinct opcode; integers in 0..2^32-1. Default: 1 per original
   * instruction. Whatever the weights, each loop iteration and each call of a function with
   * loops or calls costs at least 1, so fuel always bounds execution.
   */
  costOf?: (opcode: string) => number;
  /**
   * Meter bulk instructions by their length operand (needs `fuel`): memory.fill / copy / init
   * cost an extra 1 per `memoryBytesPerFuel` bytes, table.fill / copy / init 1 per
   * `tableElementsPerFuel` elements (both powers of two). Off by default, so that the default
   * stays exactly one per instruction.
   */
  bulk?: { memoryBytesPerFuel: number; tableElementsPerFuel: number };
  /**
   * Reuse rewritten function bodies across calls (see body-cache.ts): the output is the same
   * byte for byte, only faster when most bodies were seen before. `costOf` must then be a
   * pure function (it is identified by the function object).
   */
  cache?: BodyCache;
}

export interface InstrumentResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** Describes the original module (limits as declared, before clamping). */
  info: ModuleInfo;
}

/** Number of imported globals the rewrite adds; defined global indices move by this much. */
const ADDED_GLOBALS = METER_GLOBALS.length;

function checkOptions(o: InstrumentOptions): void {
  if (o === null || typeof o !== 'object') throw new WasmRewriteError('options must be an object');
  if (typeof o.fuel !== 'boolean') throw new WasmRewriteError('options.fuel must be a boolean');
  if (!Number.isInteger(o.memoryMaxPages) || o.memoryMaxPages < 0 || o.memoryMaxPages > 65536) {
    throw new WasmRewriteError(`options.memoryMaxPages must be an integer in 0..65536, got ${String(o.memoryMaxPages)}`);
  }
  if (!Number.isInteger(o.tableMaxElements) || o.tableMaxElements < 0 || o.tableMaxElements > 0xffffffff) {
    throw new WasmRewriteError(`options.tableMaxElements must be an integer in 0..2^32-1, got ${String(o.tableMaxElements)}`);
  }
  if (o.costOf !== undefined && typeof o.costOf !== 'function') throw new WasmRewriteError('options.costOf must be a function');
  if (o.cache !== undefined && !(o.cache instanceof BodyCache)) throw new WasmRewriteError('options.cache must be a BodyCache');
  if (o.bulk !== undefined) {
    for (const key of ['memoryBytesPerFuel', 'tableElementsPerFuel'] as const) {
      const v = o.bulk?.[key];
      if (!Number.isInteger(v) || v < 1 || v > 2 ** 30 || (v & (v - 1)) !== 0) {
        throw new WasmRewriteError(`options.bulk.${key} must be a power of two from 1 to 2^30, got ${String(v)}`);
      }
    }
  }
}

const log2 = (v: number): number => 31 - Math.clz32(v);

type Wrapper =
  | { kind: 'interrupt'; typeIndex: number }
  | { kind: 'memory' | 'table'; index: number; typeIndex: number }
  | { kind: 'bulk'; op: Uint8Array; shift: number; typeIndex: number };

export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions): InstrumentResult {
  checkOptions(options);
  const layout = readLayout(bytes);
  const info = toModuleInfo(layout);
  if (layout.imports.some((i) => i.module === METER_MODULE)) {
    throw new WasmRewriteError(`module already imports from ${METER_MODULE}: it is already instrumented`);
  }
  const g = meterGlobals(layout.importedGlobals);
  const remap = (index: number): number => (index >= layout.importedGlobals ? index + ADDED_GLOBALS : index);

  // Wrappers (grow, bulk, and the interrupt point they call) and their types are created on
  // first use while rewriting code, and appended after every existing function and type so
  // no existing index moves.
  const funcCount = layout.importedFuncs + layout.funcTypes.length;
  const newTypes: Uint8Array[] = [];
  const typeByKey = new Map<string, number>();
  const wrappers: Wrapper[] = [];
  const memoryWrapper = new Map<number, number>();
  const tableWrapper = new Map<number, number>();
  const typeIndexFor = (encoded: Uint8Array): number => {
    const key = encoded.join(',');
    let t = typeByKey.get(key);
    if (t === undefined) {
      t = layout.paramCounts.length + newTypes.length;
      newTypes.push(encoded);
      typeByKey.set(key, t);
    }
    return t;
  };
  // The interrupt point comes first, created with the first wrapper that calls it.
  const addWrapper = (w: Wrapper): number => {
    if (wrappers.length === 0) wrappers.push({ kind: 'interrupt', typeIndex: typeIndexFor(INTERRUPT_POINT_TYPE) });
    wrappers.push(w);
    return funcCount + wrappers.length - 1;
  };
  const interruptPoint = funcCount;
  const wrapperFor = (kind: 'memory' | 'table', index: number): number => {
    const known = kind === 'memory' ? memoryWrapper : tableWrapper;
    let f = known.get(index);
    if (f === undefined) {
      const decl = kind === 'memory' ? layout.memories[index] : layout.tables[index];
      if (!decl) throw new WasmRewriteError(`${kind}.grow on ${kind} ${index}, which does not exist`);
      const type = kind === 'memory' ? memoryGrowType() : tableGrowType(layout.tables[index]!.refType);
      f = addWrapper({ kind, index, typeIndex: typeIndexFor(type) });
      known.set(index, f);
    }
    return f;
  };
  // One bulk wrapper per distinct encoding (opcode and immediates).
  const bulkWrappers = new Map<string, number>();
  const bulk = options.fuel ? options.bulk : undefined;
  const bulkWrapperFor = (start: number, end: number, index: number): number => {
    if (!bulk) return -1;
    const op = bytes.subarray(start, end);
    const key = op.join(',');
    let f = bulkWrappers.get(key);
    if (f === undefined) {
      // The sub-opcode follows the 0xfc prefix; all bulk sub-opcodes fit in one LEB byte.
      const sub = op[1]! as keyof typeof BULK_OPS;
      const space = BULK_OPS[sub];
      let middle: Uint8Array | null = null;
      if (sub === TABLE_FILL) {
        const table = layout.tables[index];
        if (!table) throw new WasmRewriteError(`table.fill on table ${index}, which does not exist`);
        middle = table.refType;
      }
      const shift = log2(space === 'memory' ? bulk.memoryBytesPerFuel : bulk.tableElementsPerFuel);
      f = addWrapper({ kind: 'bulk', op: op.slice(), shift, typeIndex: typeIndexFor(bulkType(middle)) });
      bulkWrappers.set(key, f);
    }
    return f;
  };

  const code = findSection(layout.sections, SEC_CODE);
  // The code section's payload in two parts (its count, then the bodies), so the bodies are
  // not copied once more just to put the count in front.
  let codeOut: Writer[] | null = null;
  if (code) {
    const bodies = rewriteCode(layout, code, options, g.fuel, wrapperFor, bulkWrapperFor);
    const body = new Writer(256);
    for (const w of wrappers) {
      body.reset();
      if (w.kind === 'interrupt') interruptPointBody(body);
      else if (w.kind === 'bulk') bulkBody(body, w.op, w.shift, g.fuel, interruptPoint);
      else if (w.kind === 'memory') memoryGrowBody(body, layout.memories[w.index]!, g, interruptPoint);
      else tableGrowBody(body, layout.tables[w.index]!, g, interruptPoint);
      bodies.sized(body);
    }
    const count = new Writer(8);
    count.u32(layout.funcTypes.length + wrappers.length);
    codeOut = [count, bodies];
  }

  // Section payloads that change; everything else is copied verbatim.
  const replaced = new Map<Section | number, Writer | Writer[]>();
  const sec = (id: number): Section | undefined => findSection(layout.sections, id);
  const typeSec = sec(SEC_TYPE);
  if (newTypes.length > 0) {
    replaced.set(typeSec ?? SEC_TYPE, appendToVector(bytes, typeSec, newTypes.length, (out) => newTypes.forEach((t) => out.bytes(t))));
  }
  const importSec = sec(SEC_IMPORT);
  replaced.set(
    importSec ?? SEC_IMPORT,
    appendToVector(bytes, importSec, ADDED_GLOBALS, (out) => {
      for (const m of METER_GLOBALS) {
        out.name(METER_MODULE);
        out.name(m.name);
        out.u8(0x03); // global
        out.u8(m.valType);
        out.u8(0x01); // mutable
      }
    }),
  );
  if (wrappers.length > 0) {
    const fs = sec(SEC_FUNCTION)!;
    replaced.set(fs, appendToVector(bytes, fs, wrappers.length, (out) => wrappers.forEach((w) => out.u32(w.typeIndex))));
  }
  const s = (id: number, f: (section: Section) => Writer): void => {
    const found = sec(id);
    if (found) replaced.set(found, f(found));
  };
  s(SEC_TABLE, (x) => rewriteTableSection(bytes, x, layout.tables, options.tableMaxElements, remap));
  s(SEC_MEMORY, (x) => rewriteMemorySection(bytes, x, layout.memories, options.memoryMaxPages));
  s(SEC_GLOBAL, (x) => rewriteGlobalSection(bytes, x, remap));
  s(SEC_EXPORT, (x) => rewriteExportSection(bytes, x, remap));
  s(SEC_ELEMENT, (x) => rewriteElementSection(bytes, x, remap));
  s(SEC_DATA, (x) => rewriteDataSection(bytes, x, remap));
  if (code && codeOut) replaced.set(code, codeOut);
  const dropped = new Set<Section>();
  for (const c of layout.sections) {
    if (c.id === SEC_CUSTOM && c.customName === 'name') {
      const w = rewriteNameSection(bytes, c, remap, options.fuel);
      if (w) replaced.set(c, w);
    } else if (c.id === SEC_CUSTOM && code && c.customName?.startsWith('metadata.code.')) {
      // Code metadata (branch hints) points at byte offsets inside function bodies, which
      // the rewrite moves: stale hints are worse than none.
      dropped.add(c);
    }
  }

  return { bytes: assemble(layout, replaced, dropped), info };
}

function rewriteCode(
  layout: Layout,
  code: Section,
  options: InstrumentOptions,
  fuelGlobal: number,
  wrapperFor: (kind: 'memory' | 'table', index: number) => number,
  bulkWrapperFor: (start: number, end: number, index: number) => number,
): Writer {
  // Returns the rewritten bodies, each with its size prefix, without the vector count.
  const bytes = layout.bytes;
  const cache = options.cache;
  // While a body is rewritten for the cache, its wrapper requests are recorded (offsets
  // relative to the body) so that a later hit can replay them.
  let recording: number[] | null = null;
  let bodyStart = 0;
  const entryPoints = new Set([
    ...layout.exports.filter((e) => e.kind === 'func').map((e) => e.index),
    ...(layout.startFunction === null ? [] : [layout.startFunction]),
  ]);
  const rewriter = new BodyRewriter({
    bytes,
    fuel: options.fuel,
    importedGlobals: layout.importedGlobals,
    globalShift: ADDED_GLOBALS,
    fuelGlobal,
    costs: new CostModel(options.costOf),
    entryPoints,
    memoryGrowWrapper: (m) => {
      const f = wrapperFor('memory', m);
      recording?.push(CALL_MEMORY_GROW, m, 0, 0, f);
      return f;
    },
    tableGrowWrapper: (t) => {
      const f = wrapperFor('table', t);
      recording?.push(CALL_TABLE_GROW, t, 0, 0, f);
      return f;
    },
    bulkWrapper: (start, end, index) => {
      const f = bulkWrapperFor(start, end, index);
      recording?.push(CALL_BULK, index, start - bodyStart, end - bodyStart, f);
      return f;
    },
  });
  const context = cache?.context({
    fuel: options.fuel,
    importedGlobals: layout.importedGlobals,
    fuelGlobal,
    globalShift: ADDED_GLOBALS,
    costOf: options.costOf,
    bulk: options.fuel ? options.bulk : undefined,
  });
  // Asks for the same wrappers, in the same order, as rewriting the body would; true when
  // every answer is the one the cached body was written with.
  const replay = (calls: Int32Array, start: number): boolean => {
    for (let c = 0; c < calls.length; c += CALL_FIELDS) {
      const kind = calls[c]!;
      const index = calls[c + 1]!;
      const got =
        kind === CALL_MEMORY_GROW
          ? wrapperFor('memory', index)
          : kind === CALL_TABLE_GROW
            ? wrapperFor('table', index)
            : bulkWrapperFor(start + calls[c + 2]!, start + calls[c + 3]!, index);
      if (got !== calls[c + 4]) return false;
    }
    return true;
  };
  const r = new Reader(bytes, code.payloadStart, code.end, 'section 10');
  const n = r.u32();
  // Fuel adds roughly a third to code size; start there to avoid most regrowth.
  const estimate = Math.ceil((code.end - code.payloadStart) * (options.fuel ? 1.4 : 1.02)) + 64;
  const out = cache ? cache.scratch(estimate) : new Writer(estimate);
  const body = new Writer(4096);
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    const funcIndex = layout.importedFuncs + i;
    const paramCount = layout.paramCounts[layout.funcTypes[i]!]!;
    let key = '';
    let mismatch = false;
    if (cache) {
      key = cache.key(context!, paramCount, entryPoints.has(funcIndex), bytes, start, start + size);
      const hit = cache.get(key);
      if (hit) {
        if (replay(hit.calls, start)) {
          out.u32(hit.out.length);
          out.bytes(hit.out);
          cache.count(true);
          continue;
        }
        mismatch = true;
      }
      recording = [];
      bodyStart = start;
    }
    body.reset();
    rewriter.rewrite(funcIndex, start, start + size, paramCount, body);
    out.sized(body);
    if (cache) {
      cache.set(key, body.buf.slice(0, body.len), recording!);
      cache.count(false, mismatch);
      recording = null;
    }
  }
  if (!r.atEnd()) throw r.fail(`${r.remaining} unexpected bytes at end`);
  return out;
}

/** Writes the module: original sections in order, replaced payloads re-framed, missing ones inserted. */
function assemble(layout: Layout, replaced: Map<Section | number, Writer | Writer[]>, dropped: ReadonlySet<Section>): Uint8Array<ArrayBuffer> {
  const bytes = layout.bytes;
  const inserted = [...replaced.keys()].filter((k): k is number => typeof k === 'number').sort((a, b) => SECTION_ORDER[a]! - SECTION_ORDER[b]!);
  const payloadLen = (w: Writer | Writer[]): number => (Array.isArray(w) ? w.reduce((n, p) => n + p.len, 0) : w.len);
  const framed = (w: Writer | Writer[]): number => {
    const n = payloadLen(w);
    return 1 + lebLength(n) + n;
  };
  // The exact size, so the output buffer is written once and returned without a copy (the
  // engine module is ~15 MB: every extra copy is a fresh allocation the kernel must fault in).
  let total = HEADER.length;
  for (const s of layout.sections) {
    if (dropped.has(s)) continue;
    const w = replaced.get(s);
    total += w ? framed(w) : s.end - s.start;
  }
  for (const id of inserted) total += framed(replaced.get(id)!);
  const out = new Writer(total);
  out.bytes(HEADER);
  const emit = (id: number, w: Writer | Writer[]): void => {
    out.u8(id);
    if (!Array.isArray(w)) return out.sized(w);
    out.u32(payloadLen(w));
    for (const p of w) out.copy(p.buf, 0, p.len);
  };
  for (const s of layout.sections) {
    if (s.id !== SEC_CUSTOM) {
      while (inserted.length > 0 && SECTION_ORDER[inserted[0]!]! < SECTION_ORDER[s.id]!) {
        const id = inserted.shift()!;
        emit(id, replaced.get(id)!);
      }
    }
    if (dropped.has(s)) continue;
    const w = replaced.get(s);
    if (w) emit(s.id, w);
    else out.copy(bytes, s.start, s.end);
  }
  for (const id of inserted) emit(id, replaced.get(id)!);
  if (out.len !== total) throw new Error(`internal: assembled ${out.len} bytes, expected ${total}`);
  return out.buf.length === total ? out.buf : out.toBytes();
}

function lebLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}
