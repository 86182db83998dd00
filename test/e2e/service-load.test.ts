// A bounded load test of the host service on loopback: a service process, a closed-loop load
// generator in this process, 20% of the requests going to hostile widgets (infinite loop,
// memory bomb, wall-clock spinner, trap, oversize output) for 60 s (SUMMIT_LOAD_TEST_MS).
// The host must stay up and answer every request with a coded status, keep its worker count,
// and return to its memory baseline afterwards. Throughput and latency are the benchmark's
// business (`npm run bench -- service`), not this test's.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget } from '../../src/build/build-widget.js';
import { cacheRoot } from '../support/build.js';
import { fixtureComponent } from '../support/fixtures.js';
import { HOSTILE_WIDGETS, runLoad, type LoadTarget } from '../support/load-gen.js';

const DURATION_MS = Number(process.env.SUMMIT_LOAD_TEST_MS ?? 60_000);
const root = fileURLToPath(new URL('../..', import.meta.url));
const HOSTILE = HOSTILE_WIDGETS;
const KPI_INPUT = { props: { label: 'Revenue', value: 1234567.891, previous: 1100000, currency: 'EUR' }, context: { locale: 'de-DE' } };

let child: ChildProcess;
let url: string;

interface Probe {
  memory: NodeJS.MemoryUsage;
  stats: { workers: number; busy: number; queued: number; warm: number; plugins: number };
  threads: number;
}

/** Collects garbage in the service and reads its memory and thread count. */
function probe(): Promise<Probe> {
  return new Promise((resolve) => {
    child.once('message', (m: Omit<Probe, 'threads'>) => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      resolve({ ...m, threads: Number(/^Threads:\s+(\d+)/m.exec(status)![1]) });
    });
    child.send('gc');
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sph-load-'));
  const put = (name: string, bytes: Uint8Array) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'widget.wasm'), bytes);
    writeFileSync(join(dir, name, 'summit-plugin.json'), JSON.stringify({ id: `load/${name}`, version: '1.0.0', world: 'summit:widget/widget@0.1.0', component: 'widget.wasm' }));
  };
  put('kpi', (await buildWidget({ entry: join(root, 'sample-plugins/kpi-card/src/widget.ts'), cacheDir: cacheRoot })).bytes);
  for (const [name, fixture, vars] of HOSTILE) put(name, await fixtureComponent(fixture, vars));
  // Session instances idle for 2 s are dropped, so both probes below see the pool without them:
  // what they hold is bounded (README "Widget sessions"), a leak is not.
  child = fork(join(root, 'test/support/service-process.mjs'), [dir, '2'], {
    execArgv: ['--expose-gc'],
    env: { ...process.env, SUMMIT_SESSION_IDLE_MS: '2000' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
}, 300_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

describe('host service under hostile load', () => {
  it(`stays up, keeps its workers and returns to its memory baseline (${DURATION_MS / 1000} s, 20% hostile)`, async () => {
    const good: LoadTarget = { kind: 'good', path: '/v1/widgets/load/kpi/render', body: JSON.stringify({ tenant: 'load', input: KPI_INPUT }) };
    const hostile: LoadTarget[] = HOSTILE.map(([name]) => ({ kind: 'hostile', path: `/v1/widgets/load/${name}/render`, body: JSON.stringify({ tenant: 'load-h', input: { props: {} } }) }));
    // Warm up (load every widget, tier up, reach the allocator's high-water mark for this many
    // connections) with the same mix, then take the baseline.
    let n = 0;
    const pick = () => (Math.random() < 0.2 ? hostile[n++ % hostile.length]! : good);
    await runLoad(url, { connections: 8, durationMs: 10_000, pick });
    await new Promise((r) => setTimeout(r, 4000));
    const baseline = await probe();

    const mixed = await runLoad(url, { connections: 8, durationMs: DURATION_MS, pick });
    await new Promise((r) => setTimeout(r, 4000));
    const after = await probe();

    // Every request got an answer with a status (no resets, no hangs); good renders succeeded.
    const goodStatuses = mixed.byKind.good!.statuses;
    const hostileStatuses = mixed.byKind.hostile!.statuses;
    expect(goodStatuses[-1] ?? 0).toBe(0);
    expect(hostileStatuses[-1] ?? 0).toBe(0);
    const goodTotal = Object.values(goodStatuses).reduce((a, b) => a + b, 0);
    expect(goodStatuses[200] ?? 0).toBeGreaterThan(goodTotal * 0.95);
    // Hostile widgets got their coded failures: 502 (caps, trap, output), 504 (wall), 503 (suspended).
    for (const status of Object.keys(hostileStatuses).map(Number)) expect([502, 503, 504]).toContain(status);
    expect(hostileStatuses[502] ?? 0).toBeGreaterThan(0);

    // Still up and ready, the same number of workers, none stuck busy, no threads leaked.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(after.stats.workers).toBe(2);
    expect(after.stats.busy).toBe(0);
    expect(after.stats.queued).toBe(0);
    expect(after.threads).toBeLessThanOrEqual(baseline.threads + 2);
    // Memory back near its baseline: a leak of one instance (9+ MiB) or one worker per hostile
    // render would be gigabytes by now (~3 000 of them run). Not tighter: RSS (after a GC, JS
    // heap flat) moves up and down by ~80 MiB between probes without a trend. Measured over
    // 8 rounds of 15 s at 8 connections (bench-style, a service process of its own): good
    // renders only, 170k of them, RSS 393-514 MiB ending at 393; with 20% hostile, 120k
    // renders, 406-482 ending at 422. What moves is anonymous memory (the workers' heaps and
    // wasm memories, freed when V8 gets to it), not a per-render leak.
    const mib = (b: number) => b / 1048576;
    console.info(
      `load: good ${JSON.stringify(goodStatuses)} hostile ${JSON.stringify(hostileStatuses)}; rss ${mib(baseline.memory.rss).toFixed(0)} -> ${mib(after.memory.rss).toFixed(0)} MiB, heap ${mib(baseline.memory.heapUsed).toFixed(0)} -> ${mib(after.memory.heapUsed).toFixed(0)} MiB, threads ${baseline.threads} -> ${after.threads}`,
    );
    expect(mib(after.memory.rss - baseline.memory.rss), `rss ${mib(baseline.memory.rss).toFixed(0)} -> ${mib(after.memory.rss).toFixed(0)} MiB`).toBeLessThan(192);
    expect(mib(after.memory.heapUsed - baseline.memory.heapUsed)).toBeLessThan(32);
  }, DURATION_MS + 120_000);
});
