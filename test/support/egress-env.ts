// Real network pieces for the egress tests, all on loopback: a forward proxy in its own process
// (forward-proxy.js), origin servers (node:http / node:https on 127.0.0.1) and a throwaway CA.
//
// Origins are reached by names under `.origin.test`, which only the proxy resolves, and the
// proxy's outgoing connections leave from 127.0.0.2. So an origin can tell proxied connections
// (remote address 127.0.0.2) from anything else, and the host could not reach an origin by name
// even if it tried to go around the proxy.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const proxyScript = fileURLToPath(new URL('./forward-proxy.js', import.meta.url));
export const PROXY_SOURCE_ADDRESS = '127.0.0.2';
export const ORIGIN_SUFFIX = '.origin.test';

export interface ProxyEvent {
  event: 'listening' | 'connect' | 'request' | 'tls-error';
  target?: string;
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  port?: number;
  message?: string;
}

export interface TestProxy {
  url: string;
  port: number;
  events: ProxyEvent[];
  /** Tunnels and forwarded requests the proxy handled (what reached it). */
  traffic(): ProxyEvent[];
  stop(): Promise<void>;
}

export interface ProxyTlsFiles {
  cert: string;
  key: string;
  ca?: string;
  requireClientCert?: boolean;
}

export async function startProxy(tls?: ProxyTlsFiles, opts: { routes?: Record<string, string> } = {}): Promise<TestProxy> {
  const args = [proxyScript, '--resolve', `${ORIGIN_SUFFIX}=127.0.0.1`, '--local-address', PROXY_SOURCE_ADDRESS];
  for (const [from, to] of Object.entries(opts.routes ?? {})) args.push('--route', `${from}=${to}`);
  if (tls) {
    args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
    if (tls.ca) args.push('--tls-ca', tls.ca);
    if (tls.requireClientCert) args.push('--require-client-cert');
  }
  // stdin is a pipe the proxy watches: it exits when this process does, even on a crash.
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: ProxyEvent[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test proxy did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`the test proxy exited with ${code}`)));
    lines.on('line', (line) => {
      const e = JSON.parse(line) as ProxyEvent;
      events.push(e);
      if (e.event === 'listening') {
        clearTimeout(timer);
        resolve(e.port!);
      }
    });
  });
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    events,
    traffic: () => events.filter((e) => e.event === 'connect' || e.event === 'request'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface OriginRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  remoteAddress: string;
}

export interface TestOrigin {
  /** A name only the proxy resolves, e.g. svc-1.origin.test */
  name: string;
  port: number;
  /** name:port */
  authority: string;
  /** Remote address of every TCP connection the origin accepted. */
  connections: string[];
  requests: OriginRequest[];
  close(): Promise<void>;
}

let originCount = 0;

export type OriginHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export async function startOrigin(handler: OriginHandler, opts: { tls?: { cert: string; key: string }; name?: string } = {}): Promise<TestOrigin> {
  const requests: OriginRequest[] = [];
  const connections: string[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, remoteAddress: req.socket.remoteAddress! });
      handler(req, res, body);
    });
  };
  const server = opts.tls ? https.createServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, onRequest) : http.createServer(onRequest);
  server.on('connection', (s: Socket) => connections.push(s.remoteAddress!));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const name = opts.name ?? `svc-${++originCount}${ORIGIN_SUFFIX}`;
  return {
    name,
    port,
    authority: `${name}:${port}`,
    connections,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** A TCP server that accepts connections and never answers: a proxy that hangs. */
export async function startBlackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface TestCerts {
  dir: string;
  ca: string;
  /** For *.origin.test and status.acme.example (the service-status sample's host) */
  originCert: string;
  originKey: string;
  /** For the proxy at 127.0.0.1 */
  proxyCert: string;
  proxyKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throwaway CA and three leaf certificates, made with the openssl CLI (P-256, one day). */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'sph-certs-'));
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=summit test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  const leaf = (name: string, subject: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  };
  leaf('origin', '/CN=origin.test', `subjectAltName=DNS:*${ORIGIN_SUFFIX},DNS:status.acme.example\nextendedKeyUsage=serverAuth\n`);
  leaf('proxy', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', '/CN=summit host', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: f('ca.pem'),
    originCert: f('origin.pem'),
    originKey: f('origin.key'),
    proxyCert: f('proxy.pem'),
    proxyKey: f('proxy.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

/** Every connection an origin accepted came from the proxy (never straight from the host). */
export function onlyFromProxy(origin: TestOrigin): boolean {
  return origin.connections.every((a) => a === PROXY_SOURCE_ADDRESS || a === `::ffff:${PROXY_SOURCE_ADDRESS}`);
}
