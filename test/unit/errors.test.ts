import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { errorClasses, errorCodes, deserializeError, serializeError, SphError } from '../../src/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const tableCodes = [...readme.matchAll(/^\| (SPH_ERR_[A-Z_]+) \|/gm)].map((m) => m[1]);

describe('error codes', () => {
  it('README table, errors.ts and the classes agree', () => {
    // The table also documents the base class's own code, which no subclass uses.
    const documented = [...errorCodes, new SphError('x').code];
    expect(new Set(tableCodes)).toEqual(new Set(documented));
    expect(tableCodes.length).toBe(documented.length);
  });

  it.each(Object.entries(errorClasses))('%s is a coded SphError exported from the package', (code, Cls) => {
    const err = new Cls('message', { a: 1 });
    expect(err.code).toBe(code);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(SphError);
    expect(SphError.isSphError(err)).toBe(true);
    expect(err.name).toBe(Cls.name);
    expect((api as Record<string, unknown>)[Cls.name]).toBe(Cls);
  });

  it('round-trips across a thread boundary with its class and details', () => {
    const err = new errorClasses.SPH_ERR_FUEL_EXHAUSTED('out of fuel', { by: 'fuel' });
    const back = deserializeError(structuredClone(serializeError(err)));
    expect(back).toBeInstanceOf(errorClasses.SPH_ERR_FUEL_EXHAUSTED);
    expect(back.details).toEqual({ by: 'fuel' });
  });

  it('maps unknown errors to SPH_ERR_INTERNAL', () => {
    expect(serializeError(new TypeError('boom')).code).toBe('SPH_ERR_INTERNAL');
    expect(deserializeError({ code: 'SPH_ERR_NOPE', message: 'x' }).code).toBe('SPH_ERR_INTERNAL');
    expect(SphError.isSphError({ code: 'SPH_ERR_INTERNAL' })).toBe(false);
  });
});
