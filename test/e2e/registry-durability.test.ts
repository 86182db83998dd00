// kill -9 of the registry in the middle of a burst of 500 revocations: after a restart every
// revocation it acknowledged is in the snapshot, and the audit chain verifies.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { trustedKeys, verifySnapshot } from '../../src/registry/snapshot.js';
import { api, bin, startRegistry } from '../support/registry.js';

const cli = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );

describe('registry durability', () => {
  it('loses no acknowledged revocation across kill -9, and the audit chain verifies after it', async () => {
    const reg = await startRegistry({ heartbeatMs: 1000 });
    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    const TOTAL = 500;
    const KILL_AFTER = 200;
    const worker = async () => {
      while (sent < TOTAL) {
        const id = `burst/p${sent++}`;
        try {
          const r = await api(reg.url, 'POST', '/v1/revocations', { token: reg.adminToken, body: { id, reason: 'burst' } });
          if (r.status === 201) acked.add(id);
        } catch {
          // The registry is gone: this one was never acknowledged.
        }
        if (!killed && acked.size >= KILL_AFTER) {
          killed = true;
          await reg.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(TOTAL);

    const back = await startRegistry({ dataDir: reg.dataDir, heartbeatMs: 1000 });
    try {
      const r = await api(back.url, 'GET', '/v1/revocations');
      const snap = verifySnapshot(r.json, trustedKeys([back.publicKey]));
      const present = new Set(snap.revoked.map((e) => e.id));
      const lost = [...acked].filter((id) => !present.has(id));
      expect(lost).toEqual([]);
      // Every committed revoke bumped the version once: acknowledged ones, plus any that
      // committed just before the kill without their answer getting out.
      expect(snap.version).toBe(snap.revoked.length);
      expect(snap.version).toBeGreaterThanOrEqual(acked.size);

      const offline = await cli(['registry', 'audit', 'verify', '--db', back.dbPath, '--json']);
      expect(offline.code).toBe(0);
      const out = JSON.parse(offline.stdout.trim().split('\n').at(-1)!) as { ok: boolean; entries: number };
      expect(out).toMatchObject({ ok: true, entries: snap.version });
      const online = await cli(['registry', 'audit', 'verify', '--registry', back.url, '--token', back.adminToken, '--json']);
      expect(JSON.parse(online.stdout.trim().split('\n').at(-1)!)).toEqual({ ok: true, entries: out.entries, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } finally {
      await back.stop();
    }
  });
});
