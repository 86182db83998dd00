// In-process jco, without the host: transpile once, compile once, then fresh instances. With
// `instrument` the same core modules our loader would produce (fuel + caps) and the meter
// globals set to an effectively unlimited budget. This is the baseline of the comparisons.
import { transpileComponent } from '../../dist/component/transpile.js';
import { instrumentModule, METER_MODULE, WIDGET_METERING } from '../../dist/wasm/index.js';
import { buildImports } from '../../dist/sandbox/capabilities/index.js';

export interface RawComponent {
  instance(): Promise<{ render(input: string): string; fuelLeft(): bigint }>;
}

const UNLIMITED = 1n << 62n;

export async function rawComponent(bytes: Uint8Array, { instrument }: { instrument: boolean }): Promise<RawComponent> {
  const t = await transpileComponent(bytes);
  const modules = new Map<string, WebAssembly.Module>();
  for (const [name, core] of t.coreModules) {
    const out = instrument ? instrumentModule(core, { fuel: true, memoryMaxPages: 4096, tableMaxElements: 1 << 20, ...WIDGET_METERING }).bytes : core;
    modules.set(name, await WebAssembly.compile(out as Uint8Array<ArrayBuffer>));
  }
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(t.js).toString('base64')}`)) as {
    instantiate: (g: (n: string) => WebAssembly.Module, i: object, c?: unknown) => Promise<{ render(s: string): string }>;
  };
  const imports = buildImports({ log: () => {}, stdout: () => {}, stderr: () => {} }, t.imports);
  return {
    async instance() {
      const g = (value: 'i32' | 'i64', v: number | bigint) => new WebAssembly.Global({ value, mutable: true } as WebAssembly.GlobalDescriptor, v as never);
      const meter = { fuel: g('i64', UNLIMITED), memory_pages_left: g('i32', 4096), table_elements_left: g('i32', 1 << 20), limit_hit: g('i32', 0) };
      const core = instrument
        ? (m: WebAssembly.Module, i: WebAssembly.Imports = {}) => new WebAssembly.Instance(m, { ...i, [METER_MODULE]: meter })
        : undefined; // jco's default (WebAssembly.instantiate)
      const inst = await mod.instantiate((n) => modules.get(n)!, imports, core);
      return { render: (s: string) => inst.render(s), fuelLeft: () => meter.fuel.value as bigint };
    },
  };
}
