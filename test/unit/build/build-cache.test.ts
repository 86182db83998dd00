import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_CACHE_ENTRIES, pruneBuildCache } from '../../../src/build/build-widget.js';

describe('the build cache', () => {
  it('keeps the most recent components and nothing else is touched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sph-build-cache-'));
    const n = BUILD_CACHE_ENTRIES + 5;
    for (let i = 0; i < n; i++) {
      const f = join(dir, `widget-${i.toString(16).padStart(32, '0')}.wasm`);
      writeFileSync(f, 'x');
      utimesSync(f, 1_000_000 + i, 1_000_000 + i);
    }
    writeFileSync(join(dir, 'notes.txt'), 'keep');
    await pruneBuildCache(dir);
    const left = readdirSync(dir);
    expect(left).toContain('notes.txt');
    const widgets = left.filter((f) => f.startsWith('widget-')).sort();
    expect(widgets).toHaveLength(BUILD_CACHE_ENTRIES);
    expect(widgets[0]).toBe(`widget-${(5).toString(16).padStart(32, '0')}.wasm`); // the 5 oldest went
  });
});
