// The e2e run's users, one per role, created by global-setup.ts on the run's fresh store, and how
// one logs in through the /login page.
import type { Page } from '@playwright/test';
import type { Role } from '../server/auth/roles';

export const USERS: Record<Role, { name: string; password: string }> = {
  admin: { name: 'e2e-admin', password: 'e2e-admin-password' },
  operator: { name: 'e2e-operator', password: 'e2e-operator-password' },
  viewer: { name: 'e2e-viewer', password: 'e2e-viewer-password' },
};

/** The operator's login, which every spec's pages and API requests use unless they say otherwise. */
export const OPERATOR_STATE = 'test-results/.auth/operator.json';

export async function logIn(page: Page, role: Role): Promise<void> {
  await page.getByLabel('Username').fill(USERS[role].name);
  await page.getByLabel('Password').fill(USERS[role].password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
