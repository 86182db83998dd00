// A closed-loop HTTP load generator on keep-alive connections: `connections` loops, each sends
// a render, waits for the answer, sends the next. Latency is recorded per request kind so good
// renders can be judged apart from the hostile traffic mixed in.
import { Agent, request } from 'node:http';

export interface LoadTarget {
  kind: 'good' | 'hostile';
  path: string;
  body: string;
}

export interface LoadResult {
  durationMs: number;
  byKind: Record<string, { latencies: number[]; statuses: Record<number, number> }>;
}

function send(agent: Agent, base: URL, t: LoadTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: base.hostname, port: base.port, method: 'POST', path: t.path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(t.body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(t.body);
  });
}

/** `paceMs`: each connection waits this long between answer and next request (a UI's pace, not a closed loop). */
export async function runLoad(baseUrl: string, opts: { connections: number; durationMs: number; pick: () => LoadTarget; paceMs?: number }): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const byKind: LoadResult['byKind'] = {};
  const start = performance.now();
  const end = start + opts.durationMs;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) {
        if (opts.paceMs) await new Promise((r) => setTimeout(r, opts.paceMs));
        const t = opts.pick();
        const t0 = performance.now();
        const status = await send(agent, base, t).catch(() => -1);
        const k = (byKind[t.kind] ??= { latencies: [], statuses: {} });
        k.latencies.push(performance.now() - t0);
        k.statuses[status] = (k.statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return { durationMs: performance.now() - start, byKind };
}

/** The hostile widgets of the load test and benchmark: [name, WAT fixture, fixture variables]. */
export const HOSTILE_WIDGETS: readonly [string, string, Record<string, number>][] = [
  ['spin', 'infinite-loop', {}],
  ['bomb', 'memory-bomb', {}],
  ['slow', 'fill-loop', { BYTES: 64 << 20 }],
  ['trap', 'trap', {}],
  ['big', 'big-output', {}],
];
