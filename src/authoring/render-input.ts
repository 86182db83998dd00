// What `dev` and `check` feed a widget, and how close a render came to each cap. Both use the
// input shape the Summit UI sends (wit/widget.wit): props, a context, and the widget's state.
import type { Limits } from '../config/limits.js';
import { fuelForCpuMs } from '../sandbox/calibration.js';
import type { Usage } from '../sandbox/sandbox-pool.js';

export interface RenderInput {
  props: unknown;
  context: Record<string, unknown>;
  state: unknown;
}

/** The context a sample gets when it names none (tenant, locale and theme are always sent). */
export const DEFAULT_CONTEXT = Object.freeze({ tenant: 'local-dev', locale: 'en-US', theme: 'light' });

/** Completes a sample input to the full shape; fields the sample gives win. */
export function completeInput(input: { props?: unknown; context?: Record<string, unknown>; state?: unknown } | undefined): RenderInput {
  return {
    props: input?.props ?? {},
    context: { ...DEFAULT_CONTEXT, ...(input?.context ?? {}) },
    state: input?.state ?? null,
  };
}

export interface CapShare {
  fuel: number | null;
  cpuMs: number;
  memoryBytes: number;
  wallMs: number;
  outputBytes: number;
}

/** Percent (0-100+, one decimal) of each cap a render used. */
export function capPercent(usage: Usage, outputBytes: number, limits: Readonly<Limits>): CapShare {
  // Two decimals, and never 0 for something used: 145 bytes of a 1 MiB cap is 0.01 %, not 0.
  const pct = (v: number, cap: number) => (v > 0 ? Math.max(0.01, Math.round((v / cap) * 10_000) / 100) : 0);
  return {
    fuel: usage.fuel === null ? null : pct(usage.fuel, Number(fuelForCpuMs(limits.cpuMs))),
    cpuMs: pct(usage.cpuMs, limits.cpuMs),
    memoryBytes: pct(usage.memoryBytes, limits.memoryBytes),
    wallMs: pct(usage.wallMs, limits.wallMs),
    outputBytes: pct(outputBytes, limits.outputBytes),
  };
}

/** The caps as the preview and the reports show them (fuel as its budget). */
export function capsOf(limits: Readonly<Limits>) {
  return {
    fuel: Number(fuelForCpuMs(limits.cpuMs)),
    cpuMs: limits.cpuMs,
    memoryBytes: limits.memoryBytes,
    wallMs: limits.wallMs,
    outputBytes: limits.outputBytes,
  };
}
