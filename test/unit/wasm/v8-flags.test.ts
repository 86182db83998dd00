import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { watToWasm } from '../../support/build.js';
import { corpus } from './corpus.js';
import { buf, instrument } from './meter-helpers.js';

// Node 20 runs extended-const and relaxed SIMD only behind V8 flags, so the differential
// check for those runs in a child process started with the flags. Newer V8s ship both
// proposals and no longer know the flags (Node 26 refuses to start with them): pass only the
// flags this Node accepts.

const FLAGS = ['--experimental-wasm-extended-const', '--experimental-wasm-relaxed-simd'].filter(
  (flag) => spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' }).status === 0,
);

const CHILD = `
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const meter = {
  fuel: new WebAssembly.Global({ value: 'i64', mutable: true }, 10n ** 15n),
  memory_pages_left: new WebAssembly.Global({ value: 'i32', mutable: true }, 65536),
  table_elements_left: new WebAssembly.Global({ value: 'i32', mutable: true }, 1000000),
  limit_hit: new WebAssembly.Global({ value: 'i32', mutable: true }, 0),
};
const run = (b64, extra) => {
  const bytes = Buffer.from(b64, 'base64');
  if (!WebAssembly.validate(bytes)) return 'invalid';
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { ...input.imports, ...extra });
  return input.runs.map(([name, args]) => { try { return String(exports[name](...args)); } catch (e) { return 'error: ' + e.message; } });
};
const original = run(input.original, {});
const metered = run(input.instrumented, { 'summit:meter': meter });
process.stdout.write(JSON.stringify({ original, metered, fuel: String(meter.fuel.value) }));
`;

describe('proposals behind V8 flags on Node 20', () => {
  const entries = corpus.filter((c) => c.name.startsWith('extended constant') || c.name.startsWith('relaxed SIMD'));
  for (const entry of entries) {
    it(entry.name, async () => {
      const original = await watToWasm(entry.wat);
      const imports = entry.imports?.() ?? {};
      const payload = JSON.stringify({
        original: Buffer.from(original).toString('base64'),
        instrumented: Buffer.from(instrument(original)).toString('base64'),
        imports,
        runs: entry.runs,
      });
      const child = spawnSync(process.execPath, [...FLAGS, '-e', CHILD], { input: payload, encoding: 'utf8' });
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout) as { original: string[] | 'invalid'; metered: string[] | 'invalid'; fuel: string };
      if (result.original === 'invalid') {
        // This V8 does not know the proposal even with the flag: nothing to compare.
        expect(WebAssembly.validate(buf(original))).toBe(false);
        return;
      }
      expect(result.metered).toEqual(result.original);
      expect(BigInt(result.fuel)).toBeLessThan(10n ** 15n);
    });
  }
});
