// [RECORDING] terminal sessions recorded as asciicast v2 through the whole console API: an operator's
// exec session over the real WebSocket (fake process), its file and index row, the timeline and
// audit lines; who may list, replay and download it; input recording off; retention.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TerminalConnection } from '../../components/terminal/connection';
import type { ProcessIo } from '../../server/engine/index.js';
import { parseCast } from '../../server/terminal/asciicast.js';
import { TERMINAL_WS_PATH } from '../../server/terminal/protocol.js';
import { Recordings } from '../../server/terminal/recordings.js';
import type { TerminalEngine } from '../../server/terminal/sessions.js';
import { testConsole, type Login, type TestConsole } from '../helpers/console.js';

/** A shell stand-in: echoes each line typed as `you typed: …`, exits on `exit`. */
function fakeShell() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit!: (code: number) => void;
  const exited = new Promise<{ exitCode: number }>((resolve) => (exit = (code) => resolve({ exitCode: code })));
  void exited.then(() => (stdout.end(), stderr.end()));
  const io: ProcessIo = {
    stdout,
    stderr,
    writeStdin: async (data) => {
      const line = data.toString().replace(/\r$/, '');
      if (line === 'exit') return exit(0);
      stdout.write(`you typed: ${line}\r\n$ `);
    },
    closeStdin: async () => {},
    resize: async () => {},
    signal: async () => {},
    wait: () => exited,
    close: () => {},
  };
  return io;
}

const events: string[] = [];
const terminalEngine = {
  enterContainer: async () => ({ process: { token: 'exec-1', pid: 7, startTime: '' } }),
  attachProcess: async () => fakeShell(),
  recordPodEvent: async (_podId: string, event: { message: string }) => void events.push(event.message),
  statusPod: async () => ({ vm: null }),
} as unknown as TerminalEngine;

const until = async (check: () => boolean | Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Opens a terminal as `login`, types `line`, waits for its echo, then `exit`; returns the recording's id. */
async function session(c: TestConsole, login: Login, line: string): Promise<string> {
  const opened = await c.mutate('terminal.open', { podId: 'p1', containerId: 'c1', command: '/bin/sh', rows: 24, cols: 80 }, { login });
  const { ticket } = opened.data as { ticket: string };
  const origin = c.origin;
  class BrowserLike extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols, { origin, headers: { cookie: login.cookie } });
    }
  }
  let output = '';
  let connected = false;
  const connection = new TerminalConnection({ ticket: async () => ticket, url: `ws://127.0.0.1:${c.port}${TERMINAL_WS_PATH}`, onState: (s) => (connected ||= s.kind === 'connected'), onSnapshot: () => {}, onOutput: (data, _s, written) => ((output += data), written()), WebSocketImpl: BrowserLike as unknown as typeof globalThis.WebSocket });
  await connection.connect();
  await until(() => connected);
  connection.sendInput(`${line}\r`);
  await until(() => output.includes(`you typed: ${line}`));
  connection.sendInput('exit\r');
  const before = events.length;
  await until(() => events.length > before);
  connection.close();
  const id = /recorded as ([0-9a-f-]{36})/.exec(events.at(-1) ?? '')?.[1];
  if (!id) throw new Error(`no recording in "${events.at(-1)}"`);
  return id;
}

const cast = (c: TestConsole, id: string, login?: Login, query = '') => fetch(`${c.origin}/recordings/${id}.cast${query}`, { headers: login ? { cookie: login.cookie } : {} });

describe('[RECORDING] terminal sessions', () => {
  it('records output and input as asciicast v2, on the timeline and in the audit log; owner and admins replay, a viewer cannot', async () => {
    await using c = await testConsole({ terminalEngine, recordings: true });
    const [admin, operator, viewer] = [await c.login('admin'), await c.login('operator'), await c.login('viewer')];
    const id = await session(c, operator, 'echo recorded-42');
    expect(events.at(-1)).toMatch(/^terminal "\/bin\/sh" closed after \d+ s: exit code 0; recorded as /);

    // The file is asciicast v2 with the typed line as input and its echo as output.
    await until(async () => ((await c.query('recordings.list', {}, { login: operator })).data as { endedAt: string | null }[])[0]?.endedAt != null);
    const res = await cast(c, id, operator);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-asciicast');
    const { header, events: castEvents } = parseCast(await res.text());
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, title: '/bin/sh' });
    expect(castEvents.filter((e) => e[1] === 'i').map((e) => e[2])).toEqual(['echo recorded-42\r', 'exit\r']);
    expect(castEvents.filter((e) => e[1] === 'o').map((e) => e[2]).join('')).toContain('you typed: echo recorded-42');
    const download = await cast(c, id, admin, '?download=1');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="p1-.*\.cast"$/);

    // Listing: the owner and admins see it; a viewer has no access to recordings at all.
    const listed = (await c.query('recordings.list', { podId: 'p1' }, { login: admin })).data as { id: string; ownerName: string; inputRecorded: boolean }[];
    expect(listed).toMatchObject([{ id, ownerName: 'operator', inputRecorded: true }]);
    expect(await c.query('recordings.list', {}, { login: viewer })).toMatchObject({ status: 403 });
    expect((await cast(c, id, viewer)).status).toBe(403);
    expect((await cast(c, id)).status).toBe(401);

    // Another operator neither lists nor replays it.
    await c.auth.users.add({ name: 'op2', role: 'operator', password: 'correct horse battery' });
    const op2 = await c.login('op2');
    expect((await c.query('recordings.list', {}, { login: op2 })).data).toEqual([]);
    expect((await cast(c, id, op2)).status).toBe(403);

    const audit = await c.auth.audit.list({ limit: 50 });
    const reads = audit.filter((e) => e.action === 'recording.read');
    expect(reads.map((e) => [e.actor, e.outcome])).toEqual(expect.arrayContaining([['operator', 'ok'], ['admin', 'ok'], ['viewer', 'denied'], ['op2', 'denied']]));
    expect(audit.find((e) => e.action === 'terminal.closed')?.input).toContain(id);
  });

  it('keeps no input once the admin turns input recording off; a viewer cannot change that', async () => {
    await using c = await testConsole({ terminalEngine, recordings: true });
    const [admin, operator, viewer] = [await c.login('admin'), await c.login('operator'), await c.login('viewer')];
    expect(await c.mutate('recordings.setSettings', { recordInput: false, retentionDays: 30 }, { login: viewer })).toMatchObject({ status: 403 });
    expect(await c.mutate('recordings.setSettings', { recordInput: false, retentionDays: 30 }, { login: admin })).toMatchObject({ status: 200 });
    const id = await session(c, operator, 'my-password');
    await until(async () => ((await c.query('recordings.list', {}, { login: operator })).data as { endedAt: string | null }[])[0]?.endedAt != null);
    const text = await (await cast(c, id, operator)).text();
    expect(parseCast(text).events.filter((e) => e[1] === 'i')).toEqual([]);
    // The output still shows what the process printed, which is all the recording promises then.
    expect(text).toContain('you typed: my-password');
  });

  it('deletes recordings past the retention period, file and row', async () => {
    await using c = await testConsole();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const dir = path.join(c.t.dir, 'retention');
    const recordings = new Recordings(c.auth.db, dir, () => now);
    await recordings.setSettings({ recordInput: true, retentionDays: 7 });
    const owner = { userId: 'u1', name: 'operator' };
    const meta = { kind: 'exec' as const, podId: 'p1', containerId: 'c1', title: 'sh', owner, size: { rows: 24, cols: 80 } };
    const old = await recordings.start(meta);
    old.output('old');
    await old.finish();
    now += 6 * 86_400_000;
    const recent = await recordings.start(meta);
    await recent.finish();
    now += 2 * 86_400_000; // old is 8 days old, recent 2
    expect(await recordings.prune()).toBe(1);
    expect(await readdir(dir)).toEqual([`${recent.id}.cast`]);
    const admin = { userId: null, name: 'cli', role: 'admin' as const, via: 'cli' as const };
    expect((await recordings.list(admin)).map((r) => r.id)).toEqual([recent.id]);
    expect(await recordings.prune()).toBe(0);
    expect(parseCast(await readFile(path.join(dir, `${recent.id}.cast`), 'utf8')).header.version).toBe(2);
  });
});
