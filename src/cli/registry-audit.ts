// summit-plugin registry audit verify [--db <file> | --registry <url> --token <jwt>]
// Recomputes the audit log's hash chain from the first entry: straight from the SQLite file
// (offline, works while the registry is down), or page by page over the admin API.
import { existsSync } from 'node:fs';
import { ChainVerifier, type AuditEntry, type ChainHead } from '../registry/audit-chain.js';
import { openSqliteStore } from '../registry/store/sqlite-store.js';
import { parse } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, callRegistry, connection } from './registry-http.js';
import { reportFailure } from './registry-report.js';

export const AUDIT_HELP = `Usage: summit-plugin registry audit verify [--db <file> | --registry <url> --token <jwt>]

Checks the hash chain of the audit log: every entry's hash covers its content and the hash of
the entry before it, so a changed, removed or reordered entry is reported (exit 1,
SPH_ERR_AUDIT_CHAIN_BROKEN). Prints the number of entries and the head hash: keep the head
somewhere else to detect a truncated tail later.

Options:
  --db <file>         read the registry's SQLite database directly
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

const PAGE = 1000;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...CONNECTION_OPTIONS, db: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help || positionals.length === 0) {
    io.stdout(AUDIT_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (positionals[0] !== 'verify' || positionals.length !== 1) throw new UsageError(`unknown audit command "${positionals.join(' ')}" (expected: audit verify)`);
  const v = new ChainVerifier();
  try {
    if (values.db !== undefined) {
      if (!existsSync(values.db)) throw new UsageError(`no database at ${values.db}`);
      const store = openSqliteStore({ path: values.db });
      try {
        await verifyPages(v, (after) => store.auditEntries(after, PAGE));
      } finally {
        await store.close();
      }
    } else {
      const conn = connection(values);
      await verifyPages(v, async (after) => (await callRegistry<{ entries: AuditEntry[] }>(conn, 'GET', `v1/audit?after=${after}&limit=${PAGE}`)).entries);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return reportFailure(io, values.json, err);
  }
  const head = v.head;
  if (values.json) printJson(io, { ok: true, entries: head.seq, head: head.hash });
  else io.stdout(`audit chain verifies: ${head.seq} entries, head ${head.hash}\n`);
  return EXIT.ok;
}

async function verifyPages(v: ChainVerifier, page: (afterSeq: number) => Promise<AuditEntry[]>): Promise<ChainHead> {
  for (;;) {
    const entries = await page(v.head.seq);
    for (const e of entries) v.push(e);
    if (entries.length < PAGE) return v.head;
  }
}
