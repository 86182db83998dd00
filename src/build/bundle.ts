// Step 1 of a widget build: esbuild bundles the author's TypeScript/JavaScript into one ES
// module for componentize-js, with a source map so that every later error (engine
// initialization, exceptions in render) can point at the author's file and line.
// The bundle is incremental (an esbuild context), so `dev` rebuilds in milliseconds.
import { relative, resolve } from 'node:path';
import type { BuildContext, BuildFailure, Message } from 'esbuild';
import { BuildFailedError } from '../errors.js';
import { TOOLCHAIN_HINT } from './componentizer.js';

/** The file name the engine sees (stack traces say `widget.bundle.js:LINE:COL`). */
export const BUNDLE_NAME = 'widget.bundle.js';
const WRAPPER_NAME = 'summit-entry.js';

export interface SourceLocation {
  file: string;
  line: number;
  /** 1-based. */
  column: number;
  lineText?: string;
}

export interface BuildProblem {
  message: string;
  location?: SourceLocation;
}

export interface Bundle {
  js: string;
  /** Source map (JSON text) of `js`. */
  map: string;
  /** Absolute paths of every source file that went into the bundle. */
  inputs: string[];
  warnings: BuildProblem[];
  bundleMs: number;
}

export interface BundlerOptions {
  projectDir: string;
  /** Entry module, absolute or relative to projectDir. */
  entry: string;
  /**
   * Wrap the entry's render() (default true): a thrown exception becomes `err(message with
   * stack)` instead of an engine abort, and a non-string result a clear error. Test fixtures
   * that exercise the raw engine turn this off.
   */
  wrap?: boolean;
}

/** Versioned because it is part of every component: bump when the wrapper changes. */
export const WRAPPER_VERSION = 2;

function wrapperSource(entry: string): string {
  return `import * as widget from ${JSON.stringify(entry)};
const userRender = widget.render;
if (typeof userRender !== 'function') {
  throw new TypeError(${JSON.stringify(`${entry} must export a function render(input: string): string`)});
}
function describe(e) {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.stack ? e.name + ': ' + e.message + '\\n' + e.stack.trimEnd() : e.name + ': ' + e.message;
  try { return 'render threw ' + JSON.stringify(e); } catch { return 'render threw ' + String(e); }
}
function html(out) {
  if (typeof out !== 'string') throw 'render() must return a string of HTML, got ' + (out === null ? 'null' : typeof out);
  return out;
}
export function render(input) {
  let out;
  try {
    out = userRender(input);
  } catch (e) {
    throw describe(e);
  }
  // An async render (a widget that fetches): componentize-js runs the event loop until the
  // promise settles, so the same checks apply to what it resolves to.
  if (out !== null && typeof out === 'object' && typeof out.then === 'function') {
    return out.then(html, (e) => {
      throw describe(e);
    });
  }
  return html(out);
}
`;
}

export function formatLocation(l: SourceLocation): string {
  return `${l.file}:${l.line}:${l.column}`;
}

/** `file:line:col: message`, with the source line and a caret, as compilers print it. */
export function formatProblem(p: BuildProblem): string {
  if (!p.location) return p.message;
  const l = p.location;
  let out = `${formatLocation(l)}: ${p.message}`;
  if (l.lineText !== undefined) {
    const gutter = String(l.line).length;
    out += `\n  ${l.line} | ${l.lineText}\n  ${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, l.column - 1))}^`;
  }
  return out;
}

function toProblem(m: Message, entryRel: string): BuildProblem {
  const loc = m.location;
  if (loc && loc.file === WRAPPER_NAME) {
    // The wrapper's import of render failed: say it about the author's entry.
    return { message: `${entryRel} must export a function render(input: string): string (${m.text})`, location: { file: entryRel, line: 1, column: 1 } };
  }
  if (!loc) return { message: m.text };
  return { message: m.text, location: { file: loc.file, line: loc.line, column: loc.column + 1, lineText: loc.lineText } };
}

export class Bundler {
  readonly projectDir: string;
  readonly entry: string;
  readonly #wrap: boolean;
  #ctx: Promise<BuildContext> | undefined;

  constructor(opts: BundlerOptions) {
    this.projectDir = resolve(opts.projectDir);
    this.entry = resolve(this.projectDir, opts.entry);
    this.#wrap = opts.wrap ?? true;
  }

  get entryRelative(): string {
    return relative(this.projectDir, this.entry).split('\\').join('/');
  }

  async #context(): Promise<BuildContext> {
    this.#ctx ??= (async () => {
      let esbuild: typeof import('esbuild');
      try {
        esbuild = await import('esbuild');
      } catch {
        throw new BuildFailedError(TOOLCHAIN_HINT.replace('componentize-js is', 'esbuild is'), { phase: 'bundle' });
      }
      const rel = `./${this.entryRelative}`;
      return esbuild.context({
        ...(this.#wrap
          ? { stdin: { contents: wrapperSource(rel), resolveDir: this.projectDir, sourcefile: WRAPPER_NAME, loader: 'js' as const } }
          : { entryPoints: [this.entry] }),
        absWorkingDir: this.projectDir,
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        mainFields: ['module', 'main'],
        target: 'es2022',
        write: false,
        outfile: resolve(this.projectDir, BUNDLE_NAME),
        sourcemap: 'external',
        sourcesContent: false,
        metafile: true,
        external: ['summit:*', 'wasi:*'],
        logLevel: 'silent',
      });
    })();
    return this.#ctx;
  }

  async bundle(): Promise<Bundle> {
    const ctx = await this.#context();
    const t0 = performance.now();
    let result;
    try {
      result = await ctx.rebuild();
    } catch (err) {
      const failure = err as BuildFailure;
      const problems = (failure.errors ?? []).map((m) => toProblem(m, this.entryRelative));
      if (problems.length === 0) problems.push({ message: (err as Error).message });
      const shown = problems.slice(0, 5).map(formatProblem).join('\n');
      const more = problems.length > 5 ? `\n(${problems.length - 5} more)` : '';
      throw new BuildFailedError(`build failed:\n${shown}${more}`, { phase: 'bundle', problems });
    }
    const files = result.outputFiles ?? [];
    const js = files.find((f) => f.path.endsWith('.js'))?.text ?? '';
    const map = files.find((f) => f.path.endsWith('.map'))?.text ?? '{}';
    const inputs = Object.keys(result.metafile?.inputs ?? {})
      .filter((f) => f !== WRAPPER_NAME && !f.startsWith('<'))
      .map((f) => resolve(this.projectDir, f));
    return {
      js,
      map,
      inputs,
      warnings: result.warnings.map((m) => toProblem(m, this.entryRelative)),
      bundleMs: performance.now() - t0,
    };
  }

  async dispose(): Promise<void> {
    const ctx = this.#ctx;
    this.#ctx = undefined;
    if (ctx) await (await ctx.catch(() => undefined))?.dispose();
  }
}
