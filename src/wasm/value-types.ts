import type { Reader } from './reader.js';

/**
 * Skipping value, heap and block types. Reference types from the function-references and
 * GC proposals carry a heap type after 0x63 (ref null ht) / 0x64 (ref ht); every other
 * value type is one byte. Heap and block types share the s33 encoding: one byte in
 * 0x40..0x7f is an abstract type (or the empty block type / a value type), anything else
 * is a type index.
 */

export const REF_NULL = 0x63;
export const REF = 0x64;
/** Prefix of shared heap types (shared-everything threads). */
const SHARED = 0x65;

export const I32 = 0x7f;
export const I64 = 0x7e;

export function skipHeapType(r: Reader): void {
  const b = r.peek();
  if (b === SHARED) {
    r.pos++;
    skipHeapType(r);
  } else if (b >= 0x40 && b <= 0x7f) {
    r.pos++;
  } else {
    r.skipLeb(5); // s33 type index
  }
}

export function skipValType(r: Reader): void {
  const b = r.u8();
  if (b === REF_NULL || b === REF) skipHeapType(r);
  else if (b < 0x40 || b > 0x7f) throw r.fail(`invalid value type 0x${b.toString(16)}`);
}

export function skipBlockType(r: Reader): void {
  const b = r.peek();
  if (b === REF_NULL || b === REF) {
    r.pos++;
    skipHeapType(r);
  } else if (b >= 0x40 && b <= 0x7f) {
    r.pos++;
  } else {
    r.skipLeb(5); // s33 type index
  }
}

/** A table's element type, kept as raw bytes so grow wrappers can reuse it verbatim. */
export function readRefTypeBytes(r: Reader): Uint8Array {
  const start = r.pos;
  skipValType(r);
  return r.bytes.slice(start, r.pos);
}
