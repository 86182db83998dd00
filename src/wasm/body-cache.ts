import * as crypto from 'node:crypto';
import { Writer } from './writer.js';

/**
 * Instrumented function bodies, keyed by content, so that instrumenting a module that shares
 * most of its code with one seen before rewrites only the bodies that differ. Every rebuild of
 * a componentize-js widget is such a module: the ~12.6k functions of the engine stay the same
 * and only the snapshot data and the clock stubs (which embed the build time) change, so
 * `dev` re-instruments two small functions per save instead of all of them.
 *
 * Exactness. A body's rewrite is a pure function of its bytes, its parameter count, whether
 * the host calls it directly (entry point), the module-wide rewrite context (fuel on/off, the
 * number of imported globals, which fixes the fuel global's index and the global shift, the
 * cost function, bulk metering), and the function indices of the wrappers it asks for
 * (memory.grow, table.grow, metered bulk instructions). The key covers all but the last; the
 * wrapper requests are recorded with their answers and replayed in order on a hit, which also
 * creates the wrappers in the same order as a fresh rewrite would. If any answer differs, the
 * body is rewritten afresh. So the output is byte for byte what an uncached rewrite gives.
 *
 * The key hashes the body with SHA-256 (never a file name, never a weak hash: a plug-in must
 * not be able to craft a body that collides with another tenant's). Memory is bounded by
 * `maxBytes`, least recently used first out.
 */

// crypto.hash (one shot, Node 20.12+) costs a fraction of createHash for small inputs, and
// there are ~12.6k bodies per engine module.
const sha256: (data: Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'base64')
    : (data) => crypto.createHash('sha256').update(data).digest('base64');

/** One wrapper request: what was asked (kind, index, bytes of the instruction) and the answer. */
const CALL_FIELDS = 5; // kind, index, start offset in the body, end offset in the body, answer
export const CALL_MEMORY_GROW = 0;
export const CALL_TABLE_GROW = 1;
export const CALL_BULK = 2;

interface Entry {
  /** The rewritten body: locals and code, without its size prefix. */
  out: Uint8Array;
  /** Wrapper requests made while rewriting, CALL_FIELDS numbers each. */
  calls: Int32Array;
  size: number;
}

const NO_CALLS = new Int32Array(0);
/** Rough per-entry cost of the key, the entry object and the typed-array headers. */
const ENTRY_OVERHEAD = 256;

export interface BodyCacheStats {
  /** Bodies reused as they were. */
  hits: number;
  /** Bodies rewritten: not cached, or cached under different wrapper indices. */
  misses: number;
  /** Misses where the body was cached but a wrapper index differed. */
  replayMismatches: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

export class BodyCache {
  readonly maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #mismatches = 0;
  readonly #costIds = new WeakMap<object, number>();
  #nextCostId = 1;
  #scratch: Writer | undefined;

  constructor(opts: { maxBytes: number }) {
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes < 0) throw new RangeError('BodyCache maxBytes must be a non-negative integer');
    this.maxBytes = opts.maxBytes;
  }

  get stats(): BodyCacheStats {
    return { hits: this.#hits, misses: this.#misses, replayMismatches: this.#mismatches, entries: this.#entries.size, bytes: this.#bytes, maxBytes: this.maxBytes };
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#scratch = undefined;
  }

  /**
   * The part of the key shared by every body of one rewrite. A cost function is identified
   * by the function object itself (two different functions never share entries).
   */
  context(c: { fuel: boolean; importedGlobals: number; fuelGlobal: number; globalShift: number; costOf: ((op: string) => number) | undefined; bulk: { memoryBytesPerFuel: number; tableElementsPerFuel: number } | undefined }): string {
    let cost = 0;
    if (c.costOf) {
      cost = this.#costIds.get(c.costOf) ?? 0;
      if (cost === 0) {
        cost = this.#nextCostId++;
        this.#costIds.set(c.costOf, cost);
      }
    }
    const bulk = c.bulk ? `${c.bulk.memoryBytesPerFuel}/${c.bulk.tableElementsPerFuel}` : '-';
    return `${c.fuel ? 1 : 0}:${c.importedGlobals}:${c.fuelGlobal}:${c.globalShift}:${cost}:${bulk}`;
  }

  key(context: string, paramCount: number, entryPoint: boolean, bytes: Uint8Array, start: number, end: number): string {
    const digest = sha256(bytes.subarray(start, end));
    return `${context}:${paramCount}:${entryPoint ? 1 : 0}:${end - start}:${digest}`;
  }

  /**
   * @internal The buffer the code section is rewritten into, reused from one rewrite to the
   * next: its pages stay mapped (faulting in ~13 MB afresh per engine module is a measurable
   * part of a cached rewrite). The caller copies out of it before the next rewrite; one thread
   * only (a BodyCache never leaves its thread). Not counted in maxBytes; dropped by clear().
   */
  scratch(capacity: number): Writer {
    if (!this.#scratch) this.#scratch = new Writer(capacity);
    this.#scratch.reset();
    this.#scratch.ensure(capacity);
    return this.#scratch;
  }

  /** @internal Looks a body up (and marks it recently used). */
  get(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (e) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
    }
    return e;
  }

  /** @internal */
  set(key: string, out: Uint8Array, calls: readonly number[]): void {
    const size = out.length + calls.length * 4 + key.length * 2 + ENTRY_OVERHEAD;
    if (size > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.size;
      this.#entries.delete(key);
    }
    this.#entries.set(key, { out, calls: calls.length === 0 ? NO_CALLS : Int32Array.from(calls), size });
    this.#bytes += size;
    while (this.#bytes > this.maxBytes) {
      const [oldest, e] = this.#entries.entries().next().value as [string, Entry];
      this.#entries.delete(oldest);
      this.#bytes -= e.size;
    }
  }

  /** @internal */
  count(hit: boolean, mismatch = false): void {
    if (hit) this.#hits++;
    else this.#misses++;
    if (mismatch) this.#mismatches++;
  }
}

export { CALL_FIELDS, NO_CALLS };
export type { Entry as BodyCacheEntry };
