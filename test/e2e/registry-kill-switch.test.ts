// The kill switch end to end: a real registry process on loopback (`summit-plugin registry
// serve`) and a host (createHost in this process, and `summit-plugin run` as a process).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Plugin, type PluginHost } from '../../src/index.js';
import { sha256Hex } from '../../src/component/digest.js';
import { fixtureComponent } from '../support/fixtures.js';
import { rejection, silentLogger, testHost } from '../support/host.js';
import { api, bin, startRegistry, until, type RegistryProcess } from '../support/registry.js';

let registry: RegistryProcess;
let good: Uint8Array;
let spin: Uint8Array;
const hosts: PluginHost[] = [];

beforeAll(async () => {
  [registry, good, spin] = await Promise.all([startRegistry({ heartbeatMs: 200 }), fixtureComponent('good'), fixtureComponent('infinite-loop')]);
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await registry?.stop();
});

function hostWithRegistry(extra: Record<string, unknown> = {}): PluginHost {
  const h = testHost({ registry: { url: registry.url, publicKeys: registry.publicKey, stalenessMs: 2000, ...extra } });
  hosts.push(h);
  return h;
}

async function renderCode(host: PluginHost, plugin: Plugin): Promise<string> {
  try {
    await host.render(plugin, '{}');
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

const revoke = (body: Record<string, unknown>) => api(registry.url, 'POST', '/v1/revocations', { token: registry.adminToken, body });
const restore = (body: Record<string, unknown>) => api(registry.url, 'POST', '/v1/revocations/restore', { token: registry.adminToken, body });

describe('kill switch with a registry process', () => {
  it('refuses a revoked plug-in within 1 s of the revoke (measured), and runs it again after restore', async () => {
    const host = hostWithRegistry();
    await host.ready(10_000);
    const plugin = await host.load(good, { id: 'acme/revoke-me', version: '1.0.0' });
    expect(await renderCode(host, plugin)).toBe('ok');
    const t0 = performance.now();
    const r = await revoke({ id: 'acme/revoke-me', version: '1.0.0', reason: 'test revoke' });
    expect(r.status).toBe(201);
    await until(async () => (await renderCode(host, plugin)) === 'SPH_ERR_REVOKED', 5000);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1000);
    const err = await rejection<{ code: string; message: string; usage: unknown; invocationId: string }>(host.render(plugin, '{}'));
    expect(err.message).toMatch(/test revoke/);
    expect(err.usage).toEqual({ fuel: 0, cpuMs: 0, memoryBytes: 0, wallMs: 0 });
    expect(typeof err.invocationId).toBe('string');
    // Loading it again is refused too, before the workers see it.
    expect((await rejection(host.load(good, { id: 'acme/revoke-me', version: '1.0.0' }))).code).toBe('SPH_ERR_REVOKED');
    // Another version of the same id is unaffected.
    expect(await renderCode(host, await host.load(good, { id: 'acme/revoke-me', version: '1.0.1' }))).toBe('ok');

    expect((await restore({ id: 'acme/revoke-me', version: '1.0.0' })).status).toBe(200);
    await until(async () => {
      try {
        const again = await host.load(good, { id: 'acme/revoke-me', version: '1.0.0' });
        return (await renderCode(host, again)) === 'ok';
      } catch {
        return false;
      }
    }, 5000);
  });

  it('stops a running render of a revoked plug-in (SPH_ERR_REVOKED) and drops its compiled code', async () => {
    const host = hostWithRegistry();
    await host.ready(10_000);
    const plugin = await host.load(spin, { id: 'acme/spinner', version: '2.0.0' });
    const before = host.stats.plugins;
    // A first, short render makes sure the workers have the code, so the next one starts at once.
    expect((await rejection(host.render(plugin, '{}', { limits: { cpuMs: 20 } }))).code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    // Development mode may raise the caps: without the revocation this runs for 20 s.
    const running = host.render(plugin, '{}', { limits: { cpuMs: 20_000, wallMs: 20_000 } });
    const settled = running.then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    // Running, not waiting for a worker (a replaced worker may still be starting, another
    // may be making an instance ahead of time).
    await new Promise((r) => setTimeout(r, 300));
    for (const t = performance.now(); host.stats.queued > 0 && performance.now() - t < 10_000; ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    expect((await revoke({ id: 'acme/spinner', reason: 'runaway' })).status).toBe(201);
    expect(await settled).toBe('SPH_ERR_REVOKED');
    expect(performance.now() - t0).toBeLessThan(5000);
    const err = await rejection<{ usage: { cpuMs: number } }>(running);
    expect(err.usage.cpuMs).toBeGreaterThan(0);
    expect(plugin.loaded).toBe(false);
    expect(host.stats.plugins).toBe(before - 1);
    expect((await rejection(host.render(plugin, '{}'))).code).toBe('SPH_ERR_REVOKED');
    // The host keeps serving other plug-ins.
    expect(await renderCode(host, await host.load(good, { id: 'acme/other', version: '1.0.0' }))).toBe('ok');
  });

  it('refuses a component by digest under any id', async () => {
    const host = hostWithRegistry();
    await host.ready(10_000);
    const bytes = await fixtureComponent('echo');
    const plugin = await host.load(bytes, { id: 'acme/echo', version: '1.0.0' });
    expect(await renderCode(host, plugin)).toBe('ok');
    expect((await revoke({ id: 'acme/echo', version: '1.0.0', digest: sha256Hex(bytes), reason: 'bad build' })).status).toBe(201);
    await until(async () => (await renderCode(host, plugin)) === 'SPH_ERR_REVOKED', 5000);
    expect((await rejection(host.load(bytes, { id: 'someone/else', version: '3.0.0' }))).code).toBe('SPH_ERR_REVOKED');
  });
});

describe('production mode', () => {
  it('refuses to start without a registry, and with a bad registry option', () => {
    expect(() => createHost({ cacheDir: false, logger: silentLogger() })).toThrow(/production mode needs a kill-switch registry/);
    expect(() => createHost({ cacheDir: false, logger: silentLogger(), registry: { url: 'ftp://x', publicKeys: [] } as never })).toThrow(/registry: url must be http/);
  });

  it('runs with a registry once it has a fresh snapshot, and refuses while it has none', async () => {
    const host = createHost({ workers: 1, cacheDir: false, logger: silentLogger(), registry: { url: registry.url, publicKeys: registry.publicKey } });
    const blind = createHost({ workers: 1, cacheDir: false, logger: silentLogger(), registry: { url: 'http://127.0.0.1:9', publicKeys: registry.publicKey } });
    hosts.push(host, blind);
    await host.ready(10_000);
    expect(await renderCode(host, await host.load(good, { id: 'acme/prod', version: '1.0.0' }))).toBe('ok');
    expect((await rejection(blind.load(good, { id: 'acme/prod', version: '1.0.0' }))).code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
  });
});

describe('registry outage', () => {
  it('keeps serving until the staleness bound, then refuses, and recovers by itself when the registry is back', async () => {
    const own = await startRegistry({ heartbeatMs: 100 });
    const stalenessMs = 1500;
    const host = testHost({ registry: { url: own.url, publicKeys: own.publicKey, stalenessMs, pollIntervalMs: 100, reconnectMinMs: 50, reconnectMaxMs: 300 } });
    hosts.push(host);
    try {
      await host.ready(10_000);
      const plugin = await host.load(good, { id: 'acme/outage', version: '1.0.0' });
      expect(await renderCode(host, plugin)).toBe('ok');
      const down = performance.now();
      await own.kill9();
      // Within the bound the last snapshot still holds.
      expect(await renderCode(host, plugin)).toBe('ok');
      await until(async () => (await renderCode(host, plugin)) === 'SPH_ERR_REGISTRY_UNAVAILABLE', 10_000, 20);
      const refusedAfter = performance.now() - down;
      // It refused no earlier than the bound allows (less a heartbeat or two: the last snapshot
      // may be that old when the registry died), and not much later.
      expect(refusedAfter).toBeGreaterThan(stalenessMs - 300);
      expect(refusedAfter).toBeLessThan(stalenessMs + 1500);
      expect(host.registry!.status().fresh).toBe(false);

      const back = await startRegistry({ dataDir: own.dataDir, port: own.port, heartbeatMs: 100 });
      try {
        await until(async () => (await renderCode(host, plugin)) === 'ok', 10_000, 20);
      } finally {
        await back.stop();
      }
    } finally {
      await own.kill9();
    }
  });

  it('a render that waits for a worker past the staleness bound is refused when its turn comes, not run', async () => {
    const own = await startRegistry({ heartbeatMs: 100 });
    const host = testHost({ workers: 1, registry: { url: own.url, publicKeys: own.publicKey, stalenessMs: 1000, pollIntervalMs: 100 } });
    hosts.push(host);
    try {
      await host.ready(10_000);
      const busy = await host.load(spin, { id: 'acme/busy', version: '1.0.0' });
      const quick = await host.load(good, { id: 'acme/quick', version: '1.0.0' });
      expect(await renderCode(host, quick)).toBe('ok');
      // The only worker is taken for ~2.5 s; the second render queues behind it.
      const first = host.render(busy, '{}', { limits: { cpuMs: 2500, wallMs: 2500 } }).catch((e: { code: string }) => e.code);
      await new Promise((r) => setTimeout(r, 200));
      const second = host.render(quick, '{}').then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      await own.kill9();
      // The first one was instantiated on a fresh snapshot and runs to its cap; the second
      // passed the check when it was queued, but the snapshot is stale by its turn.
      expect(await first).toMatch(/SPH_ERR_(FUEL_EXHAUSTED|WALL_TIMEOUT)/);
      expect(await second).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    } finally {
      await own.kill9();
    }
  });

  it('a host that starts while the registry is down refuses (cold start), persisted snapshot or not', async () => {
    const own = await startRegistry({ heartbeatMs: 100 });
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sph-state-')), 'snap.json');
    const first = testHost({ registry: { url: own.url, publicKeys: own.publicKey, stalenessMs: 1000, stateFile } });
    await first.ready(10_000);
    await first.close();
    await own.stop();
    const cold = testHost({ registry: { url: own.url, publicKeys: own.publicKey, stalenessMs: 1000, stateFile } });
    hosts.push(cold);
    expect((await rejection(cold.ready(800))).code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect((await rejection(cold.load(good, { id: 'acme/cold', version: '1.0.0' }))).code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(cold.registry!.status().version).toBe(0);
  });
});

describe('summit-plugin run --registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sph-run-reg-'));
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { env: { ...process.env, SUMMIT_CACHE_DIR: join(dir, 'cache'), ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const last = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!) as { ok: boolean; error?: { code: string; message: string } };

  it('checks the kill switch when given --registry or SUMMIT_REGISTRY_URL, and only then', async () => {
    const file = join(dir, 'w.wasm');
    const bytes = await fixtureComponent('err-result');
    writeFileSync(file, bytes);
    writeFileSync(join(dir, 'summit-plugin.json'), JSON.stringify({ id: 'acme/run-me', version: '1.0.0', world: 'summit:widget/widget@0.1.0' }));
    const ok = await cli(['run', file, '--json', '--registry', registry.url, '--registry-key', registry.publicKey]);
    expect(last(ok.stdout).error?.code).toBe('SPH_ERR_PLUGIN_ERROR');
    expect((await revoke({ id: 'acme/run-me', reason: 'no' })).status).toBe(201);
    const refused = await cli(['run', file, '--json'], { SUMMIT_REGISTRY_URL: registry.url, SUMMIT_REGISTRY_KEY: registry.publicKey });
    expect(refused.code).toBe(1);
    expect(last(refused.stdout).error?.code).toBe('SPH_ERR_REVOKED');
    // Without a registry, run is a local tool and does not check.
    expect(last((await cli(['run', file, '--json'])).stdout).error?.code).toBe('SPH_ERR_PLUGIN_ERROR');
    const down = await cli(['run', file, '--json', '--registry', 'http://127.0.0.1:9', '--registry-key', registry.publicKey]);
    expect(down.code).toBe(1);
    expect(last(down.stdout).error?.code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    const wrongKey = await cli(['run', file, '--json', '--registry', registry.url, '--registry-key', 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=']);
    expect(last(wrongKey.stdout).error?.message).toMatch(/unknown-key/);
  });
});
