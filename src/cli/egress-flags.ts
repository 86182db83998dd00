// The egress flags of the local tools (run, dev, check): DESIGN.md 4.2, the plug-in's allowed
// hosts come from its manifest, the mesh proxy from --egress-proxy or SUMMIT_EGRESS_PROXY;
// neither given: no egress, every request is refused.
import { readFile } from 'node:fs/promises';
import type { EgressOptions } from '../egress/options.js';
import { UsageError } from './output.js';

export const EGRESS_FLAGS = {
  'egress-proxy': { type: 'string' },
  'egress-proxy-ca': { type: 'string' },
  'egress-proxy-cert': { type: 'string' },
  'egress-proxy-key': { type: 'string' },
} as const;

export const EGRESS_HELP = `  --egress-proxy <url>        mesh proxy for the plug-in's HTTP requests (default: $SUMMIT_EGRESS_PROXY);
                              neither given: no egress, every request is refused. Allowed hosts come
                              from the manifest (capabilities.egress.allowedHosts)
  --egress-proxy-ca <file>    CA of an https:// proxy
  --egress-proxy-cert <file>  client certificate for a proxy that requires one (with --egress-proxy-key)
  --egress-proxy-key <file>   its private key
`;

/** DESIGN.md 4.2: the proxy from --egress-proxy or SUMMIT_EGRESS_PROXY; neither: no egress. */
export async function egressOptions(values: Record<string, string | boolean | undefined>): Promise<EgressOptions> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const proxyUrl = str('egress-proxy') ?? (process.env.SUMMIT_EGRESS_PROXY || undefined);
  const file = async (flag: string) => {
    const path = str(flag);
    if (path === undefined) return undefined;
    try {
      return await readFile(path, 'utf8');
    } catch {
      throw new UsageError(`--${flag}: cannot read ${path}`);
    }
  };
  const [ca, cert, key] = [await file('egress-proxy-ca'), await file('egress-proxy-cert'), await file('egress-proxy-key')];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--egress-proxy-cert and --egress-proxy-key go together');
  if (proxyUrl !== undefined) {
    try {
      const u = new URL(proxyUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`the egress proxy must be an http:// or https:// URL, got "${proxyUrl}"`);
    }
  }
  const tls = ca || cert ? { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } : undefined;
  if (tls && !proxyUrl?.startsWith('https:')) throw new UsageError('--egress-proxy-ca/-cert/-key need an https:// --egress-proxy');
  return { ...(proxyUrl ? { proxyUrl } : {}), ...(tls ? { proxyTls: tls } : {}) };
}

