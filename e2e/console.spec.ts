// [CONSOLE]: the web console end to end on the mock hypervisor and noop agent (real-QEMU flows
// live elsewhere): create from the form, drive the lifecycle, and see changes arrive live.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

test('[CONSOLE][POD]: create from the form, pause, resume, container actions, stop, delete', async ({ page }) => {
  await page.goto('/pods/new');
  await page.getByRole('textbox', { name: 'Pod ID' }).fill('e2e-ui');
  await page.getByRole('combobox', { name: 'Hypervisor' }).selectOption('mock');
  await page.getByRole('combobox', { name: 'Agent' }).selectOption('noop');
  await page.getByRole('combobox', { name: 'Proxy' }).selectOption('noopProxy');
  await page.getByRole('combobox', { name: 'Shim' }).selectOption('noopShim');
  await shot(page, 'pod-new');
  await page.getByRole('button', { name: 'Create and start' }).click();

  await expect(page).toHaveURL(/\/pods\/e2e-ui$/);
  const header = page.locator('.page-header');
  await expect(header.getByText('running', { exact: true })).toBeVisible();
  const actions = page.getByRole('group', { name: 'Pod actions' });
  await expect(actions.getByRole('button', { name: 'Start' })).toBeDisabled();
  await expect(actions.getByRole('button', { name: 'Start' })).toHaveAccessibleDescription(/needs it ready or stopped/);

  await actions.getByRole('button', { name: 'Pause' }).click();
  await expect(header.getByText('paused', { exact: true })).toBeVisible();
  await actions.getByRole('button', { name: 'Resume' }).click();
  await expect(header.getByText('running', { exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Pod events' })).toContainText('resumePod');
  await page.getByRole('textbox', { name: 'Annotation 1 key' }).fill('team');
  await page.getByRole('textbox', { name: 'Annotation 1 value' }).fill('infra');
  await page.getByRole('button', { name: 'Save annotations' }).click();
  await expect(page.getByRole('list', { name: 'Pod events' })).toContainText('annotations set: team');
  await expect(page.getByRole('textbox', { name: 'Annotation 1 key' })).not.toBeEditable();
  await shot(page, 'pod-detail');

  await page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: 'c1' }).click();
  await expect(page).toHaveURL(/\/pods\/e2e-ui\/containers\/c1$/);
  await expect(page.getByRole('region', { name: 'Terminals' })).toBeVisible();
  await page.getByRole('radio', { name: 'json' }).check();
  await page.getByRole('button', { name: 'Refresh processes' }).click();
  await expect(page.getByLabel('Process list output')).toBeVisible();
  await page.getByRole('combobox', { name: 'Signal' }).selectOption('SIGKILL');
  await page.getByRole('checkbox', { name: 'All processes' }).check();
  await page.getByRole('button', { name: 'Kill' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'SIGKILL sent' })).toBeVisible();
  await shot(page, 'container-detail');

  const containerActions = page.getByRole('group', { name: 'Container actions' });
  await containerActions.getByRole('button', { name: 'Stop' }).click();
  await expect(page.locator('.page-header').getByText('stopped', { exact: true })).toBeVisible();
  await containerActions.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete container c1?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/pods\/e2e-ui$/);
  await expect(page.getByText('No containers in this pod.')).toBeVisible();

  await page.goto('/pods/e2e-ui/containers/new');
  await expect(page.getByRole('textbox', { name: 'Rootfs path' })).toHaveValue(/var\/rootfs\/busybox$/);
  await page.getByRole('textbox', { name: 'Container ID' }).fill('bad id');
  await page.getByRole('textbox', { name: 'Rootfs path' }).fill('relative/path');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByText('must be an absolute path')).toBeVisible();
  await shot(page, 'container-new');
  await page.getByRole('link', { name: 'e2e-ui' }).click();

  await actions.getByRole('button', { name: 'Stop' }).click();
  await expect(header.getByText('stopped', { exact: true })).toBeVisible();
  await actions.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete pod e2e-ui?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/pods$/);
  await expect(page.getByRole('link', { name: 'e2e-ui' })).toHaveCount(0);
});

test('[CONSOLE][LIVE]: a pod created through the API appears without a reload; bulk stop', async ({ page, request }) => {
  await page.goto('/pods');
  await expect(page.getByRole('heading', { name: 'Pods', exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  for (const id of ['e2e-live-a', 'e2e-live-b']) {
    const created = await request.post('/api/trpc/pod.run', {
      data: { id, hypervisorType: 'mock', containers: [{ id: 'c1', rootFs: '/tmp', cmd: { args: ['sh'] } }] },
    });
    expect(created.ok()).toBe(true);
  }
  const row = page.getByRole('row').filter({ hasText: 'e2e-live-a' });
  await expect(row).toContainText('running');
  await expect(row).toContainText('mock');

  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search pods' })).toBeFocused();
  await page.keyboard.type('live');
  await page.getByRole('checkbox', { name: 'Select all pods' }).check();
  await shot(page, 'pods');
  await page.getByRole('button', { name: 'Stop selected' }).click();
  await page.getByRole('dialog', { name: 'Stop 2 pods?' }).getByRole('button', { name: 'Stop' }).click();
  await expect(row).toContainText('stopped');
  await page.getByRole('combobox', { name: 'Filter by state' }).selectOption('running');
  await expect(page.getByText('No pod matches the search and filter.')).toBeVisible();
  await expect(page).toHaveURL(/\?q=live&state=running$/);
  await page.goto('/pods?state=stopped&sort=uptimeMs&desc=1');
  await expect(page.getByRole('combobox', { name: 'Filter by state' })).toHaveValue('stopped');
  await expect(page.getByRole('row').filter({ hasText: 'e2e-live-b' })).toContainText('stopped');

  await page.keyboard.press('t');
  await page.keyboard.press('t');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: /Theme: dark/ })).toBeVisible();
  await shot(page, 'pods-dark');
});
