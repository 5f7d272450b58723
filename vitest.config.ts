import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    // Tests spawn real processes (the fake nvidia-smi, the built CLI): give them room on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
