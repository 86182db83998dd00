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
import { InvalidArgError, InternalError, SphError } from '../errors.js';
import { fuelForCpuMs } from '../sandbox/calibration.js';
import type { PluginLogLine } from '../sandbox/plugin-log.js';
import { SandboxPool } from '../sandbox/sandbox-pool.js';
import type { Usage } from '../sandbox/supervisor.js';
import { createDefaultLogger } from './logger.js';

export type { Usage } from '../sandbox/supervisor.js';
export type { PluginLogLine } from '../sandbox/plugin-log.js';

export interface PluginDescriptor {
  /** Plug-in id (`publisher/name`) when known; used in logs and messages. */
  id?: string;
  version?: string;
  /** Lower caps for this plug-in (from its manifest). */
  limits?: Partial<Limits>;
  /** Refuse the bytes unless their sha256 (hex) matches. */
  digest?: string;
}

export interface Plugin {
  readonly id: string;
  readonly version: string | undefined;
  /** sha256 of the component bytes, hex. */
  readonly digest: string;
  readonly sizeBytes: number;
  readonly imports: readonly string[];
  readonly limits: Readonly<Limits>;
  /** Set after close or unload. */
  readonly loaded: boolean;
  /** How load() got the prepared component, and what each step cost (ms). */
  readonly preparation: { readonly source: 'prepared' | 'disk-cache'; readonly transpileMs: number; readonly instrumentMs: number; readonly compileMs: number };
}

export interface RenderOptions {
  /** Lower caps for this call (raising is allowed in development mode only). */
  limits?: Partial<Limits>;
  tenant?: string;
  invocationId?: string;
  signal?: AbortSignal;
}

export interface RenderResult {
  output: string;
  usage: Usage;
  invocationId: string;
  logs: PluginLogLine[];
}

/** Errors from render() carry the usage up to the failure and the invocation id. */
export type RenderError = SphError & { usage: Usage; invocationId: string; logs: PluginLogLine[] };

const MAX_INPUT_BYTES = 1024 * 1024;

class LoadedPlugin implements Plugin {
  loaded = true;
  constructor(
    readonly id: string,
    readonly version: string | undefined,
    readonly prepared: PreparedComponent,
    readonly limits: Readonly<Limits>,
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
    return { source: this.prepared.source, ...this.prepared.timings };
  }
}

export class PluginHost {
  readonly options: ResolvedHostOptions;
  readonly #log: Logger;
  readonly #preparer: ComponentPreparer;
  readonly #supervisor: SandboxPool;
  readonly #plugins = new Set<LoadedPlugin>();
  #closed = false;

  constructor(options: HostOptions = {}) {
    this.options = resolveHostOptions(options);
    this.#log = this.options.logger ?? createDefaultLogger();
    this.#preparer = new ComponentPreparer(this.options.cacheDir);
    this.#supervisor = new SandboxPool({
      workers: this.options.workers,
      onWorkerEvent: (e) => this.#log.debug({ event: e.type, reason: e.reason }, 'sandbox worker'),
    });
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
    const prepared = await this.#preparer.prepare(bytes, {
      memoryBytes: this.options.limits.memoryBytes,
      tableElements: this.options.limits.tableElements,
      cacheDir: this.options.cacheDir,
      label: id,
      ...(descriptor.digest ? { expectedDigest: descriptor.digest } : {}),
    });
    checkInitialMemory(id, prepared.initialMemoryPages, limits.memoryBytes);
    this.#supervisor.load({
      type: 'load',
      key: prepared.key,
      js: prepared.js,
      modules: [...prepared.coreModules],
      imports: prepared.imports,
      initialMemoryPages: prepared.initialMemoryPages,
      initialTableElements: prepared.initialTableElements,
    });
    const plugin = new LoadedPlugin(id, descriptor.version, prepared, limits);
    this.#plugins.add(plugin);
    this.#log.info({ pluginId: id, digest: prepared.digest, source: prepared.source, timings: prepared.timings }, 'plug-in loaded');
    return plugin;
  }

  /** Renders with a fresh instance. Resolves with the HTML and usage, or rejects with a RenderError. */
  async render(plugin: Plugin, input: unknown, opts: RenderOptions = {}): Promise<RenderResult> {
    this.#assertOpen();
    if (!(plugin instanceof LoadedPlugin) || !this.#plugins.has(plugin)) {
      throw new InvalidArgError('render(plugin): pass a plug-in returned by this host\'s load()');
    }
    const limits = resolveLimits(plugin.limits, opts.limits, { allowRaise: this.options.mode === 'development', where: 'render limits' });
    const text = typeof input === 'string' ? input : JSON.stringify(input ?? { props: {} });
    if (typeof text !== 'string') throw new InvalidArgError('render(input): input must be JSON-serializable');
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new InvalidArgError(`render(input): input is over ${MAX_INPUT_BYTES} bytes`);
    const invocationId = opts.invocationId ?? randomUUID();
    const log = this.#log.child({ pluginId: plugin.id, tenant: opts.tenant, invocationId });
    const logs: PluginLogLine[] = [];
    const outcome = await this.#supervisor.run({
      key: plugin.prepared.key,
      input: text,
      budget: {
        fuel: fuelForCpuMs(limits.cpuMs),
        memoryPages: Math.floor(limits.memoryBytes / WASM_PAGE_BYTES),
        tableElements: limits.tableElements,
        outputBytes: limits.outputBytes,
        logLines: limits.logLines,
        logLineBytes: limits.logLineBytes,
      },
      wallMs: limits.wallMs,
      cpuMs: limits.cpuMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onLog: (line) => {
        logs.push(line);
        log[line.level]({ pluginLog: true, ...(line.stream ? { stream: line.stream } : {}) }, line.message);
      },
    });
    if (outcome.logsDropped > 0) log.warn({ dropped: outcome.logsDropped }, 'plug-in log lines dropped (limit reached)');
    if (outcome.ok) {
      log.info({ usage: outcome.usage, outputBytes: Buffer.byteLength(outcome.output) }, 'render ok');
      return { output: outcome.output, usage: outcome.usage, invocationId, logs };
    }
    log.warn({ code: outcome.error.code, usage: outcome.usage, err: outcome.error.message }, 'render failed');
    throw Object.assign(outcome.error, { usage: outcome.usage, invocationId, logs }) as RenderError;
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
    await this.#supervisor.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InternalError('the host is closed');
  }
}

export function createHost(options: HostOptions = {}): PluginHost {
  return new PluginHost(options);
}
