// End-to-end tests drive Debian's chromium (never a downloaded browser) against the real
// console server, started here on its own port with a throw-away database. The server refuses
// anonymous calls: global-setup.ts creates the run's users and logs the operator in, and every spec
// runs as that operator unless it says otherwise (e2e/fixtures.ts).
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { OPERATOR_STATE } from './e2e/users';

const PORT = Number(process.env['PODVISOR_E2E_PORT'] ?? 3211);
// Workers re-read this file in their own processes: the first one's choice is passed down.
const HOME = (process.env['PODVISOR_E2E_HOME'] ??= `/tmp/podvisor-e2e-${process.pid}`);
// The specs name rootfs copies in the temp dir besides the repo's own assets; the CLI they spawn inherits this.
const HOST_PATH_ROOTS = (process.env['PODVISOR_HOST_PATH_ROOTS'] ??= [tmpdir(), path.resolve(process.env['PODVISOR_GUEST_DIR'] ?? 'var/guest'), path.resolve('var/rootfs')].join(':'));

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  // Assertions wait for the page to show something (a liveness bound): 5 s, the default, is short
  // for a TCG guest's answer behind a loaded server. Speed is what bench/ measures.
  expect: { timeout: 15_000 },
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  workers: 1,
  // No retries: a flaky spec hides real failures. The terminal stall that once needed one was
  // keystrokes queued behind slow TTY resizes in one promise chain (server/terminal/session.ts).
  retries: 0,
  // Playwright empties its outputDir at start: keep it apart from vitest's report in test-results/.
  outputDir: 'test-results/playwright-artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    storageState: OPERATOR_STATE,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `node --import tsx server/main.ts`,
    // The one page anyone may load: up means the server and Next both answer.
    url: `http://127.0.0.1:${PORT}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { PORT: String(PORT), HOST: '127.0.0.1', PODVISOR_HOME: HOME, PODVISOR_RUN_DIR: `${HOME}/run`, PODVISOR_HOST_PATH_ROOTS: HOST_PATH_ROOTS, NEXT_TELEMETRY_DISABLED: '1' },
  },
});
