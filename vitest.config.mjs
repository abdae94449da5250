import { defineConfig } from 'vitest/config';

// Integration tests of the built addon (build/reelspeed_engine.node) in real Node.
// Renders are CPU-heavy: one file at a time. Project "forks": each file in a forked child
// process. Project "threads": files under js/test/threads/ run inside worker threads
// (pool: 'threads', as jest --workerThreads or piscina would), which vitest terminates.
const common = {
  fileParallelism: false,
  testTimeout: 120000,
  hookTimeout: 120000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'forks',
          include: ['js/test/**/*.test.{js,mjs}'],
          exclude: ['js/test/threads/**', '**/node_modules/**'],
          pool: 'forks',
          ...common,
        },
      },
      {
        test: {
          name: 'threads',
          include: ['js/test/threads/**/*.test.{js,mjs}'],
          pool: 'threads',
          ...common,
        },
      },
    ],
  },
});
