// createRegistryServer(options): the registry as a value, so it runs in-process (tests, the
// host service, benchmarks) as well as behind `summit-plugin registry serve`.
//
//   const registry = await createRegistryServer({ dev: true, dataDir, port: 0 });
//   const url = await registry.listen();
//   ...
//   await registry.close();
import type { KeyObject } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { errorBody, registryErrorHandler } from './http-errors.js';
import { TokenVerifier, type TokenAuthOptions } from './auth.js';
import { loadOrCreateDevKeys, writeDevCredentials, type DevKeys } from './dev-keys.js';
import { resolveRegistryServerOptions, type RegistryServerOptions, type ResolvedRegistryServerOptions } from './options.js';
import { SnapshotPublisher } from './snapshot-publisher.js';
import { accessHook, type RouteContext } from './context.js';
import { auditRoutes } from './routes/audit.js';
import { metaRoutes } from './routes/meta.js';
import { pluginRoutes } from './routes/plugins.js';
import { revocationRoutes } from './routes/revocations.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { RegistryStore } from '../store/store.js';

export interface RegistryServer {
  readonly options: ResolvedRegistryServerOptions;
  readonly app: FastifyInstance;
  readonly store: RegistryStore;
  readonly publisher: SnapshotPublisher;
  /** The snapshot-signing public key hosts must pin. */
  readonly publicKey: SnapshotPublisher['publicKeyInfo'];
  /** Present in dev mode only. */
  readonly dev: (DevKeys & { adminToken: string; adminTokenFile: string; publicKeyFile: string }) | undefined;
  /** Set after listen(). */
  readonly url: string | undefined;
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createRegistryServer(input: RegistryServerOptions = {}): Promise<RegistryServer> {
  const options = resolveRegistryServerOptions(input);
  const logger: Logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'registry' });
  const devKeys = options.dev ? loadOrCreateDevKeys(options.dataDir) : undefined;
  const signingKey: KeyObject = options.signingKey ?? devKeys!.signingKey;
  const auth: TokenAuthOptions = options.auth ?? { issuer: devKeys!.issuer, audience: devKeys!.audience, keys: [devKeys!.tokenKey] };
  const verifier = new TokenVerifier(auth);

  const ownStore = options.store === undefined;
  const store = options.store ?? openSqliteStore({ path: options.dbPath, driver: options.driver });
  const publisher = new SnapshotPublisher({
    store,
    signingKey,
    heartbeatMs: options.heartbeatMs,
    ttlMs: options.snapshotTtlMs,
    maxStreamClients: options.maxStreamClients,
    logger,
  });
  try {
    await publisher.start();
  } catch (err) {
    if (ownStore) await store.close();
    throw err;
  }
  const dev = devKeys ? { ...devKeys, ...(await writeDevCredentials(devKeys, publisher.publicKeyInfo.publicKey)) } : undefined;

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    // Strict bodies: unknown fields are errors, and no silent type coercion.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    // A client that trickles its request is cut off; event streams are unaffected (the
    // request itself is complete once the stream starts).
    requestTimeout: 60_000,
    return503OnClosing: true,
  });
  app.setErrorHandler(registryErrorHandler);
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody('SPH_ERR_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  // Streams never end by themselves: end them first, or close() would wait for them.
  app.addHook('preClose', async () => publisher.closeStreams());

  const ctx: RouteContext = { store, publisher, verifier, options };
  app.addHook('onRequest', accessHook(ctx));
  for (const routes of [metaRoutes, revocationRoutes, pluginRoutes, auditRoutes]) routes(app, ctx);

  let url: string | undefined;
  let closed = false;
  return {
    options,
    app,
    store,
    publisher,
    publicKey: publisher.publicKeyInfo,
    dev,
    get url() {
      return url;
    },
    async listen() {
      const address = await app.listen({ host: options.host, port: options.port });
      url = address;
      logger.info({ url, store: store.kind, dbPath: ownStore ? options.dbPath : undefined, dev: options.dev, keyid: publisher.keyid }, 'registry listening');
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      publisher.closeStreams();
      await app.close();
      if (ownStore) await store.close();
    },
  };
}
