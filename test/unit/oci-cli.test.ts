// podvisor-oci's command line (runc's), its OCI state JSON, its --log lines and its settings file.
// The argv lists are the ones podman 4.3 and conmon really pass (research/real-clients).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram, logLine, type Globals, type OciHandlers } from '../../server/oci/argv.js';
import { consoleRequestOf, handoffCommand, PTY_HANDOFF } from '../../server/oci/pty-handoff.js';
import { envFileOf, parseEnvFile } from '../../server/oci/settings.js';
import { ociState, relayAlive, RELAY_MARKER, type ContainerRecord } from '../../server/oci/state.js';

const ID = '93007514ef38c96664473e23094dc2875fc0d249c79b9e8cdd6a8cd65b842c57';
const UD = `/var/lib/containers/storage/overlay-containers/${ID}/userdata`;

/** Parses argv against handlers that only record what they were called with. */
async function parse(...argv: string[]): Promise<{ calls: [string, ...unknown[]][]; exit: number | null }> {
  const calls: [string, ...unknown[]][] = [];
  let exit: number | null = null;
  const record = (name: string) => async (...args: unknown[]) => {
    calls.push([name, ...args]);
    return 0;
  };
  const h = Object.fromEntries(['create', 'start', 'state', 'kill', 'delete', 'exec', 'pause', 'resume', 'ps', 'list', 'relay'].map((n) => [n, record(n)])) as unknown as OciHandlers;
  await buildProgram(h, '9.9.9', '/run/podvisor-oci', (c) => (exit = c)).parseAsync(['node', 'podvisor-oci', ...argv]);
  return { calls, exit };
}
const G: Globals = { root: '/run/podvisor-oci', envFile: null, log: null, logFormat: 'text' };

describe('argv, as conmon and podman pass it', () => {
  it('create --bundle --pid-file ID', async () => {
    const { calls } = await parse('create', '--bundle', UD, '--pid-file', `/run/containers/storage/overlay-containers/${ID}/userdata/pidfile`, ID);
    expect(calls).toEqual([['create', G, { id: ID, bundle: UD, pidFile: `/run/containers/storage/overlay-containers/${ID}/userdata/pidfile`, consoleSocket: null, preserveFds: 0 }]]);
  });

  it('create with a console socket; globals before the command', async () => {
    const { calls } = await parse('--root', '/r', '--log', '/l.json', '--log-format', 'json', 'create', '--bundle', UD, '--console-socket', '/tmp/conmon-term.X', ID);
    expect(calls).toEqual([['create', { root: '/r', envFile: null, log: '/l.json', logFormat: 'json' }, expect.objectContaining({ consoleSocket: '/tmp/conmon-term.X' })]]);
  });

  it('exec --pid-file --process --detach [--tty --console-socket] ID', async () => {
    const { calls, exit } = await parse('exec', '--pid-file', `${UD}/e/exec_pid`, '--process', `${UD}/e/exec-process-1`, '--detach', '--tty', '--console-socket', '/tmp/c', ID);
    expect(calls).toEqual([['exec', G, { id: ID, processFile: `${UD}/e/exec-process-1`, args: [], pidFile: `${UD}/e/exec_pid`, detach: true, tty: true, consoleSocket: '/tmp/c', cwd: null, env: [] }]]);
    expect(exit).toBe(0);
  });

  it('exec with a command line instead of a process.json', async () => {
    const { calls } = await parse('exec', '--cwd', '/tmp', '-e', 'A=1', '-e', 'B=2', ID, 'sh', '-c', 'echo hi');
    expect(calls[0]![2]).toMatchObject({ args: ['sh', '-c', 'echo hi'], cwd: '/tmp', env: ['A=1', 'B=2'], detach: false });
  });

  it('start, state, pause, resume, kill ID SIGNUM, kill --all, delete --force, ps, list', async () => {
    expect((await parse('start', ID)).calls).toEqual([['start', G, ID]]);
    expect((await parse('state', ID)).calls).toEqual([['state', G, ID]]);
    expect((await parse('pause', ID)).calls).toEqual([['pause', G, ID]]);
    expect((await parse('resume', ID)).calls).toEqual([['resume', G, ID]]);
    expect((await parse('kill', ID, '9')).calls).toEqual([['kill', G, ID, '9', false]]);
    expect((await parse('kill', ID)).calls).toEqual([['kill', G, ID, 'SIGTERM', false]]);
    expect((await parse('kill', '--all', ID, 'KILL')).calls).toEqual([['kill', G, ID, 'KILL', true]]);
    expect((await parse('delete', '--force', ID)).calls).toEqual([['delete', G, ID, true]]);
    expect((await parse('delete', ID)).calls).toEqual([['delete', G, ID, false]]);
    expect((await parse('ps', '--format', 'json', ID)).calls).toEqual([['ps', G, ID, 'json']]);
    expect((await parse('list', '-q')).calls).toEqual([['list', G, 'table', true]]);
  });

  it('the relay command, with its marker and the ID next to each other', async () => {
    expect((await parse('--env-file', '/e', RELAY_MARKER, ID, '--token', 't1')).calls).toEqual([['relay', { ...G, envFile: '/e' }, ID, 't1', false]]);
    expect((await parse(RELAY_MARKER, ID, '--tty')).calls).toEqual([['relay', G, ID, null, true]]);
  });

  it('a relay with a terminal runs behind the pty handoff, which execs it with its argv unchanged', () => {
    const relay = ['/usr/bin/node', ['/x/oci.js', RELAY_MARKER, ID, '--tty']] as const;
    expect(handoffCommand({ socket: '/tmp/conmon-term.X', size: { rows: 30, columns: 100 } }, relay[0], relay[1])).toEqual({
      file: '/usr/bin/python3',
      args: [PTY_HANDOFF, '/tmp/conmon-term.X', '30', '100', '/usr/bin/node', '/x/oci.js', RELAY_MARKER, ID, '--tty'],
    });
    // No consoleSize: 0 0, the pty's own size until the client resizes it.
    expect(handoffCommand({ socket: '/s', size: null }, relay[0], relay[1]).args.slice(1, 4)).toEqual(['/s', '0', '0']);
    expect(PTY_HANDOFF).toMatch(/server\/host-procs\/pty-handoff\/pty_handoff\.py$/);
    expect(existsSync(PTY_HANDOFF)).toBe(true);
  });

  it('a terminal and a console socket go together, as runc has them', () => {
    const size = { rows: 30, columns: 100 };
    expect(consoleRequestOf({ size }, '/tmp/c', 'config.json process')).toEqual({ socket: '/tmp/c', size });
    expect(consoleRequestOf(null, null, 'config.json process')).toBeNull();
    expect(() => consoleRequestOf({ size: null }, null, 'config.json process')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'config.json process: a terminal needs --console-socket, to send its pty master to' }));
    expect(() => consoleRequestOf(null, '/tmp/c', 'the exec process')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: '--console-socket /tmp/c: the exec process has no terminal to send' }));
  });

  it('refuses what it does not know, naming it', async () => {
    await expect(parse('create', '--bundle', UD, '--frobnicate', ID)).rejects.toThrow(/--frobnicate/);
    await expect(parse('checkpoint', ID)).rejects.toThrow(/checkpoint/);
    await expect(parse('--log-format', 'xml', 'list')).rejects.toThrow(/xml/);
  });
});

describe('the OCI state', () => {
  const record: ContainerRecord = { id: ID, bundle: UD, rootfs: '/m', pid: 4242, created: '2026-12-03T00:00:00.000Z', annotations: { a: 'b' }, started: true };

  it('follows the engine while the relay lives: ready→created, running, paused, stopped', () => {
    expect(ociState(record, 'ready', true)).toEqual({ ociVersion: '1.0.2', id: ID, status: 'created', pid: 4242, bundle: UD, rootfs: '/m', created: record.created, annotations: { a: 'b' } });
    expect(ociState(record, 'running', true).status).toBe('running');
    expect(ociState(record, 'paused', true).status).toBe('paused');
    expect(ociState(record, 'stopped', true)).toMatchObject({ status: 'stopped', pid: 0 });
  });

  it('is stopped once the relay is gone or the pod is, whatever the engine has yet to notice', () => {
    expect(ociState(record, 'running', false)).toMatchObject({ status: 'stopped', pid: 0 });
    expect(ociState(record, null, true)).toMatchObject({ status: 'stopped', pid: 0 });
  });

  it('trusts a recorded PID only if that process is the relay of that container', () => {
    expect(relayAlive(process.pid, ID)).toBe(false); // a live process, but not a relay
    expect(relayAlive(2 ** 22 + 1, ID)).toBe(false); // above pid_max: no such process
  });
});

describe('--log lines', () => {
  const at = new Date('2026-12-03T00:00:00.000Z');
  it('json: one object a line, as podman reads runc log files', () => {
    expect(JSON.parse(logLine('json', 'NOT_SUPPORTED: "x"', at))).toEqual({ level: 'error', msg: 'NOT_SUPPORTED: "x"', time: at.toISOString() });
  });
  it('text: logrus style', () => {
    expect(logLine('text', 'boom', at)).toBe('time="2026-12-03T00:00:00.000Z" level=error msg="boom"\n');
  });
});

describe('the settings file', () => {
  it('PODVISOR_* lines, comments and quotes', () => {
    expect(parseEnvFile('# c\n\nPODVISOR_HOME=/h\nPODVISOR_OCI_ROOT="/r"\n', 'f')).toEqual({ PODVISOR_HOME: '/h', PODVISOR_OCI_ROOT: '/r' });
    expect(() => parseEnvFile('PATH=/x\n', 'f')).toThrow('f:1: expected PODVISOR_NAME=value');
  });
  it('--env-file before the command, in either spelling; else none beside a path without one', () => {
    expect(envFileOf(['node', '/nowhere/podvisor-oci', '--env-file', '/e', 'state', ID])).toBe('/e');
    expect(envFileOf(['node', '/nowhere/podvisor-oci', '--root=/r', '--env-file=/e2', 'state', ID])).toBe('/e2');
    expect(envFileOf(['node', '/nowhere/podvisor-oci', 'exec', '--env-file', '/e', ID])).toBeNull();
  });
});
