#!/usr/bin/env bash
# `npm test`: sets everything up, runs every test tier (vitest: unit, integration, real-VM;
# Playwright: the console in Debian's chromium), then prints the closing count line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
rm -rf test-results && mkdir -p test-results
npx vitest run
export NEXT_TELEMETRY_DISABLED=1
npx next build >test-results/next-build.log 2>&1 || { echo "next build failed: see test-results/next-build.log" >&2; tail -20 test-results/next-build.log >&2; }
npx playwright test
node scripts/test-summary.mjs
