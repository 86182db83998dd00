// Samples built twice, with Wizer in process (the default) and with the Wizer binary
// (SUMMIT_WIZER=process): the two components must render the same HTML for every sample
// input through the real host, with the same imports and exports. A widget that throws at
// top level must fail with the same located error both ways. Builds go to a fresh cache so
// both paths really run.
import { mkdtempSync, readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { completeInput } from '../../src/authoring/render-input.js';
import { WidgetBuilder } from '../../src/build/build-widget.js';
import { Componentizer } from '../../src/build/componentizer.js';
import { featuresFor } from '../../src/build/project.js';
import { readManifest } from '../../src/manifest/manifest.js';
import { testHost } from '../support/host.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const samplesDir = join(root, 'sample-plugins');
// Two samples, for CI time: one without WASI features and the one with http/fetch (the other
// samples build the same way; test/unit/wasm/wizer-in-process.test.ts checks the snapshot and
// rewrite byte for byte against the binary).
const BOTH_WAYS = new Set(['kpi-card', 'service-status']);
const samples = readdirSync(samplesDir).filter((d) => BOTH_WAYS.has(d) && existsSync(join(samplesDir, d, 'summit-plugin.json'))).sort();

// The componentize thread copies the environment when it starts: one thread per mode.
async function componentizer(mode: 'in-process' | 'process'): Promise<Componentizer> {
  const before = process.env.SUMMIT_WIZER;
  if (mode === 'process') process.env.SUMMIT_WIZER = 'process';
  else delete process.env.SUMMIT_WIZER;
  const c = new Componentizer();
  await c.warmup({ witPath: join(root, 'wit'), worldName: 'widget', disableFeatures: ['random', 'http', 'fetch-event'] });
  if (before === undefined) delete process.env.SUMMIT_WIZER;
  else process.env.SUMMIT_WIZER = before;
  return c;
}
const inProcess = await componentizer('in-process');
const binary = await componentizer('process');
const host = testHost();
afterAll(async () => {
  await Promise.all([inProcess.close(), binary.close(), host.close()]);
});

async function build(dir: string, entry: string, features: readonly string[], c: Componentizer) {
  const b = new WidgetBuilder({ entry, projectDir: dir, features: features as never, cacheDir: mkdtempSync(join(tmpdir(), 'sph-wizer-e2e-')), wrap: true }, c);
  try {
    return await b.build();
  } finally {
    await b.close();
  }
}

describe.each(samples)('sample-plugins/%s built with Wizer in process and with the binary', (name) => {
  it('renders the same HTML for every sample input; same imports and exports', { timeout: 240_000 }, async () => {
    const dir = join(samplesDir, name);
    const manifest = await readManifest(join(dir, 'summit-plugin.json'));
    const features = featuresFor(manifest);
    const a = await build(dir, manifest.build.entry, features, inProcess);
    const b = await build(dir, manifest.build.entry, features, binary);
    expect(a.timings.wizer).toBe('in-process');
    expect(b.timings.wizer).toBe('process');
    // The component's world (its imports and exports, as WIT) is the same.
    const { componentWit } = await import('@bytecodealliance/jco-transpile/wasm-tools');
    expect(await componentWit(a.bytes)).toBe(await componentWit(b.bytes));
    const pa = await host.load(a.bytes, { id: `summit-samples/${name}` });
    const pb = await host.load(b.bytes, { id: `summit-samples/${name}` });
    expect(pa.imports).toEqual(pb.imports);
    for (const s of manifest.samples) {
      const input = completeInput(s.input);
      const ra = await host.render(pa, input);
      const rb = await host.render(pb, input);
      expect(ra.output, `${name}/${s.name}`).toBe(rb.output);
      expect(ra.output.length).toBeGreaterThan(0);
    }
    await host.unload(pa);
    await host.unload(pb);
  });
});

describe('a widget that throws at top level', () => {
  it('fails with the same located build error either way', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-wizer-throw-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/widget.ts'), `const x: number = 1;\nif (x === 1) throw new Error('boom at the top');\nexport function render(input: string): string { return input; }\n`);
    const errs: string[] = [];
    for (const c of [inProcess, binary]) {
      const e = await build(dir, 'src/widget.ts', [], c).then(() => null, (err: Error & { details?: { problems?: unknown } }) => err);
      expect(e).not.toBeNull();
      errs.push(`${e!.message}\n${JSON.stringify(e!.details?.problems)}`);
    }
    expect(errs[0]).toBe(errs[1]);
    expect(errs[0]).toMatch(/boom at the top/);
    expect(errs[0]).toMatch(/src\/widget\.ts:2/);
  });
});
