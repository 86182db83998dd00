import { configDefaults, defineConfig } from 'vitest/config';

// The two tests that load the machine on purpose run after the rest, one at a time, so their
// load does not push other tests' renders into wall-clock caps: the Chromium test of the
// `npm start` demo, then the 60 s hostile load test of the host service.
const LATE = ['test/e2e/demo.test.ts', 'test/e2e/service-load.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LATE], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'demo', include: [LATE[0]!], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'load', include: [LATE[1]!], sequence: { groupOrder: 2 } } },
    ],
  },
});
