// summit-plugin check <dir|component.wasm> [--manifest <file>] [--json] [--quiet] [--verbose]
import { EGRESS_FLAGS, EGRESS_HELP, egressOptions } from './egress-flags.js';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkPlugin, type CheckReport, type CheckStatus } from '../authoring/check.js';
import { Bundler } from '../build/bundle.js';
import { createPositionMapper } from '../build/source-map.js';
import { readManifest } from '../manifest/manifest.js';
import { MANIFEST_FILE } from '../build/project.js';
import { createDefaultLogger } from '../host/logger.js';
import { parseVerbArgs } from './args.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { createProgress } from './progress.js';

export const CHECK_HELP = `Usage: summit-plugin check <dir|component.wasm> [options]

The conformance gate to run before submitting a plug-in. With the production loader, limits
and HTML sanitizer it checks: the manifest is valid; the file is a component of the
summit:widget world; its imports are on the allowlist; its digest; every sample input in the
manifest renders within the caps (the share of each cap is reported), its output is within
the output cap and unchanged by sanitizing (anything stripped is listed), and the same input
gives the same output twice.

Options:
  --manifest <file>   manifest for a component file (default: beside it, or its project's)
${EGRESS_HELP}  --json              print one JSON object (the full report) as the last line of stdout
  --quiet             no progress on stderr
  --verbose           host logs on stderr
  -h, --help          show this help

Exit status: 0 conformant, 1 a check failed, 2 bad usage.
`;

const MARK: Record<CheckStatus, string> = { pass: '✔', fail: '✘', warn: '!', skip: '-' };

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, {
    manifest: { type: 'string' },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    ...EGRESS_FLAGS,
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(CHECK_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'check needs a project directory or a component file' : `check takes one target, got ${positionals.length}`);
  const target = resolve(positionals[0]!);
  if (!(await access(target).then(() => true, () => false))) throw new UsageError(`cannot read ${positionals[0]}`);
  if (values.manifest !== undefined && !(await access(values.manifest).then(() => true, () => false))) throw new UsageError(`cannot read manifest ${values.manifest}`);

  const progress = createProgress(io, { quiet: values.quiet || values.json });
  const mapPositions = target.endsWith('.wasm') ? undefined : await projectMapper(target);
  let end: ((s: string) => void) | undefined;
  const report = await checkPlugin(
    { path: target, ...(values.manifest ? { manifestPath: values.manifest } : {}) },
    {
      logger: createDefaultLogger(values.verbose ? 'debug' : 'silent'),
      ...(mapPositions ? { mapPositions } : {}),
      egress: await egressOptions(values),
      onProgress: (what) => {
        end?.('done');
        end = progress.start(what);
      },
    },
  );
  end?.('done');
  if (values.json) {
    const failed = failedNames(report);
    printJson(io, {
      ...report,
      ...(report.ok ? {} : { error: { code: 'SPH_ERR_CHECK_FAILED', message: `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.join(', ')}`, details: { failed } } }),
    } as unknown as Record<string, unknown>);
  } else {
    io.stdout(formatReport(report));
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** Maps engine positions to the project's sources, when they still bundle. */
async function projectMapper(dir: string): Promise<((s: string) => string) | undefined> {
  try {
    const manifest = await readManifest(join(dir, MANIFEST_FILE));
    const bundler = new Bundler({ projectDir: dir, entry: manifest.build.entry, wrap: true });
    try {
      return createPositionMapper((await bundler.bundle()).map, dir);
    } finally {
      await bundler.dispose();
    }
  } catch {
    return undefined;
  }
}

export function failedNames(r: CheckReport): string[] {
  return [...r.checks.filter((c) => c.status === 'fail').map((c) => c.name), ...r.samples.filter((s) => s.status === 'fail').map((s) => `sample ${s.name}`)];
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '?' : `${v}%`);

export function formatReport(r: CheckReport): string {
  const lines: string[] = [];
  lines.push(`summit-plugin check: ${r.id ? `${r.id}@${r.version}` : 'unknown plug-in'} (${r.component})`);
  for (const c of r.checks) lines.push(`  ${MARK[c.status]} ${c.name.padEnd(11)} ${c.summary}`);
  for (const s of r.samples) {
    const head = `  ${MARK[s.status]} sample "${s.name}"`;
    if (s.error) {
      lines.push(`${head}: ${s.error.code}: ${s.error.message.split('\n').join('\n      ')}`);
    } else if (s.percent) {
      const p = s.percent;
      lines.push(`${head}: fuel ${pct(p.fuel)} · cpu ${pct(p.cpuMs)} · memory ${pct(p.memoryBytes)} · wall ${pct(p.wallMs)} · output ${pct(p.outputBytes)} of the caps`);
      lines.push(`      sanitizer: ${s.removed.length === 0 ? 'nothing removed' : `removed ${s.removed.length}:`}${s.deterministic ? ' · same output twice' : ' · DIFFERENT output for the same input'}`);
      for (const x of s.removed) lines.push(`        - ${x.kind === 'element' ? `<${x.name}>` : `${x.name}="${x.value ?? ''}" on <${x.element}>`}: ${x.reason}`);
    }
    for (const l of s.logs.slice(0, 5)) lines.push(`      [${l.level}] ${l.message}`);
  }
  const failed = failedNames(r);
  lines.push(r.ok ? 'result: PASS, conformant' : `result: FAIL (${failed.join(', ')})`);
  return `${lines.join('\n')}\n`;
}
