// The kill switch over HTTP:
//   GET  /v1/revocations          the signed snapshot (ETag, If-None-Match -> 304); public
//   GET  /v1/revocations/stream   the same, pushed as server-sent events on every change and heartbeat
//   POST /v1/revocations          revoke { id, version?, digest?, reason }       registry:admin
//   POST /v1/revocations/restore  restore { id, version?, reason? }              registry:admin
// A revoke or restore is acknowledged only after it is committed (fsynced) and the new
// snapshot has been written to every connected stream.
import type { FastifyReply } from 'fastify';
import { principalOf, schemas, type RouteContext, type RouteModule } from '../context.js';

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v.replace(/^W\//, '') === etag;
  });
}

async function pushAfterCommit(ctx: RouteContext, reply: FastifyReply): Promise<void> {
  try {
    await ctx.publisher.refresh();
  } catch (err) {
    // The change is committed; the next heartbeat publishes it. Never report a committed
    // revocation as failed.
    reply.log.error({ err: (err as Error).message }, 'could not publish the snapshot right after a change; the heartbeat will');
  }
}

export const revocationRoutes: RouteModule = (app, ctx) => {
  app.get('/v1/revocations', async (req, reply) => {
    const cur = ctx.publisher.current;
    void reply.header('etag', cur.etag).header('cache-control', 'no-cache');
    if (matches(req.headers['if-none-match'], cur.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(cur.body);
  });

  // No HEAD twin: a HEAD request would hold a stream slot without ever reading it.
  app.get('/v1/revocations/stream', { exposeHeadRoute: false }, (req, reply) => {
    reply.hijack();
    ctx.publisher.addClient(req.raw, reply.raw);
  });

  app.post<{ Body: { id: string; version?: string; digest?: string; reason: string } }>(
    '/v1/revocations',
    {
      config: { access: 'admin' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'reason'],
          properties: { id: schemas.id, version: schemas.versionOrAll, digest: schemas.digest, reason: schemas.reason },
        },
      },
    },
    async (req, reply) => {
      const who = principalOf(req);
      const { id, version = '*', digest, reason } = req.body;
      const r = await ctx.store.revoke(digest ? { id, version, digest, reason } : { id, version, reason }, who.sub);
      req.log.info({ pluginId: id, version, digest, actor: who.sub, snapshotVersion: r.snapshotVersion }, 'revoked');
      await pushAfterCommit(ctx, reply);
      return reply.code(201).send({ ok: true, revocation: r.revocation, snapshotVersion: r.snapshotVersion, auditSeq: r.audit.seq });
    },
  );

  app.post<{ Body: { id: string; version?: string; reason?: string } }>(
    '/v1/revocations/restore',
    {
      config: { access: 'admin' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: schemas.id, version: schemas.versionOrAll, reason: schemas.reason },
        },
      },
    },
    async (req, reply) => {
      const who = principalOf(req);
      const { id, version, reason } = req.body;
      const r = await ctx.store.restore({ id, ...(version !== undefined ? { version } : {}), ...(reason !== undefined ? { reason } : {}) }, who.sub);
      req.log.info({ pluginId: id, version: version ?? '(all)', actor: who.sub, snapshotVersion: r.snapshotVersion }, 'restored');
      await pushAfterCommit(ctx, reply);
      return reply.send({ ok: true, removed: r.removed, snapshotVersion: r.snapshotVersion, auditSeq: r.audit.seq });
    },
  );
};
