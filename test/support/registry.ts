// Runs the real registry (`summit-plugin registry serve`, from bin/ and dist/) as a child
// process on loopback, in dev mode with its own data folder, and mints tokens with its dev
// issuer key for tests that need other claims.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';

export const bin = fileURLToPath(new URL('../../bin/summit-plugin.js', import.meta.url));

export interface RegistryProcess {
  url: string;
  port: number;
  dataDir: string;
  dbPath: string;
  publicKey: string;
  adminToken: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill9(): Promise<void>;
  /** A token from the dev issuer key with any claims (defaults: dev issuer and audience, 1 h). */
  token(claims?: { sub?: string; roles?: string[]; publisher?: string; iss?: string; aud?: string; expSec?: number; noExp?: boolean }): Promise<string>;
}

export async function startRegistry(opts: { dataDir?: string; port?: number; heartbeatMs?: number; ttlMs?: number; args?: string[] } = {}): Promise<RegistryProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'sph-registry-'));
  const args = [bin, 'registry', 'serve', '--dev', '--json', '--log-level', 'warn', '--data-dir', dataDir, '--port', String(opts.port ?? 0)];
  args.push('--heartbeat-ms', String(opts.heartbeatMs ?? 200), '--snapshot-ttl-ms', String(opts.ttlMs ?? 10_000), ...(opts.args ?? []));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SUMMIT_LOG_LEVEL: 'warn' } });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) {
        proc.stdout!.off('data', onData);
        resolve(out.slice(0, nl));
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`registry exited (${code}) before listening: ${err}`)));
    setTimeout(() => reject(new Error(`registry did not start in 20 s: ${err}`)), 20_000).unref();
  });
  proc.stdout!.resume();
  const info = JSON.parse(line) as { url: string; publicKey: string; dbPath: string; dev: { adminTokenFile: string } };
  const issuerKey = createPrivateKey(readFileSync(join(dataDir, 'dev', 'token-issuer-key.pem'), 'utf8'));
  return {
    url: info.url,
    port: Number(new URL(info.url).port),
    dataDir,
    dbPath: info.dbPath,
    publicKey: info.publicKey,
    adminToken: readFileSync(info.dev.adminTokenFile, 'utf8').trim(),
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    async token(c = {}) {
      const jwt = new SignJWT({ roles: c.roles ?? ['registry:admin'], ...(c.publisher ? { publisher: c.publisher } : {}) })
        .setProtectedHeader({ alg: 'EdDSA' })
        .setIssuer(c.iss ?? 'summit-registry-dev')
        .setAudience(c.aud ?? 'summit-registry')
        .setSubject(c.sub ?? 'test')
        .setIssuedAt();
      if (!c.noExp) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (c.expSec ?? 3600));
      return jwt.sign(issuerKey);
    },
  };
}

/** JSON request to the registry; resolves with status and parsed body. */
export async function api(url: string, method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, url), { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Polls fn until it returns true or the time runs out; resolves with the ms it took. */
export async function until(fn: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 5): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await fn()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
