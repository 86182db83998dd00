// summit-plugin run <component.wasm> [--input <json>] [--manifest <file>] [--cpu-ms N]
//   [--memory-mb N] [--wall-ms N] [--registry <url> [--registry-key <key>]]
//   [--egress-proxy <url>] [--json] [--verbose]
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHost } from '../host/plugin-host.js';
import { readManifest, type Manifest } from '../manifest/manifest.js';
import type { Limits } from '../config/limits.js';
import type { Usage } from '../sandbox/sandbox-pool.js';
import { createDefaultLogger } from '../host/logger.js';
import { EGRESS_FLAGS, EGRESS_HELP, egressOptions } from './egress-flags.js';
import { EXIT, UsageError, errorJson, printJson, type Io } from './output.js';
import { registryKey } from './registry-key.js';

export const RUN_HELP = `Usage: summit-plugin run <component.wasm> [options]

Renders a widget component once in the production sandbox and prints the HTML.

Options:
  --input <json>              render input (default {"props":{}})
  --manifest <file>           plug-in manifest (default: summit-plugin.json beside the component, if any)
  --cpu-ms <n>                CPU cap in ms (default 500)
  --memory-mb <n>             memory cap in MiB (default 256)
  --wall-ms <n>               wall-clock cap in ms (default 1500)
  --registry <url>            check the kill switch of this registry first (default $SUMMIT_REGISTRY_URL;
                              neither given: no kill-switch check, as befits a local tool)
  --registry-key <k>          the registry's snapshot public key: base64, PEM or a file holding either
                              (default $SUMMIT_REGISTRY_KEY; neither: the key the registry serves, with a warning)
${EGRESS_HELP}  --json                      print one JSON object as the last line of stdout
  --verbose                   host logs and stack traces on stderr
  -h, --help                  show this help

Exit status: 0 rendered, 1 the plug-in failed or was refused, 2 bad usage.
`;

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} expects a positive whole number, got "${v}"`);
  return Number(v);
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        input: { type: 'string' },
        manifest: { type: 'string' },
        'cpu-ms': { type: 'string' },
        'memory-mb': { type: 'string' },
        'wall-ms': { type: 'string' },
        registry: { type: 'string' },
        'registry-key': { type: 'string' },
        ...EGRESS_FLAGS,
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'run needs a component file' : `run takes one component file, got ${positionals.length}`);
  const file = positionals[0]!;

  let input: string;
  if (values.input === undefined) input = '{"props":{}}';
  else {
    try {
      JSON.parse(values.input);
    } catch (err) {
      throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`);
    }
    input = values.input;
  }
  const limits: Partial<Limits> = {};
  const cpuMs = positiveInt('--cpu-ms', values['cpu-ms']);
  const memoryMb = positiveInt('--memory-mb', values['memory-mb']);
  const wallMs = positiveInt('--wall-ms', values['wall-ms']);
  if (cpuMs !== undefined) limits.cpuMs = cpuMs;
  if (memoryMb !== undefined) limits.memoryBytes = memoryMb * 1024 * 1024;
  if (wallMs !== undefined) limits.wallMs = wallMs;

  const egress = await egressOptions(values);

  if (!(await exists(file))) throw new UsageError(`cannot read component file ${file}`);
  const manifestPath = values.manifest ?? join(dirname(file), 'summit-plugin.json');
  if (values.manifest !== undefined && !(await exists(manifestPath))) throw new UsageError(`cannot read manifest ${manifestPath}`);

  const fail = (err: unknown, usage?: unknown): number => {
    const e = errorJson(err);
    if (values.json) printJson(io, usage ? { ok: false, error: e, usage } : { ok: false, error: e });
    else io.stderr(`error ${e.code}: ${e.message}\n`);
    if (values.verbose && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return EXIT.failed;
  };

  let manifest: Manifest | undefined;
  try {
    if (await exists(manifestPath)) manifest = await readManifest(manifestPath);
  } catch (err) {
    return fail(err);
  }

  const registryUrl = values.registry ?? process.env.SUMMIT_REGISTRY_URL;
  let registry: { url: string; publicKeys: string } | undefined;
  if (registryUrl) {
    try {
      new URL(registryUrl);
    } catch {
      throw new UsageError(`--registry must be an http(s) URL, got "${registryUrl}"`);
    }
    try {
      registry = { url: registryUrl, publicKeys: await registryKey(registryUrl, values['registry-key'] ?? process.env.SUMMIT_REGISTRY_KEY, io) };
    } catch (err) {
      return fail(err);
    }
  }

  // `run` is a local development tool: it may raise caps (DESIGN.md 4.2).
  let host;
  try {
    host = createHost({
      mode: 'development',
      workers: 1,
      // One render and exit: an instance made ahead of time would only be thrown away.
      prewarm: false,
      limits: { ...limits },
      logger: createDefaultLogger(values.verbose ? 'debug' : 'silent'),
      egress,
      ...(registry ? { registry } : {}),
    });
  } catch (err) {
    return fail(err);
  }
  try {
    // With a registry: a fresh, verified kill-switch snapshot first, or refuse (fail closed).
    await host.ready(5000, { failFast: true });
    const plugin = await host.load(
      file,
      manifest ? { id: manifest.id, version: manifest.version, limits: manifest.limits, egress: { allowedHosts: manifest.capabilities.egress.allowedHosts } } : {},
    );
    try {
      const r = await host.render(plugin, input);
      if (values.json) printJson(io, { ok: true, output: r.output, usage: r.usage });
      else {
        for (const l of r.logs) io.stderr(`[plugin ${l.level}] ${l.message}\n`);
        io.stdout(`${r.output}\n`);
        io.stderr(formatUsage(r.usage));
        io.stderr(formatEgress(r.usage));
      }
      return EXIT.ok;
    } catch (err) {
      const e = err as { usage?: unknown; logs?: { level: string; message: string }[] };
      if (!values.json) {
        for (const l of e.logs ?? []) io.stderr(`[plugin ${l.level}] ${l.message}\n`);
        if (e.usage) io.stderr(formatEgress(e.usage as Usage));
      }
      return fail(err, e.usage);
    }
  } catch (err) {
    return fail(err);
  } finally {
    await host.close();
  }
}

function formatEgress(u: Usage): string {
  const e = u.egress;
  if (!e) return '';
  const lines = [`egress: ${e.requests} requests · ${e.denied} refused · ${e.failed} failed · ${e.bytesOut} bytes out · ${e.bytesIn} bytes in\n`];
  for (const x of e.errors) lines.push(`egress ${x.code} (${x.reason}): ${x.method} ${x.origin}: ${x.message}\n`);
  return lines.join('');
}

function formatUsage(u: { fuel: number | null; cpuMs: number; memoryBytes: number; wallMs: number }): string {
  return `usage: fuel ${u.fuel ?? '?'} · cpu ${u.cpuMs.toFixed(1)} ms · memory ${(u.memoryBytes / 1048576).toFixed(1)} MiB · wall ${u.wallMs.toFixed(1)} ms\n`;
}
