// Prints the one closing line CI reads: "N passed, N failed, N skipped", over every test the
// run executed (vitest's and Playwright's JSON reports). Exits non-zero when anything failed.
import { existsSync, readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

const vitest = read('test-results/vitest.json');
if (vitest) {
  totals.passed += vitest.numPassedTests;
  // A test file that failed to load has no assertions but must still count as a failure.
  const brokenFiles = vitest.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  totals.failed += vitest.numFailedTests + brokenFiles;
  totals.skipped += vitest.numPendingTests + vitest.numTodoTests;
}
const playwright = read('test-results/playwright.json');
if (playwright) {
  totals.passed += playwright.stats.expected + playwright.stats.flaky;
  totals.failed += playwright.stats.unexpected;
  totals.skipped += playwright.stats.skipped;
}
// No report means that runner itself failed before running anything: that is a failure too.
if (!vitest) totals.failed += 1;
if (!playwright) totals.failed += 1;
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
