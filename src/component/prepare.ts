// bytes -> digest -> transpiled -> import check -> instrumented (fuel, memory and table caps)
// -> compiled. The result is cached by a key over the digest and everything that changes the
// instrumented bytes, in memory and on disk.
import { BodyCache, COST_TABLE_VERSION, WIDGET_METERING, describeModule, instrumentModule, REWRITER_VERSION, WasmRewriteError } from '../wasm/index.js';
import { ImportDeniedError, InvalidComponentError, MemoryLimitError } from '../errors.js';
import { WASM_PAGE_BYTES } from '../config/limits.js';
import { deniedImports } from '../sandbox/capabilities/index.js';
import { checkComponentHeader } from './binary-header.js';
import { sha256Hex } from './digest.js';
import { DiskCache, type CacheMeta } from './disk-cache.js';
import { transpileComponent } from './transpile.js';

export interface PreparedComponent {
  readonly digest: string;
  readonly key: string;
  readonly sizeBytes: number;
  readonly imports: readonly string[];
  readonly exports: readonly (readonly [string, string])[];
  /** Generated bindings (ESM source). */
  readonly js: string;
  /** Instrumented, compiled core modules by the name the bindings ask for. */
  readonly coreModules: ReadonlyMap<string, WebAssembly.Module>;
  /** Sum of the initial sizes of all memories / tables the component defines. */
  readonly initialMemoryPages: number;
  readonly initialTableElements: number;
  /** Where it came from, and what preparing it cost (ms). */
  readonly source: 'prepared' | 'disk-cache';
  readonly timings: Readonly<{ transpileMs: number; instrumentMs: number; compileMs: number }>;
  /** Function bodies taken from the body cache / rewritten while instrumenting (0/0 from disk). */
  readonly bodies: Readonly<{ reused: number; rewritten: number }>;
}

export interface PrepareOptions {
  /** Static per-memory maximum written into every defined memory (the host-wide cap). */
  memoryBytes: number;
  tableElements: number;
  cacheDir: string | false;
  /** Used in messages: the plug-in id, or the file name. */
  label?: string;
  /** Refuse the bytes unless they hash to this (hex sha256). */
  expectedDigest?: string;
}

// Bump when the preparation itself changes (not the rewriter: it has its own version).
const PREPARE_VERSION = '3'; // 3: bindings with the synchronous fast path

function cacheKey(digest: string, opts: PrepareOptions): string {
  return sha256Hex(
    [PREPARE_VERSION, REWRITER_VERSION, COST_TABLE_VERSION, digest, opts.memoryBytes, opts.tableElements].join('\0'),
  ).slice(0, 40);
}

function checkShape(label: string, imports: readonly string[], exports: readonly (readonly [string, string])[]): void {
  if (!exports.some(([name, kind]) => name === 'render' && kind === 'function')) {
    const found = exports.map(([n]) => n).join(', ') || 'nothing';
    throw new InvalidComponentError(
      `${label} is not a summit:widget component: it exports ${found}, not a render function (target the world summit:widget/widget@0.1.0)`,
    );
  }
  const denied = deniedImports(imports);
  if (denied.length > 0) {
    const list = denied.map((d) => `${d.name} (${d.reason})`).join(', ');
    throw new ImportDeniedError(
      `${label} imports ${list}, which widgets may not use: remove ${denied.length === 1 ? 'the import' : 'these imports'} (for componentize-js, disable the feature that pulls it in)`,
      { interfaces: denied.map((d) => d.name) },
    );
  }
}

export function checkInitialMemory(label: string, initialMemoryPages: number, memoryBytes: number): void {
  const bytes = initialMemoryPages * WASM_PAGE_BYTES;
  if (bytes > memoryBytes) {
    throw new MemoryLimitError(
      `${label} declares ${bytes} bytes of initial memory, over the cap of ${memoryBytes} bytes: lower the initial memory of the component`,
      { initialMemoryBytes: bytes, memoryBytes, by: 'initial' },
    );
  }
}

async function compileAll(label: string, cores: Map<string, Uint8Array>): Promise<Map<string, WebAssembly.Module>> {
  const compiled = await Promise.all(
    [...cores].map(async ([name, bytes]) => {
      try {
        return [name, await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)] as const;
      } catch (err) {
        throw new InvalidComponentError(`${label}: core module ${name} does not compile: ${(err as Error).message}`);
      }
    }),
  );
  return new Map(compiled); // in the bindings' order, whatever order compiling finished in
}

export interface PreparerOptions {
  /** Prepared components kept in memory. */
  maxEntries?: number;
  /**
   * Memory for instrumented function bodies shared by every component this preparer sees, so
   * that a new build or version of a widget re-instruments only the functions that changed
   * (one componentize-js engine takes about 18 MB); 0 turns it off.
   */
  instrumentCacheBytes?: number;
}

export class ComponentPreparer {
  readonly #disk: DiskCache | undefined;
  readonly #memory = new Map<string, PreparedComponent>();
  readonly #inflight = new Map<string, Promise<PreparedComponent>>();
  readonly #maxEntries: number;
  readonly #bodies: BodyCache | undefined;

  constructor(cacheDir: string | false, opts: PreparerOptions = {}) {
    this.#disk = cacheDir === false ? undefined : new DiskCache(cacheDir);
    this.#maxEntries = opts.maxEntries ?? 64;
    const bytes = opts.instrumentCacheBytes ?? 64 * 1024 * 1024;
    this.#bodies = bytes > 0 ? new BodyCache({ maxBytes: bytes }) : undefined;
  }

  /** The body cache's counters (undefined when it is off). */
  get bodyCacheStats() {
    return this.#bodies?.stats;
  }

  async prepare(bytes: Uint8Array, opts: PrepareOptions): Promise<PreparedComponent> {
    const label = opts.label ?? 'the component';
    checkComponentHeader(bytes);
    const digest = sha256Hex(bytes);
    if (opts.expectedDigest !== undefined && opts.expectedDigest.toLowerCase() !== digest) {
      throw new InvalidComponentError(`${label}: digest mismatch (expected ${opts.expectedDigest}, got sha256:${digest})`, {
        expected: opts.expectedDigest,
        actual: digest,
      });
    }
    const key = cacheKey(digest, opts);
    const hit = this.#memory.get(key);
    if (hit) {
      // Limits may be lower for this host/call than when it was prepared: re-check.
      checkShape(label, hit.imports, hit.exports);
      checkInitialMemory(label, hit.initialMemoryPages, opts.memoryBytes);
      return hit;
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#build(bytes, digest, key, label, opts).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    const prepared = await pending;
    this.#remember(prepared);
    return prepared;
  }

  /** Drops a component (every key prepared from this digest) from the in-memory cache. */
  evict(digest: string): void {
    for (const [key, p] of this.#memory) if (p.digest === digest) this.#memory.delete(key);
  }

  #remember(p: PreparedComponent): void {
    this.#memory.delete(p.key);
    this.#memory.set(p.key, p);
    while (this.#memory.size > this.#maxEntries) {
      const oldest = this.#memory.keys().next().value as string;
      this.#memory.delete(oldest);
    }
  }

  async #build(bytes: Uint8Array, digest: string, key: string, label: string, opts: PrepareOptions): Promise<PreparedComponent> {
    const cached = await this.#disk?.read(key);
    if (cached && cached.meta.digest === digest) {
      checkShape(label, cached.meta.imports, cached.meta.exports);
      checkInitialMemory(label, cached.meta.initialMemoryPages, opts.memoryBytes);
      const t0 = performance.now();
      const coreModules = await compileAll(label, cached.coreModules);
      return Object.freeze({
        digest,
        key,
        sizeBytes: bytes.length,
        imports: Object.freeze([...cached.meta.imports]),
        exports: Object.freeze(cached.meta.exports),
        js: cached.js,
        coreModules,
        initialMemoryPages: cached.meta.initialMemoryPages,
        initialTableElements: cached.meta.initialTableElements,
        source: 'disk-cache' as const,
        timings: Object.freeze({ transpileMs: 0, instrumentMs: 0, compileMs: performance.now() - t0 }),
        bodies: Object.freeze({ reused: 0, rewritten: 0 }),
      });
    }

    const t0 = performance.now();
    const transpiled = await transpileComponent(bytes);
    const t1 = performance.now();
    checkShape(label, transpiled.imports, transpiled.exports);

    let initialMemoryPages = 0;
    let initialTableElements = 0;
    const instrumented = new Map<string, Uint8Array>();
    const memoryMaxPages = Math.floor(opts.memoryBytes / WASM_PAGE_BYTES);
    for (const [name, core] of transpiled.coreModules) {
      try {
        const info = describeModule(core);
        for (const m of info.memories) if (!m.imported) initialMemoryPages += m.initialPages;
        for (const t of info.tables) if (!t.imported) initialTableElements += t.initialElements;
      } catch (err) {
        throw new InvalidComponentError(`${label}: core module ${name} is malformed: ${(err as Error).message}`);
      }
    }
    // Refuse before instrumenting or allocating anything.
    checkInitialMemory(label, initialMemoryPages, opts.memoryBytes);
    const before = this.#bodies?.stats;
    for (const [name, core] of transpiled.coreModules) {
      try {
        const { bytes: out } = instrumentModule(core, { fuel: true, memoryMaxPages, tableMaxElements: opts.tableElements, ...WIDGET_METERING, ...(this.#bodies ? { cache: this.#bodies } : {}) });
        instrumented.set(name, out);
      } catch (err) {
        if (err instanceof WasmRewriteError) throw new InvalidComponentError(`${label}: core module ${name}: ${err.message}`);
        throw err;
      }
    }
    const t2 = performance.now();
    const after = this.#bodies?.stats;
    const bodies = Object.freeze({ reused: (after?.hits ?? 0) - (before?.hits ?? 0), rewritten: (after?.misses ?? 0) - (before?.misses ?? 0) });
    const coreModules = await compileAll(label, instrumented);
    const t3 = performance.now();

    const meta: CacheMeta = {
      format: 1,
      digest,
      imports: transpiled.imports,
      exports: transpiled.exports,
      initialMemoryPages,
      initialTableElements,
      coreModules: [...instrumented.keys()],
    };
    await this.#disk?.write(key, { meta, js: transpiled.js, coreModules: instrumented });
    return Object.freeze({
      digest,
      key,
      sizeBytes: bytes.length,
      imports: Object.freeze([...transpiled.imports]),
      exports: Object.freeze(transpiled.exports),
      js: transpiled.js,
      coreModules,
      initialMemoryPages,
      initialTableElements,
      source: 'prepared' as const,
      timings: Object.freeze({ transpileMs: t1 - t0, instrumentMs: t2 - t1, compileMs: t3 - t2 }),
      bodies,
    });
  }
}
