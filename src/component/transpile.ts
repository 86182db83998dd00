// jco transpile in instantiation mode: the generated bindings never load core modules by
// themselves; every core module goes through the host's getCoreModule (where we instrument).
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { InvalidComponentError } from '../errors.js';

export interface Transpiled {
  /** Generated ESM bindings exporting `instantiate(getCoreModule, imports, instantiateCore)`. */
  js: string;
  /** Core modules by the file name the bindings ask for. */
  coreModules: Map<string, Uint8Array>;
  /** Imported interfaces, unversioned (as the bindings key them). */
  imports: string[];
  exports: [string, string][];
}

const NAME = 'component';

/** First line of a toolchain message, without jco's internal position noise. */
function firstLine(err: unknown): string {
  const text = String((err as { message?: unknown })?.message ?? err);
  return text.split('\n').map((l) => l.trim()).filter(Boolean).join(': ').slice(0, 300);
}

export async function transpileComponent(bytes: Uint8Array): Promise<Transpiled> {
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
  return { js: new TextDecoder().decode(jsBytes), coreModules, imports: out.imports, exports: out.exports };
}
