// One synchronous SQLite API over two engines: `node:sqlite` where the running Node has it
// (22.13+, 23.4+, 24+), better-sqlite3 elsewhere (Node 20). The same node_modules serve Node 20
// and Node 26, and a native module built for one does not load in the other, so the choice is
// made at run time, never at install time.
import { createRequire } from 'node:module';
import { InvalidArgError } from '../../errors.js';

export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export type DriverName = 'node:sqlite' | 'better-sqlite3';
export type DriverChoice = DriverName | 'auto';

export interface SqlDriver {
  readonly name: DriverName;
  exec(sql: string): void;
  run(sql: string, params?: readonly SqlValue[]): { changes: number };
  get(sql: string, params?: readonly SqlValue[]): SqlRow | undefined;
  all(sql: string, params?: readonly SqlValue[]): SqlRow[];
  close(): void;
}

// The slice of each engine's API used here (neither ships types this project can rely on:
// @types/node 20 has no node:sqlite, and better-sqlite3 ships none).
interface Statement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}
interface Database {
  exec(sql: string): unknown;
  prepare(sql: string): Statement;
  close(): void;
}

class StatementCache implements SqlDriver {
  readonly #db: Database;
  readonly #stmts = new Map<string, Statement>();
  constructor(
    readonly name: DriverName,
    db: Database,
  ) {
    this.#db = db;
  }
  #stmt(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }
  exec(sql: string): void {
    this.#db.exec(sql);
  }
  run(sql: string, params: readonly SqlValue[] = []) {
    const r = this.#stmt(sql).run(...params);
    return { changes: Number(r.changes) };
  }
  get(sql: string, params: readonly SqlValue[] = []) {
    return normalize(this.#stmt(sql).get(...params) as SqlRow | undefined);
  }
  all(sql: string, params: readonly SqlValue[] = []) {
    return (this.#stmt(sql).all(...params) as SqlRow[]).map((r) => normalize(r)!);
  }
  close(): void {
    this.#stmts.clear();
    this.#db.close();
  }
}

// better-sqlite3 returns Buffers for BLOBs, node:sqlite Uint8Arrays: callers see Uint8Array.
function normalize(row: SqlRow | undefined): SqlRow | undefined {
  if (!row) return row;
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : v;
  return out;
}

type NodeSqlite = { DatabaseSync: new (path: string, opts?: Record<string, unknown>) => Database };

function nodeSqlite(): NodeSqlite | undefined {
  try {
    // getBuiltinModule (Node 20.16+) answers undefined instead of throwing where node:sqlite is
    // missing or still behind --experimental-sqlite.
    const get = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
    return get?.('node:sqlite') as NodeSqlite | undefined;
  } catch {
    return undefined;
  }
}

function betterSqlite3(): (new (path: string, opts?: Record<string, unknown>) => Database) | Error {
  try {
    const mod = createRequire(import.meta.url)('better-sqlite3') as new (path: string, opts?: Record<string, unknown>) => Database;
    return mod;
  } catch (err) {
    return err as Error;
  }
}

/** Which engine `auto` picks on this Node. */
export function availableDriver(): DriverName | undefined {
  if (nodeSqlite()) return 'node:sqlite';
  return betterSqlite3() instanceof Error ? undefined : 'better-sqlite3';
}

export function openSqlite(path: string, choice: DriverChoice = 'auto'): SqlDriver {
  const ns = choice === 'better-sqlite3' ? undefined : nodeSqlite();
  if (ns) return new StatementCache('node:sqlite', new ns.DatabaseSync(path));
  if (choice === 'node:sqlite') {
    throw new InvalidArgError(`node:sqlite is not available in Node ${process.version}: use Node 22.13 or later, or the better-sqlite3 driver`);
  }
  const Bsq = betterSqlite3();
  if (Bsq instanceof Error) {
    throw new InvalidArgError(
      `no SQLite engine: Node ${process.version} has no node:sqlite and better-sqlite3 did not load (${Bsq.message.split('\n')[0]}); run "npm rebuild better-sqlite3" or use Node 22.13+`,
    );
  }
  try {
    return new StatementCache('better-sqlite3', new Bsq(path));
  } catch (err) {
    // A binary built for another Node version fails here, at first use, not at require().
    const msg = (err as Error).message.split('\n')[0];
    if (/NODE_MODULE_VERSION|compiled against/.test((err as Error).message)) {
      throw new InvalidArgError(`better-sqlite3 was built for another Node version (${msg}): run "npm rebuild better-sqlite3" or use Node 22.13+, which has node:sqlite`);
    }
    throw err;
  }
}
