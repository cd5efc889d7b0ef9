// podvisor-oci's handlers: each OCI runtime command as calls of the console's own API procedures
// (through the CLI's local connection: same validation, pod events and audit entries as
// `podvisor`, actor cli:<user>), plus the relay process that stands for a container process.
// One OCI container = one pod (a QEMU VM on the kata agent) with one container, both named by the
// OCI ID.
import { spawn } from 'node:child_process';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { connect as connectSocket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Connection } from '../cli/client.js';
import { EngineError, toEngineError, type State } from '../engine/index.js';
import { logLine, type CreateArgs, type ExecArgs, type Globals, type OciHandlers } from './argv.js';
import { consoleRequestOf, handoffCommand, type ConsoleRequest } from './pty-handoff.js';
import { ociProcessToCmd, ociTerminalOf, ociToPodConfig } from './spec.js';
import { listRecords, ociState, readRecord, relayAlive, relaySocketOf, removeRecord, RELAY_MARKER, writeRecord, type ContainerRecord } from './state.js';

async function withApi<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
  const { connect } = await import('../cli/client.js');
  const c = await connect(undefined);
  try {
    return await fn(c);
  } catch (err) {
    throw c.errorOf(err);
  } finally {
    await c.close();
  }
}

const local = (c: Connection) => c.local!;

/** Written whole or not at all: conmon reads the file as soon as we exit. */
async function writePidFile(file: string, pid: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
  await writeFile(tmp, String(pid));
  await rename(tmp, file);
}

/**
 * Leaves a relay (relay.ts) running, detached from us, with our stdio (conmon's pipes) or behind a
 * pty handed to the client's console socket (pty-handoff.ts), and waits for its first word on fd 3.
 * fds 4-9 are shadowed so none of conmon's own pipes (sync, start) stay open in it past our exit.
 */
function spawnRelay(g: Globals, id: string, token: string | null, pty: ConsoleRequest | null): Promise<number> {
  const log = g.log ? ['--log', g.log, '--log-format', g.logFormat] : [];
  const argv = [...process.execArgv, process.argv[1]!, ...(g.envFile ? ['--env-file', g.envFile] : []), ...log, '--root', g.root, RELAY_MARKER, id, ...(token ? ['--token', token] : []), ...(pty ? ['--tty'] : [])];
  const { file, args } = pty ? handoffCommand(pty, process.execPath, argv) : { file: process.execPath, args: argv };
  const child = spawn(file, args, { detached: true, cwd: '/', stdio: ['inherit', 'inherit', 'inherit', 'pipe', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore'] });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      child.kill('SIGKILL');
      reject(new EngineError('INTERNAL', `the relay of ${id} ${why}`));
    };
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    child.once('exit', (code) => fail(`exited at once (${code})`));
    createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).once('line', (line) => {
      child.removeAllListeners('exit');
      if (line !== 'ready') return fail(`could not attach: ${line.replace(/^error /, '')}`);
      child.unref();
      (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
      resolve(child.pid!);
    });
  });
}

/** What `start` does: asks the init relay to attach to `token`; resolves once it has. */
export function handOver(socketPath: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connectSocket(socketPath, () => sock.write(`${token}\n`));
    let answer = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (answer += d));
    sock.once('error', (err) => reject(new EngineError('INTERNAL', `the container's relay is gone (${err.message}): delete it and create it again`)));
    sock.once('close', () => (answer.startsWith('ok') ? resolve() : reject(new EngineError('AGENT_FAILED', `the relay could not attach: ${answer.replace(/^error /, '').trim() || 'no answer'}`))));
  });
}

async function engineState(c: Connection, id: string): Promise<State | null> {
  try {
    return (await c.api.container.status.query({ podId: id, containerId: id })).state;
  } catch (err) {
    const code = c.errorOf(err).code;
    if (code === 'POD_NOT_FOUND' || code === 'CONTAINER_NOT_FOUND') return null;
    throw err;
  }
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * The init process has ended: its VM goes before the relay exits, i.e. before podman's cleanup runs
 * CNI DEL on the netns it gave us (it does that before `delete`). Stopping gives the netns's link
 * its addresses back, and the bridge plugin finds the masquerade rules to remove from those
 * addresses: without them, its DEL leaves the rules behind. A failure goes to --log and leaves the
 * pod to `delete`, which stops it then.
 */
async function stopAfterInit(g: Globals, id: string): Promise<void> {
  try {
    await withApi(async (c) => {
      if ((await c.api.pod.status.query({ podId: id })).state !== 'stopped') await c.api.pod.stop.mutate({ podId: id });
    });
  } catch (err) {
    const e = toEngineError(err);
    if (e.code === 'POD_NOT_FOUND' || !g.log) return; // gone already: `delete --force` got there first
    await appendFile(g.log, logLine(g.logFormat, `stopping the pod of ${id} after its process exited: ${e.code}: ${e.message}`)).catch(() => undefined);
  }
}

/** A relay's stdin (conmon's pipe with -i) would keep Node alive: exit once the output is out. */
async function exitWhenFlushed(code: number): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write('', () => process.stderr.write('', () => resolve())));
  process.exit(code);
}

export const handlers: OciHandlers = {
  async create(g, a: CreateArgs) {
    if (a.preserveFds) throw new EngineError('NOT_SUPPORTED', `--preserve-fds ${a.preserveFds}: host file descriptors cannot be passed into the VM`);
    const bundle = path.resolve(a.bundle);
    const raw = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as unknown;
    const { config } = ociToPodConfig(raw, { id: a.id, bundle });
    const pty = consoleRequestOf(ociTerminalOf((raw as { process: unknown }).process), a.consoleSocket, 'config.json process');
    if (await readRecord(g.root, a.id).then(() => true, () => false)) throw new EngineError('CONTAINER_EXISTS', `container ${a.id} exists`);
    await withApi(async (c) => {
      await c.api.pod.create.mutate(config as Parameters<typeof c.api.pod.create.mutate>[0]);
      try {
        await writeRecord(g.root, { id: a.id, bundle, rootfs: config.containers![0]!.rootFs, pid: 0, created: new Date().toISOString(), annotations: config.annotations ?? {}, started: false });
        const pid = await spawnRelay(g, a.id, null, pty);
        const record = await readRecord(g.root, a.id);
        await writeRecord(g.root, { ...record, pid });
        if (a.pidFile) await writePidFile(a.pidFile, pid);
      } catch (err) {
        // Undo: nothing of a failed create may stay (the relay exits when its socket dir goes).
        await removeRecord(g.root, a.id);
        await c.api.pod.delete.mutate({ podId: a.id }).catch(() => undefined);
        throw err;
      }
    });
  },

  async start(g, id) {
    const record = await readRecord(g.root, id);
    if (record.started) throw new EngineError('INVALID_STATE', `container ${id} has already been started`);
    await withApi(async (c) => {
      await c.api.pod.start.mutate({ podId: id });
      const container = (await local(c).vc.fetchPod(id)).getContainer(id);
      if (!container) throw new EngineError('CONTAINER_NOT_FOUND', `container ${id} is not in its pod`);
      await handOver(relaySocketOf(g.root, id), container.process().token);
      await writeRecord(g.root, { ...record, started: true });
    });
  },

  async state(g, id) {
    const record = await readRecord(g.root, id);
    const state = await withApi((c) => engineState(c, id));
    print(JSON.stringify(ociState(record, state, relayAlive(record.pid, id)), null, 2));
  },

  async kill(g, id, signal, all) {
    await readRecord(g.root, id);
    const sig = /^\d+$/.test(signal) ? Number(signal) : signal;
    await withApi((c) => c.api.container.kill.mutate({ podId: id, containerId: id, signal: sig, all }));
  },

  async delete(g, id, force) {
    const record = await readRecord(g.root, id).catch((err: unknown) => {
      if (force) return null;
      throw err;
    });
    if (!record) return;
    await withApi(async (c) => {
      const state = await engineState(c, id);
      if (state !== null) {
        const alive = relayAlive(record.pid, id) && state !== 'ready';
        if (alive && !force && state !== 'stopped') throw new EngineError('INVALID_STATE', `container ${id} is ${state}: stop it first, or use --force`);
        if ((await c.api.pod.status.query({ podId: id })).state !== 'stopped') await c.api.pod.stop.mutate({ podId: id });
        await c.api.pod.delete.mutate({ podId: id });
      }
    });
    // A relay never started has nothing to relay: it would wait for `start` forever.
    if (relayAlive(record.pid, id)) process.kill(record.pid, 'SIGKILL');
    await removeRecord(g.root, id);
  },

  async exec(g, a: ExecArgs) {
    await readRecord(g.root, a.id);
    let spec: unknown;
    if (a.processFile) {
      spec = JSON.parse(await readFile(a.processFile, 'utf8'));
    } else {
      if (!a.args.length) throw new EngineError('INVALID_ARGUMENT', 'exec needs --process or a command');
      spec = { args: a.args, cwd: a.cwd ?? '/', env: a.env, user: { uid: 0, gid: 0 } };
    }
    // As runc: --tty asks for a terminal whatever the process.json says.
    if (a.tty) spec = { ...(spec as object), terminal: true };
    const cmd = ociProcessToCmd(spec, [], '');
    const terminal = ociTerminalOf(spec);
    if (!a.detach && a.consoleSocket) throw new EngineError('NOT_SUPPORTED', `--console-socket ${a.consoleSocket} without --detach: a foreground exec relays on its own stdio`);
    const pty = a.detach ? consoleRequestOf(terminal, a.consoleSocket, 'the exec process') : null;
    const process_ = await withApi((c) => c.api.container.enter.mutate({ podId: a.id, containerId: a.id, cmd: cmd as Parameters<typeof c.api.container.enter.mutate>[0]['cmd'] }));
    if (a.detach) {
      const pid = await spawnRelay(g, a.id, process_.token, pty);
      if (a.pidFile) await writePidFile(a.pidFile, pid);
      return 0;
    }
    // Foreground, as `runc exec` without -d: this process relays on its own stdio (a terminal with
    // -t, then), and exits with the process's code.
    const { openEngine } = await import('../engine/index.js');
    const { runRelay } = await import('./relay.js');
    return exitWhenFlushed(await runRelay({ vc: await openEngine(), podId: a.id, containerId: a.id, token: process_.token, socketPath: '', tty: terminal !== null }));
  },

  async pause(g, id) {
    await readRecord(g.root, id);
    await withApi((c) => c.api.pod.pause.mutate({ podId: id }));
  },

  async resume(g, id) {
    await readRecord(g.root, id);
    await withApi((c) => c.api.pod.resume.mutate({ podId: id }));
  },

  async ps(g, id, format) {
    const record = await readRecord(g.root, id);
    if (format === 'json') {
      // runc lists host PIDs: ours is the relay's (the processes themselves are in the guest).
      print(JSON.stringify(relayAlive(record.pid, id) ? [record.pid] : []));
      return;
    }
    print(await withApi((c) => c.api.container.processList.query({ podId: id, containerId: id, options: { format: 'table' } })));
  },

  async list(g, format, quiet) {
    const records = await listRecords(g.root);
    const states = await withApi((c) => Promise.all(records.map(async (r: ContainerRecord) => ociState(r, await engineState(c, r.id), relayAlive(r.pid, r.id)))));
    if (quiet) return print(states.map((s) => s.id).join('\n'));
    if (format === 'json') return print(JSON.stringify(states));
    const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED'], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created])];
    print(rows.map((r) => r.join('\t')).join('\n'));
  },

  async relay(g, id, token, tty) {
    const { openEngine } = await import('../engine/index.js');
    const { runRelay } = await import('./relay.js');
    const code = await runRelay({ vc: await openEngine(), podId: id, containerId: id, token: token ?? undefined, socketPath: relaySocketOf(g.root, id), tty });
    if (!token) await stopAfterInit(g, id);
    return exitWhenFlushed(code);
  },
};
