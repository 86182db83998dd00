// TypeScript/JavaScript widget -> component: esbuild bundle, then componentize-js with only the
// WASI features asked for. Componentizing takes seconds and ~800 MB, so the result is cached on
// a hash of the bundle, the WIT and the feature set (builds are not byte-reproducible, so the
// source is the key and the output digest is what gets pinned).
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WasiFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';
export const ALL_FEATURES: readonly WasiFeature[] = ['stdio', 'random', 'clocks', 'http', 'fetch-event'];

/**
 * The WASI features a widget's manifest calls for: `http` (what `fetch` compiles to) when it
 * lists allowed egress hosts, nothing else (a widget gets no clock or randomness it did not ask
 * for; the engine's own clock reads work without the feature).
 */
export function featuresForManifest(manifest: { capabilities?: { egress?: { allowedHosts?: readonly string[] } } }): WasiFeature[] {
  return (manifest.capabilities?.egress?.allowedHosts?.length ?? 0) > 0 ? ['http'] : [];
}

export const PACKAGE_WIT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../wit');

export interface BuildWidgetOptions {
  /** Entry file (.ts or .js) exporting `render`. */
  entry: string;
  /** WASI features the widget needs; everything else is disabled. */
  features?: readonly WasiFeature[];
  witDir?: string;
  world?: string;
  cacheDir: string;
}

export interface BuiltWidget {
  bytes: Uint8Array;
  fromCache: boolean;
  sourceHash: string;
  timings: { bundleMs: number; componentizeMs: number };
}

async function witText(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.wit')).sort();
  return (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('\n');
}

export async function buildWidget(opts: BuildWidgetOptions): Promise<BuiltWidget> {
  const esbuild = await import('esbuild');
  const witDir = resolve(opts.witDir ?? PACKAGE_WIT_DIR);
  const world = opts.world ?? 'widget';
  const features = [...(opts.features ?? [])].sort();
  const disableFeatures = ALL_FEATURES.filter((f) => !features.includes(f));

  const t0 = performance.now();
  const bundle = await esbuild.build({
    entryPoints: [resolve(opts.entry)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    external: ['summit:*', 'wasi:*'],
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const t1 = performance.now();
  const sourceHash = createHash('sha256').update(js).update('\0').update(await witText(witDir)).update(`\0${world}\0${features.join(',')}`).digest('hex');
  const out = join(opts.cacheDir, `widget-${sourceHash.slice(0, 32)}.wasm`);
  try {
    return { bytes: new Uint8Array(await readFile(out)), fromCache: true, sourceHash, timings: { bundleMs: t1 - t0, componentizeMs: 0 } };
  } catch {
    // not cached yet
  }
  const work = join(opts.cacheDir, `widget-${sourceHash.slice(0, 32)}`);
  await mkdir(work, { recursive: true });
  const src = join(work, 'widget.js');
  await writeFile(src, js);
  // componentize-js reads the WIT through preview2-shim, which starts with no preopens (build
  // time only: the runtime host never grants file access).
  const fsShim = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as { _setPreopens(p: Record<string, string>): void };
  fsShim._setPreopens({ '/': '/' });
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const { component } = await componentize({ sourcePath: src, witPath: witDir, worldName: world, disableFeatures: [...disableFeatures] });
  const t2 = performance.now();
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, component);
  await rename(tmp, out);
  return { bytes: component, fromCache: false, sourceHash, timings: { bundleMs: t1 - t0, componentizeMs: t2 - t1 } };
}
