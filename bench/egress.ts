// (f) Egress latency: one guest request (inside the sandbox: worker -> supervisor thread ->
// policy -> ProxyAgent -> proxy -> origin, and the response back into the guest), timed by the
// guest itself from before the request to the body read, vs a plain undici request through the
// same proxy from the host's main thread. Two guests: a WAT component calling wasi:http
// directly (the host's path alone) and a JavaScript widget's `fetch` (StarlingMonkey's own
// fetch machinery on top). Same forward-proxy process and origins on loopback, keep-
// alive on both sides, rounds interleaved so both see the same machine noise. Twice: with an
// origin that answers at once (the host's overhead laid bare: a loopback round trip is ~1 ms)
// and with one that takes 10 ms to answer, closer to a partner API in the same region.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ProxyAgent, request } from 'undici';
import { buildWidget } from '../dist/build/build-widget.js';
import { createHost } from '../dist/index.js';
import { cacheRoot, watToComponent } from '../test/support/build.js';
import { fixtureWat } from '../test/support/fixtures.js';
import { makeCerts, startOrigin, startProxy } from '../test/support/egress-env.js';
import { fmt, quantile, table } from './support/stats.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const BODY = JSON.stringify({ status: { indicator: 'none', description: 'All Systems Operational' }, components: Array.from({ length: 8 }, (_, i) => ({ name: `component ${i}`, status: 'operational' })) });

export async function egressBench(rounds = 40, perRender = 8) {
  const certs = makeCerts();
  const proxy = await startProxy();
  // GET /status.json?delay=<ms>
  const answer = (req: { url?: string }, res: { end(b: string): void }) => {
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    if (delay > 0) setTimeout(() => res.end(BODY), delay);
    else res.end(BODY);
  };
  const plain = await startOrigin(answer);
  const secure = await startOrigin(answer, { tls: { cert: certs.originCert, key: certs.originKey } });
  const ca = readFileSync(certs.ca, 'utf8');
  const host = createHost({ mode: 'development', workers: 1, cacheDir: false, logger: pino({ level: 'silent' }), egress: { proxyUrl: proxy.url, originCa: ca, maxRequests: perRender } });
  const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false, requestTls: { ca } });
  try {
    const bytes = (await buildWidget({ entry: join(here, 'workloads/fetch-timer.js'), features: ['http', 'clocks'], cacheDir: cacheRoot })).bytes;
    const targets = [0, 10].flatMap((delay) => [
      { name: `http (forwarded), origin ${delay} ms`, url: `http://${plain.authority}/status.json?delay=${delay}` },
      { name: `https (CONNECT tunnel), origin ${delay} ms`, url: `https://${secure.authority}/status.json?delay=${delay}` },
    ]);
    const allowedHosts = [`http://${plain.authority}`, secure.authority];
    const plugin = await host.load(bytes, { id: 'bench/egress', egress: { allowedHosts } });
    const wit = readFileSync(join(here, 'workloads/fetch-timer.wit'), 'utf8');
    const rows: (string | number)[][] = [];
    const summary: { name: string; watP50: number; guestP50: number; undiciP50: number }[] = [];
    for (const t of targets) {
      const u = new URL(t.url);
      const path = `${u.pathname}${u.search}`;
      const wat = await fixtureWat(join(here, 'workloads/fetch-timer.wat'), {
        COUNT: perRender, URL_DESC: t.url, AUTHORITY: u.host, AUTH_LEN: u.host.length, PATH: path, PATH_LEN: path.length, SCHEME: u.protocol === 'https:' ? 1 : 0,
      });
      const watPlugin = await host.load(await watToComponent(wat, { witSource: wit, world: 'fetch-timer' }), { id: 'bench/egress-wat', egress: { allowedHosts } });
      const input = JSON.stringify({ props: { urls: Array.from({ length: perRender }, () => t.url) } });
      const guest: number[] = [];
      const watMs: number[] = [];
      const plainMs: number[] = [];
      const watRound = async () => {
        const out = (await host.render(watPlugin, '{}')).output.split(',');
        if (out.includes('E')) throw new Error(`the WAT guest's request failed: ${out.join(',')}`);
        return out.map((us) => Number(us) / 1000);
      };
      const once = async () => {
        const s = performance.now();
        const r = await request(t.url, { dispatcher: agent });
        await r.body.text();
        return performance.now() - s;
      };
      for (let i = 0; i < 10; i++) {
        await watRound();
        await host.render(plugin, input);
        for (let j = 0; j < perRender; j++) await once();
      }
      for (let i = 0; i < rounds; i++) {
        watMs.push(...(await watRound()));
        const r = await host.render(plugin, input);
        guest.push(...(JSON.parse(r.output) as number[]));
        for (let j = 0; j < perRender; j++) plainMs.push(await once());
      }
      host.unload(watPlugin);
      const w50 = quantile(watMs, 0.5);
      const g50 = quantile(guest, 0.5);
      const u50 = quantile(plainMs, 0.5);
      summary.push({ name: t.name, watP50: w50, guestP50: g50, undiciP50: u50 });
      rows.push([t.name, 'guest wasi:http request (WAT: host, policy, proxy)', watMs.length, fmt(w50, 3), fmt(quantile(watMs, 0.99), 3), `${fmt(w50 / u50)}x`]);
      rows.push([t.name, 'guest fetch (JS: + StarlingMonkey fetch)', guest.length, fmt(g50, 3), fmt(quantile(guest, 0.99), 3), `${fmt(g50 / u50)}x`]);
      rows.push([t.name, 'plain undici through the proxy', plainMs.length, fmt(u50, 3), fmt(quantile(plainMs, 0.99), 3), '1.00x']);
    }
    table('(f) egress latency per request (ms); bar: guest p50 <= 1.3x plain undici', ['origin', 'path', 'n', 'p50', 'p99', 'p50 vs undici'], rows);
    return summary;
  } finally {
    await agent.close();
    await host.close();
    await Promise.all([proxy.stop(), plain.close(), secure.close()]);
  }
}
