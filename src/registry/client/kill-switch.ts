// The host's in-memory kill switch: the last verified snapshot, indexed for a lookup of a few
// hundred nanoseconds, and the rules for accepting a new one (signature, expiry, no rollback,
// no two different lists under one version, freshness). check() runs before every
// instantiation; it fails closed when the snapshot is older than the staleness bound.
import { performance } from 'node:perf_hooks';
import { RegistryUnavailableError, RevokedError } from '../../errors.js';
import { SnapshotRejection, sameRevocations, verifySnapshot, type RevokedEntry, type Snapshot, type TrustedKey } from '../snapshot.js';

export interface KillSwitchOptions {
  trusted: readonly TrustedKey[];
  /** A snapshot older than this refuses every instantiation. */
  stalenessMs: number;
  /** Where snapshots come from, for messages. */
  source?: string;
  /** Test seams: wall clock (ms since epoch) and monotonic clock (ms). */
  now?: () => number;
  monotonic?: () => number;
}

export type OfferResult =
  /** A new version (the list may have changed): listeners were told. */
  | { outcome: 'updated'; snapshot: Snapshot; previous: Snapshot | undefined }
  /** The same version, issued later: freshness extended. */
  | { outcome: 'refreshed'; snapshot: Snapshot }
  /** The same version and issue time (a replay, or a copy we already have): ignored. */
  | { outcome: 'unchanged'; snapshot: Snapshot };

export type ChangeListener = (snapshot: Snapshot, previous: Snapshot | undefined) => void;

export class KillSwitch {
  readonly #trusted: readonly TrustedKey[];
  readonly #stalenessMs: number;
  readonly #source: string;
  readonly #now: () => number;
  readonly #mono: () => number;
  readonly #listeners = new Set<ChangeListener>();
  #current: Snapshot | undefined;
  #issuedAtMs = -Infinity;
  #expiresAtMs = -Infinity;
  #freshUntil = -Infinity;
  #freshSince = -Infinity;
  // Entries without a digest, by plug-in id; entries with one, by digest (a revoked artifact
  // is refused under any name).
  #byId = new Map<string, RevokedEntry[]>();
  #byDigest = new Map<string, RevokedEntry>();
  #lastRejection: SnapshotRejection | undefined;
  /**
   * Read by the sandbox pool: usableUntil() as a BigInt64 (0 until the first fresh snapshot),
   * so a render queued for a worker is checked again when it is handed to one. Shared memory,
   * so that any thread that starts instances can read it.
   */
  readonly gate = new SharedArrayBuffer(8);
  readonly #gateView = new BigInt64Array(this.gate);

  constructor(opts: KillSwitchOptions) {
    this.#trusted = opts.trusted;
    this.#stalenessMs = opts.stalenessMs;
    this.#source = opts.source ?? 'the registry';
    this.#now = opts.now ?? Date.now;
    this.#mono = opts.monotonic ?? (() => performance.now());
  }

  /**
   * Seeds the rollback floor from a snapshot persisted by an earlier run. It never counts as
   * fresh: a host that starts without reaching the registry refuses to run plug-ins.
   */
  restore(envelope: unknown): Snapshot {
    const snap = verifySnapshot(envelope, this.#trusted, { ignoreExpiry: true });
    if (!this.#current || snap.version > this.#current.version) this.#install(snap);
    return snap;
  }

  /** Verifies and, if it passes every rule, installs a snapshot. Throws a SnapshotRejection otherwise. */
  offer(envelope: unknown): OfferResult {
    try {
      return this.#offer(envelope);
    } catch (err) {
      if (err instanceof SnapshotRejection) this.#lastRejection = err;
      throw err;
    }
  }

  #offer(envelope: unknown): OfferResult {
    const now = this.#now();
    const snap = verifySnapshot(envelope, this.#trusted, { nowMs: now });
    const cur = this.#current;
    if (cur && snap.version < cur.version) {
      throw new SnapshotRejection('rollback', `the registry sent snapshot version ${snap.version}, older than version ${cur.version} already seen: refused as a rollback`, {
        version: snap.version,
        seen: cur.version,
      });
    }
    const issuedAtMs = Date.parse(snap.issuedAt);
    if (cur && snap.version === cur.version) {
      if (!sameRevocations(cur.revoked, snap.revoked)) {
        throw new SnapshotRejection('equivocation', `the registry sent two different revocation lists as version ${snap.version}: refused`, { version: snap.version });
      }
      if (issuedAtMs <= this.#issuedAtMs) return { outcome: 'unchanged', snapshot: cur };
      this.#markFresh(snap, now);
      this.#current = snap;
      return { outcome: 'refreshed', snapshot: snap };
    }
    this.#install(snap);
    this.#markFresh(snap, now);
    for (const l of this.#listeners) l(snap, cur);
    return { outcome: 'updated', snapshot: snap, previous: cur };
  }

  #install(snap: Snapshot): void {
    const byId = new Map<string, RevokedEntry[]>();
    const byDigest = new Map<string, RevokedEntry>();
    for (const e of snap.revoked) {
      if (e.digest) byDigest.set(e.digest, e);
      else {
        const list = byId.get(e.id);
        if (list) list.push(e);
        else byId.set(e.id, [e]);
      }
    }
    this.#byId = byId;
    this.#byDigest = byDigest;
    this.#current = snap;
    this.#issuedAtMs = Date.parse(snap.issuedAt);
    this.#expiresAtMs = Date.parse(snap.expiresAt);
  }

  // Fresh for the staleness bound from when it was issued, measured on the monotonic clock
  // from receipt. A snapshot that looks older than it should (the host's clock is ahead) gets
  // less time; one that looks issued in the future (the host's clock is behind) gets no more
  // than the bound from receipt, so clock skew can shorten freshness but never extend it.
  #markFresh(snap: Snapshot, now: number): void {
    const apparentAge = Math.min(this.#stalenessMs, Math.max(0, now - Date.parse(snap.issuedAt)));
    const mono = this.#mono();
    this.#freshSince = mono - apparentAge;
    this.#freshUntil = mono + this.#stalenessMs - apparentAge;
    this.#issuedAtMs = Date.parse(snap.issuedAt);
    this.#expiresAtMs = Date.parse(snap.expiresAt);
    Atomics.store(this.#gateView, 0, BigInt(Math.floor(this.usableUntil())));
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Throws unless a fresh snapshot allows this plug-in. Before every instantiation. */
  check(id: string, version: string | undefined, digest: string): void {
    if (this.#mono() > this.#freshUntil || this.#now() >= this.#expiresAtMs) throw this.#unavailable();
    const byDigest = this.#byDigest.get(digest);
    if (byDigest) throw this.#revoked(id, version, digest, byDigest);
    const list = this.#byId.get(id);
    if (list === undefined) return;
    for (const e of list) {
      // A plug-in loaded without a version matches every revoked version of its id: closed.
      if (e.version === '*' || version === undefined || e.version === version) throw this.#revoked(id, version, digest, e);
    }
  }

  /** The refusal for this plug-in if the current snapshot (fresh or not) revokes it. */
  revokedError(id: string, version: string | undefined, digest: string): RevokedError | undefined {
    const e = this.revocationOf(id, version, digest);
    return e ? this.#revoked(id, version, digest, e) : undefined;
  }

  /** The entry that revokes this plug-in in the current snapshot, fresh or not. */
  revocationOf(id: string, version: string | undefined, digest: string): RevokedEntry | undefined {
    const d = this.#byDigest.get(digest);
    if (d) return d;
    return this.#byId.get(id)?.find((e) => e.version === '*' || version === undefined || e.version === version);
  }

  /**
   * Until when (ms, `performance.timeOrigin + performance.now()`, comparable across threads)
   * the current snapshot stays usable: the end of its freshness or its expiry, whichever is first.
   */
  usableUntil(): number {
    const fresh = performance.timeOrigin + this.#freshUntil;
    return Math.min(fresh, this.#expiresAtMs - this.#now() + performance.timeOrigin + performance.now());
  }

  get fresh(): boolean {
    return this.#mono() <= this.#freshUntil && this.#now() < this.#expiresAtMs;
  }

  get snapshot(): Snapshot | undefined {
    return this.#current;
  }

  status() {
    const mono = this.#mono();
    return {
      fresh: this.fresh,
      version: this.#current?.version ?? null,
      revoked: this.#current?.revoked.length ?? 0,
      issuedAt: this.#current?.issuedAt ?? null,
      expiresAt: this.#current?.expiresAt ?? null,
      ageMs: Number.isFinite(this.#freshSince) ? Math.round(mono - this.#freshSince) : null,
      stalenessMs: this.#stalenessMs,
      lastRejection: this.#lastRejection ? { reason: this.#lastRejection.reason, message: this.#lastRejection.message } : null,
    };
  }

  #revoked(id: string, version: string | undefined, digest: string, e: RevokedEntry): RevokedError {
    return withoutStack(() => this.#revokedError(id, version, digest, e));
  }

  #revokedError(id: string, version: string | undefined, digest: string, e: RevokedEntry): RevokedError {
    const what = `${id}${version ? `@${version}` : ''}`;
    const by = e.digest ? `its component (sha256 ${digest.slice(0, 12)}…) is revoked` : e.version === '*' ? `${e.id} is revoked (every version)` : `${e.id}@${e.version} is revoked`;
    return new RevokedError(`${what} may not run: ${by} by the registry (reason: ${e.reason}); ask the registry admin, or use a version that is not revoked`, {
      id,
      version: version ?? null,
      digest,
      revoked: { ...e },
      snapshotVersion: this.#current?.version ?? null,
    });
  }

  #unavailable(): RegistryUnavailableError {
    return withoutStack(() => this.#unavailableError());
  }

  #unavailableError(): RegistryUnavailableError {
    const rej = this.#lastRejection ? ` (last snapshot refused: ${this.#lastRejection.reason})` : '';
    if (!Number.isFinite(this.#freshSince)) {
      return new RegistryUnavailableError(`no kill-switch snapshot from ${this.#source} yet${rej}: plug-ins are refused until the registry is reachable (failing closed)`, {
        reason: 'no-snapshot',
        stalenessMs: this.#stalenessMs,
      });
    }
    const age = this.#mono() - this.#freshSince;
    const expired = this.#now() >= this.#expiresAtMs;
    return new RegistryUnavailableError(
      `the kill-switch snapshot from ${this.#source} is ${expired ? 'expired' : `${(age / 1000).toFixed(1)} s old, over the ${this.#stalenessMs / 1000} s staleness bound`}${rej}: plug-ins are refused until the registry is reachable again (failing closed)`,
      { reason: expired ? 'expired' : 'stale', ageMs: Math.round(age), stalenessMs: this.#stalenessMs, version: this.#current?.version ?? null },
    );
  }
}

// A refusal is an expected outcome, not a bug: no stack trace to capture (it would cost more
// than the lookup itself, on a path a flood of requests for a revoked widget takes).
function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
