// The CLI's foreground relay (server/cli/attach.ts: `container enter`, and the non-detached
// container `pod run`, `pod start` and `container start` follow from a terminal) on a real process
// (test/helpers/relay-child.ts): output relayed, stdin forwarded, signals passed on, exit code kept.
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';
import { expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('../helpers/relay-child.ts', import.meta.url));
const relayArgs = (script: string, ...mode: string[]) => ['node', '--import', 'tsx', CHILD, script, ...mode];
const relay = (script: string, opts: Options = {}) => {
  const [node, ...args] = relayArgs(script);
  return execa(node!, args, { reject: false, timeout: 20_000, ...opts });
};

it("relays stdout and stderr, forwards stdin to its end, and exits with the process's exit code", async () => {
  const run = await relay('while read line; do echo "out:$line"; done; echo err >&2; exit 7', { input: 'one\ntwo\n' });
  expect([run.exitCode, run.stdout, run.stderr]).toEqual([7, 'out:one\nout:two', 'err']);
});

it('passes a signal the CLI gets on to the process (no terminal: ^C reaches the CLI, not the process)', async () => {
  const run = relay('trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done', { stdin: 'pipe' });
  await new Promise<void>((ready) => run.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && ready()));
  run.kill('SIGTERM');
  const done = await run;
  expect([done.exitCode, done.stdout]).toEqual([5, 'ready\ngot-term']);
});

it("on a terminal, sends the terminal's size first and keeps the exit code", async () => {
  // script(1) gives the relay a pty of unknown size (0x0): set one, as a real terminal has.
  const command = `stty rows 30 cols 100; ${relayArgs('echo in-a-tty; exit 4', 'tty').map((w) => `'${w}'`).join(' ')}`;
  const run = await execa('script', ['-qec', command, '/dev/null'], { reject: false, timeout: 20_000, stdin: 'ignore' });
  expect(run.exitCode).toBe(4);
  expect(run.stdout.replaceAll('\r', '').split('\n')).toEqual(['resize 30x100', 'in-a-tty']);
});
