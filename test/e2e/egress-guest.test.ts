// Egress from inside the sandbox: a componentize-js widget whose `fetch` compiles to wasi:http,
// and a WAT guest calling wasi:http/types directly, rendered by the host (worker -> supervisor
// thread -> policy -> ProxyAgent -> a real forward proxy process -> origins on loopback).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../src/build/build-widget.js';
import { createHost, type EgressOptions, type Plugin, type PluginHost, type RenderResult } from '../../src/index.js';
import { cacheRoot, watToComponent } from '../support/build.js';
import { closedPort, onlyFromProxy, startBlackHole, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../support/egress-env.js';
import { fixtureWat } from '../support/fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = mkdtempSync(join(tmpdir(), 'sph-egress-cache-'));
let widget: Uint8Array;
let proxy: TestProxy;
let origin: TestOrigin;
let other: TestOrigin;
const hosts: PluginHost[] = [];

beforeAll(async () => {
  widget = (await buildWidget({ entry: join(root, 'test/fixtures/widgets/egress-widget.js'), features: ['http'], cacheDir: cacheRoot })).bytes;
  proxy = await startProxy();
  other = await startOrigin((_req, res) => res.end('other'));
  origin = await startOrigin((req, res, body) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/big') {
      res.setHeader('content-length', 2 * 1024 * 1024);
      res.end(Buffer.alloc(2 * 1024 * 1024));
    } else if (url.pathname === '/redirect') {
      res.statusCode = 302;
      res.setHeader('location', url.searchParams.get('to')!);
      res.end();
    } else if (req.method === 'POST') res.end(`got ${body}`);
    else res.end('{"status":"ok"}');
  });
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await Promise.all([proxy?.stop(), origin?.close(), other?.close()]);
});

interface Logged {
  msg: string;
  pluginId?: string;
  tenant?: string;
  invocationId?: string;
  egress?: Record<string, unknown>;
}

function makeHost(egress: EgressOptions): { host: PluginHost; logs: Logged[] } {
  const logs: Logged[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Logged);
      cb();
    },
  });
  const host = createHost({ mode: 'development', workers: 1, cacheDir, logger: pino({ level: 'info' }, stream), egress });
  hosts.push(host);
  return { host, logs };
}

type Result = { status?: number; body?: string; error?: string; location?: string };
const fetches = (...requests: ({ url: string; method?: string; body?: string } | string)[]) => ({
  props: { requests: requests.map((r) => (typeof r === 'string' ? { url: r } : r)) },
});
const results = (r: RenderResult) => JSON.parse(r.output) as Result[];

describe('a fetch widget through the host', () => {
  let host: PluginHost;
  let logs: Logged[];
  let plugin: Plugin;
  beforeAll(async () => {
    ({ host, logs } = makeHost({ proxyUrl: proxy.url }));
    plugin = await host.load(widget, { id: 'acme/status', egress: { allowedHosts: [`http://${origin.authority}`] } });
  });

  it('allowed requests reach the origin through the proxy, with one log line each', async () => {
    const before = proxy.traffic().length;
    const r = await host.render(plugin, fetches(`http://${origin.authority}/status.json`, { url: `http://${origin.authority}/submit`, method: 'POST', body: 'q=1' }), {
      tenant: 't1',
      invocationId: 'inv-guest-1',
    });
    expect(results(r)).toEqual([
      { status: 200, bytes: 15, body: '{"status":"ok"}' },
      { status: 200, bytes: 7, body: 'got q=1' },
    ]);
    expect(proxy.traffic().slice(before).map((e) => [e.event, e.method, e.url])).toEqual([
      ['request', 'GET', `http://${origin.authority}/status.json`],
      ['request', 'POST', `http://${origin.authority}/submit`],
    ]);
    expect(origin.requests.at(-1)!.headers['x-summit-invocation-id']).toBe('inv-guest-1');
    expect(onlyFromProxy(origin)).toBe(true);
    expect(r.usage.egress).toEqual({ requests: 2, denied: 0, failed: 0, bytesOut: 3, bytesIn: 22, errors: [] });
    const lines = logs.filter((l) => l.msg === 'egress request' && l.invocationId === 'inv-guest-1');
    expect(lines.map((l) => [l.pluginId, l.tenant, l.egress!.method, l.egress!.origin, l.egress!.status])).toEqual([
      ['acme/status', 't1', 'GET', `http://${origin.authority}`, 200],
      ['acme/status', 't1', 'POST', `http://${origin.authority}`, 200],
    ]);
    for (const l of lines) expect(l.egress).toEqual(expect.objectContaining({ bytesIn: expect.any(Number), bytesOut: expect.any(Number), ms: expect.any(Number) }));
    expect(JSON.stringify(logs)).not.toContain('q=1');
  });

  it('refused requests fail in the guest with the reason in usage and log; the same instance goes on working', async () => {
    const seen = other.requests.length;
    const before = proxy.traffic().length;
    const r = await host.render(
      plugin,
      fetches(
        `http://${other.authority}/`,
        `http://127.0.0.1:${origin.port}/`,
        `http://localhost:${origin.port}/`,
        `https://${origin.authority}/`,
        `http://${origin.authority}/after`,
      ),
    );
    const out = results(r);
    for (const x of out.slice(0, 4)) expect(x.error).toMatch(/NetworkError/);
    expect(out[4]).toMatchObject({ status: 200 });
    expect(r.usage.egress).toMatchObject({
      requests: 1,
      denied: 4,
      errors: [
        { code: 'SPH_ERR_EGRESS_DENIED', reason: 'host-not-allowed', errorCode: 'HTTP-request-denied', origin: `http://${other.authority}` },
        { code: 'SPH_ERR_EGRESS_DENIED', reason: 'ip-literal', errorCode: 'destination-IP-prohibited' },
        { code: 'SPH_ERR_EGRESS_DENIED', reason: 'loopback-name', errorCode: 'destination-IP-prohibited' },
        { code: 'SPH_ERR_EGRESS_DENIED', reason: 'host-not-allowed', origin: `https://${origin.authority}` },
      ],
    });
    expect(logs.filter((l) => l.msg.startsWith('egress request refused (SPH_ERR_EGRESS_DENIED)'))).toHaveLength(4);
    expect(other.requests.length).toBe(seen);
    expect(proxy.traffic().length).toBe(before + 1);
  });

  it('an oversize response is refused (HTTP-response-body-size) and the next request works', async () => {
    const r = await host.render(plugin, fetches(`http://${origin.authority}/big`, `http://${origin.authority}/ok`));
    const [big, ok] = results(r);
    expect(big!.error).toMatch(/NetworkError/);
    expect(ok).toMatchObject({ status: 200 });
    expect(r.usage.egress!.errors).toEqual([expect.objectContaining({ reason: 'response-body-size', errorCode: 'HTTP-response-body-size' })]);
  });

  it('past 8 requests in one invocation every request is refused', async () => {
    const r = await host.render(plugin, fetches(...Array.from({ length: 11 }, (_, i) => `http://${origin.authority}/n${i}`)));
    const out = results(r);
    expect(out.slice(0, 8).every((x) => x.status === 200)).toBe(true);
    expect(out.slice(8).every((x) => /NetworkError/.test(x.error ?? ''))).toBe(true);
    expect(r.usage.egress).toMatchObject({ requests: 8, denied: 3, errors: [{ reason: 'request-limit' }, { reason: 'request-limit' }, { reason: 'request-limit' }] });
    // the cap is per invocation: the next render may fetch again
    expect(results(await host.render(plugin, fetches(`http://${origin.authority}/again`)))[0]).toMatchObject({ status: 200 });
  });

  it('the host follows a redirect only to an allowed host', async () => {
    const seen = other.requests.length;
    const r = await host.render(
      plugin,
      fetches(`http://${origin.authority}/redirect?to=${encodeURIComponent(`http://${other.authority}/`)}`, `http://${origin.authority}/redirect?to=%2Fstatus.json`),
    );
    const [away, home] = results(r);
    expect(away!.error).toMatch(/NetworkError/);
    expect(home).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(other.requests.length).toBe(seen);
    expect(r.usage.egress).toMatchObject({ requests: 3, denied: 1, errors: [{ reason: 'host-not-allowed', origin: `http://${other.authority}` }] });
  });
});

describe('a guest calling wasi:http/types directly', () => {
  it('a Host header naming another host is refused (HTTP-request-denied), the next request goes through', async () => {
    const { host } = makeHost({ proxyUrl: proxy.url });
    const authority = origin.authority;
    const wat = await fixtureWat('http-probe', { AUTHORITY: authority, AUTH_LEN: authority.length, HOST: other.authority, HOST_LEN: other.authority.length, SCHEME: 0, WITH_HOST: 1 });
    const bytes = await watToComponent(wat, { witSource: readFileSync(join(root, 'test/fixtures/wat/http-probe.wit'), 'utf8'), world: 'http-probe' });
    const plugin = await host.load(bytes, { id: 'acme/probe', egress: { allowedHosts: [`http://${authority}`] } });
    const seen = [origin.requests.length, other.requests.length];
    const r = await host.render(plugin, '{}');
    // 15 = HTTP-request-denied in wasi:http's error-code
    expect(r.output).toBe('E:15;S:200');
    expect(r.usage.egress).toMatchObject({ requests: 1, denied: 1, errors: [{ reason: 'host-header-mismatch' }] });
    expect([origin.requests.length, other.requests.length]).toEqual([seen[0]! + 1, seen[1]]);
    expect(origin.requests.at(-1)!.headers.host).toBe(authority);
  });
});

describe('a guest that floods handle() without waiting', () => {
  it('is counted and refused past the cap; the log stays bounded; the host keeps serving', async () => {
    const { host, logs } = makeHost({ proxyUrl: proxy.url });
    const authority = origin.authority;
    const wat = await fixtureWat('http-flood', { COUNT: 3000, AUTHORITY: authority, AUTH_LEN: authority.length });
    const bytes = await watToComponent(wat, { witSource: readFileSync(join(root, 'test/fixtures/wat/http-probe.wit'), 'utf8'), world: 'http-probe' });
    const plugin = await host.load(bytes, { id: 'acme/flood', egress: { allowedHosts: [`http://${authority}`] } });
    const before = origin.requests.length;
    const limits = { cpuMs: 2000, wallMs: 5000 };
    const r = await host.render(plugin, '{}', { invocationId: 'inv-flood', limits });
    expect(r.output).toBe('sent');
    const e = r.usage.egress!;
    // none went out: the first 8 were refused for their 20 KB header (over 16 KiB), the rest
    // were refused as over the request cap, as far as the supervisor got before the render ended
    expect(e.requests).toBe(0);
    expect(e.denied).toBeGreaterThan(8);
    expect(e.errors.length).toBeLessThanOrEqual(8);
    expect(logs.filter((l) => l.invocationId === 'inv-flood' && l.egress).length).toBeLessThanOrEqual(12);
    expect(origin.requests.length).toBe(before);
    expect((await host.render(plugin, '{}', { limits })).output).toBe('sent');
  });
});

describe('fail closed', () => {
  it('no proxy configured: refused, and the origin receives no connection, although it is reachable directly', async () => {
    const { host, logs } = makeHost({ allowIpRanges: ['127.0.0.1/32'] });
    const plugin = await host.load(widget, { id: 'acme/status', egress: { allowedHosts: [`http://127.0.0.1:${origin.port}`] } });
    expect(logs.some((l) => /no mesh proxy is configured/.test(l.msg))).toBe(true);
    const connections = origin.connections.length;
    const r = await host.render(plugin, fetches(`http://127.0.0.1:${origin.port}/`));
    expect(results(r)[0]!.error).toMatch(/NetworkError/);
    expect(r.usage.egress).toMatchObject({ requests: 0, denied: 1, errors: [{ code: 'SPH_ERR_EGRESS_DENIED', reason: 'no-proxy' }] });
    expect(origin.connections.length).toBe(connections);
  });

  it('the proxy is down: a clear error, well within the wall cap', async () => {
    const { host } = makeHost({ proxyUrl: `http://127.0.0.1:${await closedPort()}` });
    const plugin = await host.load(widget, { id: 'acme/status', egress: { allowedHosts: [`http://${origin.authority}`] } });
    const r = await host.render(plugin, fetches(`http://${origin.authority}/`));
    expect(results(r)[0]!.error).toMatch(/NetworkError/);
    expect(r.usage.wallMs).toBeLessThan(1500);
    expect(r.usage.egress!.errors).toEqual([expect.objectContaining({ code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: 'proxy-unreachable', errorCode: 'connection-refused' })]);
    expect(r.usage.egress!.errors[0]!.message).toMatch(/refused the connection: is the mesh sidecar running/);
  });

  it('the proxy hangs: the guest gets its error before the wall cap and the render completes', async () => {
    const hole = await startBlackHole();
    try {
      const { host } = makeHost({ proxyUrl: `http://127.0.0.1:${hole.port}`, timeoutMs: 300 });
      const plugin = await host.load(widget, { id: 'acme/status', egress: { allowedHosts: [origin.authority] } });
      const r = await host.render(plugin, fetches(`https://${origin.authority}/`));
      expect(results(r)[0]!.error).toMatch(/NetworkError/);
      expect(r.usage.wallMs).toBeLessThan(1500);
      expect(r.usage.egress!.errors).toEqual([expect.objectContaining({ reason: 'timeout' })]);
    } finally {
      await hole.close();
    }
  });
});
