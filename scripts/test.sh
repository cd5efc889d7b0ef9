#!/usr/bin/env bash
# `npm test`: sets everything up, runs every test tier (vitest: unit, integration, real-VM;
# Playwright: the console in Debian's chromium), then prints the closing count line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed" >&2; echo "0 passed, 1 failed"; exit 1; }
rm -rf test-results && mkdir -p test-results
# The console server (started by VM tests and by Playwright) serves the production build.
export NEXT_TELEMETRY_DISABLED=1
npx next build >test-results/next-build.log 2>&1 || { echo "next build failed: see test-results/next-build.log" >&2; tail -20 test-results/next-build.log >&2; }
npx vitest run
npx playwright test
node scripts/test-summary.mjs
