// summit-plugin registry serve: the registry service in the foreground until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { createDefaultLogger } from '../host/logger.js';
import { SphError } from '../errors.js';
import { readTokenKeyFiles } from '../registry/server/auth.js';
import { createRegistryServer, type RegistryServer } from '../registry/server/create-registry-server.js';
import type { RegistryServerOptions } from '../registry/server/options.js';
import type { DriverChoice } from '../registry/store/sqlite-driver.js';
import { nonNegativeInt, parse, positiveInt } from './args.js';
import { EXIT, UsageError, errorJson, printJson, type Io } from './output.js';

export const SERVE_HELP = `Usage: summit-plugin registry serve [options]

Runs the registry: plug-ins, lifecycle, the signed kill-switch snapshot (GET /v1/revocations,
pushed on GET /v1/revocations/stream), the audit log. Stops cleanly on SIGINT / SIGTERM.
Outside --dev it refuses to start without a signing key and token keys.

Options:
  --host <addr>            listen address (default 127.0.0.1)
  --port <n>               port (default 7300; 0 picks a free one)
  --data-dir <dir>         data folder (default $SUMMIT_REGISTRY_DATA or ~/.local/share/summit-plugin-host/registry)
  --db <file>              SQLite database (default <data-dir>/registry.db)
  --driver <name>          auto (default) | node:sqlite | better-sqlite3
  --signing-key <file>     Ed25519 private key (PEM) that signs kill-switch snapshots
  --token-key <file>       token issuer public key: PEM, JWK or JWK set (repeatable)
  --issuer <iss>           the token issuer to accept
  --audience <aud>         the token audience to accept
  --dev                    development mode: generate keys under <data-dir>/dev, mint an admin token
  --heartbeat-ms <n>       re-sign and push the snapshot this often (default 5000)
  --snapshot-ttl-ms <n>    snapshot lifetime (default 120000)
  --max-component-mb <n>   largest component publish accepts (default 32)
  --log-level <level>      log level on stderr (default info)
  --json                   print one JSON line when listening (and one when stopped)
  -h, --help               show this help
`;

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    db: { type: 'string' },
    driver: { type: 'string' },
    'signing-key': { type: 'string' },
    'token-key': { type: 'string', multiple: true },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    dev: { type: 'boolean', default: false },
    'heartbeat-ms': { type: 'string' },
    'snapshot-ttl-ms': { type: 'string' },
    'max-component-mb': { type: 'string' },
    'log-level': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(SERVE_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`registry serve takes no arguments, got "${positionals[0]}"`);
  const opts: RegistryServerOptions = { dev: values.dev, logger: createDefaultLogger(values['log-level'] ?? process.env.SUMMIT_LOG_LEVEL ?? 'info') };
  if (values.host !== undefined) opts.host = values.host;
  const port = nonNegativeInt('--port', values.port);
  if (port !== undefined) opts.port = port;
  if (values['data-dir'] !== undefined) opts.dataDir = values['data-dir'];
  if (values.db !== undefined) opts.dbPath = values.db;
  if (values.driver !== undefined) opts.driver = values.driver as DriverChoice;
  const hb = positiveInt('--heartbeat-ms', values['heartbeat-ms']);
  if (hb !== undefined) opts.heartbeatMs = hb;
  const ttl = positiveInt('--snapshot-ttl-ms', values['snapshot-ttl-ms']);
  if (ttl !== undefined) opts.snapshotTtlMs = ttl;
  const mb = positiveInt('--max-component-mb', values['max-component-mb']);
  if (mb !== undefined) opts.maxComponentBytes = mb * 1024 * 1024;
  if (values['signing-key'] !== undefined) {
    try {
      opts.signingKey = readFileSync(values['signing-key'], 'utf8');
    } catch {
      throw new UsageError(`cannot read signing key file ${values['signing-key']}`);
    }
  }
  const tokenKeys = values['token-key'] ?? [];
  if (tokenKeys.length > 0 || values.issuer !== undefined || values.audience !== undefined) {
    if (tokenKeys.length === 0 || values.issuer === undefined || values.audience === undefined) {
      throw new UsageError('token verification needs all of --token-key, --issuer and --audience');
    }
    try {
      opts.auth = { issuer: values.issuer, audience: values.audience, keys: readTokenKeyFiles(tokenKeys) };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }

  let server: RegistryServer;
  let url: string;
  try {
    server = await createRegistryServer(opts);
  } catch (err) {
    return refuse(io, values.json, err);
  }
  try {
    url = await server.listen();
  } catch (err) {
    await server.close();
    return refuse(io, values.json, err, true);
  }
  const info = {
    url,
    keyid: server.publicKey.keyid,
    publicKey: server.publicKey.publicKey,
    store: server.store.kind,
    dbPath: server.options.dbPath,
    dev: server.dev ? { adminTokenFile: server.dev.adminTokenFile, publicKeyFile: server.dev.publicKeyFile, issuer: server.dev.issuer, audience: server.dev.audience } : null,
  };
  if (values.json) printJson(io, { ok: true, event: 'listening', ...info });
  else {
    io.stdout(`registry listening on ${url} (${info.store}, ${info.dbPath})\n`);
    io.stdout(`snapshot public key (pin it on hosts: SUMMIT_REGISTRY_KEY): ${info.publicKey}\n`);
    if (info.dev) io.stdout(`development mode: admin token in ${info.dev.adminTokenFile}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  if (values.json) printJson(io, { ok: true, event: 'stopped', url });
  return EXIT.ok;
}

function refuse(io: Io, json: boolean, err: unknown, listen = false): number {
  const e = errorJson(err);
  const msg = listen ? `cannot listen: ${(err as Error).message}` : e.message;
  if (json) printJson(io, { ok: false, error: { code: e.code, message: msg } });
  io.stderr(`summit-plugin registry serve: ${msg}\n`);
  // A configuration the registry refuses is bad usage; anything else is a failure.
  return SphError.isSphError(err) && err.code === 'SPH_ERR_INVALID_ARG' ? EXIT.usage : EXIT.failed;
}
