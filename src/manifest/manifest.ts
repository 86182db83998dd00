// summit-plugin.json: partners write it, so validation is strict (unknown fields are errors)
// and every problem is listed with its JSON pointer and what was expected. The same rules are
// published for editors as schema/summit-plugin.schema.json; test/unit/manifest/schema.test.ts
// keeps the two in agreement over a corpus of manifests.
import { readFile } from 'node:fs/promises';
import { InvalidManifestError } from '../errors.js';
import { DEFAULT_LIMITS, WASM_PAGE_BYTES, type Limits } from '../config/limits.js';

export interface ManifestSample {
  name: string;
  /** The render input: `{ props, context?, state? }` (wit/widget.wit). */
  input: { props?: unknown; context?: Record<string, unknown>; state?: unknown };
}

/** WASI features compiled into a JavaScript widget's engine (componentize-js). */
export type BuildFeature = 'clocks' | 'random' | 'stdio';
export const BUILD_FEATURES: readonly BuildFeature[] = ['clocks', 'random', 'stdio'];

export interface Manifest {
  id: string;
  version: string;
  displayName?: string;
  description?: string;
  world: string;
  /** The built component, relative to the manifest (default `dist/<name>.wasm`). */
  component: string;
  /** How `summit-plugin build` makes the component (defaults filled). */
  build: { entry: string; features: BuildFeature[] };
  capabilities: { egress: { allowedHosts: string[] } };
  limits: Partial<Pick<Limits, 'cpuMs' | 'memoryBytes' | 'wallMs' | 'outputBytes'>>;
  samples: ManifestSample[];
}

export interface ManifestProblem {
  /** JSON pointer of the offending value ("" is the whole document). */
  path: string;
  message: string;
}

export const SUPPORTED_WORLD = 'summit:widget/widget@0.1.0';
export const DEFAULT_ENTRY = 'src/widget.ts';

// Each part of the id: 1-64 lowercase letters and digits, single hyphens inside.
const ID = /^(?=[^/]{1,64}\/)[a-z0-9]+(?:-[a-z0-9]+)*\/(?=[^/]{1,64}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
// The forms src/egress/allowed-hosts.ts accepts: api.example.com, *.example.com,
// api.example.com:8443, http://api.example.com (port 1-65535).
const HOST = /^(?:https?:\/\/)?(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::(?!0{1,5}$)(?:\d{1,4}|[0-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5]))?$/;
export const ALLOWED_HOST_FORMS = 'api.example.com, *.example.com, api.example.com:8443 or http://api.example.com';
// Relative, forward slashes, no "..": the manifest must not point outside its project.
const REL_PATH = /^(?![/\\])(?!.*\\)(?!(?:.*\/)?\.\.(?:\/|$))(?!.*\/\/).+$/;
const COMPONENT = /\.wasm$/;
const ENTRY = /\.(ts|mts|js|mjs)$/;

const TOP = ['$schema', 'id', 'version', 'displayName', 'description', 'world', 'component', 'build', 'capabilities', 'limits', 'samples'];
const MANIFEST_LIMITS = ['cpuMs', 'memoryBytes', 'wallMs', 'outputBytes'] as const;
const MIN_LIMIT: Record<(typeof MANIFEST_LIMITS)[number], number> = { cpuMs: 1, memoryBytes: WASM_PAGE_BYTES, wallMs: 1, outputBytes: 1 };
const SAMPLE_INPUT = ['props', 'context', 'state'];
export const MAX_SAMPLES = 32;
export const MAX_ALLOWED_HOSTS = 64;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (xs: readonly string[]) => xs.join(', ');

/** The name part of `publisher/name`. */
export function manifestName(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}

export function parseManifest(value: unknown, source = 'summit-plugin.json'): Manifest {
  const problems: ManifestProblem[] = [];
  const need = (ok: boolean, path: string, message: string): boolean => {
    if (!ok) problems.push({ path, message });
    return ok;
  };
  const fail = (): never => {
    const lines = problems.map((p) => `${p.path || '/'}: ${p.message}`);
    throw new InvalidManifestError(`${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${lines.join('; ')}`, {
      problems: lines,
      issues: problems,
    });
  };
  if (!need(isObject(value), '', 'expected a JSON object') || !isObject(value)) return fail();
  const unknownFields = (obj: Record<string, unknown>, path: string, allowed: readonly string[], what = 'field') => {
    for (const k of Object.keys(obj)) need(allowed.includes(k), `${path}/${k}`, `unknown ${what} (expected one of ${list(allowed)})`);
  };
  unknownFields(value, '', TOP);
  const str = (k: string, required: boolean, max = 500): boolean => {
    const v = value[k];
    if (v === undefined) return need(!required, `/${k}`, 'required field is missing') && false;
    return need(typeof v === 'string' && v.length > 0 && v.length <= max, `/${k}`, `expected a non-empty string of at most ${max} characters`);
  };
  const path = (v: unknown, at: string, ext: RegExp, what: string) =>
    need(typeof v === 'string' && v.length > 0 && v.length <= 500 && REL_PATH.test(v) && ext.test(v), at, `expected a relative path inside the project ending in ${what}, like ${what === '.wasm' ? 'dist/widget.wasm' : 'src/widget.ts'}`);

  str('$schema', false);
  if (str('id', true, 129)) need(ID.test(value.id as string), '/id', 'expected publisher/name in lowercase letters, digits and single hyphens, each part 1-64 characters (like acme/kpi-card)');
  if (str('version', true, 100)) need(SEMVER.test(value.version as string), '/version', 'expected a semantic version like 1.2.0');
  str('displayName', false, 100);
  str('description', false);
  if (str('world', true)) need(value.world === SUPPORTED_WORLD, '/world', `expected ${SUPPORTED_WORLD}`);
  if (value.component !== undefined) path(value.component, '/component', COMPONENT, '.wasm');

  const build: Manifest['build'] = { entry: DEFAULT_ENTRY, features: [] };
  if (value.build !== undefined && need(isObject(value.build), '/build', 'expected an object with entry and/or features') && isObject(value.build)) {
    const b = value.build;
    unknownFields(b, '/build', ['entry', 'features']);
    if (b.entry !== undefined && path(b.entry, '/build/entry', ENTRY, '.ts, .mts, .js or .mjs')) build.entry = b.entry as string;
    if (b.features !== undefined && need(Array.isArray(b.features), '/build/features', `expected an array of ${list(BUILD_FEATURES)}`) && Array.isArray(b.features)) {
      b.features.forEach((f, i) => {
        if (!need(BUILD_FEATURES.includes(f as BuildFeature), `/build/features/${i}`, `expected one of ${list(BUILD_FEATURES)} (egress is requested under capabilities)`)) return;
        if (need(!build.features.includes(f as BuildFeature), `/build/features/${i}`, `"${f}" is listed twice`)) build.features.push(f as BuildFeature);
      });
    }
  }

  const allowedHosts: string[] = [];
  if (value.capabilities !== undefined && need(isObject(value.capabilities), '/capabilities', 'expected an object') && isObject(value.capabilities)) {
    const caps = value.capabilities;
    unknownFields(caps, '/capabilities', ['egress'], 'capability (widgets may only request egress)');
    if (caps.egress !== undefined && need(isObject(caps.egress), '/capabilities/egress', 'expected an object with allowedHosts') && isObject(caps.egress)) {
      unknownFields(caps.egress, '/capabilities/egress', ['allowedHosts']);
      const hosts = caps.egress.allowedHosts;
      if (hosts === undefined) need(false, '/capabilities/egress/allowedHosts', 'required field is missing');
      else if (need(Array.isArray(hosts) && hosts.length <= MAX_ALLOWED_HOSTS, '/capabilities/egress/allowedHosts', `expected an array of at most ${MAX_ALLOWED_HOSTS} host names`) && Array.isArray(hosts)) {
        hosts.forEach((h, i) => {
          if (need(typeof h === 'string' && h.length <= 300 && HOST.test(h), `/capabilities/egress/allowedHosts/${i}`, `expected a host like ${ALLOWED_HOST_FORMS}`)) {
            allowedHosts.push(h as string);
          }
        });
      }
    }
  }

  const limits: Manifest['limits'] = {};
  if (value.limits !== undefined && need(isObject(value.limits), '/limits', 'expected an object') && isObject(value.limits)) {
    for (const [k, v] of Object.entries(value.limits)) {
      if (!need((MANIFEST_LIMITS as readonly string[]).includes(k), `/limits/${k}`, `unknown limit (expected one of ${list(MANIFEST_LIMITS)})`)) continue;
      const key = k as (typeof MANIFEST_LIMITS)[number];
      if (!need(typeof v === 'number' && Number.isInteger(v) && v >= MIN_LIMIT[key], `/limits/${k}`, `expected an integer of at least ${MIN_LIMIT[key]}`)) continue;
      if (!need((v as number) <= DEFAULT_LIMITS[key], `/limits/${k}`, `${v} is over the cap of ${DEFAULT_LIMITS[key]} (limits may only lower the caps)`)) continue;
      limits[key] = v as number;
    }
  }

  const samples: ManifestSample[] = [];
  if (value.samples !== undefined && need(Array.isArray(value.samples) && value.samples.length <= MAX_SAMPLES, '/samples', `expected an array of at most ${MAX_SAMPLES} samples`) && Array.isArray(value.samples)) {
    value.samples.forEach((s, i) => {
      const at = `/samples/${i}`;
      if (!need(isObject(s), at, 'expected an object with name and input') || !isObject(s)) return;
      unknownFields(s, at, ['name', 'input']);
      let ok = true;
      if (s.name === undefined) ok = need(false, `${at}/name`, 'required field is missing');
      else ok = need(typeof s.name === 'string' && s.name.length > 0 && s.name.length <= 100, `${at}/name`, 'expected a non-empty string of at most 100 characters');
      if (s.input === undefined) ok = need(false, `${at}/input`, 'required field is missing') && ok;
      else if (need(isObject(s.input), `${at}/input`, 'expected an object like {"props": {...}}') && isObject(s.input)) {
        const input = s.input;
        const before = problems.length;
        unknownFields(input, `${at}/input`, SAMPLE_INPUT);
        if (input.context !== undefined) need(isObject(input.context), `${at}/input/context`, 'expected an object like {"locale": "de-DE"}');
        ok = ok && problems.length === before;
      } else ok = false;
      // A copy: freezing the result must not freeze the caller's objects.
      if (ok) samples.push({ name: s.name as string, input: structuredClone(s.input) as ManifestSample['input'] });
    });
  }

  if (problems.length > 0) return fail();
  const m: Manifest = {
    id: value.id as string,
    version: value.version as string,
    world: value.world as string,
    component: (value.component as string | undefined) ?? `dist/${manifestName(value.id as string)}.wasm`,
    build,
    capabilities: { egress: { allowedHosts } },
    limits,
    samples,
  };
  if (value.displayName !== undefined) m.displayName = value.displayName as string;
  if (value.description !== undefined) m.description = value.description as string;
  return deepFreeze(m);
}

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidManifestError(`cannot read manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      problems: [`/: cannot read the file`],
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidManifestError(`${path} is not valid JSON: ${(err as Error).message}`, { problems: [`/: not valid JSON (${(err as Error).message})`] });
  }
  return parseManifest(json, path);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
