// The device allowlist on /admin/settings: empty by default (no device), a relative pattern
// refused at its row by the shared schema, a pattern saved and still there after a reload, and
// cleared again; the folder allowlist beside it is untouched.
import { expect, test } from './fixtures';

test('an admin sets and clears the host device patterns', async ({ loginAs }) => {
  const page = await loginAs('admin');
  await page.goto('/admin/settings');
  const devices = page.getByRole('form', { name: 'Host device patterns' });
  await expect(devices.getByText('No device allowed.')).toBeVisible();
  await devices.getByRole('button', { name: 'Add pattern' }).click();
  await devices.getByRole('textbox').last().fill('dev/loop*');
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(devices.getByText('must be an absolute path pattern')).toBeVisible();
  await devices.getByRole('textbox').last().fill('/dev/loop*');
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Host device patterns saved (1)' })).toBeVisible();
  await page.reload();
  await expect(devices.getByRole('textbox')).toHaveValue('/dev/loop*');
  await expect(page.getByRole('form', { name: 'Host path roots' }).getByRole('textbox').first()).not.toHaveValue('');
  await devices.getByRole('button', { name: 'Remove pattern 1' }).click();
  await devices.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Host device patterns saved (0)' })).toBeVisible();
  await expect(devices.getByText('No device allowed.')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/admin-settings-devices.png', fullPage: true });
});
