// summit-plugin init <dir> [--id publisher/name] [--name "Display name"] [--host-dependency <spec>] [--json]
import { relative } from 'node:path';
import { initProject } from '../authoring/init.js';
import { InvalidArgError, InvalidManifestError } from '../errors.js';
import { parseVerbArgs } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';

export const INIT_HELP = `Usage: summit-plugin init <dir> [options]

Creates a widget project in dir (new or empty): TypeScript source, manifest, package scripts,
types for the render input and the host log function, a test and a README. It builds and
renders as it is:

  cd <dir> && npm install && npm run dev

Options:
  --id <publisher/name>        plug-in id (default my-org/<dir name>)
  --name <text>                display name (default from the dir name)
  --host-dependency <spec>     how the project depends on summit-plugin-host (default: this
                               version from the registry, or a file: link to this checkout)
  --json                       print one JSON object as the last line of stdout
  -h, --help                   show this help

Exit status: 0 created, 2 bad usage (including a directory that is not empty).
`;

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, {
    id: { type: 'string' },
    name: { type: 'string' },
    'host-dependency': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(INIT_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'init needs a directory' : `init takes one directory, got ${positionals.length}`);
  let result;
  try {
    result = await initProject(positionals[0]!, {
      ...(values.id !== undefined ? { id: values.id } : {}),
      ...(values.name !== undefined ? { displayName: values.name } : {}),
      ...(values['host-dependency'] !== undefined ? { hostSpec: values['host-dependency'] } : {}),
    });
  } catch (err) {
    if (err instanceof InvalidArgError) throw new UsageError(err.message);
    if (err instanceof InvalidManifestError) throw new UsageError(err.message.replace(/^--id\/--name is invalid/, 'the --id or --name given is invalid'));
    throw err;
  }
  if (values.json) {
    printJson(io, { ok: true, ...result });
    return EXIT.ok;
  }
  const rel = relative(process.cwd(), result.dir);
  const shown = rel === '' ? '.' : rel.startsWith('..') ? result.dir : rel;
  io.stdout(
    `created ${result.id} in ${result.dir}\n` +
      result.files.map((f) => `  ${f}\n`).join('') +
      `summit-plugin-host: ${result.hostSpec}\n\nnext:\n  cd ${shown}\n  npm install\n  npm run dev       # live preview, rebuilds on save\n  npm test          # renders every sample in the sandbox\n  npm run check     # the conformance gate, before you submit\n` +
      (result.id.startsWith('my-org/') ? `\nSet your publisher in summit-plugin.json ("id": "${result.id}").\n` : ''),
  );
  return EXIT.ok;
}
