// The state behind `summit-plugin dev`: watch the sources, rebuild, load the new component
// into a host with the production limits, render the current input, sanitize the output, and
// tell listeners (the preview page, through dev-server.ts) at each step. Builds are serialized
// and coalesced: changes during a build cause exactly one more build. A broken build or a
// failing render is reported and the last good component stays loaded.
import type { EgressOptions } from '../egress/options.js';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createHost, type Plugin, type PluginHost } from '../host/plugin-host.js';
import { sanitizeWidgetHtml, type Removal } from '../host/sanitize.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../config/limits.js';
import { InvalidArgError, SphError } from '../errors.js';
import { deniedImports, type DeniedImport } from '../sandbox/capabilities/index.js';
import type { Usage } from '../sandbox/sandbox-pool.js';
import type { BuiltWidget } from '../build/build-widget.js';
import type { WidgetBuilder } from '../build/build-widget.js';
import { Componentizer } from '../build/componentizer.js';
import { createProjectBuilder, loadProject, type Project } from '../build/project.js';
import type { BuildProblem } from '../build/bundle.js';
import { capPercent, capsOf, completeInput, type CapShare, type RenderInput } from './render-input.js';
import { SourceWatcher } from './source-watcher.js';

export interface DevError {
  code: string;
  message: string;
  problems?: BuildProblem[];
  details?: Record<string, unknown>;
}

export interface BuildInfo {
  seq: number;
  status: 'building' | 'ok' | 'failed';
  reason: string;
  startedAt: string;
  fromCache?: boolean;
  digest?: string;
  sizeBytes?: number;
  imports?: string[];
  denied?: DeniedImport[];
  warnings?: BuildProblem[];
  /**
   * ms: bundle, componentize (0 when cached; of which the Wizer process and the WASI stubbing),
   * prepare (host.load: transpile, instrument, compile), total to loaded.
   */
  timings?: {
    bundleMs: number;
    componentizeMs: number;
    wizerMs: number;
    stubWasiMs: number;
    prepareMs: number;
    transpileMs: number;
    instrumentMs: number;
    compileMs: number;
    totalMs: number;
  };
  /** Function bodies the instrument cache supplied / that were rewritten (only changed code is). */
  instrumented?: { reusedBodies: number; rewrittenBodies: number };
  error?: DevError;
}

export interface RenderInfo {
  seq: number;
  buildSeq: number;
  at: string;
  sample: string | null;
  input: RenderInput;
  ok: boolean;
  /** Sanitized HTML, as the Summit UI would show it. */
  html?: string;
  removed: Removal[];
  outputBytes?: number;
  usage?: Usage;
  percent?: CapShare;
  caps: ReturnType<typeof capsOf>;
  error?: DevError;
  logs: { level: string; message: string }[];
  /** Host round trip of the render (ms). */
  renderMs: number;
  /** The build this render belongs to failed: the widget shown is the last good one. */
  stale: boolean;
}

export interface DevSnapshot {
  project: { dir: string; id?: string; version?: string; displayName?: string; entry?: string };
  samples: { name: string; input: RenderInput }[];
  sample: string | null;
  input: RenderInput;
  build: BuildInfo | null;
  render: RenderInfo | null;
  history: { seq: number; percent: CapShare | null; ok: boolean }[];
  caps: ReturnType<typeof capsOf>;
  manifestError?: DevError;
}

export interface DevSessionOptions {
  dir: string;
  logger: Logger;
  cacheDir?: string | false;
  /** Wait this long after a change before rebuilding (editors write in bursts). */
  debounceMs?: number;
  /** The mesh proxy for the widget's HTTP (its allowed hosts come from its manifest). */
  egress?: EgressOptions;
}

const HISTORY = 60;

function toDevError(err: unknown, map: (s: string) => string = (s) => s): DevError {
  if (SphError.isSphError(err)) {
    const out: DevError = { code: err.code, message: map(err.message) };
    if (Array.isArray(err.details.problems) && typeof err.details.problems[0] === 'object') out.problems = err.details.problems as BuildProblem[];
    const { problems: _p, ...rest } = err.details;
    if (Object.keys(rest).length > 0) out.details = rest;
    return out;
  }
  return { code: 'SPH_ERR_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export class DevSession extends EventEmitter {
  readonly dir: string;
  readonly #log: Logger;
  readonly #componentizer = new Componentizer();
  readonly #host: PluginHost;
  #project: Project | undefined;
  #builder: WidgetBuilder | undefined;
  #plugin: Plugin | undefined;
  #built: BuiltWidget | undefined;
  #limits: Readonly<Limits> = DEFAULT_LIMITS;
  #watcher: SourceWatcher;
  #build: BuildInfo | null = null;
  #render: RenderInfo | null = null;
  #history: DevSnapshot['history'] = [];
  #manifestError: DevError | undefined;
  #sample: string | null = null;
  #input: RenderInput = completeInput(undefined);
  #buildSeq = 0;
  #renderSeq = 0;
  #building: Promise<void> | undefined;
  #again: string | undefined;
  #renderQueue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #warmed = false;

  constructor(opts: DevSessionOptions) {
    super();
    this.dir = opts.dir;
    this.#log = opts.logger;
    // Prepared components stay in memory: every save makes a new one, and writing each to the
    // disk cache would only fill it (the build cache already makes a restart cheap).
    this.#host = createHost({ mode: 'development', workers: 1, logger: opts.logger, cacheDir: opts.cacheDir ?? false, ...(opts.egress ? { egress: opts.egress } : {}) });
    this.#watcher = new SourceWatcher({ debounceMs: opts.debounceMs ?? 10, onChange: (files) => this.rebuild(`changed ${files.map((f) => this.#rel(f)).join(', ')}`) });
  }

  #rel(f: string): string {
    return f.startsWith(`${this.dir}/`) ? f.slice(this.dir.length + 1) : f;
  }

  snapshot(): DevSnapshot {
    const m = this.#project?.manifest;
    return {
      project: { dir: this.dir, ...(m ? { id: m.id, version: m.version, displayName: m.displayName ?? m.id, entry: m.build.entry } : {}) },
      samples: (m?.samples ?? []).map((s) => ({ name: s.name, input: completeInput(s.input) })),
      sample: this.#sample,
      input: this.#input,
      build: this.#build,
      render: this.#render,
      history: this.#history,
      caps: capsOf(this.#limits),
      ...(this.#manifestError ? { manifestError: this.#manifestError } : {}),
    };
  }

  async start(): Promise<void> {
    await this.rebuild('start');
  }

  /** Rebuilds now, or once more after the build in progress. Resolves when settled. */
  rebuild(reason: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#building) {
      this.#again = reason;
      return this.#building;
    }
    const run = async () => {
      let next: string | undefined = reason;
      while (next !== undefined && !this.#closed) {
        this.#again = undefined;
        await this.#buildOnce(next);
        next = this.#again;
      }
    };
    this.#building = run().finally(() => {
      this.#building = undefined;
    });
    return this.#building;
  }

  async #loadManifest(): Promise<boolean> {
    try {
      const project = await loadProject(this.dir);
      const changed = !this.#project || JSON.stringify(project.manifest) !== JSON.stringify(this.#project.manifest);
      this.#project = project;
      this.#manifestError = undefined;
      this.#limits = resolveLimits(DEFAULT_LIMITS, project.manifest.limits, { allowRaise: false, where: 'manifest limits' });
      if (changed) {
        await this.#builder?.close();
        this.#builder = createProjectBuilder(project, this.#componentizer);
        const samples = project.manifest.samples;
        const keep = samples.find((s) => s.name === this.#sample);
        if (!keep || this.#sample === null) {
          this.#sample = samples[0]?.name ?? null;
          this.#input = completeInput(samples[0]?.input);
        } else {
          this.#input = completeInput(keep.input);
        }
        this.emit('manifest', this.snapshot());
      }
      return true;
    } catch (err) {
      this.#manifestError = toDevError(err);
      return false;
    }
  }

  async #buildOnce(reason: string): Promise<void> {
    const seq = ++this.#buildSeq;
    const t0 = performance.now();
    const info: BuildInfo = { seq, status: 'building', reason, startedAt: new Date().toISOString() };
    this.#build = info;
    this.emit('build', info);
    if (!(await this.#loadManifest()) || !this.#builder || !this.#project) {
      this.#fail(info, this.#manifestError ?? { code: 'SPH_ERR_INVALID_MANIFEST', message: 'no manifest' });
      this.#watch([]);
      return;
    }
    let built: BuiltWidget;
    try {
      built = await this.#builder.build();
    } catch (err) {
      this.#fail(info, toDevError(err));
      const problems = SphError.isSphError(err) ? (err.details.problems as BuildProblem[] | undefined) : undefined;
      // Keep watching what we know, plus the file the error is in.
      this.#watch([...(this.#built?.inputs ?? []), ...(problems ?? []).flatMap((p) => (p.location ? [`${this.dir}/${p.location.file}`] : []))]);
      return;
    }
    this.#watch(built.inputs);
    const manifest = this.#project.manifest;
    const tLoad = performance.now();
    let plugin: Plugin;
    try {
      plugin = await this.#host.load(built.bytes, { id: manifest.id, version: manifest.version, limits: manifest.limits, egress: { allowedHosts: manifest.capabilities.egress.allowedHosts } });
    } catch (err) {
      const e = toDevError(err);
      const denied = e.code === 'SPH_ERR_IMPORT_DENIED' ? deniedImports(((e.details?.interfaces as string[]) ?? []).map(String)) : undefined;
      if (denied) info.denied = denied;
      this.#fail(info, e);
      return;
    }
    const prepareMs = performance.now() - tLoad;
    if (this.#plugin) this.#host.unload(this.#plugin);
    this.#plugin = plugin;
    this.#built = built;
    Object.assign(info, {
      status: 'ok',
      fromCache: built.fromCache,
      digest: `sha256:${plugin.digest}`,
      sizeBytes: plugin.sizeBytes,
      imports: [...plugin.imports],
      denied: [],
      warnings: built.warnings,
      timings: {
        bundleMs: built.timings.bundleMs,
        componentizeMs: built.timings.componentizeMs,
        wizerMs: built.timings.wizerMs,
        stubWasiMs: built.timings.stubWasiMs,
        prepareMs,
        transpileMs: plugin.preparation.transpileMs,
        instrumentMs: plugin.preparation.instrumentMs,
        compileMs: plugin.preparation.compileMs,
        totalMs: performance.now() - t0,
      },
      instrumented: { reusedBodies: plugin.preparation.reusedBodies, rewrittenBodies: plugin.preparation.rewrittenBodies },
    } satisfies Partial<BuildInfo>);
    this.#log.info({ seq, reason, timings: info.timings, digest: info.digest }, 'dev build ready');
    this.emit('build', info);
    await this.render();
    // Served from the cache, nothing has warmed the componentize thread yet: do it now, so the
    // author's first save is as fast as the ones after it.
    if (built.fromCache && !this.#warmed) {
      this.#warmed = true;
      void this.#builder.warmup();
    }
  }

  #fail(info: BuildInfo, error: DevError): void {
    info.status = 'failed';
    info.error = error;
    this.#log.warn({ seq: info.seq, code: error.code }, 'dev build failed');
    this.emit('build', info);
    if (this.#render) {
      this.#render = { ...this.#render, stale: true };
      this.emit('render', this.#render);
    }
  }

  #watch(files: string[]): void {
    if (this.#closed) return;
    const extra = this.#project ? [this.#project.manifestPath] : [`${this.dir}/summit-plugin.json`];
    this.#watcher.watch([...files, ...extra]);
  }

  /** Renders the given input (or sample), or the current one again. */
  render(req: { input?: unknown; sample?: string } = {}): Promise<RenderInfo | null> {
    const run = this.#renderQueue.then(() => this.#renderNow(req));
    this.#renderQueue = run.catch(() => {});
    return run;
  }

  async #renderNow(req: { input?: unknown; sample?: string }): Promise<RenderInfo | null> {
    if (req.sample !== undefined) {
      const s = this.#project?.manifest.samples.find((x) => x.name === req.sample);
      if (!s) throw new InvalidArgError(`no sample named "${req.sample}" in summit-plugin.json`);
      this.#sample = s.name;
      this.#input = completeInput(s.input);
    } else if (req.input !== undefined) {
      const i = req.input as { props?: unknown; context?: Record<string, unknown>; state?: unknown };
      this.#input = completeInput(typeof i === 'object' && i !== null ? i : { props: i });
      this.#sample = null;
    }
    const plugin = this.#plugin;
    if (!plugin || !this.#built) return null;
    const map = this.#built.mapPositions;
    const seq = ++this.#renderSeq;
    const base = {
      seq,
      buildSeq: this.#build?.status === 'ok' ? this.#build.seq : (this.#render?.buildSeq ?? 0),
      at: new Date().toISOString(),
      sample: this.#sample,
      input: this.#input,
      caps: capsOf(this.#limits),
      stale: this.#build?.status === 'failed',
    };
    const t0 = performance.now();
    let info: RenderInfo;
    try {
      const r = await this.#host.render(plugin, this.#input, { tenant: String(this.#input.context.tenant ?? 'local-dev') });
      const renderMs = performance.now() - t0;
      const clean = sanitizeWidgetHtml(r.output);
      const outputBytes = Buffer.byteLength(r.output);
      info = {
        ...base,
        ok: true,
        html: clean.html,
        removed: clean.removed,
        outputBytes,
        usage: r.usage,
        percent: capPercent(r.usage, outputBytes, this.#limits),
        logs: r.logs.map((l) => ({ level: l.level, message: map(l.message) })),
        renderMs,
      };
    } catch (err) {
      const renderMs = performance.now() - t0;
      const e = err as SphError & { usage?: Usage; logs?: { level: string; message: string }[] };
      info = {
        ...base,
        ok: false,
        removed: [],
        error: toDevError(err, map),
        ...(e.usage ? { usage: e.usage, percent: capPercent(e.usage, 0, this.#limits) } : {}),
        logs: (e.logs ?? []).map((l) => ({ level: l.level, message: map(l.message) })),
        renderMs,
      };
    }
    this.#render = info;
    this.#history.push({ seq, percent: info.percent ?? null, ok: info.ok });
    if (this.#history.length > HISTORY) this.#history.shift();
    this.emit('render', info);
    return info;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher.close();
    await this.#building?.catch(() => {});
    await this.#renderQueue.catch(() => {});
    await this.#builder?.close();
    await this.#componentizer.close();
    await this.#host.close();
  }
}
