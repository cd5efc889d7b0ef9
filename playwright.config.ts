// End-to-end tests drive Debian's chromium (never a downloaded browser) against the real
// console server, started here on its own port with a throw-away database.
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env['PODVISOR_E2E_PORT'] ?? 3211);
// Workers re-read this file in their own processes: the first one's choice is passed down.
const HOME = (process.env['PODVISOR_E2E_HOME'] ??= `/tmp/podvisor-e2e-${process.pid}`);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  globalTeardown: './e2e/global-teardown.ts',
  workers: 1,
  // One retry in CI: a real TCG VM on a loaded 2-core machine occasionally stalls a 5 MiB terminal
  // stream (under investigation); a test that fails twice still fails the run.
  retries: process.env['CI'] ? 1 : 0,
  // Playwright empties its outputDir at start: keep it apart from vitest's report in test-results/.
  outputDir: 'test-results/playwright-artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `node --import tsx server/main.ts`,
    url: `http://127.0.0.1:${PORT}/api/trpc/pod.list`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { PORT: String(PORT), HOST: '127.0.0.1', PODVISOR_HOME: HOME, PODVISOR_RUN_DIR: `${HOME}/run`, NEXT_TELEMETRY_DISABLED: '1' },
  },
});
