import { describe, expect, it } from 'vitest';
import { capPercent, capsOf, completeInput } from '../../../src/authoring/render-input.js';
import { DEFAULT_LIMITS } from '../../../src/config/limits.js';
import { fuelForCpuMs } from '../../../src/sandbox/calibration.js';

describe('render input', () => {
  it('completes a sample to the shape the Summit UI sends; the sample wins', () => {
    expect(completeInput(undefined)).toEqual({ props: {}, context: { tenant: 'local-dev', locale: 'en-US', theme: 'light' }, state: null });
    expect(completeInput({ props: [1], context: { locale: 'de-DE', extra: 1 }, state: { a: 1 } })).toEqual({
      props: [1],
      context: { tenant: 'local-dev', locale: 'de-DE', theme: 'light', extra: 1 },
      state: { a: 1 },
    });
  });

  it('reports each cap share in percent with one decimal', () => {
    const p = capPercent({ fuel: Number(fuelForCpuMs(500)) / 4, cpuMs: 50, memoryBytes: 128 * 1048576, wallMs: 1500, }, 1024, DEFAULT_LIMITS);
    expect(p).toEqual({ fuel: 25, cpuMs: 10, memoryBytes: 50, wallMs: 100, outputBytes: 0.1 });
    expect(capPercent({ fuel: null, cpuMs: 1, memoryBytes: 0, wallMs: 1 }, 0, DEFAULT_LIMITS).fuel).toBeNull();
    expect(capsOf({ ...DEFAULT_LIMITS, cpuMs: 200 })).toMatchObject({ cpuMs: 200, fuel: Number(fuelForCpuMs(200)) });
  });
});
