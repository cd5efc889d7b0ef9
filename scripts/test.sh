#!/usr/bin/env bash
# `npm test`: sets everything up, runs every test tier (vitest: unit, integration, real-VM;
# Playwright: the console in Debian's chromium), then prints the closing count line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
rm -rf test-results && mkdir -p test-results
npx vitest run
if [ -d e2e ] && ls e2e/*.spec.ts >/dev/null 2>&1; then
  npx playwright test
fi
node scripts/test-summary.mjs
