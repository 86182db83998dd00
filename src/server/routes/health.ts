// Liveness (the process answers) and readiness (it can render now: workers up, and in
// production a fresh kill-switch snapshot). Orchestrators restart on the first and route on
// the second.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

export function healthRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/livez', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const stats = ctx.host.stats;
    let state = stats.workers > 0 ? { ready: true } : { ready: false, reason: 'no sandbox worker is up' };
    if (state.ready && ctx.options.ready) state = ctx.options.ready();
    reply.code(state.ready ? 200 : 503);
    return { ...state, workers: stats.workers, busy: stats.busy, queued: stats.queued };
  });
}
