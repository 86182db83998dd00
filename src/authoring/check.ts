// The conformance gate a partner runs before submitting (`summit-plugin check`): the same
// host, limits and sanitizer production uses, applied to the component and its manifest.
// Every check is reported, passed or not, so the report doubles as the submission record.
import type { EgressOptions } from '../egress/options.js';
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createHost } from '../host/plugin-host.js';
import { sanitizeWidgetHtml, type Removal } from '../host/sanitize.js';
import { resolveLimits, DEFAULT_LIMITS, type Limits } from '../config/limits.js';
import { readManifest, SUPPORTED_WORLD, type Manifest } from '../manifest/manifest.js';
import { sha256Hex } from '../component/digest.js';
import { SphError } from '../errors.js';
import { componentImports } from '../build/inspect.js';
import { WidgetBuilder } from '../build/build-widget.js';
import { MANIFEST_FILE, buildCacheDir, featuresFor, readBuildRecord, recordPathFor } from '../build/project.js';
import type { Usage } from '../sandbox/sandbox-pool.js';
import { capPercent, capsOf, completeInput, type CapShare } from './render-input.js';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface CheckItem {
  name: string;
  status: CheckStatus;
  summary: string;
  details?: Record<string, unknown>;
}

export interface SampleReport {
  name: string;
  status: CheckStatus;
  usage?: Usage;
  /** Percent of each cap the first render used. */
  percent?: CapShare;
  outputBytes?: number;
  /** What the sanitizer removed from the output (must be empty). */
  removed: Removal[];
  deterministic?: boolean;
  error?: { code: string; message: string };
  logs: { level: string; message: string }[];
}

export interface CheckReport {
  ok: boolean;
  id?: string;
  version?: string;
  component: string;
  manifest?: string;
  digest?: string;
  sizeBytes?: number;
  imports?: string[];
  limits: ReturnType<typeof capsOf>;
  checks: CheckItem[];
  samples: SampleReport[];
}

export interface CheckTarget {
  /** A project directory, or a component file. */
  path: string;
  /** Manifest to use with a component file (default: beside it, or its project's). */
  manifestPath?: string;
}

export interface CheckOptions {
  logger: Logger;
  cacheDir?: string | false;
  /** Maps bundle positions in messages to sources (when checking a project). */
  mapPositions?: (s: string) => string;
  onProgress?: (what: string) => void;
  /** The mesh proxy for the widget's HTTP; without one its requests are refused (and reported). */
  egress?: EgressOptions;
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** Finds the manifest for a component file: beside it, or in the project above its dist/. */
async function manifestFor(componentPath: string): Promise<string | undefined> {
  for (const dir of [dirname(componentPath), dirname(dirname(componentPath))]) {
    const p = join(dir, MANIFEST_FILE);
    if (!(await exists(p))) continue;
    if (dir === dirname(componentPath)) return p;
    try {
      const m = JSON.parse(await readFile(p, 'utf8')) as { component?: string; id?: string };
      const declared = m.component ?? `dist/${String(m.id ?? '').split('/').pop()}.wasm`;
      if (resolve(dir, declared) === componentPath) return p;
    } catch {
      // unreadable: the manifest check reports it when it is the chosen one
    }
  }
  return undefined;
}

export async function checkPlugin(target: CheckTarget, opts: CheckOptions): Promise<CheckReport> {
  const checks: CheckItem[] = [];
  const samples: SampleReport[] = [];
  const add = (item: CheckItem) => checks.push(item);
  const map = opts.mapPositions ?? ((s: string) => s);
  const abs = resolve(target.path);
  const isComponent = abs.endsWith('.wasm');
  let manifestPath = target.manifestPath ? resolve(target.manifestPath) : isComponent ? await manifestFor(abs) : join(abs, MANIFEST_FILE);

  // 1. The manifest.
  let manifest: Manifest | undefined;
  if (!manifestPath || !(await exists(manifestPath))) {
    add({ name: 'manifest', status: 'fail', summary: `no ${MANIFEST_FILE} found${isComponent ? ` beside ${basename(abs)} or in its project` : ` in ${abs}`}: every plug-in is submitted with its manifest (pass --manifest)` });
    manifestPath = undefined;
  } else {
    try {
      manifest = await readManifest(manifestPath);
      add({ name: 'manifest', status: 'pass', summary: `${basename(manifestPath)} is valid (${manifest.id}@${manifest.version}, world ${SUPPORTED_WORLD})` });
    } catch (err) {
      const e = err as SphError;
      add({ name: 'manifest', status: 'fail', summary: e.message, details: { code: e.code, problems: e.details?.problems ?? [] } });
    }
  }
  const componentPath = isComponent ? abs : manifest ? join(dirname(manifestPath!), manifest.component) : join(abs, 'dist', `${basename(abs)}.wasm`);
  let limits: Readonly<Limits> = DEFAULT_LIMITS;
  if (manifest) limits = resolveLimits(DEFAULT_LIMITS, manifest.limits, { allowRaise: false, where: 'manifest limits' });
  const report: CheckReport = { ok: false, component: componentPath, limits: capsOf(limits), checks, samples };
  if (manifestPath) report.manifest = manifestPath;
  if (manifest) Object.assign(report, { id: manifest.id, version: manifest.version });

  // 2. The bytes, their digest and the build record.
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(componentPath));
  } catch {
    add({ name: 'component', status: 'fail', summary: `${componentPath} does not exist: run "summit-plugin build" first` });
    return finish(report);
  }
  const digest = sha256Hex(bytes);
  Object.assign(report, { digest: `sha256:${digest}`, sizeBytes: bytes.length });
  const record = await readBuildRecord(recordPathFor(componentPath));
  if (record && record.digest !== digest) {
    add({ name: 'digest', status: 'warn', summary: `sha256:${digest}; the build record says sha256:${record.digest}: the component changed after "summit-plugin build"` });
  } else {
    add({ name: 'digest', status: 'pass', summary: `sha256:${digest} (${bytes.length} bytes): the registry pins this digest` });
  }
  if (record && manifest && manifestPath && !isComponent) {
    const stale = await sourcesChanged(dirname(manifestPath), manifest, record.sourceHash);
    if (stale) add({ name: 'up to date', status: 'warn', summary: 'the sources changed since this component was built: run "summit-plugin build" and check again' });
  }

  // 3. Imports, read from the component's own WIT (independent of loading).
  try {
    const { imports, denied } = await componentImports(bytes);
    report.imports = imports;
    if (denied.length > 0) {
      add({ name: 'imports', status: 'fail', summary: `outside the allowlist: ${denied.map((d) => `${d.name} (${d.reason})`).join(', ')}`, details: { imports, denied } });
    } else {
      add({ name: 'imports', status: 'pass', summary: `${imports.join(', ') || 'none'}: all on the allowlist`, details: { imports } });
    }
  } catch {
    // Not a component at all: the load below says why.
  }

  // 4. Loading: a valid component of the world, through the production loader.
  opts.onProgress?.('loading the component (transpile, instrument, compile)');
  const host = createHost({
    mode: 'development',
    workers: 1,
    logger: opts.logger,
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.egress ? { egress: opts.egress } : {}),
  });
  try {
    let plugin;
    try {
      plugin = await host.load(bytes, {
        id: manifest?.id ?? basename(componentPath),
        ...(manifest ? { version: manifest.version, limits: manifest.limits, egress: { allowedHosts: manifest.capabilities.egress.allowedHosts } } : {}),
      });
      add({ name: 'component', status: 'pass', summary: `a component of ${SUPPORTED_WORLD} (exports render), ${(bytes.length / 1048576).toFixed(1)} MiB` });
    } catch (err) {
      const e = err as SphError;
      if (e.code === 'SPH_ERR_IMPORT_DENIED') {
        if (!checks.some((c) => c.name === 'imports')) add({ name: 'imports', status: 'fail', summary: e.message, details: { code: e.code } });
        add({ name: 'component', status: 'skip', summary: 'not loaded: its imports are refused' });
      } else {
        add({ name: 'component', status: 'fail', summary: e.message, details: { code: e.code } });
      }
      return finish(report);
    }

    // 5. Every sample: within the caps, output clean, the same twice.
    if (!manifest) return finish(report);
    if (manifest.samples.length === 0) {
      add({ name: 'samples', status: 'fail', summary: `${MANIFEST_FILE} has no samples: add at least one ("samples": [{"name": "default", "input": {"props": {...}}}]) so the widget can be certified` });
      return finish(report);
    }
    // One unmeasured render first: the first render in a fresh worker also pays for tiering up
    // the engine's code, which is not what the widget costs in a warm host. A failure here
    // shows up again, measured, below.
    opts.onProgress?.('warming up the sandbox');
    await host.render(plugin, completeInput(manifest.samples[0]!.input), { tenant: 'check' }).catch(() => {});
    for (const sample of manifest.samples) {
      opts.onProgress?.(`rendering sample "${sample.name}"`);
      const input = completeInput(sample.input);
      const s: SampleReport = { name: sample.name, status: 'pass', removed: [], logs: [] };
      samples.push(s);
      try {
        // Measured on a fresh instance (what a tenant's first render costs); the second render
        // reuses its instance as production does within a tenant's session, so a widget whose
        // output depends on an earlier render (module state) fails "the same output twice".
        const first = await host.render(plugin, input, { tenant: 'check', fresh: true });
        s.logs = first.logs.map((l) => ({ level: l.level, message: map(l.message) }));
        s.usage = first.usage;
        s.outputBytes = Buffer.byteLength(first.output);
        s.percent = capPercent(first.usage, s.outputBytes, limits);
        s.removed = sanitizeWidgetHtml(first.output).removed;
        const second = await host.render(plugin, input, { tenant: 'check' });
        s.deterministic = second.output === first.output;
        if (s.removed.length > 0 || !s.deterministic) s.status = 'fail';
      } catch (err) {
        const e = err as SphError & { logs?: { level: string; message: string }[]; usage?: Usage };
        s.status = 'fail';
        s.error = { code: e.code ?? 'SPH_ERR_INTERNAL', message: map(e.message) };
        s.logs = (e.logs ?? []).map((l) => ({ level: l.level, message: map(l.message) }));
        if (e.usage) s.usage = e.usage;
      }
    }
    return finish(report);
  } finally {
    await host.close();
  }
}

function finish(report: CheckReport): CheckReport {
  report.ok = report.checks.every((c) => c.status !== 'fail') && report.samples.every((s) => s.status !== 'fail') && report.checks.some((c) => c.name === 'component' && c.status === 'pass');
  return report;
}

/** True when the sources now hash differently from what the build recorded. */
async function sourcesChanged(dir: string, manifest: Manifest, recordedHash: string): Promise<boolean> {
  const builder = new WidgetBuilder({ entry: manifest.build.entry, projectDir: dir, features: featuresFor(manifest), cacheDir: buildCacheDir(), wrap: true });
  try {
    return (await builder.sourceHash()) !== recordedHash;
  } catch {
    return true; // does not even bundle any more
  } finally {
    await builder.close();
  }
}
