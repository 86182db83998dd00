import { WasmRewriteError } from './errors.js';

/**
 * Bounds-checked cursor over a byte range. Every read checks `end` itself so a malformed
 * module surfaces as WasmRewriteError (never a RangeError from a typed array or DataView, and
 * never a silent read past the section into the next one).
 */
export class Reader {
  readonly bytes: Uint8Array;
  pos: number;
  end: number;
  /** Names the range in error messages, e.g. "section 10". */
  readonly what: string;

  constructor(bytes: Uint8Array, pos: number, end: number, what: string) {
    if (pos < 0 || end > bytes.length || pos > end) {
      throw new WasmRewriteError(`${what}: range ${pos}..${end} outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.what = what;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  truncated(): WasmRewriteError {
    return new WasmRewriteError(`${this.what} truncated at offset ${this.pos}`);
  }

  fail(message: string): WasmRewriteError {
    return new WasmRewriteError(`${this.what}: ${message} at offset ${this.pos}`);
  }

  u8(): number {
    if (this.pos >= this.end) throw this.truncated();
    return this.bytes[this.pos++]!;
  }

  peek(): number {
    if (this.pos >= this.end) throw this.truncated();
    return this.bytes[this.pos]!;
  }

  /** Unsigned LEB128, at most 5 bytes and 32 bits. */
  u32(): number {
    const b = this.bytes;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw this.truncated();
      const byte = b[this.pos++]!;
      if (i === 4 && (byte & 0xf0) !== 0) throw this.fail('u32 LEB128 overflows 32 bits');
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw this.fail('u32 LEB128 longer than 5 bytes');
  }

  /** Signed LEB128 up to 32 bits. */
  s32(): number {
    const b = this.bytes;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw this.truncated();
      const byte = b[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) === 0) {
        if (shift < 32 && (byte & 0x40) !== 0) result |= -1 << shift;
        return result | 0;
      }
    }
    throw this.fail('s32 LEB128 longer than 5 bytes');
  }

  /** Signed LEB128 up to 64 bits, as a bigint (only used where exact values matter, e.g. tests). */
  s64(): bigint {
    const b = this.bytes;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.truncated();
      const byte = b[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) {
        if ((byte & 0x40) !== 0) result -= 1n << shift;
        return BigInt.asIntN(64, result);
      }
    }
    throw this.fail('s64 LEB128 longer than 10 bytes');
  }

  /** Unsigned LEB128 up to 64 bits as a number; exact only below 2^53 (limits use it). */
  u64(): number {
    const b = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw this.truncated();
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw this.fail('u64 LEB128 longer than 10 bytes');
  }

  /** Skips a LEB128 of at most `maxBytes` bytes without decoding it. */
  skipLeb(maxBytes: number): void {
    const b = this.bytes;
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= this.end) throw this.truncated();
      if ((b[this.pos++]! & 0x80) === 0) return;
    }
    throw this.fail(`LEB128 longer than ${maxBytes} bytes`);
  }

  skip(n: number): void {
    if (n < 0 || this.end - this.pos < n) throw this.truncated();
    this.pos += n;
  }

  bytesView(n: number): Uint8Array {
    if (n < 0 || this.end - this.pos < n) throw this.truncated();
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** A vector length, rejected early when it cannot fit in what is left (each element is >= 1 byte). */
  count(): number {
    const n = this.u32();
    if (n > this.end - this.pos) throw this.fail(`vector of ${n} elements does not fit in ${this.end - this.pos} bytes`);
    return n;
  }

  name(): string {
    const n = this.u32();
    const view = this.bytesView(n);
    try {
      return utf8.decode(view);
    } catch {
      throw this.fail('name is not valid UTF-8');
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
