// The public API: createHost() -> load() -> render() -> close(). The render path is
// prepared component (cached by digest) -> worker -> deny-by-default imports -> metered call ->
// capped output -> usage record.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { resolveHostOptions, type HostOptions, type ResolvedHostOptions } from '../config/host-options.js';
import { resolveLimits, WASM_PAGE_BYTES, type Limits } from '../config/limits.js';
import { ComponentPreparer, checkInitialMemory, type PreparedComponent } from '../component/prepare.js';
import { InvalidArgError, InternalError, RevokedError, SphError } from '../errors.js';
import { RegistryClient, defaultStateFile } from '../registry/client/registry-client.js';
import type { Snapshot } from '../registry/snapshot.js';
import { fuelForCpuMs } from '../sandbox/calibration.js';
import type { PluginLogLine } from '../sandbox/plugin-log.js';
import { SandboxPool } from '../sandbox/sandbox-pool.js';
import type { Usage } from '../sandbox/sandbox-pool.js';
import { createDefaultLogger } from './logger.js';
import { parseAllowedHosts } from '../egress/allowed-hosts.js';
import type { EgressLogEntry } from '../egress/meter.js';
import type { ResolvedEgressOptions } from '../egress/options.js';

export type { Usage } from '../sandbox/sandbox-pool.js';
export type { PluginLogLine } from '../sandbox/plugin-log.js';
export type { EgressUsage, EgressLogEntry, EgressIssue } from '../egress/meter.js';

export interface PluginDescriptor {
  /** Plug-in id (`publisher/name`) when known; used in logs and messages. */
  id?: string;
  version?: string;
  /** Lower caps for this plug-in (from its manifest). */
  limits?: Partial<Limits>;
  /** Refuse the bytes unless their sha256 (hex) matches. */
  digest?: string;
  /** Where the plug-in may send requests (the manifest's capabilities.egress). */
  egress?: { allowedHosts?: readonly string[] };
}

export interface Plugin {
  readonly id: string;
  readonly version: string | undefined;
  /** sha256 of the component bytes, hex. */
  readonly digest: string;
  readonly sizeBytes: number;
  readonly imports: readonly string[];
  readonly limits: Readonly<Limits>;
  /** Hosts the plug-in may reach through the mesh proxy (README "Egress"). */
  readonly allowedHosts: readonly string[];
  /** Set after close or unload. */
  readonly loaded: boolean;
  /** How load() got the prepared component, and what each step cost (ms). */
  readonly preparation: {
    readonly source: 'prepared' | 'disk-cache';
    readonly transpileMs: number;
    readonly instrumentMs: number;
    readonly compileMs: number;
    /** Function bodies reused from the instrument cache / rewritten (see HostOptions.instrumentCacheBytes). */
    readonly reusedBodies: number;
    readonly rewrittenBodies: number;
  };
}

export interface RenderOptions {
  /** Lower caps for this call (raising is allowed in development mode only). */
  limits?: Partial<Limits>;
  /**
   * Who the render is for. With `instanceReuse: 'tenant'` (the default) renders of the same
   * plug-in for the same tenant may reuse the instance an earlier successful render left;
   * instances never cross tenants. Without a tenant every render gets a fresh instance.
   */
  tenant?: string;
  /** A fresh instance even if the tenant's session holds one (it is kept for the next render). */
  fresh?: boolean;
  invocationId?: string;
  signal?: AbortSignal;
  /** Logger for this call's lines (for example a request logger carrying a trace id). */
  logger?: Logger;
}

export interface RenderResult {
  output: string;
  usage: Usage;
  invocationId: string;
  logs: PluginLogLine[];
  /**
   * `warm`: the instance was made ahead of the call (prewarm), `cold`: during it, `reused`: an
   * earlier render of the same tenant's session left it (instanceReuse).
   */
  instance: 'warm' | 'cold' | 'reused';
}

/** Errors from render() carry the usage up to the failure and the invocation id. */
export type RenderError = SphError & { usage: Usage; invocationId: string; logs: PluginLogLine[] };

const MAX_INPUT_BYTES = 1024 * 1024;

class LoadedPlugin implements Plugin {
  loaded = true;
  /** Running and queued renders, so a revocation can stop them. */
  readonly inflight = new Set<AbortController>();
  /** Set when a revocation dropped this plug-in. */
  droppedBy: RevokedError | undefined;
  constructor(
    readonly id: string,
    readonly version: string | undefined,
    readonly prepared: PreparedComponent,
    readonly limits: Readonly<Limits>,
    readonly allowedHosts: readonly string[],
  ) {}
  get digest() {
    return this.prepared.digest;
  }
  get sizeBytes() {
    return this.prepared.sizeBytes;
  }
  get imports() {
    return this.prepared.imports;
  }
  get preparation() {
    return { source: this.prepared.source, ...this.prepared.timings, reusedBodies: this.prepared.bodies.reused, rewrittenBodies: this.prepared.bodies.rewritten };
  }
}

export class PluginHost {
  readonly options: ResolvedHostOptions;
  readonly #log: Logger;
  readonly #preparer: ComponentPreparer;
  readonly #supervisor: SandboxPool;
  readonly #plugins = new Set<LoadedPlugin>();
  readonly #registry: RegistryClient | undefined;
  readonly #ownsRegistry: boolean;
  readonly #stopWatching: (() => void) | undefined;
  #closed = false;

  constructor(options: HostOptions = {}) {
    this.options = resolveHostOptions(options);
    this.#log = this.options.logger ?? createDefaultLogger();
    this.#preparer = new ComponentPreparer(this.options.cacheDir, { instrumentCacheBytes: this.options.instrumentCacheBytes });
    const reg = this.options.registry;
    if (reg instanceof RegistryClient) {
      this.#registry = reg;
      this.#ownsRegistry = false;
    } else if (reg !== undefined) {
      const stateFile = reg.stateFile ?? (this.options.cacheDir ? defaultStateFile(this.options.cacheDir, reg.url) : false);
      this.#registry = new RegistryClient({ ...reg, stateFile, logger: reg.logger ?? this.#log });
      this.#ownsRegistry = true;
    } else {
      this.#ownsRegistry = false;
    }
    this.#supervisor = new SandboxPool({
      workers: this.options.workers,
      sessionIdleMs: this.options.sessionIdleMs,
      egress: this.options.egress,
      onWorkerEvent: (e) => this.#log.debug({ event: e.type, reason: e.reason }, 'sandbox worker'),
      ...(this.#registry ? { startGate: this.#registry.killSwitch.gate } : {}),
    });
    if (this.#registry) {
      this.#stopWatching = this.#registry.killSwitch.onChange((snap) => this.#onSnapshot(snap));
      this.#registry.start().catch((err) => this.#log.error({ err: (err as Error).message }, 'registry client failed to start'));
    }
  }

  /**
   * Resolves when the host can run plug-ins: with a registry, once a fresh verified kill-switch
   * snapshot is in memory (rejects with SPH_ERR_REGISTRY_UNAVAILABLE after timeoutMs).
   */
  async ready(timeoutMs = 10_000, opts: { failFast?: boolean } = {}): Promise<void> {
    this.#assertOpen();
    if (this.#registry) await this.#registry.ready(timeoutMs, opts);
  }

  /** The kill-switch client, when the host has a registry. */
  get registry(): RegistryClient | undefined {
    return this.#registry;
  }

  // A new snapshot: every loaded plug-in it revokes is stopped (running and queued renders are
  // aborted with SPH_ERR_REVOKED, which terminates their workers) and its compiled code dropped.
  #onSnapshot(_snap: Snapshot): void {
    const ks = this.#registry!.killSwitch;
    for (const plugin of [...this.#plugins]) {
      const err = ks.revokedError(plugin.id, plugin.version, plugin.digest);
      if (!err) continue;
      plugin.droppedBy = err;
      const running = plugin.inflight.size;
      for (const c of plugin.inflight) c.abort(err);
      plugin.inflight.clear();
      this.unload(plugin);
      this.#log.warn({ pluginId: plugin.id, version: plugin.version, digest: plugin.digest, stopped: running, reason: err.details.revoked }, 'plug-in revoked: running invocations stopped, compiled code dropped');
    }
  }

  #killSwitchCheck(id: string, version: string | undefined, digest: string): void {
    this.#registry?.killSwitch.check(id, version, digest);
  }

  /** Loads a component (bytes or a file path): verified, import-checked, instrumented, compiled. */
  async load(source: Uint8Array | string, descriptor: PluginDescriptor = {}): Promise<Plugin> {
    this.#assertOpen();
    let bytes: Uint8Array;
    let fallbackId = 'component';
    if (typeof source === 'string') {
      fallbackId = basename(source);
      try {
        bytes = new Uint8Array(await readFile(source));
      } catch (err) {
        throw new InvalidArgError(`cannot read component file ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    } else if (source instanceof Uint8Array) {
      bytes = source;
    } else {
      throw new InvalidArgError('load(source): source must be a Uint8Array or a file path');
    }
    const id = descriptor.id ?? fallbackId;
    const limits = resolveLimits(this.options.limits, descriptor.limits, { allowRaise: false, where: `${id} limits` });
    const allowedHosts = checkAllowedHosts(id, descriptor.egress);
    const prepared = await this.#preparer.prepare(bytes, {
      memoryBytes: this.options.limits.memoryBytes,
      tableElements: this.options.limits.tableElements,
      cacheDir: this.options.cacheDir,
      label: id,
      ...(descriptor.digest ? { expectedDigest: descriptor.digest } : {}),
    });
    checkInitialMemory(id, prepared.initialMemoryPages, limits.memoryBytes);
    // Refused before the workers ever see the code.
    this.#killSwitchCheck(id, descriptor.version, prepared.digest);
    this.#supervisor.load({
      type: 'load',
      key: prepared.key,
      js: prepared.js,
      modules: [...prepared.coreModules],
      imports: prepared.imports,
      initialMemoryPages: prepared.initialMemoryPages,
      initialTableElements: prepared.initialTableElements,
    });
    const plugin = new LoadedPlugin(id, descriptor.version, prepared, limits, allowedHosts);
    this.#plugins.add(plugin);
    this.#log.info({ pluginId: id, digest: prepared.digest, source: prepared.source, timings: prepared.timings }, 'plug-in loaded');
    if (prepared.imports.some((i) => i.startsWith('wasi:http/outgoing-handler'))) {
      if (!this.options.egress.proxyUrl) this.#log.warn({ pluginId: id }, 'the plug-in can make HTTP requests but no mesh proxy is configured (egress.proxyUrl): every request will be refused');
      else if (allowedHosts.length === 0) this.#log.warn({ pluginId: id }, 'the plug-in can make HTTP requests but allows no hosts (capabilities.egress.allowedHosts): every request will be refused');
    }
    this.#warm(plugin);
    return plugin;
  }

  /** Asks the pool for an instance of the plug-in ahead of its next render (see prewarm). */
  #warm(plugin: LoadedPlugin): void {
    if (!this.options.prewarm || !plugin.loaded || this.#closed) return;
    // The kill switch, when the instance is made (and again when a render takes it).
    try {
      this.#killSwitchCheck(plugin.id, plugin.version, plugin.digest);
    } catch {
      return;
    }
    this.#supervisor.warm({ key: plugin.prepared.key, budget: budgetFor(plugin.limits, this.options.egress), wallMs: plugin.limits.wallMs, cpuMs: plugin.limits.cpuMs });
  }

  /** Renders (a fresh instance, or the tenant's session instance). Resolves with the HTML and usage, or rejects with a RenderError. */
  async render(plugin: Plugin, input: unknown, opts: RenderOptions = {}): Promise<RenderResult> {
    this.#assertOpen();
    if (plugin instanceof LoadedPlugin && plugin.droppedBy) throw this.#refused(plugin.droppedBy, opts);
    if (!(plugin instanceof LoadedPlugin) || !this.#plugins.has(plugin)) {
      throw new InvalidArgError('render(plugin): pass a plug-in returned by this host\'s load()');
    }
    const limits = resolveLimits(plugin.limits, opts.limits, { allowRaise: this.options.mode === 'development', where: 'render limits' });
    const text = typeof input === 'string' ? input : JSON.stringify(input ?? { props: {} });
    if (typeof text !== 'string') throw new InvalidArgError('render(input): input must be JSON-serializable');
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new InvalidArgError(`render(input): input is over ${MAX_INPUT_BYTES} bytes`);
    const invocationId = opts.invocationId ?? randomUUID();
    const log = (opts.logger ?? this.#log).child({ pluginId: plugin.id, tenant: opts.tenant, invocationId });
    const logs: PluginLogLine[] = [];
    // The kill switch, before every instantiation (each render is a fresh instance). Its
    // freshness is checked once more by the supervisor if the render has to queue for a worker.
    if (this.#registry) {
      try {
        this.#killSwitchCheck(plugin.id, plugin.version, plugin.digest);
      } catch (err) {
        log.warn({ code: (err as SphError).code, err: (err as Error).message }, 'render refused by the kill switch');
        throw this.#refused(err as SphError, { ...opts, invocationId });
      }
    }
    const revocation = new AbortController();
    plugin.inflight.add(revocation);
    const signal = opts.signal ? AbortSignal.any([opts.signal, revocation.signal]) : revocation.signal;
    let outcome;
    try {
      outcome = await this.#supervisor.run({
        key: plugin.prepared.key,
        input: text,
        budget: budgetFor(limits, this.options.egress),
        egress: { pluginId: plugin.id, invocationId, allowedHosts: plugin.allowedHosts },
        onEgress: (e) => logEgress(log, e),
        wallMs: limits.wallMs,
        cpuMs: limits.cpuMs,
        // A session is one tenant of one plug-in id: the same bytes loaded under two ids never
        // share an instance either.
        ...(this.options.instanceReuse === 'tenant' && opts.tenant !== undefined ? { widgetSession: `${plugin.id}\0${opts.tenant}` } : {}),
        ...(opts.fresh ? { fresh: true } : {}),
        signal,
        onLog: (line) => {
          logs.push(line);
          log[line.level]({ pluginLog: true, ...(line.stream ? { stream: line.stream } : {}) }, line.message);
        },
      });
    } finally {
      plugin.inflight.delete(revocation);
    }
    const instance = outcome.instance ?? 'cold';
    // The next render of this plug-in should not wait for instantiation either.
    if (instance !== 'reused') this.#warm(plugin);
    if (outcome.logsDropped > 0) log.warn({ dropped: outcome.logsDropped }, 'plug-in log lines dropped (limit reached)');
    if (outcome.ok) {
      log.info({ usage: outcome.usage, outputBytes: Buffer.byteLength(outcome.output), instance }, 'render ok');
      return { output: outcome.output, usage: outcome.usage, invocationId, logs, instance };
    }
    log.warn({ code: outcome.error.code, usage: outcome.usage, err: outcome.error.message, instance }, 'render failed');
    throw Object.assign(outcome.error, { usage: outcome.usage, invocationId, logs }) as RenderError;
  }

  /** A refusal before anything ran: the same shape as a RenderError, with zero usage. */
  #refused(err: SphError, opts: RenderOptions): RenderError {
    const copy = SphError.isSphError(err) ? new (err.constructor as new (m: string, d: Record<string, unknown>) => SphError)(err.message, err.details) : err;
    return Object.assign(copy, { usage: { fuel: 0, cpuMs: 0, memoryBytes: 0, wallMs: 0 }, invocationId: opts.invocationId ?? randomUUID(), logs: [] }) as RenderError;
  }

  /** Drops a plug-in: its compiled code leaves the workers and the in-memory cache. */
  unload(plugin: Plugin): void {
    if (!(plugin instanceof LoadedPlugin) || !this.#plugins.delete(plugin)) return;
    plugin.loaded = false;
    const key = plugin.prepared.key;
    if (![...this.#plugins].some((p) => p.prepared.key === key)) {
      this.#supervisor.unload(key);
      this.#preparer.evict(plugin.digest);
    }
  }

  get stats() {
    return { plugins: this.#plugins.size, ...this.#supervisor.stats };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#plugins) p.loaded = false;
    this.#plugins.clear();
    this.#stopWatching?.();
    await this.#supervisor.close();
    if (this.#ownsRegistry) await this.#registry?.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InternalError('the host is closed');
  }
}

/** What one invocation may use, from its resolved limits (and the host's egress caps). */
function budgetFor(limits: Readonly<Limits>, egress: ResolvedEgressOptions) {
  return {
    fuel: fuelForCpuMs(limits.cpuMs),
    memoryPages: Math.floor(limits.memoryBytes / WASM_PAGE_BYTES),
    tableElements: limits.tableElements,
    outputBytes: limits.outputBytes,
    logLines: limits.logLines,
    logLineBytes: limits.logLineBytes,
    egressRequestBodyBytes: egress.requestBodyBytes,
    egressMaxRequests: egress.maxRequests,
  };
}

function checkAllowedHosts(id: string, egress: PluginDescriptor['egress']): readonly string[] {
  if (egress === undefined) return [];
  const hosts = egress?.allowedHosts ?? [];
  if (!Array.isArray(hosts)) throw new InvalidArgError(`${id}: egress.allowedHosts must be a list of host names`);
  try {
    parseAllowedHosts(hosts, 'egress.allowedHosts');
  } catch (err) {
    throw new InvalidArgError(`${id}: ${(err as Error).message}`);
  }
  return Object.freeze([...hosts]);
}

/** One line per request: host, method, status, bytes, time; never bodies, paths or header values. */
function logEgress(log: Logger, e: EgressLogEntry): void {
  const fields = { egress: e };
  if (e.outcome === 'ok') log.info(fields, 'egress request');
  else if (e.outcome === 'denied') log.warn(fields, `egress request refused (${e.code}): ${e.message}`);
  else log.warn(fields, `egress request failed (${e.code}): ${e.message}`);

}

export function createHost(options: HostOptions = {}): PluginHost {
  return new PluginHost(options);
}
