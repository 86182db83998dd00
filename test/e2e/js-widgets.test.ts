// Real widgets built with esbuild + componentize-js (cached by source hash): the TypeScript
// sample through the API and the CLI, WASI capabilities in use, and hostile JavaScript.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost, RenderError } from '../../src/index.js';
import { buildWidget } from '../../src/build/build-widget.js';
import { parseManifest } from '../../src/manifest/manifest.js';
import { cacheRoot } from '../support/build.js';
import { rejection, testHost } from '../support/host.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const build = (entry: string, features: ('stdio' | 'clocks' | 'random' | 'http')[] = []) =>
  buildWidget({ entry: join(root, entry), features, cacheDir: cacheRoot }).then((b) => b.bytes);

let host: PluginHost;
beforeAll(() => {
  host = testHost();
});
afterAll(() => host.close());

describe('the kpi-card sample (TypeScript)', () => {
  const manifest = parseManifest(JSON.parse(readFileSync(join(root, 'sample-plugins/kpi-card/summit-plugin.json'), 'utf8')));
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await build('sample-plugins/kpi-card/src/widget.ts');
  });

  it('renders every sample input through the API', async () => {
    const p = await host.load(bytes, { id: manifest.id, limits: manifest.limits });
    expect(p.imports).toEqual(['summit:widget/host']);
    const [revenue, errors] = manifest.samples;
    const r1 = await host.render(p, revenue!.input);
    expect(r1.output).toContain('<span class="kpi-value">1.234.567,89\u00a0€</span><span class="kpi-trend kpi-good" title="previous 1.100.000,00\u00a0€">▲ 12,2%</span>');
    const r2 = await host.render(p, errors!.input);
    expect(r2.output).toContain('▼ 60.0%');
    expect(r2.usage.fuel).toBeGreaterThan(0);
    const bad = await rejection<RenderError>(host.render(p, { props: { label: '<b>x</b>' } }));
    expect(bad.code).toBe('SPH_ERR_PLUGIN_ERROR');
    expect(bad.message).toBe('props.value must be a finite number');
    // the instance that returned err is discarded; the next render is fine
    expect((await host.render(p, revenue!.input)).output).toBe(r1.output);
  });

  it('renders through the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-kpi-'));
    const file = join(dir, 'kpi.wasm');
    writeFileSync(file, bytes);
    const input = JSON.stringify({ props: { label: 'Users', value: 4321 } });
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(root, 'bin/summit-plugin.js'), 'run', file, '--input', input, '--json'], { env: { ...process.env, SUMMIT_CACHE_DIR: join(dir, 'c') } }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    const last = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(last.ok).toBe(true);
    expect(last.output).toContain('<span class="kpi-value">4,321</span>');
  });
});

describe('WASI capabilities inside a real engine', () => {
  it('console goes to the plug-in log; clocks and random work', async () => {
    const p = await host.load(await build('test/fixtures/widgets/wasi-widget.js', ['stdio', 'clocks', 'random']), { id: 'test/wasi' });
    expect(p.imports).toContain('wasi:cli/stdout');
    const r = await host.render(p, { props: { name: 'Ada' } });
    expect(r.output).toBe('<p data-now="true" data-random="true">Ada</p>');
    const messages = r.logs.map((l) => l.message);
    expect(messages).toContain('console line from the widget');
    expect(messages).toContain('props {"name":"Ada"}');
  });

  it('fetch pulls in wasi:http: the widget loads, and with no mesh proxy its request is refused', async () => {
    const bytes = await build('test/fixtures/widgets/egress-widget.js', ['http']);
    const p = await host.load(bytes, { id: 'acme/fetcher', egress: { allowedHosts: ['api.example.com'] } });
    expect(p.imports).toContain('wasi:http/outgoing-handler');
    const r = await host.render(p, { props: { requests: [{ url: 'https://api.example.com/x' }] } });
    expect(JSON.parse(r.output)).toEqual([{ error: expect.stringMatching(/NetworkError/) }]);
    expect(r.usage.egress).toMatchObject({ requests: 0, denied: 1, errors: [{ code: 'SPH_ERR_EGRESS_DENIED', reason: 'no-proxy', errorCode: 'HTTP-request-denied' }] });
  });
});

describe('hostile JavaScript', () => {
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await build('test/fixtures/widgets/js-hostile.js');
  });

  it.each([
    ['spin', 'SPH_ERR_FUEL_EXHAUSTED'],
    ['hog', 'SPH_ERR_MEMORY_LIMIT'],
    ['recurse', 'SPH_ERR_PLUGIN_TRAP'],
    ['throw', 'SPH_ERR_PLUGIN_TRAP'],
  ])('%s is contained as %s and the next render works', async (mode, code) => {
    const p = await host.load(bytes, { id: 'test/js-hostile' });
    // The hog zeroes 256 MiB of pages: give it CPU room so the memory cap is what stops it.
    const limits = mode === 'hog' ? { cpuMs: 3000, wallMs: 5000 } : {};
    const err = await rejection<RenderError>(host.render(p, { props: { mode } }, { limits }));
    expect(err.code).toBe(code);
    // An empty JS loop is sparse in fuel: fuel or the CPU-time backstop stops it, by 550 cpu-ms.
    if (mode === 'spin') expect(err.usage.cpuMs).toBeLessThanOrEqual(550);
    expect((await host.render(p, { props: {} })).output).toBe('<p>fine</p>');
  });
});

