// The egress policy and dispatcher on the real path (undici -> a real forward proxy process ->
// origin servers on loopback), driven directly through an EgressService session: every bypass
// attempt is refused with its reason and guest error code, and nothing refused reaches the proxy.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressService } from '../../src/egress/egress-service.js';
import type { EgressLogEntry } from '../../src/egress/meter.js';
import { resolveEgressOptions, type EgressOptions } from '../../src/egress/options.js';
import type { GuestRequest } from '../../src/egress/protocol.js';
import {
  closedPort,
  makeCerts,
  onlyFromProxy,
  startBlackHole,
  startOrigin,
  startProxy,
  type TestCerts,
  type TestOrigin,
  type TestProxy,
} from '../support/egress-env.js';

let certs: TestCerts;
let proxy: TestProxy;
let origin: TestOrigin;
let secure: TestOrigin;
let other: TestOrigin;
const services: EgressService[] = [];

const BIG = 2 * 1024 * 1024;

beforeAll(async () => {
  certs = makeCerts();
  proxy = await startProxy();
  other = await startOrigin((_req, res) => res.end('other origin'));
  origin = await startOrigin((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    switch (url.pathname) {
      case '/echo':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
        return;
      case '/big':
        res.setHeader('content-length', BIG);
        res.end(Buffer.alloc(BIG, 97));
        return;
      case '/big-chunked': {
        let sent = 0;
        const more = () => {
          while (sent < BIG) {
            sent += 64 * 1024;
            if (!res.write(Buffer.alloc(64 * 1024, 98))) return void res.once('drain', more);
          }
          res.end();
        };
        more();
        return;
      }
      case '/sixty':
        res.end('x'.repeat(60));
        return;
      case '/redirect':
        res.statusCode = Number(url.searchParams.get('status') ?? 302);
        res.setHeader('location', url.searchParams.get('to')!);
        res.end('moved');
        return;
      case '/loop':
        res.statusCode = 302;
        res.setHeader('location', '/loop');
        res.end();
        return;
      default:
        res.end('hello');
    }
  });
  secure = await startOrigin((_req, res) => res.end('secure hello'), { tls: { cert: certs.originCert, key: certs.originKey } });
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await Promise.all([proxy?.stop(), origin?.close(), secure?.close(), other?.close()]);
});

function service(opts: EgressOptions = {}): EgressService {
  const s = new EgressService(resolveEgressOptions({ proxyUrl: proxy.url, originCa: readFileSync(certs.ca, 'utf8'), ...opts }));
  services.push(s);
  return s;
}

function session(s: EgressService, allowedHosts: string[], deadlineMs = 5000) {
  const logs: EgressLogEntry[] = [];
  const sess = s.session({ pluginId: 'test/policy', invocationId: 'inv-123', allowedHosts, deadline: performance.now() + deadlineMs, onLog: (e) => logs.push(e) });
  return { sess, logs };
}

const req = (authority: string, path = '/', extra: Partial<GuestRequest> = {}): GuestRequest => ({ method: 'GET', scheme: 'http', authority, path, headers: [], body: null, ...extra });
const text = (b: Uint8Array) => Buffer.from(b).toString();

describe('allowed requests go through the proxy', () => {
  it('plain http: forwarded by the proxy, hop-by-hop headers and proxy credentials stripped, invocation id added', async () => {
    const { sess, logs } = session(service(), [`http://${origin.authority}`]);
    const before = proxy.traffic().length;
    const r = await sess.fetch(
      req(origin.authority, '/echo?q=1', {
        method: 'POST',
        body: new TextEncoder().encode('payload'),
        headers: [
          ['Content-Type', 'text/plain'],
          ['Connection', 'x-hop'],
          ['X-Hop', 'drop me'],
          ['Proxy-Authorization', 'Basic c2VjcmV0'],
          ['Keep-Alive', 'timeout=5'],
          ['TE', 'trailers'],
          ['X-Summit-Invocation-Id', 'forged'],
          ['Authorization', 'Bearer partner-token'],
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    const seen = JSON.parse(text(r.body));
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('payload');
    expect(seen.headers.host).toBe(origin.authority);
    expect(seen.headers['x-summit-invocation-id']).toBe('inv-123');
    expect(seen.headers.authorization).toBe('Bearer partner-token');
    for (const h of ['x-hop', 'proxy-authorization', 'keep-alive', 'te']) expect(seen.headers[h]).toBeUndefined();
    // the proxy forwarded it (absolute-form request), and the origin's connection came from the proxy
    const traffic = proxy.traffic().slice(before);
    expect(traffic).toEqual([expect.objectContaining({ event: 'request', method: 'POST', url: `http://${origin.authority}/echo?q=1` })]);
    expect(traffic[0]!.headers!['proxy-authorization']).toBeUndefined();
    expect(onlyFromProxy(origin)).toBe(true);
    expect(sess.usage).toMatchObject({ requests: 1, denied: 0, failed: 0, bytesOut: 7, errors: [] });
    expect(logs).toEqual([expect.objectContaining({ outcome: 'ok', method: 'POST', origin: `http://${origin.authority}`, status: 200, bytesOut: 7 })]);
    expect(JSON.stringify(logs)).not.toContain('partner-token');
    expect(JSON.stringify(logs)).not.toContain('/echo');
  });

  it('https (the default): a CONNECT tunnel, TLS end to end with the origin', async () => {
    const { sess } = session(service(), [secure.authority]);
    const before = proxy.traffic().length;
    const r = await sess.fetch(req(secure.authority, '/', { scheme: 'https' }));
    expect(r).toMatchObject({ ok: true, status: 200 });
    if (r.ok) expect(text(r.body)).toBe('secure hello');
    expect(proxy.traffic().slice(before)).toEqual([expect.objectContaining({ event: 'connect', target: secure.authority })]);
    expect(onlyFromProxy(secure)).toBe(true);
  });

  it('a Host header that names the authority is accepted (and sent as the authority)', async () => {
    const { sess } = session(service(), [`http://${origin.authority}`]);
    const r = await sess.fetch(req(origin.authority, '/echo', { headers: [['Host', origin.authority.toUpperCase()]] }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(text(r.body)).headers.host).toBe(origin.authority);
  });
});

describe('refused before anything leaves the host', () => {
  const cases: [string, () => { allowed: string[]; request: GuestRequest; opts?: EgressOptions }, string, string][] = [
    ['a host not in the manifest', () => ({ allowed: [`http://${origin.authority}`], request: req(other.authority) }), 'host-not-allowed', 'HTTP-request-denied'],
    ['the right host on another port', () => ({ allowed: [`http://${origin.name}:1`], request: req(origin.authority) }), 'host-not-allowed', 'HTTP-request-denied'],
    ['plain http to a host allowed for https only', () => ({ allowed: [origin.authority], request: req(origin.authority) }), 'host-not-allowed', 'HTTP-request-denied'],
    ['the apex of a wildcard', () => ({ allowed: ['*.svc.origin.test'], request: req('svc.origin.test', '/', { scheme: 'https' }) }), 'host-not-allowed', 'HTTP-request-denied'],
    ['a lookalike suffix', () => ({ allowed: ['*.origin.test'], request: req('evil-origin.test', '/', { scheme: 'https' }) }), 'host-not-allowed', 'HTTP-request-denied'],
    ['an IP literal, even when listed', () => ({ allowed: [`http://127.0.0.1:${origin.port}`], request: req(`127.0.0.1:${origin.port}`) }), 'ip-literal', 'destination-IP-prohibited'],
    ['a hex IP literal', () => ({ allowed: [`http://127.0.0.1:${origin.port}`], request: req(`0x7f.1:${origin.port}`) }), 'ip-literal', 'destination-IP-prohibited'],
    ['a decimal IP literal', () => ({ allowed: ['http://2130706433'], request: req('2130706433') }), 'ip-literal', 'destination-IP-prohibited'],
    ['an IPv4-mapped IPv6 literal', () => ({ allowed: [], request: req(`[::ffff:127.0.0.1]:${origin.port}`) }), 'ip-literal', 'destination-IP-prohibited'],
    ['the cloud metadata address', () => ({ allowed: ['http://169.254.169.254'], request: req('169.254.169.254', '/latest/meta-data/') }), 'ip-literal', 'destination-IP-prohibited'],
    ['localhost, even when listed', () => ({ allowed: [`http://localhost:${origin.port}`], request: req(`localhost:${origin.port}`) }), 'loopback-name', 'destination-IP-prohibited'],
    ['a private address allowed by range but not listed', () => ({ allowed: [], request: req(`127.0.0.1:${origin.port}`), opts: { allowIpRanges: ['127.0.0.0/8'] } }), 'host-not-allowed', 'HTTP-request-denied'],
    ['credentials in the URL', () => ({ allowed: [`http://${origin.authority}`], request: req(`user:pw@${origin.authority}`) }), 'credentials-in-url', 'HTTP-request-denied'],
    ['a Host header naming another host', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { headers: [['Host', other.authority]] }) }), 'host-header-mismatch', 'HTTP-request-denied'],
    ['a second Host header', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { headers: [['Host', origin.authority], ['host', other.authority]] }) }), 'host-header-mismatch', 'HTTP-request-denied'],
    ['a method outside GET, HEAD, POST', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { method: 'DELETE' }) }), 'method-not-allowed', 'HTTP-request-denied'],
    ['CONNECT', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { method: 'CONNECT' }) }), 'method-not-allowed', 'HTTP-request-denied'],
    ['another scheme', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { scheme: 'ftp' }) }), 'scheme-not-allowed', 'HTTP-request-denied'],
    ['a path that is not origin-form', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, 'http://evil.example/') }), 'uri-invalid', 'HTTP-request-URI-invalid'],
    ['headers over egress.headerBytes', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { headers: [['x-big', 'y'.repeat(20_000)]] }) }), 'request-header-size', 'HTTP-request-header-section-size'],
    ['a body over egress.requestBodyBytes', () => ({ allowed: [`http://${origin.authority}`], request: req(origin.authority, '/', { method: 'POST', body: new Uint8Array(1025) }), opts: { requestBodyBytes: 1024 } }), 'request-body-size', 'HTTP-request-body-size'],
  ];

  it.each(cases)('%s', async (_name, make, reason, errorCode) => {
    const { allowed, request, opts } = make();
    const { sess, logs } = session(service(opts), allowed);
    const traffic = proxy.traffic().length;
    const seen = [origin.requests.length, other.requests.length];
    const r = await sess.fetch(request);
    expect(r).toEqual({ ok: false, error: { tag: errorCode } });
    expect(sess.usage).toMatchObject({ requests: 0, denied: 1, errors: [{ code: 'SPH_ERR_EGRESS_DENIED', reason, errorCode }] });
    expect(logs).toEqual([expect.objectContaining({ outcome: 'denied', code: 'SPH_ERR_EGRESS_DENIED', reason })]);
    expect(proxy.traffic().length).toBe(traffic);
    expect([origin.requests.length, other.requests.length]).toEqual(seen);
  });

  it('the operator can allow a private range, for a host the manifest lists', async () => {
    const { sess } = session(service({ allowIpRanges: ['127.0.0.1/32'] }), [`http://127.0.0.1:${origin.port}`]);
    const r = await sess.fetch(req(`127.0.0.1:${origin.port}`));
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(onlyFromProxy(origin)).toBe(true);
  });
});

describe('per-invocation caps', () => {
  it('requests: past egress.maxRequests every request is refused; the count is exact, the log bounded', async () => {
    const { sess, logs } = session(service({ maxRequests: 3 }), [`http://${origin.authority}`]);
    for (let i = 0; i < 3; i++) expect(await sess.fetch(req(origin.authority))).toMatchObject({ ok: true });
    for (let i = 0; i < 20; i++) expect(await sess.fetch(req(origin.authority))).toEqual({ ok: false, error: { tag: 'HTTP-request-denied' } });
    expect(sess.usage).toMatchObject({ requests: 3, denied: 20 });
    expect(sess.usage.errors[0]).toMatchObject({ reason: 'request-limit' });
    expect(sess.usage.errors.length).toBeLessThanOrEqual(8);
    expect(logs.length).toBe(3 + 4);
    expect(sess.suppressedLogs).toBe(16);
  });

  it('a response announced over 1 MiB is refused at its headers: nothing of it counts', async () => {
    const { sess } = session(service(), [`http://${origin.authority}`]);
    expect(await sess.fetch(req(origin.authority, '/big'))).toEqual({ ok: false, error: { tag: 'HTTP-response-body-size' } });
    expect(sess.usage).toMatchObject({ requests: 1, failed: 1, bytesIn: 0, errors: [{ code: 'SPH_ERR_EGRESS_DENIED', reason: 'response-body-size' }] });
    expect(await sess.fetch(req(origin.authority, '/sixty'))).toMatchObject({ ok: true, status: 200 });
  });

  it('a streamed response is cut off where it passes 1 MiB, and the budget stays spent', async () => {
    const { sess } = session(service(), [`http://${origin.authority}`]);
    expect(await sess.fetch(req(origin.authority, '/big-chunked'))).toEqual({ ok: false, error: { tag: 'HTTP-response-body-size' } });
    expect(sess.usage.bytesIn).toBeGreaterThan(1024 * 1024);
    expect(sess.usage.bytesIn).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    expect(sess.usage.errors).toEqual([expect.objectContaining({ reason: 'response-body-size' })]);
    expect(await sess.fetch(req(origin.authority, '/sixty'))).toEqual({ ok: false, error: { tag: 'HTTP-response-body-size' } });
  });

  it('the response budget is for the whole invocation', async () => {
    const { sess } = session(service({ responseBodyBytes: 100 }), [`http://${origin.authority}`]);
    expect(await sess.fetch(req(origin.authority, '/sixty'))).toMatchObject({ ok: true });
    expect(await sess.fetch(req(origin.authority, '/sixty'))).toEqual({ ok: false, error: { tag: 'HTTP-response-body-size' } });
  });
});

describe('redirects', () => {
  const to = (target: string, status = 302) => `/redirect?status=${status}&to=${encodeURIComponent(target)}`;

  it('are followed to allowed hosts, each hop through the policy and counted', async () => {
    const { sess, logs } = session(service(), [`http://${origin.authority}`, `http://${other.authority}`]);
    const r = await sess.fetch(req(origin.authority, to(`http://${other.authority}/`)));
    expect(r).toMatchObject({ ok: true, status: 200 });
    if (r.ok) expect(text(r.body)).toBe('other origin');
    expect(logs.map((l) => [l.hop, l.status, l.origin])).toEqual([
      [0, 302, `http://${origin.authority}`],
      [1, 200, `http://${other.authority}`],
    ]);
    expect(sess.usage.requests).toBe(2);
  });

  it.each([
    ['a host not allowed', () => `http://${other.authority}/`, 'host-not-allowed'],
    ['an IP literal', () => `http://127.0.0.1:${other.port}/`, 'ip-literal'],
    ['https to a host allowed for http', () => `https://${origin.authority}/`, 'host-not-allowed'],
  ])('to %s are refused, and the target sees nothing', async (_name, target, reason) => {
    const { sess } = session(service(), [`http://${origin.authority}`]);
    const seen = other.requests.length;
    const r = await sess.fetch(req(origin.authority, to(target())));
    expect(r.ok).toBe(false);
    expect(sess.usage).toMatchObject({ requests: 1, denied: 1, errors: [{ reason }] });
    expect(other.requests.length).toBe(seen);
  });

  it('with egress.maxRedirects 0 the guest gets the 3xx itself', async () => {
    const { sess } = session(service({ maxRedirects: 0 }), [`http://${origin.authority}`]);
    const r = await sess.fetch(req(origin.authority, to(`http://${other.authority}/`)));
    expect(r).toMatchObject({ ok: true, status: 302 });
    if (r.ok) expect(r.headers).toContainEqual(['location', `http://${other.authority}/`]);
  });

  it('a loop ends with an error, within the request cap', async () => {
    const { sess } = session(service({ maxRedirects: 20 }), [`http://${origin.authority}`]);
    const r = await sess.fetch(req(origin.authority, '/loop'));
    expect(r.ok).toBe(false);
    expect(sess.usage.requests + sess.usage.denied).toBeLessThanOrEqual(8);
  });
});

describe('fail closed', () => {
  it('no proxy configured: refused, and the origin gets no connection, even where it could be reached directly', async () => {
    const s = new EgressService(resolveEgressOptions({ allowIpRanges: ['127.0.0.0/8'] }));
    services.push(s);
    const { sess } = session(s, [`http://127.0.0.1:${origin.port}`, `http://${origin.authority}`]);
    const connections = origin.connections.length;
    expect(await sess.fetch(req(`127.0.0.1:${origin.port}`))).toEqual({ ok: false, error: { tag: 'HTTP-request-denied' } });
    expect(await sess.fetch(req(origin.authority))).toEqual({ ok: false, error: { tag: 'HTTP-request-denied' } });
    expect(sess.usage).toMatchObject({ requests: 0, denied: 2, errors: [{ reason: 'no-proxy' }, { reason: 'no-proxy' }] });
    expect(sess.usage.errors[0]!.message).toMatch(/no mesh proxy is configured/);
    expect(origin.connections.length).toBe(connections);
  });

  it('the proxy is down: connection-refused at once, with a message that names the proxy', async () => {
    const port = await closedPort();
    const { sess } = session(service({ proxyUrl: `http://127.0.0.1:${port}` }), [`http://${origin.authority}`]);
    const t = performance.now();
    const r = await sess.fetch(req(origin.authority));
    expect(performance.now() - t).toBeLessThan(1000);
    expect(r).toEqual({ ok: false, error: { tag: 'connection-refused' } });
    expect(sess.usage).toMatchObject({ requests: 1, failed: 1, errors: [{ code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'proxy-unreachable' }] });
    expect(sess.usage.errors[0]!.message).toContain(`127.0.0.1:${port}`);
  });

  it('the proxy hangs: the request gives up at egress.timeoutMs', async () => {
    const hole = await startBlackHole();
    try {
      const { sess } = session(service({ proxyUrl: `http://127.0.0.1:${hole.port}`, timeoutMs: 300 }), [origin.authority]);
      const t = performance.now();
      const r = await sess.fetch(req(origin.authority, '/', { scheme: 'https' }));
      const ms = performance.now() - t;
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(3000);
      expect(r.ok).toBe(false);
      expect(sess.usage).toMatchObject({ failed: 1, errors: [{ code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'timeout' }] });
    } finally {
      await hole.close();
    }
  });

  it('the session deadline (short of the wall cap) wins over egress.timeoutMs', async () => {
    const hole = await startBlackHole();
    try {
      const { sess } = session(service({ proxyUrl: `http://127.0.0.1:${hole.port}`, timeoutMs: 5000 }), [origin.authority], 200);
      const t = performance.now();
      expect((await sess.fetch(req(origin.authority, '/', { scheme: 'https' }))).ok).toBe(false);
      expect(performance.now() - t).toBeLessThan(3000);
    } finally {
      await hole.close();
    }
  });
});

describe('TLS to the proxy', () => {
  let tlsProxy: TestProxy;
  beforeAll(async () => {
    tlsProxy = await startProxy({ cert: certs.proxyCert, key: certs.proxyKey, ca: certs.ca, requireClientCert: true });
  });
  afterAll(() => tlsProxy?.stop());

  it('with the CA and a client certificate', async () => {
    const tls = { ca: readFileSync(certs.ca, 'utf8'), cert: readFileSync(certs.clientCert, 'utf8'), key: readFileSync(certs.clientKey, 'utf8') };
    const { sess } = session(service({ proxyUrl: tlsProxy.url, proxyTls: tls }), [secure.authority]);
    const r = await sess.fetch(req(secure.authority, '/', { scheme: 'https' }));
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(tlsProxy.traffic()).toContainEqual(expect.objectContaining({ event: 'connect', target: secure.authority }));
  });

  it('without the client certificate the mesh refuses the connection', async () => {
    const { sess } = session(service({ proxyUrl: tlsProxy.url, proxyTls: { ca: readFileSync(certs.ca, 'utf8') } }), [secure.authority]);
    const r = await sess.fetch(req(secure.authority, '/', { scheme: 'https' }));
    expect(r.ok).toBe(false);
    expect(sess.usage).toMatchObject({ failed: 1, errors: [{ code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'proxy-closed' }] });
  });

  it('a proxy certificate from an unknown CA is refused', async () => {
    const { sess } = session(service({ proxyUrl: tlsProxy.url }), [secure.authority]);
    const r = await sess.fetch(req(secure.authority, '/', { scheme: 'https' }));
    expect(r).toEqual({ ok: false, error: { tag: 'TLS-certificate-error' } });
  });
});
