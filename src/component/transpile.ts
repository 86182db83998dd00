// jco transpile in instantiation mode: the generated bindings never load core modules by
// themselves; every core module goes through the host's getCoreModule (where we instrument).
// Bindings are reused for components of the same shape (component-shape.ts): a rebuilt widget
// differs from the previous build only inside its core modules, so its bindings are the same.
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { InvalidComponentError } from '../errors.js';
import { componentLayout } from './component-shape.js';
import { rewriteBindings } from './sync-fast-path.js';

export interface Transpiled {
  /** Generated ESM bindings exporting `instantiate(getCoreModule, imports, instantiateCore)`. */
  js: string;
  /** Core modules by the file name the bindings ask for. */
  coreModules: Map<string, Uint8Array>;
  /** Imported interfaces, unversioned (as the bindings key them). */
  imports: string[];
  exports: [string, string][];
  /** The bindings came from an earlier component of the same shape. */
  reused: boolean;
  /** Why jco's bindings were left without the synchronous fast path (undefined: it applies). */
  slowPathReason?: string;
}

const NAME = 'component';

interface ShapeEntry {
  js: string;
  names: string[];
  imports: string[];
  exports: [string, string][];
  slowPathReason?: string;
}
const shapes = new Map<string, ShapeEntry>();
const MAX_SHAPES = 32;

/** First line of a toolchain message, without jco's internal position noise. */
function firstLine(err: unknown): string {
  const text = String((err as { message?: unknown })?.message ?? err);
  return text.split('\n').map((l) => l.trim()).filter(Boolean).join(': ').slice(0, 300);
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

export async function transpileComponent(bytes: Uint8Array): Promise<Transpiled> {
  const layout = componentLayout(bytes);
  const known = layout && shapes.get(layout.shape);
  if (layout && known && known.names.length === layout.coreModules.length) {
    const coreModules = new Map(known.names.map((n, i) => [n, layout.coreModules[i]!] as const));
    return { js: known.js, coreModules, imports: known.imports, exports: known.exports, reused: true, ...(known.slowPathReason ? { slowPathReason: known.slowPathReason } : {}) };
  }

  let out: { files: Record<string, Uint8Array>; imports: string[]; exports: [string, string][] };
  try {
    out = (await transpileBytes(bytes, { name: NAME, instantiation: 'async', noComponentErrorWrapping: false })) as typeof out;
  } catch (err) {
    throw new InvalidComponentError(`not a valid component: ${firstLine(err)}`);
  }
  const jsBytes = out.files[`${NAME}.js`];
  if (!jsBytes) throw new InvalidComponentError('not a valid component: jco produced no bindings');
  const coreModules = new Map<string, Uint8Array>();
  for (const [file, data] of Object.entries(out.files)) {
    if (file.endsWith('.wasm')) coreModules.set(file, data);
  }
  // Host imports of a synchronous component skip jco's per-call task state, and instantiation
  // skips a costly failed probe for JSPI (sync-fast-path.ts).
  const fast = rewriteBindings(new TextDecoder().decode(jsBytes));
  const js = fast.js;
  // Remember this shape only if our own reading of the binary gives exactly jco's modules, in
  // jco's order: then reusing the bindings for the next component of this shape is exact.
  if (layout && layout.coreModules.length === coreModules.size && [...coreModules.values()].every((m, i) => sameBytes(m, layout.coreModules[i]!))) {
    if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value as string);
    shapes.set(layout.shape, { js, names: [...coreModules.keys()], imports: out.imports, exports: out.exports, ...(fast.reason ? { slowPathReason: fast.reason } : {}) });
  }
  return { js, coreModules, imports: out.imports, exports: out.exports, reused: false, ...(fast.reason ? { slowPathReason: fast.reason } : {}) };
}
