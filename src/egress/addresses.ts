// What a request's authority names: a host name, a loopback name, or an IP literal (and which
// kind of address). The host never resolves names (that would be traffic leaving the host that
// is not to the proxy): names that resolve to private addresses are the proxy's to refuse.
import { BlockList, isIP } from 'node:net';
import { DEFAULT_PORT, type Scheme, type Target } from './allowed-hosts.js';

const special = (entries: [string, number, 'ipv4' | 'ipv6', string][]) => {
  return entries.map(([a, p, f, kind]) => {
    const list = new BlockList();
    list.addSubnet(a, p, f);
    return { list, family: f, kind };
  });
};

// Checked in order; the first match names the kind in messages.
const RANGES = special([
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (carrier-grade NAT)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['ff00::', 8, 'ipv6', 'multicast'],
]);

/** `::ffff:127.0.0.1` (URL parsing writes it `::ffff:7f00:1`) is 127.0.0.1: check mapped addresses as IPv4. */
export function unmapIpv4(ip: string): string {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (dotted) return dotted[1]!;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return ip;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export function addressKind(ip: string): string {
  const addr = unmapIpv4(ip);
  const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
  for (const r of RANGES) if (r.family === family && r.list.check(addr, family)) return r.kind;
  return 'public';
}

export function inRanges(list: BlockList, ip: string): boolean {
  const addr = unmapIpv4(ip);
  return list.check(addr, isIP(addr) === 4 ? 'ipv4' : 'ipv6');
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback']);

/** Names every resolver maps to loopback (RFC 6761 reserves `localhost` and `*.localhost`). */
export function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.endsWith('.localhost');
}

export type ParsedOrigin =
  | { ok: true; target: Target; ip: string | null; origin: string; authority: string }
  | { ok: false; reason: 'uri-invalid' | 'scheme-not-allowed' | 'credentials-in-url'; message: string };

/**
 * `https://api.example.com:8443` -> target. WHATWG URL parsing normalizes case, punycode and
 * the many spellings of an IPv4 address (`0x7f.1`, `2130706433`), so `127.0.0.1` cannot hide.
 */
export function parseOrigin(origin: string): ParsedOrigin {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { ok: false, reason: 'uri-invalid', message: `${JSON.stringify(origin)} is not a valid URL` };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') {
    return { ok: false, reason: 'scheme-not-allowed', message: `the scheme ${url.protocol} is not allowed: use https (or http, if the manifest lists http://host)` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'credentials-in-url', message: 'credentials in the URL are not allowed: send an Authorization header instead' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { ok: false, reason: 'uri-invalid', message: `${JSON.stringify(origin)} is not an origin` };
  }
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return { ok: false, reason: 'uri-invalid', message: 'the request has no host' };
  const port = url.port === '' ? DEFAULT_PORT[scheme as Scheme] : Number(url.port);
  const ip = isIP(host) ? host : null;
  const authority = `${ip && ip.includes(':') ? `[${host}]` : host}${port === DEFAULT_PORT[scheme as Scheme] ? '' : `:${port}`}`;
  return { ok: true, target: { scheme: scheme as Scheme, host, port }, ip, origin: `${scheme}://${authority}`, authority };
}

/** The authority a Host header names, normalized the same way, for comparison. */
export function normalizeHostHeader(value: string, scheme: Scheme): string | null {
  if (/[\s/?#@\\]/.test(value) || value === '') return null;
  const parsed = parseOrigin(`${scheme}://${value}`);
  return parsed.ok ? parsed.authority : null;
}
