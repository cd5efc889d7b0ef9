// Renders test-results/reliability-kills.json (written by test/vm/kills.test.ts) as the kill table
// in docs/reliability.md, between its `kills:begin` / `kills:end` markers: the table says what the
// last run observed, never what someone expected.
//   npx vitest run test/vm/kills.test.ts && npx tsx scripts/reliability-table.ts
import { readFileSync, writeFileSync } from 'node:fs';

interface KillOutcome {
  killed: string;
  reported: string;
  execAfter: string;
  doctor: string[];
  afterDoctor: string;
}

const WHAT: Record<string, string> = {
  qemu: 'QEMU (the VM)',
  proxy: 'the kata proxy',
  shim: "a container's shim",
  virtiofsd: 'virtiofsd',
};

const outcomes = JSON.parse(readFileSync('test-results/reliability-kills.json', 'utf8')) as KillOutcome[];
const rows = outcomes.map(
  (o) => `| ${WHAT[o.killed] ?? o.killed} | \`${o.reported}\` | ${o.execAfter} | ${o.doctor.length ? o.doctor.join(', ') : 'nothing'} | \`${o.afterDoctor}\` |`,
);
const table = [
  `Generated from the last run of \`test/vm/kills.test.ts\` (${new Date().toISOString().slice(0, 10)}); pod state/container state.`,
  '',
  '| kill -9 of | next status reports | exec right after | `doctor --fix` found | after doctor |',
  '|---|---|---|---|---|',
  ...rows,
].join('\n');

const file = 'docs/reliability.md';
const doc = readFileSync(file, 'utf8');
const begin = '<!-- kills:begin -->';
const end = '<!-- kills:end -->';
if (!doc.includes(begin)) throw new Error(`${file} has no ${begin} marker`);
writeFileSync(file, `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`);
console.log(`${file}: ${rows.length} rows`);
