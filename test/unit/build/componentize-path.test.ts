import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { componentizeWorkDir, confusableWithCwd } from '../../../src/build/componentize-path.js';

describe('componentize work directory', () => {
  it('tells a mere string prefix of cwd from a directory inside it', () => {
    expect(confusableWithCwd('/tmp/fresh-cache/builds', '/tmp/fresh')).toBe(true);
    expect(confusableWithCwd('/w/app2', '/w/app/')).toBe(true);
    expect(confusableWithCwd('/w/app/cache', '/w/app')).toBe(false);
    expect(confusableWithCwd('/w/app', '/w/app')).toBe(false);
    expect(confusableWithCwd('/home/u/.cache', '/w/app')).toBe(false);
  });

  it('keeps a good directory and swaps a confusable one for one under tmp', () => {
    expect(componentizeWorkDir('/home/u/.cache/b/work-1', '/w/app')).toBe('/home/u/.cache/b/work-1');
    const alt = componentizeWorkDir('/w/app-cache/b/work-1', '/w/app');
    expect(alt.startsWith(tmpdir())).toBe(true);
    expect(alt.endsWith('work-1')).toBe(true);
  });
});
