// Plug-ins and their versions:
//   POST /v1/plugins                                        publish { manifest, component (base64), digest? }   registry:publisher, own prefix
//   GET  /v1/plugins[?publisher=][&id=]                     list, with lifecycle status and revocation           any registry role
//   GET  /v1/plugins/:publisher/:name/versions/:version     one version                                          any registry role
//   GET  /v1/plugins/:publisher/:name/versions/:version/component   the component bytes (application/wasm)       any registry role
//   PUT  /v1/plugins/:publisher/:name/versions/:version/status      { status, reason? }                          registry:admin
import { checkComponentHeader } from '../../../component/binary-header.js';
import { sha256Hex } from '../../../component/digest.js';
import { InvalidComponentError, NotFoundError, PayloadTooLargeError } from '../../../errors.js';
import { parseManifest } from '../../../manifest/manifest.js';
import { findRevocation } from '../../snapshot.js';
import { LIFECYCLE_STATUSES, type LifecycleStatus, type PluginRecord } from '../../store/store.js';
import { requirePublisherOf } from '../auth.js';
import { principalOf, schemas, type RouteContext, type RouteModule } from '../context.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function withRevocation(ctx: RouteContext, p: PluginRecord) {
  const r = findRevocation(ctx.publisher.current.snapshot.revoked, p.id, p.version, p.digest);
  return { ...p, revoked: r ? { version: r.version, reason: r.reason, ...(r.digest ? { digest: r.digest } : {}) } : null };
}

const versionParams = {
  type: 'object',
  required: ['publisher', 'name', 'version'],
  properties: { publisher: schemas.segment, name: schemas.segment, version: schemas.version },
} as const;

type VersionParams = { publisher: string; name: string; version: string };

export const pluginRoutes: RouteModule = (app, ctx) => {
  const { maxComponentBytes } = ctx.options;

  app.post<{ Body: { manifest: unknown; component: string; digest?: string } }>(
    '/v1/plugins',
    {
      // base64 grows the component by 4/3; the manifest gets a generous 1 MiB on top.
      bodyLimit: Math.ceil((maxComponentBytes * 4) / 3) + 1024 * 1024,
      config: { access: 'publisher' },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['manifest', 'component'],
          properties: { manifest: { type: 'object' }, component: { type: 'string', minLength: 1 }, digest: schemas.digest },
        },
      },
    },
    async (req, reply) => {
      const who = principalOf(req);
      const manifest = parseManifest(req.body.manifest, 'manifest');
      const publisher = requirePublisherOf(who, manifest.id);
      const b64 = req.body.component;
      if (Math.floor((b64.length * 3) / 4) > maxComponentBytes + 2) {
        throw new PayloadTooLargeError(`the component is over the registry's ${maxComponentBytes}-byte limit`, { maxComponentBytes });
      }
      if (!BASE64.test(b64)) throw new InvalidComponentError('component must be the component bytes in base64');
      const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
      if (bytes.byteLength > maxComponentBytes) throw new PayloadTooLargeError(`the component is over the registry's ${maxComponentBytes}-byte limit`, { maxComponentBytes });
      checkComponentHeader(bytes);
      const digest = sha256Hex(bytes);
      if (req.body.digest !== undefined && req.body.digest !== digest) {
        throw new InvalidComponentError(`digest mismatch: the body says ${req.body.digest}, the component bytes hash to ${digest}`, { expected: req.body.digest, actual: digest });
      }
      const r = await ctx.store.publish(
        { id: manifest.id, version: manifest.version, digest, publisher, manifest: req.body.manifest as Record<string, unknown>, bytes },
        who.sub,
      );
      req.log.info({ pluginId: manifest.id, version: manifest.version, digest, actor: who.sub, created: r.created }, 'published');
      return reply.code(r.created ? 201 : 200).send({ ok: true, created: r.created, plugin: withRevocation(ctx, r.plugin) });
    },
  );

  app.get<{ Querystring: { publisher?: string; id?: string } }>(
    '/v1/plugins',
    {
      config: { access: 'reader' },
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { publisher: schemas.segment, id: schemas.id } },
      },
    },
    async (req) => {
      const list = await ctx.store.listPlugins(req.query);
      const snap = ctx.publisher.current.snapshot;
      return { ok: true, snapshotVersion: snap.version, plugins: list.map((p) => withRevocation(ctx, p)), revocations: snap.revoked };
    },
  );

  app.get<{ Params: VersionParams }>('/v1/plugins/:publisher/:name/versions/:version', { config: { access: 'reader' }, schema: { params: versionParams } }, async (req) => {
    const id = `${req.params.publisher}/${req.params.name}`;
    const p = await ctx.store.getPlugin(id, req.params.version);
    if (!p) throw new NotFoundError(`${id}@${req.params.version} is not published in this registry`);
    return { ok: true, plugin: withRevocation(ctx, p) };
  });

  app.get<{ Params: VersionParams }>('/v1/plugins/:publisher/:name/versions/:version/component', { config: { access: 'reader' }, schema: { params: versionParams } }, async (req, reply) => {
    const id = `${req.params.publisher}/${req.params.name}`;
    const bytes = await ctx.store.getComponent(id, req.params.version);
    if (!bytes) throw new NotFoundError(`${id}@${req.params.version} is not published in this registry`);
    return reply.type('application/wasm').header('x-content-sha256', sha256Hex(bytes)).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  app.put<{ Params: VersionParams; Body: { status: LifecycleStatus; reason?: string } }>(
    '/v1/plugins/:publisher/:name/versions/:version/status',
    {
      config: { access: 'admin' },
      schema: {
        params: versionParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: { status: { type: 'string', enum: [...LIFECYCLE_STATUSES] }, reason: schemas.reason },
        },
      },
    },
    async (req) => {
      const who = principalOf(req);
      const id = `${req.params.publisher}/${req.params.name}`;
      const r = await ctx.store.setStatus(id, req.params.version, req.body.status, req.body.reason, who.sub);
      req.log.info({ pluginId: id, version: req.params.version, status: req.body.status, actor: who.sub }, 'lifecycle status changed');
      return { ok: true, plugin: withRevocation(ctx, r.plugin), auditSeq: r.audit.seq };
    },
  );
};
