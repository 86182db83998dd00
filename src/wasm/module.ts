import { WasmRewriteError } from './errors.js';
import { Reader } from './reader.js';

/** Section ids of the core module binary format. */
export const SEC_CUSTOM = 0;
export const SEC_TYPE = 1;
export const SEC_IMPORT = 2;
export const SEC_FUNCTION = 3;
export const SEC_TABLE = 4;
export const SEC_MEMORY = 5;
export const SEC_GLOBAL = 6;
export const SEC_EXPORT = 7;
export const SEC_START = 8;
export const SEC_ELEMENT = 9;
export const SEC_CODE = 10;
export const SEC_DATA = 11;
export const SEC_DATA_COUNT = 12;
export const SEC_TAG = 13;

/**
 * Position of each non-custom section in the required order (the tag section sits between
 * memory and global, the data count section between element and code). Used to insert a
 * section the original module lacks at the right place.
 */
export const SECTION_ORDER: Readonly<Record<number, number>> = {
  [SEC_TYPE]: 1,
  [SEC_IMPORT]: 2,
  [SEC_FUNCTION]: 3,
  [SEC_TABLE]: 4,
  [SEC_MEMORY]: 5,
  [SEC_TAG]: 6,
  [SEC_GLOBAL]: 7,
  [SEC_EXPORT]: 8,
  [SEC_START]: 9,
  [SEC_ELEMENT]: 10,
  [SEC_DATA_COUNT]: 11,
  [SEC_CODE]: 12,
  [SEC_DATA]: 13,
};

export interface Section {
  id: number;
  /** Offset of the id byte: [start, end) is the whole section as it appears in the file. */
  start: number;
  /** Offset of the payload (after the size LEB; for custom sections, still before the name). */
  payloadStart: number;
  end: number;
  /** Custom sections only. */
  customName?: string;
}

export const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * Splits a core module into its sections, checking the header, section framing, duplicate
 * known sections and their order. Payloads are not parsed here.
 */
export function splitSections(bytes: Uint8Array): Section[] {
  if (!(bytes instanceof Uint8Array)) throw new WasmRewriteError('module bytes must be a Uint8Array');
  if (bytes.length < 8) throw new WasmRewriteError(`not a wasm module: ${bytes.length} bytes`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== HEADER[i]) throw new WasmRewriteError('not a wasm module: bad magic number');
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    // Components share the magic number and differ in version/layer bytes.
    const what = bytes[6] === 1 ? 'a component, not a core module' : 'an unsupported wasm version';
    throw new WasmRewriteError(`not a core wasm module: ${what}`);
  }
  const r = new Reader(bytes, 8, bytes.length, 'module');
  const sections: Section[] = [];
  let lastOrder = 0;
  while (!r.atEnd()) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const payloadStart = r.pos;
    if (size > r.remaining) {
      throw new WasmRewriteError(`section ${id} truncated at offset ${bytes.length} (declares ${size} bytes, ${r.remaining} left)`);
    }
    const end = payloadStart + size;
    const section: Section = { id, start, payloadStart, end };
    if (id === SEC_CUSTOM) {
      const nr = new Reader(bytes, payloadStart, end, 'custom section');
      section.customName = nr.name();
    } else {
      const order = SECTION_ORDER[id];
      if (order === undefined) throw new WasmRewriteError(`unknown section id ${id} at offset ${start}`);
      if (order <= lastOrder) {
        throw new WasmRewriteError(`section ${id} at offset ${start} is duplicated or out of order`);
      }
      lastOrder = order;
    }
    sections.push(section);
    r.pos = end;
  }
  return sections;
}
