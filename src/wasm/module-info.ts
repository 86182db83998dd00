import { readLayout, type ImportKind, type Layout } from './layout.js';

export interface MemoryInfo {
  index: number;
  imported: boolean;
  initialPages: number;
  maximumPages: number | null;
  shared: boolean;
}

export interface TableInfo {
  index: number;
  imported: boolean;
  initialElements: number;
  maximumElements: number | null;
}

export interface ModuleInfo {
  imports: { module: string; name: string; kind: ImportKind }[];
  exports: { name: string; kind: string; index: number }[];
  memories: MemoryInfo[];
  tables: TableInfo[];
  hasStart: boolean;
  /** Size of the function index space: imported plus defined functions. */
  functionCount: number;
}

export function toModuleInfo(layout: Layout): ModuleInfo {
  return {
    imports: layout.imports.map((i) => ({ ...i })),
    exports: layout.exports.map((e) => ({ ...e })),
    memories: layout.memories.map((m) => ({
      index: m.index,
      imported: m.imported,
      initialPages: m.initial,
      maximumPages: m.max,
      shared: m.shared,
    })),
    tables: layout.tables.map((t) => ({
      index: t.index,
      imported: t.imported,
      initialElements: t.initial,
      maximumElements: t.max,
    })),
    hasStart: layout.hasStart,
    functionCount: layout.importedFuncs + layout.funcTypes.length,
  };
}

/** Reads imports, exports, memories and tables without decoding any code. */
export function describeModule(bytes: Uint8Array): ModuleInfo {
  return toModuleInfo(readLayout(bytes));
}
