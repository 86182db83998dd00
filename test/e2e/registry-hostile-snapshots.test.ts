// A hostile registry: a real HTTP server on loopback that serves whatever snapshot the test
// crafts (tampered, rolled back, expired, equivocating, signed by another key), over both the
// event stream and GET /v1/revocations. The host must refuse each and keep its last good one.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../../src/index.js';
import { signSnapshot, type RevokedEntry, type SignedEnvelope } from '../../src/registry/snapshot.js';
import { fixtureComponent } from '../support/fixtures.js';
import { rejection, testHost } from '../support/host.js';
import { until } from '../support/registry.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const mallory = generateKeyPairSync('ed25519');

class HostileRegistry {
  server: Server;
  streams = new Set<ServerResponse>();
  current: SignedEnvelope | unknown;
  url = '';
  #heartbeat: NodeJS.Timeout | undefined;
  constructor(initial: SignedEnvelope) {
    this.current = initial;
    this.server = createServer((req, res) => {
      if (req.url === '/v1/revocations/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`event: snapshot\ndata: ${JSON.stringify(this.current)}\n\n`);
        this.streams.add(res);
        res.on('close', () => this.streams.delete(res));
        return;
      }
      if (req.url === '/v1/revocations') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.current));
        return;
      }
      res.writeHead(404).end();
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }
  /** Serves this envelope from now on and pushes it to every stream. */
  serve(env: SignedEnvelope | unknown): void {
    this.current = env;
    this.push(env);
  }
  push(env: unknown): void {
    for (const s of this.streams) s.write(`event: snapshot\ndata: ${JSON.stringify(env)}\n\n`);
  }
  /** Keeps re-issuing an honest snapshot on the stream (as the real registry does), or stops. */
  heartbeat(make: (() => SignedEnvelope) | undefined): void {
    clearInterval(this.#heartbeat);
    if (make) this.#heartbeat = setInterval(() => this.push(make()), 150);
  }
  async close(): Promise<void> {
    this.heartbeat(undefined);
    for (const s of this.streams) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

function envelope(version: number, revoked: RevokedEntry[], o: { key?: typeof privateKey; issuedAgoMs?: number; ttlMs?: number } = {}): SignedEnvelope {
  const issued = Date.now() - (o.issuedAgoMs ?? 0);
  return signSnapshot({ version, issuedAt: new Date(issued).toISOString(), expiresAt: new Date(issued + (o.ttlMs ?? 60_000)).toISOString(), revoked }, o.key ?? privateKey);
}

const REVOKED: RevokedEntry[] = [{ id: 'acme/bad', version: '*', reason: 'malware' }];
let good: Uint8Array;
let reg: HostileRegistry;
let host: PluginHost;
const stateFile = join(mkdtempSync(join(tmpdir(), 'sph-hostile-')), 'snapshot.json');

beforeAll(async () => {
  good = await fixtureComponent('good');
  reg = new HostileRegistry(envelope(5, REVOKED));
  await reg.listen();
  // The honest version 5 keeps the host fresh while the hostile ones arrive in between.
  reg.heartbeat(() => envelope(5, REVOKED));
  host = testHost({ registry: { url: reg.url, publicKeys: publicKey.export({ type: 'spki', format: 'pem' }).toString(), stalenessMs: 1500, pollIntervalMs: 100, stateFile } });
  await host.ready(10_000);
});
afterAll(async () => {
  await host?.close();
  await reg?.close();
});

const lastRejection = () => host.registry!.status().lastRejection?.reason;
const keepsRevoked = async () => expect((await rejection(host.load(good, { id: 'acme/bad', version: '1.0.0' }))).code).toBe('SPH_ERR_REVOKED');

describe('hostile snapshots', () => {
  it('refuses a tampered snapshot (revocation list emptied, signature kept)', async () => {
    const env = envelope(6, REVOKED);
    const forged = JSON.parse(Buffer.from(env.payload, 'base64').toString());
    forged.revoked = [];
    reg.serve({ ...env, payload: Buffer.from(JSON.stringify(forged)).toString('base64') });
    await until(() => lastRejection() === 'bad-signature', 5000);
    expect(host.registry!.status().version).toBe(5);
    await keepsRevoked();
  });

  it('refuses a snapshot signed by another key', async () => {
    reg.serve(envelope(7, [], { key: mallory.privateKey }));
    await until(() => lastRejection() === 'unknown-key', 5000);
    await keepsRevoked();
  });

  it('refuses a rollback to an older version, even correctly signed', async () => {
    reg.serve(envelope(4, []));
    await until(() => lastRejection() === 'rollback', 5000);
    await keepsRevoked();
  });

  it('refuses an expired snapshot', async () => {
    reg.serve(envelope(8, [], { issuedAgoMs: 120_000, ttlMs: 60_000 }));
    await until(() => lastRejection() === 'expired', 5000);
    await keepsRevoked();
  });

  it('refuses a different list under a version it already has', async () => {
    reg.serve(envelope(5, []));
    await until(() => lastRejection() === 'equivocation', 5000);
    await keepsRevoked();
  });

  it('refuses garbage', async () => {
    reg.serve({ hello: 'world' });
    await until(() => lastRejection() === 'malformed', 5000);
  });

  it('bad snapshots never keep the host fresh: it goes stale and refuses everything', async () => {
    // Only refused snapshots from now on: past the 1.5 s bound the host fails closed.
    reg.heartbeat(undefined);
    reg.serve(envelope(4, []));
    await until(() => !host.registry!.status().fresh, 5000);
    expect((await rejection(host.load(good, { id: 'acme/fine', version: '1.0.0' }))).code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    // A good, newer snapshot brings it back.
    reg.serve(envelope(9, []));
    await until(() => host.registry!.status().fresh, 5000);
    await host.load(good, { id: 'acme/bad', version: '1.0.0' });
  });

  it('remembers the last good version across a restart: an older, signed snapshot is a rollback', async () => {
    await until(() => host.registry!.status().version === 9, 5000);
    await new Promise((r) => setTimeout(r, 200)); // the persisted copy is written asynchronously
    await host.close();
    reg.serve(envelope(6, REVOKED));
    host = testHost({ registry: { url: reg.url, publicKeys: publicKey.export({ type: 'spki', format: 'pem' }).toString(), stalenessMs: 1500, pollIntervalMs: 100, stateFile } });
    expect((await rejection(host.ready(1000))).code).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(lastRejection()).toBe('rollback');
    expect(host.registry!.status().version).toBe(9);
  });
});
