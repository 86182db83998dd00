// Versioned schema migrations for the SQLite store. Each runs once, in its own transaction,
// and is recorded in schema_migrations; a database written by a newer registry is refused
// rather than guessed at. Append new migrations; never edit a released one.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'plugins, components, revocations, audit log',
    sql: `
      CREATE TABLE plugins (
        id           TEXT NOT NULL,
        version      TEXT NOT NULL,
        digest       TEXT NOT NULL,
        publisher    TEXT NOT NULL,
        manifest     TEXT NOT NULL,
        status       TEXT NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'maintenance', 'deprecated', 'end-of-support')),
        size_bytes   INTEGER NOT NULL,
        published_at TEXT NOT NULL,
        published_by TEXT NOT NULL,
        PRIMARY KEY (id, version)
      );
      CREATE INDEX plugins_publisher ON plugins (publisher);
      -- Component bytes by content address, kept apart so listings never read blobs.
      CREATE TABLE components (
        digest TEXT PRIMARY KEY,
        bytes  BLOB NOT NULL
      );
      -- digest '' = any component of that id and version.
      CREATE TABLE revocations (
        id         TEXT NOT NULL,
        version    TEXT NOT NULL,
        digest     TEXT NOT NULL DEFAULT '',
        reason     TEXT NOT NULL,
        revoked_at TEXT NOT NULL,
        revoked_by TEXT NOT NULL,
        PRIMARY KEY (id, version, digest)
      );
      CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      );
      -- Append-only, so a bug cannot rewrite history (someone with the file still can: that is
      -- what the hash chain and "audit verify" are for).
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      INSERT INTO meta (key, value) VALUES ('snapshot_version', '0');
    `,
  },
]);

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]!.version;
