// Request headers a guest may not send as they are: hop-by-hop headers (they describe the
// guest's connection, which does not exist), proxy credentials (the mesh's, never a plug-in's),
// and the ones undici computes itself (host from the origin, content-length from the body).

export type HeaderMap = Record<string, string | string[]>;

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);
/** Recomputed by undici from the origin and body, or unsupported by it. */
const COMPUTED = new Set(['host', 'content-length', 'expect']);

export const INVOCATION_HEADER = 'x-summit-invocation-id';

/** Normalizes undici's header forms (object, flat list, list of pairs) into lowercase name -> values. */
export function toHeaderMap(headers: unknown): HeaderMap {
  const out: HeaderMap = {};
  const add = (k: unknown, v: unknown) => {
    const name = String(k).toLowerCase();
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    const cur = out[name];
    if (cur === undefined) out[name] = values.length === 1 ? values[0]! : values;
    else out[name] = [...(Array.isArray(cur) ? cur : [cur]), ...values];
  };
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) for (const [k, v] of headers as [unknown, unknown][]) add(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(headers[i], headers[i + 1]);
  } else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) add(k, v);
  }
  return out;
}

export const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Bytes of the header section as sent on the wire (name: value CRLF). */
export function headerBytes(h: HeaderMap): number {
  let n = 0;
  for (const [k, v] of Object.entries(h)) for (const x of values(v)) n += k.length + x.length + 4;
  return n;
}

/** Drops hop-by-hop, proxy and computed headers, and those the Connection header names. */
export function sanitize(h: HeaderMap, invocationId: string): { headers: HeaderMap; stripped: string[] } {
  const named = new Set(values(h.connection).flatMap((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)));
  const headers: HeaderMap = {};
  const stripped: string[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (HOP_BY_HOP.has(k) || COMPUTED.has(k) || named.has(k) || k === INVOCATION_HEADER) {
      if (k !== 'host' && k !== 'content-length') stripped.push(k);
      continue;
    }
    headers[k] = v;
  }
  headers[INVOCATION_HEADER] = invocationId;
  return { headers, stripped };
}
