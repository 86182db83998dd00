// (f) Egress latency: one guest request (inside the sandbox: worker -> supervisor thread ->
// policy -> ProxyAgent -> proxy -> origin, and the response back into the guest), timed by the
// guest itself from before the request to the body read, vs a plain undici request through the
// same proxy from the host's main thread. Two guests: a WAT component calling wasi:http
// directly (the host's path alone) and a JavaScript widget's `fetch` (StarlingMonkey's own
// fetch machinery on top). Same forward-proxy process and origins on loopback, keep-
// alive on both sides, rounds interleaved so both see the same machine noise. Twice: with an
// origin that answers at once (the host's overhead laid bare: a loopback round trip is ~1 ms)
// and with one that takes 10 ms to answer, closer to a partner API in the same region. Then the
// split of a guest request (the host's egress log times each request on the supervisor), and
// what jco's bindings cost per import call and per instantiation (import-calls.ts). The load
// average is printed before and after: on a shared machine it explains most of the spread.
import { readFileSync } from 'node:fs';
import { cpus, loadavg as loadavg1 } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ProxyAgent, request } from 'undici';
import { buildWidget } from '../dist/build/build-widget.js';
import { createHost } from '../dist/index.js';
import { cacheRoot, watToComponent } from '../test/support/build.js';
import { fixtureWat } from '../test/support/fixtures.js';
import { makeCerts, startOrigin, startProxy } from '../test/support/egress-env.js';
import { importCallBench, instantiateBench } from './import-calls.js';
import { fmt, quantile, table } from './support/stats.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const BODY = JSON.stringify({ status: { indicator: 'none', description: 'All Systems Operational' }, components: Array.from({ length: 8 }, (_, i) => ({ name: `component ${i}`, status: 'operational' })) });

const loadavg = () => loadavg1().map((l) => l.toFixed(2)).join(' / ');

/** (f): latency (the bar), then what a host import call costs (where a JS fetch's time goes). */
export async function egressBench(rounds = 40, perRender = 8) {
  console.log(`\n(f) ${cpus().length} CPUs; load average (1 / 5 / 15 min) at the start: ${loadavg()}`);
  const summary = await egressLatency(rounds, perRender);
  await importCallBench();
  await instantiateBench((await buildWidget({ entry: join(here, 'workloads/fetch-timer.js'), features: ['http', 'clocks'], cacheDir: cacheRoot })).bytes, 'the componentize-js fetch widget');
  console.log(`(f) load average at the end: ${loadavg()}`);
  return summary;
}

async function egressLatency(rounds: number, perRender: number) {
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
  // The host's own record of each request (its egress log line, timed on the supervisor thread
  // from the policy to the last response byte) splits a guest's time into the request itself
  // and what the sandbox adds around it.
  const hostMs = new Map<string, number[]>();
  const logger = pino({ level: 'info' }, {
    write(line: string) {
      if (!line.includes('"egress request"')) return;
      const o = JSON.parse(line) as { pluginId: string; egress: { ms: number } };
      hostMs.get(o.pluginId)?.push(o.egress.ms);
    },
  });
  const host = createHost({ mode: 'development', workers: 1, cacheDir: false, logger, egress: { proxyUrl: proxy.url, originCa: ca, maxRequests: perRender } });
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
    const split: (string | number)[][] = [];
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
      const watHost: number[] = [];
      const jsHost: number[] = [];
      hostMs.set('bench/egress-wat', watHost).set('bench/egress', jsHost);
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
      const h50 = quantile([...watHost, ...jsHost], 0.5);
      split.push([t.name, fmt(u50, 2), fmt(h50, 2), fmt(w50 - h50, 2), fmt(g50 - w50, 2), `${watHost.length + jsHost.length}`]);
      hostMs.clear();
    }
    table('(f) egress latency per request (ms); bar: guest p50 <= 1.3x plain undici', ['origin', 'path', 'n', 'p50', 'p99', 'p50 vs undici'], rows);
    table(
      '(f) where a guest request goes (differences of p50s, ms): the request as the supervisor timed it, the sandbox around it (WAT guest minus that), StarlingMonkey (JS guest minus WAT guest)',
      ['origin', 'plain undici', 'request on the supervisor (policy to last byte; 0.1 ms log resolution)', 'sandbox: worker <-> supervisor', 'StarlingMonkey fetch', 'n (log lines)'],
      split,
    );
    return summary;
  } finally {
    await agent.close();
    await host.close();
    await Promise.all([proxy.stop(), plain.close(), secure.close()]);
  }
}
