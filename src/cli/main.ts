// summit-plugin: one file per verb. Errors of usage exit 2; expected failures print no stack.
import { readFileSync } from 'node:fs';
import { EXIT, UsageError, printJson, processIo, type Io } from './output.js';
import { registryCommand } from './registry.js';
import { runCommand } from './run.js';
import { buildCommand } from './build.js';
import { checkCommand } from './check.js';
import { initCommand } from './init.js';
import { devCommand } from './dev.js';
import { serveHostCommand } from './serve.js';

const HELP = `Usage: summit-plugin <command> [options]

Commands:
  init <dir>             create a widget project (TypeScript, manifest, test, README)
  run <component.wasm>   render a widget once in the sandbox
  registry <command>     the plug-in registry and kill switch (serve, publish, revoke, ...)
  build [dir]            build a widget project into a component
  dev [dir]              live preview in a browser: rebuild on save, render in the sandbox
  check <dir|wasm>       the conformance gate: manifest, imports, caps, sanitizer, determinism
  serve                  the host service for the Summit UI: render API, embed, metrics

Run "summit-plugin <command> --help" for a command's options.
Options: -h, --help   --version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [verb, ...rest] = argv;
  const json = rest.includes('--json');
  try {
    switch (verb) {
      case 'run':
        return await runCommand(rest, io);
      case 'registry':
        return await registryCommand(rest, io);
      case 'init':
        return await initCommand(rest, io);
      case 'build':
        return await buildCommand(rest, io);
      case 'dev':
        return await devCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'serve':
        return await serveHostCommand(rest, io);
      case '--version':
      case '-v':
        io.stdout(`${version()}\n`);
        return EXIT.ok;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(HELP);
        return verb === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${verb}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      if (json) printJson(io, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: err.message } });
      io.stderr(`summit-plugin: ${err.message}\nRun "summit-plugin --help" for usage.\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
