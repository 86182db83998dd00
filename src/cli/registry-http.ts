// The CLI's side of the registry API: one request helper, the --registry / --token flags and
// their environment variables, and the exit-status mapping (a refused request exits 1 with the
// registry's error code; an unreachable registry exits 1 with SPH_ERR_REGISTRY_UNAVAILABLE).
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { RegistryUnavailableError, SphError, deserializeError } from '../errors.js';
import { DEFAULT_REGISTRY_PORT } from '../registry/server/options.js';
import { UsageError } from './output.js';

export const DEFAULT_REGISTRY_URL = `http://127.0.0.1:${DEFAULT_REGISTRY_PORT}`;

export const CONNECTION_OPTIONS = {
  registry: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
} as const;

export const CONNECTION_HELP = `  --registry <url>    registry URL (default $SUMMIT_REGISTRY_URL or ${DEFAULT_REGISTRY_URL})
  --token <jwt>       bearer token (default $SUMMIT_REGISTRY_TOKEN)
  --token-file <f>    read the bearer token from a file
`;

export interface Connection {
  url: string;
  token: string | undefined;
}

export function connection(values: { registry?: string; token?: string; 'token-file'?: string }, needToken = true): Connection {
  const raw = values.registry ?? process.env.SUMMIT_REGISTRY_URL ?? DEFAULT_REGISTRY_URL;
  let url: string;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    url = u.href.endsWith('/') ? u.href : `${u.href}/`;
  } catch {
    throw new UsageError(`--registry must be an http(s) URL, got "${raw}"`);
  }
  let token = values.token ?? process.env.SUMMIT_REGISTRY_TOKEN;
  if (values['token-file'] !== undefined) {
    try {
      token = readFileSync(values['token-file'], 'utf8').trim();
    } catch {
      throw new UsageError(`cannot read token file ${values['token-file']}`);
    }
  }
  if (needToken && !token) throw new UsageError('this command needs a bearer token: pass --token <jwt>, --token-file <file> or set SUMMIT_REGISTRY_TOKEN');
  return { url, token };
}

/** Calls the registry; resolves with the JSON body of a 2xx answer, throws the coded error otherwise. */
export async function callRegistry<T = Record<string, unknown>>(c: Connection, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (c.token) headers.authorization = `Bearer ${c.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await request(new URL(path, c.url), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      headersTimeout: 30_000,
      bodyTimeout: 60_000,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RegistryUnavailableError(`cannot reach the registry at ${c.url}: ${e.code ?? e.message}; check --registry or SUMMIT_REGISTRY_URL`, { url: c.url });
  }
  const text = await res.body.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new RegistryUnavailableError(`the registry at ${c.url} answered HTTP ${res.statusCode} with a body that is not JSON: is this a Summit registry?`, { status: res.statusCode });
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return data as T;
  const e = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error;
  if (e && typeof e.code === 'string') throw Object.assign(deserializeError({ code: e.code, message: e.message ?? '', details: { ...(e.details ?? {}), status: res.statusCode } }), { status: res.statusCode });
  throw new RegistryUnavailableError(`the registry answered HTTP ${res.statusCode}`, { status: res.statusCode });
}

export function isSph(err: unknown): err is SphError {
  return SphError.isSphError(err);
}
