import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceWatcher } from '../../../src/authoring/source-watcher.js';

let watcher: SourceWatcher | undefined;
afterEach(() => watcher?.close());

function setup(debounceMs = 40) {
  const dir = mkdtempSync(join(tmpdir(), 'sph-watch-'));
  const a = join(dir, 'a.ts');
  const b = join(dir, 'b.ts');
  writeFileSync(a, '1');
  writeFileSync(b, '1');
  const changes: string[][] = [];
  watcher = new SourceWatcher({ debounceMs, onChange: (files) => changes.push(files.sort()) });
  watcher.watch([a, b]);
  return { dir, a, b, changes };
}
const until = async (f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('SourceWatcher', () => {
  it('sees an in-place write and a save by rename (how editors write), once per burst', async () => {
    const { dir, a, b, changes } = setup();
    writeFileSync(a, '2');
    writeFileSync(a, '3');
    writeFileSync(b, '2');
    await until(() => changes.length === 1);
    expect(changes[0]).toEqual([a, b]);
    writeFileSync(join(dir, '.a.ts.swp'), 'x');
    renameSync(join(dir, '.a.ts.swp'), a);
    await until(() => changes.length === 2);
    expect(changes[1]).toEqual([a]);
  });

  it('ignores files outside the set and stops when closed', async () => {
    const { dir, a, changes } = setup();
    writeFileSync(join(dir, 'other.ts'), 'x');
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toEqual([]);
    watcher!.close();
    writeFileSync(a, 'late');
    await new Promise((r) => setTimeout(r, 200));
    expect(changes).toEqual([]);
  });

  it('re-targets when the set changes, and never watches node_modules', () => {
    const { dir, a } = setup();
    watcher!.watch([a, join(dir, 'node_modules/pkg/index.js'), join(dir, 'missing-dir/x.ts')]);
    expect(watcher!.directories).toEqual([dir]);
  });
});
