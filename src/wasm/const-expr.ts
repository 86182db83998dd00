import { InstructionDecoder } from './instruction-decoder.js';
import { Role } from './opcodes.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/**
 * Constant expressions (global initialisers, segment offsets, element items, table
 * initialisers). With extended-const and GC they are instruction sequences, so they are
 * decoded with the full decoder; the only edit is `global.get`, whose index shifts when
 * imported globals are added.
 */

function walk(r: Reader, onGlobalGet: ((d: InstructionDecoder) => void) | null): void {
  const d = new InstructionDecoder(r.bytes, r.pos, r.end, r.what);
  let depth = 0;
  for (;;) {
    d.next();
    const role = d.role;
    if (role === Role.END) {
      if (depth === 0) break;
      depth--;
    } else if (role === Role.BLOCK || role === Role.LOOP || role === Role.IF || role === Role.TRY || role === Role.TRY_TABLE) {
      depth++;
    } else if (role === Role.GLOBAL_GET && onGlobalGet) {
      onGlobalGet(d);
    }
  }
  r.pos = d.pos;
}

export function skipConstExpr(r: Reader): void {
  walk(r, null);
}

/** Copies a constant expression from `r` to `out`, rewriting global indices with `remap`. */
export function copyConstExpr(r: Reader, out: Writer, remap: (globalIndex: number) => number): void {
  const bytes = r.bytes;
  let copied = r.pos;
  walk(r, (d) => {
    const to = remap(d.index);
    if (to === d.index) return;
    out.copy(bytes, copied, d.start);
    out.u8(0x23);
    out.u32(to);
    copied = d.pos;
  });
  out.copy(bytes, copied, r.pos);
}
