// [CONSOLE][QEMU]: the console driving real QEMU pods (TCG here): create from the form's defaults,
// pause and resume, list and kill the container's processes, stop, delete; and a pod created
// from the CLI while the list is open appears without a reload.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { execa } from 'execa';
import { expect, test } from './fixtures';

const home = process.env['PODVISOR_E2E_HOME']!;
const podvisor = (...args: string[]) => execa('node', ['bin/podvisor.js', ...args], { env: { PODVISOR_HOME: home, PODVISOR_RUN_DIR: `${home}/run` }, reject: false });
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

function rootfsCopy(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pv-e2e-rootfs-')), 'rootfs');
  cpSync('var/rootfs/busybox', dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

test('[CONSOLE][QEMU]: a real pod from the form, through its lifecycle, to deletion', async ({ page }) => {
  await page.goto('/pods/new');
  await page.getByRole('textbox', { name: 'Pod ID' }).fill('e2e-vm');
  await expect(page.getByRole('combobox', { name: 'Hypervisor' })).toHaveValue('qemu');
  await expect(page.getByRole('combobox', { name: 'Agent' })).toHaveValue('kata');
  await page.getByRole('button', { name: 'Create and start' }).click();

  await expect(page).toHaveURL(/\/pods\/e2e-vm$/, { timeout: 60_000 });
  const header = page.locator('.page-header');
  await expect(header.getByText('running', { exact: true })).toBeVisible({ timeout: 60_000 });
  const actions = page.getByRole('group', { name: 'Pod actions' });
  await actions.getByRole('button', { name: 'Pause' }).click();
  await expect(header.getByText('paused', { exact: true })).toBeVisible();
  await actions.getByRole('button', { name: 'Resume' }).click();
  await expect(header.getByText('running', { exact: true })).toBeVisible();
  await shot(page, 'pod-detail-qemu');

  await page.getByRole('table', { name: 'Containers' }).getByRole('link', { name: 'c1' }).click();
  await expect(page).toHaveURL(/\/pods\/e2e-vm\/containers\/c1$/);
  await page.getByRole('button', { name: 'Refresh processes' }).click();
  await expect(page.getByLabel('Process list output')).toContainText('sleep');
  await shot(page, 'container-detail-qemu');
  await page.getByRole('combobox', { name: 'Signal' }).selectOption('SIGKILL');
  await page.getByRole('button', { name: 'Kill' }).click();
  // The init process is gone: the container is noticed `stopped` without a reload.
  await expect(page.locator('.page-header').getByText('stopped', { exact: true })).toBeVisible({ timeout: 45_000 });

  await page.getByRole('link', { name: 'e2e-vm' }).click();
  await actions.getByRole('button', { name: 'Stop' }).click();
  await expect(header.getByText('stopped', { exact: true })).toBeVisible({ timeout: 30_000 });
  await actions.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete pod e2e-vm?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/pods$/);
  await expect(page.getByRole('link', { name: 'e2e-vm' })).toHaveCount(0);
});

test('[CONSOLE][QEMU][LIVE]: a pod run from the CLI appears in the open list', async ({ page }) => {
  await page.goto('/pods');
  await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
  const run = await podvisor('pod', 'run', '--id', 'e2e-cli', '--hypervisor', 'qemu', '--agent', 'kata', '--container-id', 'c1', '--rootfs', rootfsCopy(), '--', 'sh', '-c', 'while true; do sleep 1; done');
  expect(run.stderr).toBe('');
  const row = page.getByRole('row').filter({ hasText: 'e2e-cli' });
  await expect(row).toContainText('running');
  await expect(row).toContainText(/tcg|kvm/);
  await shot(page, 'pods-qemu');
  await podvisor('pod', 'stop', 'e2e-cli');
  await expect(row).toContainText('stopped');
  await podvisor('pod', 'delete', 'e2e-cli');
  await expect(row).toHaveCount(0);
});
