import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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
});
