// summit-plugin build [dir] [--json] [--quiet]
import { relative } from 'node:path';
import { InvalidArgError, SphError } from '../errors.js';
import { formatProblem } from '../build/bundle.js';
import { componentImports } from '../build/inspect.js';
import { buildProject, createProjectBuilder, featuresFor, loadProject, type Project } from '../build/project.js';
import { parseVerbArgs } from './args.js';
import { EXIT, UsageError, errorJson, printJson, type Io } from './output.js';
import { createProgress, formatMs } from './progress.js';

export const BUILD_HELP = `Usage: summit-plugin build [dir] [options]

Builds the widget project in dir (default: the current directory) into a WebAssembly
component: esbuild bundles the entry from summit-plugin.json, componentize-js compiles it
with only the WASI features the manifest asks for. Prints the component's digest, size and
imports. Builds are cached by a hash of the sources.

Options:
  --json        print one JSON object as the last line of stdout
  --quiet       no progress on stderr
  -h, --help    show this help

Exit status: 0 built, 1 the build failed, 2 bad usage.
`;

export async function openProject(dir: string): Promise<Project> {
  try {
    return await loadProject(dir);
  } catch (err) {
    if (err instanceof InvalidArgError) throw new UsageError(err.message);
    throw err;
  }
}

export function failureJson(err: unknown): Record<string, unknown> {
  const e = errorJson(err);
  const problems = SphError.isSphError(err) ? err.details.problems : undefined;
  return { ok: false, error: problems ? { ...e, problems } : e };
}

export async function buildCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, {
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(BUILD_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`build takes one project directory, got ${positionals.length}`);
  const dirArg = positionals[0] ?? '.';
  let project: Project;
  try {
    project = await openProject(dirArg);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return report(io, values.json, err);
  }
  const m = project.manifest;
  const progress = createProgress(io, { quiet: values.quiet });
  const builder = createProjectBuilder(project);
  let end: ((s: string) => void) | undefined;
  try {
    progress.note(`building ${m.id}@${m.version} from ${m.build.entry}`);
    const { built, digest } = await buildProject(project, builder, (p) => {
      if (p.phase === 'componentize') end = progress.start('componentizing (esbuild bundle -> componentize-js)');
      if (p.phase === 'done' && p.fromCache) progress.note('up to date: these sources were built before (cached by source hash)');
      if (p.phase === 'done' && !p.fromCache) end?.('componentized');
    });
    const { imports, denied } = await componentImports(built.bytes);
    const file = relative(process.cwd(), project.componentPath) || project.componentPath;
    for (const w of built.warnings) progress.note(`warning: ${formatProblem(w)}`);
    for (const d of denied) progress.note(`warning: ${d.name} will be refused at load: ${d.reason}`);
    const features = featuresFor(m);
    if (values.json) {
      printJson(io, {
        ok: true,
        id: m.id,
        version: m.version,
        component: project.componentPath,
        digest: `sha256:${digest}`,
        sizeBytes: built.bytes.length,
        imports,
        denied,
        features,
        fromCache: built.fromCache,
        timings: built.timings,
        warnings: built.warnings,
      });
    } else {
      io.stdout(
        `built ${file}\n` +
          `  digest    sha256:${digest}\n` +
          `  size      ${(built.bytes.length / 1048576).toFixed(1)} MiB (${built.bytes.length} bytes)\n` +
          `  imports   ${imports.join(', ') || 'none'}\n` +
          `  features  ${features.join(', ') || 'none'}\n` +
          `  time      bundle ${formatMs(built.timings.bundleMs)}, componentize ${built.fromCache ? 'cached' : formatMs(built.timings.componentizeMs)}\n`,
      );
    }
    return EXIT.ok;
  } catch (err) {
    progress.stop();
    return report(io, values.json, err);
  } finally {
    await builder.close();
  }
}

function report(io: Io, json: boolean, err: unknown): number {
  if (!SphError.isSphError(err)) throw err;
  if (json) printJson(io, failureJson(err));
  else io.stderr(`error ${err.code}: ${err.message}\n`);
  return EXIT.failed;
}
