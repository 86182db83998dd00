// The import object, deny by default. Only the interfaces named here exist for a plug-in; the
// loader refuses any component that imports something else (SPH_ERR_IMPORT_DENIED) before it
// is ever instantiated, so the generated bindings never see a missing interface.
import { wasiCli } from './cli.js';
import { wasiClocks } from './clocks.js';
import { wasiFilesystem } from './filesystem.js';
import { summitHost, type LogSink } from './host.js';
import { wasiHttp } from './http.js';
import { wasiIo } from './io.js';
import { wasiRandom } from './random.js';

export type { LogLevel, LogSink } from './host.js';
import type { HttpContext } from '../../egress/wasi-http.js';

export interface CapabilityContext {
  /** Bounded plug-in log (host `log`, stdout and stderr). */
  log: LogSink;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** The egress channel to the supervisor; absent: every HTTP request is refused. */
  http?: HttpContext;
}

type Provider = (ctx: CapabilityContext) => Record<string, object>;

const providers: Provider[] = [
  (ctx) => summitHost(ctx.log),
  () => wasiIo(),
  () => wasiClocks(),
  () => wasiRandom(),
  (ctx) => wasiCli({ stdout: ctx.stdout, stderr: ctx.stderr }),
  () => wasiFilesystem(),
  (ctx) => wasiHttp(ctx.http ?? { bridge: null, requestBodyBytes: 0 }),
];

const noopCtx: CapabilityContext = { log: () => {}, stdout: () => {}, stderr: () => {} };

/** Interface names (without version) a widget may import. */
export const ALLOWED_INTERFACES: ReadonlySet<string> = new Set(
  providers.flatMap((p) => Object.keys(p(noopCtx))),
);

/** Why a well-known interface is refused, so the message can say what to do. */
const REFUSALS: [RegExp, string][] = [
  [/^wasi:sockets\//, 'widgets may not open sockets'],
  [/^wasi:cli\/(environment|exit)$/, 'widgets get no environment, arguments or exit'],
  [/^wasi:http\//, 'widgets may make outgoing requests (wasi:http/outgoing-handler) but not serve HTTP'],
  [/^wasi:filesystem\//, 'widgets get no file system'],
];

/** `wasi:io/streams@0.2.3` -> `wasi:io/streams` */
export function interfaceName(specifier: string): string {
  const at = specifier.indexOf('@');
  return at === -1 ? specifier : specifier.slice(0, at);
}

export interface DeniedImport {
  name: string;
  reason: string;
}

export function deniedImports(specifiers: readonly string[]): DeniedImport[] {
  const denied: DeniedImport[] = [];
  for (const spec of specifiers) {
    const name = interfaceName(spec);
    if (ALLOWED_INTERFACES.has(name)) continue;
    const reason = REFUSALS.find(([re]) => re.test(name))?.[1] ?? 'it is not in the widget allowlist';
    denied.push({ name: spec, reason });
  }
  return denied;
}

/** A fresh import object for one instance, with only the interfaces the component imports. */
export function buildImports(ctx: CapabilityContext, specifiers: readonly string[]): Record<string, object> {
  const all: Record<string, object> = {};
  for (const p of providers) Object.assign(all, p(ctx));
  const out: Record<string, object> = {};
  for (const spec of specifiers) {
    const name = interfaceName(spec);
    const impl = all[name];
    if (impl) out[name] = impl;
  }
  return out;
}
