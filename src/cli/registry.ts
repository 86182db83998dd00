// summit-plugin registry <serve|publish|revoke|restore|list|status|audit|token>
import { EXIT, UsageError, type Io } from './output.js';
import { auditCommand } from './registry-audit.js';
import { listCommand, statusCommand } from './registry-list.js';
import { publishCommand } from './registry-publish.js';
import { revokeCommand } from './registry-revoke.js';
import { serveCommand } from './registry-serve.js';
import { tokenCommand } from './registry-token.js';

export const REGISTRY_HELP = `Usage: summit-plugin registry <command> [options]

Commands:
  serve                              run the registry service
  publish <dir|component.wasm>       publish a plug-in version
  revoke <id>[@version] --reason <t> revoke: every host refuses it within a second
  restore <id>[@version]             lift a revocation
  list                               plug-ins, lifecycle status, revocations
  status <id>@<version> <status>     set the lifecycle status
  audit verify                       check the audit log's hash chain
  token --role <role>                mint a bearer token (dev or own issuer key)

Run "summit-plugin registry <command> --help" for its options. Every command takes --json.
`;

export async function registryCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'serve':
      return serveCommand(rest, io);
    case 'publish':
      return publishCommand(rest, io);
    case 'revoke':
      return revokeCommand(rest, io);
    case 'restore':
      return revokeCommand(rest, io, true);
    case 'list':
      return listCommand(rest, io);
    case 'status':
      return statusCommand(rest, io);
    case 'audit':
      return auditCommand(rest, io);
    case 'token':
      return tokenCommand(rest, io);
    case undefined:
    case '--help':
    case '-h':
      io.stdout(REGISTRY_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown registry command "${sub}"`);
  }
}
