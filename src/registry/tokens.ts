// Minting registry tokens (JWTs) with a private key: for dev mode and for operators who keep
// the issuer key themselves (`summit-plugin registry token`). Production fleets normally get
// tokens from their identity provider instead; the registry only ever needs public keys.
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { InvalidArgError } from '../errors.js';

export interface TokenClaims {
  issuer: string;
  audience: string;
  sub: string;
  roles: readonly string[];
  publisher?: string;
  /** Lifetime in seconds (default 1 hour). */
  ttlSec?: number;
}

export function algForPrivateKey(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ed25519':
      return 'EdDSA';
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ES384' : 'ES256';
    case 'rsa':
      return 'RS256';
    default:
      throw new InvalidArgError(`cannot sign tokens with a ${key.asymmetricKeyType ?? key.type} key (use Ed25519, P-256, P-384 or RSA)`);
  }
}

export async function mintToken(privateKey: KeyObject, c: TokenClaims): Promise<string> {
  if (privateKey.type !== 'private') throw new InvalidArgError('minting a token needs the private key of the token issuer');
  const claims: Record<string, unknown> = { roles: [...c.roles] };
  if (c.publisher !== undefined) claims.publisher = c.publisher;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: algForPrivateKey(privateKey), typ: 'JWT' })
    .setIssuer(c.issuer)
    .setAudience(c.audience)
    .setSubject(c.sub)
    .setIssuedAt()
    .setExpirationTime(`${Math.max(1, Math.floor(c.ttlSec ?? 3600))}s`)
    .sign(privateKey);
}
