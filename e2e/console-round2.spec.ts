// [CONSOLE][ROUND2]: against ONE real QEMU pod (TCG here), created from the form: its steps appear
// live in order before it runs and stay on its timeline with durations; its CPU chart gains points
// and rises while a container runs `yes > /dev/null`; the terminal session doing that is recorded,
// replayed by an admin in the browser (the typed command's output shows) and refused to a viewer;
// the host panel names the accelerator and why. Screenshots of each new page.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const POD = `e2e-r2-${process.pid}`;
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

test.afterAll(async ({ request }) => {
  await request.post('/api/trpc/pod.stop', { data: { podId: POD }, timeout: 60_000 });
  await request.post('/api/trpc/pod.delete', { data: { podId: POD }, timeout: 60_000 });
});

let recordingId = '';

test('[ROUND2] Create and start shows the steps live, in order, before the pod runs; the timeline keeps them', async ({ page }) => {
  await page.goto('/pods/new');
  await page.getByRole('textbox', { name: 'Pod ID' }).fill(POD);
  // Noted in the page itself, across the client-side navigation to the pod page: each step the
  // first time it shows, and whether the pod header said `running` by then.
  await page.evaluate(() => {
    const w = window as unknown as { seen: { step: string; running: boolean }[] };
    w.seen = [];
    const note = () => {
      const running = document.querySelector('.page-header')?.textContent?.includes('running') ?? false;
      for (const li of document.querySelectorAll('.step-list li[data-step]')) {
        const step = li.getAttribute('data-step')!;
        if (!w.seen.some((s) => s.step === step)) w.seen.push({ step, running });
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole('button', { name: 'Create and start' }).click();
  // The form shows the steps while it waits (it does not freeze)...
  const formSteps = page.getByRole('form', { name: 'New pod' }).getByRole('list', { name: 'Steps' });
  await expect(formSteps.locator('li[data-step="network.prepare"]')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'new-pod-live-steps');
  // ...and opens the pod page once the pod exists, while the VM may still boot.
  await expect(page).toHaveURL(new RegExp(`/pods/${POD}$`), { timeout: 90_000 });
  await expect(page.locator('.page-header').getByText('running', { exact: true })).toBeVisible({ timeout: 90_000 });
  const seen = await page.evaluate(() => (window as unknown as { seen: { step: string; running: boolean }[] }).seen);
  const order = ['network.prepare', 'hypervisor.startVm', 'agent.startSandbox', 'agent.createContainer:c1', 'agent.startContainer:c1'];
  const named = seen.filter((s) => order.includes(s.step));
  expect(named.map((s) => s.step)).toEqual(order.filter((step) => named.some((s) => s.step === step)));
  // The last steps may land with the page's first status read; at least three came before `running`.
  expect(named.filter((s) => !s.running).length, JSON.stringify(seen)).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('list', { name: 'Steps' }).locator('li[data-state="done"]').first()).toBeVisible();
  await shot(page, 'pod-recent-steps');

  const timeline = page.getByRole('list', { name: 'Pod events' });
  await expect(timeline).toContainText(/pod created .*steps: .*VM launched \d+\.\d s, agent ready \d+\.\d s/);
});

/** Newest value and point count of the pod page's chart titled `title` (its first series). */
async function cpuChart(page: Page, title = 'CPU (of one host core)'): Promise<{ points: number; last: number }> {
  const figure = page.locator('figure.time-chart').filter({ hasText: title });
  const [points, last] = await Promise.all([figure.getAttribute('data-points'), figure.getAttribute('data-last')]);
  return { points: Number(points), last: Number(last) };
}

test('[ROUND2] the CPU chart gains points and rises while a container runs yes; the session is recorded', async ({ page, context }) => {
  await page.goto(`/pods/${POD}`);
  await expect.poll(async () => (await cpuChart(page)).points, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  // The idle baseline: the highest of a few samples, so a busy boot tail does not hide the rise.
  let idle = 0;
  for (let i = 0; i < 3; i++) {
    const before = (await cpuChart(page)).points;
    await expect.poll(async () => (await cpuChart(page)).points, { timeout: 15_000 }).toBeGreaterThan(before);
    idle = Math.max(idle, (await cpuChart(page)).last);
  }

  const term = await context.newPage();
  await term.addInitScript(() => localStorage.setItem('podvisor.terminal.renderer', 'dom'));
  await term.goto(`/pods/${POD}/containers/c1`);
  await term.getByRole('button', { name: 'Open terminal' }).click();
  const panel = term.locator('.terminal-panel:not([hidden])');
  await expect(panel.getByRole('status')).toHaveText(/^Connected/, { timeout: 30_000 });
  const type = async (line: string) => {
    await panel.locator('.terminal-host').click();
    await term.keyboard.type(line);
    await term.keyboard.press('Enter');
  };
  await type('echo recorded-$((6*7))');
  await expect.poll(() => panel.locator('.xterm-rows').innerText(), { timeout: 15_000 }).toMatch(/^recorded-42\s*$/m);
  await type('yes > /dev/null');

  const startPoints = (await cpuChart(page)).points;
  await expect.poll(async () => (await cpuChart(page)).points, { timeout: 30_000 }).toBeGreaterThan(startPoints + 2);
  await expect.poll(async () => (await cpuChart(page)).last, { timeout: 30_000, message: `CPU above the idle ${idle} %` }).toBeGreaterThan(Math.max(60, idle + 30));
  // The guest's own view beside it: the container's cgroup, where the exec's yes runs, is the busy one.
  await expect.poll(async () => (await cpuChart(page, 'Containers: CPU')).last, { timeout: 30_000, message: 'container c1 above 50 % of a guest CPU' }).toBeGreaterThan(50);
  await shot(page, 'pod-metrics');

  await panel.locator('.terminal-host').click();
  await term.keyboard.press('Control+C');
  await type('exit');
  // The session's end goes on the pod's timeline, with a link to its recording.
  const replay = page.getByRole('list', { name: 'Pod events' }).getByRole('link', { name: 'Replay' }).first();
  await expect(replay).toBeVisible({ timeout: 30_000 });
  recordingId = /\/recordings\/([0-9a-f-]{36})$/.exec((await replay.getAttribute('href')) ?? '')?.[1] ?? '';
  expect(recordingId).not.toBe('');
  await term.close();
});

test('[ROUND2] an admin replays the recorded session in the browser; a viewer cannot', async ({ loginAs }) => {
  const admin = await loginAs('admin');
  await admin.goto('/recordings');
  const row = admin.locator(`tr[data-recording="${recordingId}"]`);
  await expect(row).toContainText(POD);
  await expect(row).toContainText('e2e-operator');
  await shot(admin, 'recordings');
  await row.getByRole('link', { name: 'Replay' }).click();
  await expect(admin).toHaveURL(new RegExp(`/recordings/${recordingId}$`));
  await expect(admin.locator('.cast-player')).toContainText('recorded-42', { timeout: 60_000 });
  await shot(admin, 'recording-replay');
  const download = await admin.request.get(`/recordings/${recordingId}.cast?download=1`);
  expect(download.status()).toBe(200);
  expect(download.headers()['content-disposition']).toMatch(/^attachment; filename=".*\.cast"$/);
  const [header, ...events] = (await download.text()).trim().split('\n');
  expect(JSON.parse(header!)).toMatchObject({ version: 2 });
  // Keystrokes arrive one by one: the typed command is the input events joined.
  const typed = events.map((e) => JSON.parse(e) as [number, string, string]).filter((e) => e[1] === 'i').map((e) => e[2]).join('');
  expect(typed, JSON.stringify(typed)).toContain('echo recorded-$((6*7))\r');

  const viewer = await loginAs('viewer');
  await viewer.goto(`/recordings/${recordingId}`);
  await expect(viewer.getByRole('alert').filter({ hasText: 'Only operators' })).toBeVisible();
  await expect(viewer.locator('.cast-player')).toHaveCount(0);
  expect((await viewer.request.get(`/recordings/${recordingId}.cast`)).status()).toBe(403);
  await expect(viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recordings' })).toHaveCount(0);
});

test('[ROUND2] the host panel names the accelerator in use and why', async ({ page }) => {
  await page.goto('/host');
  const accel = page.locator('.host-accel');
  await expect(accel).toHaveAttribute('data-accelerator', 'tcg');
  await expect(accel).toContainText(/^tcg — .*using TCG$/);
  await expect(page.getByText('Shared FS default')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).locator('[data-accelerator="tcg"]')).toBeVisible();
  await shot(page, 'host');
});
