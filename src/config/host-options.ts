// createHost() options: validated once, defaults filled, frozen.
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { InvalidArgError, SphError } from '../errors.js';
import { RegistryClient, resolveRegistryClientOptions, type RegistryClientOptions } from '../registry/client/registry-client.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.js';
import { resolveEgressOptions, type EgressOptions, type ResolvedEgressOptions } from '../egress/options.js';

export type HostMode = 'production' | 'development';

export interface HostOptions {
  /**
   * `production` (the default) refuses to start without a registry (the kill switch);
   * `development` is for local tools (`summit-plugin run` / `dev`) and may raise limits.
   */
  mode?: HostMode;
  /** Host-wide caps; in production they may only be lower than the defaults. */
  limits?: Partial<Limits>;
  /** Sandbox worker threads (concurrent invocations). */
  workers?: number;
  /** Where prepared (instrumented) components are cached; false keeps them in memory only. */
  cacheDir?: string | false;
  /** A pino logger; by default logs go to stderr at `info`. */
  logger?: Logger;
  /**
   * The kill-switch registry: `{ url, publicKeys, stalenessMs?, ... }` (a client is made and
   * owned by the host) or a RegistryClient shared between hosts. Required in production mode;
   * optional in development mode, where it is checked when given.
   */
  registry?: RegistryClientOptions | RegistryClient;
  /** Plug-in HTTP through the mesh proxy (README "Egress"). Without `egress.proxyUrl`: no egress. */
  egress?: EgressOptions;
  /**
   * Make each plug-in's next instance ahead of its render (default true), so that renders skip
   * instantiation (about 11 ms for a componentize-js widget). A warm instance serves the first
   * render of a session only.
   */
  prewarm?: boolean;
  /**
   * `tenant` (default): a render for a tenant may reuse the instance the tenant's previous
   * successful render of the same plug-in version left in that worker (a widget session,
   * DESIGN.md "fresh instance per invocation, or per widget session for one tenant"): no
   * instantiation and none of the engine's first-call costs. Never across tenants; a trap, a
   * cap or any error discards the instance; bounded per worker (8 instances, 128 MiB, 10 000
   * renders or 10 min each, 30 s idle). `none`: a fresh instance for every render.
   */
  instanceReuse?: 'tenant' | 'none';
  /** A session instance no render used for this long gives its memory back (default 30 000 ms). */
  sessionIdleMs?: number;
  /**
   * Memory for instrumented function bodies, reused when a component shares code with one
   * prepared before (a new build or version of a widget: only changed functions are
   * re-instrumented; the output is the same byte for byte). Default 64 MiB; 0 turns it off.
   */
  instrumentCacheBytes?: number;
}

export interface ResolvedHostOptions {
  readonly mode: HostMode;
  readonly limits: Readonly<Limits>;
  readonly workers: number;
  readonly cacheDir: string | false;
  readonly logger: Logger | undefined;
  readonly registry: RegistryClientOptions | RegistryClient | undefined;
  readonly egress: ResolvedEgressOptions;
  readonly prewarm: boolean;
  readonly instanceReuse: 'tenant' | 'none';
  readonly sessionIdleMs: number;
  readonly instrumentCacheBytes: number;
}

const KNOWN = new Set(['mode', 'limits', 'workers', 'cacheDir', 'logger', 'registry', 'egress', 'prewarm', 'instanceReuse', 'sessionIdleMs', 'instrumentCacheBytes']);
const DEFAULT_INSTRUMENT_CACHE_BYTES = 64 * 1024 * 1024;

export function defaultCacheDir(): string {
  return process.env.SUMMIT_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'summit-plugin-host');
}

export function resolveHostOptions(input: HostOptions = {}): ResolvedHostOptions {
  if (typeof input !== 'object' || input === null) throw new InvalidArgError('createHost(options): options must be an object');
  const problems: string[] = [];
  for (const key of Object.keys(input)) if (!KNOWN.has(key)) problems.push(`unknown option "${key}"`);
  const mode = input.mode ?? 'production';
  if (mode !== 'production' && mode !== 'development') problems.push(`mode must be "production" or "development", got ${JSON.stringify(mode)}`);
  if (mode === 'production' && input.registry === undefined) {
    problems.push('production mode needs a kill-switch registry (option "registry"); pass { mode: "development" } for local use');
  }
  if (input.registry !== undefined && !(input.registry instanceof RegistryClient)) {
    try {
      resolveRegistryClientOptions(input.registry, 'registry');
    } catch (err) {
      if (!SphError.isSphError(err)) throw err;
      const inner = (err.details.problems as string[] | undefined) ?? [err.message];
      for (const p of inner) problems.push(`registry: ${p}`);
    }
  }
  const workers = input.workers ?? Math.max(1, Math.min(4, availableParallelism()));
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) problems.push(`workers must be an integer from 1 to 64, got ${JSON.stringify(input.workers)}`);
  const cacheDir = input.cacheDir === undefined ? defaultCacheDir() : input.cacheDir;
  if (cacheDir !== false && (typeof cacheDir !== 'string' || cacheDir === '')) problems.push('cacheDir must be a directory path or false');
  const instrumentCacheBytes = input.instrumentCacheBytes ?? DEFAULT_INSTRUMENT_CACHE_BYTES;
  if (!Number.isSafeInteger(instrumentCacheBytes) || instrumentCacheBytes < 0) {
    problems.push(`instrumentCacheBytes must be a non-negative integer (bytes; 0 turns the cache off), got ${JSON.stringify(input.instrumentCacheBytes)}`);
  }
  let egress: ResolvedEgressOptions | undefined;
  try {
    egress = resolveEgressOptions(input.egress);
  } catch (err) {
    problems.push(...(((err as InvalidArgError).details?.problems as string[] | undefined) ?? [(err as Error).message]));
  }
  const prewarm = input.prewarm ?? true;
  if (typeof prewarm !== 'boolean') problems.push('prewarm must be a boolean');
  const instanceReuse = input.instanceReuse ?? 'tenant';
  if (instanceReuse !== 'tenant' && instanceReuse !== 'none') problems.push(`instanceReuse must be "tenant" or "none", got ${JSON.stringify(input.instanceReuse)}`);
  const sessionIdleMs = input.sessionIdleMs ?? 30_000;
  if (!Number.isInteger(sessionIdleMs) || sessionIdleMs < 100 || sessionIdleMs > 3_600_000) {
    problems.push(`sessionIdleMs must be an integer from 100 to 3600000 (ms), got ${JSON.stringify(input.sessionIdleMs)}`);
  }
  if (problems.length > 0 || !egress) throw new InvalidArgError(`invalid host options: ${problems.join('; ')}`, { problems });
  const limits = resolveLimits(DEFAULT_LIMITS, input.limits, { allowRaise: mode === 'development', where: 'limits' });
  return Object.freeze({ mode, limits, workers, cacheDir, logger: input.logger, registry: input.registry, egress, prewarm, instanceReuse, sessionIdleMs, instrumentCacheBytes });
}
