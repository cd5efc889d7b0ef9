// [POD][LIST]: the pod list shows pods created through the API, without a reload.
import { expect, test } from './fixtures';

test('[POD][LIST]: a pod created through the API appears with its state', async ({ page, request }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Pods' })).toBeVisible();
  const created = await request.post('/api/trpc/pod.run', {
    data: { id: 'e2e-list', hypervisorType: 'mock', containers: [{ id: 'c1', rootFs: '/tmp', cmd: { args: ['sh'] } }] },
  });
  expect(created.ok()).toBe(true);
  const row = page.getByRole('row').filter({ hasText: 'e2e-list' });
  await expect(row).toContainText('running');
  await expect(row).toContainText('mock');
  await request.post('/api/trpc/pod.stop', { data: { podId: 'e2e-list' } });
  await expect(row).toContainText('stopped');
  await page.screenshot({ path: 'test-results/screenshots/pods.png', fullPage: true });
});
