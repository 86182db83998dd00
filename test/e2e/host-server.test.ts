// The host service over real HTTP on loopback: a real fastify server, a real sandbox host, and
// a directory catalog of WAT fixture widgets written to disk.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../../src/index.js';
import { createHostServer, type HostServer } from '../../src/server/create-server.js';
import { DirectoryCatalog, type WidgetCatalog } from '../../src/server/widget-catalog.js';
import { fixtureComponent } from '../support/fixtures.js';
import { testHost } from '../support/host.js';

const lines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  }),
);

let host: PluginHost;
let server: HostServer;
let base: string;
const widgetDir = mkdtempSync(join(tmpdir(), 'sph-widgets-'));

async function publish(name: string, fixture: string, vars: Record<string, string | number> = {}, extra: object = {}) {
  const dir = join(widgetDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'widget.wasm'), await fixtureComponent(fixture, vars));
  writeFileSync(
    join(dir, 'summit-plugin.json'),
    JSON.stringify({ id: `test/${name}`, version: '1.0.0', world: 'summit:widget/widget@0.1.0', component: 'widget.wasm', ...extra }),
  );
}

function render(id: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/v1/widgets/${id}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Counts how often each widget's bytes are read: once per load attempt. */
const bytesRead = new Map<string, number>();
function countingCatalog(inner: WidgetCatalog): WidgetCatalog {
  return {
    list: () => inner.list(),
    async resolve(id) {
      const e = await inner.resolve(id);
      return e && { ...e, bytes: () => (bytesRead.set(id, (bytesRead.get(id) ?? 0) + 1), e.bytes()) };
    },
  };
}

beforeAll(async () => {
  await publish('good', 'good');
  await publish('echo', 'echo');
  await publish('spin', 'infinite-loop');
  await publish('slow', 'fill-loop', { BYTES: 64 << 20 }, { limits: { wallMs: 300 } });
  await publish('trap', 'trap');
  await publish('spin2', 'infinite-loop', {}, { limits: { cpuMs: 50 } });
  const xss = '<p>ok</p><script>parent.pwned=1</script><img src=x onerror=parent.pwned=1><a href=javascript:parent.pwned=1>x</a>';
  await publish('xss', 'fixed-output', { TEXT: xss, LEN: xss.length });
  writeFileSync(join(widgetDir, 'good', '..', 'broken.json'), '{}'); // not a widget directory: ignored
  mkdirSync(join(widgetDir, 'garbage'));
  writeFileSync(join(widgetDir, 'garbage', 'widget.wasm'), 'not wasm');
  writeFileSync(
    join(widgetDir, 'garbage', 'summit-plugin.json'),
    JSON.stringify({ id: 'test/garbage', version: '1.0.0', world: 'summit:widget/widget@0.1.0', component: 'widget.wasm' }),
  );
  host = testHost();
  server = createHostServer({
    host,
    catalog: countingCatalog(new DirectoryCatalog(widgetDir)),
    logger,
    limits: { tenantBurst: 3, tenantRatePerSec: 1, bodyBytes: 4096, headerBytes: 2048, maxEventStreams: 1 },
    allowedOrigins: ['https://ui.summit.example'],
  });
  base = await server.listen();
});
afterAll(async () => {
  await server.close();
  await host.close();
});

describe('render API', () => {
  it('renders a widget with its usage, invocation id and version', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await render('test/good', { tenant: 'acme', input: { props: {} } }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-summit-trace-id')).toBe(traceId);
    const body = (await res.json()) as Record<string, any>;
    expect(body.html).toBe('<p class="ok">hello</p>');
    expect(body.usage.fuel).toBeGreaterThan(0);
    expect(body.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.widget).toMatchObject({ id: 'test/good', version: '1.0.0' });
    expect(body.widget.digest).toMatch(/^[0-9a-f]{64}$/);
    // Every host line of this render carries the trace, tenant, widget and invocation ids.
    const mine = lines.filter((l) => l.invocationId === body.invocationId);
    expect(mine.some((l) => l.msg === 'render ok')).toBe(true);
    for (const l of mine) expect(l).toMatchObject({ traceId, tenant: 'acme', pluginId: 'test/good' });
  });

  it('sanitizes what a widget returns before it leaves', async () => {
    const body = (await (await render('test/xss', { tenant: 'acme' })).json()) as { html: string };
    expect(body.html).toBe('<p>ok</p><img><a>x</a>');
  });

  it('sets context.tenant itself: a caller cannot pass another tenant to the widget', async () => {
    const res = await render('test/echo', { tenant: 'acme', input: { props: { a: 1 }, context: { tenant: 'victim', locale: 'de-DE' } } });
    const body = (await res.json()) as { html: string };
    expect(JSON.parse(body.html)).toEqual({ props: { a: 1 }, context: { tenant: 'acme', locale: 'de-DE' } });
  });

  it('answers an unknown widget with 404 SPH_ERR_NOT_FOUND', async () => {
    const res = await render('test/nope', { tenant: 'acme' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('SPH_ERR_NOT_FOUND');
  });

  it.each([
    ['no tenant', { input: {} }],
    ['a bad tenant id', { tenant: '../etc' }],
    ['an unknown field', { tenant: 'acme', html: '<script>' }],
    ['input that is not an object', { tenant: 'acme', input: 'x' }],
  ])('refuses %s with 400 SPH_ERR_INVALID_ARG', async (_what, body) => {
    const res = await render('test/good', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('SPH_ERR_INVALID_ARG');
  });

  it('refuses malformed JSON (400), an oversize body (413) and oversize headers (431), and keeps serving', async () => {
    const bad = await render('test/good', '{"tenant": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe('SPH_ERR_INVALID_ARG');
    const big = await render('test/good', { tenant: 'acme', input: { props: { x: 'y'.repeat(5000) } } });
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).error.code).toBe('SPH_ERR_PAYLOAD_TOO_LARGE');
    const headers = await render('test/good', { tenant: 'acme' }, { 'x-big': 'z'.repeat(3000) });
    expect(headers.status).toBe(431);
    expect((await render('test/good', { tenant: 'other' })).status).toBe(200);
  });

  it('maps widget failures to 502/504 with the code and the usage', async () => {
    const spin = await render('test/spin', { tenant: 't-spin' });
    expect(spin.status).toBe(502);
    const s = (await spin.json()) as any;
    expect(s.error.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(s.usage.cpuMs).toBeGreaterThan(0);
    expect(s.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    const slow = await render('test/slow', { tenant: 't-slow' });
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as any).error.code).toBe('SPH_ERR_WALL_TIMEOUT');
    const trap = await render('test/trap', { tenant: 't-trap' });
    expect(trap.status).toBe(502);
    expect(((await trap.json()) as any).error.code).toBe('SPH_ERR_PLUGIN_TRAP');
  });

  it('a component that cannot load is refused the same way every time, prepared once', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await render('test/garbage', { tenant: 't-garbage' });
      expect(res.status).toBe(502);
      expect(((await res.json()) as any).error.code).toBe('SPH_ERR_INVALID_COMPONENT');
    }
    expect(bytesRead.get('test/garbage')).toBe(1);
  });
});

describe('tenant limits', () => {
  it('a tenant over its rate gets 429 with Retry-After, other tenants are served', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await render('test/good', { tenant: 'greedy' })).status);
    expect(codes.slice(0, 3)).toEqual([200, 200, 200]);
    expect(codes.slice(3)).toEqual([429, 429]);
    const limited = await render('test/good', { tenant: 'greedy' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as any).error.code).toBe('SPH_ERR_RATE_LIMITED');
    expect((await render('test/good', { tenant: 'polite' })).status).toBe(200);
  });
});

describe('misbehaving widgets', () => {
  it('a widget that keeps running into its caps is suspended, others are not', async () => {
    const codes: string[] = [];
    // One tenant per render: this is about the widget's breaker, not the tenants' rate limits.
    for (let i = 0; i < 4; i++) codes.push(((await (await render('test/spin2', { tenant: `t-spin2-${i}` })).json()) as any).error.code);
    // (Wall-clock instead of fuel when other tests load the machine: both are expensive caps.)
    for (const c of codes.slice(0, 3)) expect(['SPH_ERR_FUEL_EXHAUSTED', 'SPH_ERR_WALL_TIMEOUT']).toContain(c);
    expect(codes[3]).toBe('SPH_ERR_CIRCUIT_OPEN');
    const res = await render('test/spin2', { tenant: 't-spin2-4' });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await render('test/good', { tenant: 't-spin2-good' })).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/summit_widgets_suspended 1/);
  });
});

describe('client disconnect', () => {
  it('aborts the render and frees its worker', async () => {
    const controller = new AbortController();
    const gone = fetch(`${base}/v1/widgets/test/slow/render`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 't-gone' }),
      signal: controller.signal,
    }).catch(() => null);
    await new Promise((r) => setTimeout(r, 80));
    const t0 = performance.now();
    controller.abort();
    await gone;
    let metrics = '';
    while (performance.now() - t0 < 2000) {
      metrics = await (await fetch(`${base}/metrics`)).text();
      if (metrics.includes('outcome="client-closed"')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(metrics).toMatch(/summit_renders_total\{widget="test\/slow",outcome="client-closed"\} 1/);
    // Well before the widget's 300 ms wall cap would have ended it.
    expect(performance.now() - t0).toBeLessThan(250);
  });
});

describe('health and metrics', () => {
  it('liveness and readiness', async () => {
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as any).workers).toBe(2);
  });

  it('counts renders by outcome and caps by kind, and reports the pool', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/summit_renders_total\{widget="test\/good",outcome="ok"\} \d+/);
    expect(text).toMatch(/summit_renders_total\{widget="test\/spin",outcome="SPH_ERR_FUEL_EXHAUSTED"\} 1/);
    expect(text).toMatch(/summit_cap_hits_total\{kind="(fuel|cpu-time)"\} \d+/);
    expect(text).toMatch(/summit_cap_hits_total\{kind="wall"\} \d/);
    expect(text).toMatch(/summit_render_duration_seconds_bucket\{le="0.5",widget="test\/good",outcome="ok"\} \d+/);
    expect(text).toMatch(/summit_pool_workers 2/);
  });

  it('lists the widgets it serves', async () => {
    const body = (await (await fetch(`${base}/v1/widgets`)).json()) as { widgets: { id: string }[] };
    expect(body.widgets.map((w) => w.id)).toEqual(['test/echo', 'test/garbage', 'test/good', 'test/slow', 'test/spin', 'test/spin2', 'test/trap', 'test/xss']);
  });
});

describe('browser access', () => {
  it('allows the configured origins only (CORS), preflight included', async () => {
    const pre = await fetch(`${base}/v1/widgets/test/good/render`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ui.summit.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://ui.summit.example');
    const ok = await render('test/good', { tenant: 'cors' }, { origin: 'https://ui.summit.example' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://ui.summit.example');
    const other = await render('test/good', { tenant: 'cors' }, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the <summit-widget> embed script', async () => {
    const res = await fetch(`${base}/embed/summit-widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(await res.text()).toContain('summit-widget');
    expect((await fetch(`${base}/embed/..%2fpreview.js`)).status).toBe(404);
  });

  it('bounds the open event streams', async () => {
    const ac = new AbortController();
    const first = await fetch(`${base}/v1/widgets/events`, { signal: ac.signal, headers: { origin: 'https://ui.summit.example' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(first.headers.get('access-control-allow-origin')).toBe('https://ui.summit.example');
    const second = await fetch(`${base}/v1/widgets/events`);
    expect(second.status).toBe(503);
    expect(((await second.json()) as any).error.code).toBe('SPH_ERR_OVERLOADED');
    ac.abort();
    // The slot comes back when the first client goes away.
    let again = 503;
    for (let i = 0; i < 50 && again !== 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const r = await fetch(`${base}/v1/widgets/events`, { signal: AbortSignal.timeout(500) }).catch(() => null);
      again = r?.status ?? 0;
      if (r?.status === 200) await r.body?.cancel();
    }
    expect(again).toBe(200);
  });
});
