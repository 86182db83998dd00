// `summit-plugin serve` as a process: production against a real registry process (pinned
// key, reader token), development over a directory of builds, clean stop on SIGTERM, and the
// usage errors that keep a production host from starting half-configured.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyBase64 } from '../../src/registry/snapshot.js';
import { fixtureComponent } from '../support/fixtures.js';
import { api, bin, startRegistry, type RegistryProcess } from '../support/registry.js';

const env = { ...process.env, SUMMIT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'sph-serve-cache-')), SUMMIT_REGISTRY_URL: '', SUMMIT_REGISTRY_KEY: '', SUMMIT_REGISTRY_TOKEN: '' };
let reg: RegistryProcess;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Starts `serve` and resolves with its listening line once it is up. */
async function serve(args: string[]): Promise<{ proc: ChildProcess; url: string; lines: Record<string, unknown>[]; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, [bin, 'serve', '--json', '--port', '0', '--log-level', 'warn', '--workers', '1', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const lines: Record<string, unknown>[] = [];
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const j = JSON.parse(l) as Record<string, unknown>;
      lines.push(j);
      if (lines.length === 1) resolve(j);
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  expect(first).toMatchObject({ ok: true, event: 'listening' });
  return { proc, url: first.url as string, lines, exited };
}

const render = (url: string, id: string) =>
  fetch(`${url}/v1/widgets/${id}/render`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenant: 't1', input: { props: {} } }) });

beforeAll(async () => {
  reg = await startRegistry();
  const text = '<p>from the registry</p>';
  const bytes = await fixtureComponent('fixed-output', { TEXT: text, LEN: text.length });
  const res = await api(reg.url, 'POST', '/v1/plugins', {
    token: await reg.token({ roles: ['registry:publisher'], publisher: 'acme' }),
    body: { manifest: { id: 'acme/hello', version: '1.0.0', world: 'summit:widget/widget@0.1.0' }, component: Buffer.from(bytes).toString('base64') },
  });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await reg?.stop();
});

describe('summit-plugin serve', () => {
  it('serves the registry\'s widgets in production, with the pinned key and a reader token, and stops on SIGTERM', async () => {
    const token = await reg.token({ roles: ['registry:reader'] });
    const s = await serve(['--registry', reg.url, '--registry-key', reg.publicKey, '--token', token]);
    expect(s.lines[0]).toMatchObject({ mode: 'production', workers: 1 });
    const res = await render(s.url, 'acme/hello');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { html: string }).html).toBe('<p>from the registry</p>');
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    s.proc.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.lines.at(-1)).toMatchObject({ ok: true, event: 'stopped' });
  });

  it('refuses to start against a registry whose key is not the pinned one', async () => {
    const other = publicKeyBase64(generateKeyPairSync('ed25519').publicKey);
    const r = await cli(['serve', '--registry', reg.url, '--registry-key', other, '--token', 'x.y.z', '--port', '0', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).error.code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
  }, 30_000);

  it('serves a directory of builds with --dev --widgets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-serve-widgets-'));
    mkdirSync(join(dir, 'good'));
    writeFileSync(join(dir, 'good', 'widget.wasm'), await fixtureComponent('good'));
    writeFileSync(join(dir, 'good', 'summit-plugin.json'), JSON.stringify({ id: 'local/good', version: '0.0.1', world: 'summit:widget/widget@0.1.0', component: 'widget.wasm' }));
    const s = await serve(['--dev', '--widgets', dir]);
    expect(s.lines[0]).toMatchObject({ mode: 'development' });
    expect((await render(s.url, 'local/good')).status).toBe(200);
    expect((await render(s.url, 'local/none')).status).toBe(404);
    s.proc.kill('SIGINT');
    expect(await s.exited).toBe(0);
  });

  it.each([
    [['serve'], /needs --registry/],
    [['serve', '--registry', 'http://127.0.0.1:1'], /snapshot key pinned/],
    [['serve', '--registry', 'http://127.0.0.1:1', '--registry-key', 'AAAA'], /reader token/],
    [['serve', '--widgets', '/tmp'], /needs --registry|development only/],
    [['serve', '--dev', '--widgets', '/tmp', '--port', 'x'], /--port expects a whole number/],
    [['serve', '--dev', '--widgets', '/tmp', '--allowed-origin', 'https://a.example/path'], /is not an origin/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('prints its help', async () => {
    const r = await cli(['serve', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/POST \/v1\/widgets\/\{id\}\/render/);
  });
});
