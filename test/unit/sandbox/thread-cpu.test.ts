import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, ThreadCpuClock } from '../../../src/sandbox/thread-cpu.js';

// A worker that reports its tid, then burns CPU for `ms` when told, then waits to be told again.
const SPINNER = `
const { parentPort } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
parentPort.on('message', (ms) => { const end = Date.now() + ms; while (Date.now() < end); parentPort.postMessage('spun'); });
`;

const next = (w: Worker) => new Promise<unknown>((resolve) => w.once('message', resolve));

describe.runIf(process.platform === 'linux')('ThreadCpuClock', () => {
  it('reads another thread\'s CPU time, again and again from one descriptor', async () => {
    const w = new Worker(SPINNER, { eval: true });
    try {
      const clock = new ThreadCpuClock((await next(w)) as number);
      const before = clock.ns();
      expect(before).not.toBeNull();
      w.postMessage(80);
      await next(w);
      const after = clock.ns()!;
      // At least most of the 80 ms of spinning, and not wildly more (it is that thread's clock).
      const ms = Number(after - before!) / 1e6;
      expect(ms).toBeGreaterThan(50);
      expect(ms).toBeLessThan(2000);
      // Idle now: the clock stands still (give or take the message handling).
      await new Promise((r) => setTimeout(r, 50));
      expect(Number(clock.ns()! - after) / 1e6).toBeLessThan(20);
      clock.close();
      expect(clock.ns()).toBeNull();
    } finally {
      await w.terminate();
    }
  });

  it('reports null for a thread that is gone, and for no thread', async () => {
    const w = new Worker(SPINNER, { eval: true });
    const clock = new ThreadCpuClock((await next(w)) as number);
    expect(clock.ns()).not.toBeNull();
    await w.terminate();
    // The exit event can come before the kernel has reaped the thread.
    await expect.poll(() => clock.ns(), { timeout: 2000 }).toBeNull();
    clock.close();
    expect(new ThreadCpuClock(null).ns()).toBeNull();
    expect(currentThreadId()).toEqual(expect.any(Number));
  });
});
