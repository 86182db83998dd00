import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComponentPreparer } from '../../../src/component/prepare.js';
import { fixtureComponent } from '../../support/fixtures.js';

const opts = (cacheDir: string | false) => ({ memoryBytes: 256 << 20, tableElements: 1 << 20, cacheDir });

describe('component preparation', () => {
  it('a second process reuses the instrumented modules from disk (no transpile, no instrumentation)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-prep-'));
    const bytes = await fixtureComponent('good');
    const first = await new ComponentPreparer(dir).prepare(bytes, opts(dir));
    expect(first.source).toBe('prepared');
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
    const second = await new ComponentPreparer(dir).prepare(bytes, opts(dir));
    expect(second.source).toBe('disk-cache');
    expect(second.timings.transpileMs + second.timings.instrumentMs).toBe(0);
    expect(second.key).toBe(first.key);
    expect([...second.coreModules.keys()]).toEqual([...first.coreModules.keys()]);
  });

  it('a damaged cache entry is rebuilt, not trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-prep-'));
    const bytes = await fixtureComponent('echo');
    const first = await new ComponentPreparer(dir).prepare(bytes, opts(dir));
    const entry = join(dir, 'prepared-v1', first.key);
    expect(readdirSync(entry)).toContain('meta.json');
    writeFileSync(join(entry, 'meta.json'), '{ not json');
    const again = await new ComponentPreparer(dir).prepare(bytes, opts(dir));
    expect(again.source).toBe('prepared');
  });

  it('the same bytes in one process are prepared once, even when asked concurrently', async () => {
    const p = new ComponentPreparer(false);
    const bytes = await fixtureComponent('counter');
    const [a, b] = await Promise.all([p.prepare(bytes, opts(false)), p.prepare(bytes, opts(false))]);
    expect(a).toBe(b);
    expect(await p.prepare(bytes, opts(false))).toBe(a);
  });

  it('a different memory cap is a different cache entry', async () => {
    const p = new ComponentPreparer(false);
    const bytes = await fixtureComponent('good');
    const a = await p.prepare(bytes, opts(false));
    const b = await p.prepare(bytes, { ...opts(false), memoryBytes: 64 << 20 });
    expect(a.key).not.toBe(b.key);
    expect(a.digest).toBe(b.digest);
  });

  it('a component sharing code with one prepared before re-instruments only the changed functions, to the same bytes', async () => {
    // Two builds of one widget that differ in one constant of render(): the other functions
    // come from the body cache. The instrumented modules (read back from the disk entries) must
    // equal those of a preparer without the cache.
    const a = await fixtureComponent('fuel-work', { ITERATIONS: 10 });
    const b = await fixtureComponent('fuel-work', { ITERATIONS: 20 });
    const withCache = mkdtempSync(join(tmpdir(), 'sph-prep-'));
    const without = mkdtempSync(join(tmpdir(), 'sph-prep-'));
    const p = new ComponentPreparer(withCache);
    const first = await p.prepare(a, opts(withCache));
    expect(first.bodies.rewritten).toBeGreaterThan(1);
    const second = await p.prepare(b, opts(withCache));
    expect(second.bodies).toEqual({ reused: first.bodies.rewritten + first.bodies.reused - 1, rewritten: 1 });
    const plain = new ComponentPreparer(without, { instrumentCacheBytes: 0 });
    const reference = await plain.prepare(b, opts(without));
    expect(reference.bodies).toEqual({ reused: 0, rewritten: 0 });
    expect(p.bodyCacheStats?.entries).toBeGreaterThan(0);
    expect(plain.bodyCacheStats).toBeUndefined();
    const core = (dir: string, key: string) => {
      const entry = join(dir, 'prepared-v1', key);
      return readdirSync(entry).filter((f) => f.startsWith('core-')).sort().map((f) => readFileSync(join(entry, f)));
    };
    const ours = core(withCache, second.key);
    const theirs = core(without, reference.key);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.map((m) => m.toString('hex'))).toEqual(theirs.map((m) => m.toString('hex')));
  });
});
