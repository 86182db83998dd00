// The embedded registry store: one SQLite file in WAL mode with synchronous=FULL, so a
// transaction that returned is on disk (a kill -9 right after the HTTP acknowledgement loses
// nothing). Runs on either SQLite engine (sqlite-driver.ts); the SQL is the same.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConflictError, InternalError, InvalidArgError, NotFoundError } from '../../errors.js';
import { GENESIS_HASH, hashEntry, type AuditAction, type AuditEntry, type ChainHead } from '../audit-chain.js';
import { canonicalJson } from '../canonical-json.js';
import { LATEST_SCHEMA, MIGRATIONS } from './migrations.js';
import { openSqlite, type DriverChoice, type SqlDriver, type SqlRow } from './sqlite-driver.js';
import type {
  LifecycleStatus,
  MutationResult,
  NewPluginVersion,
  PluginRecord,
  RegistryStore,
  RestoreInput,
  Revocation,
  RevocationInput,
  RevocationState,
} from './store.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throw-away store. Its folder is created. */
  path: string;
  driver?: DriverChoice;
  /** How long a writer waits for another process holding the write lock. */
  busyTimeoutMs?: number;
}

const PLUGIN_COLUMNS = 'id, version, digest, publisher, manifest, status, size_bytes, published_at, published_by';

export class SqliteStore implements RegistryStore {
  readonly kind: string;
  readonly schemaVersion: number;
  readonly path: string;
  readonly #db: SqlDriver;
  #closed = false;

  constructor(opts: SqliteStoreOptions) {
    if (typeof opts.path !== 'string' || opts.path === '') throw new InvalidArgError('registry store: path must be a file path or ":memory:"');
    this.path = opts.path;
    if (opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    try {
      this.#db = openSqlite(opts.path, opts.driver ?? 'auto');
    } catch (err) {
      if (err instanceof InvalidArgError) throw err;
      throw new InvalidArgError(`cannot open the registry database ${opts.path}: ${(err as Error).message}`, {}, { cause: err });
    }
    this.kind = `sqlite (${this.#db.name})`;
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      if (opts.path !== ':memory:') {
        const mode = this.#db.get('PRAGMA journal_mode = WAL')?.journal_mode;
        if (String(mode).toLowerCase() !== 'wal') throw new InternalError(`the registry database ${opts.path} could not switch to WAL mode (got ${String(mode)})`);
      }
      // FULL: each commit is fsynced before it returns, so an acknowledged change survives
      // a crash of the process or the machine.
      this.#db.exec('PRAGMA synchronous = FULL');
      this.schemaVersion = this.#migrate();
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  #migrate(): number {
    this.#db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const current = Number(this.#db.get('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations')?.v ?? 0);
    if (current > LATEST_SCHEMA) {
      throw new InternalError(
        `the registry database ${this.path} has schema version ${current}, newer than this registry understands (${LATEST_SCHEMA}): run a newer summit-plugin-host`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.#tx(() => {
        this.#db.exec(m.sql);
        this.#db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      });
    }
    return LATEST_SCHEMA;
  }

  // BEGIN IMMEDIATE takes the write lock up front, so two registry processes on one file
  // serialize instead of failing half way with SQLITE_BUSY.
  #tx<T>(fn: () => T): T {
    this.#assertOpen();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.#db.exec('COMMIT');
      return r;
    } catch (err) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {}
      throw err;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new InternalError('the registry store is closed');
  }

  #append(actor: string, action: AuditAction, subject: string, details: Record<string, unknown>, at: string): AuditEntry {
    const last = this.#db.get('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const unhashed = { seq: Number(last?.seq ?? 0) + 1, at, actor, action, subject, details, prevHash: String(last?.hash ?? GENESIS_HASH) };
    const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
    this.#db.run('INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      entry.seq,
      at,
      actor,
      action,
      subject,
      canonicalJson(details),
      entry.prevHash,
      entry.hash,
    ]);
    return entry;
  }

  #bumpSnapshot(): number {
    this.#db.run("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'snapshot_version'");
    return Number(this.#db.get("SELECT value FROM meta WHERE key = 'snapshot_version'")!.value);
  }

  async publish(p: NewPluginVersion, actor: string) {
    const at = new Date().toISOString();
    return this.#tx(() => {
      const existing = this.#db.get(`SELECT ${PLUGIN_COLUMNS} FROM plugins WHERE id = ? AND version = ?`, [p.id, p.version]);
      if (existing) {
        if (existing.digest === p.digest) return { plugin: toPlugin(existing), created: false };
        throw new ConflictError(`${p.id}@${p.version} is already published with digest ${String(existing.digest)}: versions are immutable, publish a new version`, {
          id: p.id,
          version: p.version,
          digest: existing.digest,
        });
      }
      this.#db.run('INSERT OR IGNORE INTO components (digest, bytes) VALUES (?, ?)', [p.digest, p.bytes]);
      this.#db.run(`INSERT INTO plugins (${PLUGIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)`, [
        p.id,
        p.version,
        p.digest,
        p.publisher,
        JSON.stringify(p.manifest),
        p.bytes.byteLength,
        at,
        actor,
      ]);
      const audit = this.#append(actor, 'publish', `${p.id}@${p.version}`, { digest: p.digest, sizeBytes: p.bytes.byteLength }, at);
      const plugin = toPlugin(this.#db.get(`SELECT ${PLUGIN_COLUMNS} FROM plugins WHERE id = ? AND version = ?`, [p.id, p.version])!);
      return { plugin, created: true, audit };
    });
  }

  async getPlugin(id: string, version: string) {
    this.#assertOpen();
    const row = this.#db.get(`SELECT ${PLUGIN_COLUMNS} FROM plugins WHERE id = ? AND version = ?`, [id, version]);
    return row ? toPlugin(row) : undefined;
  }

  async listPlugins(filter: { id?: string; publisher?: string } = {}) {
    this.#assertOpen();
    const where: string[] = [];
    const params: string[] = [];
    if (filter.id !== undefined) {
      where.push('id = ?');
      params.push(filter.id);
    }
    if (filter.publisher !== undefined) {
      where.push('publisher = ?');
      params.push(filter.publisher);
    }
    const sql = `SELECT ${PLUGIN_COLUMNS} FROM plugins ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id, published_at, version`;
    return this.#db.all(sql, params).map(toPlugin);
  }

  async getComponent(id: string, version: string) {
    this.#assertOpen();
    const row = this.#db.get('SELECT c.bytes AS bytes FROM plugins p JOIN components c ON c.digest = p.digest WHERE p.id = ? AND p.version = ?', [id, version]);
    return row ? (row.bytes as Uint8Array) : undefined;
  }

  async setStatus(id: string, version: string, status: LifecycleStatus, reason: string | undefined, actor: string) {
    const at = new Date().toISOString();
    return this.#tx(() => {
      const row = this.#db.get(`SELECT ${PLUGIN_COLUMNS} FROM plugins WHERE id = ? AND version = ?`, [id, version]);
      if (!row) throw new NotFoundError(`${id}@${version} is not published in this registry`, { id, version });
      this.#db.run('UPDATE plugins SET status = ? WHERE id = ? AND version = ?', [status, id, version]);
      const details: Record<string, unknown> = { from: row.status, to: status };
      if (reason !== undefined) details.reason = reason;
      const audit = this.#append(actor, 'set-status', `${id}@${version}`, details, at);
      return { plugin: { ...toPlugin(row), status }, audit };
    });
  }

  async revoke(r: RevocationInput, actor: string) {
    const at = new Date().toISOString();
    return this.#tx(() => {
      this.#db.run(
        `INSERT INTO revocations (id, version, digest, reason, revoked_at, revoked_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id, version, digest) DO UPDATE SET reason = excluded.reason, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by`,
        [r.id, r.version, r.digest ?? '', r.reason, at, actor],
      );
      const snapshotVersion = this.#bumpSnapshot();
      const details: Record<string, unknown> = { reason: r.reason, snapshotVersion };
      if (r.digest) details.digest = r.digest;
      const audit = this.#append(actor, 'revoke', `${r.id}@${r.version}`, details, at);
      const revocation: Revocation = { id: r.id, version: r.version, reason: r.reason, revokedAt: at, revokedBy: actor };
      if (r.digest) revocation.digest = r.digest;
      return { revocation, snapshotVersion, audit } satisfies MutationResult & { revocation: Revocation };
    });
  }

  async restore(r: RestoreInput, actor: string) {
    const at = new Date().toISOString();
    return this.#tx(() => {
      const sel = r.version === undefined ? ['WHERE id = ?', [r.id]] : ['WHERE id = ? AND version = ?', [r.id, r.version]];
      const rows = this.#db.all(`SELECT * FROM revocations ${sel[0] as string}`, sel[1] as string[]);
      const subject = `${r.id}@${r.version ?? '*'}`;
      if (rows.length === 0) throw new NotFoundError(`${subject} is not revoked: nothing to restore`, { id: r.id, version: r.version ?? null });
      this.#db.run(`DELETE FROM revocations ${sel[0] as string}`, sel[1] as string[]);
      const snapshotVersion = this.#bumpSnapshot();
      const details: Record<string, unknown> = { removed: rows.length, snapshotVersion };
      if (r.reason !== undefined) details.reason = r.reason;
      const audit = this.#append(actor, 'restore', subject, details, at);
      return { removed: rows.map(toRevocation), snapshotVersion, audit };
    });
  }

  async revocations(): Promise<RevocationState> {
    this.#assertOpen();
    // One read transaction, so the version and the list belong together.
    this.#db.exec('BEGIN');
    try {
      const version = Number(this.#db.get("SELECT value FROM meta WHERE key = 'snapshot_version'")!.value);
      const revoked = this.#db.all('SELECT * FROM revocations ORDER BY id, version, digest').map(toRevocation);
      return { version, revoked };
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async auditEntries(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    this.#assertOpen();
    return this.#db.all('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [afterSeq, limit]).map(toAudit);
  }

  async auditHead(): Promise<ChainHead> {
    this.#assertOpen();
    const row = this.#db.get('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    return row ? { seq: Number(row.seq), hash: String(row.hash) } : { seq: 0, hash: GENESIS_HASH };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

function toPlugin(r: SqlRow): PluginRecord {
  return {
    id: String(r.id),
    version: String(r.version),
    digest: String(r.digest),
    publisher: String(r.publisher),
    manifest: JSON.parse(String(r.manifest)) as Record<string, unknown>,
    status: String(r.status) as LifecycleStatus,
    sizeBytes: Number(r.size_bytes),
    publishedAt: String(r.published_at),
    publishedBy: String(r.published_by),
  };
}

function toRevocation(r: SqlRow): Revocation {
  const rev: Revocation = { id: String(r.id), version: String(r.version), reason: String(r.reason), revokedAt: String(r.revoked_at), revokedBy: String(r.revoked_by) };
  if (r.digest) rev.digest = String(r.digest);
  return rev;
}

function toAudit(r: SqlRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: String(r.at),
    actor: String(r.actor),
    action: String(r.action) as AuditAction,
    subject: String(r.subject),
    details: JSON.parse(String(r.details)) as Record<string, unknown>,
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(opts);
}
