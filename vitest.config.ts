import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn the CLI and worker threads; two cores, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
