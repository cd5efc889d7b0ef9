// [SECURITY] Terminal WebSockets: only from the console's origin, only with a fresh single-use
// ticket bound to its user, only for operators, and closed the moment that user's access ends.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ProcessIo } from '../../server/engine/index.js';
import { socketProtocols, TERMINAL_WS_PATH } from '../../server/terminal/protocol.js';
import type { TerminalEngine } from '../../server/terminal/index.js';
import { testConsole, type Login, type TestConsole } from '../helpers/console.js';

/** A shell that runs until it is signalled, echoing its input. */
function liveProcesses(): TerminalEngine & { killed: number } {
  const engine = {
    killed: 0,
    enterContainer: async () => ({ process: { token: 'exec', pid: 7, startTime: '' } }),
    recordPodEvent: async () => {},
    statusPod: async () => ({ vm: null }),
    attachProcess: async (): Promise<ProcessIo> => {
      const stdout = new PassThrough();
      let exit!: (v: { exitCode: number }) => void;
      const exited = new Promise<{ exitCode: number }>((r) => (exit = r));
      return {
        stdout,
        stderr: new PassThrough(),
        writeStdin: async (data) => void stdout.write(data),
        closeStdin: async () => {},
        resize: async () => {},
        signal: async () => {
          engine.killed += 1;
          stdout.end();
          exit({ exitCode: 137 });
        },
        wait: () => exited,
        close: () => {},
      };
    },
  };
  return engine as unknown as TerminalEngine & { killed: number };
}

const sockets: WebSocket[] = [];
afterEach(() => sockets.splice(0).forEach((ws) => ws.terminate()));

/** Opens the socket; resolves with how it went: "open" or the HTTP status of the refusal. */
function connect(c: TestConsole, ticket: string, origin: string | null = c.origin): Promise<{ ws: WebSocket; outcome: string; messages: string[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${c.port}${TERMINAL_WS_PATH}`, socketProtocols(ticket), origin ? { origin } : {});
  sockets.push(ws);
  const messages: string[] = [];
  ws.on('message', (m) => messages.push(m.toString()));
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ ws, outcome: 'open', messages }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, outcome: String(res.statusCode), messages }));
    ws.once('error', () => resolve({ ws, outcome: 'error', messages }));
  });
}

async function openTerminal(c: TestConsole, login: Login): Promise<{ sessionId: string; ticket: string }> {
  const result = await c.mutate('terminal.open', { podId: 'p', containerId: 'c1', command: '/bin/sh', rows: 24, cols: 80 }, { login });
  expect(result.status, result.message).toBe(200);
  return result.data as { sessionId: string; ticket: string };
}

const closedWithin = (ws: WebSocket, ms: number) =>
  new Promise<number>((resolve, reject) => {
    if (ws.readyState === ws.CLOSED) return resolve(0);
    const started = Date.now();
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    ws.once('close', () => (clearTimeout(timer), resolve(Date.now() - started)));
  });

describe('[SECURITY] terminal WebSockets', () => {
  it('refuses a cross-origin socket, and a socket with no Origin, even with a valid ticket', async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    const operator = await c.login('operator');
    expect((await connect(c, (await openTerminal(c, operator)).ticket, 'http://evil.example')).outcome).toBe('403');
    expect((await connect(c, (await openTerminal(c, operator)).ticket, null)).outcome).toBe('403');
    const accepted = await connect(c, (await openTerminal(c, operator)).ticket);
    expect(accepted.outcome).toBe('open');
    // The ticket travels in the subprotocol offer and is never echoed back.
    expect(accepted.ws.protocol).toBe('podvisor.terminal.v1');
    const refusals = await c.auth.audit.list({ action: 'terminal.connect', outcome: 'denied', limit: 10 });
    expect(refusals.map((e) => e.message)).toEqual(['refused the Origin null', 'refused the Origin "http://evil.example"']);
  });

  it('refuses a reused ticket and an unknown one', async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    const operator = await c.login('operator');
    const { ticket } = await openTerminal(c, operator);
    expect((await connect(c, ticket)).outcome).toBe('open');
    expect((await connect(c, ticket)).outcome).toBe('401');
    expect((await connect(c, 'made-up')).outcome).toBe('401');
    const refusals = await c.auth.audit.list({ action: 'terminal.connect', outcome: 'denied', limit: 10 });
    expect(refusals).toHaveLength(2);
    expect(refusals[0]!.message).toMatch(/unknown, expired or already used/);
  });

  it('gives a viewer no terminal at all, and audits the attempt', async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    const viewer = await c.login('viewer');
    const open = await c.mutate('terminal.open', { podId: 'p', containerId: 'c1', command: '/bin/sh', rows: 24, cols: 80 }, { login: viewer });
    expect(open).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    const operator = await c.login('operator');
    const { sessionId } = await openTerminal(c, operator);
    expect(await c.mutate('terminal.attach', { sessionId, readOnly: true }, { login: viewer })).toMatchObject({ status: 403 });
    expect(await c.mutate('terminal.vmConsole', { podId: 'p' }, { login: viewer })).toMatchObject({ status: 403 });
    const denied = await c.auth.audit.list({ actor: 'viewer', action: 'terminal.', outcome: 'denied', limit: 10 });
    expect(denied.map((e) => e.action).sort()).toEqual(['terminal.attach', 'terminal.open', 'terminal.vmConsole']);
  });

  it("lets another operator watch someone's terminal read-only, never type into it", async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    await c.auth.users.add({ name: 'other', role: 'operator', password: 'another long password' });
    const { sessionId } = await openTerminal(c, await c.login('operator'));
    const other = await c.login('other', 'another long password');
    const { ticket } = (await c.mutate('terminal.attach', { sessionId, readOnly: false }, { login: other })).data as { ticket: string };
    const { messages } = await connect(c, ticket);
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    expect(JSON.parse(messages[0]!)).toMatchObject({ t: 'hello', readOnly: true });
  });

  it('closes a live terminal on logout at once (the event, not the periodic re-check), and ends the user’s shells when they are disabled', async () => {
    const processes = liveProcesses();
    // The re-check stretched to an hour: whatever closes these sockets is the revocation event.
    await using c = await testConsole({ terminalEngine: processes, terminalRecheckMs: 3_600_000 });
    const operator = await c.login('operator');
    const { ws } = await connect(c, (await openTerminal(c, operator)).ticket);
    expect(ws.readyState).toBe(ws.OPEN);
    const closed = closedWithin(ws, 10_000);
    await c.mutate('auth.logout', undefined, { login: operator });
    await closed;
    expect(processes.killed).toBe(0); // a logout leaves the shell to its grace period

    const again = await c.login('operator');
    const second = await connect(c, (await openTerminal(c, again)).ticket);
    const closedByDisable = closedWithin(second.ws, 10_000);
    await c.auth.updateUser('operator', { disabled: true });
    await closedByDisable;
    await expect.poll(() => processes.killed).toBeGreaterThan(0);
  });

  it('closes the terminal when another process demotes the user (the periodic re-check, every second)', async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    const operator = await c.login('operator');
    const { ws } = await connect(c, (await openTerminal(c, operator)).ticket);
    // Written straight to the database, as the CLI in another process would: no event reaches the server.
    await c.auth.users.update('operator', { role: 'viewer' });
    await closedWithin(ws, 10_000); // a liveness bound: no event reaches the server, only the re-check can close it
    const closes = await c.auth.audit.list({ action: 'terminal.', actor: 'operator', limit: 10 });
    expect(closes.map((e) => e.action)).toContain('terminal.connect');
  });

  it('drops oversized frames by closing the socket, and ignores unknown frame types', async () => {
    await using c = await testConsole({ terminalEngine: liveProcesses() });
    const operator = await c.login('operator');
    const { ws, messages } = await connect(c, (await openTerminal(c, operator)).ticket);
    ws.send(JSON.stringify({ t: 'exec', cmd: 'rm -rf /' }));
    ws.send('{not json');
    ws.send(JSON.stringify({ t: 'input', data: 'echo ok\r' }));
    await expect.poll(() => messages.join('')).toContain('echo ok');
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(200 * 1024));
    expect(await closed).toBe(1009); // "message too big"
  });
});
