// TypeScript/JavaScript widget -> component: esbuild bundle, then componentize-js with only the
// WASI features asked for. Componentizing takes seconds and ~800 MB, so it runs in a worker
// thread and its result is cached on a hash of the bundle, the WIT, the feature set and the
// toolchain (builds are not byte-reproducible, so the source is the key and the output digest
// is what gets pinned).
import { componentizeWorkDir } from './componentize-path.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildFailedError, SphError } from '../errors.js';
import { BUNDLE_NAME, Bundler, WRAPPER_VERSION, type BuildProblem, type SourceLocation } from './bundle.js';
import { Componentizer } from './componentizer.js';
import { createPositionMapper, type PositionMapper } from './source-map.js';

export type WasiFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';
export const ALL_FEATURES: readonly WasiFeature[] = ['stdio', 'random', 'clocks', 'http', 'fetch-event'];

/**
 * The WASI features a manifest calls for: what `build.features` lists, plus `http` (what
 * `fetch` compiles to) when it lists allowed egress hosts.
 */
export function featuresForManifest(manifest: { build?: { features?: readonly string[] }; capabilities?: { egress?: { allowedHosts?: readonly string[] } } }): WasiFeature[] {
  const f = new Set<WasiFeature>((manifest.build?.features ?? []).filter((x): x is WasiFeature => (ALL_FEATURES as readonly string[]).includes(x)));
  if ((manifest.capabilities?.egress?.allowedHosts?.length ?? 0) > 0) f.add('http');
  return [...f].sort();
}

export const PACKAGE_WIT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../wit');

export interface BuildWidgetOptions {
  /** Entry file (.ts or .js) exporting `render`; absolute, or relative to projectDir. */
  entry: string;
  /** Root of the widget project: positions in errors are shown relative to it. */
  projectDir?: string;
  /** WASI features the widget needs; everything else is disabled. */
  features?: readonly WasiFeature[];
  witDir?: string;
  world?: string;
  cacheDir: string;
  /** Wrap render() so exceptions become err results (see bundle.ts); default false. */
  wrap?: boolean;
}

export type BuildProgress =
  | { phase: 'bundle' }
  | { phase: 'componentize'; sourceHash: string }
  | { phase: 'done'; fromCache: boolean };

export interface BuiltWidget {
  bytes: Uint8Array;
  fromCache: boolean;
  sourceHash: string;
  /** ms; componentize includes Wizer and the WASI stubbing (0 when cached). */
  timings: { bundleMs: number; componentizeMs: number; wizerMs: number; stubWasiMs: number; wizer?: 'in-process' | 'process' };
  /** Absolute paths of the sources that went in (what `dev` watches). */
  inputs: string[];
  warnings: BuildProblem[];
  /** Maps `widget.bundle.js:L:C` in engine messages to the author's file and line. */
  mapPositions: PositionMapper;
}

function toolchainVersion(): string {
  try {
    const url = import.meta.resolve('@bytecodealliance/componentize-js');
    return (JSON.parse(readFileSync(new URL('../package.json', url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unavailable';
  }
}

async function witText(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.wit')).sort();
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

/** Turns an engine initialization failure into a located, author-facing build error. */
export function initError(message: string, mapPositions: PositionMapper, entry: string): BuildFailedError {
  let body = message.replace(/^Failed to initialize component \(wizer \([^\n]*\)\):\n?/, '').replace(/^Exception while evaluating top-level script\n/, '');
  // The engine repeats the exception as an unhandled rejection; keep its stack only.
  const extra = body.indexOf('\nAdditionally, some promises were rejected');
  if (extra >= 0) {
    const stack = body.indexOf('\nStack:', extra);
    body = body.slice(0, extra) + (stack >= 0 ? body.slice(stack) : '');
  }
  body = mapPositions(body).trim();
  const m = /([^\s:()@]+\.(?:[cm]?[jt]s|tsx|jsx)):(\d+):(\d+)\s*(.*)/.exec(body);
  let location: SourceLocation | undefined = m ? { file: m[1]!, line: Number(m[2]), column: Number(m[3]) } : undefined;
  // Still in the bundle: the generated wrapper threw (no render export), so name the entry.
  if (location && location.file.endsWith(BUNDLE_NAME)) {
    body = body.replace(`${m![1]}:${m![2]}:${m![3]}`, `${entry}:1:1`);
    location = { file: entry, line: 1, column: 1 };
  }
  body = body.replace(/\nStack:\s*$/, '');
  const problems: BuildProblem[] = [{ message: m?.[4] || body.split('\n')[0]!, ...(location ? { location } : {}) }];
  return new BuildFailedError(`the widget threw while the engine ran its top-level code (that runs once, at build time):\n${body}`, {
    phase: 'componentize',
    problems,
  });
}

export class WidgetBuilder {
  readonly bundler: Bundler;
  readonly #opts: BuildWidgetOptions;
  readonly #componentizer: Componentizer;
  readonly #ownComponentizer: boolean;
  readonly #witDir: string;
  readonly #toolchain = toolchainVersion();
  readonly #writes = new Set<Promise<void>>();
  #writeSeq = 0;

  constructor(opts: BuildWidgetOptions, componentizer?: Componentizer) {
    this.#opts = opts;
    const projectDir = resolve(opts.projectDir ?? dirname(resolve(opts.entry)));
    this.bundler = new Bundler({ projectDir, entry: opts.entry, wrap: opts.wrap ?? false });
    this.#witDir = resolve(opts.witDir ?? PACKAGE_WIT_DIR);
    this.#ownComponentizer = componentizer === undefined;
    this.#componentizer = componentizer ?? new Componentizer();
  }

  async #hash(js: string): Promise<string> {
    const world = this.#opts.world ?? 'widget';
    const features = this.#features();
    return createHash('sha256')
      .update(js)
      .update('\0')
      .update(await witText(this.#witDir))
      .update(`\0${world}\0${features.join(',')}\0componentize-js@${this.#toolchain}\0wrapper@${this.#opts.wrap ? WRAPPER_VERSION : 0}`)
      .digest('hex');
  }

  #features(): WasiFeature[] {
    return [...new Set(this.#opts.features ?? [])].sort();
  }

  /** The cache key a build of the current sources would have (bundles, never componentizes). */
  async sourceHash(): Promise<string> {
    return this.#hash((await this.bundler.bundle()).js);
  }

  async build(onProgress: (p: BuildProgress) => void = () => {}): Promise<BuiltWidget> {
    const world = this.#opts.world ?? 'widget';
    const features = this.#features();
    const disableFeatures = ALL_FEATURES.filter((f) => !features.includes(f));
    onProgress({ phase: 'bundle' });
    const bundle = await this.bundler.bundle();
    const mapPositions = createPositionMapper(bundle.map, this.bundler.projectDir);
    const sourceHash = await this.#hash(bundle.js);
    const base = { sourceHash, inputs: bundle.inputs, warnings: bundle.warnings, mapPositions };
    const out = join(this.#opts.cacheDir, `widget-${sourceHash.slice(0, 32)}.wasm`);
    try {
      const bytes = new Uint8Array(await readFile(out));
      onProgress({ phase: 'done', fromCache: true });
      return { ...base, bytes, fromCache: true, timings: { bundleMs: bundle.bundleMs, componentizeMs: 0, wizerMs: 0, stubWasiMs: 0 } };
    } catch {
      // not cached yet
    }
    onProgress({ phase: 'componentize', sourceHash });
    const work = componentizeWorkDir(join(this.#opts.cacheDir, `work-${sourceHash.slice(0, 16)}-${process.pid}-${++this.#writeSeq}`), process.cwd());
    await mkdir(work, { recursive: true });
    const src = join(work, BUNDLE_NAME);
    await writeFile(src, bundle.js);
    let component: Uint8Array;
    let componentizeMs: number;
    let steps: { wizerMs: number; stubWasiMs: number; wizer?: 'in-process' | 'process' };
    try {
      ({ component, componentizeMs, steps } = await this.#componentizer.componentize({
        sourcePath: src,
        sourceName: BUNDLE_NAME,
        witPath: this.#witDir,
        worldName: world,
        disableFeatures,
      }));
    } catch (err) {
      if (SphError.isSphError(err) && err.details.phase === 'componentize' && /initialize component|top-level/.test(err.message)) {
        throw initError(err.message, mapPositions, this.bundler.entryRelative);
      }
      throw err;
    } finally {
      this.#track(rm(work, { recursive: true, force: true }).catch(() => {}));
    }
    this.#persist(out, component);
    onProgress({ phase: 'done', fromCache: false });
    return { ...base, bytes: component, fromCache: false, timings: { bundleMs: bundle.bundleMs, componentizeMs, ...steps } };
  }

  /**
   * Writes a new component to the build cache without holding up the build: `dev` loads and
   * renders it meanwhile. close() (and flush()) wait for the writes (and the removal of the
   * work folders). Best effort, like every
   * cache here: a failed write costs the next build time, never correctness.
   */
  #persist(out: string, component: Uint8Array): void {
    const tmp = `${out}.${process.pid}.${++this.#writeSeq}.tmp`;
    const write = (async () => {
      try {
        await writeFile(tmp, component);
        await rename(tmp, out);
      } catch {
        await rm(tmp, { force: true }).catch(() => {});
      }
      await pruneBuildCache(this.#opts.cacheDir).catch(() => {});
    })();
    this.#track(write);
  }

  #track(p: Promise<void>): void {
    this.#writes.add(p);
    void p.finally(() => this.#writes.delete(p));
  }

  /** Resolves when every component built so far is in the build cache. */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes]);
  }

  /** Warms the componentize thread for this widget's features (see componentize-thread.ts). */
  warmup(): Promise<void> {
    const features = this.#features();
    return this.#componentizer.warmup({ witPath: this.#witDir, worldName: this.#opts.world ?? 'widget', disableFeatures: ALL_FEATURES.filter((f) => !features.includes(f)) });
  }

  async close(): Promise<void> {
    await this.flush();
    await this.bundler.dispose();
    if (this.#ownComponentizer) await this.#componentizer.close();
  }
}

/** Components are ~12 MB and `dev` makes one per save: keep the most recent ones only. */
export const BUILD_CACHE_ENTRIES = 40;

export async function pruneBuildCache(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => /^widget-[0-9a-f]{32}\.wasm$/.test(n));
  if (names.length <= BUILD_CACHE_ENTRIES) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => ({ mtimeMs: 0 }))).mtimeMs })));
  aged.sort((a, b) => b.t - a.t);
  await Promise.all(aged.slice(BUILD_CACHE_ENTRIES).map(({ n }) => rm(join(dir, n), { force: true })));
}

// One-shot builds in one process (tests, scripts) share a thread that closes when idle, so
// only the first build pays for compiling the toolchain.
let shared: Componentizer | undefined;

export async function buildWidget(opts: BuildWidgetOptions, onProgress?: (p: BuildProgress) => void): Promise<BuiltWidget> {
  shared ??= new Componentizer({ idleMs: 15_000 });
  const builder = new WidgetBuilder(opts, shared);
  try {
    return await builder.build(onProgress);
  } finally {
    await builder.close();
  }
}

