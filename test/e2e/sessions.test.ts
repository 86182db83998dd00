// Widget sessions (HostOptions.instanceReuse): renders of one plug-in for one tenant may reuse
// the instance the previous successful render left; never across tenants, never after a
// failure. The fixture counts its renders in a global, so the output says which instance ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin, PluginHost, RenderError } from '../../src/index.js';
import { WASM_PAGE_BYTES } from '../../src/config/limits.js';
import { fixtureComponent } from '../support/fixtures.js';
import { rejection, testHost } from '../support/host.js';

let host: PluginHost;
let plugin: Plugin;

beforeAll(async () => {
  host = testHost();
  plugin = await host.load(await fixtureComponent('session-counter'), { id: 'test/session-counter' });
});
afterAll(() => host.close());

const render = async (tenant: string | undefined, input = '', opts: { fresh?: boolean } = {}) => {
  const r = await host.render(plugin, input, { ...(tenant !== undefined ? { tenant } : {}), ...opts });
  return { out: r.output, instance: r.instance, usage: r.usage };
};

describe('widget sessions', () => {
  it('a tenant reuses its instance; another tenant never sees it', async () => {
    const a1 = await render('a');
    expect(a1.out).toBe('01');
    expect(a1.instance).not.toBe('reused');
    const a2 = await render('a');
    const a3 = await render('a');
    expect([a2.out, a3.out]).toEqual(['02', '03']);
    expect([a2.instance, a3.instance]).toEqual(['reused', 'reused']);
    // The reused render pays only for itself.
    expect(a2.usage.fuel).toBeLessThanOrEqual(a1.usage.fuel!);
    expect((await render('b')).out).toBe('01');
    expect((await render('a')).out).toBe('04');
    expect((await render('b')).out).toBe('02');
  });

  it('without a tenant every render gets a fresh instance', async () => {
    for (let i = 0; i < 3; i++) expect(await render(undefined)).toMatchObject({ out: '01' });
  });

  it('a failed render discards the instance: the next one starts fresh', async () => {
    expect((await render('c')).out).toBe('01');
    expect((await render('c')).out).toBe('02');
    const err = await rejection<RenderError>(host.render(plugin, 't', { tenant: 'c' }));
    expect(err.code).toBe('SPH_ERR_PLUGIN_TRAP');
    const after = await render('c');
    expect(after.out).toBe('01');
    expect(after.instance).not.toBe('reused');
  });

  it('fresh: true starts the session over, and the session goes on from the new instance', async () => {
    await render('d');
    await render('d');
    expect((await render('d', '', { fresh: true })).out).toBe('01');
    expect((await render('d')).out).toBe('02');
  });

  it('memory an instance grew stays counted in the usage of later renders', async () => {
    const first = await render('e', 'g');
    const second = await render('e');
    expect(second.instance).toBe('reused');
    expect(second.usage.memoryBytes).toBe(first.usage.memoryBytes);
    const third = await render('e', 'g');
    expect(third.usage.memoryBytes).toBe(first.usage.memoryBytes + 16 * WASM_PAGE_BYTES);
  });

  it('a lower cap for one call does not take an instance made under the plug-in caps', async () => {
    await render('f');
    const r = await host.render(plugin, '', { tenant: 'f', limits: { cpuMs: 100 } });
    expect(r.output).toBe('01');
    expect(r.instance).not.toBe('reused');
  });

  it('unloading the plug-in drops its session instances', async () => {
    const p = await host.load(await fixtureComponent('counter'), { id: 'test/counter' });
    await host.render(p, '', { tenant: 'g' });
    await host.render(p, '', { tenant: 'g' });
    const before = host.stats.sessions;
    expect(before).toBeGreaterThan(0);
    host.unload(p);
    await expect.poll(() => host.stats.sessions, { timeout: 5000 }).toBeLessThan(before);
  });
});

describe('instanceReuse: none', () => {
  it('gives every render a fresh instance, tenant or not', async () => {
    const h = testHost({ instanceReuse: 'none' });
    try {
      const p = await h.load(await fixtureComponent('session-counter'), { id: 'test/session-counter' });
      for (let i = 0; i < 3; i++) expect((await h.render(p, '', { tenant: 'a' })).output).toBe('01');
      expect(h.stats.sessions).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('is validated', () => {
    expect(() => testHost({ instanceReuse: 'always' as never })).toThrow(/instanceReuse must be "tenant" or "none"/);
    expect(() => testHost({ sessionIdleMs: 5 })).toThrow(/sessionIdleMs must be an integer from 100/);
  });
});

describe('sessionIdleMs', () => {
  it('drops a session instance nobody rendered with for that long', async () => {
    const h = testHost({ sessionIdleMs: 300 });
    try {
      const p = await h.load(await fixtureComponent('session-counter'), { id: 'test/session-counter' });
      await h.render(p, '', { tenant: 'a' });
      expect((await h.render(p, '', { tenant: 'a' })).output).toBe('02');
      expect(h.stats.sessions).toBe(1);
      await expect.poll(() => h.stats.sessions, { timeout: 5000, interval: 50 }).toBe(0);
      expect((await h.render(p, '', { tenant: 'a' })).output).toBe('01');
    } finally {
      await h.close();
    }
  });
});
