// The synchronous fast path must change how fast host imports are called, never what they do:
// the same component, run with jco's bindings and with the rewritten ones, gives the same
// output, the same errors and the same traps. Anything it does not recognise is left alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { describe, expect, it } from 'vitest';
import { applySyncFastPath, rewriteBindings, skipPromisingProbe } from '../../../src/component/sync-fast-path.js';
import { buildImports } from '../../../src/sandbox/capabilities/index.js';
import { buildWidget } from '../../../src/build/build-widget.js';
import { cacheRoot, watToComponent } from '../../support/build.js';
import { fixtureComponent, fixtureWat } from '../../support/fixtures.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

interface Jco {
  js: string;
  cores: Map<string, Uint8Array>;
  imports: string[];
}

/** What the host runs (transpile.ts). */
const hostBindings = (js: string) => rewriteBindings(js).js;

async function jco(bytes: Uint8Array): Promise<Jco> {
  const out = (await transpileBytes(bytes, { name: 'component', instantiation: 'async', noComponentErrorWrapping: false })) as { files: Record<string, Uint8Array>; imports: string[] };
  const cores = new Map(Object.entries(out.files).filter(([f]) => f.endsWith('.wasm')));
  return { js: new TextDecoder().decode(out.files['component.js']), cores, imports: out.imports };
}

type Render = (input: string) => string;

/** Instantiates bindings in this process with the sandbox's capabilities (no egress bridge). */
async function instantiate(js: string, c: Jco, overrides: Record<string, object> = {}): Promise<{ render: Render; log: string[] }> {
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as {
    instantiate: (get: (n: string) => WebAssembly.Module, imports: object, core: (m: WebAssembly.Module, i?: WebAssembly.Imports) => WebAssembly.Instance) => Promise<{ render: Render }>;
  };
  const log: string[] = [];
  const imports = { ...buildImports({ log: (level, message) => log.push(`${level}:${message}`), stdout: () => {}, stderr: () => {} }, c.imports), ...overrides };
  const instance = await mod.instantiate((n) => new WebAssembly.Module(c.cores.get(n)! as Uint8Array<ArrayBuffer>), imports, (m, i) => new WebAssembly.Instance(m, i));
  return { render: (input) => instance.render(input), log };
}

function outcome(f: () => string): { ok: string } | { threw: string; name: string } {
  try {
    return { ok: f() };
  } catch (err) {
    return { threw: String((err as Error).message), name: (err as Error).constructor.name };
  }
}

async function httpProbe(host: string): Promise<Uint8Array> {
  const wat = await fixtureWat('http-probe', { AUTHORITY: 'svc.example:80', AUTH_LEN: 14, HOST: host, HOST_LEN: host.replace(/\\[0-9a-f]{2}/g, '.').length, SCHEME: 0, WITH_HOST: 1 });
  return watToComponent(wat, { witSource: readFileSync(join(root, 'test/fixtures/wat/http-probe.wit'), 'utf8'), world: 'http-probe' });
}

describe('synchronous fast path for jco bindings', () => {
  it('applies to plain components and rewrites every host import', async () => {
    for (const bytes of [await fixtureComponent('good'), await httpProbe('svc.example:80')]) {
      const c = await jco(bytes);
      const fast = applySyncFastPath(c.js);
      expect(fast.reason).toBeUndefined();
      expect(fast.applied).toBe(true);
      expect(c.js).toContain('const hostProvided = true;');
      expect(fast.js).not.toContain('const hostProvided = true;');
      expect(fast.js).not.toContain('task.setParentSubtask(subtask)');
    }
  });

  it('applies to a componentize-js widget that fetches (where most import calls are)', async () => {
    const bytes = (await buildWidget({ entry: join(root, 'test/fixtures/widgets/egress-widget.js'), features: ['http'], cacheDir: cacheRoot })).bytes;
    const fast = applySyncFastPath((await jco(bytes)).js);
    expect(fast.reason).toBeUndefined();
    expect(fast.js).not.toContain('const hostProvided = true;');
  });

  it('gives the same output, log and refusals as jco: resources, borrows, results and variants', async () => {
    // A valid Host header: two requests, both refused (no bridge) as HTTP-request-denied.
    // An invalid one (a newline): fields.append answers err(invalid-syntax).
    for (const host of ['svc.example:80', 'bad\\0aname']) {
      const c = await jco(await httpProbe(host));
      const slow = await instantiate(c.js, c);
      const fast = await instantiate(hostBindings(c.js), c);
      const a = outcome(() => slow.render('{}'));
      const b = outcome(() => fast.render('{}'));
      expect(b).toEqual(a);
      expect('ok' in a && a.ok).toMatch(/^(E:15|A:0);E:15$/);
      // The same instance again: handles were released and reused the same way.
      expect(outcome(() => fast.render('{}'))).toEqual(outcome(() => slow.render('{}')));
    }
    const c = await jco(await fixtureComponent('good'));
    const slow = await instantiate(c.js, c);
    const fast = await instantiate(hostBindings(c.js), c);
    expect(fast.render('{}')).toBe(slow.render('{}'));
    expect(fast.log).toEqual(slow.log);
    expect(fast.log).toEqual(['info:rendering']);
  });

  it('a host import that throws still traps the call, with the same error', async () => {
    const c = await jco(await fixtureComponent('good'));
    const throwing = {
      'summit:widget/host': {
        log() {
          throw new Error('host exploded');
        },
      },
    };
    const slowInstance = await instantiate(c.js, c, throwing);
    const fastInstance = await instantiate(hostBindings(c.js), c, throwing);
    const slow = outcome(() => slowInstance.render('{}'));
    const fast = outcome(() => fastInstance.render('{}'));
    expect(slow).toMatchObject({ threw: 'host exploded' });
    expect(fast).toEqual(slow);
  });

  it('probes for JSPI without throwing a TypeError, and still finds it where it exists', async () => {
    const { js } = await jco(await fixtureComponent('good'));
    expect(js).toContain('WebAssembly.promising(');
    const out = skipPromisingProbe(js);
    expect(out).not.toContain('WebAssembly.promising(');
    expect(out.match(/_sphPromising\(/g)?.length).toBe(js.match(/WebAssembly\.promising\(/g)?.length);
    expect(out).toContain("const _sphPromising = typeof WebAssembly.promising === 'function' ? WebAssembly.promising : (f) => { throw f; };");
    expect(skipPromisingProbe('export const x = 1;')).toBe('export const x = 1;');
  });

  it('leaves anything it does not recognise exactly as generated, and says why', async () => {
    const { js } = await jco(await httpProbe('svc.example:80'));
    const variants: [string, string, RegExp][] = [
      ['an async import', js.replace(/(_lowerImportBackwardsCompat\.bind\(\n *null,\n *\{\n[^]*?)isAsync: false,/, '$1isAsync: true,'), /async/],
      ['a prologue it does not know', js.replace("errHandling: 'none',", "errHandling: 'none', extra: 1,"), /prologue/],
      ['a canonical built-in wired into a core instance', js.replace(/Object\.assign\(trampoline\d+, \{ _jcoMaySuspend: false \}\)/, 'Object.assign(_taskReturn, { _jcoMaySuspend: false })'), /not a plain host import/],
      ['a different runtime', js.replace('function _lowerImportBackwardsCompat(args) {', 'function _lowerImportBackwardsCompat(args, more) {'), /_lowerImportBackwardsCompat/],
      ['no bindings at all', 'export const x = 1;', /_debugLog/],
    ];
    for (const [what, text, why] of variants) {
      expect(text, what).not.toBe(js);
      const r = applySyncFastPath(text);
      expect(r.applied, what).toBe(false);
      expect(r.js, what).toBe(text);
      expect(r.reason, what).toMatch(why);
    }
  });
});
