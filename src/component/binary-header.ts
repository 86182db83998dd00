// Cheap checks on the first bytes, so the common mistakes get a precise one-line message
// before jco's parser (which would also accept WAT text) is involved.
import { InvalidComponentError } from '../errors.js';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const CORE_VERSION = [0x01, 0x00, 0x00, 0x00];
// Component binaries: version 0x0d (pre-1.0 component encoding), layer 1.
const COMPONENT_LAYER = [0x01, 0x00];

export function checkComponentHeader(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new InvalidComponentError('the component is empty (0 bytes): pass a .wasm component file');
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InvalidComponentError('not a WebAssembly binary (bad magic number): pass a .wasm component file', { sizeBytes: bytes.length });
  }
  if (CORE_VERSION.every((b, i) => bytes[4 + i] === b)) {
    throw new InvalidComponentError(
      'this is a core WebAssembly module, not a component: build it for the summit:widget world (for example with componentize-js or `wasm-tools component new`)',
    );
  }
  if (bytes[6] !== COMPONENT_LAYER[0] || bytes[7] !== COMPONENT_LAYER[1]) {
    throw new InvalidComponentError(`unsupported WebAssembly binary version/layer (${Array.from(bytes.slice(4, 8)).join(' ')})`);
  }
}
