// Terminal pipeline cost, from Node (the browser half is measured by e2e/terminal.spec.ts): MiB/s of a
// TTY `cat` through session + WebSocket + acking client vs the bare ProcessIo and vs a bare `ws`
// loopback; keystroke echo latency vs the socket's own ping round trip. Usage: npx tsx bench/terminal.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { TerminalConnection } from '../components/terminal/connection.js';
import { TerminalSessions } from '../server/terminal/sessions.js';
import { createTerminalSocketServer } from '../server/terminal/socket-server.js';
import { TERMINAL_WS_PATH } from '../server/terminal/protocol.js';
import { testEngine } from '../test/helpers/engine.js';
import { qemuPod, rootfsCopy } from '../test/helpers/vm.js';
import { median } from './lib/stats.js';

const FILE_BYTES = 5 * 1024 * 1024;
const ECHO_SAMPLES = 30;
const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)]!;
const mibps = (bytes: number, ms: number) => bytes / 1048576 / (ms / 1000);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const rootFs = rootfsCopy();
const engine = testEngine({ hostPathRoots: [path.dirname(rootFs)] });
const vc = engine.vc;
await vc.runPod(qemuPod('termbench', [{ id: 'c1', rootFs, cmd: { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true } }]) as never);
const sessions = new TerminalSessions(vc);
const ORIGIN = 'http://bench.test';
const USER = { userId: 'bench', name: 'bench' };
const sockets = createTerminalSocketServer(sessions, { isAllowedOrigin: (o) => o === ORIGIN, stillAllowed: async () => true });
/** Node's `ws` sending an Origin, as the browser does. */
class BrowserLikeSocket extends WebSocket {
  constructor(url: string, protocols: string[]) {
    super(url, protocols, { origin: ORIGIN });
  }
}
const server = http.createServer();
server.on('upgrade', (req, socket, head) => sockets.handleUpgrade(req, socket, head) || socket.destroy());
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address() as AddressInfo;

try {
  const tty = { interactive: true, console: '/dev/console', detach: true };
  const make = await vc.enterContainer('termbench', 'c1', { args: ['sh', '-c', `yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${FILE_BYTES} > /tmp/big`] });
  await (await vc.attachProcess('termbench', 'c1', make.process.token)).wait();

  // 1. The bare ProcessIo: what the guest and agent deliver with nothing of ours in the way, timed
  // from the first byte (exec start-up excluded). Without a TTY, with one, and with one whose line
  // discipline does no output processing (-opost): where the guest spends its time.
  const bare = async (command: string, withTty: boolean) => {
    const entered = await vc.enterContainer('termbench', 'c1', { args: ['sh', '-c', command], ...(withTty ? tty : {}) });
    const io = await vc.attachProcess('termbench', 'c1', entered.process.token);
    let bytes = 0;
    let first = 0;
    io.stdout.on('data', (d: Buffer) => ((first ||= performance.now()), (bytes += d.length)));
    await io.wait();
    io.close();
    return { bytes, rate: mibps(bytes, performance.now() - first) };
  };
  const pipe = await bare('cat /tmp/big', false);
  const ttyBare = await bare('cat /tmp/big', true);
  const rawTty = await bare('stty -opost; cat /tmp/big', true);
  const bareBytes = ttyBare.bytes;

  // 2. The whole pipeline: a shell session, its output over the terminal WebSocket, acked as written.
  let output = '';
  let onOutput = () => {};
  const opened = await sessions.openExec({ podId: 'termbench', containerId: 'c1', command: '/bin/sh', rows: 40, cols: 120 }, USER);
  const connection = new TerminalConnection({
    ticket: async () => opened.ticket,
    url: `ws://127.0.0.1:${port}${TERMINAL_WS_PATH}`,
    onState: () => {},
    onSnapshot: () => {},
    onOutput: (data, _stream, written) => ((output = (output + data).slice(-4096)), written(), onOutput()),
    WebSocketImpl: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
  });
  await connection.connect();
  await wait(1500);
  const until = (re: RegExp) => new Promise<void>((resolve) => (onOutput = () => re.test(output) && resolve()));
  // The arithmetic keeps the typed command line itself from matching the end mark.
  const catDone = until(/END-OF-1CAT/);
  let started = performance.now();
  connection.sendInput('cat /tmp/big; echo END-OF-$((0+1))CAT\r');
  await catDone;
  const pipelineMs = performance.now() - started;

  // 3. Keystroke echo: one character typed, until the shell's echo of it is back.
  const echoes: number[] = [];
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    output = '';
    const echoed = until(/z/);
    const t0 = performance.now();
    connection.sendInput('z');
    await echoed;
    echoes.push(performance.now() - t0);
    connection.sendInput('\x7f'); // erase it again
    await wait(30);
  }
  connection.close();

  // 4. The same socket stack with nothing behind it: ws loopback throughput and ping round trip.
  const loop = new WebSocketServer({ port: 0 });
  const loopPort = (loop.address() as AddressInfo).port;
  loop.on('connection', (ws) => ws.on('message', (m) => (String(m) === 'go' ? sendBytes(ws) : ws.send(m))));
  const sendBytes = (ws: WebSocket) => {
    const frame = JSON.stringify({ t: 'output', data: 'x'.repeat(64 * 1024) });
    for (let sent = 0; sent < FILE_BYTES; sent += 64 * 1024) ws.send(frame);
    ws.send('done');
  };
  const client = new WebSocket(`ws://127.0.0.1:${loopPort}`);
  await new Promise((r) => client.once('open', r));
  started = performance.now();
  client.send('go');
  await new Promise<void>((r) => client.on('message', (m) => String(m) === 'done' && r()));
  const loopMs = performance.now() - started;
  client.removeAllListeners('message');
  const pings: number[] = [];
  for (let i = 0; i < ECHO_SAMPLES; i++) {
    const t0 = performance.now();
    client.send('{"t":"ping"}');
    await new Promise((r) => client.once('message', r));
    pings.push(performance.now() - t0);
  }
  client.close();
  loop.close();

  const bareRate = ttyBare.rate;
  const pipelineRate = mibps(bareBytes, pipelineMs);
  const loopRate = mibps(FILE_BYTES, loopMs);
  console.log(`guest output into the host ProcessIo: no TTY ${pipe.rate.toFixed(2)} MiB/s, TTY ${ttyBare.rate.toFixed(2)} MiB/s, TTY without output processing (stty -opost) ${rawTty.rate.toFixed(2)} MiB/s`);
  console.log(`cat ${FILE_BYTES >> 20} MiB (TTY): bare ProcessIo ${bareRate.toFixed(2)} MiB/s, through the terminal WebSocket ${pipelineRate.toFixed(2)} MiB/s (ratio ${(pipelineRate / bareRate).toFixed(2)})`);
  console.log(`bare ws loopback ${loopRate.toFixed(0)} MiB/s: the socket is ${(loopRate / pipelineRate).toFixed(0)}x faster than the guest's output`);
  console.log(`keystroke echo median ${median(echoes).toFixed(1)} ms p95 ${p95(echoes).toFixed(1)} ms; ws round trip median ${median(pings).toFixed(2)} ms p95 ${p95(pings).toFixed(2)} ms (echo/rtt ${(median(echoes) / median(pings)).toFixed(0)}x)`);
} finally {
  sessions.closeAll();
  sockets.close();
  server.close();
  await vc.stopPod('termbench');
  await vc.deletePod('termbench');
  await vc.close();
}
