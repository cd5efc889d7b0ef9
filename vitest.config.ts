// Test tiers (see test/README.md): unit and integration run everywhere and fast;
// vm runs real QEMU pods (TCG where KVM does not work) and takes minutes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules', 'e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll waits for something to happen (a liveness bound, not a speed target): vitest's
    // 1 s default is shorter than a loaded CI run's scheduling hiccups.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
  resolve: { alias: { '~': new URL('.', import.meta.url).pathname } },
});
