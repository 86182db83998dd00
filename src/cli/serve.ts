// summit-plugin serve: the host service for the Summit UI (render API, event stream, embed
// script, health, metrics) in the foreground until SIGINT/SIGTERM. Production by default:
// widgets and the kill switch come from the registry, its snapshot key pinned. --dev serves a
// directory of built widgets instead (the kill switch still applies when --registry is given).
import { createDefaultLogger } from '../host/logger.js';
import { createHost, type PluginHost } from '../host/plugin-host.js';
import { SphError } from '../errors.js';
import { createHostServer, type HostServer } from '../server/create-server.js';
import { RegistryCatalog } from '../server/registry-catalog.js';
import { DirectoryCatalog, type WidgetCatalog } from '../server/widget-catalog.js';
import { nonNegativeInt, parse, positiveInt } from './args.js';
import { EGRESS_FLAGS, EGRESS_HELP, egressOptions } from './egress-flags.js';
import { EXIT, UsageError, errorJson, printJson, type Io } from './output.js';
import { registryKey } from './registry-key.js';

export const SERVE_HOST_HELP = `Usage: summit-plugin serve [options]

Runs the host service: POST /v1/widgets/{id}/render, GET /v1/widgets, GET /v1/widgets/events,
GET /embed/summit-widget.js, GET /livez, /readyz, /metrics. Stops cleanly on SIGINT / SIGTERM.
In production (the default) widgets and the kill switch come from the registry.

Options:
  --registry <url>          the registry (default $SUMMIT_REGISTRY_URL); required unless --dev
  --registry-key <k>        its snapshot public key, pinned: base64, PEM or a file holding either
                            (default $SUMMIT_REGISTRY_KEY); required unless --dev
  --token <jwt>             a registry token with the registry:reader role, for the widget list
                            (default $SUMMIT_REGISTRY_TOKEN); required with --registry unless --widgets
  --state-file <file>       keep the last good kill-switch snapshot here (a restart while the
                            registry is down then serves until it goes stale)
  --dev                     development mode: no registry needed, caps may be raised
  --widgets <dir>           serve the built widgets in this directory (each a folder with a
                            summit-plugin.json and its component) instead of the registry's
  --host <addr>             listen address (default 127.0.0.1)
  --port <n>                port (default 4870; 0 picks a free one)
  --workers <n>             sandbox workers (default: the number of CPUs)
  --allowed-origin <url>    a page origin that may call the API from the browser (repeatable)
${EGRESS_HELP}  --log-level <level>       log level on stderr (default info)
  --json                    print one JSON line when listening (and one when stopped)
  -h, --help                show this help

Exit status: 0 stopped cleanly, 1 could not start, 2 bad usage.
`;

export async function serveHostCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    registry: { type: 'string' },
    'registry-key': { type: 'string' },
    token: { type: 'string' },
    'state-file': { type: 'string' },
    dev: { type: 'boolean', default: false },
    widgets: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    workers: { type: 'string' },
    'allowed-origin': { type: 'string', multiple: true },
    ...EGRESS_FLAGS,
    'log-level': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(SERVE_HOST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}"`);
  // An empty environment variable counts as unset.
  const registryUrl = values.registry ?? (process.env.SUMMIT_REGISTRY_URL || undefined);
  const keyGiven = values['registry-key'] ?? (process.env.SUMMIT_REGISTRY_KEY || undefined);
  const token = values.token ?? (process.env.SUMMIT_REGISTRY_TOKEN || undefined);
  if (!values.dev && !registryUrl) throw new UsageError('serve needs --registry (or SUMMIT_REGISTRY_URL) in production; pass --dev --widgets <dir> to serve local builds');
  if (!values.dev && keyGiven === undefined) throw new UsageError('serve needs the registry snapshot key pinned in production: --registry-key or SUMMIT_REGISTRY_KEY');
  if (values.widgets === undefined && !registryUrl) throw new UsageError('serve needs --widgets <dir> or --registry to know which widgets to serve');
  if (values.widgets === undefined && !token) throw new UsageError('serving the registry\'s widgets needs a reader token: --token or SUMMIT_REGISTRY_TOKEN');
  if (values.widgets !== undefined && !values.dev) throw new UsageError('--widgets serves unpublished local builds: development only, add --dev');
  if (registryUrl) {
    try {
      const u = new URL(registryUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      throw new UsageError(`--registry must be an http(s) URL, got "${registryUrl}"`);
    }
  }
  const port = nonNegativeInt('--port', values.port) ?? 4870;
  const workers = positiveInt('--workers', values.workers, { max: 256 });
  const { 'allowed-origin': origins, ...single } = values;
  const egress = await egressOptions(single);
  const logger = createDefaultLogger(values['log-level'] ?? process.env.SUMMIT_LOG_LEVEL ?? 'info');

  let host: PluginHost | undefined;
  let server: HostServer | undefined;
  let url: string;
  try {
    const registry = registryUrl
      ? { url: registryUrl, publicKeys: await registryKey(registryUrl, keyGiven, io), ...(values['state-file'] ? { stateFile: values['state-file'] } : {}) }
      : undefined;
    host = createHost({ mode: values.dev ? 'development' : 'production', logger, egress, ...(workers ? { workers } : {}), ...(registry ? { registry } : {}) });
    if (registry) await host.ready(10_000);
    const catalog: WidgetCatalog = values.widgets !== undefined ? new DirectoryCatalog(values.widgets) : new RegistryCatalog({ url: registryUrl!, token: token! });
    server = createHostServer({ host, catalog, logger, ...(origins ? { allowedOrigins: origins } : {}) });
    url = await server.listen({ host: values.host ?? '127.0.0.1', port });
  } catch (err) {
    await server?.close().catch(() => {});
    await host?.close().catch(() => {});
    const e = errorJson(err);
    if (values.json) printJson(io, { ok: false, error: e });
    io.stderr(`summit-plugin serve: ${e.code}: ${e.message}\n`);
    return SphError.isSphError(err) && err.code === 'SPH_ERR_INVALID_ARG' ? EXIT.usage : EXIT.failed;
  }
  if (values.json) printJson(io, { ok: true, event: 'listening', url, mode: values.dev ? 'development' : 'production', workers: host.options.workers });
  else io.stdout(`host service listening on ${url} (${values.dev ? 'development' : 'production'}, ${host.options.workers} workers)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await host.close();
  if (values.json) printJson(io, { ok: true, event: 'stopped', url });
  return EXIT.ok;
}
