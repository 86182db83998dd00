import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { hostDependency, initProject, projectName } from '../../../src/authoring/init.js';
import { parseManifest } from '../../../src/manifest/manifest.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'schema/summit-plugin.schema.json'), 'utf8'));

describe('initProject', () => {
  it('writes a complete project whose manifest passes the parser and the schema', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sph-init-')), 'Sales Dashboard!');
    const r = await initProject(dir, { id: 'acme/sales-dashboard' });
    expect(r.name).toBe('sales-dashboard');
    expect(readdirSync(dir).sort()).toEqual(['.gitignore', 'README.md', 'package.json', 'src', 'summit-plugin.json', 'test', 'tsconfig.json']);
    const manifest = JSON.parse(readFileSync(join(dir, 'summit-plugin.json'), 'utf8'));
    expect(parseManifest(manifest).component).toBe('dist/sales-dashboard.wasm');
    expect(new Ajv2020({ allErrors: true }).validate(schema, manifest)).toBe(true);
    expect(manifest.$schema).toBe('./node_modules/summit-plugin-host/schema/summit-plugin.schema.json');
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.devDependencies).toEqual({
      'summit-plugin-host': `file:${root.replace(/\/$/, '')}`,
      '@bytecodealliance/componentize-js': own.devDependencies['@bytecodealliance/componentize-js'],
      esbuild: own.devDependencies.esbuild,
      typescript: own.devDependencies.typescript,
    });
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'dev', 'check', 'typecheck', 'test']);
    expect(readFileSync(join(dir, 'src/summit-widget.d.ts'), 'utf8')).toBe(readFileSync(join(root, 'types/summit-widget.d.ts'), 'utf8'));
  });

  it('refuses a directory with anything in it, and ids that do not validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-init-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(initProject(dir)).rejects.toMatchObject({ code: 'SPH_ERR_INVALID_ARG', message: expect.stringContaining('is not empty (notes.txt)') });
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    await expect(initProject(join(dir, 'x'), { id: 'Not An Id' })).rejects.toMatchObject({ code: 'SPH_ERR_INVALID_MANIFEST', message: expect.stringContaining('/id') });
    await expect(initProject(join(dir, 'notes.txt'))).rejects.toMatchObject({ code: 'SPH_ERR_INVALID_ARG', message: expect.stringContaining('is a file') });
  });

  it('names projects safely and depends on this checkout by a file: link', async () => {
    expect(projectName('/tmp/My Widget v2')).toBe('my-widget-v2');
    expect(projectName('/tmp/---')).toBe('widget');
    expect(await hostDependency()).toBe(`file:${root.replace(/\/$/, '')}`);
  });
});
