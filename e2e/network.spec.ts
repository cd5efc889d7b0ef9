// [CONSOLE][NETWORK]: a CNI pod from the create form, on the mock hypervisor and noop agent: the
// mock boots no VM but the network is real (netns, the CNI plugins, podvisor0 written on first use
// in the run's PODVISOR_HOME), so the pod page and the list show the addresses the plugins leased.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const POD = 'e2e-net';
const IPV4 = /10\.209\.0\.\d{1,3}\/24(?!\d)/; // the Copy button follows the text
const IPV6 = /fd70:7076::[0-9a-f:]+\/64(?!\d)/;

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });

test('[CONSOLE][NETWORK]: create a CNI pod with a port mapping, see its IPv4 and IPv6 addresses, stop, delete', async ({ page }) => {
  await page.goto('/pods/new');
  await page.getByRole('textbox', { name: 'Pod ID' }).fill(POD);
  await page.getByRole('combobox', { name: 'Hypervisor' }).selectOption('mock');
  await page.getByRole('combobox', { name: 'Agent' }).selectOption('noop');
  await page.getByRole('combobox', { name: 'Proxy' }).selectOption('noopProxy');
  await page.getByRole('combobox', { name: 'Shim' }).selectOption('noopShim');
  await page.getByRole('combobox', { name: 'Network', exact: true }).selectOption('CNI');

  // The default network is offered before any pod has used it (the catalog query, not a written file).
  const cniNetwork = page.getByRole('combobox', { name: 'CNI network' });
  await expect(cniNetwork).toHaveValue('podvisor0');
  await expect(cniNetwork.getByRole('option', { name: 'podvisor0 (default)' })).toHaveCount(1);
  await page.getByRole('button', { name: 'Add port mapping' }).click();
  await page.getByRole('textbox', { name: 'Port mapping 1 host port' }).fill('18080');
  await page.getByRole('textbox', { name: 'Port mapping 1 container port' }).fill('80');
  await shot(page, 'pod-new-network');
  await page.getByRole('button', { name: 'Create and start' }).click();

  await expect(page).toHaveURL(new RegExp(`/pods/${POD}$`));
  const header = page.locator('.page-header');
  await expect(header.getByText('running', { exact: true })).toBeVisible();
  const network = page.getByRole('region', { name: 'Network', exact: true });
  const addresses = network.getByRole('list', { name: 'Addresses of eth0' });
  await expect(addresses).toContainText(IPV4);
  await expect(addresses).toContainText(IPV6);
  await expect(network).toContainText('podvisor0');
  await expect(network).toContainText('created by Podvisor');
  await expect(network).toContainText('host:18080 → 80/tcp');
  await expect(network.getByRole('button', { name: /^Copy 10\.209\.0\./ })).toBeVisible();
  await shot(page, 'pod-network');

  // The list's Address column carries the same IPv4 address, without its prefix.
  const ipv4 = IPV4.exec((await addresses.textContent()) ?? '')![0].split('/')[0]!;
  await page.goto('/pods');
  await expect(page.getByRole('row').filter({ hasText: POD })).toContainText(ipv4);
  await page.getByRole('link', { name: POD }).click();

  const actions = page.getByRole('group', { name: 'Pod actions' });
  await actions.getByRole('button', { name: 'Stop' }).click();
  await expect(header.getByText('stopped', { exact: true })).toBeVisible();
  await expect(network).toContainText('the network is removed');
  await actions.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: `Delete pod ${POD}?` }).getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/pods$/);
  await expect(page.getByRole('link', { name: POD })).toHaveCount(0);
});
