// Test runner settings: every *.test.ts under src/ and test/; generous timeouts for the short training runs; two test
// files at a time (vitest's default leaves one of two cores idle, while much of a file's time is waiting on a spawned
// CLI, a browser or module loading); the lab page built once before any file runs (test/global-setup.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
  },
});
