// Host-wide egress options (createHost({ egress })): validated once, defaults filled, frozen.
// Without `proxyUrl` there is no egress at all: every request a plug-in makes is refused.
import { BlockList, isIP } from 'node:net';
import { InvalidArgError } from '../errors.js';

/** PEM text or bytes. */
export type Pem = string | Uint8Array;

export interface EgressOptions {
  /** The mesh proxy (`http://` or `https://`), e.g. the sidecar's local address. None: no egress. */
  proxyUrl?: string | URL | undefined;
  /** TLS to the proxy when `proxyUrl` is https: extra CA, and a client certificate and key for meshes that require one. */
  proxyTls?: { ca?: Pem | Pem[]; cert?: Pem; key?: Pem; servername?: string };
  /** Extra CA for origins (TLS inside the CONNECT tunnel); Node's bundle is always trusted too. */
  originCa?: Pem | Pem[];
  /**
   * IP ranges (CIDR) an operator explicitly permits as literal destinations. Empty (the default):
   * every IP literal, `localhost` name and private/link-local address is refused, even if a manifest
   * lists it. A manifest must still list the literal (`10.1.2.3:8080`) for it to be reachable.
   */
  allowIpRanges?: string[];
  /** Methods a plug-in may use (default GET, HEAD, POST). */
  methods?: string[];
  /** Requests per invocation, refused ones and redirect hops included (default 8). */
  maxRequests?: number;
  /** Redirect hops the host follows per request, each through the policy (default 3; 0: the guest sees the 3xx). */
  maxRedirects?: number;
  /** Request body bytes per invocation, all requests together (default 256 KiB). */
  requestBodyBytes?: number;
  /** Response body bytes per invocation, all requests together (default 1 MiB). */
  responseBodyBytes?: number;
  /** Header section bytes of one request or response (default 16 KiB). */
  headerBytes?: number;
  /** Deadline of one request, connect to last byte; always cut short of the wall cap (default 1000 ms). */
  timeoutMs?: number;
}

export interface ResolvedEgressOptions {
  readonly proxyUrl: string | null;
  readonly proxyTls: Readonly<{ ca?: Pem[]; cert?: Pem; key?: Pem; servername?: string }> | null;
  readonly originCa: readonly Pem[] | null;
  readonly allowIpRanges: readonly string[];
  readonly methods: readonly string[];
  readonly maxRequests: number;
  readonly maxRedirects: number;
  readonly requestBodyBytes: number;
  readonly responseBodyBytes: number;
  readonly headerBytes: number;
  readonly timeoutMs: number;
}

export const DEFAULT_EGRESS = Object.freeze({
  methods: Object.freeze(['GET', 'HEAD', 'POST']),
  maxRequests: 8,
  maxRedirects: 3,
  requestBodyBytes: 256 * 1024,
  responseBodyBytes: 1024 * 1024,
  headerBytes: 16 * 1024,
  timeoutMs: 1000,
});

const KNOWN = new Set([
  'proxyUrl', 'proxyTls', 'originCa', 'allowIpRanges', 'methods', 'maxRequests', 'maxRedirects',
  'requestBodyBytes', 'responseBodyBytes', 'headerBytes', 'timeoutMs',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const isPem = (v: unknown): v is Pem => (typeof v === 'string' && v.length > 0) || v instanceof Uint8Array;

/** Parses `10.0.0.0/8`, `::1/128` or a bare address into a BlockList entry; null when malformed. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [address = '', bits, extra] = text.split('/');
  if (extra !== undefined) return null;
  const v = isIP(address);
  if (v === 0) return null;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family };
}

export function ipRangeList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) {
    const c = parseCidr(r);
    if (c) list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

export function resolveEgressOptions(input: EgressOptions | undefined): ResolvedEgressOptions {
  const o = input ?? {};
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new InvalidArgError('egress options must be an object');
  const problems: string[] = [];
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) problems.push(`egress.${key} is not an option (expected one of ${[...KNOWN].join(', ')})`);

  let proxyUrl: string | null = null;
  if (o.proxyUrl !== undefined && o.proxyUrl !== null && o.proxyUrl !== '') {
    try {
      const u = new URL(String(o.proxyUrl));
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`egress.proxyUrl must be http:// or https://, got ${u.protocol}`);
      else if (u.pathname !== '/' || u.search || u.hash) problems.push('egress.proxyUrl must be an origin (scheme, host, port) without a path');
      else proxyUrl = u.href;
    } catch {
      problems.push(`egress.proxyUrl is not a URL: ${JSON.stringify(String(o.proxyUrl))}`);
    }
  }

  let proxyTls: ResolvedEgressOptions['proxyTls'] = null;
  if (o.proxyTls !== undefined) {
    const t = o.proxyTls;
    if (typeof t !== 'object' || t === null) problems.push('egress.proxyTls must be an object with ca, cert, key');
    else {
      for (const k of Object.keys(t)) if (!['ca', 'cert', 'key', 'servername'].includes(k)) problems.push(`egress.proxyTls.${k} is not an option (ca, cert, key, servername)`);
      const ca = t.ca === undefined ? undefined : Array.isArray(t.ca) ? t.ca : [t.ca];
      if (ca && !ca.every(isPem)) problems.push('egress.proxyTls.ca must be PEM text or bytes (or a list of them)');
      if (t.cert !== undefined && !isPem(t.cert)) problems.push('egress.proxyTls.cert must be PEM text or bytes');
      if (t.key !== undefined && !isPem(t.key)) problems.push('egress.proxyTls.key must be PEM text or bytes');
      if ((t.cert === undefined) !== (t.key === undefined)) problems.push('egress.proxyTls needs both cert and key for a client certificate');
      if (t.servername !== undefined && typeof t.servername !== 'string') problems.push('egress.proxyTls.servername must be a string');
      proxyTls = Object.freeze({
        ...(ca ? { ca } : {}),
        ...(t.cert !== undefined ? { cert: t.cert } : {}),
        ...(t.key !== undefined ? { key: t.key } : {}),
        ...(t.servername !== undefined ? { servername: t.servername } : {}),
      });
      if (proxyUrl && !proxyUrl.startsWith('https:')) problems.push('egress.proxyTls is set but egress.proxyUrl is not https://');
    }
  }

  let originCa: Pem[] | null = null;
  if (o.originCa !== undefined) {
    originCa = Array.isArray(o.originCa) ? o.originCa : [o.originCa];
    if (!originCa.every(isPem)) problems.push('egress.originCa must be PEM text or bytes (or a list of them)');
  }

  const allowIpRanges = o.allowIpRanges ?? [];
  if (!Array.isArray(allowIpRanges)) problems.push('egress.allowIpRanges must be a list of CIDR ranges like "10.0.0.0/8"');
  else for (const r of allowIpRanges) if (typeof r !== 'string' || !parseCidr(r)) problems.push(`egress.allowIpRanges: ${JSON.stringify(r)} is not an address or CIDR range`);

  const methods = o.methods ?? DEFAULT_EGRESS.methods;
  if (!Array.isArray(methods) || methods.length === 0) problems.push('egress.methods must be a non-empty list of HTTP methods');
  else for (const m of methods) if (typeof m !== 'string' || !TOKEN.test(m) || m === 'CONNECT') problems.push(`egress.methods: ${JSON.stringify(m)} is not an allowed HTTP method`);

  const int = (key: keyof typeof DEFAULT_EGRESS, min: number): number => {
    const v = (o as Record<string, unknown>)[key] ?? DEFAULT_EGRESS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push(`egress.${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
      return DEFAULT_EGRESS[key] as number;
    }
    return v;
  };
  const resolved: ResolvedEgressOptions = {
    proxyUrl,
    proxyTls,
    originCa: originCa ? Object.freeze(originCa) : null,
    allowIpRanges: Object.freeze(Array.isArray(allowIpRanges) ? [...allowIpRanges] : []),
    methods: Object.freeze(Array.isArray(methods) ? methods.map((m) => String(m).toUpperCase()) : [...DEFAULT_EGRESS.methods]),
    maxRequests: int('maxRequests', 0),
    maxRedirects: int('maxRedirects', 0),
    requestBodyBytes: int('requestBodyBytes', 0),
    responseBodyBytes: int('responseBodyBytes', 0),
    headerBytes: int('headerBytes', 1024),
    timeoutMs: int('timeoutMs', 1),
  };
  if (problems.length > 0) throw new InvalidArgError(`invalid egress options: ${problems.join('; ')}`, { problems });
  return Object.freeze(resolved);
}
