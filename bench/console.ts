// Console bench (chromium): the pod list with 1 000 mock pods, time to first paint, to all rows on
// screen and to apply a search filter; the pod page's time to interactive; each against a baseline
// measured in the same run and browser: a blank page from a bare HTTP server (first paint) and the
// same 1 000-row table filtered by plain DOM code (filter). Starts the console server on a fresh
// home, removes it after. Usage: npx tsx bench/console.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { median } from './lib/stats.js';

const PODS = 1000;
const RUNS = 5;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
const benchStart = Date.now();

const home = mkdtempSync(path.join(tmpdir(), 'pv-bench-console-'));
const rootFs = path.join(home, 'rootfs');
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn('node', ['--import', 'tsx', 'server/main.ts'], {
  detached: true,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PODVISOR_HOME: home, PODVISOR_RUN_DIR: `${home}/run`, PODVISOR_HOST_PATH_ROOTS: home, NEXT_TELEMETRY_DISABLED: '1' },
});

// The baseline: a bare server's blank page, and a page with the same 1 000-row table filtered by plain DOM code.
const rows = Array.from({ length: PODS }, (_, i) => `<tr><td>pod-${String(i).padStart(4, '0')}</td><td>ready</td><td>mock</td></tr>`).join('');
const PLAIN = `<!doctype html><title>t</title><input aria-label="q"><table><tbody>${rows}</tbody></table><script>
const q = document.querySelector('input'); const trs = [...document.querySelectorAll('tr')];
q.addEventListener('input', () => trs.forEach((tr) => (tr.style.display = tr.textContent.includes(q.value) ? '' : 'none')));</script>`;
const bare = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(req.url === '/table' ? PLAIN : '<!doctype html><title>b</title><p>blank</p>'));
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

const login = { cookies: [] as { name: string; value: string }[], csrfToken: '' };
async function trpc(proc: string, data: unknown) {
  const headers = { 'content-type': 'application/json', origin: base, cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join('; '), 'x-csrf-token': login.csrfToken };
  const res = await fetch(`${base}/api/trpc/${proc}`, { method: 'POST', headers, body: JSON.stringify(data), signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`${proc}: ${res.status} ${await res.text()}`);
  return res;
}

/** First contentful paint of a fresh navigation, in ms since navigation start. */
async function firstPaint(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'load' });
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const now = performance.getEntriesByName('first-contentful-paint')[0];
        if (now) return resolve(now.startTime);
        new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({ type: 'paint', buffered: true });
      }),
  );
}

/** Navigation start until `selector` matches `count` elements (or one, when count is omitted). */
async function until(page: Page, url: string, selector: string, count?: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const locator = page.locator(selector);
  if (count === undefined) await locator.first().waitFor({ timeout: 60_000 });
  else await page.waitForFunction(({ s, n }) => document.querySelectorAll(s).length === n, { s: selector, n: count }, { timeout: 60_000, polling: 'raf' });
  return page.evaluate(() => performance.now());
}

/** Typing `needle` (set at once, as a paste) until exactly `expect` rows are visible. */
async function filterMs(page: Page, input: string, rowSelector: string, needle: string, expect: number): Promise<number> {
  return page.evaluate(
    ({ input, rowSelector, needle, expect }) =>
      new Promise<number>((resolve) => {
        const el = document.querySelector<HTMLInputElement>(input)!;
        const visible = () => [...document.querySelectorAll<HTMLElement>(rowSelector)].filter((r) => r.style.display !== 'none').length;
        const t0 = performance.now();
        const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
        setter.call(el, needle);
        el.dispatchEvent(new Event('input', { bubbles: true }));
        const check = () => (visible() === expect ? resolve(performance.now() - t0) : requestAnimationFrame(check));
        check();
      }),
    { input, rowSelector, needle, expect },
  );
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
let cleanExit = false;
try {
  for (let t = Date.now(); ; await wait(500)) {
    if (await fetch(`${base}/api/trpc/auth.status`).then((r) => r.ok, () => false)) break;
    if (Date.now() - t > 120_000) throw new Error('console server did not start');
  }
  const setup = await trpc('auth.setup', { name: 'bench', password: 'bench password, long enough' });
  login.cookies = setup.headers.getSetCookie().map((c) => c.split(';')[0]!).map((c) => ({ name: c.split('=')[0]!, value: c.slice(c.indexOf('=') + 1) }));
  login.csrfToken = ((await setup.json()) as { result: { data: { csrfToken: string } } }).result.data.csrfToken;
  const { mkdirSync } = await import('node:fs');
  mkdirSync(rootFs, { recursive: true });
  const created = Date.now();
  for (let i = 0; i < PODS; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, PODS - i) }, (_, j) => {
        const id = `pod-${String(i + j).padStart(4, '0')}`;
        return trpc('pod.create', { id, hypervisorType: 'mock', agentType: 'noop', containers: [{ id: 'c1', rootFs, cmd: { args: ['/bin/sh'] } }] });
      }),
    );
  }
  console.log(`console bench: ${PODS} mock pods created in ${((Date.now() - created) / 1000).toFixed(1)} s; ${RUNS} runs each, medians, chromium headless`);

  const context = await browser.newContext();
  // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in __name(), which
  // only exists in Node: give the page an identity one.
  await context.addInitScript('window.__name = (f) => f');
  await context.addCookies(login.cookies.map((c) => ({ ...c, url: base })));
  const page = await context.newPage();
  const blank = await browser.newPage();
  await blank.addInitScript('window.__name = (f) => f');
  const results = { blankPaint: [] as number[], listPaint: [] as number[], listRows: [] as number[], plainRows: [] as number[], listFilter: [] as number[], plainFilter: [] as number[], podPage: [] as number[], blankLoad: [] as number[] };
  const ROW = 'table[aria-label="Pods"] tbody tr';
  for (let run = 0; run < RUNS; run++) {
    results.blankPaint.push(await firstPaint(blank, `${bareBase}/`));
    results.blankLoad.push(await until(blank, `${bareBase}/`, 'p'));
    results.plainRows.push(await until(blank, `${bareBase}/table`, 'tbody tr', PODS));
    results.plainFilter.push(await filterMs(blank, 'input', 'tbody tr', 'pod-050', 10));
    results.listPaint.push(await firstPaint(page, `${base}/pods`));
    results.listRows.push(await until(page, `${base}/pods`, ROW, PODS));
    // The console filters by removing rows, the plain page by hiding them: both count what is shown.
    results.listFilter.push(await filterMs(page, 'input[aria-label="Search pods"]', ROW, 'pod-050', 10));
    results.podPage.push(await until(page, `${base}/pods/pod-0500`, '[role="group"][aria-label="Pod actions"] button:not([disabled])'));
  }
  const m = (v: number[]) => median(v);
  const line = (name: string, ms: number, baseline: number, baseName: string) => console.log(`${name}: ${ms.toFixed(0)} ms; ${baseName} ${baseline.toFixed(0)} ms; ratio ${(ms / baseline).toFixed(1)}x`);
  line('pod list first paint', m(results.listPaint), m(results.blankPaint), 'blank page');
  line(`pod list, all ${PODS} rows on screen`, m(results.listRows), m(results.plainRows), `plain ${PODS}-row table`);
  line('filter to 10 rows', m(results.listFilter), m(results.plainFilter), 'plain DOM filter');
  line('pod page to interactive (actions enabled)', m(results.podPage), m(results.blankLoad), 'blank page');
  cleanExit = true;
} finally {
  await browser.close().catch(() => {});
  bare.close();
  const exited = new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
  const stop = (signal: NodeJS.Signals) => {
    try {
      process.kill(-server.pid!, signal);
    } catch {
      /* gone */
    }
  };
  stop('SIGTERM');
  if (!(await Promise.race([exited.then(() => true), wait(10_000).then(() => false)]))) stop('SIGKILL');
  rmSync(home, { recursive: true, force: true });
  console.log(`bench took ${((Date.now() - benchStart) / 1000).toFixed(0)} s${cleanExit ? '' : ' (failed)'}`);
}
