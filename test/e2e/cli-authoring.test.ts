// The authoring verbs through the real binary: help, bad flags and the errors an author sees.
// Nothing here componentizes (failures are caught before that, or come from bundling).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/summit-plugin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sph-cli-authoring-'));
const env = { ...process.env, SUMMIT_CACHE_DIR: join(dir, 'cache'), SUMMIT_LOG_LEVEL: 'silent' };

function cli(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, any>;

function project(name: string, manifest: object, widget = 'export function render(i: string): string { return i; }\n'): string {
  const p = join(dir, name);
  mkdirSync(join(p, 'src'), { recursive: true });
  writeFileSync(join(p, 'summit-plugin.json'), JSON.stringify(manifest));
  writeFileSync(join(p, 'src/widget.ts'), widget);
  return p;
}
const manifest = { id: 'acme/w', version: '1.0.0', world: 'summit:widget/widget@0.1.0', samples: [{ name: 'default', input: { props: {} } }] };

describe('help', () => {
  it('lists every authoring verb', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const verb of ['init <dir>', 'build [dir]', 'dev [dir]', 'check <dir|wasm>', 'run <component.wasm>']) expect(r.stdout).toContain(verb);
  });

  it.each(['init', 'build', 'dev', 'check'])('%s --help', async (verb) => {
    const r = await cli([verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: summit-plugin ${verb}`);
    expect(r.stdout).toContain('Exit status:');
  });
});

describe('bad usage exits 2 with a message that says what to do', () => {
  it.each([
    [['init'], 'init needs a directory'],
    [['init', 'a', 'b'], 'init takes one directory'],
    [['build', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['build', 'a', 'b'], 'build takes one project directory'],
    [['check'], 'check needs a project directory or a component file'],
    [['dev', '--port', 'eighty'], '--port expects a non-negative whole number up to 65535, got "eighty"'],
    [['dev', '--port', '70000'], 'up to 65535'],
    [['dev', '--bogus'], "Unknown option '--bogus'"],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Run "summit-plugin --help" for usage.');
  });

  it('--json still prints one JSON object with the code', async () => {
    const r = await cli(['build', '--nope', '--json']);
    expect(r.code).toBe(2);
    expect(lastJson(r.stdout)).toEqual({ ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: expect.stringContaining('--nope') } });
  });

  it('a directory that is not a project points at init', async () => {
    const r = await cli(['build', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has no summit-plugin.json: run "summit-plugin init');
    expect((await cli(['dev', dir])).stderr).toContain('has no summit-plugin.json');
  });

  it('init refuses a directory that is not empty, and a bad --id', async () => {
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'x');
    const r = await cli(['init', full]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty (keep.txt)');
    const bad = await cli(['init', join(dir, 'fresh'), '--id', 'NoSlash']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('/id: expected publisher/name');
  });

  it('dev refuses an unknown sample and a port in use', async () => {
    const p = project('dev-usage', manifest);
    const unknown = await cli(['dev', p, '--sample', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no sample named "nope" in summit-plugin.json (have: default)');
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const busy = await cli(['dev', p, '--port', String((server.address() as AddressInfo).port)]);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/port \d+ is in use: pass --port <n> \(or --port 0 for any free port\)/);
    } finally {
      server.close();
    }
  });
});

describe('build failures exit 1 and point at the author\'s file', () => {
  it('an invalid manifest lists every problem', async () => {
    const p = project('bad-manifest', { ...manifest, version: 'one', limits: { cpuMs: 9000 }, colour: 'red' });
    const r = await cli(['build', p, '--json', '--quiet']);
    expect(r.code).toBe(1);
    const out = lastJson(r.stdout);
    expect(out.error.code).toBe('SPH_ERR_INVALID_MANIFEST');
    expect(out.error.message).toContain('(3 problems)');
    for (const p of ['/version: expected a semantic version', '/limits/cpuMs: 9000 is over the cap of 500', '/colour: unknown field']) expect(out.error.message).toContain(p);
  });

  it('a syntax error names the file, line and column', async () => {
    const p = project('syntax', manifest, 'export function render(i: string): string {\n  return i +;\n}\n');
    const human = await cli(['build', p]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('error SPH_ERR_BUILD_FAILED: build failed:\nsrc/widget.ts:2:13: Unexpected ";"\n  2 |   return i +;\n    |             ^');
    const json = lastJson((await cli(['build', p, '--json'])).stdout);
    expect(json.error).toMatchObject({ code: 'SPH_ERR_BUILD_FAILED', problems: [{ location: { file: 'src/widget.ts', line: 2, column: 13 } }] });
  });

  it('an entry that does not exist', async () => {
    const p = project('no-entry', { ...manifest, build: { entry: 'src/main.ts' } });
    const r = await cli(['build', p]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('src/main.ts');
  });
});

