// Builds test components at test time, cached by content hash under node_modules/.cache so
// repeated runs (and CI re-runs on the same machine) skip the slow steps.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watToComponent as buildWatComponent } from '../../src/build/wat-widget.js';

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
  const { parse } = await import('@bytecodealliance/jco-transpile/wasm-tools');
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
  return cached(hash('wat-component', wat, witSource, world), 'wasm', () => buildWatComponent(wat, { witSource, world }));
}

export type JsFeature = 'stdio' | 'random' | 'clocks' | 'http' | 'fetch-event';

/**
 * A JavaScript/TypeScript widget -> component (esbuild + componentize-js, via the package's own
 * builder), cached on the source hash and the feature set. Slow the first time (seconds).
 */
export async function jsToComponent(
  sourceFile: string,
  opts: { witPath?: string; world?: string; disableFeatures?: JsFeature[] } = {},
): Promise<Uint8Array> {
  const { buildWidget, ALL_FEATURES } = await import('../../src/build/build-widget.js');
  const disabled = opts.disableFeatures ?? ['random', 'http', 'fetch-event'];
  const built = await buildWidget({
    entry: sourceFile,
    features: ALL_FEATURES.filter((f) => !disabled.includes(f)),
    cacheDir: cacheRoot,
    ...(opts.witPath ? { witDir: opts.witPath } : {}),
    ...(opts.world ? { world: opts.world } : {}),
  });
  return built.bytes;
}
