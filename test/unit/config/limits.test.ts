import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/config/limits.js';
import { resolveHostOptions } from '../../../src/config/host-options.js';

describe('limits', () => {
  it('defaults are the product guarantees', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ cpuMs: 500, memoryBytes: 256 * 1024 * 1024, wallMs: 1500, outputBytes: 1024 * 1024 });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it('may be lowered, and the result is frozen', () => {
    const l = resolveLimits(DEFAULT_LIMITS, { cpuMs: 100 }, { allowRaise: false, where: 'limits' });
    expect(l.cpuMs).toBe(100);
    expect(l.wallMs).toBe(1500);
    expect(Object.isFrozen(l)).toBe(true);
  });

  it('refuses raising outside development, naming the option', () => {
    expect(() => resolveLimits(DEFAULT_LIMITS, { cpuMs: 501 }, { allowRaise: false, where: 'limits' })).toThrow(
      expect.objectContaining({ code: 'SPH_ERR_INVALID_ARG', message: expect.stringContaining('limits.cpuMs = 501 exceeds the cap of 500') }),
    );
    expect(resolveLimits(DEFAULT_LIMITS, { cpuMs: 2000 }, { allowRaise: true, where: 'limits' }).cpuMs).toBe(2000);
  });

  it('lists every problem at once', () => {
    try {
      resolveLimits(DEFAULT_LIMITS, { cpuMs: -1, wallMs: 1.5, bogus: 1 }, { allowRaise: false, where: 'limits' });
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { problems: string[] } }).details.problems).toHaveLength(3);
    }
  });
});

describe('host options', () => {
  it('production mode is the default and refuses to start without a registry', () => {
    expect(() => resolveHostOptions({})).toThrow(/production mode needs a kill-switch registry/);
  });

  it('development mode fills defaults and freezes', () => {
    const o = resolveHostOptions({ mode: 'development', cacheDir: false, workers: 2 });
    expect(o.limits).toBe(DEFAULT_LIMITS);
    expect(o.workers).toBe(2);
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('rejects unknown options and bad values together', () => {
    expect(() => resolveHostOptions({ mode: 'development', workers: 0, nope: true } as never)).toThrow(
      expect.objectContaining({ code: 'SPH_ERR_INVALID_ARG', details: { problems: [expect.stringContaining('nope'), expect.stringContaining('workers')] } }),
    );
  });

  it('instrumentCacheBytes: 64 MiB by default, 0 turns it off, anything else must be a byte count', () => {
    expect(resolveHostOptions({ mode: 'development', cacheDir: false }).instrumentCacheBytes).toBe(64 * 1024 * 1024);
    expect(resolveHostOptions({ mode: 'development', cacheDir: false, instrumentCacheBytes: 0 }).instrumentCacheBytes).toBe(0);
    for (const bad of [-1, 1.5, '1000', Number.NaN]) {
      expect(() => resolveHostOptions({ mode: 'development', cacheDir: false, instrumentCacheBytes: bad as number })).toThrow(/instrumentCacheBytes must be a non-negative integer/);
    }
  });
});
