// createRegistryServer() options: validated once, defaults filled, frozen. Outside dev mode
// the registry refuses to start without its snapshot-signing key and token keys: there are
// no default keys.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { InvalidArgError } from '../../errors.js';
import type { DriverChoice } from '../store/sqlite-driver.js';
import type { RegistryStore } from '../store/store.js';
import type { TokenAuthOptions } from './auth.js';

export interface RegistryServerOptions {
  /** Folder for the database (and, in dev mode, the dev keys). Default $SUMMIT_REGISTRY_DATA or ~/.local/share/summit-plugin-host/registry. */
  dataDir?: string;
  /** SQLite file. Default <dataDir>/registry.db. */
  dbPath?: string;
  /** SQLite engine: `auto` (node:sqlite where the running Node has it, else better-sqlite3). */
  driver?: DriverChoice;
  /** Another store implementation (the registry does not close a store it did not open). */
  store?: RegistryStore;
  /** Ed25519 private key (PEM or KeyObject) that signs kill-switch snapshots. */
  signingKey?: string | KeyObject;
  /** Bearer-token verification: issuer, audience and public keys, all pinned. */
  auth?: TokenAuthOptions;
  /**
   * Explicit development mode: generates (or reuses) a signing key and a token-issuer key under
   * <dataDir>/dev and mints an admin token there. Never the default.
   */
  dev?: boolean;
  /** Re-sign and push the snapshot this often (hosts count freshness from it). Default 5 s. */
  heartbeatMs?: number;
  /** Each snapshot expires this long after it is issued. Default 2 min. */
  snapshotTtlMs?: number;
  /** Largest component accepted by publish. Default 32 MiB. */
  maxComponentBytes?: number;
  /** Largest body of every other request. Default 64 KiB. */
  bodyLimitBytes?: number;
  /** Concurrent kill-switch event streams. Default 10000. */
  maxStreamClients?: number;
  host?: string;
  /** 0 picks a free port. Default 7300. */
  port?: number;
  logger?: Logger;
}

export interface ResolvedRegistryServerOptions {
  readonly dataDir: string;
  readonly dbPath: string;
  readonly driver: DriverChoice;
  readonly store: RegistryStore | undefined;
  readonly signingKey: KeyObject | undefined;
  readonly auth: TokenAuthOptions | undefined;
  readonly dev: boolean;
  readonly heartbeatMs: number;
  readonly snapshotTtlMs: number;
  readonly maxComponentBytes: number;
  readonly bodyLimitBytes: number;
  readonly maxStreamClients: number;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger | undefined;
}

const KNOWN = new Set([
  'dataDir',
  'dbPath',
  'driver',
  'store',
  'signingKey',
  'auth',
  'dev',
  'heartbeatMs',
  'snapshotTtlMs',
  'maxComponentBytes',
  'bodyLimitBytes',
  'maxStreamClients',
  'host',
  'port',
  'logger',
]);

export const DEFAULT_REGISTRY_PORT = 7300;

export function defaultRegistryDataDir(): string {
  return process.env.SUMMIT_REGISTRY_DATA ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'summit-plugin-host', 'registry');
}

export function resolveRegistryServerOptions(o: RegistryServerOptions = {}): ResolvedRegistryServerOptions {
  if (typeof o !== 'object' || o === null) throw new InvalidArgError('createRegistryServer(options): options must be an object');
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) problems.push(`unknown option "${k}"`);
  const dev = o.dev ?? false;
  if (typeof dev !== 'boolean') problems.push('dev must be true or false');
  const int = (name: keyof RegistryServerOptions, def: number, min: number, max: number): number => {
    const v = o[name] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(o[name])}`);
    return v as number;
  };
  const heartbeatMs = int('heartbeatMs', 5000, 50, 3600_000);
  const snapshotTtlMs = int('snapshotTtlMs', 120_000, 1000, 30 * 24 * 3600_000);
  if (snapshotTtlMs < 2 * heartbeatMs) problems.push('snapshotTtlMs must be at least twice heartbeatMs, or hosts see snapshots expire between heartbeats');
  const maxComponentBytes = int('maxComponentBytes', 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const bodyLimitBytes = int('bodyLimitBytes', 64 * 1024, 1024, 64 * 1024 * 1024);
  const maxStreamClients = int('maxStreamClients', 10_000, 1, 1_000_000);
  const port = int('port', DEFAULT_REGISTRY_PORT, 0, 65535);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') problems.push('host must be a host name or address');
  const dataDir = o.dataDir ?? defaultRegistryDataDir();
  if (typeof dataDir !== 'string' || dataDir === '') problems.push('dataDir must be a folder path');
  const dbPath = o.dbPath ?? join(dataDir, 'registry.db');
  const driver = o.driver ?? 'auto';
  if (!['auto', 'node:sqlite', 'better-sqlite3'].includes(driver)) problems.push('driver must be auto, node:sqlite or better-sqlite3');

  let signingKey: KeyObject | undefined;
  if (o.signingKey !== undefined) {
    try {
      signingKey = typeof o.signingKey === 'string' ? createPrivateKey(o.signingKey) : o.signingKey;
      if (signingKey.type !== 'private' || signingKey.asymmetricKeyType !== 'ed25519') problems.push('signingKey must be an Ed25519 private key');
    } catch (err) {
      problems.push(`signingKey is not a PEM private key (${(err as Error).message})`);
    }
  } else if (!dev) {
    problems.push('no snapshot signing key: configure an Ed25519 private key (--signing-key <pem file>, option signingKey), or run in explicit development mode (--dev)');
  }
  if (o.auth === undefined && !dev) {
    problems.push('no token keys: configure the token issuer, audience and public key(s) (--issuer, --audience, --token-key <file>, option auth), or run in explicit development mode (--dev)');
  }
  if (problems.length) throw new InvalidArgError(`refusing to start the registry: ${problems.join('; ')}`, { problems });
  return Object.freeze({
    dataDir,
    dbPath,
    driver,
    store: o.store,
    signingKey,
    auth: o.auth,
    dev,
    heartbeatMs,
    snapshotTtlMs,
    maxComponentBytes,
    bodyLimitBytes,
    maxStreamClients,
    host,
    port,
    logger: o.logger,
  });
}
