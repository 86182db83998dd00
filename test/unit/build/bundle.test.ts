// Bundling (esbuild, no componentize): errors point at the author's file and line, the inputs
// are what dev watches, and engine positions map back through the source map.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLE_NAME, Bundler, formatProblem } from '../../../src/build/bundle.js';
import { initError } from '../../../src/build/build-widget.js';
import { createPositionMapper } from '../../../src/build/source-map.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sph-bundle-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const LIB = `export function shout(s: string): string {
  const unused = 1;
  return s.toUpperCase() + (s as any).missing.deep;
}
`;
const WIDGET = `import { shout } from './lib.js';
import { log } from 'summit:widget/host@0.1.0';
export function render(input: string): string {
  log('info', 'x');
  return '<p>' + shout(input) + '</p>';
}
`;

describe('Bundler', () => {
  it('bundles the entry with its imports, keeps summit:* external and lists the inputs', async () => {
    const dir = project({ 'src/widget.ts': WIDGET, 'src/lib.ts': LIB });
    const b = new Bundler({ projectDir: dir, entry: 'src/widget.ts' });
    try {
      const out = await b.bundle();
      expect(out.js).toContain("from \"summit:widget/host@0.1.0\"");
      expect(out.js).toContain('function render(input)');
      expect(out.js).toContain('throw describe(e)'); // the render wrapper
      expect(out.inputs.sort()).toEqual([join(dir, 'src/lib.ts'), join(dir, 'src/widget.ts')]);
      expect(JSON.parse(out.map).sources).toEqual(expect.arrayContaining(['src/lib.ts', 'src/widget.ts']));
    } finally {
      await b.dispose();
    }
  });

  it('a syntax error names the file, line and column, with the line and a caret', async () => {
    const dir = project({ 'src/widget.ts': 'export function render(i: string): string {\n  const x = ;\n  return i;\n}\n' });
    const b = new Bundler({ projectDir: dir, entry: 'src/widget.ts' });
    try {
      const err = await b.bundle().then(() => null, (e) => e);
      expect(err.code).toBe('SPH_ERR_BUILD_FAILED');
      expect(err.details.problems[0]).toEqual({ message: 'Unexpected ";"', location: { file: 'src/widget.ts', line: 2, column: 13, lineText: '  const x = ;' } });
      expect(err.message).toContain('src/widget.ts:2:13: Unexpected ";"\n  2 |   const x = ;\n    |             ^');
    } finally {
      await b.dispose();
    }
  });

  it('a missing import and a missing entry are located too', async () => {
    const dir = project({ 'src/widget.ts': "import { nope } from './missing.js';\nexport const render = () => nope;\n" });
    const b = new Bundler({ projectDir: dir, entry: 'src/widget.ts' });
    const err = await b.bundle().then(() => null, (e) => e);
    await b.dispose();
    expect(err.details.problems[0].location).toMatchObject({ file: 'src/widget.ts', line: 1 });
    expect(err.message).toContain('Could not resolve "./missing.js"');
    const none = new Bundler({ projectDir: dir, entry: 'src/absent.ts' });
    const err2 = await none.bundle().then(() => null, (e) => e);
    await none.dispose();
    expect(err2.code).toBe('SPH_ERR_BUILD_FAILED');
    expect(err2.message).toContain('src/absent.ts');
  });

  it('formatProblem without a location is the message', () => {
    expect(formatProblem({ message: 'x' })).toBe('x');
  });
});

describe('positions from the engine back to the sources', () => {
  it('maps bundle positions in messages and stack traces, and drops wrapper frames', async () => {
    const dir = project({ 'src/widget.ts': WIDGET, 'src/lib.ts': LIB });
    const b = new Bundler({ projectDir: dir, entry: 'src/widget.ts' });
    const out = await b.bundle();
    await b.dispose();
    // Where the bundle has `s.missing.deep`, as SpiderMonkey would report it (1-based column).
    const lines = out.js.split('\n');
    const line = lines.findIndex((l) => l.includes('.missing.deep')) + 1;
    const col = lines[line - 1]!.indexOf('s.missing') + 1;
    const wrapperLine = lines.findIndex((l) => l.includes('out = userRender(input)')) + 1;
    const map = createPositionMapper(out.map, dir);
    const text = `TypeError: s.missing is undefined\nshout@${BUNDLE_NAME}:${line}:${col}\nrender@/tmp/abc/${BUNDLE_NAME}:${wrapperLine}:11\nexport_render@/tmp/abc/sources/initializer.js:120:28`;
    expect(map(text)).toBe('TypeError: s.missing is undefined\nshout@src/lib.ts:3:29');
  });

  it('an exception in top-level code becomes a located build error', async () => {
    const dir = project({ 'src/widget.ts': "function boom(): never {\n  throw new Error('top-level boom');\n}\nboom();\nexport function render(i: string) { return i; }\n" });
    const b = new Bundler({ projectDir: dir, entry: 'src/widget.ts' });
    const out = await b.bundle();
    await b.dispose();
    const lines = out.js.split('\n');
    const l = lines.findIndex((x) => x.includes("throw new Error(\"top-level boom\")")) + 1;
    const c = lines[l - 1]!.indexOf('new Error') + 1;
    // The shape of componentize-js 0.23's message for a throw while Wizer runs the module.
    const message = `Failed to initialize component (wizer (/x/wizer)):\nException while evaluating top-level script\n${BUNDLE_NAME}:${l}:${c} Error: top-level boom\nAdditionally, some promises were rejected, but the rejection never handled:\nPromise rejected but never handled: top-level boom\nStack:\n  boom@${BUNDLE_NAME}:${l}:${c}`;
    const err = initError(message, createPositionMapper(out.map, dir), 'src/widget.ts');
    expect(err.code).toBe('SPH_ERR_BUILD_FAILED');
    expect(err.details.problems).toEqual([{ message: 'Error: top-level boom', location: { file: 'src/widget.ts', line: 2, column: 9 } }]);
    expect(err.message).toContain('src/widget.ts:2:9 Error: top-level boom\nStack:\n  boom@src/widget.ts:2:9');
    expect(err.message).not.toContain('Additionally');
  });
});
