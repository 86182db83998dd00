// Every sample in sample-plugins/ builds with the real CLI and passes `summit-plugin check`;
// check itself fails on what it must catch (stripped HTML, different output for the same
// input, missing manifest or samples, refused imports). Builds are cached by source hash
// under node_modules/.cache, so only changed samples are componentized again.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeInput } from '../../src/authoring/render-input.js';
import { sanitizeWidgetHtml } from '../../src/host/sanitize.js';
import type { PluginHost } from '../../src/index.js';
import { parseManifest } from '../../src/manifest/manifest.js';
import { featuresFor } from '../../src/build/project.js';
import { cacheRoot, watToComponent } from '../support/build.js';
import { fixtureComponent, fixtureWat } from '../support/fixtures.js';
import { testHost } from '../support/host.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/summit-plugin.js');
const samplesDir = join(root, 'sample-plugins');
const samples = readdirSync(samplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(samplesDir, d.name, 'summit-plugin.json')))
  .map((d) => d.name)
  .sort();
const env = { ...process.env, SUMMIT_CACHE_DIR: join(cacheRoot, 'cli'), SUMMIT_LOG_LEVEL: 'silent' };

function run(file: string, args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { env, cwd, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const cli = (args: string[]) => run(bin, args);
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;

it('there are at least the three samples the partner program promises', () => {
  expect(samples).toEqual(expect.arrayContaining(['kpi-card', 'svg-chart', 'sortable-table']));
});

describe.each(samples)('sample-plugins/%s', (name) => {
  const dir = join(samplesDir, name);
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'summit-plugin.json'), 'utf8')));

  it('is self-contained: source, types, manifest, package scripts, README', () => {
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'tsconfig.json', 'summit-plugin.json', 'src']));
    expect(readFileSync(join(dir, 'src/summit-widget.d.ts'), 'utf8')).toBe(readFileSync(join(root, 'types/summit-widget.d.ts'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['build', 'dev', 'check']));
    expect(manifest.samples.length).toBeGreaterThan(0);
  });

  it('type-checks', async () => {
    const r = await run(join(root, 'node_modules/typescript/bin/tsc'), ['-p', join(dir, 'tsconfig.json')]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('builds and passes check', async () => {
    const b = await cli(['build', dir, '--json', '--quiet']);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const built = lastJson(b.stdout);
    expect(built).toMatchObject({ ok: true, id: manifest.id, denied: [], features: featuresFor(manifest) });
    expect(built.imports).toContain('summit:widget/host@0.1.0');
    // Only what the manifest asks for: wasi:http exactly when it lists egress hosts.
    const wantsHttp = manifest.capabilities.egress.allowedHosts.length > 0;
    expect(built.imports.some((i: string) => i.startsWith('wasi:http/outgoing-handler'))).toBe(wantsHttp);
    if (!wantsHttp && manifest.build.features.length === 0) expect(built.imports).toEqual(['summit:widget/host@0.1.0']);
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const c = await cli(['check', dir, '--json']);
    const report = lastJson(c.stdout);
    expect(report.ok, c.stdout).toBe(true);
    expect(c.code).toBe(0);
    expect(report.digest).toBe(built.digest);
    expect(report.checks.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['manifest', 'digest', 'imports', 'component']));
    expect(report.samples.map((s: { name: string }) => s.name)).toEqual(manifest.samples.map((s) => s.name));
    for (const s of report.samples) {
      expect(s).toMatchObject({ status: 'pass', removed: [], deterministic: true });
      for (const cap of ['cpuMs', 'memoryBytes', 'wallMs', 'outputBytes']) {
        expect(s.percent[cap]).toBeGreaterThan(0);
        expect(s.percent[cap]).toBeLessThan(100);
      }
    }
  });
});

describe('sample behaviour through the sandbox', () => {
  let host: PluginHost;
  beforeAll(() => {
    host = testHost();
  });
  afterAll(() => host.close());
  const load = (name: string) => host.load(join(samplesDir, name, 'dist', `${name}.wasm`), { id: `summit-samples/${name}` });

  it('sortable-table: the state that comes back in the input sorts the rows, and the headers offer the next state', async () => {
    const p = await load('sortable-table');
    const props = { columns: [{ key: 'name' }, { key: 'arr', numeric: true }], rows: [{ name: 'b', arr: 2 }, { name: 'a', arr: 10 }, { name: 'c', arr: 1 }] };
    const first = (await host.render(p, completeInput({ props }))).output;
    expect(first.indexOf('>a<')).toBeLessThan(first.indexOf('>b<'));
    expect(first).toContain('data-summit-state="{&quot;sort&quot;:&quot;arr&quot;,&quot;dir&quot;:&quot;asc&quot;}"');
    const byArr = (await host.render(p, completeInput({ props, state: { sort: 'arr', dir: 'desc' } }))).output;
    expect(byArr.indexOf('>10<')).toBeLessThan(byArr.indexOf('>2<'));
    expect(byArr.indexOf('>2<')).toBeLessThan(byArr.indexOf('>1<'));
    expect(byArr).toContain('aria-sort="descending"');
    expect(sanitizeWidgetHtml(byArr).removed).toEqual([]);
  });

  it('kpi-card: formats by the locale in props over the tenant locale', async () => {
    const p = await load('kpi-card');
    const out = (await host.render(p, completeInput({ props: { value: 1234567.5, decimals: 1, locale: 'de-CH' }, context: { locale: 'en-US' } }))).output;
    expect(out).toContain('1’234’567.5');
    const india = (await host.render(p, completeInput({ props: { value: 12345678 }, context: { locale: 'en-IN' } }))).output;
    expect(india).toContain('1,23,45,678');
  });

  it('svg-chart: refuses bad data with a message for the author', async () => {
    const p = await load('svg-chart');
    await expect(host.render(p, completeInput({ props: { data: [{ label: 'x', value: 'NaN' }] } }))).rejects.toMatchObject({
      code: 'SPH_ERR_PLUGIN_ERROR',
      message: 'props.data[0].value must be a finite number',
    });
  });
});

describe('check fails on what it must catch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sph-check-'));
  const withManifest = (sub: string, file: string, bytes: Uint8Array, manifest: object | null) => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, file), bytes);
    if (manifest) writeFileSync(join(dir, sub, 'summit-plugin.json'), JSON.stringify(manifest));
    return join(dir, sub, file);
  };
  const manifest = (name: string, extra: object = {}) => ({
    id: `test/${name}`, version: '1.0.0', world: 'summit:widget/widget@0.1.0', component: `${name}.wasm`,
    samples: [{ name: 'default', input: { props: {} } }], ...extra,
  });

  it('a clean component passes; the report records the digest and the share of each cap', async () => {
    const file = withManifest('good', 'good.wasm', await fixtureComponent('good'), manifest('good'));
    const r = await cli(['check', file]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✔ digest +sha256:[0-9a-f]{64}/);
    expect(r.stdout).toMatch(/sample "default": fuel [\d.]+% · cpu [\d.]+% · memory [\d.]+% · wall [\d.]+% · output [\d.]+%/);
    expect(r.stdout).toContain('result: PASS');
  });

  it('output the sanitizer changes: every removal is reported', async () => {
    const file = withManifest('unsafe', 'unsafe.wasm', await fixtureComponent('unsafe-output'), manifest('unsafe'));
    const r = await cli(['check', file, '--json']);
    expect(r.code).toBe(1);
    const report = lastJson(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({ code: 'SPH_ERR_CHECK_FAILED', details: { failed: ['sample default'] } });
    expect(report.samples[0].removed).toEqual([
      expect.objectContaining({ kind: 'element', name: 'script' }),
      expect.objectContaining({ kind: 'attribute', name: 'src', element: 'img', value: 'https://t.example/p.gif' }),
    ]);
    const human = await cli(['check', file]);
    expect(human.stdout).toContain('- <script>: scripts are not allowed in widgets');
  });

  it('different output for the same input', async () => {
    const wat = await fixtureWat(join(root, 'test/fixtures/wat/clock-output.wat'));
    const bytes = await watToComponent(wat, { witSource: readFileSync(join(root, 'test/fixtures/wat/clock-output.wit'), 'utf8') });
    const file = withManifest('clock', 'clock.wasm', bytes, manifest('clock'));
    const report = lastJson((await cli(['check', file, '--json'])).stdout);
    expect(report.ok).toBe(false);
    expect(report.samples[0]).toMatchObject({ status: 'fail', deterministic: false, removed: [] });
  });

  it('refused imports, no manifest, no samples, a render error', async () => {
    const { watToComponent: toComponent } = await import('../support/build.js');
    const hostile = await toComponent(await fixtureWat('hostile-imports'), { witSource: readFileSync(join(root, 'test/fixtures/wat/hostile-imports.wit'), 'utf8'), world: 'hostile' });
    const denied = lastJson((await cli(['check', withManifest('denied', 'denied.wasm', hostile, manifest('denied')), '--json'])).stdout);
    expect(denied.checks.find((c: { name: string }) => c.name === 'imports')).toMatchObject({ status: 'fail', summary: expect.stringContaining('wasi:sockets/instance-network') });

    const bare = lastJson((await cli(['check', withManifest('bare', 'bare.wasm', await fixtureComponent('good'), null), '--json'])).stdout);
    expect(bare.checks[0]).toMatchObject({ name: 'manifest', status: 'fail', summary: expect.stringContaining('no summit-plugin.json') });

    const none = lastJson((await cli(['check', withManifest('none', 'none.wasm', await fixtureComponent('good'), manifest('none', { samples: [] })), '--json'])).stdout);
    expect(none.checks.find((c: { name: string }) => c.name === 'samples')).toMatchObject({ status: 'fail' });

    const erring = lastJson((await cli(['check', withManifest('err', 'err.wasm', await fixtureComponent('err-result'), manifest('err')), '--json'])).stdout);
    expect(erring.samples[0]).toMatchObject({ status: 'fail', error: { code: 'SPH_ERR_PLUGIN_ERROR' } });
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['check'])).code).toBe(2);
    expect((await cli(['check', join(dir, 'nope.wasm')])).code).toBe(2);
    const r = await cli(['check', dir, '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
  });
});
