// GET /healthz and GET /v1/keys (the snapshot-signing public key, for operators to pin).
import type { RouteModule } from '../context.js';

export const metaRoutes: RouteModule = (app, ctx) => {
  app.get('/healthz', async () => ({
    ok: true,
    store: ctx.store.kind,
    schemaVersion: ctx.store.schemaVersion,
    snapshotVersion: ctx.publisher.current.snapshot.version,
    streamClients: ctx.publisher.streamClients,
  }));

  app.get('/v1/keys', async () => ({ ok: true, keys: [ctx.publisher.publicKeyInfo] }));
};
