// GET /v1/widgets: the widgets this host serves (id, version, digest), for pages that list them.
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

export function widgetsRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v1/widgets', async () => {
    const entries = await ctx.catalog.list();
    return { widgets: entries.map((e) => ({ id: e.id, version: e.version, digest: e.digest })).sort((a, b) => a.id.localeCompare(b.id)) };
  });
}
