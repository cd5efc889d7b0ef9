// Browser terminal bench: a 5 MiB `cat` from a real QEMU pod into the console's xterm, and keystroke echo,
// each against a bare `ws` loopback channel into an xterm on a page of its own (same browser, same xterm).
// Starts the console server, a pod, chromium; stops and removes all of it. Usage: npx tsx bench/terminal-browser.ts
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { removeRunDirSafely } from '../server/engine/run-dir.js';
import { median } from './lib/stats.js';

const FILE_BYTES = 5 * 1024 * 1024;
const KEYS = 'abcdefghijklmnopqrstuvwxyz0123'; // 30 keystrokes, none in the prompt
const p95 = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length * 0.95)]!;
const mibps = (ms: number) => FILE_BYTES / 1048576 / (ms / 1000);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise<number>((resolve) => {
  const s = http.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
});
const benchStart = Date.now();

// What the pod's TTY prints for the file: `yes ... | head -c 5 MiB` plus a mark, with \n turned into \r\n.
const LINE = '0123456789abcdefghijklmnopqrstuvwxyz\n';
const ttyBytes = (LINE.repeat(Math.ceil(FILE_BYTES / LINE.length)).slice(0, FILE_BYTES) + 'END-42\n').replace(/\n/g, '\r\n');

// In-page probes: the time a key reaches the page (keydown) or a marked moment, until a text is on the screen.
async function armScreenWatch(page: Page, rowsSelector: string, text: string, startOn: 'keydown' | 'now') {
  await page.evaluate(({ rowsSelector, text, startOn }) => {
    const w = window as unknown as { __t0?: number; __done?: Promise<number> };
    w.__t0 = startOn === 'now' ? performance.now() : undefined;
    (w as { __msgAt?: number }).__msgAt = undefined;
    if (startOn === 'keydown') document.addEventListener('keydown', () => (w.__t0 ??= performance.now()), { capture: true, once: true });
    const rows = document.querySelector(rowsSelector)!;
    w.__done = new Promise<number>((resolve) => {
      // No named function here: tsx's keepNames would wrap it in a __name() the page does not have.
      const observer = new MutationObserver(() => rows.textContent!.replace(/\u00a0/g, ' ').includes(text) && (observer.disconnect(), resolve(performance.now() - w.__t0!)));
      observer.observe(rows, { subtree: true, childList: true, characterData: true });
    });
  }, { rowsSelector, text, startOn });
}
async function screenWatchMs(page: Page, timeout = 120_000) {
  const done = page.evaluate(() => (window as unknown as { __done: Promise<number> }).__done);
  done.catch(() => {}); // a timed-out watch may reject later, when the browser closes
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('screen watch timed out')), timeout)));
  return Promise.race([done, timedOut]).finally(() => clearTimeout(timer));
}

// Every page notes when its first WebSocket message after a watch arrives (a string: tsx would rewrite a function).
const NOTE_MESSAGES = `const W = window.WebSocket; window.WebSocket = class extends W { constructor(...a) { super(...a);
  this.addEventListener('message', () => { window.__msgAt ??= performance.now(); }); } };`;

async function echoLatencies(page: Page, rowsSelector: string) {
  const samples: number[] = [];
  const arrivals: number[] = []; // keydown until the echo's bytes reach the page, before xterm renders them
  for (let i = 1; i <= KEYS.length; i++) {
    await armScreenWatch(page, rowsSelector, KEYS.slice(0, i), 'keydown');
    await page.keyboard.type(KEYS[i - 1]!);
    samples.push(await screenWatchMs(page, 10_000));
    arrivals.push(await page.evaluate(() => (window as unknown as { __msgAt: number }).__msgAt - (window as unknown as { __t0: number }).__t0));
    await wait(30);
  }
  return { samples, arrivals };
}

// The baseline: a bare ws server on loopback (echoes input, or sends the file's bytes on "go") and a page with xterm.
const XTERM = path.resolve('node_modules/@xterm/xterm');
const baseServer = http.createServer((req, res) => {
  const files: Record<string, [string, string]> = { '/xterm.js': ['lib/xterm.js', 'text/javascript'], '/xterm.css': ['css/xterm.css', 'text/css'] };
  const file = files[req.url ?? ''];
  if (file) return res.writeHead(200, { 'content-type': file[1] }).end(readFileSync(path.join(XTERM, file[0])));
  res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><link rel="stylesheet" href="/xterm.css"><script src="/xterm.js"></script>
<body style="margin:0"><div id="host" style="background:#000;padding:4px;overflow:hidden"></div></body>`);
});
const baseWs = new WebSocketServer({ server: baseServer });
baseWs.on('connection', (ws) => ws.on('message', (m) => {
  if (String(m) !== 'go') return ws.send(String(m));
  for (let i = 0; i < ttyBytes.length; i += 64 * 1024) ws.send(ttyBytes.slice(i, i + 64 * 1024));
}));
await new Promise<void>((r) => baseServer.listen(0, '127.0.0.1', r));
const basePort = (baseServer.address() as AddressInfo).port;

// The console server, on a free port with a throw-away home, and a pod from a copy of the busybox rootfs.
const home = mkdtempSync(path.join(tmpdir(), 'pv-bench-home-'));
const rootfsParent = mkdtempSync(path.join(tmpdir(), 'pv-bench-rootfs-'));
const rootFs = path.join(rootfsParent, 'rootfs');
cpSync(path.resolve('var/rootfs/busybox'), rootFs, { recursive: true, verbatimSymlinks: true });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
  detached: true, stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PODVISOR_HOME: home, PODVISOR_RUN_DIR: `${home}/run`, PODVISOR_HOST_PATH_ROOTS: rootfsParent, NEXT_TELEMETRY_DISABLED: '1' },
});
/** The first admin of the fresh home, made through the first-run call: its cookies log in both the API calls and the browser. */
const login = { cookies: [] as { name: string; value: string }[], csrfToken: '' };
const trpc = async (proc: string, data: unknown) => {
  const headers = {
    'content-type': 'application/json',
    origin: base,
    cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
    'x-csrf-token': login.csrfToken,
  };
  const res = await fetch(`${base}/api/trpc/${proc}`, { method: 'POST', headers, body: JSON.stringify(data), signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`${proc}: ${res.status} ${await res.text()}`);
  return res;
};
const POD = `bench-term-${process.pid}`;
let [podRunning, cleanExit] = [false, false];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (let t = Date.now(); ; await wait(500)) {
    if (await fetch(`${base}/api/trpc/auth.status`).then((r) => r.ok, () => false)) break;
    if (Date.now() - t > 120_000) throw new Error('console server did not start');
  }
  const setup = await trpc('auth.setup', { name: 'bench', password: 'bench password, long enough' });
  login.cookies = setup.headers.getSetCookie().map((c) => c.split(';')[0]!).map((c) => ({ name: c.split('=')[0]!, value: c.slice(c.indexOf('=') + 1) }));
  login.csrfToken = ((await setup.json()) as { result: { data: { csrfToken: string } } }).result.data.csrfToken;
  const context = await browser.newContext();
  await context.addCookies(login.cookies.map((c) => ({ ...c, url: base })));
  podRunning = true; // from here on, always try to stop and delete it
  await trpc('pod.run', {
    id: POD, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim',
    containers: [{ id: 'c1', rootFs, cmd: { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true } }],
  });

  // 1. The console: open a terminal on the container page (DOM renderer, so the screen is readable text).
  const page = await context.newPage();
  await page.addInitScript({ content: `localStorage.setItem('podvisor.terminal.renderer', 'dom'); ${NOTE_MESSAGES}` });
  await page.goto(`${base}/pods/${POD}/containers/c1`);
  await page.getByRole('button', { name: 'Open terminal' }).click();
  const panel = '.terminal-panel:not([hidden])';
  const rows = `${panel} .xterm-rows`;
  await page.locator(panel).getByRole('status').filter({ hasText: /^Connected/ }).waitFor({ timeout: 60_000 });
  const run = async (command: string) => (await page.locator(`${panel} .terminal-host`).click(), await page.keyboard.type(command), await page.keyboard.press('Enter'));
  await armScreenWatch(page, rows, 'made', 'now');
  await run(`yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${FILE_BYTES} > /tmp/big; echo END-$((40+2)) >> /tmp/big; clear; echo ma""de`);
  await screenWatchMs(page, 60_000);
  await page.keyboard.type('clear; cat /tmp/big');
  await wait(500);
  await armScreenWatch(page, rows, 'END-42', 'keydown');
  await page.keyboard.press('Enter'); // the clock starts as the Enter reaches the page
  const consoleCatMs = await screenWatchMs(page);
  await run('clear');
  await wait(1000);
  const consoleEcho = await echoLatencies(page, rows);
  await page.keyboard.press('Control+C');
  const box = (await page.locator(`${panel} .terminal-host`).boundingBox())!;
  const size = await page.evaluate((sel) => [...document.querySelectorAll(sel)].length, `${rows} > div`);

  // 2. The baseline page: same xterm options and host size; input echoed by the bare ws server.
  const basePage = await browser.newPage();
  await basePage.addInitScript({ content: NOTE_MESSAGES });
  await basePage.goto(`http://127.0.0.1:${basePort}/`);
  const baseRows = await basePage.evaluate(async ({ port, box }) => {
    const host = document.getElementById('host')!;
    Object.assign(host.style, { width: `${box.width - 8}px`, height: `${box.height - 8}px` });
    const term = new (window as unknown as { Terminal: typeof import('@xterm/xterm').Terminal }).Terminal({ allowProposedApi: true, cursorBlink: true, scrollback: 5000, fontSize: 13, fontFamily: "ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, monospace" });
    term.open(host);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((r) => (ws.onopen = r));
    ws.onmessage = (e) => term.write(String(e.data));
    term.onData((d) => ws.send(d));
    Object.assign(window, { __ws: ws, __term: term });
    return term.rows;
  }, { port: basePort, box });
  await armScreenWatch(basePage, '.xterm-rows', 'END-42', 'now');
  await basePage.evaluate(() => (window as unknown as { __ws: WebSocket }).__ws.send('go'));
  const baseCatMs = await screenWatchMs(basePage);
  await basePage.evaluate(() => (window as unknown as { __term: { reset(): void } }).__term.reset());
  await basePage.locator('#host').click();
  const baseEcho = await echoLatencies(basePage, '.xterm-rows');
  // The channel's bare round trip from the page: a message to the echo server and back, no xterm.
  const rtts = await basePage.evaluate(async (n) => {
    const ws = (window as unknown as { __ws: WebSocket }).__ws;
    ws.onmessage = null;
    const out: number[] = [];
    for (let i = 0, t0 = 0; i < n; i++, out.push(performance.now() - t0))
      await new Promise((r) => (ws.addEventListener('message', r, { once: true }), (t0 = performance.now()), ws.send('x')));
    return out;
  }, KEYS.length);

  const [c, b, f] = [mibps(consoleCatMs), mibps(baseCatMs), (v: number[]) => `median ${median(v).toFixed(1)} ms p95 ${p95(v).toFixed(1)} ms`];
  console.log(`terminal: console ${size} rows vs baseline ${baseRows} rows, DOM renderer, chromium headless`);
  console.log(`cat 5 MiB to xterm: console (QEMU pod) ${c.toFixed(2)} MiB/s (${(consoleCatMs / 1000).toFixed(2)} s), bare ws loopback ${b.toFixed(2)} MiB/s (${(baseCatMs / 1000).toFixed(2)} s), ratio ${(c / b).toFixed(2)}x (target >= 0.5x)`);
  console.log(`keystroke echo, ${KEYS.length} keys, keydown to on screen: console ${f(consoleEcho.samples)}; bare ws echo into xterm ${f(baseEcho.samples)}`);
  console.log(`  keydown to echo bytes at the page: console ${f(consoleEcho.arrivals)}; bare ws ${f(baseEcho.arrivals)}; bare ws round trip from the page ${f(rtts)}`);
  const diff = median(consoleEcho.samples) - median(baseEcho.samples);
  console.log(`echo above the bare channel (median, on screen): ${diff.toFixed(1)} ms (target < 50 ms)${diff < 50 ? '' : ' MISSED'}; bytes at the page: ${(median(consoleEcho.arrivals) - median(baseEcho.arrivals)).toFixed(1)} ms`);
  cleanExit = true;
} finally {
  await browser.close().catch(() => {});
  let podGone = !podRunning;
  if (podRunning) {
    await trpc('pod.stop', { podId: POD }).catch((e) => console.error(String(e)));
    podGone = await trpc('pod.delete', { podId: POD }).then(() => true, (e) => (console.error(String(e)), false));
  }
  const stopServer = (signal: NodeJS.Signals) => { try { process.kill(-server.pid!, signal); } catch { /* gone */ } };
  const exited = new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
  stopServer('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), wait(10_000).then(() => false)]))) stopServer('SIGKILL');
  (baseWs.close(), baseServer.close());
  await removeRunDirSafely(home); // detaches any mount left below it before deleting
  if (podGone) rmSync(rootfsParent, { recursive: true, force: true });
  else console.error(`pod ${POD} not deleted: left ${rootfsParent} and cleaned ${home} only`);
  console.log(`bench took ${((Date.now() - benchStart) / 1000).toFixed(0)} s${cleanExit ? '' : ' (failed)'}`);
}
