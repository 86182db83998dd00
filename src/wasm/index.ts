/**
 * Binary rewriter for core WebAssembly modules: adds fuel metering and memory/table caps
 * that V8 lacks. Pure functions on bytes, so the loader can run it in any thread and cache
 * its output by digest together with REWRITER_VERSION. The only Node API used is node:crypto,
 * by the optional in-memory cache of rewritten function bodies (body-cache.ts).
 */
export { WasmRewriteError } from './errors.js';
export { METER_MODULE } from './meter.js';
export { BodyCache, type BodyCacheStats } from './body-cache.js';
export { instrumentModule, type InstrumentOptions, type InstrumentResult } from './instrument.js';
export { COST_TABLE_VERSION, WIDGET_BULK_COST, WIDGET_METERING, widgetCostOf } from './cost-table.js';
export { describeModule, type MemoryInfo, type ModuleInfo, type TableInfo } from './module-info.js';

/** Bump whenever the output for the same input and options changes (cache keys use it). */
export const REWRITER_VERSION = '1.1.0';
