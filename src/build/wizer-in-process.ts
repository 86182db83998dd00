// Wizer, in process. componentize-js runs the native `wizer` binary once per build: it
// compiles the 10.5 MB engine with Cranelift every time (~1 s), runs the engine's init
// function under WASI preview1 and writes the initialized module. Here the same happens in
// V8 inside the componentize thread, with one compiled WebAssembly.Module of the spliced
// engine kept across builds (the engine is the same for every build of a project), so a
// rebuild only instantiates it and runs the init. The module rewrite reproduces Wizer 10
// (src/wasm/wizer-rewrite.ts); the hook intercepts componentize-js's `spawnSync(wizer, ...)`
// and answers with a spawnSync-shaped result. Anything it does not reproduce exactly (a
// flag it does not know, a module feature, an init that fails or exits) goes to the real
// binary, so builds never break and errors read as they always did. SUMMIT_WIZER=process
// turns it off.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { WASI as WasiClass } from 'node:wasi';
import { globalExportName, memoryExportName, planWizer, rewriteWizened, snapshotProblem, type GlobalValue, type WizerPlan } from '../wasm/wizer-rewrite.js';
import { snapshotSegments } from '../wasm/wizer-segments.js';

/** What a Wizer command line asks for, when it is one this implementation handles. */
export interface WizerInvocation {
  initFunc: string;
  /** Guest path -> host path, in Wizer's order (--dir entries, then --mapdir entries). */
  preopens: [string, string][];
  inheritEnv: boolean;
  inheritStdio: boolean;
  output: string;
  input: string;
}

/** Parses Wizer's arguments; a string says why this invocation is left to the binary. */
export function parseWizerArgs(args: readonly string[]): WizerInvocation | string {
  let initFunc = 'wizer.initialize';
  let allowWasi = false;
  let inheritEnv = false;
  let inheritStdio = true;
  let output: string | undefined;
  let input: string | undefined;
  const dirs: [string, string][] = [];
  const mapDirs: [string, string][] = [];
  const bool = (v: string): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('-') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--allow-wasi':
        allowWasi = true;
        break;
      case '-f':
      case '--init-func': {
        const v = value();
        if (v === undefined) return 'no value for --init-func';
        initFunc = v;
        break;
      }
      case '--dir': {
        const v = value();
        if (v === undefined) return 'no value for --dir';
        dirs.push([v, v]);
        break;
      }
      case '--mapdir': {
        const v = value();
        const parts = v?.split('::');
        if (!parts || parts.length !== 2) return `--mapdir ${v}`;
        mapDirs.push([parts[0]!, parts[1]!]);
        break;
      }
      case '--inherit-env':
      case '--inherit-stdio':
      case '--wasm-bulk-memory': {
        const v = bool(value() ?? '');
        if (v === undefined) return `${flag} needs true or false`;
        if (flag === '--inherit-env') inheritEnv = v;
        else if (flag === '--inherit-stdio') inheritStdio = v;
        else if (!v) return '--wasm-bulk-memory=false';
        break;
      }
      case '-o': {
        const v = value();
        if (v === undefined) return 'no value for -o';
        output = v;
        break;
      }
      default:
        if (a.startsWith('-') || input !== undefined) return `the argument ${a}`;
        input = a;
    }
  }
  if (!allowWasi) return 'no --allow-wasi';
  if (!output || !input) return 'no input or no -o';
  return { initFunc, preopens: [...dirs, ...mapDirs], inheritEnv, inheritStdio, output, input };
}

interface Compiled {
  bytes: Uint8Array;
  initFunc: string;
  plan: WizerPlan | null;
  reason: string;
  module: WebAssembly.Module | null;
}

// One project at a time: one entry, compared byte for byte (cheaper than hashing 10 MB).
let memo: Compiled | undefined;

function compiled(bytes: Uint8Array, initFunc: string): Compiled {
  if (memo && memo.initFunc === initFunc && Buffer.from(memo.bytes.buffer, memo.bytes.byteOffset, memo.bytes.byteLength).equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return memo;
  memo = undefined; // let the old module go before compiling the next one
  const planned = planWizer(bytes, initFunc);
  let entry: Compiled;
  if (!planned.ok) entry = { bytes, initFunc, plan: null, reason: planned.reason, module: null };
  else {
    try {
      entry = { bytes, initFunc, plan: planned.plan, reason: '', module: new WebAssembly.Module(planned.plan.instrumented) };
    } catch (e) {
      entry = { bytes, initFunc, plan: null, reason: `V8 does not compile it: ${(e as Error).message}`, module: null };
    }
  }
  memo = entry;
  return entry;
}

let wasiCtor: typeof WasiClass | undefined;

/** node:wasi, loaded without its experimental-feature warning (it would land in a command's output). */
function loadWasi(): typeof WasiClass {
  if (wasiCtor) return wasiCtor;
  const emit = process.emitWarning;
  process.emitWarning = (() => {}) as typeof process.emitWarning;
  try {
    wasiCtor = (createRequire(import.meta.url)('node:wasi') as typeof import('node:wasi')).WASI;
  } finally {
    process.emitWarning = emit;
  }
  return wasiCtor;
}

/** Raised by a dummy import: Wizer traps on any import call that is not WASI. */
class ImportCalled extends Error {}

export interface SpawnLikeResult {
  pid: number;
  output: (string | null)[];
  stdout: string | null;
  stderr: string;
  status: number;
  signal: null;
}

export interface WizenOptions {
  env: Record<string, string | undefined>;
  /** The bytes Wizer would read on stdin. */
  stdin: string;
  /** Host descriptor for the guest's stdout, or 'capture'. */
  stdout: number | 'capture';
}

/**
 * Runs one Wizer invocation in process. Returns the result, or a string saying why the
 * invocation must go to the real binary (nothing has been written to the output then).
 */
export function wizenInProcess(inv: WizerInvocation, opts: WizenOptions): SpawnLikeResult | string {
  const bytes = new Uint8Array(readFileSync(inv.input));
  const c = compiled(bytes, inv.initFunc);
  if (!c.plan || !c.module) return c.reason;
  const plan = c.plan;
  const WASI = loadWasi();
  const tmp = mkdtempSync(join(tmpdir(), 'summit-wizer-'));
  const fds: number[] = [];
  const open = (name: string, flags: string, content?: string): number => {
    const path = join(tmp, name);
    if (content !== undefined) writeFileSync(path, content);
    const fd = openSync(path, flags);
    fds.push(fd);
    return fd;
  };
  try {
    const stdinFd = open('stdin', 'r', inv.inheritStdio ? opts.stdin : '');
    const stderrFd = open('stderr', 'w+');
    const stdoutFd = opts.stdout === 'capture' || !inv.inheritStdio ? open('stdout', 'w+') : opts.stdout;
    const env: Record<string, string> = {};
    if (inv.inheritEnv) for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = String(v);
    const wasi = new WASI({ version: 'preview1', args: [], env, preopens: Object.fromEntries(inv.preopens), stdin: stdinFd, stdout: stdoutFd, stderr: stderrFd, returnOnExit: true });
    const wasiImport = wasi.wasiImport as Record<string, unknown>;
    const imports: Record<string, Record<string, unknown>> = {};
    for (const imp of WebAssembly.Module.imports(c.module)) {
      const ns = (imports[imp.module] ??= {});
      if (imp.module === 'wasi_snapshot_preview1' && typeof wasiImport[imp.name] === 'function') {
        // Through a JS trampoline: on Node 20, the engine calling node:wasi's functions
        // directly crashed the process in about one run in four (segfaults after the
        // memory grew); through a trampoline it ran clean 20 times out of 20.
        const fn = wasiImport[imp.name] as (...a: unknown[]) => unknown;
        ns[imp.name] = (...a: unknown[]) => fn(...a);
      }
      else
        ns[imp.name] = () => {
          throw new ImportCalled(`cannot call imports within the initialization function; attempted to call \`${imp.module}\` \`${imp.name}\``);
        };
    }
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(c.module, imports as WebAssembly.Imports);
    } catch (e) {
      return `instantiation failed: ${describe(e)}`;
    }
    const ex = instance.exports;
    const memories = Array.from({ length: plan.memories }, (_, i) => ex[memoryExportName(i)] as WebAssembly.Memory);
    // WASI needs a memory to work on; Wizer's runs on memory 0 too. A stand-in instance so
    // node:wasi neither calls _initialize (done below, in Wizer's order) nor checks _start.
    if (memories[0]) wasi.initialize({ exports: { memory: memories[0] } } as unknown as WebAssembly.Instance);
    try {
      if (plan.hasInitialize) (ex._initialize as () => void)();
      (ex[inv.initFunc] as () => void)();
    } catch (e) {
      return `the init function failed (${describe(e)}); the Wizer binary reports it`;
    }
    const globals = plan.globals.map((_, i) => (ex[globalExportName(i)] as WebAssembly.Global).value as GlobalValue);
    const views = memories.map((m) => new Uint8Array(m.buffer));
    const snap = { globals, memoryPages: views.map((v) => v.length / 65536), memories: views, segments: snapshotSegments(views) };
    const problem = snapshotProblem(plan, snap);
    if (problem) return problem;
    const out = rewriteWizened(plan, snap, { initFunc: inv.initFunc, removeInitialize: plan.hasInitialize });
    writeFileSync(inv.output, out);
    const stderr = readAll(stderrFd);
    const stdout = opts.stdout === 'capture' ? readAll(stdoutFd) : null;
    return { pid: 0, output: [null, stdout, stderr], stdout, stderr, status: 0, signal: null };
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readAll(fd: number): string {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, buf, off, size - off, off);
    if (n <= 0) break;
    off += n;
  }
  return buf.subarray(0, off).toString('utf8');
}

function describe(e: unknown): string {
  if (typeof e === 'symbol') return 'it exited through proc_exit';
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The Wizer binary componentize-js runs (by file name: its package resolves it per platform). */
export function isWizerCommand(cmd: unknown): cmd is string {
  return typeof cmd === 'string' && /^wizer(\.exe)?$/.test(basename(cmd));
}

type SpawnSync = (cmd: string, args?: readonly string[], opts?: Record<string, unknown>) => unknown;

export interface InProcessWizerHook {
  /** How the last Wizer invocation ran. */
  last: { mode: 'in-process' | 'process'; reason?: string } | undefined;
}

/**
 * Wraps node:child_process's spawnSync so that Wizer invocations run in process; the rest
 * (and every invocation this cannot reproduce) goes to the original. `onFallback` hears why
 * an invocation went to the binary.
 */
export function installInProcessWizer(cp: { spawnSync: unknown }, onFallback: (reason: string) => void): InProcessWizerHook {
  const original = cp.spawnSync as SpawnSync;
  const hook: InProcessWizerHook = { last: undefined };
  cp.spawnSync = function (this: unknown, cmd: string, args?: readonly string[], opts?: Record<string, unknown>) {
    if (!isWizerCommand(cmd)) return original.call(this, cmd, args, opts);
    if (process.env.SUMMIT_WIZER === 'process') {
      hook.last = { mode: 'process', reason: 'SUMMIT_WIZER=process' };
      return original.call(this, cmd, args, opts);
    }
    const reason = tryInProcess(args ?? [], opts ?? {});
    if (typeof reason !== 'string') {
      hook.last = { mode: 'in-process' };
      return reason;
    }
    hook.last = { mode: 'process', reason };
    onFallback(reason);
    return original.call(this, cmd, args, opts);
  } as typeof cp.spawnSync;
  return hook;
}

function tryInProcess(args: readonly string[], opts: Record<string, unknown>): SpawnLikeResult | string {
  try {
    const inv = parseWizerArgs(args);
    if (typeof inv === 'string') return `unsupported Wizer arguments: ${inv}`;
    const input = opts.input;
    if (input !== undefined && typeof input !== 'string') return 'stdin input that is not a string';
    const stdio = Array.isArray(opts.stdio) ? (opts.stdio as unknown[]) : [];
    const out = stdio[1];
    const stdout = out === 'inherit' ? 1 : typeof out === 'number' ? out : typeof (out as { fd?: unknown })?.fd === 'number' ? (out as { fd: number }).fd : 'capture';
    const encoding = opts.encoding;
    if (encoding !== 'utf-8' && encoding !== 'utf8') return 'spawnSync without a utf-8 encoding';
    return wizenInProcess(inv, { env: (opts.env as Record<string, string | undefined>) ?? process.env, stdin: input ?? '', stdout });
  } catch (e) {
    return `in-process Wizer failed: ${describe(e)}`;
  }
}

/** Drops the compiled engine (tests). */
export function resetInProcessWizer(): void {
  memo = undefined;
}
