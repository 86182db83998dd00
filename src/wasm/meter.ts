/** The import module every instrumented core module gets its meter globals from. */
export const METER_MODULE = 'summit:meter';

/**
 * The imported globals added to every instrumented module, in import order. They are
 * appended after the module's own global imports, so only defined globals shift.
 */
export const METER_GLOBALS = [
  { name: 'fuel', valType: 0x7e }, // mut i64: remaining fuel, shared across the component
  { name: 'memory_pages_left', valType: 0x7f }, // mut i32: pages the component may still grow by
  { name: 'table_elements_left', valType: 0x7f }, // mut i32: table elements it may still grow by
  { name: 'limit_hit', valType: 0x7f }, // mut i32: 1 = memory.grow refused by the cap, 2 = table.grow
] as const;

/** Global indices of the meter globals in an instrumented module. */
export interface MeterGlobals {
  fuel: number;
  memoryPagesLeft: number;
  tableElementsLeft: number;
  limitHit: number;
}

export function meterGlobals(importedGlobals: number): MeterGlobals {
  return {
    fuel: importedGlobals,
    memoryPagesLeft: importedGlobals + 1,
    tableElementsLeft: importedGlobals + 2,
    limitHit: importedGlobals + 3,
  };
}

/** limit_hit values. */
export const LIMIT_HIT_MEMORY = 1;
export const LIMIT_HIT_TABLE = 2;
