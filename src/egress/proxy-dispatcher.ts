// The only way out: an undici ProxyAgent to the mesh proxy, or, with no proxy configured, a
// dispatcher that refuses everything. There is no third dispatcher, so there is no code path on
// which a plug-in's request connects anywhere but to the proxy.
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { Dispatcher, Pool, ProxyAgent } from 'undici';
import { denial } from './error-code.js';
import type { ResolvedEgressOptions } from './options.js';

/** Fails every request with `no-proxy`, without touching the network. */
export class NoProxyDispatcher extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const err = denial('no-proxy', 'no mesh proxy is configured, so plug-ins have no network: set egress.proxyUrl (summit-plugin: --egress-proxy or SUMMIT_EGRESS_PROXY)');
    const controller = { abort() {}, pause() {}, resume() {}, aborted: true, paused: false, reason: err } as unknown as Dispatcher.DispatchController;
    queueMicrotask(() => handler.onResponseError?.(controller, err));
    return true;
  }
  override close(): Promise<void> {
    return Promise.resolve();
  }
  override destroy(): Promise<void> {
    return Promise.resolve();
  }
}

type Connector = (opts: { servername?: string | null }, callback: (err: Error | null, socket: unknown) => void) => unknown;

/**
 * Two corrections to how undici connects, applied to every pool:
 * - undici treats a socket closed while connecting as recoverable and reconnects for the queued
 *   request, over and over. When the proxy closes the connection while a tunnel is being opened
 *   (say, a mesh that wants a client certificate we do not have), that loop would last until
 *   the request's deadline: report it as the connection failure it is.
 * - ProxyAgent names the proxy's host as TLS server name even when it is an IP address
 *   (`https://127.0.0.1:15001`, a common sidecar address); Node 26 refuses that outright. An IP
 *   is never a server name: leave it out and the certificate is checked against the IP.
 */
function settleTunnelErrors(connect: Connector): Connector {
  return (opts, callback) =>
    connect(opts.servername && isIP(opts.servername) ? { ...opts, servername: null } : opts, (err, socket) => {
      if (err && (err as { code?: string }).code === 'UND_ERR_SOCKET') {
        callback(Object.assign(new Error(`the mesh proxy closed the connection while opening it: ${err.message}`, { cause: err }), { code: 'SPH_PROXY_CLOSED' }), socket);
      } else callback(err, socket);
    });
}

const asText = (p: string | Uint8Array) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8'));

export function createProxyDispatcher(o: ResolvedEgressOptions): Dispatcher {
  if (!o.proxyUrl) return new NoProxyDispatcher();
  // Every pool (to the proxy for plain-http forwarding, to an origin inside a CONNECT tunnel)
  // gets the same bounds: response header size, and timeouts no longer than a request may take.
  const bounds = { maxHeaderSize: o.headerBytes, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs, connectTimeout: o.timeoutMs };
  const factory = (origin: string | URL, opts: { connect?: Connector }) =>
    new Pool(origin, { ...opts, ...bounds, ...(typeof opts.connect === 'function' ? { connect: settleTunnelErrors(opts.connect) } : {}) } as Pool.Options);
  const tls = o.proxyTls;
  return new ProxyAgent({
    uri: o.proxyUrl,
    // http origins: absolute-form requests to the proxy (what forward proxies expect);
    // https origins: a CONNECT tunnel, TLS end to end with the origin.
    proxyTunnel: false,
    factory,
    clientFactory: factory,
    ...bounds,
    proxyTls: {
      timeout: o.timeoutMs,
      ...(tls?.ca ? { ca: tls.ca.map(asText) } : {}),
      ...(tls?.cert ? { cert: asText(tls.cert) } : {}),
      ...(tls?.key ? { key: asText(tls.key) } : {}),
      ...(tls?.servername ? { servername: tls.servername } : {}),
    },
    ...(o.originCa ? { requestTls: { ca: [...rootCertificates, ...o.originCa.map(asText)] } } : {}),
  } as ProxyAgent.Options);
}
