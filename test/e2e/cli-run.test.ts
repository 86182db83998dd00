// Drives the real `summit-plugin` binary (built into dist/ by `npm test`'s build step).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureComponent } from '../support/fixtures.js';

const bin = fileURLToPath(new URL('../../bin/summit-plugin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sph-cli-'));
const env = { ...process.env, SUMMIT_CACHE_DIR: join(dir, 'cache') };

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;

const files: Record<string, string> = {};
beforeAll(async () => {
  for (const name of ['good', 'echo', 'infinite-loop', 'trap', 'err-result']) {
    files[name] = join(dir, `${name}.wasm`);
    writeFileSync(files[name], await fixtureComponent(name));
  }
  files.garbage = join(dir, 'garbage.wasm');
  writeFileSync(files.garbage, 'not wasm at all');
});

describe('summit-plugin run', () => {
  it('renders and prints the JSON contract as the last stdout line', async () => {
    const r = await cli(['run', files.good!, '--json']);
    expect(r.code).toBe(0);
    const out = lastJson(r.stdout);
    expect(out).toEqual({ ok: true, output: '<p class="ok">hello</p>', usage: expect.any(Object) });
    expect(Object.keys(out.usage).sort()).toEqual(['cpuMs', 'fuel', 'memoryBytes', 'wallMs']);
    for (const v of Object.values(out.usage)) expect(typeof v).toBe('number');
  });

  it('passes --input to render', async () => {
    const input = '{"props":{"a":1}}';
    const r = await cli(['run', files.echo!, '--input', input, '--json']);
    expect(lastJson(r.stdout).output).toBe(input);
  });

  it('defaults --input to {"props":{}}', async () => {
    const r = await cli(['run', files.echo!, '--json']);
    expect(lastJson(r.stdout).output).toBe('{"props":{}}');
  });

  it('prints HTML and usage for people', async () => {
    const r = await cli(['run', files.good!]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('<p class="ok">hello</p>');
    expect(r.stderr).toMatch(/\[plugin info\] rendering/);
    expect(r.stderr).toMatch(/usage: fuel \d+/);
  });

  it.each([
    ['infinite-loop', 'SPH_ERR_FUEL_EXHAUSTED'],
    ['trap', 'SPH_ERR_PLUGIN_TRAP'],
    ['err-result', 'SPH_ERR_PLUGIN_ERROR'],
    ['garbage', 'SPH_ERR_INVALID_COMPONENT'],
  ])('%s exits 1 with %s and no stack trace', async (name, code) => {
    const r = await cli(['run', files[name]!, '--json']);
    expect(r.code).toBe(1);
    const out = lastJson(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe(code);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    if (name !== 'garbage') expect(out.usage).toEqual(expect.objectContaining({ cpuMs: expect.any(Number) }));
  });

  it('lowers caps from flags', async () => {
    const r = await cli(['run', files['infinite-loop']!, '--cpu-ms', '50', '--json']);
    const out = lastJson(r.stdout);
    expect(out.error.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(out.usage.cpuMs).toBeLessThan(200);
  });

  it.each([
    [['run'], /needs a component file/],
    [['run', '/nonexistent.wasm'], /cannot read component file/],
    [['run', 'x.wasm', '--bogus'], /Unknown option '--bogus'/],
    [['run', 'x.wasm', '--cpu-ms', 'fast'], /--cpu-ms expects a positive whole number/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('bad usage %j exits 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('rejects --input that is not JSON with exit 2', async () => {
    const r = await cli(['run', files.good!, '--input', '{nope', '--json']);
    expect(r.code).toBe(2);
    expect(lastJson(r.stdout).error.code).toBe('SPH_ERR_INVALID_ARG');
  });

  it('has --help', async () => {
    const r = await cli(['run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: summit-plugin run <component.wasm>/);
    const top = await cli(['--help']);
    expect(top.stdout).toMatch(/Commands:/);
  });

  it('reads limits and id from a manifest beside the component', async () => {
    const mdir = mkdtempSync(join(tmpdir(), 'sph-manifest-'));
    writeFileSync(join(mdir, 'w.wasm'), await fixtureComponent('infinite-loop'));
    writeFileSync(
      join(mdir, 'summit-plugin.json'),
      JSON.stringify({ id: 'acme/spin', version: '1.0.0', world: 'summit:widget/widget@0.1.0', limits: { cpuMs: 40 } }),
    );
    const r = await cli(['run', join(mdir, 'w.wasm'), '--json']);
    const out = lastJson(r.stdout);
    expect(out.error.code).toBe('SPH_ERR_FUEL_EXHAUSTED');
    expect(out.usage.cpuMs).toBeLessThan(200);
    writeFileSync(join(mdir, 'summit-plugin.json'), JSON.stringify({ id: 'Bad Id', version: '1.0.0', world: 'summit:widget/widget@0.1.0' }));
    const bad = await cli(['run', join(mdir, 'w.wasm'), '--json']);
    expect(bad.code).toBe(1);
    expect(lastJson(bad.stdout).error.code).toBe('SPH_ERR_INVALID_MANIFEST');
  });
});
