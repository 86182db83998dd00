// The "shape" of a component: everything jco's generated bindings depend on, which is the
// component's own sections and the imports and exports of its core modules, but not the core
// modules' code and data. Every build of a componentize-js widget with the same features has
// the same shape (only the engine's snapshot changes), so the bindings of one build serve the
// next, and preparing a rebuilt widget skips jco (see transpile.ts).
import { createHash } from 'node:crypto';

export interface ComponentLayout {
  /** sha256 over the non-module sections and each core module's import/export sections. */
  shape: string;
  /** The embedded core modules, in order. */
  coreModules: Uint8Array[];
}

function leb(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const b = bytes[pos + i];
    if (b === undefined) throw new RangeError('truncated LEB128');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos + i + 1];
    shift += 7;
  }
  throw new RangeError('LEB128 too long');
}

/** The sections of a module or component body after its 8-byte preamble. */
function* sections(bytes: Uint8Array, start: number, end: number): Generator<{ id: number; from: number; to: number }> {
  let pos = start;
  while (pos < end) {
    const id = bytes[pos]!;
    const [size, body] = leb(bytes, pos + 1);
    const to = body + size;
    if (to > end) throw new RangeError('section runs past the end');
    yield { id, from: body, to };
    pos = to;
  }
}

const CORE_MODULE_SECTION = 1;
const NESTED_COMPONENT_SECTION = 4;
const CORE_IMPORT = 2;
const CORE_EXPORT = 7;

/**
 * Reads the layout of a top-level component, or returns undefined when it is not one this fast
 * path handles (nested components, anything malformed): the caller then uses jco as usual.
 */
export function componentLayout(bytes: Uint8Array): ComponentLayout | undefined {
  try {
    if (bytes.length < 8) return undefined;
    const h = createHash('sha256').update(bytes.subarray(0, 8));
    const coreModules: Uint8Array[] = [];
    for (const s of sections(bytes, 8, bytes.length)) {
      if (s.id === NESTED_COMPONENT_SECTION) return undefined;
      if (s.id !== CORE_MODULE_SECTION) {
        h.update(Uint8Array.of(s.id)).update(String(s.to - s.from)).update(bytes.subarray(s.from, s.to));
        continue;
      }
      const module = bytes.subarray(s.from, s.to);
      coreModules.push(module);
      h.update(`module${coreModules.length}`);
      for (const inner of sections(module, 8, module.length)) {
        if (inner.id === CORE_IMPORT || inner.id === CORE_EXPORT) h.update(Uint8Array.of(inner.id)).update(module.subarray(inner.from, inner.to));
      }
    }
    return { shape: h.digest('hex'), coreModules };
  } catch {
    return undefined;
  }
}
