// The demo of `npm start`: a page that embeds every published widget with <summit-widget> as
// the Summit UI would (hostile ones included, behind their placeholders), and an admin panel
// that revokes and restores a widget through the registry's own API. The page reaches the
// widgets only through the public render API and the event stream; revocations reach it the
// way they reach any host (registry -> kill-switch snapshot -> event stream).
//
// Local-only: the admin calls carry the dev admin token, so they answer only requests that
// come from the page itself (a custom header a cross-origin page cannot send without a
// preflight this server never grants, and a same-origin Origin when the browser sends one).
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { request } from 'undici';
import { ForbiddenError, RegistryUnavailableError } from '../../errors.js';
import { WIDGET_PAGE_CSP } from '../../host/page-csp.js';
import type { ServiceContext } from '../service-context.js';

export interface DemoCard {
  id: string;
  displayName: string;
  description: string;
  /** `sample`: a partner widget from sample-plugins/; `hostile`: a widget built to misbehave. */
  kind: 'sample' | 'hostile';
  /** What the page passes to the widget (the first sample input of its manifest). */
  props?: unknown;
  context?: { locale?: string; theme?: string };
}

export interface DemoOptions {
  cards: readonly DemoCard[];
  /** The registry the admin panel acts on, and an admin token for it. */
  registryUrl: string;
  adminToken: string;
}

const WEB_DIR = new URL('../../../dist/web/', import.meta.url);

export const DEMO_CSP = WIDGET_PAGE_CSP;

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'demo.html', type: 'text/html; charset=utf-8' },
  '/demo/demo.js': { file: 'demo.js', type: 'text/javascript; charset=utf-8' },
  '/demo/demo.js.map': { file: 'demo.js.map', type: 'application/json; charset=utf-8' },
  '/demo/demo.css': { file: 'demo.css', type: 'text/css; charset=utf-8' },
};

/** Refuses admin calls that do not come from the demo page itself. */
function requireDemoPage(req: FastifyRequest): void {
  if (req.headers['x-summit-demo'] !== '1') throw new ForbiddenError('demo admin calls come from the demo page only (x-summit-demo: 1)');
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host}`) {
    throw new ForbiddenError(`demo admin calls come from the demo page only, not from ${origin}`);
  }
}

function isRevoked(ctx: ServiceContext, id: string): boolean {
  return (ctx.host.registry?.killSwitch.snapshot?.revoked ?? []).some((e) => e.id === id && e.version === '*' && e.digest === undefined);
}

export function demoRoutes(app: FastifyInstance, ctx: ServiceContext, opts: DemoOptions): void {
  const cards = new Map(opts.cards.map((c) => [c.id, c]));
  const registry = new URL(opts.registryUrl.endsWith('/') ? opts.registryUrl : `${opts.registryUrl}/`);

  for (const [path, asset] of Object.entries(ASSETS)) {
    app.get(path, async (_req, reply) => {
      const body = await readFile(new URL(asset.file, WEB_DIR));
      return reply.type(asset.type).header('content-security-policy', DEMO_CSP).header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(body);
    });
  }

  app.get('/demo/api/widgets', async () => ({
    widgets: opts.cards.map((c) => ({ ...c, revoked: isRevoked(ctx, c.id) })),
  }));

  app.post<{ Body: { id: string; action: 'revoke' | 'restore' } }>(
    '/demo/api/revocations',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'action'],
          properties: { id: { type: 'string', maxLength: 129 }, action: { enum: ['revoke', 'restore'] } },
        },
      },
    },
    async (req, reply) => {
      requireDemoPage(req);
      const { id, action } = req.body;
      if (!cards.has(id)) return reply.callNotFound();
      const path = action === 'revoke' ? 'v1/revocations' : 'v1/revocations/restore';
      const body = action === 'revoke' ? { id, reason: 'revoked from the demo admin panel' } : { id, reason: 'restored from the demo admin panel' };
      let res;
      try {
        res = await request(new URL(path, registry), {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          headersTimeout: 5000,
          bodyTimeout: 5000,
        });
      } catch (err) {
        throw new RegistryUnavailableError(`the registry cannot be reached (${(err as Error).message})`);
      }
      const answer = (await res.body.json()) as { snapshotVersion?: number; error?: { code: string; message: string } };
      if (res.statusCode >= 400) return reply.code(res.statusCode).send(answer);
      req.log.info({ pluginId: id, action, snapshotVersion: answer.snapshotVersion }, 'demo admin action');
      return { ok: true, id, action, snapshotVersion: answer.snapshotVersion };
    },
  );
}
