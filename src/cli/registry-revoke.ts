// summit-plugin registry revoke <id>[@version] --reason <text> [--digest <sha256>]
// summit-plugin registry restore <id>[@version] [--reason <text>]
import { parse } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, callRegistry, connection } from './registry-http.js';
import { parseTarget, reportFailure } from './registry-report.js';

export const REVOKE_HELP = `Usage: summit-plugin registry revoke <id>[@version] --reason <text> [options]

Revokes a plug-in: every host refuses it before its next instantiation and stops its running
invocations. Without @version every version is revoked; with --digest only the component with
that sha256 (under any id). Acknowledged only once committed and pushed to connected hosts.
Needs a registry:admin token.

Options:
  --reason <text>     why (required; shown to hosts and kept in the audit log)
  --digest <sha256>   revoke only this component
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

export const RESTORE_HELP = `Usage: summit-plugin registry restore <id>[@version] [--reason <text>] [options]

Lifts revocations: <id>@<version> lifts that version's entries, <id> alone every entry of the
id. Hosts that dropped the plug-in load it again when asked. Needs a registry:admin token.

Options:
  --reason <text>     why (kept in the audit log)
${CONNECTION_HELP}  --json              print one JSON object as the last line of stdout
  -h, --help          show this help
`;

export async function revokeCommand(argv: string[], io: Io, restore = false): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...CONNECTION_OPTIONS,
    reason: { type: 'string' },
    ...(restore ? {} : { digest: { type: 'string' } }),
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(restore ? RESTORE_HELP : REVOKE_HELP);
    return EXIT.ok;
  }
  const verb = restore ? 'restore' : 'revoke';
  if (positionals.length !== 1) throw new UsageError(`${verb} needs one <id>[@version]`);
  const { id, version } = parseTarget(positionals[0]!);
  if (!restore && (values.reason === undefined || values.reason.trim() === '')) throw new UsageError('revoke needs --reason <text>');
  const digest = (values as { digest?: string }).digest;
  if (digest !== undefined && !/^[0-9a-f]{64}$/.test(digest)) throw new UsageError('--digest expects a sha256 hex digest (64 lowercase hex digits)');
  const conn = connection(values);
  try {
    const body: Record<string, string> = { id };
    if (version !== undefined) body.version = version;
    if (values.reason !== undefined) body.reason = values.reason;
    if (digest !== undefined) body.digest = digest;
    const r = await callRegistry<Record<string, unknown> & { snapshotVersion: number }>(conn, 'POST', restore ? 'v1/revocations/restore' : 'v1/revocations', body);
    if (values.json) printJson(io, { ...r, ok: true });
    else io.stdout(`${restore ? 'restored' : 'revoked'} ${id}@${version ?? '*'} (snapshot version ${r.snapshotVersion})\n`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, values.json, err);
  }
}
