// [SECURITY]: logins and roles in the console (mock pods only, no VM): the login gate, what a viewer
// may not do (no lifecycle buttons, no terminals), the admin's audit log, users and settings, API
// tokens, and logging out. Every page is also checked for CSP violations (fixtures.ts).
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, logIn, test } from './fixtures';
import { USERS } from './users';

const POD = 'e2e-sec';
const NEEDS_OPERATOR = 'Needs the operator role';

test.describe('anonymous', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('[SECURITY] an anonymous visit goes to /login; wrong passwords are refused, then rate-limited; next stays on this site', async ({ page, baseURL }) => {
    await page.goto('/pods');
    await expect(page).toHaveURL(/\/login\?next=%2Fpods$/);
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('form', { name: 'Log in' }).getByRole('alert')).toHaveText('Wrong username or password');
    await page.screenshot({ path: 'test-results/screenshots/login-error.png', fullPage: true });
    // Five tries per name and address, then the server says to wait, and the page shows it.
    for (let attempt = 2; attempt <= 6; attempt++) {
      const answered = page.waitForResponse((r) => r.url().includes('auth.login'));
      await page.getByRole('button', { name: 'Log in' }).click();
      await answered;
    }
    await expect(page.getByRole('form', { name: 'Log in' }).getByRole('alert')).toHaveText(/^Too many login attempts; try again in \d+ s$/);

    await page.goto('/setup');
    await expect(page.getByRole('heading', { name: 'Setup is over' })).toBeVisible();
    // Another site as `next` ("//host") is ignored: the login lands on the console's own start page.
    await page.goto('/login?next=//example.com/x');
    await logIn(page, 'viewer');
    await page.waitForURL((url) => url.pathname === '/');
    expect(page.url()).toBe(`${baseURL}/`);
  });
});

test('[SECURITY] a viewer sees pods but cannot change them, create them or open terminals', async ({ request, loginAs }) => {
  const created = await request.post('/api/trpc/pod.run', {
    data: { id: POD, hypervisorType: 'mock', containers: [{ id: 'c1', rootFs: '/tmp', cmd: { args: ['sh'] } }] },
  });
  expect(created.ok(), await created.text()).toBe(true);
  const page = await loginAs('viewer');
  const terminalCalls: string[] = [];
  page.on('request', (r) => void (/terminal\./.test(r.url()) && terminalCalls.push(r.url())));
  page.on('websocket', (ws) => void terminalCalls.push(ws.url()));

  await page.goto('/pods');
  const newPod = page.locator('.page-header').getByRole('link', { name: 'New pod' });
  await expect(newPod).toHaveAttribute('aria-disabled', 'true');
  await expect(newPod).toHaveAccessibleDescription(NEEDS_OPERATOR);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'New pod' })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Select all pods' }).check();
  await expect(page.getByRole('button', { name: 'Stop selected' })).toHaveAccessibleDescription(NEEDS_OPERATOR);

  await page.goto(`/pods/${POD}`);
  const actions = page.getByRole('group', { name: 'Pod actions' });
  for (const name of ['Start', 'Pause', 'Resume', 'Stop', 'Delete']) {
    await expect(actions.getByRole('button', { name })).toBeDisabled();
    await expect(actions.getByRole('button', { name })).toHaveAccessibleDescription(NEEDS_OPERATOR);
  }
  await expect(page.getByRole('button', { name: 'Save annotations' })).toHaveAccessibleDescription(NEEDS_OPERATOR);
  await expect(page.getByRole('link', { name: 'New container' })).toHaveAccessibleDescription(NEEDS_OPERATOR);
  await expect(page.getByTestId('vm-console')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/pod-detail-viewer.png', fullPage: true });

  await page.goto(`/pods/${POD}/containers/c1`);
  const containerActions = page.getByRole('group', { name: 'Container actions' });
  for (const name of ['Start', 'Stop', 'Delete']) await expect(containerActions.getByRole('button', { name })).toHaveAccessibleDescription(NEEDS_OPERATOR);
  await expect(page.getByRole('button', { name: 'Kill' })).toHaveAccessibleDescription(NEEDS_OPERATOR);
  await expect(page.getByRole('region', { name: 'Terminals' })).toContainText('Terminals need the operator role');
  await expect(page.getByRole('button', { name: 'Open terminal' })).toHaveCount(0);
  await expect(page.getByLabel('Container output lines')).toHaveCount(0);

  await page.goto('/pods/new');
  await expect(page.getByText('Creating pods needs the operator role.')).toBeVisible();
  expect(terminalCalls).toEqual([]);

  await request.post('/api/trpc/pod.stop', { data: { podId: POD } });
  expect((await request.post('/api/trpc/pod.delete', { data: { podId: POD } })).ok()).toBe(true);
});

test('[SECURITY] the audit log shows the viewer logging in, filters by actor and exports JSON lines', async ({ loginAs }) => {
  await loginAs('viewer');
  const page = await loginAs('admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  const entries = page.getByRole('table', { name: 'Audit entries' });
  await expect(entries.getByRole('row').filter({ hasText: USERS.viewer.name }).filter({ hasText: 'auth.login' }).first()).toBeVisible();

  await page.getByLabel('Actor', { exact: true }).fill(USERS.viewer.name);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(entries.locator('tbody tr').filter({ hasNotText: USERS.viewer.name })).toHaveCount(0);
  await expect(entries.locator('tbody tr').first()).toContainText('auth.login');
  await page.screenshot({ path: 'test-results/screenshots/audit.png', fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON lines' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^audit-\d{4}-\d\d-\d\d\.jsonl$/);
  const lines = readFileSync(await file.path(), 'utf8').trimEnd().split('\n');
  const exported = lines.map((line) => JSON.parse(line) as { actor: string; action: string; outcome: string });
  expect(exported.length).toBeGreaterThan(0);
  expect(exported.every((e) => e.actor === USERS.viewer.name)).toBe(true);
  expect(exported.some((e) => e.action === 'auth.login' && e.outcome === 'ok')).toBe(true);
});

test('[SECURITY] an admin adds a user, changes its role and disables it; settings name a bad folder', async ({ loginAs }) => {
  const page = await loginAs('admin');
  await page.goto('/admin/users');
  const form = page.getByRole('form', { name: 'Add a user' });
  await form.getByLabel('Username').fill('e2e-temp');
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('Password').fill('short');
  await form.getByRole('button', { name: 'Add user' }).click();
  await expect(form.getByText('must be at least 10 characters')).toBeVisible();
  await form.getByLabel('Password').fill('e2e-temp-password');
  await form.getByRole('button', { name: 'Add user' }).click();
  const row = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'e2e-temp' });
  await expect(row.getByRole('combobox', { name: 'Role of e2e-temp' })).toHaveValue('operator');
  await row.getByRole('combobox', { name: 'Role of e2e-temp' }).selectOption('viewer');
  await expect(page.getByRole('status').filter({ hasText: 'e2e-temp: viewer' })).toBeVisible();
  await row.getByRole('button', { name: 'Disable e2e-temp' }).click();
  await expect(row).toContainText('disabled');
  // An admin cannot lock themselves out by a slip.
  await expect(page.getByRole('button', { name: `Disable ${USERS.admin.name}` })).toBeDisabled();
  await page.screenshot({ path: 'test-results/screenshots/admin-users.png', fullPage: true });

  await page.goto('/admin/settings');
  const roots = page.getByRole('form', { name: 'Host path roots' });
  // The run's allowlist (playwright.config.ts) holds the temp dir the specs copy root filesystems to.
  await expect.poll(() => roots.getByRole('textbox').evaluateAll((fields) => fields.map((f) => (f as HTMLInputElement).value))).toContain(tmpdir());
  await roots.getByRole('button', { name: 'Add folder' }).click();
  await roots.getByRole('textbox').last().fill('relative/path');
  await roots.getByRole('button', { name: 'Save' }).click();
  await expect(roots.getByText('must be an absolute path')).toBeVisible();
  await roots.getByRole('textbox').last().fill('/nonexistent-e2e-folder');
  await roots.getByRole('button', { name: 'Save' }).click();
  await expect(roots.getByText('"/nonexistent-e2e-folder" must be an existing directory')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/admin-settings.png', fullPage: true });
});

test('[SECURITY] an API token is shown once, acts with its role, and stops when revoked', async ({ page, playwright, baseURL }) => {
  await page.goto('/account');
  await page.getByLabel('Token name').fill('e2e-token');
  await page.getByLabel('Token role').selectOption('viewer');
  await page.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('textbox', { name: 'API token e2e-token' });
  const token = await shown.inputValue();
  expect(token).toMatch(/^pvt_/);
  await page.screenshot({ path: 'test-results/screenshots/account-token.png', fullPage: true });
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toHaveCount(0);

  const api = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] }, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  expect((await api.get('/api/trpc/pod.list')).status()).toBe(200);
  expect((await api.post('/api/trpc/pod.start', { data: { podId: 'any' } })).status()).toBe(403);
  await page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: 'e2e-token' }).getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: 'e2e-token' })).toContainText('revoked');
  expect((await api.get('/api/trpc/pod.list')).status()).toBe(401);
  await api.dispose();
});

test('[SECURITY] logging out returns to /login, and pages then ask for a login again', async ({ loginAs }) => {
  const page = await loginAs('viewer');
  const otherTab = await page.context().newPage();
  await otherTab.goto('/pods');
  await expect(otherTab.getByRole('heading', { name: 'Pods', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  // The other tab's next refetch (every 10 s) is refused, and it goes to /login by itself.
  await expect(otherTab).toHaveURL(/\/login\?next=%2Fpods$/, { timeout: 15_000 });
  await page.goto('/pods');
  await expect(page).toHaveURL(/\/login\?next=%2Fpods$/);
  await logIn(page, 'viewer');
  await expect(page).toHaveURL(/\/pods$/);
});
