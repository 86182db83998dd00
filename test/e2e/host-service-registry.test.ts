// The host service in production mode against a real registry process: the version served
// comes from the registry, a revocation reaches the render API within a second (falling back
// to an older version that is not revoked, then refusing), a restore brings the widget back,
// and a registry outage makes the service fail closed and not ready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type PluginHost } from '../../src/index.js';
import { createHostServer, type HostServer } from '../../src/server/create-server.js';
import { compareSemver, RegistryCatalog } from '../../src/server/registry-catalog.js';
import { fixtureComponent } from '../support/fixtures.js';
import { silentLogger } from '../support/host.js';
import { openEvents } from '../support/sse.js';
import { api, startRegistry, until, type RegistryProcess } from '../support/registry.js';

let reg: RegistryProcess;
let host: PluginHost;
let server: HostServer;
let base: string;
let admin: string;

async function publish(version: string, text: string) {
  const bytes = await fixtureComponent('fixed-output', { TEXT: text, LEN: text.length });
  const publisher = await reg.token({ roles: ['registry:publisher'], publisher: 'acme' });
  const res = await api(reg.url, 'POST', '/v1/plugins', {
    token: publisher,
    body: { manifest: { id: 'acme/clock', version, world: 'summit:widget/widget@0.1.0' }, component: Buffer.from(bytes).toString('base64') },
  });
  expect(res.status).toBe(201);
}

async function render(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/v1/widgets/acme/clock/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 't1', input: { props: {} } }),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  reg = await startRegistry();
  admin = reg.adminToken;
  await publish('1.0.0', '<p>one</p>');
  await publish('1.1.0', '<p>two</p>');
  host = createHost({ workers: 2, cacheDir: false, logger: silentLogger(), registry: { url: reg.url, publicKeys: reg.publicKey, stalenessMs: 1500, pollIntervalMs: 100 } });
  await host.ready(10_000);
  server = createHostServer({
    host,
    catalog: new RegistryCatalog({ url: reg.url, token: await reg.token({ roles: ['registry:reader'] }) }),
    logger: silentLogger(),
  });
  base = await server.listen();
});
afterAll(async () => {
  await server?.close();
  await host?.close();
  await reg?.stop();
});

describe('host service with a registry', () => {
  it('serves the highest version the registry has', async () => {
    const r = await render();
    expect(r.status).toBe(200);
    expect(r.body.widget.version).toBe('1.1.0');
    expect(r.body.html).toBe('<p>two</p>');
    // Ready once a fresh snapshot is in (a loaded machine may delay the first poll).
    await until(async () => (await fetch(`${base}/readyz`)).status === 200, 5000);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/summit_kill_switch_snapshot_age_seconds \d/);
  });

  it('a revocation reaches the render API within a second; a restore brings the widget back', async () => {
    const events = await openEvents(`${base}/v1/widgets/events`);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: admin, body: { id: 'acme/clock', version: '1.1.0', reason: 'bad release' } })).status).toBe(201);
    const fallback = await until(async () => (await render()).body.widget?.version === '1.0.0', 1000);
    expect(fallback).toBeLessThan(1000);
    expect((await api(reg.url, 'POST', '/v1/revocations', { token: admin, body: { id: 'acme/clock', reason: 'partner offboarded' } })).status).toBe(201);
    let last = await render();
    await until(async () => (last = await render()).status === 403, 1000);
    expect(last.body.error.code).toBe('SPH_ERR_REVOKED');
    expect((await api(reg.url, 'POST', '/v1/revocations/restore', { token: admin, body: { id: 'acme/clock' } })).status).toBe(200);
    await until(async () => (last = await render()).status === 200, 2000);
    expect(last.body.widget.version).toBe('1.1.0');
    // Pages that embed the widget heard of each change on the event stream.
    const named = (e: { event: string; data: any }) => e.event === 'widgets' && e.data.widgets.includes('acme/clock');
    await events.waitFor(() => events.events.filter(named).length >= 3, { timeoutMs: 2000 });
    events.close();
  });

  it('fails closed when the registry goes away: refused and not ready after the staleness bound', async () => {
    await reg.kill9();
    let last = await render();
    await until(async () => (last = await render()).status === 503, 5000);
    expect(last.body.error.code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/kill-switch/);
  });
});

describe('semantic version order', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.0-rc.2', '2.0.0-rc.10', -1],
    ['2.0.0-alpha', '2.0.0-alpha.1', -1],
    ['1.2.3+build', '1.2.3', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareSemver(a, b))).toBe(sign);
  });
});
