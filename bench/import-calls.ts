// Part of (f): what jco's bindings cost, as generated and as the host rewrites them
// (src/component/sync-fast-path.ts). One host import call: a guest calls monotonic-clock.now in a
// loop and times itself (a componentize-js fetch makes about 70 import calls). One instantiation
// (every render instantiates afresh): the JSPI probe that throws on Node 20, and the one that
// does not. Both variants run the same core modules in this process, alternated round by round.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { applySyncFastPath, skipPromisingProbe } from '../dist/component/sync-fast-path.js';
import { buildImports } from '../dist/sandbox/capabilities/index.js';
import { watToComponent } from '../test/support/build.js';
import { fixtureWat } from '../test/support/fixtures.js';
import { fmt, quantile, table } from './support/stats.js';

const here = fileURLToPath(new URL('.', import.meta.url));

type Render = { render(input: string): string };
type Bindings = { instantiate: (g: (n: string) => WebAssembly.Module, i: object, c: (m: WebAssembly.Module, i?: WebAssembly.Imports) => WebAssembly.Instance) => Promise<Render> };

export async function importCallBench(rounds = 30, calls = 2000) {
  const wat = await fixtureWat(join(here, 'workloads/import-calls.wat'), { COUNT: calls });
  const bytes = await watToComponent(wat, { witSource: readFileSync(join(here, 'workloads/fetch-timer.wit'), 'utf8'), world: 'fetch-timer' });
  const out = (await transpileBytes(bytes, { name: 'component', instantiation: 'async', noComponentErrorWrapping: false })) as { files: Record<string, Uint8Array>; imports: string[] };
  const generated = new TextDecoder().decode(out.files['component.js']);
  const fast = applySyncFastPath(generated);
  if (!fast.applied) throw new Error(`the fast path did not apply: ${fast.reason}`);
  const modules = new Map<string, WebAssembly.Module>();
  for (const [name, core] of Object.entries(out.files)) if (name.endsWith('.wasm')) modules.set(name, new WebAssembly.Module(core as Uint8Array<ArrayBuffer>));
  const imports = buildImports({ log: () => {}, stdout: () => {}, stderr: () => {} }, out.imports);
  const load = async (js: string) => ((await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as Bindings).instantiate((n) => modules.get(n)!, imports, (m, i) => new WebAssembly.Instance(m, i));
  const variants = [
    { name: "jco's bindings as generated", instance: await load(generated), ns: [] as number[] },
    { name: 'with the synchronous fast path (what the host runs)', instance: await load(fast.js), ns: [] as number[] },
  ];
  for (let i = 0; i < rounds + 5; i++) {
    for (const v of variants) {
      const ns = Number(v.instance.render('{}'));
      if (i >= 5) v.ns.push(ns);
    }
  }
  const base = quantile(variants[0]!.ns, 0.5);
  table(
    `(f) one host import call through the bindings (ns; ${calls} monotonic-clock.now calls per round, ${rounds} rounds)`,
    ['bindings', 'p50', 'p99', 'p50 vs generated'],
    variants.map((v) => [v.name, fmt(quantile(v.ns, 0.5), 0), fmt(quantile(v.ns, 0.99), 0), `${fmt(quantile(v.ns, 0.5) / base, 3)}x`]),
  );
}

/** One instantiation of a component's bindings (the widget's core modules compiled once). */
export async function instantiateBench(bytes: Uint8Array, label: string, rounds = 15) {
  const out = (await transpileBytes(bytes, { name: 'component', instantiation: 'async', noComponentErrorWrapping: false })) as { files: Record<string, Uint8Array>; imports: string[] };
  const fast = applySyncFastPath(new TextDecoder().decode(out.files['component.js'])).js;
  const modules = new Map<string, WebAssembly.Module>();
  for (const [name, core] of Object.entries(out.files)) if (name.endsWith('.wasm')) modules.set(name, await WebAssembly.compile(core as Uint8Array<ArrayBuffer>));
  const imports = buildImports({ log: () => {}, stdout: () => {}, stderr: () => {} }, out.imports);
  const variants = await Promise.all(
    [
      { name: 'JSPI probe as generated (throws a TypeError on Node 20)', js: fast },
      { name: 'JSPI probe without the TypeError (what the host runs)', js: skipPromisingProbe(fast) },
    ].map(async (v) => ({ ...v, mod: (await import(`data:text/javascript;base64,${Buffer.from(v.js).toString('base64')}`)) as Bindings, ms: [] as number[] })),
  );
  for (let i = 0; i < rounds + 3; i++) {
    for (const v of variants) {
      const s = performance.now();
      await v.mod.instantiate((n) => modules.get(n)!, imports, (m, imp) => new WebAssembly.Instance(m, imp));
      if (i >= 3) v.ms.push(performance.now() - s);
    }
  }
  const base = quantile(variants[0]!.ms, 0.5);
  table(
    `(f) one instantiation of the bindings, ${label} (ms, ${rounds} rounds, node ${process.version})`,
    ['bindings', 'p50', 'p99', 'p50 vs generated'],
    variants.map((v) => [v.name, fmt(quantile(v.ms, 0.5), 2), fmt(quantile(v.ms, 0.99), 2), `${fmt(quantile(v.ms, 0.5) / base, 3)}x`]),
  );
}
