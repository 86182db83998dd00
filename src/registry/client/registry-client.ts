// The host's connection to the registry: fetches and verifies the kill-switch snapshot at
// start, keeps it current over server-sent events (reconnecting with exponential backoff and
// jitter), polls as a fallback when the stream is down or quiet, and persists the last good
// snapshot. Everything it receives goes through KillSwitch.offer(), which owns the rules.
import { createHash, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { InvalidArgError, RegistryUnavailableError } from '../../errors.js';
import { SnapshotRejection, trustedKeys, type SignedEnvelope, type Snapshot } from '../snapshot.js';
import { KillSwitch } from './kill-switch.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { SseParser } from './sse-parser.js';

export interface RegistryClientOptions {
  /** Base URL of the registry, e.g. `http://127.0.0.1:7300`. */
  url: string;
  /** The registry's snapshot-signing public key(s): PEM, base64 (raw 32 bytes or SPKI) or KeyObject. Pinned: never fetched. */
  publicKeys: string | KeyObject | readonly (string | KeyObject)[];
  /** Refuse every instantiation when the newest snapshot is older than this. Default 30 s. */
  stalenessMs?: number;
  /** File for the last good snapshot (the rollback floor across restarts); false: memory only. */
  stateFile?: string | false;
  /** Poll interval while the event stream is down. Default 5 s. */
  pollIntervalMs?: number;
  /** Event-stream reconnect backoff: first delay and cap, with jitter. Default 250 ms and 5 s. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect when the stream is silent this long (the registry heartbeats). Default stalenessMs / 2. */
  streamIdleMs?: number;
  /** Connect and response-headers timeout for each request. Default 5 s. */
  requestTimeoutMs?: number;
  /** Largest snapshot accepted. Default 16 MiB. */
  maxSnapshotBytes?: number;
  logger?: Logger;
}

export interface ResolvedRegistryClientOptions {
  readonly url: string;
  readonly stalenessMs: number;
  readonly stateFile: string | false;
  readonly pollIntervalMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly streamIdleMs: number;
  readonly requestTimeoutMs: number;
  readonly maxSnapshotBytes: number;
}

const KNOWN = new Set([
  'url',
  'publicKeys',
  'stalenessMs',
  'stateFile',
  'pollIntervalMs',
  'reconnectMinMs',
  'reconnectMaxMs',
  'streamIdleMs',
  'requestTimeoutMs',
  'maxSnapshotBytes',
  'logger',
]);

export const DEFAULT_STALENESS_MS = 30_000;

export function resolveRegistryClientOptions(o: RegistryClientOptions, where = 'registry'): ResolvedRegistryClientOptions {
  if (typeof o !== 'object' || o === null) throw new InvalidArgError(`${where}: expected an object with url and publicKeys`);
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) problems.push(`unknown option "${k}"`);
  let url = '';
  try {
    const u = new URL(String(o.url));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`url must be http(s), got ${u.protocol}`);
    url = u.href.endsWith('/') ? u.href : `${u.href}/`;
  } catch {
    problems.push(`url must be an absolute http(s) URL, got ${JSON.stringify(o.url)}`);
  }
  if (o.publicKeys === undefined || (Array.isArray(o.publicKeys) && o.publicKeys.length === 0)) problems.push('publicKeys is required (the registry snapshot-signing key, pinned)');
  const ms = (name: keyof RegistryClientOptions, def: number, min: number, max: number): number => {
    const v = o[name] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${name} must be a whole number of ms from ${min} to ${max}, got ${JSON.stringify(o[name])}`);
    return v as number;
  };
  const stalenessMs = ms('stalenessMs', DEFAULT_STALENESS_MS, 100, 24 * 3600_000);
  const pollIntervalMs = ms('pollIntervalMs', Math.min(5000, Math.max(50, Math.floor(stalenessMs / 3))), 50, 3600_000);
  const reconnectMinMs = ms('reconnectMinMs', 250, 1, 600_000);
  const reconnectMaxMs = ms('reconnectMaxMs', 5000, 1, 600_000);
  if (reconnectMaxMs < reconnectMinMs) problems.push('reconnectMaxMs must not be below reconnectMinMs');
  const streamIdleMs = ms('streamIdleMs', Math.max(100, Math.floor(stalenessMs / 2)), 100, 3600_000);
  const requestTimeoutMs = ms('requestTimeoutMs', 5000, 50, 600_000);
  const maxSnapshotBytes = ms('maxSnapshotBytes', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const stateFile = o.stateFile ?? false;
  if (stateFile !== false && (typeof stateFile !== 'string' || stateFile === '')) problems.push('stateFile must be a file path or false');
  if (problems.length) throw new InvalidArgError(`invalid ${where} options: ${problems.join('; ')}`, { problems });
  return Object.freeze({ url, stalenessMs, stateFile, pollIntervalMs, reconnectMinMs, reconnectMaxMs, streamIdleMs, requestTimeoutMs, maxSnapshotBytes });
}

/** Where a host keeps the last snapshot of a registry by default: one file per registry URL. */
export function defaultStateFile(dir: string, url: string): string {
  return `${dir.replace(/\/$/, '')}/registry-snapshots/${createHash('sha256').update(url).digest('hex').slice(0, 16)}.json`;
}

export class RegistryClient {
  readonly options: ResolvedRegistryClientOptions;
  readonly killSwitch: KillSwitch;
  readonly #log: Logger;
  readonly #agent: Agent;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<{ done: () => void; fail?: (why: string) => void }>();
  #started = false;
  #closed = false;
  #streamConnected = false;
  #etag: string | undefined;
  #lastEnvelope: SignedEnvelope | undefined;
  #persist: Promise<void> = Promise.resolve();
  #pollTimer: NodeJS.Timeout | undefined;
  #polling = false;
  #wasFresh = false;
  #lastError: string | undefined;
  #stats = { streamConnects: 0, streamEvents: 0, polls: 0, rejected: 0, updates: 0 };

  constructor(options: RegistryClientOptions) {
    this.options = resolveRegistryClientOptions(options);
    const keys = Array.isArray(options.publicKeys) ? options.publicKeys : [options.publicKeys as string | KeyObject];
    this.#log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'registry-client', registry: this.options.url });
    this.killSwitch = new KillSwitch({ trusted: trustedKeys(keys), stalenessMs: this.options.stalenessMs, source: `the registry at ${this.options.url}` });
    this.#agent = new Agent({ connect: { timeout: this.options.requestTimeoutMs }, keepAliveTimeout: 10_000 });
  }

  /** Starts fetching (idempotent). Loads the persisted floor first. */
  async start(): Promise<void> {
    if (this.#started || this.#closed) return;
    this.#started = true;
    await this.#loadState();
    void this.#streamLoop();
    void this.#poll();
    this.#pollTimer = setInterval(() => this.#tick(), Math.min(this.options.pollIntervalMs, 1000));
    this.#pollTimer.unref();
  }

  /**
   * Resolves once a fresh snapshot is in memory; rejects with SPH_ERR_REGISTRY_UNAVAILABLE
   * after timeoutMs, or (failFast, for one-shot tools) at the first failed fetch or refused
   * snapshot.
   */
  async ready(timeoutMs = 10_000, opts: { failFast?: boolean } = {}): Promise<Snapshot> {
    await this.start();
    if (this.killSwitch.fresh) return this.killSwitch.snapshot!;
    return new Promise<Snapshot>((resolve, reject) => {
      const unavailable = (why: string | undefined, reason: string) =>
        new RegistryUnavailableError(`no verified kill-switch snapshot from ${this.options.url}${why ? ` (${why})` : ` within ${timeoutMs} ms`}: check the URL, the registry and its public key`, {
          reason,
          url: this.options.url,
        });
      const waiter: { done: () => void; fail?: (why: string) => void } = {
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.killSwitch.snapshot!);
        },
      };
      if (opts.failFast) {
        waiter.fail = (why) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(unavailable(why, 'unreachable'));
        };
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(unavailable(this.#lastError ? `last error: ${this.#lastError}` : undefined, 'timeout'));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  #failed(why: string): void {
    this.#lastError = why;
    if (this.killSwitch.fresh) return;
    for (const w of [...this.#waiters]) w.fail?.(why);
  }

  async #loadState(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return;
    try {
      const saved = await readSnapshotFile(file);
      if (!saved) return;
      const snap = this.killSwitch.restore(saved.envelope);
      this.#log.info({ version: snap.version, file }, 'kill-switch floor loaded from the last good snapshot (not fresh until the registry answers)');
    } catch (err) {
      // A damaged or foreign file only loses the floor; it never makes the host fail open.
      this.#log.warn({ file, err: (err as Error).message }, 'ignoring the persisted kill-switch snapshot');
    }
  }

  /** False when the snapshot was refused. */
  #offer(envelope: unknown, via: 'stream' | 'poll'): boolean {
    let result;
    try {
      result = this.killSwitch.offer(envelope);
    } catch (err) {
      this.#stats.rejected++;
      if (err instanceof SnapshotRejection) {
        this.#log.warn({ via, reason: err.reason, details: err.details }, 'kill-switch snapshot refused');
        this.#failed(`${err.reason}: ${err.message}`);
        return false;
      }
      throw err;
    }
    if (result.outcome === 'unchanged') return true;
    this.#lastError = undefined;
    if (result.outcome === 'updated') {
      this.#stats.updates++;
      this.#lastEnvelope = envelope as SignedEnvelope;
      this.#log.info({ via, version: result.snapshot.version, revoked: result.snapshot.revoked.length }, 'kill-switch snapshot updated');
      this.#schedulePersist();
    }
    if (!this.#wasFresh) {
      this.#wasFresh = true;
      this.#log.info({ via, version: result.snapshot.version }, 'kill-switch snapshot fresh');
    }
    for (const w of [...this.#waiters]) w.done();
    return true;
  }

  #schedulePersist(): void {
    const file = this.options.stateFile;
    const env = this.#lastEnvelope;
    if (!file || !env) return;
    this.#persist = this.#persist
      .then(() => (this.#lastEnvelope === env ? writeSnapshotFile(file, this.options.url, env) : undefined))
      .catch((err) => this.#log.warn({ file, err: (err as Error).message }, 'could not persist the kill-switch snapshot'));
  }

  #backoff(attempt: number): number {
    const cap = Math.min(this.options.reconnectMaxMs, this.options.reconnectMinMs * 2 ** Math.min(attempt, 20));
    // Equal jitter: at least half the step, so a fleet that lost the registry together does
    // not reconnect together, and no client spins.
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  async #streamLoop(): Promise<void> {
    let attempt = 0;
    const signal = this.#abort.signal;
    while (!this.#closed) {
      let delivered = false;
      try {
        const res = await request(new URL('v1/revocations/stream', this.options.url), {
          dispatcher: this.#agent,
          method: 'GET',
          headers: { accept: 'text/event-stream', 'cache-control': 'no-cache' },
          signal,
          headersTimeout: this.options.requestTimeoutMs,
          bodyTimeout: this.options.streamIdleMs,
        });
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw new Error(`event stream answered HTTP ${res.statusCode}`);
        }
        this.#streamConnected = true;
        this.#stats.streamConnects++;
        this.#log.debug('kill-switch event stream connected');
        const parser = new SseParser({ maxEventBytes: this.options.maxSnapshotBytes });
        for await (const chunk of res.body) {
          for (const ev of parser.push(chunk as Buffer)) {
            if (ev.event !== 'snapshot') continue;
            this.#stats.streamEvents++;
            let envelope: unknown;
            try {
              envelope = JSON.parse(ev.data);
            } catch {
              this.#stats.rejected++;
              this.#failed('malformed: the event stream sent a snapshot that is not JSON');
              this.#log.warn('kill-switch event with invalid JSON ignored');
              continue;
            }
            this.#offer(envelope, 'stream');
            delivered = true;
            attempt = 0;
          }
        }
        throw new Error('the event stream ended');
      } catch (err) {
        if (this.#closed) break;
        this.#lastError = (err as Error).message;
        this.#log[delivered || attempt === 0 ? 'info' : 'debug']({ err: (err as Error).message, attempt }, 'kill-switch event stream lost; reconnecting');
      } finally {
        this.#streamConnected = false;
      }
      // The stream is down: poll right away rather than wait for the next tick.
      void this.#poll();
      try {
        await sleep(this.#backoff(attempt++), undefined, { signal });
      } catch {
        break;
      }
    }
  }

  #tick(): void {
    if (this.#closed) return;
    const age = this.killSwitch.status().ageMs;
    const quiet = age === null || age >= (this.#streamConnected ? this.options.stalenessMs / 2 : this.options.pollIntervalMs);
    if (quiet) void this.#poll();
    if (this.#wasFresh && !this.killSwitch.fresh) {
      this.#wasFresh = false;
      this.#log.error({ stalenessMs: this.options.stalenessMs, lastError: this.#lastError }, 'kill-switch snapshot is stale: refusing plug-ins until the registry answers');
    }
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    this.#stats.polls++;
    try {
      const res = await request(new URL('v1/revocations', this.options.url), {
        dispatcher: this.#agent,
        method: 'GET',
        headers: this.#etag ? { accept: 'application/json', 'if-none-match': this.#etag } : { accept: 'application/json' },
        signal: this.#abort.signal,
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
      });
      if (res.statusCode === 304) {
        await res.body.dump();
        return;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`GET /v1/revocations answered HTTP ${res.statusCode}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of res.body) {
        size += (c as Buffer).length;
        if (size > this.options.maxSnapshotBytes) {
          res.body.destroy();
          throw new Error(`the snapshot is over ${this.options.maxSnapshotBytes} bytes`);
        }
        chunks.push(c as Buffer);
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        this.#stats.rejected++;
        this.#failed('malformed: GET /v1/revocations did not return JSON');
        return;
      }
      const etag = res.headers.etag;
      // Only an accepted snapshot's tag: after a refusal the next poll fetches in full again.
      this.#etag = this.#offer(envelope, 'poll') && typeof etag === 'string' ? etag : undefined;
    } catch (err) {
      if (!this.#closed) {
        this.#log.debug({ err: (err as Error).message }, 'kill-switch poll failed');
        this.#failed((err as Error).message);
      }
    } finally {
      this.#polling = false;
    }
  }

  status() {
    return { url: this.options.url, streamConnected: this.#streamConnected, lastError: this.#lastError ?? null, ...this.#stats, ...this.killSwitch.status() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#abort.abort();
    await this.#persist;
    await this.#agent.destroy().catch(() => {});
  }
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient(options);
}
