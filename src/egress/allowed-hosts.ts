// The manifest's `capabilities.egress.allowedHosts`: who a plug-in may talk to.
//
//   api.acme.example            https, port 443, exactly this name
//   *.cdn.acme.example          https, port 443, any name below cdn.acme.example (not itself)
//   api.acme.example:8443       https, exactly port 8443
//   http://status.acme.example  plain http (through the proxy), port 80: an explicit opt-in
//
// Names are compared after WHATWG URL normalization (lowercase, punycode, no trailing dot).
// Listing an IP literal or `localhost` is not enough to reach it: the host operator must also
// allow the address range (egress.allowIpRanges), see policy.ts.

export type Scheme = 'http' | 'https';

export interface AllowedHost {
  /** The entry as written. */
  readonly source: string;
  readonly scheme: Scheme;
  /** Exact name, or for a wildcard the suffix without `*.`. */
  readonly host: string;
  readonly wildcard: boolean;
  readonly port: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ENTRY = new RegExp(`^(?:(https?)://)?(\\*\\.)?(${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}))?$`);

export const DEFAULT_PORT: Readonly<Record<Scheme, number>> = { http: 80, https: 443 };

/** Parses one entry; null when it is not of the accepted forms. */
export function parseAllowedHost(entry: string): AllowedHost | null {
  if (typeof entry !== 'string' || entry.length > 300) return null;
  const m = ENTRY.exec(entry);
  if (!m) return null;
  const scheme = (m[1] ?? 'https') as Scheme;
  const port = m[4] === undefined ? DEFAULT_PORT[scheme] : Number(m[4]);
  if (port < 1 || port > 65535) return null;
  return Object.freeze({ source: entry, scheme, host: m[3]!, wildcard: m[2] !== undefined, port });
}

export const ALLOWED_HOST_FORMS = 'api.example.com, *.example.com, api.example.com:8443 or http://api.example.com';

/** Parses a list (from a manifest or load options); throws with every bad entry named. */
export function parseAllowedHosts(entries: readonly string[], where = 'allowedHosts'): readonly AllowedHost[] {
  const out: AllowedHost[] = [];
  const bad: string[] = [];
  entries.forEach((e, i) => {
    const parsed = parseAllowedHost(e);
    if (parsed) out.push(parsed);
    else bad.push(`${where}[${i}] ${JSON.stringify(e)}`);
  });
  if (bad.length > 0) throw new TypeError(`${bad.join(', ')}: expected a host like ${ALLOWED_HOST_FORMS}`);
  return Object.freeze(out);
}

export interface Target {
  scheme: Scheme;
  /** Normalized host name (lowercase, no trailing dot); IPv6 without brackets. */
  host: string;
  port: number;
}

export function hostMatches(entry: AllowedHost, host: string): boolean {
  return entry.wildcard ? host.endsWith(`.${entry.host}`) : host === entry.host;
}

/** The entry that allows this target, if any. */
export function findAllowed(list: readonly AllowedHost[], t: Target): AllowedHost | undefined {
  return list.find((e) => e.scheme === t.scheme && e.port === t.port && hostMatches(e, t.host));
}

/** Why no entry matched, for the message: the name is listed but with another scheme or port. */
export function nearMiss(list: readonly AllowedHost[], t: Target): AllowedHost | undefined {
  return list.find((e) => hostMatches(e, t.host));
}
