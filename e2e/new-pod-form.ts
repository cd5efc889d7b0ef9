// The create form opened and set to upstream's test drivers (mock hypervisor, noop agent, proxy and
// shim): no VM, so a spec about the console's storage, network or timeline runs in seconds.
import type { Page } from '@playwright/test';

export async function openMockPodForm(page: Page, podId: string): Promise<void> {
  await page.goto('/pods/new');
  await page.getByRole('textbox', { name: 'Pod ID' }).fill(podId);
  for (const [name, value] of [['Hypervisor', 'mock'], ['Agent', 'noop'], ['Proxy', 'noopProxy'], ['Shim', 'noopShim']] as const) {
    await page.getByRole('combobox', { name }).selectOption(value);
  }
}
