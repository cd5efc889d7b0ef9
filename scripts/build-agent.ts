// Bundles the guest agent into ONE file, dist/guest/agent.mjs (node built-ins only at runtime),
// plus the host-side proxy (which also owns the container shims) into dist/proxy.mjs.
// Arguments name a subset (agent, proxy); none builds both.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const bundles = [
  { name: 'agent', entry: 'server/guest/agent/main.ts', out: 'dist/guest/agent.mjs' },
  // The same agent as one CommonJS script: what `node --build-snapshot` takes (docs/agent-snapshot.md).
  { name: 'agent', entry: 'server/guest/agent/main.ts', out: 'dist/guest/agent-snapshot.cjs', format: 'cjs' as const },
  { name: 'proxy', entry: 'server/host-procs/proxy/main.ts', out: 'dist/proxy.mjs' },
];
const wanted = process.argv.slice(2);

for (const { entry, out, format } of bundles.filter((b) => !wanted.length || wanted.includes(b.name))) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: format ?? 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  console.log(`built ${out}`);
}
