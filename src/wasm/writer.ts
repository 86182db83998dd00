/**
 * Growable output buffer with the LEB128 encoders the rewriter needs. Output is always
 * minimal LEB128 so re-encoded sections stay as small as the originals.
 */
export class Writer {
  buf: Uint8Array<ArrayBuffer>;
  len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  reset(): void {
    this.len = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    if (this.len >= this.buf.length) this.ensure(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let x = v >>> 0;
    do {
      let byte = x & 0x7f;
      x >>>= 7;
      if (x !== 0) byte |= 0x80;
      b[this.len++] = byte;
    } while (x !== 0);
  }

  s32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let x = v | 0;
    for (;;) {
      const byte = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0)) {
        b[this.len++] = byte;
        return;
      }
      b[this.len++] = byte | 0x80;
    }
  }

  /** Signed LEB128 of a safe integer (fuel costs), without going through bigint. */
  s64(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${v}`);
    if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.s32(v);
      return;
    }
    this.ensure(10);
    const b = this.buf;
    let x = v;
    for (;;) {
      const low = ((x % 128) + 128) % 128;
      x = (x - low) / 128;
      if ((x === 0 && (low & 0x40) === 0) || (x === -1 && (low & 0x40) !== 0)) {
        b[this.len++] = low;
        return;
      }
      b[this.len++] = low | 0x80;
    }
  }

  /** Copies src[start, end). Short copies go byte by byte: subarray() allocates. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    if (n < 24) {
      const b = this.buf;
      let o = this.len;
      for (let i = start; i < end; i++) b[o++] = src[i]!;
      this.len = o;
    } else {
      this.buf.set(src.subarray(start, end), this.len);
      this.len += n;
    }
  }

  bytes(src: Uint8Array): void {
    const n = src.length;
    if (n < 24) return this.copy(src, 0, n);
    // The whole array: no subarray view to allocate (cached bodies are copied this way, ~12k
    // per engine module).
    this.ensure(n);
    this.buf.set(src, this.len);
    this.len += n;
  }

  /** A name: LEB128 byte length then UTF-8. */
  name(s: string): void {
    const enc = new TextEncoder().encode(s);
    this.u32(enc.length);
    this.bytes(enc);
  }

  /** Appends another writer's contents prefixed with their length (section or body framing). */
  sized(inner: Writer): void {
    this.u32(inner.len);
    this.copy(inner.buf, 0, inner.len);
  }

  /** A copy of the contents, backed by its own ArrayBuffer (what WebAssembly.compile accepts). */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}

/** Minimal unsigned LEB128 encoding of one value (tests and small headers). */
export function encodeU32(v: number): Uint8Array {
  const w = new Writer(8);
  w.u32(v);
  return w.toBytes();
}

export function encodeS32(v: number): Uint8Array {
  const w = new Writer(8);
  w.s32(v);
  return w.toBytes();
}

export function encodeS64(v: number): Uint8Array {
  const w = new Writer(16);
  w.s64(v);
  return w.toBytes();
}
