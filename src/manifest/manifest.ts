// summit-plugin.json: partners write it, so validation is strict (unknown fields are errors)
// and every problem is listed with its path and what was expected.
import { readFile } from 'node:fs/promises';
import { InvalidManifestError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../config/limits.js';
import { ALLOWED_HOST_FORMS, parseAllowedHost } from '../egress/allowed-hosts.js';

export interface ManifestSample {
  name: string;
  input: unknown;
}

export interface Manifest {
  id: string;
  version: string;
  displayName?: string;
  description?: string;
  world: string;
  component?: string;
  capabilities: { egress: { allowedHosts: string[] } };
  limits: Partial<Pick<Limits, 'cpuMs' | 'memoryBytes' | 'wallMs' | 'outputBytes'>>;
  samples: ManifestSample[];
}

export const SUPPORTED_WORLD = 'summit:widget/widget@0.1.0';
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const TOP = ['id', 'version', 'displayName', 'description', 'world', 'component', 'capabilities', 'limits', 'samples'];
const MANIFEST_LIMITS = ['cpuMs', 'memoryBytes', 'wallMs', 'outputBytes'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseManifest(value: unknown, source = 'summit-plugin.json'): Manifest {
  const problems: string[] = [];
  const need = (ok: boolean, msg: string) => {
    if (!ok) problems.push(msg);
    return ok;
  };
  if (!isObject(value)) throw new InvalidManifestError(`${source}: expected a JSON object`, { problems: ['/: expected an object'] });
  for (const k of Object.keys(value)) need(TOP.includes(k), `/${k}: unknown field (expected one of ${TOP.join(', ')})`);
  const str = (k: string, required: boolean) => {
    const v = value[k];
    if (v === undefined) return need(!required, `/${k}: required`);
    return need(typeof v === 'string' && v.length > 0 && v.length <= 500, `/${k}: expected a non-empty string`);
  };
  if (str('id', true)) need(ID.test(value.id as string), '/id: expected publisher/name in lowercase letters, digits and hyphens');
  if (str('version', true)) need(SEMVER.test(value.version as string), '/version: expected a semantic version like 1.2.0');
  str('displayName', false);
  str('description', false);
  if (str('world', true)) need(value.world === SUPPORTED_WORLD, `/world: expected ${SUPPORTED_WORLD}`);
  str('component', false);

  const allowedHosts: string[] = [];
  if (value.capabilities !== undefined) {
    const caps = value.capabilities;
    if (need(isObject(caps), '/capabilities: expected an object') && isObject(caps)) {
      for (const k of Object.keys(caps)) need(k === 'egress', `/capabilities/${k}: unknown capability (widgets may only request egress)`);
      if (caps.egress !== undefined && need(isObject(caps.egress), '/capabilities/egress: expected an object') && isObject(caps.egress)) {
        for (const k of Object.keys(caps.egress)) need(k === 'allowedHosts', `/capabilities/egress/${k}: unknown field (expected allowedHosts)`);
        const hosts = caps.egress.allowedHosts;
        if (need(Array.isArray(hosts), '/capabilities/egress/allowedHosts: expected an array of host names') && Array.isArray(hosts)) {
          hosts.forEach((h, i) => {
            if (need(typeof h === 'string' && parseAllowedHost(h) !== null, `/capabilities/egress/allowedHosts/${i}: expected a host like ${ALLOWED_HOST_FORMS}`)) {
              allowedHosts.push(h as string);
            }
          });
        }
      }
    }
  }

  const limits: Manifest['limits'] = {};
  if (value.limits !== undefined && need(isObject(value.limits), '/limits: expected an object') && isObject(value.limits)) {
    for (const [k, v] of Object.entries(value.limits)) {
      if (!need((MANIFEST_LIMITS as readonly string[]).includes(k), `/limits/${k}: unknown limit (expected one of ${MANIFEST_LIMITS.join(', ')})`)) continue;
      const key = k as (typeof MANIFEST_LIMITS)[number];
      if (!need(typeof v === 'number' && Number.isInteger(v) && v > 0, `/limits/${k}: expected a positive integer`)) continue;
      if (!need((v as number) <= DEFAULT_LIMITS[key], `/limits/${k}: ${v} is over the cap of ${DEFAULT_LIMITS[key]} (limits may only lower the caps)`)) continue;
      limits[key] = v as number;
    }
  }

  const samples: ManifestSample[] = [];
  if (value.samples !== undefined && need(Array.isArray(value.samples), '/samples: expected an array') && Array.isArray(value.samples)) {
    value.samples.forEach((s, i) => {
      if (!need(isObject(s), `/samples/${i}: expected an object with name and input`) || !isObject(s)) return;
      for (const k of Object.keys(s)) need(k === 'name' || k === 'input', `/samples/${i}/${k}: unknown field (expected name, input)`);
      const okName = need(typeof s.name === 'string' && s.name.length > 0, `/samples/${i}/name: expected a non-empty string`);
      const okInput = need(isObject(s.input), `/samples/${i}/input: expected an object like {"props": {...}}`);
      if (okName && okInput) samples.push({ name: s.name as string, input: s.input });
    });
  }

  if (problems.length > 0) {
    throw new InvalidManifestError(`${source} is invalid: ${problems.join('; ')}`, { problems });
  }
  const m: Manifest = {
    id: value.id as string,
    version: value.version as string,
    world: value.world as string,
    capabilities: { egress: { allowedHosts } },
    limits,
    samples,
  };
  if (value.displayName !== undefined) m.displayName = value.displayName as string;
  if (value.description !== undefined) m.description = value.description as string;
  if (value.component !== undefined) m.component = value.component as string;
  return deepFreeze(m);
}

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidManifestError(`cannot read manifest ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidManifestError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseManifest(json, path);
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
