#!/usr/bin/env node
// `podvisor`: runs the prebuilt bundle in dist/cli (scripts/build-cli.ts, made by set-up) while it
// is at least as new as every source file it was built from; otherwise the TypeScript source
// through tsx, so a checkout being edited never runs stale code. PODVISOR_CLI_SOURCE=1 forces tsx.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

function bundleIsFresh() {
  if (process.env.PODVISOR_CLI_SOURCE === '1') return false;
  try {
    const built = statSync(new URL('dist/cli/main.mjs', root)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= built);
  } catch {
    return false; // no bundle, or a source file it lists is gone
  }
}

if (bundleIsFresh()) {
  await import('../dist/cli/main.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/main.ts');
}
