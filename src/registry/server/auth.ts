// Bearer tokens for admins and publishers: JWTs verified with jose against pinned public keys,
// with the issuer and audience pinned too. Roles are claims: `roles: [...]` or an OAuth-style
// `scope: "a b"`. A publisher token also names its id prefix in `publisher`, and may publish
// only `<publisher>/...`. Symmetric (HMAC) keys are refused: the registry must not hold
// anything that could mint tokens.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
import { ForbiddenError, InvalidArgError, UnauthorizedError } from '../../errors.js';

export const ROLE_ADMIN = 'registry:admin';
export const ROLE_PUBLISHER = 'registry:publisher';
export type Role = typeof ROLE_ADMIN | typeof ROLE_PUBLISHER;

export const ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'RS256', 'PS256'] as const;
const PUBLISHER = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface Principal {
  sub: string;
  roles: ReadonlySet<string>;
  /** The id prefix a publisher token may publish under. */
  publisher: string | undefined;
}

export interface TokenAuthOptions {
  issuer: string;
  audience: string;
  /** Public keys: PEM text, KeyObjects, JWKs, or JWK sets. */
  keys: readonly (string | KeyObject | JWK | { keys: JWK[] })[];
  clockToleranceSec?: number;
}

function algFor(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec': {
      const crv = key.asymmetricKeyDetails?.namedCurve;
      if (crv === 'prime256v1') return 'ES256';
      if (crv === 'secp384r1') return 'ES384';
      throw new InvalidArgError(`token key: unsupported EC curve ${crv ?? '?'} (use P-256 or P-384)`);
    }
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    default:
      throw new InvalidArgError(`token key: unsupported key type ${key.asymmetricKeyType ?? key.type} (use Ed25519, P-256, P-384 or RSA)`);
  }
}

function toJwks(keys: TokenAuthOptions['keys']): JWK[] {
  const out: JWK[] = [];
  keys.forEach((k, i) => {
    const where = `token key ${i + 1}`;
    if (typeof k === 'string' || (typeof k === 'object' && k !== null && 'asymmetricKeyType' in k)) {
      let key: KeyObject;
      try {
        key = createPublicKey(k as string | KeyObject);
      } catch (err) {
        throw new InvalidArgError(`${where}: not a PEM public key (${(err as Error).message})`);
      }
      const jwk = key.export({ format: 'jwk' }) as JWK;
      out.push({ ...jwk, alg: algFor(key), use: 'sig' });
      return;
    }
    const list = Array.isArray((k as { keys?: unknown }).keys) ? (k as { keys: JWK[] }).keys : [k as JWK];
    for (const jwk of list) {
      if (!jwk || typeof jwk !== 'object' || typeof jwk.kty !== 'string') throw new InvalidArgError(`${where}: not a JWK`);
      if (jwk.kty === 'oct') throw new InvalidArgError(`${where}: symmetric (HMAC) keys are refused; configure the issuer's public key`);
      if ('d' in jwk) throw new InvalidArgError(`${where}: a private key; configure only the public key`);
      out.push(jwk);
    }
  });
  if (out.length === 0) throw new InvalidArgError('no token keys configured');
  return out;
}

/** Reads token verification keys from files: PEM public keys, a JWK, or a JWK set. */
export function readTokenKeyFiles(paths: readonly string[]): TokenAuthOptions['keys'] {
  return paths.map((p) => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      throw new InvalidArgError(`cannot read token key file ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const t = text.trim();
    if (t.startsWith('{')) {
      try {
        return JSON.parse(t) as JWK | { keys: JWK[] };
      } catch (err) {
        throw new InvalidArgError(`token key file ${p}: invalid JSON (${(err as Error).message})`);
      }
    }
    return t;
  });
}

export class TokenVerifier {
  readonly #getKey: JWTVerifyGetKey;
  readonly #opts: TokenAuthOptions;

  constructor(opts: TokenAuthOptions) {
    if (typeof opts.issuer !== 'string' || opts.issuer === '') throw new InvalidArgError('token issuer is required');
    if (typeof opts.audience !== 'string' || opts.audience === '') throw new InvalidArgError('token audience is required');
    this.#opts = opts;
    this.#getKey = createLocalJWKSet({ keys: toJwks(opts.keys) });
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <token>" (summit-plugin takes --token or SUMMIT_REGISTRY_TOKEN)', { reason: 'missing' });
    const m = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(authorization);
    if (!m) throw new UnauthorizedError('the Authorization header is not "Bearer <jwt>"', { reason: 'malformed' });
    let payload;
    try {
      ({ payload } = await jwtVerify(m[1]!, this.#getKey, {
        issuer: this.#opts.issuer,
        audience: this.#opts.audience,
        algorithms: [...ALGORITHMS],
        requiredClaims: ['sub', 'exp'],
        clockTolerance: this.#opts.clockToleranceSec ?? 30,
      }));
    } catch (err) {
      throw unauthorized(err);
    }
    const roles = new Set<string>();
    if (Array.isArray(payload.roles)) for (const r of payload.roles) if (typeof r === 'string') roles.add(r);
    if (typeof payload.scope === 'string') for (const r of payload.scope.split(/\s+/)) if (r) roles.add(r);
    const publisher = typeof payload.publisher === 'string' && PUBLISHER.test(payload.publisher) ? payload.publisher : undefined;
    return { sub: String(payload.sub), roles, publisher };
  }
}

function unauthorized(err: unknown): UnauthorizedError {
  if (err instanceof joseErrors.JWTExpired) return new UnauthorizedError('the token has expired: get a new one', { reason: 'expired' });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return new UnauthorizedError(`the token's "${err.claim}" claim is not accepted here (${err.reason})`, { reason: `claim-${err.claim}` });
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
    return new UnauthorizedError('the token signature does not verify with any configured key', { reason: 'signature' });
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new UnauthorizedError('the token uses a signing algorithm this registry does not accept', { reason: 'algorithm' });
  return new UnauthorizedError('the token is not a valid JWT', { reason: 'invalid' });
}

export function requireRole(p: Principal, role: Role, action: string): void {
  if (!p.roles.has(role)) throw new ForbiddenError(`${action} needs the ${role} role; this token (sub ${p.sub}) has ${[...p.roles].join(', ') || 'no roles'}`, { role });
}

/** A publisher may publish only ids under its own prefix. */
export function requirePublisherOf(p: Principal, id: string): string {
  requireRole(p, ROLE_PUBLISHER, 'publishing');
  const prefix = id.split('/')[0]!;
  if (p.publisher === undefined) throw new ForbiddenError('this publisher token has no "publisher" claim naming its id prefix', { reason: 'no-prefix' });
  if (prefix !== p.publisher) throw new ForbiddenError(`this token may publish only ${p.publisher}/... ids, not ${id}`, { reason: 'prefix', publisher: p.publisher });
  return prefix;
}
