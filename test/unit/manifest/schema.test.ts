// The published JSON Schema (for editors) and the parser (what the host enforces) must agree:
// same verdict on every manifest of the corpus, and the same places named as wrong.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/manifest/manifest.js';
import pkg from '../../../package.json' with { type: 'json' };

const schema = JSON.parse(readFileSync(new URL('../../../schema/summit-plugin.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

const base = {
  $schema: './node_modules/summit-plugin-host/schema/summit-plugin.schema.json',
  id: 'acme/kpi-card',
  version: '1.2.0',
  world: 'summit:widget/widget@0.1.0',
};
const sample = (input: unknown, name: unknown = 'default') => ({ ...base, samples: [{ name, input }] });

const valid: [string, unknown][] = [
  ['minimal', { id: 'a/b', version: '0.0.1', world: 'summit:widget/widget@0.1.0' }],
  ['the DESIGN.md example', {
    id: 'acme/kpi-card', version: '1.2.0', displayName: 'KPI card', description: 'Shows one metric with its trend.',
    world: 'summit:widget/widget@0.1.0', component: 'dist/kpi-card.wasm',
    capabilities: { egress: { allowedHosts: ['api.acme.example', '*.cdn.acme.example'] } },
    limits: { cpuMs: 200 }, samples: [{ name: 'default', input: { props: { label: 'Revenue', value: 1234.5 } } }],
  }],
  ['prerelease and build metadata', { ...base, version: '1.0.0-rc.1+build.7' }],
  ['build section', { ...base, build: { entry: 'src/main.mts', features: ['clocks', 'stdio'] } }],
  ['empty build section', { ...base, build: {} }],
  ['every limit at the cap', { ...base, limits: { cpuMs: 500, memoryBytes: 268435456, wallMs: 1500, outputBytes: 1048576 } }],
  ['smallest memory', { ...base, limits: { memoryBytes: 65536 } }],
  ['host with port', { ...base, capabilities: { egress: { allowedHosts: ['api.acme.example:8443'] } } }],
  ['plain http host and an explicit https one', { ...base, capabilities: { egress: { allowedHosts: ['http://status.acme.example', 'https://api.acme.example:65535', 'a.example:00080'] } } }],
  ['no hosts', { ...base, capabilities: { egress: { allowedHosts: [] } } }],
  ['empty capabilities', { ...base, capabilities: {} }],
  ['sample with context and state', sample({ props: [1, 2], context: { locale: 'de-DE' }, state: { sort: 'name' } })],
  ['sample with null state and scalar props', sample({ props: 3, state: null })],
  ['sample with empty input', sample({})],
  ['64-character parts', { ...base, id: `${'a'.repeat(64)}/${'b'.repeat(64)}` }],
];

const invalid: [string, unknown][] = [
  ['not an object', []],
  ['null', null],
  ['nothing', {}],
  ['unknown top-level field', { ...base, capabilitys: {} }],
  ['uppercase id', { ...base, id: 'Acme/kpi' }],
  ['id without publisher', { ...base, id: 'kpi-card' }],
  ['id with double hyphen', { ...base, id: 'acme/kpi--card' }],
  ['id part too long', { ...base, id: `${'a'.repeat(65)}/b` }],
  ['id not a string', { ...base, id: 7 }],
  ['short version', { ...base, version: '1.2' }],
  ['version with leading zero', { ...base, version: '01.2.3' }],
  ['other world', { ...base, world: 'summit:widget/widget@0.2.0' }],
  ['absolute component', { ...base, component: '/tmp/x.wasm' }],
  ['component outside the project', { ...base, component: '../x.wasm' }],
  ['component with backslashes', { ...base, component: 'dist\\x.wasm' }],
  ['component not wasm', { ...base, component: 'dist/x.js' }],
  ['empty display name', { ...base, displayName: '' }],
  ['long display name', { ...base, displayName: 'x'.repeat(101) }],
  ['build not an object', { ...base, build: 'esbuild' }],
  ['unknown build field', { ...base, build: { minify: true } }],
  ['entry with other extension', { ...base, build: { entry: 'src/widget.py' } }],
  ['http as a build feature', { ...base, build: { features: ['http'] } }],
  ['duplicate build feature', { ...base, build: { features: ['clocks', 'clocks'] } }],
  ['features not an array', { ...base, build: { features: 'clocks' } }],
  ['unknown capability', { ...base, capabilities: { filesystem: {} } }],
  ['egress without allowedHosts', { ...base, capabilities: { egress: {} } }],
  ['egress with other field', { ...base, capabilities: { egress: { allowedHosts: [], ports: [] } } }],
  ['uppercase host', { ...base, capabilities: { egress: { allowedHosts: ['API.acme.example'] } } }],
  ['url with a path', { ...base, capabilities: { egress: { allowedHosts: ['https://api.acme.example/v1'] } } }],
  ['other scheme', { ...base, capabilities: { egress: { allowedHosts: ['ftp://api.acme.example'] } } }],
  ['port out of range', { ...base, capabilities: { egress: { allowedHosts: ['api.acme.example:65536'] } } }],
  ['port zero', { ...base, capabilities: { egress: { allowedHosts: ['api.acme.example:0'] } } }],
  ['wildcard in the middle', { ...base, capabilities: { egress: { allowedHosts: ['api.*.example'] } } }],
  ['limit over the cap', { ...base, limits: { cpuMs: 900 } }],
  ['unknown limit', { ...base, limits: { gpu: 1 } }],
  ['fractional limit', { ...base, limits: { wallMs: 10.5 } }],
  ['zero limit', { ...base, limits: { cpuMs: 0 } }],
  ['memory under one page', { ...base, limits: { memoryBytes: 1000 } }],
  ['limit as a string', { ...base, limits: { cpuMs: '200' } }],
  ['table limit is not a manifest limit', { ...base, limits: { tableElements: 10 } }],
  ['samples not an array', { ...base, samples: {} }],
  ['sample without input', { ...base, samples: [{ name: 'x' }] }],
  ['sample without name', { ...base, samples: [{ input: {} }] }],
  ['sample with empty name', sample({}, '')],
  ['sample input not an object', sample('props')],
  ['sample input with a typo', sample({ prop: {} })],
  ['sample context not an object', sample({ context: 'de-DE' })],
  ['sample with unknown field', { ...base, samples: [{ name: 'x', input: {}, inputs: {} }] }],
  ['too many samples', { ...base, samples: Array.from({ length: 33 }, (_, i) => ({ name: `s${i}`, input: {} })) }],
  ['many problems at once', { ...base, id: 'A', version: 'x', limits: { cpuMs: 9999, gpu: 1 }, build: { features: ['fetch'] }, extra: 1 }],
];

/** Ajv's error locations as JSON pointers of the offending value. */
function schemaPaths(): string[] {
  return (validate.errors ?? []).map((e) => {
    const p = e.params as { additionalProperty?: string; missingProperty?: string };
    if (e.keyword === 'additionalProperties') return `${e.instancePath}/${p.additionalProperty}`;
    if (e.keyword === 'required') return `${e.instancePath}/${p.missingProperty}`;
    return e.instancePath;
  });
}

function parserPaths(m: unknown): string[] | null {
  try {
    parseManifest(m);
    return null;
  } catch (err) {
    return (err as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path);
  }
}

describe('schema/summit-plugin.schema.json and the parser', () => {
  it('the schema ships with the package and is referenced by $schema in the scaffold', () => {
    expect(pkg.files).toContain('schema');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each(valid)('both accept: %s', (_name, m) => {
    expect(validate(m), JSON.stringify(validate.errors)).toBe(true);
    expect(parserPaths(m)).toBeNull();
  });

  it.each(invalid)('both refuse, at the same places: %s', (_name, m) => {
    expect(validate(m)).toBe(false);
    const fromParser = parserPaths(m);
    expect(fromParser).not.toBeNull();
    // Same set of locations (ajv may report one location more than once, or a list where the
    // parser names the item: compare by prefix).
    const fromSchema = [...new Set(schemaPaths())];
    for (const p of fromParser!) expect(fromSchema.some((s) => p === s || p.startsWith(`${s}/`)), `parser ${p} vs schema ${fromSchema}`).toBe(true);
    for (const s of fromSchema) expect(fromParser!.some((p) => p === s || p.startsWith(`${s}/`)), `schema ${s} vs parser ${fromParser}`).toBe(true);
  });
});
