// The real `podvisor` CLI as a child process on a throw-away PODVISOR_HOME, with mock/noop pods.
// The tests run in order on one pod ("demo") and run independent invocations in parallel:
// every CLI start costs about half a second.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPodConfig } from '../../server/cli/commands/pod-config.js';
import { MOCK_ROOTFS } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/podvisor.js', import.meta.url));
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'pv-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Only the environment the CLI needs, so a developer's DATABASE_URL cannot leak in. */
const cliEnv = () => ({ PATH: process.env.PATH, PODVISOR_HOME: home, PODVISOR_RUN_DIR: path.join(home, 'run'), PODVISOR_HOST_PATH_ROOTS: `${MOCK_ROOTFS}:${home}` });

/** The CLI with stdout captured, as `out=$(podvisor …)` runs it: not a terminal. */
function podvisor(...args: string[]) {
  return execa('node', [BIN, ...args], { env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore' });
}

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** The CLI on a terminal: script(1) gives it a pty (-e: script exits with the CLI's exit code). */
function podvisorInTerminal(...args: string[]) {
  const command = ['node', BIN, ...args].map(shellQuote).join(' ');
  return execa('script', ['-qec', command, '/dev/null'], { env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 });
}

const MOCK_POD = ['--hypervisor', 'mock', '--agent', 'noop'];

// CLI starts are CPU-bound: on a loaded two-core CI runner a test here can take well over 10 s.
describe('podvisor CLI', { timeout: 60_000 }, () => {
  it('runs a pod with a container and reports its status', async () => {
    const run = await podvisor('pod', 'run', '--id', 'demo', ...MOCK_POD, '--container-id', 'c1', '--rootfs', MOCK_ROOTFS, '--env', 'A=1', '--', '/bin/sh', '-c', 'echo hi');
    expect(run.stdout).toBe('Pod demo created and started');
    expect(run.exitCode).toBe(0);

    const [asJson, asTable] = await Promise.all([podvisor('--json', 'pod', 'status', 'demo'), podvisor('pod', 'status', 'demo')]);
    const status = JSON.parse(asJson.stdout);
    expect(status).toMatchObject({ id: 'demo', state: 'running', hypervisor: 'mock', agent: 'noop' });
    expect(status.containersStatus).toMatchObject([{ id: 'c1', state: 'running', rootFs: MOCK_ROOTFS }]);
    expect(asTable.stdout).toMatch(/^POD ID\s+STATE\s+HYPERVISOR\s+AGENT\s+CONTAINERS\ndemo\s+running\s+mock\s+noop\s+1\n\nCONTAINER ID\s+STATE\s+PID\s+EXIT\nc1\s+running\s+\d+\s+-\n\nVM SETTING\s+VALUE\s+FROM\nvCPUs\s+1\s+default\n/);
    expect(asTable.stdout).toMatch(/^memory\s+2048 MiB\s+default$/m);
    expect(status.effectiveHypervisorConfig).toMatchObject({ vcpus: { value: 1, source: 'default' }, sharedFs: { value: 'virtio-9p', source: 'default' } });
  });

  it('maps engine and usage errors to stable exit codes', async () => {
    const [running, unknownPod, badMemory, unknownOption] = await Promise.all([
      podvisor('pod', 'start', 'demo', '--json'),
      podvisor('pod', 'status', 'nope'),
      podvisor('pod', 'create', '--id', 'bad', ...MOCK_POD, '--memory', 'abc'),
      podvisor('pod', 'list', '--frobnicate'),
    ]);
    expect(running.exitCode).toBe(5);
    expect(running.stderr).toMatch(/^podvisor: INVALID_STATE: Pod "demo" is running/);
    expect(JSON.parse(running.stdout).error).toMatchObject({ code: 'INVALID_STATE' });
    expect([unknownPod.exitCode, unknownPod.stderr]).toEqual([3, 'podvisor: POD_NOT_FOUND: Pod "nope" does not exist']);
    expect(badMemory.exitCode).toBe(2);
    expect(badMemory.stderr).toMatch(/^podvisor: INVALID_CONFIG: .*vmConfig\.memory/);
    expect([unknownOption.exitCode, unknownOption.stderr]).toEqual([2, "podvisor: INVALID_ARGUMENT: unknown option '--frobnicate'"]);
  });

  it('drives every container command', async () => {
    const create = await podvisor(
      'container', 'create', 'demo', 'c2', '--rootfs', MOCK_ROOTFS, '--cap', 'CAP_KILL', '--mount', `${home}/data:/data:ro`,
      '--no-new-privileges', '--user', '1000', '--tty', '--', '/bin/sleep', '60',
    );
    expect([create.exitCode, create.stdout]).toEqual([0, 'Container c2 created']);
    const start = await podvisor('--json', 'container', 'start', 'demo', 'c2');
    expect(JSON.parse(start.stdout)).toMatchObject({ id: 'c2', state: 'running', exitCode: null });

    const [status, ps, psJson, enter, enterJson, kill] = await Promise.all([
      podvisor('container', 'status', 'demo', 'c2'),
      podvisor('container', 'ps', 'demo', 'c2', '--', '-ef'),
      podvisor('--json', 'container', 'ps', 'demo', 'c2', '--format', 'json'),
      podvisor('container', 'enter', 'demo', 'c1', '--env', 'B=2', '--', 'echo', 'hi'),
      podvisor('--json', 'container', 'enter', 'demo', 'c1', '--', 'true'),
      podvisor('container', 'kill', 'demo', 'c2', '9', '--all'),
    ]);
    expect(status.stdout).toMatch(/^CONTAINER ID\s+STATE\s+PID\s+EXIT\nc2\s+running\s+\d+\s+-$/);
    expect(ps.exitCode).toBe(0); // the noop agent lists nothing
    expect(JSON.parse(psJson.stdout)).toEqual({ output: '' });
    expect(enter.exitCode).toBe(0);
    expect(JSON.parse(enterJson.stdout)).toMatchObject({ token: expect.any(String), pid: expect.any(Number) });
    expect(kill.stdout).toBe('Container c2 signalled with 9');

    const stop = await podvisor('container', 'stop', 'demo', 'c2');
    expect(stop.stdout).toBe('Container c2 stopped');
    const remove = await podvisor('--json', 'container', 'delete', 'demo', 'c2');
    expect(JSON.parse(remove.stdout)).toEqual({ podId: 'demo', id: 'c2', deleted: true });
  });

  it('pauses, resumes, lists, shows events, stops and deletes the pod', async () => {
    expect((await podvisor('pod', 'pause', 'demo')).stdout).toBe('Pod demo paused');
    expect(JSON.parse((await podvisor('--json', 'pod', 'resume', 'demo')).stdout)).toMatchObject({ id: 'demo', state: 'running' });
    const [list, events] = await Promise.all([podvisor('pod', 'list'), podvisor('--json', 'pod', 'events', 'demo', '--limit', '4')]);
    expect(list.stdout).toMatch(/^POD ID\s+STATE\s+HYPERVISOR\s+AGENT\s+CONTAINERS\ndemo\s+running\s+mock\s+noop\s+1$/);
    const calls = JSON.parse(events.stdout).map((e: { call: string }) => e.call);
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(calls).toEqual(expect.arrayContaining(['pausePod', 'resumePod']));
    expect(calls.at(-1)).toBe('resumePod');

    expect((await podvisor('pod', 'stop', 'demo')).stdout).toBe('Pod demo stopped');
    expect(JSON.parse((await podvisor('--json', 'pod', 'delete', 'demo')).stdout)).toEqual({ id: 'demo', deleted: true });
  });

  it('creates a pod from --config, with flags overriding its fields', async () => {
    const file = path.join(home, 'pod.json');
    const fromFile = { id: 'fromfile', hypervisorType: 'mock', agentType: 'noop', annotations: { a: '1' }, hypervisorConfig: { kernelParams: [{ key: 'quiet' }] } };
    writeFileSync(file, JSON.stringify(fromFile));
    const create = await podvisor('--json', 'pod', 'create', '--config', file, '--annotation', 'b=2', '--kernel-param', 'console=hvc0', '--container-id', 'c1', '--rootfs', MOCK_ROOTFS, '--', 'sh');
    expect(JSON.parse(create.stdout)).toMatchObject({
      id: 'fromfile',
      state: 'ready',
      annotations: { a: '1', b: '2' },
      hypervisorConfig: { kernelParams: [{ key: 'console', value: 'hvc0' }] },
      containersStatus: [{ id: 'c1', state: 'ready' }],
    });
  });

  it('refuses a host path outside PODVISOR_HOST_PATH_ROOTS with exit code 9', async () => {
    const refused = await podvisor('pod', 'run', '--id', 'outside', ...MOCK_POD, '--container-id', 'c1', '--rootfs', '/etc', '--', 'sh');
    expect(refused.exitCode).toBe(9);
    expect(refused.stderr).toMatch(/^podvisor: PERMISSION_DENIED: containers\.0\.rootFs: "\/etc" is outside the allowed host paths \(/);
  });
});

// Cmd.detach defaults to false, as upstream. The CLI follows such a container only from a terminal
// and without --json (server/cli/foreground.ts); the engine never hands its stdio to a shim.
describe('a non-detached container', { timeout: 60_000 }, () => {
  /** A --config pod whose container leaves Cmd.detach at its default (false), and says things and sleeps. */
  function nonDetachedPod(id: string): string {
    const file = path.join(home, `${id}.json`);
    const container = { id: 'app', rootFs: MOCK_ROOTFS, cmd: { args: ['sh', '-c', 'echo from-the-container; sleep 600'] } };
    writeFileSync(file, JSON.stringify({ id, hypervisorType: 'mock', agentType: 'noop', containers: [container] }));
    return file;
  }

  it('is treated as detached when stdout is captured: `out=$(podvisor --json pod run …)` returns at once with pure JSON', async () => {
    const started = Date.now();
    const [asJson, asText] = await Promise.all([
      execa('node', [BIN, '--json', 'pod', 'run', '--config', nonDetachedPod('captured')], { env: cliEnv(), extendEnv: false, reject: false, stdin: 'ignore', timeout: 30_000 }),
      podvisor('pod', 'run', '--config', nonDetachedPod('captured-text')),
    ]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(asJson.exitCode).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ id: 'captured', state: 'running', containersStatus: [{ id: 'app', state: 'running' }] });
    expect([asText.exitCode, asText.stdout]).toEqual([0, 'Pod captured-text created and started']);
  });

  it('with --json on a terminal is still not followed: stdout is the JSON alone', async () => {
    const run = await podvisorInTerminal('--json', 'pod', 'run', '--config', nonDetachedPod('tty-json'));
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout.replaceAll('\r', ''))).toMatchObject({ id: 'tty-json', state: 'running' });
  });

  it('is followed from a terminal: the CLI attaches and exits with its exit code (the noop agent: 0, at once)', async () => {
    const run = await podvisorInTerminal('--quiet', 'pod', 'run', '--config', nonDetachedPod('tty-text'));
    expect([run.exitCode, run.stdout.replaceAll('\r', '')]).toEqual([0, 'Pod tty-text created and started']);
    expect((await podvisor('container', 'stop', 'tty-text', 'app')).exitCode).toBe(0);
    const start = await podvisorInTerminal('--quiet', 'container', 'start', 'tty-text', 'app');
    expect([start.exitCode, start.stdout.replaceAll('\r', '')]).toEqual([0, 'Container app started']);
  });
});

describe('pod flags → PodConfig', () => {
  it('gives --agent kata its own proxy and shim unless they are chosen', () => {
    expect(buildPodConfig({}, { agent: 'kata' }, [])).toMatchObject({ agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim' });
    expect(buildPodConfig({ proxyType: 'noProxy' }, { agent: 'kata' }, [])).toMatchObject({ proxyType: 'noProxy', shimType: 'kataShim' });
    expect(buildPodConfig({}, { agent: 'noop' }, []).proxyType).toBeUndefined();
  });

  it('appends the shortcut container to those of the config file', () => {
    const config = buildPodConfig({ id: 'p', containers: [{ id: 'a' }] }, { containerId: 'b', rootfs: '/r', tty: true, env: ['K=V'] }, ['sh', '-l']);
    expect(config.containers).toMatchObject([
      { id: 'a' },
      { id: 'b', rootFs: '/r', cmd: { args: ['sh', '-l'], envs: [{ var: 'K', value: 'V' }], interactive: true } },
    ]);
  });

  it('makes the shortcut container detached and leaves detach in the config file as it is', () => {
    const config = buildPodConfig({ id: 'p', containers: [{ id: 'a', cmd: { args: ['sh'] } }] }, { containerId: 'b' }, ['sh']);
    expect(config.containers?.map((c) => c.cmd?.detach)).toEqual([undefined, true]);
  });
});

// server/cli/progress.ts: step lines on stderr only on a terminal, never with --json or --quiet.
describe('progress of long pod calls', { timeout: 60_000 }, () => {
  const pod = (id: string) => ['pod', 'run', '--id', id, ...MOCK_POD, '--container-id', 'c1', '--rootfs', MOCK_ROOTFS, '--', '/bin/sh'];

  it('prints nothing when stderr is not a terminal, and --json stays parseable', async () => {
    const [plain, json] = await Promise.all([podvisor(...pod('prog-plain')), podvisor('--json', ...pod('prog-json'))]);
    expect(plain.stderr).toBe('');
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'prog-json', state: 'running' });
  });

  it('prints one line per step with its time on a terminal; --quiet silences it', async () => {
    const [loud, quiet] = await Promise.all([podvisorInTerminal(...pod('prog-tty')), podvisorInTerminal('--quiet', ...pod('prog-quiet'))]);
    expect(loud.exitCode).toBe(0);
    const lines = loud.stdout.split(/\r?\n/).filter((l) => /^\[\s*\d+\.\d s\]/.test(l));
    expect(lines.map((l) => l.replace(/^\[\s*\d+\.\d s\] /, '').replace(/ \(\d+\.\d s\)$/, ''))).toEqual(
      expect.arrayContaining(['network prepared', 'VM launched', 'agent ready', 'container c1 created', 'container c1 started']),
    );
    expect(loud.stdout.indexOf('VM launched')).toBeLessThan(loud.stdout.indexOf('container c1 started'));
    expect(quiet.stdout).not.toMatch(/VM launched/);
  });
});
