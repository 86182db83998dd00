import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KillSwitch } from '../../../src/registry/client/kill-switch.js';
import { signSnapshot, trustedKeys, type RevokedEntry } from '../../../src/registry/snapshot.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);

/** A kill switch on fake clocks (wall and monotonic move together unless told otherwise). */
function setup(stalenessMs = 30_000) {
  const clock = { wall: Date.parse('2026-01-01T00:00:00Z'), mono: 1000 };
  const ks = new KillSwitch({ trusted: trustedKeys([publicKey]), stalenessMs, now: () => clock.wall, monotonic: () => clock.mono });
  const advance = (ms: number) => {
    clock.wall += ms;
    clock.mono += ms;
  };
  const envelope = (version: number, revoked: RevokedEntry[] = [], o: { issuedOffsetMs?: number; ttlMs?: number } = {}) => {
    const issued = clock.wall + (o.issuedOffsetMs ?? 0);
    return signSnapshot({ version, issuedAt: new Date(issued).toISOString(), expiresAt: new Date(issued + (o.ttlMs ?? 120_000)).toISOString(), revoked }, privateKey);
  };
  return { ks, clock, advance, envelope };
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('kill switch', () => {
  it('refuses everything before the first snapshot (fail closed)', () => {
    const { ks } = setup();
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
  });

  it('matches by id (every version), by id and version, and by digest under any id', () => {
    const { ks, envelope } = setup();
    ks.offer(
      envelope(1, [
        { id: 'acme/all', version: '*', reason: 'gone' },
        { id: 'acme/one', version: '1.0.0', reason: 'bug' },
        { id: 'acme/build', version: '2.0.0', digest: D2, reason: 'bad build' },
      ]),
    );
    expect(codeOf(() => ks.check('acme/all', '9.9.9', D1))).toBe('SPH_ERR_REVOKED');
    expect(codeOf(() => ks.check('acme/one', '1.0.0', D1))).toBe('SPH_ERR_REVOKED');
    expect(codeOf(() => ks.check('acme/one', '1.0.1', D1))).toBeUndefined();
    expect(codeOf(() => ks.check('other/name', '3.0.0', D2))).toBe('SPH_ERR_REVOKED');
    expect(codeOf(() => ks.check('acme/build', '2.0.0', D1))).toBeUndefined();
    expect(codeOf(() => ks.check('acme/fine', '1.0.0', D1))).toBeUndefined();
    // A plug-in loaded without a version is refused by any revoked version of its id.
    expect(codeOf(() => ks.check('acme/one', undefined, D1))).toBe('SPH_ERR_REVOKED');
  });

  it('says why in the error', () => {
    const { ks, envelope } = setup();
    ks.offer(envelope(1, [{ id: 'acme/one', version: '1.0.0', reason: 'leaks tokens' }]));
    try {
      ks.check('acme/one', '1.0.0', D1);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/leaks tokens/);
      expect((err as { details: Record<string, unknown> }).details).toMatchObject({ id: 'acme/one', version: '1.0.0', snapshotVersion: 1 });
    }
  });

  it('goes stale past the bound and refuses until a newer issue arrives', () => {
    const { ks, envelope, advance } = setup(30_000);
    ks.offer(envelope(1));
    advance(29_000);
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBeUndefined();
    advance(2000);
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(ks.offer(envelope(1)).outcome).toBe('refreshed');
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBeUndefined();
  });

  it('counts freshness from issuedAt: a snapshot that arrives late is fresh for less', () => {
    const { ks, envelope, advance } = setup(30_000);
    ks.offer(envelope(1, [], { issuedOffsetMs: -20_000 }));
    advance(11_000);
    expect(ks.fresh).toBe(false);
  });

  it('never extends freshness for a snapshot that claims to be from the future (host clock behind)', () => {
    const { ks, envelope, advance } = setup(30_000);
    ks.offer(envelope(1, [], { issuedOffsetMs: 60_000 }));
    advance(30_001);
    expect(ks.fresh).toBe(false);
  });

  it('refuses a rollback to a lower version and keeps the newer list', () => {
    const { ks, envelope, advance } = setup();
    const old = envelope(4, []);
    advance(10);
    ks.offer(envelope(5, [{ id: 'acme/x', version: '*', reason: 'r' }]));
    expect(codeOf(() => ks.offer(old))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(ks.status().lastRejection?.reason).toBe('rollback');
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBe('SPH_ERR_REVOKED');
  });

  it('refuses two different lists under one version', () => {
    const { ks, envelope, advance } = setup();
    ks.offer(envelope(2, [{ id: 'acme/x', version: '*', reason: 'r' }]));
    advance(10);
    expect(codeOf(() => ks.offer(envelope(2, [])))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(ks.status().lastRejection?.reason).toBe('equivocation');
  });

  it('does not count a replay of the same issue as fresh (no freeze by replay)', () => {
    const { ks, envelope, advance } = setup(30_000);
    const env = envelope(1);
    ks.offer(env);
    advance(29_000);
    expect(ks.offer(env).outcome).toBe('unchanged');
    advance(2000);
    expect(ks.fresh).toBe(false);
  });

  it('refuses an expired snapshot even within the staleness bound', () => {
    const { ks, envelope, advance } = setup(30_000);
    ks.offer(envelope(1, [], { ttlMs: 5000 }));
    advance(6000);
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(codeOf(() => ks.offer(envelope(1, [], { issuedOffsetMs: -10_000, ttlMs: 5000 })))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
  });

  it('a restored (persisted) snapshot is a rollback floor, never fresh', () => {
    const { ks, envelope, advance } = setup();
    const saved = envelope(7, [{ id: 'acme/x', version: '*', reason: 'r' }]);
    advance(10);
    ks.restore(saved);
    expect(codeOf(() => ks.check('acme/y', '1.0.0', D1))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(codeOf(() => ks.offer(envelope(6)))).toBe('SPH_ERR_REGISTRY_UNAVAILABLE');
    expect(ks.offer(envelope(8)).outcome).toBe('updated');
    expect(codeOf(() => ks.check('acme/x', '1.0.0', D1))).toBeUndefined();
  });

  it('tells listeners about a new version, not about a refresh', () => {
    const { ks, envelope, advance } = setup();
    const seen: number[] = [];
    ks.onChange((s) => seen.push(s.version));
    ks.offer(envelope(1));
    advance(10);
    ks.offer(envelope(1));
    advance(10);
    ks.offer(envelope(2));
    expect(seen).toEqual([1, 2]);
  });
});
