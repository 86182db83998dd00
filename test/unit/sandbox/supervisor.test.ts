// The supervisor thread's half of the sandbox, driven directly: jobs go to the worker's control
// port as SandboxPool sends them, and the supervisor is told what to watch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ComponentPreparer } from '../../../src/component/prepare.js';
import type { Budget, FromWorker, LoadMessage } from '../../../src/sandbox/protocol.js';
import { Supervisor } from '../../../src/sandbox/supervisor.js';
import type { FromSupervisor, WorkerReady } from '../../../src/sandbox/supervisor-protocol.js';
import { watToComponent } from '../../support/build.js';
import { fixtureComponent, fixtureWat } from '../../support/fixtures.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const budget: Budget = { fuel: 10n ** 12n, memoryPages: 4096, tableElements: 1 << 20, outputBytes: 1 << 20, logLines: 100, logLineBytes: 2048, egressRequestBodyBytes: 1 << 20, egressMaxRequests: 10 };

async function loadMessage(bytes: Uint8Array): Promise<LoadMessage> {
  const p = await new ComponentPreparer(false).prepare(bytes, { memoryBytes: 256 << 20, tableElements: 1 << 20, cacheDir: false });
  return { type: 'load', key: p.key, js: p.js, modules: [...p.coreModules], imports: p.imports, initialMemoryPages: p.initialMemoryPages, initialTableElements: p.initialTableElements };
}

/** A supervisor with one worker, and everything it reports. */
async function start() {
  const seen: FromSupervisor[] = [];
  const waiters: (() => void)[] = [];
  const sup = new Supervisor({ workers: 1 }, (m) => {
    seen.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const next = async <T extends FromSupervisor['type']>(type: T): Promise<Extract<FromSupervisor, { type: T }>> => {
    for (;;) {
      const i = seen.findIndex((m) => m.type === type);
      if (i !== -1) return seen.splice(i, 1)[0] as Extract<FromSupervisor, { type: T }>;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const worker = await next('worker');
  return { sup, seen, next, worker };
}

function answers(port: MessagePort) {
  const got: FromWorker[] = [];
  port.on('message', (m: FromWorker) => got.push(m));
  return {
    got,
    async wait(pred: (m: FromWorker) => boolean): Promise<FromWorker> {
      await expect.poll(() => got.some(pred), { timeout: 10_000 }).toBe(true);
      return got.find(pred)!;
    },
  };
}

let sup: Supervisor | undefined;
afterEach(async () => {
  await sup?.close();
  sup = undefined;
});

async function ready(worker: WorkerReady, load: LoadMessage) {
  const port = answers(worker.port);
  worker.port.postMessage(load);
  await port.wait((m) => m.type === 'loaded');
  return port;
}

describe('Supervisor', () => {
  it('never stops a job the worker marked finished, job ids past 2^31 included', async () => {
    const s = await start();
    sup = s.sup;
    const load = await loadMessage(await fixtureComponent('good'));
    const port = await ready(s.worker, load);
    const id = 2 ** 31 + 7; // stored modulo 2^32 in the worker's Int32 cell
    s.sup.handle({ type: 'watch', slot: s.worker.slot, job: id, kind: 'run', wallMs: 150, cpuMs: 5000 });
    s.worker.port.postMessage({ type: 'run', id, key: load.key, input: '{"props":{}}', budget });
    const done = await port.wait((m) => m.type === 'done');
    expect(done).toMatchObject({ id, ok: true });
    // Well past the 150 ms deadline: nothing was killed, no worker was replaced.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.seen.filter((m) => m.type === 'killed' || m.type === 'worker')).toEqual([]);
  });

  it('stops a job at its wall deadline, says what it measured, and starts a replacement', async () => {
    const s = await start();
    sup = s.sup;
    const load = await loadMessage(await fixtureComponent('infinite-loop'));
    await ready(s.worker, load);
    s.sup.handle({ type: 'watch', slot: s.worker.slot, job: 3, kind: 'run', wallMs: 200, cpuMs: 60_000 });
    s.worker.port.postMessage({ type: 'run', id: 3, key: load.key, input: '{"props":{}}', budget });
    const killed = await s.next('killed');
    expect(killed).toMatchObject({ slot: s.worker.slot, why: 'wall', ended: { job: 3 } });
    expect(killed.ended.wallMs).toBeGreaterThanOrEqual(199);
    expect(killed.ended.cpuMs).toBeGreaterThan(100); // it spun the whole time
    const replacement = await s.next('worker');
    expect(replacement.slot).not.toBe(s.worker.slot);
  });

  it('an egress request that arrives before its job\'s watch waits for it, and is metered under it', async () => {
    const s = await start();
    sup = s.sup;
    const authority = 'api.example.com';
    const wat = await fixtureWat('http-probe', { AUTHORITY: authority, AUTH_LEN: authority.length, HOST: authority, HOST_LEN: authority.length, SCHEME: 0, WITH_HOST: 0 });
    const bytes = await watToComponent(wat, { witSource: readFileSync(join(root, 'test/fixtures/wat/http-probe.wit'), 'utf8'), world: 'http-probe' });
    const load = await loadMessage(bytes);
    const port = await ready(s.worker, load);
    // The worker starts first and blocks on its first request; the watch comes 150 ms later.
    s.worker.port.postMessage({ type: 'run', id: 5, key: load.key, input: '{"props":{}}', budget });
    await new Promise((r) => setTimeout(r, 150));
    expect(port.got.some((m) => m.type === 'done')).toBe(false);
    s.sup.handle({ type: 'watch', slot: s.worker.slot, job: 5, kind: 'run', wallMs: 2000, cpuMs: 5000, egress: { pluginId: 'test/probe', invocationId: 'inv-5', allowedHosts: [authority] } });
    const done = await port.wait((m) => m.type === 'done');
    expect(done).toMatchObject({ id: 5, ok: true });
    // No proxy is configured: both requests are refused by the policy, counted, and logged.
    const usage = await s.next('egress-usage');
    expect(usage).toMatchObject({ job: 5, usage: { requests: 0, denied: 2 } });
    expect(s.seen.filter((m) => m.type === 'egress-log' && m.job === 5)).toHaveLength(2);
  });
});
