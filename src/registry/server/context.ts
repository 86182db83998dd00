// What every route file gets: the store, the snapshot publisher, the token verifier and the
// resolved options. Routes are plain functions of it (one file per resource).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistryStore } from '../store/store.js';
import { ForbiddenError } from '../../errors.js';
import { ROLE_ADMIN, ROLE_PUBLISHER, requireRole, type Principal, type TokenVerifier } from './auth.js';
import type { ResolvedRegistryServerOptions } from './options.js';
import type { SnapshotPublisher } from './snapshot-publisher.js';

export interface RouteContext {
  store: RegistryStore;
  publisher: SnapshotPublisher;
  verifier: TokenVerifier;
  options: ResolvedRegistryServerOptions;
}

export type RouteModule = (app: FastifyInstance, ctx: RouteContext) => void;

export const ROLE_READER = 'registry:reader';

/** Who may call a route: checked in onRequest, before the body is read or parsed. */
export type Access = 'admin' | 'publisher' | 'reader';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Authenticates and authorizes before anything else happens to the request, so an
 * unauthenticated client cannot make the registry read, parse or validate a body.
 */
export function accessHook(ctx: RouteContext) {
  return async (req: FastifyRequest): Promise<void> => {
    const access = req.routeOptions.config.access;
    if (!access) return;
    const who = await ctx.verifier.verify(req.headers.authorization);
    if (access === 'admin') requireRole(who, ROLE_ADMIN, `${req.method} ${req.routeOptions.url}`);
    else if (access === 'publisher') requireRole(who, ROLE_PUBLISHER, 'publishing');
    else if (![ROLE_ADMIN, ROLE_PUBLISHER, ROLE_READER].some((r) => who.roles.has(r))) {
      throw new ForbiddenError(`reading the registry needs one of ${ROLE_READER}, ${ROLE_PUBLISHER}, ${ROLE_ADMIN}`, { role: ROLE_READER });
    }
    req.principal = who;
  };
}

/** The authenticated caller of a route that declared `access`. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error('route has no access level configured');
  return req.principal;
}

/** JSON-schema fragments shared by the routes. */
export const schemas = {
  id: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 200 },
  segment: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 100 },
  version: { type: 'string', pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$', maxLength: 100 },
  versionOrAll: {
    type: 'string',
    pattern: '^(\\*|(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)$',
    maxLength: 100,
  },
  digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  reason: { type: 'string', minLength: 1, maxLength: 1000 },
} as const;
