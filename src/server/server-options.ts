// Options of the host service: validated once, defaults filled, frozen.
import type { Logger } from 'pino';
import { InvalidArgError } from '../errors.js';
import type { PluginHost } from '../host/plugin-host.js';
import { sanitizeWidgetHtml } from '../host/sanitize.js';
import { cachedSanitizer } from './sanitize-cache.js';
import type { WidgetCatalog } from './widget-catalog.js';

export interface ServiceLimits {
  /** Largest request body (the render input), bytes. */
  bodyBytes: number;
  /** Largest request head (request line and headers), bytes: larger gets 431. */
  headerBytes: number;
  /** Renders in flight per tenant. */
  tenantConcurrency: number;
  /** Sustained renders per second per tenant, and how many may come at once after idling. */
  tenantRatePerSec: number;
  tenantBurst: number;
  /** Tenants whose rate state is kept at once. */
  maxTenants: number;
  /** Renders waiting for a worker before new ones are shed with 503. */
  maxQueued: number;
  /** A request must be complete within this time (slow-loris bound). */
  requestTimeoutMs: number;
  /** Renders in a row that hit an expensive cap (fuel, CPU, wall, memory) before a widget is suspended. */
  breakerTripAfter: number;
  /** First suspension; doubles on every failed probe, up to breakerMaxCoolDownMs. */
  breakerCoolDownMs: number;
  breakerMaxCoolDownMs: number;
  /** How long after such a failure a widget stays in the suspect lane. */
  suspectForMs: number;
  /** Workers all suspect widgets together may hold at once (default: half the pool, at least 1). */
  suspectConcurrency: number;
  /** Open GET /v1/widgets/events streams at most. */
  maxEventStreams: number;
}

export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  bodyBytes: 1024 * 1024,
  headerBytes: 16 * 1024,
  tenantConcurrency: 8,
  tenantRatePerSec: 100,
  tenantBurst: 200,
  maxTenants: 10_000,
  maxQueued: 256,
  requestTimeoutMs: 10_000,
  breakerTripAfter: 3,
  // Like Envoy's outlier ejection: 30 s, doubling on every failed probe, at most 5 min.
  breakerCoolDownMs: 30_000,
  breakerMaxCoolDownMs: 300_000,
  suspectForMs: 30_000,
  suspectConcurrency: 0, // 0: half the host's workers
  maxEventStreams: 1000,
});

export interface ReadyState {
  ready: boolean;
  reason?: string;
}

export interface HostServerOptions {
  /** The sandbox host renders run in (createHost). */
  host: PluginHost;
  /** Where widgets come from: the registry in production, a directory in development. */
  catalog: WidgetCatalog;
  /**
   * Widget HTML -> safe HTML; runs on every output before it leaves. Default: the widget
   * allowlist of src/host/sanitize (no scripts, handlers, javascript: URLs or external
   * resources). Replace it only with something at least as strict.
   */
  sanitize?: (html: string) => string;
  logger?: Logger;
  limits?: Partial<ServiceLimits>;
  /** Extra readiness condition (for example a fresh kill-switch snapshot). */
  ready?: () => ReadyState;
  /** For the metrics endpoint: age of the kill-switch snapshot, null without a registry. */
  snapshotAgeSeconds?: () => number | null;
  /**
   * Origins of pages that may call the render API and the event stream from the browser (the
   * Summit UI's origin, e.g. `https://app.summit.example`). Default: none, same origin only.
   */
  allowedOrigins?: readonly string[];
}

export interface ResolvedServerOptions extends Omit<HostServerOptions, 'limits' | 'sanitize'> {
  readonly limits: Readonly<ServiceLimits>;
  readonly sanitize: (html: string) => string;
}

const KNOWN = new Set(['host', 'catalog', 'sanitize', 'logger', 'limits', 'ready', 'snapshotAgeSeconds', 'allowedOrigins']);

export function resolveServerOptions(input: HostServerOptions): Readonly<ResolvedServerOptions> {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null) throw new InvalidArgError('createHostServer(options): options must be an object');
  for (const k of Object.keys(input)) if (!KNOWN.has(k)) problems.push(`unknown option "${k}"`);
  if (!input.host || typeof input.host.render !== 'function') problems.push('host must be a PluginHost (createHost())');
  if (!input.catalog || typeof input.catalog.resolve !== 'function') problems.push('catalog must be a WidgetCatalog');
  if (input.sanitize !== undefined && typeof input.sanitize !== 'function') problems.push('sanitize must be a function from widget HTML to safe HTML');
  for (const k of ['ready', 'snapshotAgeSeconds'] as const) {
    if (input[k] !== undefined && typeof input[k] !== 'function') problems.push(`${k} must be a function`);
  }
  if (input.allowedOrigins !== undefined) {
    if (!Array.isArray(input.allowedOrigins)) problems.push('allowedOrigins must be a list of origins');
    else {
      for (const o of input.allowedOrigins) {
        let ok = false;
        try {
          ok = typeof o === 'string' && new URL(o).origin === o;
        } catch {
          ok = false;
        }
        if (!ok) problems.push(`allowedOrigins: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path)`);
      }
    }
  }
  const limits: ServiceLimits = { ...DEFAULT_SERVICE_LIMITS };
  if (input.limits !== undefined) {
    if (typeof input.limits !== 'object' || input.limits === null) problems.push('limits must be an object');
    else {
      for (const [k, v] of Object.entries(input.limits)) {
        if (!(k in DEFAULT_SERVICE_LIMITS)) {
          problems.push(`limits.${k} is not a service limit (expected one of ${Object.keys(DEFAULT_SERVICE_LIMITS).join(', ')})`);
        } else if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || (k === 'suspectConcurrency' && v < 1)) {
          problems.push(`limits.${k} must be a positive integer, got ${JSON.stringify(v)}`);
        } else limits[k as keyof ServiceLimits] = v;
      }
    }
  }
  if (problems.length > 0) throw new InvalidArgError(`invalid host service options: ${problems.join('; ')}`, { problems });
  if (limits.suspectConcurrency === 0) limits.suspectConcurrency = Math.max(1, Math.floor(input.host.options.workers / 2));
  // The default sanitizer is pure: its answers are remembered (src/server/sanitize-cache.ts).
  const sanitize = input.sanitize ?? cachedSanitizer((html: string) => sanitizeWidgetHtml(html).html);
  return Object.freeze({ ...input, sanitize, limits: Object.freeze(limits) });
}
