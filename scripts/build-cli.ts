// Bundles the `podvisor` CLI into dist/cli/ so a command starts without tsx transpiling the server
// code first. Dependencies stay in node_modules (native modules and Prisma's runtime cannot be
// bundled); code splitting keeps the engine, the store and tRPC in a chunk that only commands
// which call the API load (--help and flag errors do not). dist/cli/inputs.json lists the source
// files it was built from: bin/podvisor.js runs the bundle only while none of them is newer.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = 'dist/cli';

rmSync(`${root}/${outdir}`, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['server/cli/main.ts'],
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs).sort();
writeFileSync(`${root}/${outdir}/inputs.json`, `${JSON.stringify({ inputs }, null, 1)}\n`);
console.log(`built ${outdir}/main.mjs from ${inputs.length} source files`);
