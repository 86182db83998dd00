// Shared helpers for the src/wasm tests: meter globals, instantiation of original and
// instrumented modules, and secondary validation for proposals Node 20's V8 lacks.
import { instrumentModule, METER_MODULE, type InstrumentOptions } from '../../../src/wasm/index.js';

export interface Meter {
  fuel: WebAssembly.Global;
  memory_pages_left: WebAssembly.Global;
  table_elements_left: WebAssembly.Global;
  limit_hit: WebAssembly.Global;
}

export function createMeter(opts: { fuel?: bigint; pages?: number; elements?: number } = {}): Meter {
  return {
    fuel: new WebAssembly.Global({ value: 'i64', mutable: true }, opts.fuel ?? 10n ** 15n),
    memory_pages_left: new WebAssembly.Global({ value: 'i32', mutable: true }, opts.pages ?? 65536),
    table_elements_left: new WebAssembly.Global({ value: 'i32', mutable: true }, opts.elements ?? 1_000_000),
    limit_hit: new WebAssembly.Global({ value: 'i32', mutable: true }, 0),
  };
}

export const AMPLE: InstrumentOptions = { fuel: true, memoryMaxPages: 65536, tableMaxElements: 10_000_000 };

export function instrument(bytes: Uint8Array, options: Partial<InstrumentOptions> = {}): Uint8Array<ArrayBuffer> {
  return instrumentModule(bytes, { ...AMPLE, ...options }).bytes;
}

/** Test fixtures come as Uint8Array<ArrayBufferLike>; the WebAssembly typings want ArrayBuffer-backed views. */
export function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

type Exports = Record<string, unknown>;

export async function instantiatePlain(bytes: Uint8Array, imports: WebAssembly.Imports = {}): Promise<Exports> {
  const { instance } = await WebAssembly.instantiate(buf(bytes), imports);
  return instance.exports as Exports;
}

export async function instantiateMetered(bytes: Uint8Array, meter: Meter, imports: WebAssembly.Imports = {}): Promise<Exports> {
  const { instance } = await WebAssembly.instantiate(buf(bytes), { ...imports, [METER_MODULE]: { ...meter } });
  return instance.exports as Exports;
}

export function fuelLeft(meter: Meter): bigint {
  return meter.fuel.value as bigint;
}

/** Calls an export typed as a plain function. */
export function call(exports: Exports, name: string, ...args: unknown[]): unknown {
  const f = exports[name];
  if (typeof f !== 'function') throw new Error(`no exported function ${name}`);
  return (f as (...a: unknown[]) => unknown)(...args);
}

interface BinaryenModule {
  setFeatures(f: number): void;
  validate(): number;
  dispose(): void;
}
interface Binaryen {
  readBinaryWithFeatures(b: Uint8Array, features: number): BinaryenModule;
  Features: { All: number };
}

let binaryen: Binaryen | null | undefined;

/**
 * binaryen.js (installed with jco) validates proposals Node 20's V8 cannot (multi-memory,
 * GC, exnref). Returns null when it is not available.
 */
export async function loadBinaryen(): Promise<Binaryen | null> {
  if (binaryen === undefined) {
    try {
      const mod = (await import('binaryen' as string)) as { default: Binaryen };
      binaryen = mod.default;
    } catch {
      binaryen = null;
    }
  }
  return binaryen;
}

/** Validates with V8 when V8 accepts the original, otherwise with binaryen (all features). */
export async function validates(original: Uint8Array, output: Uint8Array): Promise<{ ok: boolean; by: string }> {
  if (WebAssembly.validate(buf(original))) return { ok: WebAssembly.validate(buf(output)), by: 'v8' };
  const b = await loadBinaryen();
  if (!b) return { ok: true, by: 'none' };
  const check = (bytes: Uint8Array): boolean => {
    let m: BinaryenModule;
    try {
      m = b.readBinaryWithFeatures(bytes, b.Features.All);
    } catch {
      return false;
    }
    try {
      return m.validate() !== 0;
    } finally {
      m.dispose();
    }
  };
  // Only meaningful if binaryen accepts the original.
  if (!check(original)) return { ok: true, by: 'none' };
  return { ok: check(output), by: 'binaryen' };
}
