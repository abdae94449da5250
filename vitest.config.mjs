import { defineConfig } from 'vitest/config';

// Integration tests of the built addon (build/reelspeed_engine.node) in real Node.
// Renders are CPU-heavy: one file at a time, each in a forked child process.
export default defineConfig({
  test: {
    include: ['js/test/**/*.test.{js,mjs}'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120000,
    hookTimeout: 120000,
  },
});
