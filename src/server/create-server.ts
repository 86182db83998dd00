// The host service for the Summit UI: a fastify app around a PluginHost. One file per resource
// under routes/; this file wires them, the request limits and the error mapping.
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { createDefaultLogger } from '../host/logger.js';
import { SphError } from '../errors.js';
import { statusFor } from './error-status.js';
import { ServiceMetrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { renderRoute } from './routes/render.js';
import { widgetsRoute } from './routes/widgets.js';
import { eventsRoute } from './routes/events.js';
import { embedRoute } from './routes/embed.js';
import { resolveServerOptions, type HostServerOptions } from './server-options.js';
import type { ServiceContext } from './service-context.js';
import { TenantLimits } from './tenant-limits.js';
import { parseTraceparent } from './trace-context.js';
import { WidgetGuard } from './widget-guard.js';
import { WidgetLoader } from './widget-loader.js';

export interface HostServer {
  app: FastifyInstance;
  context: ServiceContext;
  /** Starts listening (default 127.0.0.1, an ephemeral port) and resolves with the base URL. */
  listen(opts?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

/** Errors fastify raises before a handler runs, as our codes. */
function fromFramework(err: FastifyError): { status: number; code: string; message: string } {
  if (err.validation) return { status: 400, code: 'SPH_ERR_INVALID_ARG', message: `invalid request: ${err.message}` };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'SPH_ERR_PAYLOAD_TOO_LARGE', message: 'the request body is over the size limit' };
  if (err.code?.startsWith('FST_ERR_CTP_') || (err.statusCode === 400 && err instanceof SyntaxError)) {
    return { status: err.statusCode ?? 400, code: 'SPH_ERR_INVALID_ARG', message: `unreadable request body: ${err.message}` };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return { status: err.statusCode, code: 'SPH_ERR_INVALID_ARG', message: err.message };
  return { status: 500, code: 'SPH_ERR_INTERNAL', message: 'internal error' };
}

const secondsOrNull = (ms: number | null) => (ms === null ? null : ms / 1000);

export function createHostServer(input: HostServerOptions): HostServer {
  const options = resolveServerOptions(input);
  const logger = options.logger ?? createDefaultLogger();
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // The trace id of the caller (W3C traceparent) becomes the request's log binding; one line
    // per request comes from our onResponse hook, not fastify's pair.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'traceId' }),
    bodyLimit: options.limits.bodyBytes,
    http: { maxHeaderSize: options.limits.headerBytes },
    requestTimeout: options.limits.requestTimeoutMs,
    return503OnClosing: true,
    // Strict validation: no coercion, no silently dropped fields.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    genReqId: (req) => parseTraceparent(req.headers.traceparent).traceId,
  });
  const guard = new WidgetGuard({
    tripAfter: options.limits.breakerTripAfter,
    coolDownMs: options.limits.breakerCoolDownMs,
    maxCoolDownMs: options.limits.breakerMaxCoolDownMs,
    suspectForMs: options.limits.suspectForMs,
    suspectConcurrency: options.limits.suspectConcurrency,
  });
  // With a registry, readiness and the snapshot-age gauge follow the kill switch by default.
  const ks = options.host.registry?.killSwitch;
  const ready = options.ready ?? (ks ? () => (ks.fresh ? { ready: true } : { ready: false, reason: 'no fresh kill-switch snapshot (failing closed)' }) : undefined);
  const snapshotAgeSeconds = options.snapshotAgeSeconds ?? (ks ? () => secondsOrNull(ks.status().ageMs) : undefined);
  const context: ServiceContext = {
    options: Object.freeze({ ...options, ...(ready ? { ready } : {}) }),
    guard,
    host: options.host,
    catalog: options.catalog,
    loader: new WidgetLoader(options.host),
    tenants: new TenantLimits({
      concurrency: options.limits.tenantConcurrency,
      ratePerSec: options.limits.tenantRatePerSec,
      burst: options.limits.tenantBurst,
      maxTenants: options.limits.maxTenants,
    }),
    metrics: new ServiceMetrics({
      pool: () => options.host.stats,
      suspended: () => guard.open,
      ...(snapshotAgeSeconds ? { snapshotAgeSeconds } : {}),
    }),
  };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-summit-trace-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });
  app.setErrorHandler((err: FastifyError & { invocationId?: string; usage?: unknown }, req, reply) => {
    let status: number;
    let code: string;
    let message: string;
    if (SphError.isSphError(err)) {
      ({ code, message } = err);
      status = statusFor(code);
      const retryAfterMs = err.details.retryAfterMs;
      if (typeof retryAfterMs === 'number') reply.header('retry-after', Math.max(1, Math.ceil(retryAfterMs / 1000)));
    } else {
      ({ status, code, message } = fromFramework(err));
      if (status >= 500) req.log.error({ err }, 'unhandled error in the host service');
    }
    reply.code(status).send({
      error: { code, message },
      ...(err.invocationId ? { invocationId: err.invocationId } : {}),
      ...(err.usage ? { usage: err.usage } : {}),
    });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'SPH_ERR_INVALID_ARG', message: `no route ${req.method} ${req.url}` } });
  });

  // A revocation or a restore may change which version a catalog serves.
  const stopWatching = options.host.registry?.killSwitch.onChange(() => options.catalog.invalidate?.());
  app.addHook('onClose', async () => stopWatching?.());

  // Browsers on the Summit UI's origin may call the render API and follow the event stream.
  const origins = new Set(options.allowedOrigins ?? []);
  void app.register(cors, { origin: (origin, cb) => cb(null, origin !== undefined && origins.has(origin)), methods: ['GET', 'POST'], maxAge: 600 });

  renderRoute(app, context);
  widgetsRoute(app, context);
  eventsRoute(app, context);
  embedRoute(app);
  healthRoutes(app, context);
  metricsRoute(app, context);

  return {
    app,
    context,
    async listen({ host = '127.0.0.1', port = 0 } = {}) {
      return app.listen({ host, port });
    },
    async close() {
      await app.close();
    },
  };
}
