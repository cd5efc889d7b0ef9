// [CONSOLE][STORAGE]: a mock pod from the create form with a volume, a read-only bind of it, a
// tmpfs and a character device: each row validated by the engine's own schemas as it is typed,
// then the pod page's VM configuration (shared filesystem, every hypervisor setting with the
// default applied and its source) and the container page's mounts and devices.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openMockPodForm } from './new-pod-form';

const POD = 'e2e-storage';
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

test('[CONSOLE][STORAGE]: volumes, mounts and devices from the create form; effective VM config on the pod page; mounts and devices on the container page', async ({ page }) => {
  // Inside the run's host-path roots (the temp dir), as an operator would name one.
  const volume = mkdtempSync(path.join(tmpdir(), 'pv-e2e-volume-'));
  try {
    await openMockPodForm(page, POD);
    await page.getByRole('textbox', { name: 'vCPUs', exact: true }).fill('2');

    await page.getByText('Volumes and annotations').click();
    await page.getByRole('button', { name: 'Add volume' }).click();
    await page.getByRole('textbox', { name: 'Volume 1 tag' }).fill('data');
    const hostPath = page.getByRole('textbox', { name: 'Volume 1 host path' });
    await hostPath.fill('relative/dir');
    await hostPath.blur();
    // The shared VolumeSchema's verdict, on the cell and under the rows.
    await expect(hostPath).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('hostPath: must be an absolute path')).toBeVisible();
    await hostPath.fill(volume);
    await expect(hostPath).not.toHaveAttribute('aria-invalid', 'true');

    await page.getByText('Mounts, devices and annotations').click();
    await page.getByRole('button', { name: 'Add mount' }).click();
    await page.getByRole('textbox', { name: 'Mount 1 source' }).fill('data');
    await page.getByRole('textbox', { name: 'Mount 1 destination' }).fill('/data');
    await page.getByRole('checkbox', { name: 'Mount 1 read-only' }).check();
    await page.getByRole('button', { name: 'Add mount' }).click();
    await page.getByRole('textbox', { name: 'Mount 2 source' }).fill('tmpfs');
    await page.getByRole('combobox', { name: 'Mount 2 type' }).selectOption('tmpfs');
    await page.getByRole('textbox', { name: 'Mount 2 destination' }).fill('/scratch');
    await page.getByRole('textbox', { name: 'Mount 2 options' }).fill('size=16m, nosuid');

    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByRole('combobox', { name: 'Device 1 type' }).selectOption('c');
    await page.getByRole('textbox', { name: 'Device 1 major' }).fill('1');
    await page.getByRole('textbox', { name: 'Device 1 minor' }).fill('3');
    const mode = page.getByRole('textbox', { name: 'Device 1 mode' });
    await page.getByRole('textbox', { name: 'Device 1 container path' }).fill('/dev/null2');
    await mode.fill('0999');
    await mode.blur();
    await expect(mode).toHaveAttribute('aria-invalid', 'true');
    await mode.fill('0620');
    await page.getByRole('textbox', { name: 'Device 1 uid' }).fill('1000');
    await page.getByRole('textbox', { name: 'Device 1 gid' }).fill('5');
    await shot(page, 'pod-new-storage');
    await page.getByRole('button', { name: 'Create and start' }).click();

    await expect(page).toHaveURL(new RegExp(`/pods/${POD}$`));
    await expect(page.locator('.page-header').getByText('running', { exact: true })).toBeVisible();
    const vm = page.getByRole('region', { name: 'VM configuration' });
    await expect(vm).toContainText('virtio-9p (no VM process: mock hypervisor)');
    const settings = vm.getByRole('table', { name: 'Effective hypervisor configuration' });
    await expect(settings.getByRole('row').filter({ hasText: 'vCPUs' }).first()).toContainText(/2\s*vmConfig\.vcpus/);
    await expect(settings.getByRole('row').filter({ hasText: 'Memory' })).toContainText(/256 MiB\s*vmConfig\.memory/);
    await expect(settings.getByRole('row').filter({ hasText: 'PCI bridges' })).toContainText(/1\s*default/);
    await expect(settings.getByRole('row').filter({ hasText: 'Block device driver' })).toContainText('virtio-scsi');
    await expect(settings.getByRole('row').filter({ hasText: 'Kernel' })).toContainText('none');
    await shot(page, 'pod-effective-config');

    await page.getByRole('link', { name: 'c1', exact: true }).click();
    const storage = page.getByRole('region', { name: 'Mounts and devices' });
    const mounts = storage.getByRole('table', { name: 'Mounts' });
    await expect(mounts.getByRole('row').filter({ hasText: '/data' })).toContainText(/data\s*\/data\s*bind\s*—\s*read-only/);
    await expect(mounts.getByRole('row').filter({ hasText: '/scratch' })).toContainText(/tmpfs\s*\/scratch\s*tmpfs\s*size=16m,nosuid\s*read-write/);
    await expect(storage.getByRole('table', { name: 'Devices' }).getByRole('row').filter({ hasText: '/dev/null2' })).toContainText(/c\s*1:3\s*\/dev\/null2\s*0620\s*1000:5/);
    await shot(page, 'container-storage');

    await page.getByRole('link', { name: POD }).click();
    const actions = page.getByRole('group', { name: 'Pod actions' });
    await actions.getByRole('button', { name: 'Stop' }).click();
    await expect(page.locator('.page-header').getByText('stopped', { exact: true })).toBeVisible();
    await expect(vm).toContainText('virtio-9p (at the next boot)');
    await actions.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: `Delete pod ${POD}?` }).getByRole('button', { name: 'Delete' }).click();
    await expect(page).toHaveURL(/\/pods$/);
  } finally {
    rmSync(volume, { recursive: true, force: true });
  }
});
