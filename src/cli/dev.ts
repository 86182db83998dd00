// summit-plugin dev [dir] [--port N] [--sample <name>] [--json] [--verbose]
import { DevServer } from '../authoring/dev-server.js';
import { DevSession, type BuildInfo, type RenderInfo } from '../authoring/dev-session.js';
import { createDefaultLogger } from '../host/logger.js';
import { InvalidArgError } from '../errors.js';
import { parseVerbArgs, positiveInt } from './args.js';
import { openProject } from './build.js';
import { EXIT, UsageError, printJson, type Io } from './output.js';
import { formatMs } from './progress.js';
import { EGRESS_FLAGS, EGRESS_HELP, egressOptions } from './egress-flags.js';
import type { EgressOptions } from '../egress/options.js';

export const DEV_HELP = `Usage: summit-plugin dev [dir] [options]

Watches the widget project in dir (default: the current directory), rebuilds on every save
and renders it in the production sandbox (the same loader, limits and sanitizer). The preview
page on http://127.0.0.1:<port>/ shows the widget as the Summit UI will, updates itself on
every change, lets you edit the input, and draws each render against the caps. A broken build
shows its error in the page; the server keeps running.

Options:
  --port <n>        port on 127.0.0.1 (default 8790; 0 picks a free one)
  --sample <name>   the sample input to start with (default: the first in summit-plugin.json)
${EGRESS_HELP}  --json            print {"ok":true,"url":...} on stdout once the server listens
  --verbose         host logs on stderr
  -h, --help        show this help

Stop it with Ctrl+C. Exit status: 0 stopped, 1 it could not start, 2 bad usage.
`;

export interface DevHandle {
  url: string;
  session: DevSession;
  server: DevServer;
  close(): Promise<void>;
}

/** Starts a dev session and its server (also used by the benchmark and tests). */
export async function startDev(opts: { dir: string; port: number; sample?: string; verbose?: boolean; cacheDir?: string | false; egress?: EgressOptions }): Promise<DevHandle> {
  const session = new DevSession({
    dir: opts.dir,
    logger: createDefaultLogger(opts.verbose ? 'debug' : 'silent'),
    ...(opts.cacheDir !== undefined ? { cacheDir: opts.cacheDir } : {}),
    ...(opts.egress ? { egress: opts.egress } : {}),
  });
  const server = new DevServer({ session, port: opts.port });
  let url: string;
  try {
    url = await server.listen();
  } catch (err) {
    await session.close();
    throw err;
  }
  // The first build starts now; the page shows its progress.
  void session.start().then(async () => {
    if (opts.sample !== undefined) await session.render({ sample: opts.sample }).catch(() => {});
  });
  return {
    url,
    session,
    server,
    async close() {
      await server.close();
      await session.close();
    },
  };
}

function describeBuild(b: BuildInfo): string | undefined {
  if (b.status === 'building') return undefined;
  if (b.status === 'failed') return `build #${b.seq} (${b.reason}) failed: ${b.error?.code}: ${b.error?.message}`;
  const t = b.timings!;
  return `build #${b.seq} (${b.reason}): ready in ${formatMs(t.totalMs)} (bundle ${formatMs(t.bundleMs)}, componentize ${b.fromCache ? 'cached' : formatMs(t.componentizeMs)}, prepare ${formatMs(t.prepareMs)})`;
}

function describeRender(r: RenderInfo): string {
  if (!r.ok) return `render #${r.seq}: ${r.error?.code}: ${r.error?.message.split('\n')[0]}`;
  const u = r.usage!;
  const removed = r.removed.length > 0 ? `, sanitizer removed ${r.removed.length}` : '';
  return `render #${r.seq}${r.sample ? ` (${r.sample})` : ''}: ${r.outputBytes} bytes, cpu ${u.cpuMs.toFixed(1)} ms, wall ${u.wallMs.toFixed(1)} ms, memory ${(u.memoryBytes / 1048576).toFixed(1)} MiB${removed}`;
}

export async function devCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseVerbArgs(argv, {
    port: { type: 'string' },
    sample: { type: 'string' },
    ...EGRESS_FLAGS,
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(DEV_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`dev takes one project directory, got ${positionals.length}`);
  const port = positiveInt('--port', values.port, { allowZero: true, max: 65535 }) ?? 8790;
  const dirArg = positionals[0] ?? '.';
  const project = await openProject(dirArg).catch((err) => {
    // A broken manifest is shown in the page; only a missing project stops us here.
    if (err instanceof UsageError) throw err;
    return undefined;
  });
  if (project && values.sample !== undefined && !project.manifest.samples.some((s) => s.name === values.sample)) {
    throw new UsageError(`--sample: no sample named "${values.sample}" in summit-plugin.json (have: ${project.manifest.samples.map((s) => s.name).join(', ') || 'none'})`);
  }
  let handle: DevHandle;
  try {
    handle = await startDev({
      dir: project?.dir ?? dirArg,
      port,
      ...(values.sample !== undefined ? { sample: values.sample } : {}),
      verbose: values.verbose,
      egress: await egressOptions(values),
    });
  } catch (err) {
    if (err instanceof InvalidArgError) throw new UsageError(err.message);
    throw err;
  }
  handle.session.on('build', (b: BuildInfo) => {
    const line = describeBuild(b);
    if (line) io.stderr(`${line}\n`);
  });
  handle.session.on('render', (r: RenderInfo) => io.stderr(`${describeRender(r)}\n`));
  if (values.json) printJson(io, { ok: true, url: handle.url });
  else io.stdout(`summit-plugin dev: preview of ${project?.manifest.id ?? dirArg} on ${handle.url} (Ctrl+C to stop)\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  io.stderr('stopping\n');
  await handle.close();
  return EXIT.ok;
}
