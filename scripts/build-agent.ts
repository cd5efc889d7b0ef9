// Bundles the guest agent into ONE file, dist/guest/agent.mjs (node built-ins only at runtime),
// plus the host-side proxy (which also owns the container shims) into dist/proxy.mjs.
// Arguments name a subset (agent, proxy); none builds both. `--outdir D` writes under D instead of
// the checkout (test/integration/helper-bundle.test.ts builds a throw-away copy that way).
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

const bundles = [
  { name: 'agent', entry: 'server/guest/agent/main.ts', out: 'dist/guest/agent.mjs' },
  // The same agent as one CommonJS script: what `node --build-snapshot` takes (docs/agent-snapshot.md).
  { name: 'agent', entry: 'server/guest/agent/main.ts', out: 'dist/guest/agent-snapshot.cjs', format: 'cjs' as const },
  { name: 'proxy', entry: 'server/host-procs/proxy/main.ts', out: 'dist/proxy.mjs' },
];
const { values, positionals: wanted } = parseArgs({ options: { outdir: { type: 'string' } }, allowPositionals: true });

for (const { entry, out, format } of bundles.filter((b) => !wanted.length || wanted.includes(b.name))) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: values.outdir ? join(values.outdir, out) : out,
    bundle: true,
    platform: 'node',
    format: format ?? 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  console.log(`built ${values.outdir ? join(values.outdir, out) : out}`);
}
