// The registry's HTTP API and CLI verbs against a real registry process: tokens, roles,
// publisher prefixes, hostile bodies (the service keeps running), publish / list / revoke /
// restore / status, ETags, refusing to start without keys, and audit verification.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/component/digest.js';
import { openSqlite } from '../../src/registry/store/sqlite-driver.js';
import { fixtureComponent } from '../support/fixtures.js';
import { api, bin, startRegistry, type RegistryProcess } from '../support/registry.js';

let reg: RegistryProcess;
let good: Uint8Array;
const dir = mkdtempSync(join(tmpdir(), 'sph-registry-api-'));

const cli = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
const last = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, any>;

beforeAll(async () => {
  [reg, good] = await Promise.all([startRegistry({ args: ['--max-component-mb', '1'] }), fixtureComponent('good')]);
});
afterAll(async () => {
  await reg?.stop();
});

const revokeBody = { id: 'acme/widget', version: '1.0.0', reason: 'test' };
const manifest = (id: string, version = '1.0.0') => ({ id, version, world: 'summit:widget/widget@0.1.0' });
const publishBody = (id: string, bytes: Uint8Array = good, version = '1.0.0') => ({ manifest: manifest(id, version), component: Buffer.from(bytes).toString('base64') });

describe('registry tokens', () => {
  it.each([
    ['no token', async () => undefined, 'missing'],
    ['a token that is not a JWT', async () => 'not.a.jwt', 'invalid'],
    ['an expired token', () => reg.token({ expSec: -120 }), 'expired'],
    ['a token without an expiry', () => reg.token({ noExp: true }), 'claim-exp'],
    ['a token for another audience', () => reg.token({ aud: 'someone-else' }), 'claim-aud'],
    ['a token from another issuer', () => reg.token({ iss: 'https://evil.example' }), 'claim-iss'],
    [
      'a token signed by another key',
      () =>
        new SignJWT({ roles: ['registry:admin'] })
          .setProtectedHeader({ alg: 'EdDSA' })
          .setIssuer('summit-registry-dev')
          .setAudience('summit-registry')
          .setSubject('mallory')
          .setExpirationTime('1h')
          .sign(generateKeyPairSync('ed25519').privateKey),
      'signature',
    ],
  ])('401 for %s', async (_name, make, reason) => {
    const r = await api(reg.url, 'POST', '/v1/revocations', { token: await make(), body: revokeBody });
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ code: 'SPH_ERR_UNAUTHORIZED', details: { reason } });
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('403 for the wrong role: publishers and readers may not revoke, restore, set status or read the audit log', async () => {
    const publisher = await reg.token({ roles: ['registry:publisher'], publisher: 'acme' });
    const reader = await reg.token({ roles: ['registry:reader'] });
    for (const token of [publisher, reader]) {
      expect((await api(reg.url, 'POST', '/v1/revocations', { token, body: revokeBody })).json.error.code).toBe('SPH_ERR_FORBIDDEN');
      expect((await api(reg.url, 'POST', '/v1/revocations/restore', { token, body: { id: 'acme/widget' } })).status).toBe(403);
      expect((await api(reg.url, 'GET', '/v1/audit', { token })).status).toBe(403);
      expect((await api(reg.url, 'PUT', '/v1/plugins/acme/widget/versions/1.0.0/status', { token, body: { status: 'deprecated' } })).status).toBe(403);
    }
    expect((await api(reg.url, 'GET', '/v1/plugins', { token: reader })).status).toBe(200);
    expect((await api(reg.url, 'GET', '/v1/plugins', { token: await reg.token({ roles: [] }) })).status).toBe(403);
  });

  it('a publisher publishes only under its own prefix; an admin token cannot publish', async () => {
    const acme = await reg.token({ roles: ['registry:publisher'], publisher: 'acme' });
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: acme, body: publishBody('acme/own') })).status).toBe(201);
    const other = await api(reg.url, 'POST', '/v1/plugins', { token: acme, body: publishBody('globex/theirs') });
    expect(other.status).toBe(403);
    expect(other.json.error.message).toMatch(/only acme\/\.\.\./);
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: reg.adminToken, body: publishBody('acme/x') })).status).toBe(403);
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: await reg.token({ roles: ['registry:publisher'] }), body: publishBody('acme/x') })).status).toBe(403);
  });
});

describe('hostile requests', () => {
  it('400 for malformed JSON, unknown fields and wrong types; 413 for oversize bodies; the service keeps running', async () => {
    const t = reg.adminToken;
    const bad = await api(reg.url, 'POST', '/v1/revocations', { token: t, raw: '{"id": "acme/x", "reason": ' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('SPH_ERR_INVALID_ARG');
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, body: { ...revokeBody, extra: 1 } })).status).toBe(400);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, body: { ...revokeBody, reason: 42 } })).status).toBe(400);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, body: { ...revokeBody, id: 'Not An Id' } })).status).toBe(400);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, body: { ...revokeBody, digest: 'abc' } })).status).toBe(400);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, raw: 'id=acme/x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(415);
    const big = await api(reg.url, 'POST', '/v1/revocations', { token: t, body: { ...revokeBody, reason: 'x'.repeat(200_000) } });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('SPH_ERR_PAYLOAD_TOO_LARGE');
    const publisher = await reg.token({ roles: ['registry:publisher'], publisher: 'acme' });
    const huge = await api(reg.url, 'POST', '/v1/plugins', { token: publisher, body: publishBody('acme/huge', new Uint8Array(1024 * 1024 + 10)) });
    expect(huge.status).toBe(413);
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: publisher, body: { ...publishBody('acme/g'), component: '!!notbase64!!' } })).json.error.code).toBe('SPH_ERR_INVALID_COMPONENT');
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: publisher, body: publishBody('acme/g', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])) })).json.error.code).toBe('SPH_ERR_INVALID_COMPONENT');
    expect((await api(reg.url, 'POST', '/v1/plugins', { token: publisher, body: { ...publishBody('acme/g'), manifest: { id: 'acme/g' } } })).json.error.code).toBe('SPH_ERR_INVALID_MANIFEST');
    expect((await api(reg.url, 'GET', '/v1/nope')).json.error.code).toBe('SPH_ERR_NOT_FOUND');
    // Still serving, and still accepting good requests.
    expect((await api(reg.url, 'GET', '/healthz')).status).toBe(200);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: t, body: revokeBody })).status).toBe(201);
    expect(reg.proc.exitCode).toBeNull();
  });

  it('answers If-None-Match with 304 for the current snapshot', async () => {
    const first = await api(reg.url, 'GET', '/v1/revocations');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+-[0-9a-f]{16}"$/);
    const again = await fetch(new URL('/v1/revocations', reg.url), { headers: { 'if-none-match': etag } });
    // The heartbeat re-signs every 200 ms: either it is still current (304) or a new issue (200).
    expect([200, 304]).toContain(again.status);
    if (again.status === 200) expect(again.headers.get('etag')).not.toBe(etag);
  });
});

describe('registry CLI verbs', () => {
  it('publish, list, revoke, status, restore, and the component comes back byte for byte', async () => {
    const pdir = join(dir, 'plugin');
    mkdirSync(join(pdir, 'dist'), { recursive: true });
    writeFileSync(join(pdir, 'dist', 'w.wasm'), good);
    writeFileSync(join(pdir, 'summit-plugin.json'), JSON.stringify({ ...manifest('acme/kpi'), component: 'dist/w.wasm' }));
    const env = { SUMMIT_REGISTRY_URL: reg.url, SUMMIT_REGISTRY_TOKEN: await reg.token({ roles: ['registry:publisher'], publisher: 'acme' }) };
    const pub = await cli(['registry', 'publish', pdir, '--json'], env);
    expect(pub.code).toBe(0);
    expect(last(pub.stdout)).toMatchObject({ ok: true, created: true, plugin: { id: 'acme/kpi', version: '1.0.0', digest: sha256Hex(good), status: 'active' } });
    expect(last((await cli(['registry', 'publish', join(pdir, 'dist', 'w.wasm'), '--manifest', join(pdir, 'summit-plugin.json'), '--json'], env)).stdout).created).toBe(false);
    writeFileSync(join(pdir, 'dist', 'w.wasm'), await fixtureComponent('echo'));
    const conflict = await cli(['registry', 'publish', pdir, '--json'], env);
    expect(conflict.code).toBe(1);
    expect(last(conflict.stdout).error.code).toBe('SPH_ERR_CONFLICT');

    const admin = { SUMMIT_REGISTRY_URL: reg.url, SUMMIT_REGISTRY_TOKEN: reg.adminToken };
    const rev = await cli(['registry', 'revoke', 'acme/kpi@1.0.0', '--reason', 'shows wrong totals', '--json'], admin);
    expect(last(rev.stdout)).toMatchObject({ ok: true, revocation: { id: 'acme/kpi', version: '1.0.0', reason: 'shows wrong totals' } });
    expect((await cli(['registry', 'revoke', 'acme/kpi', '--json'], admin)).code).toBe(2);
    await cli(['registry', 'status', 'acme/kpi@1.0.0', 'deprecated', '--reason', 'use 2.x', '--json'], admin);
    const list = last((await cli(['registry', 'list', '--id', 'acme/kpi', '--json'], admin)).stdout);
    expect(list.plugins).toEqual([expect.objectContaining({ id: 'acme/kpi', status: 'deprecated', revoked: { version: '1.0.0', reason: 'shows wrong totals' } })]);
    expect(list.revocations).toContainEqual({ id: 'acme/kpi', version: '1.0.0', reason: 'shows wrong totals' });
    const restored = await cli(['registry', 'restore', 'acme/kpi@1.0.0', '--json'], admin);
    expect(last(restored.stdout)).toMatchObject({ ok: true, removed: [expect.objectContaining({ id: 'acme/kpi' })] });
    expect(last((await cli(['registry', 'restore', 'acme/kpi@1.0.0', '--json'], admin)).stdout).error.code).toBe('SPH_ERR_NOT_FOUND');

    const comp = await fetch(new URL('/v1/plugins/acme/kpi/versions/1.0.0/component', reg.url), { headers: { authorization: `Bearer ${reg.adminToken}` } });
    expect(comp.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await comp.arrayBuffer())).toEqual(good);
  });

  it('refuses to start without keys outside dev mode, and runs with configured keys', async () => {
    const refused = await cli(['registry', 'serve', '--port', '0', '--data-dir', join(dir, 'nokeys'), '--json']);
    expect(refused.code).toBe(2);
    expect(last(refused.stdout).error.message).toMatch(/no snapshot signing key.*no token keys/);

    const keys = join(dir, 'keys');
    mkdirSync(keys, { recursive: true });
    const signing = generateKeyPairSync('ed25519');
    const issuer = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(keys, 'signing.pem'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(keys, 'issuer.pub.pem'), issuer.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(keys, 'issuer.pem'), issuer.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const prod = await startRegistryWith([
      '--signing-key', join(keys, 'signing.pem'),
      '--token-key', join(keys, 'issuer.pub.pem'),
      '--issuer', 'https://idp.example',
      '--audience', 'summit-registry-prod',
    ]);
    try {
      const minted = await cli(['registry', 'token', '--key', join(keys, 'issuer.pem'), '--issuer', 'https://idp.example', '--audience', 'summit-registry-prod', '--role', 'admin', '--json']);
      const token = last(minted.stdout).token as string;
      expect((await api(prod.url, 'POST', '/v1/revocations', { token, body: revokeBody })).status).toBe(201);
      expect((await api(prod.url, 'POST', '/v1/revocations', { token: reg.adminToken, body: revokeBody })).status).toBe(401);
      expect((await api(prod.url, 'GET', '/v1/keys')).json.keys[0].publicKey).toBe(signing.publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64'));
    } finally {
      prod.proc.kill('SIGTERM');
    }
  });

  it('audit verify reports an edited entry (exit 1, SPH_ERR_AUDIT_CHAIN_BROKEN)', async () => {
    const own = await startRegistry();
    for (const v of ['1.0.0', '1.0.1', '1.0.2']) await api(own.url, 'POST', '/v1/revocations', { token: own.adminToken, body: { id: 'acme/a', version: v, reason: 'r' } });
    await own.stop();
    expect(last((await cli(['registry', 'audit', 'verify', '--db', own.dbPath, '--json'])).stdout)).toMatchObject({ ok: true, entries: 3 });
    const db = openSqlite(own.dbPath);
    db.exec('DROP TRIGGER audit_log_no_update');
    db.run(`UPDATE audit_log SET details = '{"reason":"nothing to see"}' WHERE seq = 2`);
    db.close();
    const broken = await cli(['registry', 'audit', 'verify', '--db', own.dbPath, '--json']);
    expect(broken.code).toBe(1);
    expect(last(broken.stdout).error).toMatchObject({ code: 'SPH_ERR_AUDIT_CHAIN_BROKEN', message: expect.stringMatching(/entry 2 was changed/) });
  });
});

async function startRegistryWith(args: string[]) {
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, [bin, 'registry', 'serve', '--json', '--port', '0', '--log-level', 'warn', '--data-dir', join(dir, 'prod'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => proc.stdout.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)));
  return { proc, url: (JSON.parse(line) as { url: string }).url };
}
