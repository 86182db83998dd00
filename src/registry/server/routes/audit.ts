// GET /v1/audit?after=<seq>&limit=<n>   the hash-chained audit log, oldest first     registry:admin
import type { RouteModule } from '../context.js';

export const auditRoutes: RouteModule = (app, ctx) => {
  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/v1/audit',
    {
      config: { access: 'admin' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { after: { type: 'string', pattern: '^\\d{1,15}$' }, limit: { type: 'string', pattern: '^\\d{1,5}$' } },
        },
      },
    },
    async (req) => {
      const after = Number(req.query.after ?? 0);
      const limit = Math.min(10_000, Math.max(1, Number(req.query.limit ?? 1000)));
      const entries = await ctx.store.auditEntries(after, limit);
      return { ok: true, entries, head: await ctx.store.auditHead() };
    },
  );
};
