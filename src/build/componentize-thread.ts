// Worker thread that runs componentize-js. Componentizing blocks its thread for seconds
// (the Wizer step is a synchronous child process) and peaks around 800 MB, so it runs here:
// the CLI's progress display and the dev server stay responsive, and the memory goes away
// with the thread. Kept alive, later builds skip compiling the toolchain (the first build in
// a thread takes 2-3x longer).
import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { ComponentizeReply, ComponentizeRequest } from './componentize-protocol.js';
import { createDefaultLogger } from '../host/logger.js';
import { installInProcessWizer } from './wizer-in-process.js';
import { lazyGrow } from '../wasm/lazy-grow.js';

let wizerLog: ReturnType<typeof createDefaultLogger> | undefined;

interface Splicer {
  spliceBindings: (engine: Uint8Array, features: string[], witWorld: unknown, witPath: string, worldName: string, debug: boolean) => unknown;
  stubWasi: (...args: unknown[]) => unknown;
}

let componentizeFn: ((opts: Record<string, unknown>) => Promise<{ component: Uint8Array }>) | undefined;
let splicerRef: Splicer | undefined;
let componentizeUrl = '';
let splices = 0;
// Time spent in the steps of the current build (see timeSteps).
const steps: { wizerMs: number; stubWasiMs: number; wizer?: 'in-process' | 'process' } = { wizerMs: 0, stubWasiMs: 0 };
let wizerHook: ReturnType<typeof installInProcessWizer> | undefined;
// componentize-js's own list, in its order: what it passes to the splicer.
const DEFAULT_FEATURES = ['stdio', 'random', 'clocks', 'http', 'fetch-event'];

function witHash(dir: string): string {
  const h = createHash('sha256');
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.wit')).sort()) h.update(f).update(readFileSync(join(dir, f)));
  } catch {
    h.update(String(Math.random())); // unreadable: never reuse
  }
  return h.digest('hex');
}

/**
 * Splicing the world's bindings into the engine does not depend on the widget's source, only
 * on the engine, the features and the WIT; it is ~20% of a build. componentize-js exposes no
 * option for it, but its splicer is a shared module object: memoize its pure function.
 * If the layout ever differs, builds are only slower.
 */
async function memoizeSplice(componentizeUrl: string): Promise<void> {
  try {
    const mod = (await import(new URL('../lib/spidermonkey-embedding-splicer.js', componentizeUrl).href)) as { splicer?: Splicer };
    const splicer = mod.splicer;
    if (!splicer || typeof splicer.spliceBindings !== 'function') return;
    splicerRef = splicer;
    const stub = splicer.stubWasi.bind(splicer);
    splicer.stubWasi = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return stub(...args);
      } finally {
        steps.stubWasiMs += performance.now() - t0;
      }
    };
    const original = splicer.spliceBindings.bind(splicer);
    // One project at a time: one entry. The engine is compared byte for byte with the one the
    // entry was made from (cheaper than hashing 10 MB on every build).
    let memo: { engine: Uint8Array; key: string; result: unknown } | undefined;
    splicer.spliceBindings = (engine, features, witWorld, witPath, worldName, debug) => {
      if (witWorld !== undefined || debug) return original(engine, features, witWorld, witPath, worldName, debug);
      const key = [[...features].sort().join(','), witPath, witHash(witPath), worldName].join('\0');
      if (memo && memo.key === key && Buffer.from(memo.engine).equals(Buffer.from(engine.buffer, engine.byteOffset, engine.byteLength))) return memo.result;
      splices++;
      const result = original(engine, features, witWorld, witPath, worldName, debug);
      memo = { engine: new Uint8Array(engine), key, result };
      return result;
    };
  } catch {
    // not this layout: no memo
  }
}

/**
 * componentize-js's splicer (Rust, wasi-libc's allocator) grows its memory a page at a time,
 * thousands of times on its first call, and on Node 20 each grow costs V8 a full GC: the
 * first build in a thread was ~6 s slower than the next. While the splicer's bindings compile
 * its core module (at import), hand V8 a copy rewritten to grow in big steps (src/wasm/
 * lazy-grow.ts; what the splicer sees of its memory is unchanged). Identified by its bytes;
 * anything else compiles as given. SUMMIT_SPLICER_GROW=exact turns it off.
 */
async function withLazyGrowSplicer(componentizeUrl: string, load: () => Promise<void>): Promise<void> {
  if (process.env.SUMMIT_SPLICER_GROW === 'exact') return load();
  let core: Buffer;
  try {
    core = readFileSync(new URL('../lib/spidermonkey-embedding-splicer.core.wasm', componentizeUrl));
  } catch {
    return load();
  }
  const compile = WebAssembly.compile;
  WebAssembly.compile = ((bytes: BufferSource) => {
    const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    if (view.byteLength === core.byteLength && core.equals(view)) {
      const rewritten = lazyGrow(view);
      if (rewritten) return compile(rewritten);
    }
    return compile(bytes);
  }) as typeof WebAssembly.compile;
  try {
    await load();
  } finally {
    WebAssembly.compile = compile;
  }
}

/**
 * Times the Wizer child process: componentize-js runs it with `spawnSync` from
 * node:child_process (its only use of it), whose ESM binding follows the builtin module.
 */
function timeSteps(): void {
  const cp = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  // Wizer runs in this thread, on a module compiled once per engine (wizer-in-process.ts).
  const logged = new Set<string>();
  wizerHook = installInProcessWizer(cp, (reason) => {
    if (logged.has(reason)) return;
    logged.add(reason);
    (wizerLog ??= createDefaultLogger()).debug({ reason }, 'Wizer runs as a process, not in this thread');
  });
  const spawnSync = cp.spawnSync;
  cp.spawnSync = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return (spawnSync as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      steps.wizerMs += performance.now() - t0;
    }
  } as typeof cp.spawnSync;
}

async function load(): Promise<NonNullable<typeof componentizeFn>> {
  if (componentizeFn) return componentizeFn;
  // componentize-js reads the WIT through preview2-shim, which starts with no preopens. This
  // thread only builds; the sandbox never uses preview2-shim's filesystem.
  // componentize-js hands `process.stdout` to a synchronous child process (Wizer), which needs a
  // real file descriptor; a worker's stdout is a message port. Give it stderr's descriptor:
  // whatever top-level code prints while the engine initializes must not mix into a
  // command's stdout (`--json` keeps one JSON object there).
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, value: createWriteStream('', { fd: 2, autoClose: false }) });
  timeSteps();
  syncBuiltinESMExports();
  const fsShim = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void };
  fsShim._setPreopens({ '/': '/' });
  const url = import.meta.resolve('@bytecodealliance/componentize-js');
  componentizeUrl = url;
  await withLazyGrowSplicer(url, () => memoizeSplice(url));
  const mod = (await import(url)) as { componentize: NonNullable<typeof componentizeFn> };
  componentizeFn = mod.componentize;
  return componentizeFn;
}

/**
 * The first build in a thread is 2-3x slower than later ones (the splicer's memory grows from
 * nothing, V8 tiers its code up). `dev` warms the thread while the author is still reading the
 * first preview, by splicing the engine for the project's features: the memoized result is
 * exactly what the next build needs.
 */
async function warmup(req: ComponentizeRequest): Promise<void> {
  if (!splicerRef) return;
  const engine = readFileSync(new URL('../lib/starlingmonkey_embedding.wasm', componentizeUrl));
  const features = DEFAULT_FEATURES.filter((f) => !req.disableFeatures.includes(f));
  splicerRef.spliceBindings(engine, features, undefined, req.witPath, req.worldName, false);
}

async function handle(req: ComponentizeRequest): Promise<ComponentizeReply> {
  try {
    const componentize = await load();
    if (req.warmup) {
      const t0 = performance.now();
      await warmup(req);
      return { id: req.id, ok: true, component: new Uint8Array(0), componentizeMs: performance.now() - t0, spliceReused: false, steps: { wizerMs: 0, stubWasiMs: 0 } };
    }
    const before = splices;
    steps.wizerMs = 0;
    steps.stubWasiMs = 0;
    delete steps.wizer;
    if (wizerHook) wizerHook.last = undefined;
    const t0 = performance.now();
    const { component } = await componentize({
      sourcePath: req.sourcePath,
      sourceName: req.sourceName,
      witPath: req.witPath,
      worldName: req.worldName,
      disableFeatures: req.disableFeatures,
    });
    // Transfer the bytes, not a view into a larger (or pooled) buffer.
    const bytes = component.byteOffset === 0 && component.byteLength === component.buffer.byteLength ? component : component.slice();
    if (wizerHook?.last) steps.wizer = wizerHook.last.mode;
    return { id: req.id, ok: true, component: bytes, componentizeMs: performance.now() - t0, spliceReused: splices === before, steps: { ...steps } };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const missing = e.code === 'ERR_MODULE_NOT_FOUND' && /componentize-js/.test(String(e.message));
    return { id: req.id, ok: false, missingToolchain: missing, message: String(e.message ?? err) };
  }
}

parentPort!.on('message', (req: ComponentizeRequest) => {
  void handle(req).then((reply) => {
    parentPort!.postMessage(reply, reply.ok ? [reply.component.buffer as ArrayBuffer] : []);
  });
});
