// GET /metrics in the Prometheus text format.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

export function metricsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
