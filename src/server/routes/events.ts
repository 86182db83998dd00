// GET /v1/widgets/events: server-sent events for pages that embed widgets. When the
// kill-switch snapshot changes, `event: widgets` names the widgets whose revocations changed
// (revoked or restored), so a <summit-widget> on an open page renders again at once and turns
// into a placeholder (or back) without a reload. Heartbeat comments keep proxies from closing
// an idle stream; the number of open streams is bounded.
import type { FastifyInstance } from 'fastify';
import type { RevokedEntry, Snapshot } from '../../registry/snapshot.js';
import type { ServiceContext } from '../service-context.js';

const HEARTBEAT_MS = 15_000;

/** Ids whose revocation entries differ between two snapshots. */
export function changedWidgets(previous: readonly RevokedEntry[], next: readonly RevokedEntry[]): string[] {
  const key = (e: RevokedEntry) => `${e.version}\u0000${e.digest ?? ''}`;
  const byId = (list: readonly RevokedEntry[]) => {
    const m = new Map<string, string[]>();
    for (const e of list) m.set(e.id, [...(m.get(e.id) ?? []), key(e)]);
    for (const v of m.values()) v.sort();
    return m;
  };
  const a = byId(previous);
  const b = byId(next);
  const ids = new Set([...a.keys(), ...b.keys()]);
  return [...ids].filter((id) => (a.get(id) ?? []).join('\n') !== (b.get(id) ?? []).join('\n')).sort();
}

export function eventsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  const clients = new Set<(chunk: string) => void>();
  const ks = ctx.host.registry?.killSwitch;
  const stop = ks?.onChange((snap: Snapshot, prev: Snapshot | undefined) => {
    const widgets = changedWidgets(prev?.revoked ?? [], snap.revoked);
    if (widgets.length === 0) return;
    const chunk = `event: widgets\nid: ${snap.version}\ndata: ${JSON.stringify({ snapshotVersion: snap.version, widgets })}\n\n`;
    for (const send of clients) send(chunk);
  });
  app.addHook('onClose', async () => {
    stop?.();
    for (const send of clients) send('');
  });

  app.get('/v1/widgets/events', (req, reply) => {
    if (clients.size >= ctx.options.limits.maxEventStreams) {
      reply.code(503).header('retry-after', 5).send({ error: { code: 'SPH_ERR_OVERLOADED', message: 'too many open event streams: retry later' } });
      return;
    }
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...corsOf(reply) });
    res.write(`retry: 1000\n: connected ${ks?.snapshot?.version ?? 'no-registry'}\n\n`);
    const send = (chunk: string) => {
      if (chunk === '') res.end();
      else res.write(chunk);
    };
    clients.add(send);
    const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    beat.unref();
    res.on('close', () => {
      clearInterval(beat);
      clients.delete(send);
    });
  });
}

/** CORS headers fastify set on the reply before it was hijacked. */
function corsOf(reply: { getHeaders(): Record<string, unknown> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (k.startsWith('access-control-') && typeof v === 'string') out[k] = v;
  return out;
}
