// Before the run, against the fresh store the web server just opened: one user per role, added
// with the CLI as a host administrator would, and the operator logged in through the /login page,
// its cookies saved for every spec.
import { chromium, type FullConfig } from '@playwright/test';
import { execa } from 'execa';
import { ROLES } from '../server/auth/roles';
import { logIn, OPERATOR_STATE, USERS } from './users';

export default async function globalSetup(config: FullConfig) {
  const home = process.env['PODVISOR_E2E_HOME']!;
  for (const role of ROLES) {
    await execa('node', ['bin/podvisor.js', 'user', 'add', USERS[role].name, '--role', role, '--password-stdin'], {
      env: { PODVISOR_HOME: home, PODVISOR_RUN_DIR: `${home}/run` },
      input: USERS[role].password,
    });
  }

  const { baseURL, launchOptions } = config.projects[0]!.use;
  const browser = await chromium.launch(launchOptions);
  const page = await browser.newPage({ baseURL });
  await page.goto('/login');
  await logIn(page, 'operator');
  await page.waitForURL((url) => url.pathname === '/');
  await page.context().storageState({ path: OPERATOR_STATE });
  await browser.close();
}
