// The dev server over real HTTP on loopback, with a real session behind it: a copy of the
// KPI card sample (its component comes from the build cache, so no componentize here unless
// the sample changed). Edits that break and repair the build, edited input, state, and the
// server's local-only rules.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../support/build.js';
import { openEvents, type SseClient } from '../support/sse.js';
import type { DevHandle } from '../../src/cli/dev.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sph-dev-'));
let dev: DevHandle;
let sse: SseClient;
const widgetFile = join(dir, 'src/widget.ts');
let original: string;

beforeAll(async () => {
  for (const f of ['src', 'summit-plugin.json', 'package.json', 'tsconfig.json']) cpSync(join(root, 'sample-plugins/kpi-card', f), join(dir, f), { recursive: true });
  original = readFileSync(widgetFile, 'utf8');
  process.env.SUMMIT_CACHE_DIR = join(cacheRoot, 'cli');
  const { startDev } = await import('../../src/cli/dev.js');
  dev = await startDev({ dir, port: 0, cacheDir: mkdtempSync(join(tmpdir(), 'sph-dev-cache-')) });
  sse = await openEvents(`${dev.url}api/events`);
  await sse.waitFor((e) => e.event === 'render' && e.data.ok, { timeoutMs: 240_000 });
}, 300_000);

afterAll(async () => {
  sse?.close();
  await dev?.close();
});

function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(path, dev.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const post = (path: string, body: unknown) => fetch(new URL(path, dev.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the preview page', () => {
  it('is served with a strict Content-Security-Policy', async () => {
    const r = await raw('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div id="widget"');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await raw('/assets/preview.js')).body).toContain('EventSource');
    expect((await raw('/nope')).status).toBe(404);
  });

  it('answers only for loopback names and same-origin JSON', async () => {
    expect((await raw('/', { headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await raw('/api/state', { headers: { host: `attacker.example:${new URL(dev.url).port}` } })).status).toBe(403);
    const cross = await raw('/api/render', { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(cross.status).toBe(403);
    expect((await raw('/api/render', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await raw('/api/render', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await raw('/api/render', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 << 20) })).status).toBe(413);
    expect((await raw('/api/state', { method: 'DELETE' })).status).toBe(405);
  });
});

describe('rendering', () => {
  it('the snapshot has the project, its samples, the build and the caps', async () => {
    const s = await (await fetch(`${dev.url}api/state`)).json();
    expect(s.project).toMatchObject({ id: 'summit-samples/kpi-card', entry: 'src/widget.ts' });
    expect(s.samples.map((x: { name: string }) => x.name)).toContain('revenue');
    expect(s.build).toMatchObject({ status: 'ok', digest: expect.stringMatching(/^sha256:/), imports: ['summit:widget/host'] });
    expect(s.caps).toMatchObject({ cpuMs: 200, wallMs: 1500, memoryBytes: 256 * 1048576 });
  });

  it('renders edited input, sanitized, with usage against the caps, and pushes it as an event', async () => {
    const from = sse.events.length;
    const res = await post('/api/render', { input: { props: { label: '<img src=x onerror=alert(1)>', value: 5 } } });
    expect(res.status).toBe(200);
    const r = await res.json();
    expect(r.ok).toBe(true);
    expect(r.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.input.context).toMatchObject({ tenant: 'local-dev', locale: 'en-US' });
    for (const k of ['cpuMs', 'memoryBytes', 'wallMs']) expect(r.usage[k]).toBeGreaterThan(0);
    expect(r.percent.cpuMs).toBeGreaterThan(0);
    const pushed = await sse.waitFor((e) => e.event === 'render' && e.data.seq === r.seq, { from });
    expect(pushed.data.html).toBe(r.html);
  });

  it('a failing render reports its code and message; unknown samples are refused', async () => {
    const r = await (await post('/api/render', { input: { props: { label: 'x' } } })).json();
    expect(r).toMatchObject({ ok: false, error: { code: 'SPH_ERR_PLUGIN_ERROR', message: 'props.value must be a finite number' } });
    const bad = await post('/api/render', { sample: 'no-such-sample' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('no sample named');
    const ok = await (await post('/api/render', { sample: 'errors' })).json();
    expect(ok).toMatchObject({ ok: true, sample: 'errors' });
  });
});

describe('editing the project', () => {
  it('a syntax error shows as a failed build with the file and line; the server keeps serving the last good build', async () => {
    const from = sse.events.length;
    writeFileSync(widgetFile, original.replace('export function render(inputText: string): string {', 'export function render(inputText: string): string {\n  const broken = ;'));
    const failed = await sse.waitFor((e) => e.event === 'build' && e.data.status === 'failed', { from });
    expect(failed.data.error.code).toBe('SPH_ERR_BUILD_FAILED');
    expect(failed.data.error.problems[0].location).toMatchObject({ file: 'src/widget.ts', line: expect.any(Number) });
    expect(failed.data.error.message).toMatch(/src\/widget\.ts:\d+:\d+: Unexpected ";"/);
    const s = await (await fetch(`${dev.url}api/state`)).json();
    expect(s.build.status).toBe('failed');
    const r = await (await post('/api/render', { sample: 'revenue' })).json();
    expect(r).toMatchObject({ ok: true, stale: true });

    const again = sse.events.length;
    writeFileSync(widgetFile, original);
    const ok = await sse.waitFor((e) => e.event === 'build' && e.data.status === 'ok', { from: again });
    const fresh = await sse.waitFor((e) => e.event === 'render' && e.data.buildSeq === ok.data.seq, { from: again });
    expect(fresh.data).toMatchObject({ ok: true, stale: false });
  });

  it('manifest edits re-read the samples; an invalid manifest is reported with every problem', async () => {
    const manifestFile = join(dir, 'summit-plugin.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    let from = sse.events.length;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, limits: { cpuMs: 9999 }, extra: true }));
    const failed = await sse.waitFor((e) => e.event === 'build' && e.data.status === 'failed', { from });
    expect(failed.data.error.code).toBe('SPH_ERR_INVALID_MANIFEST');
    expect(failed.data.error.message).toContain('/limits/cpuMs');
    expect(failed.data.error.message).toContain('/extra');

    from = sse.events.length;
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, samples: [{ name: 'only', input: { props: { label: 'Only', value: 7 } } }] }));
    const snap = await sse.waitFor((e) => e.event === 'snapshot', { from });
    expect(snap.data.samples.map((x: { name: string }) => x.name)).toEqual(['only']);
    const r = await sse.waitFor((e) => e.event === 'render' && e.data.ok, { from });
    expect(r.data.sample).toBe('only');
    expect(r.data.html).toContain('>7<');
  });
});
