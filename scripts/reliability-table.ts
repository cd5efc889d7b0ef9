// Renders the kill tables of docs/reliability.md from what the VM tests observed: each between its
// `<name>:begin` / `<name>:end` markers, so a table says what the last run saw, never what someone
// expected. A results file that is missing leaves its table as it was.
//   test-results/reliability-kills.json         ← test/vm/kills.test.ts         (kills)
//   test-results/reliability-engine-kills.json  ← test/vm/engine-kills.test.ts  (engine-kills)
//   npx vitest run test/vm/kills.test.ts test/vm/engine-kills.test.ts && npx tsx scripts/reliability-table.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

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
  agent: 'the agent inside the guest (typed into the debug console)',
};

interface EngineKillOutcome {
  step: string;
  reported: string;
  doctor: string[];
  afterDoctor: string;
}

const today = new Date().toISOString().slice(0, 10);
const found = (doctor: string[]) => (doctor.length ? doctor.join(', ') : 'nothing');

function killsTable(outcomes: KillOutcome[]): string {
  return [
    `Generated from the last run of \`test/vm/kills.test.ts\` (${today}); pod state/container state.`,
    '',
    '| kill -9 of | next status reports | exec right after | `doctor --fix` found | after doctor |',
    '|---|---|---|---|---|',
    ...outcomes.map((o) => `| ${WHAT[o.killed] ?? o.killed} | \`${o.reported}\` | ${o.execAfter} | ${found(o.doctor)} | \`${o.afterDoctor}\` |`),
  ].join('\n');
}

function engineKillsTable(outcomes: EngineKillOutcome[]): string {
  return [
    `Generated from the last run of \`test/vm/engine-kills.test.ts\` (${today}); pod state/container state as a new engine's first status call reports them.`,
    '',
    '| engine killed during RunPod at | next status reports | `doctor --fix` found | after doctor |',
    '|---|---|---|---|',
    ...outcomes.map((o) => `| ${o.step} | \`${o.reported}\` | ${found(o.doctor)} | \`${o.afterDoctor}\` |`),
  ].join('\n');
}

const file = 'docs/reliability.md';
let doc = readFileSync(file, 'utf8');
function render<T>(name: string, results: string, table: (outcomes: T[]) => string) {
  if (!existsSync(results)) return console.log(`${results}: missing, table ${name} left as it was`);
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  if (!doc.includes(begin) || !doc.includes(end)) throw new Error(`${file} has no ${begin} … ${end} markers`);
  const outcomes = JSON.parse(readFileSync(results, 'utf8')) as T[];
  doc = `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n${table(outcomes)}\n${doc.slice(doc.indexOf(end))}`;
  console.log(`${file}: ${name}, ${outcomes.length} rows`);
}
render('kills', 'test-results/reliability-kills.json', killsTable);
render('engine-kills', 'test-results/reliability-engine-kills.json', engineKillsTable);
writeFileSync(file, doc);
