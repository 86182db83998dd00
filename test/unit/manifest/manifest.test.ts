import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/manifest/manifest.js';

const good = {
  id: 'acme/kpi-card',
  version: '1.2.0',
  displayName: 'KPI card',
  description: 'Shows one metric with its trend.',
  world: 'summit:widget/widget@0.1.0',
  component: 'dist/kpi-card.wasm',
  capabilities: { egress: { allowedHosts: ['api.acme.example', '*.cdn.acme.example'] } },
  limits: { cpuMs: 200 },
  samples: [{ name: 'default', input: { props: { label: 'Revenue', value: 1234.5 } } }],
};

describe('manifest', () => {
  it('accepts the DESIGN.md example and freezes it', () => {
    const m = parseManifest(good);
    expect(m.id).toBe('acme/kpi-card');
    expect(m.limits).toEqual({ cpuMs: 200 });
    expect(m.capabilities.egress.allowedHosts).toHaveLength(2);
    expect(Object.isFrozen(m.samples[0])).toBe(true);
  });

  it('lists every problem with its path', () => {
    try {
      parseManifest({ ...good, id: 'Acme', version: '1', limits: { cpuMs: 900, gpu: 1 }, capabilitys: {} });
      expect.unreachable();
    } catch (err) {
      const e = err as { code: string; details: { problems: string[] } };
      expect(e.code).toBe('SPH_ERR_INVALID_MANIFEST');
      const p = e.details.problems.join('\n');
      expect(p).toContain('/capabilitys: unknown field');
      expect(p).toContain('/id: expected publisher/name');
      expect(p).toContain('/version: expected a semantic version');
      expect(p).toContain('/limits/cpuMs: 900 is over the cap');
      expect(p).toContain('/limits/gpu: unknown limit');
    }
  });

  it('only allows the egress capability', () => {
    expect(() => parseManifest({ ...good, capabilities: { filesystem: {} } })).toThrow(/widgets may only request egress/);
  });
});
