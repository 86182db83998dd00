// Development mode only, and only when asked for (`--dev`, `dev: true`): the registry makes
// its own snapshot-signing key and token-issuer key under <dataDir>/dev and mints an admin
// token, so a laptop can run the whole loop. Kept on disk so a restarted dev registry keeps
// its identity (hosts pinned its public key) and its tokens stay valid.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mintToken, type TokenClaims } from '../tokens.js';
import { ROLE_ADMIN } from './auth.js';

export const DEV_ISSUER = 'summit-registry-dev';
export const DEV_AUDIENCE = 'summit-registry';

export interface DevKeys {
  dir: string;
  signingKey: KeyObject;
  tokenKey: KeyObject;
  issuer: string;
  audience: string;
  mintToken(c: Omit<TokenClaims, 'issuer' | 'audience'>): Promise<string>;
}

function loadOrCreate(file: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  // wx: two processes starting at once must not overwrite each other's key.
  try {
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return createPrivateKey(readFileSync(file, 'utf8'));
    throw err;
  }
}

export function loadOrCreateDevKeys(dataDir: string): DevKeys {
  const dir = join(dataDir, 'dev');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const signingKey = loadOrCreate(join(dir, 'snapshot-signing-key.pem'));
  const tokenKey = loadOrCreate(join(dir, 'token-issuer-key.pem'));
  return {
    dir,
    signingKey,
    tokenKey,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    mintToken: (c) => mintToken(tokenKey, { ...c, issuer: DEV_ISSUER, audience: DEV_AUDIENCE }),
  };
}

/** Mints the dev admin token and writes it (and the snapshot public key) beside the keys. */
export async function writeDevCredentials(keys: DevKeys, publicKeyBase64: string): Promise<{ adminToken: string; adminTokenFile: string; publicKeyFile: string }> {
  const adminToken = await keys.mintToken({ sub: 'dev-admin', roles: [ROLE_ADMIN], ttlSec: 30 * 24 * 3600 });
  const adminTokenFile = join(keys.dir, 'admin.token');
  const publicKeyFile = join(keys.dir, 'snapshot-public-key.txt');
  writeFileSync(adminTokenFile, `${adminToken}\n`, { mode: 0o600 });
  writeFileSync(publicKeyFile, `${publicKeyBase64}\n`);
  return { adminToken, adminTokenFile, publicKeyFile };
}
