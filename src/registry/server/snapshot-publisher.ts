// Signs the kill-switch snapshot and pushes it to every connected host. The current envelope
// is kept ready (signed once, served many times); it is re-signed when the revocation list
// changes and on a heartbeat (same version, new issuedAt/expiresAt), which is what keeps hosts
// fresh. The heartbeat also re-reads the store, so changes committed by another registry
// process on the same database reach this one's hosts too.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { keyIdOf, publicKeyBase64, signSnapshot, type SignedEnvelope, type Snapshot } from '../snapshot.js';
import type { RegistryStore } from '../store/store.js';

export interface PublishedSnapshot {
  snapshot: Snapshot;
  envelope: SignedEnvelope;
  /** The envelope as sent (JSON text). */
  body: string;
  etag: string;
}

export interface SnapshotPublisherOptions {
  store: RegistryStore;
  signingKey: KeyObject;
  heartbeatMs: number;
  ttlMs: number;
  maxStreamClients: number;
  logger: Logger;
}

// A host that cannot keep up (its socket buffer keeps growing) is dropped; it reconnects and
// gets the current snapshot, which is all it needs.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class SnapshotPublisher {
  readonly #o: SnapshotPublisherOptions;
  readonly #clients = new Set<ServerResponse>();
  readonly publicKey: KeyObject;
  readonly keyid: string;
  #current: PublishedSnapshot | undefined;
  #lastIssuedMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<PublishedSnapshot> | undefined;
  #again = false;
  #closed = false;

  constructor(o: SnapshotPublisherOptions) {
    this.#o = o;
    this.publicKey = createPublicKey(o.signingKey);
    this.keyid = keyIdOf(this.publicKey);
  }

  get publicKeyInfo() {
    return {
      keyid: this.keyid,
      alg: 'Ed25519',
      publicKey: publicKeyBase64(this.publicKey),
      pem: this.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch((err) => this.#o.logger.error({ err: (err as Error).message }, 'snapshot heartbeat failed'));
    }, this.#o.heartbeatMs);
    this.#timer.unref();
  }

  get current(): PublishedSnapshot {
    if (!this.#current) throw new Error('snapshot publisher not started');
    return this.#current;
  }

  get streamClients(): number {
    return this.#clients.size;
  }

  /**
   * Re-reads the store, re-signs and pushes. Calls that arrive while one runs are folded into
   * one more run after it, so the last change always goes out and versions never go backwards.
   */
  refresh(): Promise<PublishedSnapshot> {
    if (this.#refreshing) {
      // The running refresh loops once more, so its promise covers this caller's change.
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        let published: PublishedSnapshot;
        do {
          this.#again = false;
          published = await this.#publish();
        } while (this.#again && !this.#closed);
        return published;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #publish(): Promise<PublishedSnapshot> {
    const state = await this.#o.store.revocations();
    // issuedAt strictly increases, so every re-signing counts as newer to a host.
    const issuedMs = Math.max(Date.now(), this.#lastIssuedMs + 1);
    this.#lastIssuedMs = issuedMs;
    const snapshot: Snapshot = {
      version: state.version,
      issuedAt: new Date(issuedMs).toISOString(),
      expiresAt: new Date(issuedMs + this.#o.ttlMs).toISOString(),
      revoked: state.revoked.map((r) => (r.digest ? { id: r.id, version: r.version, digest: r.digest, reason: r.reason } : { id: r.id, version: r.version, reason: r.reason })),
    };
    const envelope = signSnapshot(snapshot, this.#o.signingKey);
    const body = JSON.stringify(envelope);
    const etag = `"${snapshot.version}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const published = { snapshot, envelope, body, etag };
    const changed = this.#current?.snapshot.version !== snapshot.version;
    this.#current = published;
    if (changed) this.#o.logger.info({ snapshotVersion: snapshot.version, revoked: snapshot.revoked.length, streamClients: this.#clients.size }, 'kill-switch snapshot published');
    this.#broadcast(published);
    return published;
  }

  #frame(p: PublishedSnapshot): string {
    return `event: snapshot\nid: ${p.snapshot.version}\ndata: ${p.body}\n\n`;
  }

  #broadcast(p: PublishedSnapshot): void {
    const frame = this.#frame(p);
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.#o.logger.warn('dropping a slow kill-switch stream client');
        res.destroy();
        this.#clients.delete(res);
        continue;
      }
      res.write(frame);
    }
  }

  /** Serves GET /v1/revocations/stream on a raw (hijacked) response. */
  addClient(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed || this.#clients.size >= this.#o.maxStreamClients) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ ok: false, error: { code: 'SPH_ERR_REGISTRY_UNAVAILABLE', message: 'too many kill-switch stream clients: poll GET /v1/revocations or retry later' } }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    });
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 10_000);
    this.#clients.add(res);
    const drop = () => this.#clients.delete(res);
    res.on('close', drop);
    res.on('error', drop);
    res.write(`retry: 1000\n\n${this.#frame(this.current)}`);
  }

  /** Ends every stream (before the HTTP server closes, which would otherwise wait for them). */
  closeStreams(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}
