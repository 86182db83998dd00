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

  it('fills defaults for component and build, and copies sample inputs before freezing', () => {
    const input = { props: { v: 1 } };
    const m = parseManifest({ id: 'acme/clock', version: '0.1.0', world: 'summit:widget/widget@0.1.0', samples: [{ name: 's', input }] });
    expect(m.component).toBe('dist/clock.wasm');
    expect(m.build).toEqual({ entry: 'src/widget.ts', features: [] });
    expect(m.samples[0]!.input).toEqual(input);
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('names each problem with a JSON pointer and what was expected', () => {
    try {
      parseManifest({ version: '1.0.0', world: 'x', build: { features: ['http'] }, samples: [{ name: 'a', input: { prop: 1 } }] }, 'w/summit-plugin.json');
      expect.unreachable();
    } catch (err) {
      const e = err as { message: string; details: { issues: { path: string; message: string }[] } };
      expect(e.details.issues.map((i) => i.path)).toEqual(['/id', '/world', '/build/features/0', '/samples/0/input/prop']);
      expect(e.message).toMatch(/^w\/summit-plugin.json is invalid \(4 problems\): \/id: required field is missing; /);
      expect(e.details.issues[2]!.message).toContain('egress is requested under capabilities');
    }
  });
});
