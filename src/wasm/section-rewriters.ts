import { copyConstExpr } from './const-expr.js';
import { WasmRewriteError } from './errors.js';
import { expectEnd, type Layout, type MemoryDecl, type TableDecl } from './layout.js';
import type { Section } from './module.js';
import { Reader } from './reader.js';
import { skipValType } from './value-types.js';
import { Writer } from './writer.js';

/**
 * Payload rewriters for the sections that change when globals are added or limits clamped.
 * Each copies untouched byte ranges verbatim and re-encodes only what changes.
 */

export type GlobalRemap = (index: number) => number;

function reader(bytes: Uint8Array, s: Section): Reader {
  return new Reader(bytes, s.payloadStart, s.end, `section ${s.id}`);
}

/** Appends entries to a vector-shaped section: new count, old entries verbatim, then `more`. */
export function appendToVector(bytes: Uint8Array, s: Section | undefined, extra: number, more: (out: Writer) => void): Writer {
  const out = new Writer(s ? s.end - s.payloadStart + 64 : 64);
  if (s) {
    const r = reader(bytes, s);
    const n = r.u32();
    out.u32(n + extra);
    out.copy(bytes, r.pos, s.end);
  } else {
    out.u32(extra);
  }
  more(out);
  return out;
}

function writeLimits(out: Writer, flags: number, initial: number, max: number): void {
  out.u8(flags | 0x01);
  out.u32(initial);
  out.u32(max);
}

/** Effective maximum after the cap: min(declared, cap), but never below the initial size. */
export function clampedMax(initial: number, declared: number | null, cap: number): number {
  return Math.max(initial, Math.min(declared ?? Infinity, cap));
}

export function rewriteMemorySection(bytes: Uint8Array, s: Section, memories: MemoryDecl[], cap: number): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const defined = memories.filter((m) => !m.imported);
  const r = reader(bytes, s);
  out.u32(r.u32());
  let copied = r.pos;
  for (const m of defined) {
    out.copy(bytes, copied, m.limitsStart);
    writeLimits(out, m.shared ? 0x02 : 0x00, m.initial, clampedMax(m.initial, m.max, cap));
    copied = m.limitsEnd;
  }
  out.copy(bytes, copied, s.end);
  return out;
}

export function rewriteTableSection(bytes: Uint8Array, s: Section, tables: TableDecl[], cap: number, remap: GlobalRemap): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const defined = tables.filter((t) => !t.imported);
  const r = reader(bytes, s);
  out.u32(r.u32());
  let copied = r.pos;
  for (const t of defined) {
    out.copy(bytes, copied, t.limitsStart);
    writeLimits(out, 0x00, t.initial, clampedMax(t.initial, t.max, cap));
    r.pos = t.limitsEnd;
    copied = t.limitsEnd;
    // A table with an initialiser (0x40 0x00 form) has a constant expression after its limits.
    if (t.hasInit) {
      copyConstExpr(r, out, remap);
      copied = r.pos;
    }
  }
  out.copy(bytes, copied, s.end);
  return out;
}

export function rewriteGlobalSection(bytes: Uint8Array, s: Section, remap: GlobalRemap): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const r = reader(bytes, s);
  const n = r.count();
  out.u32(n);
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    skipValType(r);
    r.u8(); // mutability
    out.copy(bytes, start, r.pos);
    copyConstExpr(r, out, remap);
  }
  expectEnd(r);
  return out;
}

export function rewriteExportSection(bytes: Uint8Array, s: Section, remap: GlobalRemap): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const r = reader(bytes, s);
  const n = r.count();
  out.u32(n);
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    r.skip(r.u32()); // name
    const kind = r.u8();
    out.copy(bytes, start, r.pos);
    const index = r.u32();
    out.u32(kind === 0x03 ? remap(index) : index);
  }
  expectEnd(r);
  return out;
}

export function rewriteElementSection(bytes: Uint8Array, s: Section, remap: GlobalRemap): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const r = reader(bytes, s);
  const n = r.count();
  out.u32(n);
  let copied = r.pos;
  const expr = (): void => {
    out.copy(bytes, copied, r.pos);
    copyConstExpr(r, out, remap);
    copied = r.pos;
  };
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    if (flags > 7) throw r.fail(`invalid element segment flags ${flags}`);
    const explicitTable = (flags & 0b011) === 0b010;
    const passiveOrDeclared = (flags & 0b001) !== 0;
    const usesExprs = (flags & 0b100) !== 0;
    if (explicitTable) r.u32();
    if (!passiveOrDeclared) expr(); // offset
    if (flags !== 0 && flags !== 4) {
      // elemkind (0x00) for function-index segments, reftype for expression segments
      if (usesExprs) skipValType(r);
      else r.u8();
    }
    const items = r.count();
    for (let k = 0; k < items; k++) {
      if (usesExprs) expr();
      else r.u32();
    }
  }
  expectEnd(r);
  out.copy(bytes, copied, s.end);
  return out;
}

export function rewriteDataSection(bytes: Uint8Array, s: Section, remap: GlobalRemap): Writer {
  const out = new Writer(s.end - s.payloadStart + 16);
  const r = reader(bytes, s);
  const n = r.count();
  out.u32(n);
  let copied = r.pos;
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    if (flags === 2) r.u32(); // memory index
    else if (flags !== 0 && flags !== 1) throw r.fail(`invalid data segment flags ${flags}`);
    if (flags !== 1) {
      out.copy(bytes, copied, r.pos);
      copyConstExpr(r, out, remap);
      copied = r.pos;
    }
    r.skip(r.u32());
  }
  expectEnd(r);
  out.copy(bytes, copied, s.end);
  return out;
}

/**
 * The name section's global-names subsection (id 7) indexes globals, so it is remapped.
 * Label names (id 3) number the blocks of each function in order; fuel metering inserts
 * blocks, so with `dropLabels` that subsection is left out rather than left wrong.
 * Everything else is kept. A malformed name section is not an error for engines (they
 * ignore it), so it is returned unchanged rather than failing the module.
 */
export function rewriteNameSection(bytes: Uint8Array, s: Section, remap: GlobalRemap, dropLabels: boolean): Writer | null {
  try {
    const r = reader(bytes, s);
    r.name(); // "name"
    const out = new Writer(s.end - s.payloadStart + 16);
    out.copy(bytes, s.payloadStart, r.pos);
    let changed = false;
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      const start = r.pos;
      r.skip(size);
      if (id === 3 && dropLabels) {
        changed = true;
        continue;
      }
      if (id !== 7) {
        out.u8(id);
        out.u32(size);
        out.copy(bytes, start, r.pos);
        continue;
      }
      const sub = new Reader(bytes, start, start + size, 'name section');
      const body = new Writer(size + 16);
      const n = sub.count();
      body.u32(n);
      for (let i = 0; i < n; i++) {
        const index = sub.u32();
        const nameStart = sub.pos;
        sub.skip(sub.u32());
        body.u32(remap(index));
        body.copy(bytes, nameStart, sub.pos);
      }
      expectEnd(sub);
      out.u8(id);
      out.sized(body);
      changed = true;
    }
    return changed ? out : null;
  } catch (e) {
    if (e instanceof WasmRewriteError) return null;
    throw e;
  }
}

export function definedGlobalCount(layout: Layout, s: Section | undefined): number {
  if (!s) return 0;
  return reader(layout.bytes, s).u32();
}
