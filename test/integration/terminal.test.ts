// [TERMINAL]: the frame protocol, tickets and the session registry over a real `ws` server on port 0,
// driven by the browser's own TerminalConnection against a fake ProcessIo.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TerminalConnection, type ConnectionState } from '../../components/terminal/connection';
import type { ProcessIo } from '../../server/engine/index.js';
import { chunkInput, ClientFrameSchema, MAX_IN_FLIGHT, parseFrame, socketProtocols, TERMINAL_WS_PATH } from '../../server/terminal/protocol.js';
import { TerminalSessions, type TerminalEngine } from '../../server/terminal/sessions.js';
import { createTerminalSocketServer } from '../../server/terminal/socket-server.js';
import { TicketStore } from '../../server/terminal/tickets.js';

/** A TTY process in memory: records what reaches it, in order, and exits on demand. */
function fakeProcess() {
  const calls: string[] = [];
  /** While set, resizes wait for it (a guest busy spawning stty). */
  const resizeGate: { wait: Promise<void> | null } = { wait: null };
  let stdin = '';
  let exit!: (code: number) => void;
  const exited = new Promise<{ exitCode: number }>((resolve) => (exit = (code) => resolve({ exitCode: code })));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  void exited.then(() => (stdout.end(), stderr.end()));
  const io: ProcessIo = {
    stdout,
    stderr,
    writeStdin: async (data) => {
      await new Promise((r) => setTimeout(r, Math.random() * 3)); // out-of-order completion would show
      stdin += data.toString();
    },
    closeStdin: async () => {},
    resize: async (rows, cols) => {
      calls.push(`resize ${rows}x${cols}`);
      await resizeGate.wait;
      calls.push(`resized ${rows}x${cols}`);
    },
    signal: async (signal) => void calls.push(`signal ${signal}`),
    wait: () => exited,
    close: () => void calls.push('close'),
  };
  return { io, stdout, calls, exit, resizeGate, stdin: () => stdin };
}

const ORIGIN = 'http://console.test';
const USER = { userId: 'u1', name: 'operator', loginId: 'login-1' };
/** Node's `ws` as the browser's WebSocket, sending the console's Origin as a browser would. */
class BrowserLikeSocket extends WebSocket {
  constructor(url: string, protocols: string[]) {
    super(url, protocols, { origin: ORIGIN });
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

async function harness(graceMs = 60_000) {
  const proc = fakeProcess();
  const events: string[] = [];
  const engine = {
    enterContainer: async () => ({ process: { token: 'exec-1', pid: 7, startTime: '' } }),
    attachProcess: async () => proc.io,
    recordPodEvent: async (_podId: string, event: { message: string }) => void events.push(event.message),
  } as unknown as TerminalEngine;
  const sessions = new TerminalSessions(engine, { graceMs });
  const sockets = createTerminalSocketServer(sessions, { isAllowedOrigin: (o) => o === ORIGIN, stillAllowed: async () => true });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head) || socket.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  cleanups.push(() => (sessions.closeAll(), sockets.close(), server.close()));
  const url = `ws://127.0.0.1:${port}${TERMINAL_WS_PATH}`;
  const opened = await sessions.openExec({ podId: 'p', containerId: 'c', command: '/bin/sh', rows: 30, cols: 100 }, USER);
  return { proc, sessions, url, opened, events };
}

/** A viewer: collects what it is sent; acks only when `autoAck` is on (a browser keeping up). */
function viewer(url: string, ticket: () => Promise<string>, autoAck = true) {
  const seen = { output: '', snapshot: '', states: [] as ConnectionState[], pendingAcks: [] as (() => void)[] };
  const connection = new TerminalConnection({
    ticket,
    url,
    onState: (s) => seen.states.push(s),
    onSnapshot: (data) => (seen.snapshot = data),
    onOutput: (data, _stream, written) => {
      seen.output += data;
      if (autoAck) written();
      else seen.pendingAcks.push(written);
    },
    WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
  });
  cleanups.push(() => connection.close());
  return { connection, seen };
}

/** A liveness bound: what it waits for must happen, however loaded the machine is. */
const until = async (check: () => boolean, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('[TERMINAL] protocol and tickets', () => {
  it('drops malformed frames and keeps surrogate pairs whole when chunking', () => {
    expect(parseFrame(ClientFrameSchema, '{"t":"resize","rows":0,"cols":80}')).toBeNull();
    expect(parseFrame(ClientFrameSchema, 'not json')).toBeNull();
    expect(parseFrame(ClientFrameSchema, '{"t":"input","data":"ls\\r"}')).toEqual({ t: 'input', data: 'ls\r' });
    const chunks = chunkInput('a😀b', 2);
    expect(chunks).toEqual(['a', '😀', 'b']);
  });

  it('refuses a reused ticket and an expired one', () => {
    let now = 0;
    const tickets = new TicketStore(30_000, () => now);
    const grant = { sessionId: 's', readOnly: false, user: USER, podId: 'p', containerId: 'c' };
    const once = tickets.mint(grant);
    expect(tickets.redeem(once)).toEqual(grant);
    expect(tickets.redeem(once)).toBeNull();
    const late = tickets.mint({ ...grant, readOnly: true });
    now = 30_000;
    expect(tickets.redeem(late)).toBeNull();
  });
});

describe('[TERMINAL] sessions over a real WebSocket', () => {
  it('sizes the TTY before any output; refuses a reused ticket and a foreign origin at the upgrade', async () => {
    const { proc, sessions, url, opened } = await harness();
    expect(proc.calls[0]).toBe('resize 30x100');
    const first = viewer(url, async () => opened.ticket);
    await first.connection.connect();
    await until(() => first.seen.states.some((s) => s.kind === 'connected'));
    const refusal = (ws: WebSocket) => new Promise<number>((r) => ws.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    expect(await refusal(new BrowserLikeSocket(url, socketProtocols(opened.ticket)))).toBe(401);
    // Another site's page (or a sandboxed one, Origin "null") may not use even a valid ticket.
    for (const origin of ['http://evil.example', 'null']) {
      const ticket = sessions.attachTicket(opened.sessionId, true, USER);
      expect(await refusal(new WebSocket(url, socketProtocols(ticket), { origin }))).toBe(403);
    }
  });

  it('pauses the output while the viewer does not ack, and resumes once it does', async () => {
    const { proc, url, opened } = await harness();
    const slow = viewer(url, async () => opened.ticket, false);
    await slow.connection.connect();
    await until(() => slow.seen.states.some((s) => s.kind === 'connected'));
    const total = 4 * MAX_IN_FLIGHT;
    for (let i = 0; i < total / 1024; i++) proc.stdout.write('x'.repeat(1023) + '\n');
    await until(() => proc.stdout.isPaused());
    await new Promise((r) => setTimeout(r, 200));
    expect(slow.seen.output.length).toBeLessThan(total);
    expect(slow.seen.output.length).toBeLessThanOrEqual(MAX_IN_FLIGHT + 64 * 1024);
    // Ack as a browser would, including what arrives from now on.
    const ackAll = () => slow.seen.pendingAcks.splice(0).forEach((written) => written());
    const acker = setInterval(ackAll, 5);
    cleanups.push(() => clearInterval(acker));
    await until(() => slow.seen.output.length === total);
  });

  it('delivers a 10 000-character paste complete and in order', async () => {
    const { proc, url, opened } = await harness();
    const typist = viewer(url, async () => opened.ticket);
    await typist.connection.connect();
    await until(() => typist.seen.states.some((s) => s.kind === 'connected'));
    const paste = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    typist.connection.sendInput(paste);
    await until(() => proc.stdin().length === paste.length);
    expect(proc.stdin()).toBe(paste);
  });

  it('never holds keystrokes behind a slow resize, and applies only the latest of the sizes that queued up', async () => {
    const { proc, url, opened } = await harness();
    const typist = viewer(url, async () => opened.ticket);
    await typist.connection.connect();
    await until(() => typist.seen.states.some((s) => s.kind === 'connected'));
    let release!: () => void;
    proc.resizeGate.wait = new Promise((r) => (release = r));
    typist.connection.resize(40, 120);
    await until(() => proc.calls.includes('resize 40x120'));
    typist.connection.resize(41, 121);
    typist.connection.resize(42, 122);
    typist.connection.sendInput('echo made\r');
    await until(() => proc.stdin() === 'echo made\r'); // while the first resize still hangs
    release();
    await until(() => proc.calls.includes('resized 42x122'));
    expect(proc.calls.filter((c) => c.startsWith('resize ')).slice(-2)).toEqual(['resize 40x120', 'resize 42x122']);
  });

  it('replays the screen to a viewer that reattaches, lets a second one watch read-only, and reports the exit code', async () => {
    const { proc, sessions, url, opened, events } = await harness();
    proc.stdout.write('$ echo hi\r\nhi\r\n$ ');
    await new Promise((r) => setTimeout(r, 50));
    const again = viewer(url, async () => sessions.attachTicket(opened.sessionId, false, USER));
    await again.connection.connect();
    await until(() => again.seen.snapshot.includes('hi'));
    const watcher = viewer(url, async () => sessions.attachTicket(opened.sessionId, true, USER));
    await watcher.connection.connect();
    await until(() => watcher.seen.states.some((s) => s.kind === 'connected' && s.readOnly));
    watcher.connection.sendInput('rm -rf /\r');
    again.connection.sendInput('ok\r');
    await until(() => proc.stdin() === 'ok\r');
    await new Promise((r) => setTimeout(r, 50)); // the read-only viewer's input, had it gone through, would be here now
    expect(proc.stdin()).toBe('ok\r');
    expect(sessions.list('p', 'c')).toHaveLength(1);
    proc.exit(3);
    await until(() => again.seen.states.at(-1)?.kind === 'exited');
    expect(again.seen.states.at(-1)).toEqual({ kind: 'exited', code: 3 });
    expect(sessions.list('p', 'c')).toHaveLength(0);
    expect(events).toEqual(['terminal opened by operator: /bin/sh (100x30)', expect.stringMatching(/^terminal "\/bin\/sh" closed after \d+ s: exit code 3$/)]);
  });

  it('lets go of a container output view without a viewer, never killing the container', async () => {
    const proc = fakeProcess();
    const sessions = new TerminalSessions({ attachProcess: async () => proc.io } as unknown as TerminalEngine, { graceMs: 60_000, viewIdleMs: 50 });
    await sessions.openContainerOutput('p', 'c', USER);
    await until(() => proc.calls.includes('close'));
    expect(proc.calls).not.toContain('signal SIGKILL');
  });

  it('kills the process when no viewer comes back within the grace period', async () => {
    const { proc, sessions } = await harness(100);
    await until(() => proc.calls.includes('signal SIGKILL'));
    expect(sessions.list('p', 'c')).toHaveLength(0);
  });
});
