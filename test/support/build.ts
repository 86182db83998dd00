// Builds test components at test time, cached by content hash under node_modules/.cache so
// repeated runs (and CI re-runs on the same machine) skip the slow steps.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'summit-test-builds');
export const witDir = join(repoRoot, 'wit');

function hash(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 32);
}

async function cached(key: string, ext: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const file = join(cacheRoot, `${key}.${ext}`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    const bytes = await make();
    await mkdir(cacheRoot, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return bytes;
  }
}

/** WAT text -> core wasm bytes (jco's wasm-tools `parse`; all proposals enabled). */
export async function watToWasm(wat: string): Promise<Uint8Array> {
  const { parse } = await import('@bytecodealliance/jco');
  return cached(hash('wat', wat), 'wasm', async () => parse(wat));
}

export const WIDGET_WIT = () => readFile(join(witDir, 'widget.wit'), 'utf8');

/**
 * WAT core module -> component of the given world (default: the summit:widget world).
 * The core module must follow the canonical ABI for that world.
 */
export async function watToComponent(wat: string, opts: { witSource?: string; world?: string } = {}): Promise<Uint8Array> {
  const witSource = opts.witSource ?? (await WIDGET_WIT());
  const world = opts.world ?? 'widget';
  return cached(hash('wat-component', wat, witSource, world), 'wasm', async () => {
    const { parse, componentEmbed, componentNew } = await import('@bytecodealliance/jco');
    const binary = await parse(wat);
    const embedded = await componentEmbed({ binary, witSource, world, stringEncoding: 'utf8' } as never);
    return componentNew(embedded, [] as never);
  });
}

export type JsFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';

/**
 * A JavaScript/TypeScript widget -> component via esbuild + componentize-js.
 * Slow (seconds, ~800 MB peak RSS): cached on the source hash and the feature set.
 */
export async function jsToComponent(
  sourceFile: string,
  opts: { witPath?: string; world?: string; disableFeatures?: JsFeature[] } = {},
): Promise<Uint8Array> {
  const esbuild = await import('esbuild');
  const witPath = resolve(opts.witPath ?? witDir);
  const world = opts.world ?? 'widget';
  const disableFeatures = opts.disableFeatures ?? ['random', 'http', 'fetch-event'];
  const bundle = await esbuild.build({
    entryPoints: [resolve(sourceFile)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    external: ['summit:*', 'wasi:*'],
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]!.text;
  const witText = await readFile(join(witPath, 'widget.wit'), 'utf8').catch(() => witPath);
  const key = hash('js-component', js, witText, world, disableFeatures.join(','));
  return cached(key, 'wasm', async () => {
    const dir = join(cacheRoot, `js-${key}`);
    await mkdir(dir, { recursive: true });
    const src = join(dir, 'widget.js');
    await writeFile(src, js);
    // componentize-js reads the WIT through preview2-shim, which starts with no preopens.
    const fsShim = (await import('@bytecodealliance/preview2-shim/filesystem')) as unknown as {
      _setPreopens(p: Record<string, string>): void;
    };
    fsShim._setPreopens({ '/': '/' });
    const { componentize } = await import('@bytecodealliance/componentize-js');
    const { component } = await componentize({ sourcePath: src, witPath, worldName: world, disableFeatures });
    return component;
  });
}
