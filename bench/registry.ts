// (f) The kill switch: the in-process check that runs before every instantiation (per call,
// over a snapshot of 1000 revocations), and revoke-to-refusal over server-sent events against a
// registry process on loopback (from the admin's POST to the host refusing; one host, then the
// last of 50), plus how long a running render of a revoked plug-in survives the revoke.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { request } from 'undici';
import { createHost, KillSwitch, RegistryClient, signSnapshot, type RevokedEntry } from '../dist/index.js';
import { trustedKeys } from '../dist/registry/snapshot.js';
import { fixtureComponent } from '../test/support/fixtures.js';
import { fmt, quantile, table } from './support/stats.js';

const bin = fileURLToPath(new URL('../bin/summit-plugin.js', import.meta.url));
const D = (n: number) => n.toString(16).padStart(64, '0');

function checkCost(): void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const ks = new KillSwitch({ trusted: trustedKeys([publicKey]), stalenessMs: 30_000 });
  const revoked: RevokedEntry[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) revoked.push({ id: `vendor/p${i}`, version: '*', reason: 'r' });
    else if (i % 3 === 1) revoked.push({ id: `vendor/p${i}`, version: '1.0.0', reason: 'r' });
    else revoked.push({ id: `vendor/p${i}`, version: '2.0.0', digest: D(i), reason: 'r' });
  }
  const now = Date.now();
  ks.offer(signSnapshot({ version: 1, issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 600_000).toISOString(), revoked }, privateKey));
  const N = 200_000;
  // Inputs built up front: only the check is inside the timed region.
  const otherIds = Array.from({ length: 1000 }, (_, i) => `other/p${i}`);
  const digest = D(1_000_000);
  const measure = (fn: (i: number) => void): number[] => {
    const out = new Array<number>(N);
    for (let i = 0; i < 20_000; i++) fn(i); // warm up (JIT)
    for (let i = 0; i < N; i++) {
      const t = process.hrtime.bigint();
      fn(i);
      out[i] = Number(process.hrtime.bigint() - t);
    }
    return out;
  };
  const rows = [
    ['timer alone (overhead in every row)', measure(() => {})],
    ['allowed: id not in the snapshot', measure((i) => ks.check(otherIds[i % 1000]!, '1.0.0', digest))],
    ['allowed: id revoked at another version', measure(() => ks.check('vendor/p1', '1.0.1', digest))],
    [
      'refused: revoked id (throws SPH_ERR_REVOKED)',
      measure(() => {
        try {
          ks.check('vendor/p0', '1.0.0', digest);
        } catch {}
      }),
    ],
  ] as const;
  table(
    `kill-switch check, in process (${N} calls each, snapshot of 1000 revocations) — bar: p99 <= 5 µs`,
    ['path', 'p50 ns', 'p99 ns', 'p99.9 ns'],
    rows.map(([name, xs]) => [name, fmt(quantile(xs, 0.5), 0), fmt(quantile(xs, 0.99), 0), fmt(quantile(xs, 0.999), 0)]),
  );
}

interface Registry {
  url: string;
  publicKey: string;
  token: string;
  stop: () => void;
}

async function startRegistry(): Promise<Registry> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sph-bench-registry-'));
  const proc = spawn(process.execPath, [bin, 'registry', 'serve', '--dev', '--json', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => proc.stdout.once('data', (d: Buffer) => resolve(d.toString().split('\n')[0]!)));
  const info = JSON.parse(line) as { url: string; publicKey: string; dev: { adminTokenFile: string } };
  return { url: info.url, publicKey: info.publicKey, token: readFileSync(info.dev.adminTokenFile, 'utf8').trim(), stop: () => proc.kill('SIGTERM') };
}

async function revoke(reg: Registry, id: string): Promise<void> {
  const r = await request(new URL('/v1/revocations', reg.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${reg.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, reason: 'bench' }),
  });
  await r.body.dump();
  if (r.statusCode !== 201) throw new Error(`revoke answered ${r.statusCode}`);
}

const tick = () => new Promise((r) => setImmediate(r));

async function revokeToRefusal(reg: Registry, samples = 100): Promise<void> {
  const client = new RegistryClient({ url: reg.url, publicKeys: reg.publicKey, logger: pino({ level: 'silent' }) });
  await client.ready(10_000);
  const acks: number[] = [];
  const refusals: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const id = `bench/r${i}`;
      const t0 = performance.now();
      let refusedAt = 0;
      const ack = revoke(reg, id).then(() => acks.push(performance.now() - t0));
      for (;;) {
        try {
          client.killSwitch.check(id, '1.0.0', D(0));
        } catch (err) {
          if ((err as { code: string }).code !== 'SPH_ERR_REVOKED') throw err;
          refusedAt = performance.now();
          break;
        }
        await tick();
      }
      refusals.push(refusedAt - t0);
      await ack;
    }
  } finally {
    await client.close();
  }
  table(
    `revoke -> refusal over server-sent events (registry process on loopback, ${samples} revocations, one at a time) — bar: p99 <= 1 s`,
    ['measure', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['admin POST -> acknowledged (committed, fsynced, pushed)', fmt(quantile(acks, 0.5)), fmt(quantile(acks, 0.99)), fmt(Math.max(...acks))],
      ['admin POST -> host check refuses (SPH_ERR_REVOKED)', fmt(quantile(refusals, 0.5)), fmt(quantile(refusals, 0.99)), fmt(Math.max(...refusals))],
    ],
  );
}

async function fanOut(reg: Registry, clients = 50, samples = 20): Promise<void> {
  const fleet = Array.from({ length: clients }, () => new RegistryClient({ url: reg.url, publicKeys: reg.publicKey, logger: pino({ level: 'silent' }) }));
  const all: number[] = [];
  try {
    await Promise.all(fleet.map((c) => c.ready(10_000)));
    for (let i = 0; i < samples; i++) {
      const id = `bench/fleet${i}`;
      const t0 = performance.now();
      const ack = revoke(reg, id);
      const pending = new Set(fleet);
      while (pending.size > 0) {
        for (const c of pending) {
          try {
            c.killSwitch.check(id, '1.0.0', D(0));
          } catch {
            pending.delete(c);
          }
        }
        if (pending.size > 0) await tick();
      }
      all.push(performance.now() - t0);
      await ack;
    }
  } finally {
    await Promise.all(fleet.map((c) => c.close()));
  }
  table(`revoke -> the last of ${clients} connected hosts refuses (${samples} revocations)`, ['p50 ms', 'p99 ms', 'max ms'], [[fmt(quantile(all, 0.5)), fmt(quantile(all, 0.99)), fmt(Math.max(...all))]]);
}

async function revokeStopsRender(reg: Registry, samples = 10): Promise<void> {
  const host = createHost({
    mode: 'development',
    workers: 1,
    cacheDir: mkdtempSync(join(tmpdir(), 'sph-bench-cache-')),
    logger: pino({ level: 'silent' }),
    registry: { url: reg.url, publicKeys: reg.publicKey },
  });
  const spin = await fixtureComponent('infinite-loop');
  const stops: number[] = [];
  try {
    await host.ready(10_000);
    for (let i = 0; i < samples; i++) {
      const plugin = await host.load(spin, { id: `bench/spin${i}`, version: '1.0.0' });
      await host.render(plugin, '{}', { limits: { cpuMs: 5 } }).catch(() => 0); // the worker has the code
      const running = host.render(plugin, '{}', { limits: { cpuMs: 30_000, wallMs: 30_000 } }).catch((e: { code: string }) => e.code);
      await new Promise((r) => setTimeout(r, 50));
      const t0 = performance.now();
      await revoke(reg, `bench/spin${i}`);
      const code = await running;
      if (code !== 'SPH_ERR_REVOKED') throw new Error(`expected SPH_ERR_REVOKED, got ${String(code)}`);
      stops.push(performance.now() - t0);
    }
  } finally {
    await host.close();
  }
  table(`revoke -> running render stopped (worker terminated), ${samples} samples`, ['p50 ms', 'max ms'], [[fmt(quantile(stops, 0.5)), fmt(Math.max(...stops))]]);
}

export async function registryBench(): Promise<void> {
  checkCost();
  const reg = await startRegistry();
  try {
    await revokeToRefusal(reg);
    await fanOut(reg);
    await revokeStopsRender(reg);
  } finally {
    reg.stop();
  }
}
