// The SQLite store on whichever engines this Node can load: node:sqlite (Node 22.13+) and
// better-sqlite3 (built for the Node that ran npm ci, so Node 20 here).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyChain, GENESIS_HASH } from '../../../src/registry/audit-chain.js';
import { openSqlite, availableDriver, type DriverName } from '../../../src/registry/store/sqlite-driver.js';
import { openSqliteStore } from '../../../src/registry/store/sqlite-store.js';

function loads(name: DriverName): boolean {
  try {
    openSqlite(':memory:', name).close();
    return true;
  } catch {
    return false;
  }
}

const hasNodeSqlite = loads('node:sqlite');
const drivers = (['node:sqlite', 'better-sqlite3'] as const).filter(loads);
const dbFile = () => join(mkdtempSync(join(tmpdir(), 'sph-store-')), 'registry.db');
const plugin = (version: string, digest: string) => ({ id: 'acme/kpi', version, digest, publisher: 'acme', manifest: { id: 'acme/kpi', version }, bytes: new Uint8Array([0, 97, 115, 109, 13, 0, 1, 0, version.length]) });

describe('SQLite driver choice', () => {
  it('auto takes node:sqlite where this Node has it, else better-sqlite3', () => {
    expect(drivers.length).toBeGreaterThan(0);
    expect(availableDriver()).toBe(hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
    const s = openSqliteStore({ path: ':memory:' });
    expect(s.kind).toBe(`sqlite (${availableDriver()})`);
    void s.close();
  });
});

describe.each(drivers)('SQLite store on %s', (driver) => {
  it('migrates a new file to the latest schema, in WAL mode with synchronous=FULL', async () => {
    const path = dbFile();
    const s = openSqliteStore({ path, driver });
    expect(s.schemaVersion).toBe(1);
    await s.close();
    const raw = openSqlite(path, driver);
    expect(String(raw.get('PRAGMA journal_mode')!.journal_mode)).toBe('wal');
    expect(raw.all('SELECT version FROM schema_migrations').map((r) => r.version)).toEqual([1]);
    raw.close();
  });

  it('refuses a database written by a newer registry', async () => {
    const path = dbFile();
    await openSqliteStore({ path, driver }).close();
    const raw = openSqlite(path, driver);
    raw.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')");
    raw.close();
    expect(() => openSqliteStore({ path, driver })).toThrow(/schema version 99, newer/);
  });

  it('publishes immutable versions: same bytes is a no-op, other bytes a conflict', async () => {
    const s = openSqliteStore({ path: dbFile(), driver });
    const a = await s.publish(plugin('1.0.0', 'a'.repeat(64)), 'pub');
    expect(a.created).toBe(true);
    expect((await s.publish(plugin('1.0.0', 'a'.repeat(64)), 'pub')).created).toBe(false);
    await expect(s.publish(plugin('1.0.0', 'b'.repeat(64)), 'pub')).rejects.toMatchObject({ code: 'SPH_ERR_CONFLICT' });
    expect(await s.getComponent('acme/kpi', '1.0.0')).toEqual(plugin('1.0.0', '').bytes);
    expect((await s.listPlugins({ publisher: 'acme' })).map((p) => [p.version, p.status])).toEqual([['1.0.0', 'active']]);
    const st = await s.setStatus('acme/kpi', '1.0.0', 'deprecated', 'use 2.x', 'admin');
    expect(st.plugin.status).toBe('deprecated');
    await expect(s.setStatus('acme/kpi', '9.0.0', 'deprecated', undefined, 'admin')).rejects.toMatchObject({ code: 'SPH_ERR_NOT_FOUND' });
    await s.close();
  });

  it('bumps the snapshot version on every revoke and restore, and keeps it across reopen', async () => {
    const path = dbFile();
    const s = openSqliteStore({ path, driver });
    expect((await s.revocations()).version).toBe(0);
    expect((await s.revoke({ id: 'acme/kpi', version: '*', reason: 'r1' }, 'admin')).snapshotVersion).toBe(1);
    expect((await s.revoke({ id: 'acme/kpi', version: '1.0.0', digest: 'c'.repeat(64), reason: 'r2' }, 'admin')).snapshotVersion).toBe(2);
    expect((await s.restore({ id: 'acme/kpi', version: '*' }, 'admin')).snapshotVersion).toBe(3);
    await expect(s.restore({ id: 'acme/none' }, 'admin')).rejects.toMatchObject({ code: 'SPH_ERR_NOT_FOUND' });
    await s.close();
    const again = openSqliteStore({ path, driver });
    const state = await again.revocations();
    expect(state.version).toBe(3);
    expect(state.revoked).toEqual([expect.objectContaining({ id: 'acme/kpi', version: '1.0.0', digest: 'c'.repeat(64), reason: 'r2' })]);
    await again.close();
  });

  it('appends a hash-chained audit entry for every action, and the chain verifies', async () => {
    const s = openSqliteStore({ path: dbFile(), driver });
    await s.publish(plugin('1.0.0', 'a'.repeat(64)), 'pub');
    await s.revoke({ id: 'acme/kpi', version: '1.0.0', reason: 'r' }, 'admin');
    await s.restore({ id: 'acme/kpi', reason: 'fixed' }, 'admin');
    await s.setStatus('acme/kpi', '1.0.0', 'maintenance', undefined, 'admin');
    const entries = await s.auditEntries(0, 100);
    expect(entries.map((e) => [e.seq, e.action, e.actor, e.subject])).toEqual([
      [1, 'publish', 'pub', 'acme/kpi@1.0.0'],
      [2, 'revoke', 'admin', 'acme/kpi@1.0.0'],
      [3, 'restore', 'admin', 'acme/kpi@*'],
      [4, 'set-status', 'admin', 'acme/kpi@1.0.0'],
    ]);
    expect(entries[0]!.prevHash).toBe(GENESIS_HASH);
    expect(verifyChain(entries)).toEqual(await s.auditHead());
    await s.close();
  });

  it('refuses to update or delete audit entries, and the chain catches edits made around that', async () => {
    const path = dbFile();
    const s = openSqliteStore({ path, driver });
    for (let i = 0; i < 3; i++) await s.revoke({ id: 'acme/kpi', version: `1.0.${i}`, reason: `r${i}` }, 'admin');
    await s.close();
    const raw = openSqlite(path, driver);
    expect(() => raw.run("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => raw.run('DELETE FROM audit_log WHERE seq = 2')).toThrow(/append-only/);
    raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    raw.run("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
    raw.close();
    const s2 = openSqliteStore({ path, driver });
    let err: unknown;
    try {
      verifyChain(await s2.auditEntries(0, 100));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'SPH_ERR_AUDIT_CHAIN_BROKEN', details: { seq: 2, reason: 'hash' } });
    const entries = await s2.auditEntries(0, 100);
    expect(() => verifyChain([entries[0]!, entries[2]!])).toThrow(/entry 2 is missing/);
    expect(() => verifyChain([entries[1]!, entries[0]!])).toThrow(/entry 1 is missing/);
    await s2.close();
  });
});
