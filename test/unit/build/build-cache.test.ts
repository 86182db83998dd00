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

describe('writing to the build cache', () => {
  it('a new component is written after build() returns; flush() and close() wait for it, and the next build is served from it', async () => {
    const { WidgetBuilder } = await import('../../../src/build/build-widget.js');
    const project = mkdtempSync(join(tmpdir(), 'sph-build-src-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'sph-build-cache-'));
    writeFileSync(join(project, 'widget.js'), 'export function render() { return "<p>x</p>"; }\n');
    // Stands in for componentize-js, which this test is not about: what matters is where the
    // bytes go. Big enough that writing them takes a moment.
    const component = new Uint8Array(8 << 20).fill(7);
    let calls = 0;
    const componentizer = {
      componentize: async () => {
        calls++;
        return { component, componentizeMs: 1, spliceReused: true, steps: { wizerMs: 0, stubWasiMs: 0 } };
      },
      close: async () => {},
    } as unknown as import('../../../src/build/componentizer.js').Componentizer;
    const builder = new WidgetBuilder({ entry: 'widget.js', projectDir: project, cacheDir }, componentizer);
    const first = await builder.build();
    expect(first.fromCache).toBe(false);
    await builder.flush();
    const cached = readdirSync(cacheDir).filter((f) => /^widget-[0-9a-f]{32}\.wasm$/.test(f));
    expect(cached).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const second = await builder.build();
    expect(second.fromCache).toBe(true);
    expect(Buffer.compare(Buffer.from(second.bytes), Buffer.from(component))).toBe(0);
    expect(calls).toBe(1);
    await builder.close();

    // close() waits for a write still in flight.
    writeFileSync(join(project, 'widget.js'), 'export function render() { return "<p>y</p>"; }\n');
    const other = new WidgetBuilder({ entry: 'widget.js', projectDir: project, cacheDir }, componentizer);
    await other.build();
    await other.close();
    expect(readdirSync(cacheDir).filter((f) => /^widget-[0-9a-f]{32}\.wasm$/.test(f))).toHaveLength(2);
  });
});
