// Per-invocation caps. Names carry their unit. The defaults are the product's guarantees
// (DESIGN.md 4.5); production may only lower them.
import { InvalidArgError } from '../errors.js';

export interface Limits {
  /** CPU budget, enforced as fuel and backed by measured thread CPU time. */
  cpuMs: number;
  /** All linear memories of the component together. */
  memoryBytes: number;
  /** All table elements of the component together. */
  tableElements: number;
  /** Wall-clock deadline for one invocation (instantiation + render). */
  wallMs: number;
  /** UTF-8 bytes of the returned HTML. */
  outputBytes: number;
  /** Plug-in log lines (host log + stdout/stderr lines) per invocation. */
  logLines: number;
  /** Longest plug-in log line kept, in characters. */
  logLineBytes: number;
}

export const WASM_PAGE_BYTES = 65536;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  cpuMs: 500,
  memoryBytes: 256 * 1024 * 1024,
  tableElements: 1 << 20,
  wallMs: 1500,
  outputBytes: 1024 * 1024,
  logLines: 100,
  logLineBytes: 2048,
});

const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/**
 * Validates a partial set of limits over a base. `allowRaise` is for local development only:
 * without it a value above the base is refused, never silently clamped.
 */
export function resolveLimits(
  base: Readonly<Limits>,
  override: unknown,
  { allowRaise, where }: { allowRaise: boolean; where: string },
): Readonly<Limits> {
  if (override === undefined) return base;
  if (typeof override !== 'object' || override === null || Array.isArray(override)) {
    throw new InvalidArgError(`${where} must be an object with any of: ${LIMIT_KEYS.join(', ')}`);
  }
  const problems: string[] = [];
  const out: Limits = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (!LIMIT_KEYS.includes(key as keyof Limits)) {
      problems.push(`${where}.${key} is not a limit (expected one of ${LIMIT_KEYS.join(', ')})`);
      continue;
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
      problems.push(`${where}.${key} must be a positive integer, got ${JSON.stringify(value)}`);
      continue;
    }
    const k = key as keyof Limits;
    if (value > base[k] && !allowRaise) {
      problems.push(`${where}.${key} = ${value} exceeds the cap of ${base[k]}: limits may only be lowered outside development mode`);
      continue;
    }
    out[k] = value;
  }
  if (out.memoryBytes < WASM_PAGE_BYTES) problems.push(`${where}.memoryBytes must be at least one wasm page (${WASM_PAGE_BYTES})`);
  if (problems.length > 0) throw new InvalidArgError(problems.join('; '), { problems });
  return Object.freeze(out);
}
