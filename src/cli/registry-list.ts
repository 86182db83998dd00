// summit-plugin registry list [--publisher <p>] [--id <id>]
// summit-plugin registry status <id>@<version> <active|maintenance|deprecated|end-of-support> [--reason <text>]
import { LIFECYCLE_STATUSES } from '../registry/store/store.js';
import { parse } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, callRegistry, connection } from './registry-http.js';
import { parseTarget, reportFailure } from './registry-report.js';

export const LIST_HELP = `Usage: summit-plugin registry list [options]

Lists published plug-in versions with their lifecycle status and revocation, and every
revocation in the current snapshot. Needs a registry:reader, publisher or admin token.

Options:
  --publisher <p>     only ids under this prefix
  --id <id>           only this plug-in
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

export const STATUS_HELP = `Usage: summit-plugin registry status <id>@<version> <${LIFECYCLE_STATUSES.join('|')}> [--reason <text>]

Sets a version's lifecycle status (the partner framework's lifecycle). It does not stop the
plug-in: that is what revoke is for. Needs a registry:admin token.

Options:
  --reason <text>
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

interface Listed {
  id: string;
  version: string;
  digest: string;
  status: string;
  revoked: { version: string; reason: string } | null;
}

export async function listCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...CONNECTION_OPTIONS,
    publisher: { type: 'string' },
    id: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(LIST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError('list takes no arguments (use --id or --publisher)');
  const conn = connection(values);
  try {
    const q = new URLSearchParams();
    if (values.publisher) q.set('publisher', values.publisher);
    if (values.id) q.set('id', values.id);
    const r = await callRegistry<{ snapshotVersion: number; plugins: Listed[]; revocations: { id: string; version: string; digest?: string; reason: string }[] }>(
      conn,
      'GET',
      `v1/plugins${q.size ? `?${q}` : ''}`,
    );
    if (values.json) printJson(io, { ok: true, snapshotVersion: r.snapshotVersion, plugins: r.plugins, revocations: r.revocations });
    else {
      for (const p of r.plugins) io.stdout(`${p.id}@${p.version}  ${p.status}${p.revoked ? `  REVOKED (${p.revoked.reason})` : ''}  sha256:${p.digest.slice(0, 16)}…\n`);
      if (r.plugins.length === 0) io.stdout('no plug-ins published\n');
      io.stdout(`snapshot version ${r.snapshotVersion}, ${r.revocations.length} revocation(s)\n`);
      for (const e of r.revocations) io.stdout(`  revoked ${e.id}@${e.version}${e.digest ? ` sha256:${e.digest.slice(0, 16)}…` : ''}: ${e.reason}\n`);
    }
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, values.json, err);
  }
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...CONNECTION_OPTIONS, reason: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } });
  if (values.help) {
    io.stdout(STATUS_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new UsageError('status needs <id>@<version> and a status');
  const { id, version } = parseTarget(positionals[0]!);
  if (!version) throw new UsageError('status needs <id>@<version>');
  const status = positionals[1]!;
  if (!(LIFECYCLE_STATUSES as readonly string[]).includes(status)) throw new UsageError(`status must be one of ${LIFECYCLE_STATUSES.join(', ')}`);
  const [publisher, name] = id.split('/');
  if (!publisher || !name) throw new UsageError('the id must be publisher/name');
  const conn = connection(values);
  try {
    const r = await callRegistry<{ plugin: Listed }>(
      conn,
      'PUT',
      `v1/plugins/${encodeURIComponent(publisher)}/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/status`,
      values.reason !== undefined ? { status, reason: values.reason } : { status },
    );
    if (values.json) printJson(io, { ok: true, plugin: r.plugin });
    else io.stdout(`${id}@${version} is now ${r.plugin.status}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, values.json, err);
  }
}
