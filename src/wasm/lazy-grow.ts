// Big memory steps for our own toolchain's modules, never for plug-ins. On Node 20 (V8 11.3)
// nearly every memory.grow costs a full garbage collection (the grown ArrayBuffer is counted as
// new external memory while the detached one still is), and wasi-libc's sbrk grows a page at a
// time: componentize-js's splicer grows its memory thousands of times on its first call, which
// made the first build in a thread ~6 s slower than the next (measured: 12 800 one-page grows
// take 5.7 s on Node 20, 34 ms on Node 26).
//
// The rewrite keeps what the module sees exactly as it was: memory.size and memory.grow answer
// from a global holding the size the module believes it has, and a grow past the real size
// grows the real memory by at least half of it (at most 256 MiB at once), so there are a few
// dozen real grows instead of thousands. The one difference is that an access between the
// believed and the real size does not trap, which is why this is only for trusted code.
import { WasmRewriteError } from './errors.js';
import { InstructionDecoder } from './instruction-decoder.js';
import { findSection, readLayout, sectionReader } from './layout.js';
import { HEADER, SECTION_ORDER, SEC_CODE, SEC_CUSTOM, SEC_FUNCTION, SEC_GLOBAL, SEC_TYPE } from './module.js';
import { appendToVector, definedGlobalCount } from './section-rewriters.js';
import { skipValType } from './value-types.js';
import { Writer } from './writer.js';

const MEMORY_SIZE = 0x3f;
const MEMORY_GROW = 0x40;
const CALL = 0x10;
const GLOBAL_GET = 0x23;

/** Pages a 32-bit memory can have at most. */
const MAX_PAGES = 65536;
/** Largest step of a real grow ahead of need, in pages (256 MiB). */
const MAX_AHEAD_PAGES = 4096;

/**
 * The module with memory 0 growing in big steps, or null when it does not fit this rewrite
 * (not exactly one defined, unshared memory; no type, function or code section).
 */
export function lazyGrow(bytes: Uint8Array): Uint8Array<ArrayBuffer> | null {
  let layout;
  try {
    layout = readLayout(bytes);
  } catch (err) {
    if (err instanceof WasmRewriteError) return null;
    throw err;
  }
  const mem = layout.memories;
  if (mem.length !== 1 || mem[0]!.imported || mem[0]!.shared) return null;
  const sec = (id: number) => findSection(layout.sections, id);
  const types = sec(SEC_TYPE);
  const funcs = sec(SEC_FUNCTION);
  const globals = sec(SEC_GLOBAL);
  const code = sec(SEC_CODE);
  if (!types || !funcs || !code) return null;
  const maxPages = Math.min(MAX_PAGES, mem[0]!.max ?? MAX_PAGES);

  const typeIndex = layout.paramCounts.length;
  const funcIndex = layout.importedFuncs + layout.funcTypes.length;
  const globalIndex = layout.importedGlobals + definedGlobalCount(layout, globals);

  const newTypes = appendToVector(bytes, types, 1, (out) => out.bytes(new Uint8Array([0x60, 0x01, 0x7f, 0x01, 0x7f])));
  const newFuncs = appendToVector(bytes, funcs, 1, (out) => out.u32(typeIndex));
  const newGlobals = appendToVector(bytes, globals, 1, (out) => {
    out.bytes(new Uint8Array([0x7f, 0x01, 0x41])); // mut i32 = i32.const initial
    out.s32(mem[0]!.initial);
    out.u8(0x0b);
  });
  const newCode = rewriteCode(bytes, code, funcIndex, globalIndex, maxPages);

  const out = new Writer(bytes.length + 4096);
  out.bytes(HEADER);
  const replaced = new Map([
    [types, newTypes],
    [funcs, newFuncs],
    [code, newCode],
  ]);
  if (globals) replaced.set(globals, newGlobals);
  let globalsWritten = globals !== undefined;
  for (const s of layout.sections) {
    if (!globalsWritten && s.id !== SEC_CUSTOM && SECTION_ORDER[s.id]! > SECTION_ORDER[SEC_GLOBAL]!) {
      out.u8(SEC_GLOBAL);
      out.sized(newGlobals);
      globalsWritten = true;
    }
    const payload = replaced.get(s);
    if (!payload) {
      out.copy(bytes, s.start, s.end);
      continue;
    }
    out.u8(s.id);
    out.sized(payload);
  }
  return out.toBytes();
}

function rewriteCode(bytes: Uint8Array, code: NonNullable<ReturnType<typeof findSection>>, growFunc: number, sizeGlobal: number, maxPages: number): Writer {
  const r = sectionReader(bytes, code);
  const n = r.u32();
  const out = new Writer(code.end - code.payloadStart + 1024);
  out.u32(n + 1);
  const body = new Writer(4096);
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    // Locals, verbatim.
    const locals = r.u32();
    for (let j = 0; j < locals; j++) {
      r.u32();
      skipValType(r);
    }
    body.reset();
    let copied = start;
    const d = new InstructionDecoder(bytes, r.pos, end, `function ${i}`);
    while (d.pos < end) {
      d.next();
      if ((d.key !== MEMORY_GROW && d.key !== MEMORY_SIZE) || d.index !== 0) continue;
      body.copy(bytes, copied, d.start);
      if (d.key === MEMORY_GROW) {
        body.u8(CALL);
        body.u32(growFunc);
      } else {
        body.u8(GLOBAL_GET);
        body.u32(sizeGlobal);
      }
      copied = d.pos;
    }
    body.copy(bytes, copied, end);
    out.sized(body);
    r.pos = end;
  }
  out.sized(growBody(sizeGlobal, maxPages));
  return out;
}

/**
 * (func (param $delta i32) (result i32) (local $old i32) (local $want i32) (local $have i32) (local $step i32))
 *   $old = $size; $want = $old + $delta
 *   if ($want < $old || $want > max) return -1          ;; what memory.grow would answer
 *   $have = memory.size
 *   if ($want > $have) {
 *     $step = min(max($have / 2, $want - $have) capped at MAX_AHEAD unless more is needed, max - $have)
 *     if (memory.grow($step) == -1 && memory.grow($want - $have) == -1) return -1
 *   }
 *   $size = $want; return $old
 */
function growBody(sizeGlobal: number, maxPages: number): Writer {
  const w = new Writer(128);
  const op = (...b: number[]) => w.bytes(new Uint8Array(b));
  const get = (l: number) => op(0x20, l);
  const set = (l: number) => op(0x21, l);
  const i32 = (v: number) => {
    w.u8(0x41);
    w.s32(v);
  };
  const DELTA = 0;
  const OLD = 1;
  const WANT = 2;
  const HAVE = 3;
  const STEP = 4;
  op(0x01, 0x04, 0x7f); // 4 locals of i32
  w.u8(GLOBAL_GET);
  w.u32(sizeGlobal);
  set(OLD);
  get(OLD); get(DELTA); op(0x6a); set(WANT); // i32.add
  // if (want <u old) or (want >u max): return -1
  get(WANT); get(OLD); op(0x49); // i32.lt_u
  get(WANT); i32(maxPages); op(0x4b); // i32.gt_u
  op(0x72); // i32.or
  op(0x04, 0x40); i32(-1); op(0x0f, 0x0b); // if; -1; return; end
  op(MEMORY_SIZE, 0x00); set(HAVE);
  get(WANT); get(HAVE); op(0x4b); // want >u have
  op(0x04, 0x40);
  {
    // step = min(have >> 1, MAX_AHEAD)
    get(HAVE); i32(1); op(0x76); set(STEP); // i32.shr_u
    get(STEP); i32(MAX_AHEAD_PAGES); op(0x4b); op(0x04, 0x40); i32(MAX_AHEAD_PAGES); set(STEP); op(0x0b);
    // step = max(step, want - have)
    get(STEP); get(WANT); get(HAVE); op(0x6b); op(0x49); // step <u want-have
    op(0x04, 0x40); get(WANT); get(HAVE); op(0x6b); set(STEP); op(0x0b);
    // step = min(step, max - have)
    get(STEP); i32(maxPages); get(HAVE); op(0x6b); op(0x4b); // step >u max-have
    op(0x04, 0x40); i32(maxPages); get(HAVE); op(0x6b); set(STEP); op(0x0b);
    // if (memory.grow(step) == -1) { if (memory.grow(want - have) == -1) return -1 }
    get(STEP); op(MEMORY_GROW, 0x00); i32(-1); op(0x46); // i32.eq
    op(0x04, 0x40);
    get(WANT); get(HAVE); op(0x6b); op(MEMORY_GROW, 0x00); i32(-1); op(0x46);
    op(0x04, 0x40); i32(-1); op(0x0f, 0x0b);
    op(0x0b);
  }
  op(0x0b);
  get(WANT);
  w.u8(0x24); // global.set
  w.u32(sizeGlobal);
  get(OLD);
  op(0x0b);
  return w;
}
