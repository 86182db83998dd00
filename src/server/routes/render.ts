// POST /v1/widgets/{publisher}/{name}/render  { tenant, input } -> { html, usage, invocationId }
// The version served is the catalog's (the registry's current one). Admission (tenant rate and
// concurrency, load shedding) happens before any work; the output is sanitized before it
// leaves; every outcome is counted and logged with tenant, widget, invocation and trace ids.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { InvalidArgError, OverloadedError, RateLimitedError, SphError, NotFoundError } from '../../errors.js';
import type { ServiceContext } from '../service-context.js';

const NAME = '^[a-z0-9]+(?:-[a-z0-9]+)*$';
const TENANT = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

interface Params {
  publisher: string;
  name: string;
}
interface Body {
  tenant: string;
  input?: { props?: unknown; context?: Record<string, unknown>; state?: unknown };
}

const schema = {
  params: {
    type: 'object',
    required: ['publisher', 'name'],
    properties: { publisher: { type: 'string', pattern: NAME, maxLength: 100 }, name: { type: 'string', pattern: NAME, maxLength: 100 } },
  },
  body: {
    type: 'object',
    required: ['tenant'],
    additionalProperties: false,
    properties: {
      tenant: { type: 'string', pattern: TENANT },
      input: {
        type: 'object',
        additionalProperties: false,
        properties: { props: {}, context: { type: 'object' }, state: {} },
      },
    },
  },
} as const;

export function renderRoute(app: FastifyInstance, ctx: ServiceContext): void {
  app.post<{ Params: Params; Body: Body }>('/v1/widgets/:publisher/:name/render', { schema }, async (req, reply) => {
    const id = `${req.params.publisher}/${req.params.name}`;
    const { tenant } = req.body;
    const invocationId = randomUUID();
    // Fastify's request logger is pino's: it carries the trace id into the host's lines.
    const log = req.log.child({ pluginId: id, tenant, invocationId }) as unknown as Logger;
    const started = performance.now();
    const admission = ctx.tenants.admit(tenant);
    if (!admission.ok) {
      const err = new RateLimitedError(`tenant ${tenant} is over its ${admission.reason === 'rate' ? 'render rate' : admission.reason === 'concurrency' ? 'renders in flight' : 'tenant table'}: retry later`, {
        reason: admission.reason,
        retryAfterMs: admission.retryAfterMs,
      });
      ctx.metrics.observe(id, err.code, 0);
      throw Object.assign(err, { invocationId });
    }
    // Abort the render when the caller goes away: its worker is freed for someone else.
    // (The response's 'close' fires when the connection goes, or after the response is sent.)
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableEnded) abort.abort(new InvalidArgError('the caller closed the connection before the render finished'));
    };
    reply.raw.once('close', onClose);
    try {
      if (ctx.host.stats.queued >= ctx.options.limits.maxQueued) {
        throw new OverloadedError(`${ctx.host.stats.queued} renders are waiting for a worker: retry later`);
      }
      const entry = await ctx.catalog.resolve(id);
      if (!entry) throw new NotFoundError(`no widget ${id} is published on this host: check the id`);
      const admitted = ctx.guard.admit(id, entry.digest);
      let outcome = 'SPH_ERR_INTERNAL';
      try {
        const plugin = await ctx.loader.get(entry);
      // The host sets context.tenant: a caller cannot make a widget believe it serves another tenant.
        const input = { props: {}, ...req.body.input, context: { ...req.body.input?.context, tenant } };
        const r = await ctx.host.render(plugin, input, { tenant, invocationId, signal: abort.signal, logger: log });
        outcome = 'ok';
        const html = ctx.options.sanitize(r.output);
        ctx.metrics.observe(id, 'ok', (performance.now() - started) / 1000);
        return { html, usage: r.usage, invocationId, widget: { id, version: entry.version, digest: entry.digest } };
      } catch (err) {
        if (SphError.isSphError(err)) outcome = err.code;
        throw err;
      } finally {
        admitted.done(outcome);
      }
    } catch (err) {
      const code = abort.signal.aborted ? 'client-closed' : SphError.isSphError(err) ? err.code : 'SPH_ERR_INTERNAL';
      ctx.metrics.observe(id, code, (performance.now() - started) / 1000, SphError.isSphError(err) ? err.details.by : undefined);
      throw Object.assign(err as object, { invocationId });
    } finally {
      reply.raw.off('close', onClose);
      admission.release();
    }
  });
}
