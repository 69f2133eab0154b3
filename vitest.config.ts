import { defineConfig } from 'vitest/config';

const COVERED_MODULES = ['identity', 'billing', 'entitlements', 'usage'];

export default defineConfig({
  test: {
    globals: true,
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts', 'src/main.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: Object.fromEntries(COVERED_MODULES.map((name) => [`src/${name}/**`, { lines: 80 }])),
    },
  },
});
