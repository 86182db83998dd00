/**
 * The fuel weights the host uses (the rewriter's own default is 1 per instruction, which the
 * exactness tests rely on). Measured with bench/calibrate.ts: counting every instruction the
 * same made fuel per cpu-ms vary 25x across workloads, because code compiled from interpreters
 * (the SpiderMonkey engine in componentize-js plug-ins) executes many structural instructions
 * and local moves that V8 compiles to nothing, while calls cost far more than one arithmetic
 * op. With structure and locals free and calls weighted, the spread fell to about 3x.
 * Change COST_TABLE_VERSION with any weight: it is part of the prepared-component cache key.
 */
export const COST_TABLE_VERSION = '2';

const FREE = new Set(['block', 'loop', 'end', 'else', 'nop', 'local.get', 'local.set', 'local.tee', 'drop']);
const WEIGHTS: Record<string, number> = {
  call: 20,
  call_indirect: 25,
  call_ref: 25,
  return_call: 20,
  return_call_indirect: 25,
  return_call_ref: 25,
};

export function widgetCostOf(opcode: string): number {
  return WEIGHTS[opcode] ?? (FREE.has(opcode) ? 0 : 1);
}

/**
 * Bulk instructions pay for their length too (see bulk-wrappers.ts). Measured here: large
 * fills and copies move 13-33 bytes per ns once they leave the cache, and one fuel unit buys
 * about 0.15 ns (the calibration), so 1 fuel per 4 bytes tracks CPU time where it matters
 * (a loop of big copies); cached mid-size copies are faster and over-charged a few times,
 * which only shortens what a plug-in may do with them. Table elements: 1 each.
 */
export const WIDGET_BULK_COST = Object.freeze({ memoryBytesPerFuel: 4, tableElementsPerFuel: 1 });

/** The metering options the host instruments widgets with (weights and bulk costs). */
export const WIDGET_METERING = Object.freeze({ costOf: widgetCostOf, bulk: WIDGET_BULK_COST });
