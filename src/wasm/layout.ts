import { WasmRewriteError } from './errors.js';
import {
  SEC_CODE,
  SEC_EXPORT,
  SEC_FUNCTION,
  SEC_IMPORT,
  SEC_MEMORY,
  SEC_START,
  SEC_TABLE,
  SEC_TYPE,
  splitSections,
  type Section,
} from './module.js';
import { skipConstExpr } from './const-expr.js';
import { Reader } from './reader.js';
import { readRefTypeBytes, skipValType } from './value-types.js';

export type ImportKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
const KIND_NAMES: readonly ImportKind[] = ['func', 'table', 'memory', 'global', 'tag'];

export interface MemoryDecl {
  index: number;
  imported: boolean;
  initial: number;
  max: number | null;
  shared: boolean;
  /** Offsets of the limits in the original bytes (defined memories only), to re-encode them. */
  limitsStart: number;
  limitsEnd: number;
}

export interface TableDecl {
  index: number;
  imported: boolean;
  initial: number;
  max: number | null;
  /** Element reference type, as encoded (grow wrappers take a parameter of this type). */
  refType: Uint8Array;
  /** Defined with an explicit initialiser expression (0x40 0x00 form). */
  hasInit: boolean;
  limitsStart: number;
  limitsEnd: number;
}

/**
 * What the rewriter needs to know about a module before touching code: index spaces,
 * function signatures (parameter counts fix the index of the added local), memories and
 * tables with their limits. Global, element, data and code payloads are not parsed here.
 */
export interface Layout {
  bytes: Uint8Array;
  sections: Section[];
  /** Parameter count of each type index; -1 for struct/array types. */
  paramCounts: number[];
  /** Number of top-level entries in the type section (a rec group counts once). */
  typeEntries: number;
  imports: { module: string; name: string; kind: ImportKind }[];
  importedFuncs: number;
  /** Type index of each imported function, in import order. */
  importedFuncTypes: number[];
  importedGlobals: number;
  /** Type index of each defined function. */
  funcTypes: number[];
  memories: MemoryDecl[];
  tables: TableDecl[];
  exports: { name: string; kind: string; index: number }[];
  hasStart: boolean;
  startFunction: number | null;
}

export function findSection(sections: readonly Section[], id: number): Section | undefined {
  return sections.find((s) => s.id === id);
}

export function sectionReader(bytes: Uint8Array, s: Section): Reader {
  return new Reader(bytes, s.payloadStart, s.end, `section ${s.id}`);
}

export function readLayout(bytes: Uint8Array): Layout {
  const sections = splitSections(bytes);
  const layout: Layout = {
    bytes,
    sections,
    paramCounts: [],
    typeEntries: 0,
    imports: [],
    importedFuncs: 0,
    importedFuncTypes: [],
    importedGlobals: 0,
    funcTypes: [],
    memories: [],
    tables: [],
    exports: [],
    hasStart: false,
    startFunction: null,
  };
  for (const s of sections) {
    switch (s.id) {
      case SEC_TYPE:
        readTypes(sectionReader(bytes, s), layout);
        break;
      case SEC_IMPORT:
        readImports(sectionReader(bytes, s), layout);
        break;
      case SEC_FUNCTION: {
        const r = sectionReader(bytes, s);
        const n = r.count();
        for (let i = 0; i < n; i++) layout.funcTypes.push(r.u32());
        expectEnd(r);
        break;
      }
      case SEC_TABLE: {
        const r = sectionReader(bytes, s);
        const n = r.count();
        for (let i = 0; i < n; i++) {
          if (r.peek() === 0x40) {
            // Table with an explicit initialiser: 0x40 0x00 reftype limits expr.
            r.pos++;
            if (r.u8() !== 0x00) throw r.fail('invalid table encoding');
            layout.tables.push({ ...readTableType(r, layout.tables.length, false), hasInit: true });
            skipConstExpr(r);
          } else {
            layout.tables.push(readTableType(r, layout.tables.length, false));
          }
        }
        expectEnd(r);
        break;
      }
      case SEC_MEMORY: {
        const r = sectionReader(bytes, s);
        const n = r.count();
        for (let i = 0; i < n; i++) layout.memories.push(readMemoryType(r, layout.memories.length, false));
        expectEnd(r);
        break;
      }
      case SEC_EXPORT: {
        const r = sectionReader(bytes, s);
        const n = r.count();
        for (let i = 0; i < n; i++) {
          const name = r.name();
          const kind = r.u8();
          const index = r.u32();
          layout.exports.push({ name, kind: KIND_NAMES[kind] ?? `kind-${kind}`, index });
        }
        expectEnd(r);
        break;
      }
      case SEC_START: {
        const r = sectionReader(bytes, s);
        layout.hasStart = true;
        layout.startFunction = r.u32();
        expectEnd(r);
        break;
      }
      case SEC_CODE: {
        const r = sectionReader(bytes, s);
        const n = r.u32();
        if (n !== layout.funcTypes.length) {
          throw new WasmRewriteError(`code section has ${n} bodies for ${layout.funcTypes.length} declared functions`);
        }
        break;
      }
      default:
        break;
    }
  }
  if (layout.funcTypes.length > 0 && !findSection(sections, SEC_CODE)) {
    throw new WasmRewriteError(`function section declares ${layout.funcTypes.length} functions but there is no code section`);
  }
  for (const t of layout.funcTypes) {
    if ((layout.paramCounts[t] ?? -1) < 0) throw new WasmRewriteError(`function type index ${t} is not a function type`);
  }
  return layout;
}

export function expectEnd(r: Reader): void {
  if (!r.atEnd()) throw r.fail(`${r.remaining} unexpected bytes at end`);
}

function readTypes(r: Reader, layout: Layout): void {
  const n = r.count();
  layout.typeEntries = n;
  for (let i = 0; i < n; i++) {
    const form = r.peek();
    if (form === 0x4e) {
      // rec group: several subtypes, each with its own type index
      r.pos++;
      const m = r.count();
      for (let j = 0; j < m; j++) readSubType(r, layout);
    } else {
      readSubType(r, layout);
    }
  }
  expectEnd(r);
}

function readSubType(r: Reader, layout: Layout): void {
  const form = r.peek();
  if (form === 0x50 || form === 0x4f) {
    r.pos++;
    const supers = r.count();
    for (let k = 0; k < supers; k++) r.u32();
  }
  const comp = r.u8();
  switch (comp) {
    case 0x60: {
      const params = r.count();
      for (let k = 0; k < params; k++) skipValType(r);
      const results = r.count();
      for (let k = 0; k < results; k++) skipValType(r);
      layout.paramCounts.push(params);
      return;
    }
    case 0x5f: {
      const fields = r.count();
      for (let k = 0; k < fields; k++) {
        skipValType(r); // storage type: value type or packed i8 (0x78) / i16 (0x77)
        r.u8(); // mutability
      }
      layout.paramCounts.push(-1);
      return;
    }
    case 0x5e:
      skipValType(r);
      r.u8();
      layout.paramCounts.push(-1);
      return;
    default:
      r.pos--;
      throw r.fail(`unsupported type form 0x${comp.toString(16)}`);
  }
}

function readImports(r: Reader, layout: Layout): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const module = r.name();
    const name = r.name();
    const kind = r.u8();
    switch (kind) {
      case 0x00:
        layout.importedFuncTypes.push(r.u32());
        layout.importedFuncs++;
        break;
      case 0x01:
        layout.tables.push(readTableType(r, layout.tables.length, true));
        break;
      case 0x02:
        layout.memories.push(readMemoryType(r, layout.memories.length, true));
        break;
      case 0x03:
        skipValType(r);
        r.u8();
        layout.importedGlobals++;
        break;
      case 0x04:
        r.u8(); // tag attribute (0 = exception)
        r.u32();
        break;
      default:
        r.pos--;
        throw r.fail(`unsupported import kind 0x${kind.toString(16)}`);
    }
    layout.imports.push({ module, name, kind: KIND_NAMES[kind]! });
  }
  expectEnd(r);
}

function readMemoryType(r: Reader, index: number, imported: boolean): MemoryDecl {
  const limitsStart = r.pos;
  const flags = r.u8();
  if ((flags & 0x04) !== 0) throw new WasmRewriteError('memory64 is not supported');
  if ((flags & 0x08) !== 0) throw new WasmRewriteError('custom page sizes are not supported');
  if ((flags & ~0x03) !== 0) throw r.fail(`invalid memory limits flags 0x${flags.toString(16)}`);
  const initial = r.u32();
  const max = (flags & 0x01) !== 0 ? r.u32() : null;
  return { index, imported, initial, max, shared: (flags & 0x02) !== 0, limitsStart, limitsEnd: r.pos };
}

function readTableType(r: Reader, index: number, imported: boolean): TableDecl {
  const refType = readRefTypeBytes(r);
  const limitsStart = r.pos;
  const flags = r.u8();
  if ((flags & 0x04) !== 0) throw new WasmRewriteError('table64 is not supported');
  if ((flags & ~0x01) !== 0) throw r.fail(`unsupported table limits flags 0x${flags.toString(16)}`);
  const initial = r.u32();
  const max = (flags & 0x01) !== 0 ? r.u32() : null;
  return { index, imported, initial, max, refType, hasInit: false, limitsStart, limitsEnd: r.pos };
}
